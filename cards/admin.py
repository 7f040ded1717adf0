"""Cards for POC+: opening a wave, its status, reminders and their reports, the waves, the network
picture, exports; and the invitations members get."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from cards.common import card, chart, count, facts, heading, safe_text, submit, subtle, text
from actions.payloads import action_data
from survey.questionnaire import STADIUM_IDS, Questionnaire
from survey.waves import SendReport, Wave, WaveCounts, date_text, example_deadline

# One colour per state, the same in every chart and legend (Teams' chart colour names).
STATE_COLOURS = (("klaar", "good", "Good"), ("bezig", "warning", "Warning"), ("niet gestart", "neutral", None))
# A report lists at most this many names per reason (the card stays small); the rest is counted.
NAMES_PER_REASON = 25


def new_wave_syntax(today: date) -> str:
    """How to type `nieuwe ronde`, with an example deadline that lies in the future."""
    example = date_text(example_deadline(today))
    return (f"Schrijf het zo: **nieuwe ronde [naam] tot dd-mm-jjjj**, bijvoorbeeld "
            f"**nieuwe ronde Zelfscan {example[-4:]} tot {example}**. Voor enkele centra: zet er "
            "**voor clb-a, clb-b** achter.")


def admin_help_rows(today: date) -> list[tuple[str, str]]:
    """The POC+ commands, as the help card lists them (Markdown-free: shown in a FactSet)."""
    return [
        ("nieuwe ronde [naam] tot dd-mm-jjjj", f"een ronde aanmaken en lanceren (bv. tot {date_text(example_deadline(today))})"),
        ("rondes", "alle rondes: open of gesloten, deadline, hoe ver"),
        ("status [ronde]", "per centrum: uitgenodigd, gestart, klaar"),
        ("herinner [ronde]", "wie nog niet verzond een herinnering sturen (je bevestigt eerst)"),
        ("sluit ronde [ronde]", "de ronde afsluiten"),
        ("export [ronde]", "de verzonden antwoorden als XLSX en CSV"),
        ("export alles [ronde]", "ook de antwoorden die nog niet verzonden zijn"),
        ("resultaten [ronde]", "het beeld van het netwerk"),
        ("register", "de centra en personen, wie nog niet bereikbaar is; stuur een Excel- of CSV-bestand om "
                     "het aan te passen"),
        ("verwijder antwoorden [ronde]", "na sluiten en exporteren: de antwoorden per persoon wissen"),
    ]


def _progress_line(counts: WaveCounts) -> str:
    line = f"{counts.started} van {count(counts.people, 'persoon', 'personen')} gestart, {counts.finished} klaar"
    if counts.centre_answers_started:
        line += (f"; {count(counts.centre_answers_started, 'centrumantwoord', 'centrumantwoorden')} begonnen, "
                 f"{counts.centre_answers_submitted} verzonden")
    return line


def launch_card(wave: Wave, centres: tuple[str, ...], people: int,
                overlapping: tuple[tuple[Wave, WaveCounts], ...] = ()) -> dict:
    body = [
        heading(f"Nieuwe ronde: {safe_text(wave.name)}"),
        text(wave.until_text()),
        text(f"**{count(people, 'persoon', 'personen')}** uit {count(len(centres), 'centrum', 'centra')} "
             f"{'wordt' if people == 1 else 'worden'} uitgenodigd: " + safe_text(", ".join(centres)) + "."),
    ]
    if not overlapping:
        body.append(subtle("Na het lanceren krijgt iedereen een uitnodiging in Teams; jij krijgt een rapport in je "
                           "persoonlijke chat met Poolster."))
        return card(body, [
            submit("Lanceer de ronde", action_data("confirm_launch", wave=wave.id), style="positive"),
            submit("Annuleer", action_data("cancel_launch", wave=wave.id)),
        ])
    names = " en ".join(f"‘{safe_text(other.name)}’" for other, _ in overlapping)
    one = len(overlapping) == 1
    body.append({"type": "Container", "style": "warning", "items": [
        text(f"**Er {'loopt' if one else 'lopen'} al {'een ronde' if one else f'{len(overlapping)} rondes'} "
             f"voor {'dit centrum' if len(centres) == 1 else 'deze centra'}:**"),
        *[text(f"‘{safe_text(other.name)}’ ({other.deadline_text()}): {_progress_line(counts)}.",
               spacing="Small") for other, counts in overlapping],
    ]})
    body.append(text(
        f"**Sluit {names} en lanceer**: wat er al is ingevuld, blijft bewaard en leesbaar, maar kan niet meer "
        "gewijzigd of afgewerkt worden.\n\n"
        f"**Laat {'beide' if one else 'alle'} open**: wie al bezig is, kiest bij *verder* in welke ronde hij of zij "
        "werkt; elke kaart zegt bij welke ronde ze hoort.", size="Small"))
    return card(body, [
        submit(f"Sluit de open ronde{'' if one else 's'} en lanceer",
               action_data("confirm_launch", wave=wave.id, close_others=True), style="positive"),
        # With two waves open already, the new one makes three: "beide" would miscount.
        submit(f"Lanceer, laat {'beide' if one else 'alle'} open", action_data("confirm_launch", wave=wave.id)),
        submit("Annuleer", action_data("cancel_launch", wave=wave.id)),
    ])


def invitation_card(q: Questionnaire, wave: Wave, centre_name: str, reminder: bool) -> dict:
    title = "Herinnering: de zelfscan wacht op je" if reminder else "Je bent uitgenodigd voor de zelfscan"
    return card([
        heading(title),
        text(f"**{safe_text(q.title)}** — {safe_text(wave.name)} voor {safe_text(centre_name)}."),
        text(f"{wave.until_text()} Het duurt ongeveer {q.estimated_minutes} minuten; "
             "elk antwoord wordt meteen bewaard, je kan pauzeren en later verdergaan."),
    ], [submit("Start of ga verder", action_data("start", wave=wave.id), style="positive")])


def remind_confirm_card(wave: Wave, people: int) -> dict:
    who = "persoon die nog niet verzond" if people == 1 else "personen die nog niet verzonden"
    return card([
        heading(f"Herinner {people} {who}?", size="Medium"),
        text(f"Ronde ‘{safe_text(wave.name)}’, {wave.deadline_text()}. Wie al verzond, krijgt niets; "
             "jij krijgt een rapport in je persoonlijke chat zodra de herinneringen verstuurd zijn."),
    ], [
        submit("Herinner ze", action_data("confirm_remind", wave=wave.id), style="positive"),
        submit("Annuleer", action_data("cancel_remind", wave=wave.id)),
    ])


def send_report_card(wave: Wave, report: SendReport) -> dict:
    launch = report.kind == "launch"
    done = "uitgenodigd" if launch else "herinnerd"
    body = [
        heading(f"{'Lancering' if launch else 'Herinnering'}: {safe_text(wave.name)}", size="Medium"),
        subtle("Rapport van de uitnodigingen" if launch else "Rapport van de herinneringen"),
        facts([(done.capitalize(), f"{report.sent} van {count(report.total, 'persoon', 'personen')}"),
               *([("Nog onderweg", str(report.pending))] if report.pending else []),
               ("Niet bereikt", str(report.failed))]),
    ]
    if not report.failed and not report.pending:
        body.append(text(f"✔ Iedereen is {done}.", color="Good"))
    for group in report.not_reached:
        shown = group.names[:NAMES_PER_REASON]
        more = len(group.names) - len(shown)
        body += [
            text(f"**{safe_text(group.title[:1].upper() + group.title[1:])}** "
                 f"({count(len(group.names), 'persoon', 'personen')})", spacing="Medium"),
            text(safe_text(", ".join(shown)) + (f" en {more} anderen" if more else ""), size="Small",
                 spacing="None"),
            text(f"Wat je kan doen: {safe_text(group.advice)}", size="Small", isSubtle=True, spacing="None"),
        ]
    if report.left_registry:
        body.append(text(f"{count(report.left_registry, 'persoon staat', 'personen staan')} niet meer in het "
                         "register en kreeg niets; daar hoef je niets aan te doen.", size="Small", spacing="Medium"))
    return card(body)


def _legend() -> dict:
    return {"type": "RichTextBlock", "spacing": "Small", "inlines": [
        run for label, _, colour in STATE_COLOURS
        for run in (_square(colour),
                    {"type": "TextRun", "text": f"{label}   ", "size": "Small"})]}


def _square(colour: str | None) -> dict:
    # The chart's "neutral" is grey: a subtle default run, the closest a TextRun comes to it.
    return {"type": "TextRun", "text": "■ ", "size": "Medium", **({"color": colour} if colour else {"isSubtle": True})}


def _invited_text(wave: Wave, counts: WaveCounts) -> str:
    if counts.invited is None:
        if wave.created_by == "poolster":
            return "Deze ronde ging vanzelf open bij de start van Poolster: er zijn geen uitnodigingen verstuurd."
        return "Er zijn (nog) geen uitnodigingen verstuurd."
    text_ = f"Uitgenodigd in Teams: {counts.invited} van {count(counts.people, 'persoon', 'personen')}."
    if counts.invited < counts.people:
        text_ += " Wie (nog) niet bereikt werd en waarom, staat in het rapport van de lancering."
    return text_


_CENTRE_ANSWER = {"submitted": "verzonden", "started": "bezig", "none": "nog niet begonnen"}


def _centre_table(rows: list) -> dict:
    """Per centre the people in each state; the centre's answer under its name, so four columns fit a phone."""
    def cell(*items: dict) -> dict:
        return {"type": "TableCell", "items": list(items)}

    header = ["Centrum", "Klaar", "Bezig", "Niet gestart"]
    return {
        "type": "Table", "firstRowAsHeaders": True, "gridStyle": "accent",
        "columns": [{"width": w} for w in (4, 2, 2, 3)],
        "rows": [
            {"type": "TableRow", "cells": [cell(text(title, size="Small")) for title in header]},
            *[{"type": "TableRow", "cells": [
                cell(text(safe_text(r.name), size="Small"),
                     text(f"centrumantwoord: {_CENTRE_ANSWER[r.centre_answer]}", size="Small", isSubtle=True,
                          spacing="None")),
                *[cell(text(str(n), size="Small")) for n in (r.finished, r.started - r.finished, r.people - r.started)],
            ]} for r in rows],
        ],
    }


def status_card(wave: Wave, rows: list, counts: WaveCounts) -> dict:
    body = [
        heading(f"Status: {safe_text(wave.name)}"),
        subtle(f"{'open' if wave.status == 'open' else 'gesloten'} · {wave.deadline_text()} · "
               f"{count(counts.centres, 'centrum', 'centra')}"),
        text(f"**{counts.finished} van {count(counts.people, 'persoon', 'personen')} klaar**, "
             f"{counts.busy} bezig, {counts.not_started} nog niet gestart."),
        text(f"Centrumantwoorden: {counts.centre_answers_submitted} van {counts.centres} verzonden"
             + (f", {counts.centre_answers_started - counts.centre_answers_submitted} bezig."
                if counts.centre_answers_started > counts.centre_answers_submitted else "."), spacing="None"),
        subtle(_invited_text(wave, counts)),
        chart("Chart.HorizontalBar.Stacked", "Personen per centrum",
              [{"title": row.name[:30], "data": [
                  {"legend": label, "value": value, "color": colour}
                  for (label, colour, _), value in zip(STATE_COLOURS, (
                      row.finished, row.started - row.finished, row.people - row.started))]} for row in rows],
              text("(De grafiek kan hier niet getoond worden; de tabel hieronder heeft dezelfde cijfers.)",
                   size="Small", isSubtle=True)),
        _legend(),
        text("**Per centrum** (aantal personen)", spacing="Medium"),
        _centre_table(rows),
    ]
    return card(body, full_width=True)


def waves_card(entries: list[tuple[Wave, WaveCounts]], now: datetime) -> dict:
    body = [heading("Rondes")]
    if not entries:
        body.append(text("Er is nog geen ronde. Start er een met *nieuwe ronde*; typ *help* voor de schrijfwijze."))
        return card(body)
    for wave, counts in reversed(entries):
        state = "open" if wave.accepts_answers(now) else "gesloten"
        body += [
            text(f"**{safe_text(wave.name)}** · {state}", spacing="Medium", separator=True),
            subtle(f"{wave.deadline_text()} · {count(counts.centres, 'centrum', 'centra')}"),
            text(f"{counts.finished} van {count(counts.people, 'persoon', 'personen')} klaar, {counts.busy} bezig, "
                 f"{counts.not_started} nog niet gestart; centrumantwoorden: {counts.centre_answers_submitted} "
                 f"van {counts.centres} verzonden.", size="Small", spacing="None"),
        ]
    newest = safe_text(entries[-1][0].name)
    body.append(text(f"Typ *status [naam]* of *resultaten [naam]* voor één ronde. Zonder naam gaat een commando over "
                     f"de nieuwste ronde, ‘{newest}’; *herinner* en *sluit ronde* over de nieuwste open ronde.",
                     size="Small", isSubtle=True, spacing="Medium"))
    return card(body)


def results_card(q: Questionnaire, wave: Wave, current: dict[str, Counter], intended: dict[str, Counter],
                 centres: int, priorities: Counter, inspiring: Counter) -> dict:
    body = [heading(f"Resultaten: {safe_text(wave.name)}"),
            subtle(f"{count(centres, 'centrum verzond', 'centra verzonden')} een centrumantwoord")]
    if not centres:
        body.append(text("Nog geen centrumantwoorden: zodra een directeur het antwoord van het centrum verzendt, "
                         "zie je hier per bouwsteen hoeveel centra in elk stadium staan."))
        return card(body, full_width=True)
    stadia = [q.stadium(s) for s in STADIUM_IDS]
    for question_id, counts in (("current_stadium", current), ("intention", intended)):
        label = q.question(question_id).short_label
        title = f"{label}: aantal centra per stadium" if question_id == "current_stadium" else \
            f"{label}: het stadium waar de centra naartoe willen (aantal centra)"
        body.append(text(f"**{title}**", spacing="Large", separator=True))
        # Stacked bars count whole centres and draw no value axis, so no fractions can appear.
        body.append(chart(
            "Chart.HorizontalBar.Stacked", title,
            [{"title": _bar_title(f"{b.number}. {b.title}"), "data": [
                {"legend": stadium.label, "value": counts[b.id][stadium.id]} for stadium in stadia]}
             for b in q.bouwstenen],
            # Where charts are not drawn (Teams on iOS, phones): the same counts in words, which wrap.
            facts([(f"{b.number}. {safe_text(b.title)}",
                    " · ".join(f"{s.label}: {counts[b.id][s.id]}" for s in stadia if counts[b.id][s.id]) or "–")
                   for b in q.bouwstenen]),
            colorSet="sequential"))
    body.append(text("**Meest gekozen prioriteiten** (aantal centra)", spacing="Large", separator=True))
    body.append(facts([(str(n), safe_text(q.bouwsteen(b).title)) for b, n in priorities.most_common(5)]
                      or [("–", "nog geen")]))
    body.append(text("**Inspirerende praktijken** (aantal centra)", spacing="Medium"))
    body.append(facts([(str(n), safe_text(q.bouwsteen(b).title)) for b, n in inspiring.most_common(5)]
                      or [("–", "nog geen")]))
    return card(body, full_width=True)


def _bar_title(title: str, limit: int = 38) -> str:
    """A bar's title that fits beside its value: cut at a word, with an ellipsis."""
    if len(title) <= limit:
        return title
    return title[:title.rfind(" ", 0, limit)].rstrip(",;:") + " …"


def export_card(wave: Wave, links: dict[str, str], centre_answers: int, members: int,
                everything: bool = False) -> dict:
    scope = ("Alle antwoorden, ook die nog niet verzonden zijn (‘Verzonden op’ is dan leeg)." if everything else
             "Enkel verzonden antwoorden. Typ *export alles* om ook de onvolledige mee te nemen.")
    held = (f"**Erin:** {count(centre_answers, 'centrumantwoord', 'centrumantwoorden')} en de antwoorden van "
            f"{count(members, 'lid', 'leden')}.")
    if not centre_answers and not members:
        held = (f"**Er is nog niets {'ingevuld' if everything else 'verzonden'}:** de bestanden hebben enkel de "
                "kolomkoppen.")
    return card([
        heading(f"Export: {safe_text(wave.name)}"),
        text(held),
        text(scope),
        text("Het blad ‘Uitleg’ zegt wat elke kolom betekent."),
        subtle("De links werken 15 minuten en enkel voor deze bestanden; daarna worden de bestanden gewist."),
    ], [{"type": "Action.OpenUrl", "title": title, "url": url} for title, url in links.items()])


def card_text(message: str) -> dict:
    """A one-line card that replaces a card whose buttons may no longer be pressed."""
    return card([text(safe_text(message), weight="Bolder")])
