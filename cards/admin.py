"""Cards for POC+: opening a wave, its status, reminders and their reports, the waves, the network
picture, exports; and the invitations members get."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from actions.payloads import action_data
from cards.common import card, chart, count, facts, heading, safe_text, submit, subtle, text
from survey.questionnaire import Question, Questionnaire, Scale
from survey.registry import SCHOOL_TYPE_LABELS
from survey.school_view import MIN_SCHOOLS, SchoolsView, share_note, type_lines, waiting_text
from survey.waves import SendReport, Wave, WaveCounts, date_text, example_deadline

# One colour per state, the same in every chart and legend (Teams' chart colour names).
STATE_COLOURS = (("klaar", "good", "Good"), ("bezig", "warning", "Warning"), ("niet gestart", "neutral", None))
# A report lists at most this many names per reason (the card stays small); the rest is counted.
NAMES_PER_REASON = 25


def new_wave_syntax(today: date, command_words: tuple[str, ...] = ()) -> str:
    """How to type `nieuwe ronde`, with an example deadline that lies in the future; `command_words`
    are the words that launch another questionnaire (*nieuwe ronde scholen ...*)."""
    example = date_text(example_deadline(today))
    others = "".join(
        f" Voor de bevraging van de {word}: **nieuwe ronde {word} [naam] tot dd-mm-jjjj**." for word in command_words
    )
    return (
        f"Schrijf het zo: **nieuwe ronde [naam] tot dd-mm-jjjj**, bijvoorbeeld "
        f"**nieuwe ronde Zelfscan {example[-4:]} tot {example}**. Voor enkele centra: zet er "
        f"**voor clb-a, clb-b** achter.{others}"
    )


def admin_help_rows(today: date, command_words: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """The POC+ commands, as the help card lists them (Markdown-free: shown in a FactSet)."""
    return [
        (
            "nieuwe ronde [naam] tot dd-mm-jjjj",
            f"een ronde aanmaken en lanceren (bv. tot {date_text(example_deadline(today))})",
        ),
        *[
            (f"nieuwe ronde {word} [naam] tot dd-mm-jjjj", f"een ronde van de bevraging van de {word}")
            for word in command_words
        ],
        ("rondes", "alle rondes: open of gesloten, deadline, hoe ver"),
        ("status [ronde]", "per centrum: uitgenodigd, gestart, klaar (personen of scholen)"),
        ("herinner [ronde]", "wie nog niet verzond een herinnering sturen (je bevestigt eerst)"),
        ("sluit ronde [ronde]", "de ronde afsluiten"),
        ("export [ronde]", "de verzonden antwoorden als XLSX en CSV"),
        ("export alles [ronde]", "ook de antwoorden die nog niet verzonden zijn"),
        ("resultaten [ronde]", "het beeld van het netwerk"),
        (
            "register",
            "de centra en personen, wie nog niet bereikbaar is; stuur een Excel- of CSV-bestand om het aan te passen",
        ),
        ("verwijder antwoorden [ronde]", "na sluiten en exporteren: de antwoorden per persoon wissen"),
    ]


def _respondents(counts: WaveCounts, n: int | None = None) -> str:
    """ "12 personen" or "12 scholen": the wave's respondents counted."""
    n = counts.people if n is None else n
    return count(n, "school", "scholen") if counts.respondents == "schools" else count(n, "persoon", "personen")


def _progress_line(counts: WaveCounts) -> str:
    if counts.respondents == "schools":
        return f"{counts.finished} van {_respondents(counts)} verzonden, {counts.busy} bezig"
    line = f"{counts.started} van {count(counts.people, 'persoon', 'personen')} gestart, {counts.finished} klaar"
    if counts.centre_answers_started:
        line += (
            f"; {count(counts.centre_answers_started, 'centrumantwoord', 'centrumantwoorden')} begonnen, "
            f"{counts.centre_answers_submitted} verzonden"
        )
    return line


def launch_card(
    wave: Wave,
    q: Questionnaire,
    centres: tuple[str, ...],
    respondents: int,
    invitees: int,
    overlapping: tuple[tuple[Wave, WaveCounts], ...] = (),
) -> dict:
    """Confirm a new wave: which questionnaire, until when, who is invited."""
    where = safe_text(", ".join(centres))
    if q.respondents == "schools":
        who = (
            f"**{count(respondents, 'school', 'scholen')}** van {count(len(centres), 'centrum', 'centra')} "
            f"({where}) {'wordt' if respondents == 1 else 'worden'} bevraagd: "
            f"{count(invitees, 'contactpersoon krijgt', 'contactpersonen krijgen')} een uitnodiging. Eén antwoord "
            "per school."
        )
    else:
        who = (
            f"**{count(respondents, 'persoon', 'personen')}** uit {count(len(centres), 'centrum', 'centra')} "
            f"{'wordt' if respondents == 1 else 'worden'} uitgenodigd: {where}."
        )
    body = [
        heading(f"Nieuwe ronde: {safe_text(wave.name)}"),
        text(f"Vragenlijst: **{safe_text(q.title)}** (versie {safe_text(q.version)})", spacing="Small"),
        text(wave.until_text(), spacing="Small"),
        text(who),
    ]
    if not overlapping:
        body.append(
            subtle(
                "Na het lanceren krijgt iedereen een uitnodiging in Teams; jij krijgt een rapport in je "
                "persoonlijke chat met Poolster."
            )
        )
        return card(
            body,
            [
                submit("Lanceer de ronde", action_data("confirm_launch", wave=wave.id), style="positive"),
                submit("Annuleer", action_data("cancel_launch", wave=wave.id)),
            ],
        )
    names = " en ".join(f"‘{safe_text(other.name)}’" for other, _ in overlapping)
    one = len(overlapping) == 1
    body.append(
        {
            "type": "Container",
            "style": "warning",
            "items": [
                text(
                    f"**Er {'loopt' if one else 'lopen'} al {'een ronde' if one else f'{len(overlapping)} rondes'} "
                    f"voor {'dit centrum' if len(centres) == 1 else 'deze centra'}:**"
                ),
                *[
                    text(
                        f"‘{safe_text(other.name)}’ ({other.deadline_text()}): {_progress_line(counts)}.",
                        spacing="Small",
                    )
                    for other, counts in overlapping
                ],
            ],
        }
    )
    body.append(
        text(
            f"**Sluit {names} en lanceer**: wat er al is ingevuld, blijft bewaard en leesbaar, maar kan niet meer "
            "gewijzigd of afgewerkt worden.\n\n"
            f"**Laat {'beide' if one else 'alle'} open**: wie al bezig is, kiest bij *verder* in welke ronde hij of zij "
            "werkt; elke kaart zegt bij welke ronde ze hoort.",
            size="Small",
        )
    )
    return card(
        body,
        [
            submit(
                f"Sluit de open ronde{'' if one else 's'} en lanceer",
                action_data("confirm_launch", wave=wave.id, close_others=True),
                style="positive",
            ),
            # With two waves open already, the new one makes three: "beide" would miscount.
            submit(f"Lanceer, laat {'beide' if one else 'alle'} open", action_data("confirm_launch", wave=wave.id)),
            submit("Annuleer", action_data("cancel_launch", wave=wave.id)),
        ],
    )


def invitation_card(
    q: Questionnaire, wave: Wave, for_whom: str, reminder: bool, *, asked_by: str | None = None
) -> dict:
    """The invitation (or reminder) to answer `q` for `for_whom`: a centre, or a school; in a schools'
    wave `asked_by` is the school's CLB, which asks."""
    title = "Herinnering: je antwoord wacht nog" if reminder else "Je bent uitgenodigd"
    if q.respondents == "schools":
        about = [
            text(
                f"{safe_text(asked_by or 'Je CLB')} vraagt hoe {safe_text(for_whom)} de samenwerking met het CLB "
                "ervaart."
            ),
            text(
                f"Eén antwoord per school. Het CLB ziet alleen tellingen over minstens {MIN_SCHOOLS} scholen, "
                "na het sluiten; POC+ ziet de antwoorden per school, zonder naam. *mijn gegevens* zegt meer.",
                size="Small",
                isSubtle=True,
            ),
        ]
    else:
        about = [text(f"**{safe_text(q.title)}** — {safe_text(wave.name)} voor {safe_text(for_whom)}.")]
    return card(
        [
            heading(title),
            *about,
            text(
                f"{wave.until_text()} Het duurt ongeveer {q.estimated_minutes} minuten; "
                "elk antwoord wordt meteen bewaard, je kan pauzeren en later verdergaan."
            ),
        ],
        [submit("Start of ga verder", action_data("start", wave=wave.id), style="positive")],
    )


def remind_confirm_card(wave: Wave, people: int, schools: int | None = None) -> dict:
    """Confirm a reminder to `people`; in a schools' wave they are the contacts of `schools` schools."""
    if schools is None:
        who = "persoon die nog niet verzond" if people == 1 else "personen die nog niet verzonden"
        title = f"Herinner {people} {who}?"
        said = (
            f"Ronde ‘{safe_text(wave.name)}’, {wave.deadline_text()}. Wie al verzond, krijgt niets; "
            "jij krijgt een rapport in je persoonlijke chat zodra de herinneringen verstuurd zijn."
        )
    else:
        title = f"Herinner {count(schools, 'school die', 'scholen die')} nog niet {'verzond' if schools == 1 else 'verzonden'}?"
        said = (
            f"Ronde ‘{safe_text(wave.name)}’, {wave.deadline_text()}. "
            f"{'Haar' if schools == 1 else 'Hun'} {count(people, 'contactpersoon krijgt', 'contactpersonen krijgen')} "
            "een herinnering. Jij krijgt een rapport in je persoonlijke chat zodra ze verstuurd zijn."
        )
    return card(
        [
            heading(title, size="Medium"),
            text(said),
        ],
        [
            submit("Herinner ze", action_data("confirm_remind", wave=wave.id), style="positive"),
            submit("Annuleer", action_data("cancel_remind", wave=wave.id)),
        ],
    )


def send_report_card(wave: Wave, report: SendReport) -> dict:
    launch = report.kind == "launch"
    done = "uitgenodigd" if launch else "herinnerd"
    body = [
        heading(f"{'Lancering' if launch else 'Herinnering'}: {safe_text(wave.name)}", size="Medium"),
        subtle("Rapport van de uitnodigingen" if launch else "Rapport van de herinneringen"),
        facts(
            [
                (done.capitalize(), f"{report.sent} van {count(report.total, 'persoon', 'personen')}"),
                *([("Nog onderweg", str(report.pending))] if report.pending else []),
                ("Niet bereikt", str(report.failed)),
            ]
        ),
    ]
    if not report.failed and not report.pending:
        body.append(text(f"✔ Iedereen is {done}.", color="Good"))
    for group in report.not_reached:
        shown = group.names[:NAMES_PER_REASON]
        more = len(group.names) - len(shown)
        body += [
            text(
                f"**{safe_text(group.title[:1].upper() + group.title[1:])}** "
                f"({count(len(group.names), 'persoon', 'personen')})",
                spacing="Medium",
            ),
            text(safe_text(", ".join(shown)) + (f" en {more} anderen" if more else ""), size="Small", spacing="None"),
            text(f"Wat je kan doen: {safe_text(group.advice)}", size="Small", isSubtle=True, spacing="None"),
        ]
    if report.left_registry:
        body.append(
            text(
                f"{count(report.left_registry, 'persoon staat', 'personen staan')} niet meer in het "
                "register en kreeg niets; daar hoef je niets aan te doen.",
                size="Small",
                spacing="Medium",
            )
        )
    return card(body)


def _states(schools: bool) -> tuple[tuple[str, str, str | None], ...]:
    """The states with their colours; a school has "verzonden" where a person is "klaar"."""
    return (("verzonden", *STATE_COLOURS[0][1:]), *STATE_COLOURS[1:]) if schools else STATE_COLOURS


def _legend(schools: bool) -> dict:
    return {
        "type": "RichTextBlock",
        "spacing": "Small",
        "inlines": [
            run
            for label, _, colour in _states(schools)
            for run in (_square(colour), {"type": "TextRun", "text": f"{label}   ", "size": "Small"})
        ],
    }


def _square(colour: str | None) -> dict:
    # The chart's "neutral" is grey: a subtle default run, the closest a TextRun comes to it.
    return {"type": "TextRun", "text": "■ ", "size": "Medium", **({"color": colour} if colour else {"isSubtle": True})}


def _invited_text(wave: Wave, counts: WaveCounts) -> str:
    if counts.invited is None:
        if wave.created_by == "poolster":
            return "Deze ronde ging vanzelf open bij de start van Poolster: er zijn geen uitnodigingen verstuurd."
        return "Er zijn (nog) geen uitnodigingen verstuurd."
    if counts.respondents == "schools":
        whom = count(counts.invitees, "contactpersoon", "contactpersonen") + " van de scholen"
    else:
        whom = count(counts.people, "persoon", "personen")
    text_ = f"Uitgenodigd in Teams: {counts.invited} van {whom}."
    if counts.invited < counts.invitees:
        text_ += " Wie (nog) niet bereikt werd en waarom, staat in het rapport van de lancering."
    return text_


_CENTRE_ANSWER = {"submitted": "verzonden", "started": "bezig", "none": "nog niet begonnen"}


def _centre_table(rows: list, schools: bool) -> dict:
    """Per centre the respondents in each state; the centre's answer under its name (a team wave), so
    four columns fit a phone."""

    def cell(*items: dict) -> dict:
        return {"type": "TableCell", "items": list(items)}

    def centre_answer(row) -> list[dict]:
        return (
            []
            if schools
            else [
                text(
                    f"centrumantwoord: {_CENTRE_ANSWER[row.centre_answer]}", size="Small", isSubtle=True, spacing="None"
                )
            ]
        )

    header = ["Centrum", "Verzonden" if schools else "Klaar", "Bezig", "Niet gestart"]
    return {
        "type": "Table",
        "firstRowAsHeaders": True,
        "gridStyle": "accent",
        "columns": [{"width": w} for w in ((3, 3, 2, 3) if schools else (4, 2, 2, 3))],
        "rows": [
            {"type": "TableRow", "cells": [cell(text(title, size="Small")) for title in header]},
            *[
                {
                    "type": "TableRow",
                    "cells": [
                        cell(text(safe_text(r.name), size="Small"), *centre_answer(r)),
                        *[
                            cell(text(str(n), size="Small"))
                            for n in (r.finished, r.started - r.finished, r.people - r.started)
                        ],
                    ],
                }
                for r in rows
            ],
        ],
    }


def status_card(wave: Wave, q: Questionnaire, rows: list, counts: WaveCounts) -> dict:
    schools = counts.respondents == "schools"
    if schools:
        progress = [
            text(
                f"**{counts.finished} van {_respondents(counts)} verzonden**, {counts.busy} bezig, "
                f"{counts.not_started} nog niet begonnen."
            )
        ]
    else:
        progress = [
            text(
                f"**{counts.finished} van {count(counts.people, 'persoon', 'personen')} klaar**, "
                f"{counts.busy} bezig, {counts.not_started} nog niet gestart."
            ),
            text(
                f"Centrumantwoorden: {counts.centre_answers_submitted} van {counts.centres} verzonden"
                + (
                    f", {counts.centre_answers_started - counts.centre_answers_submitted} bezig."
                    if counts.centre_answers_started > counts.centre_answers_submitted
                    else "."
                ),
                spacing="None",
            ),
        ]
    body = [
        heading(f"Status: {safe_text(wave.name)}"),
        subtle(
            f"{safe_text(q.title)} · {'open' if wave.status == 'open' else 'gesloten'} · {wave.deadline_text()} · "
            f"{count(counts.centres, 'centrum', 'centra')}"
        ),
        *progress,
        subtle(_invited_text(wave, counts)),
        chart(
            "Chart.HorizontalBar.Stacked",
            "Scholen per centrum" if schools else "Personen per centrum",
            [
                {
                    "title": row.name[:30],
                    "data": [
                        {"legend": label, "value": value, "color": colour}
                        for (label, colour, _), value in zip(
                            _states(schools),
                            (row.finished, row.started - row.finished, row.people - row.started),
                            strict=False,
                        )
                    ],
                }
                for row in rows
            ],
            text(
                "(De grafiek kan hier niet getoond worden; de tabel hieronder heeft dezelfde cijfers.)",
                size="Small",
                isSubtle=True,
            ),
        ),
        _legend(schools),
        text(f"**Per centrum** (aantal {'scholen' if schools else 'personen'})", spacing="Medium"),
        _centre_table(rows, schools),
    ]
    return card(body, full_width=True)


def waves_card(entries: list[tuple[Wave, WaveCounts, str]], now: datetime) -> dict:
    """Every launched wave, newest first: (wave, how far, its questionnaire's title)."""
    body = [heading("Rondes")]
    if not entries:
        body.append(text("Er is nog geen ronde. Start er een met *nieuwe ronde*; typ *help* voor de schrijfwijze."))
        return card(body)
    for wave, counts, title in reversed(entries):
        state = "open" if wave.accepts_answers(now) else "gesloten"
        if counts.respondents == "schools":
            progress = (
                f"{counts.finished} van {_respondents(counts)} verzonden, {counts.busy} bezig, "
                f"{counts.not_started} nog niet begonnen."
            )
        else:
            progress = (
                f"{counts.finished} van {count(counts.people, 'persoon', 'personen')} klaar, {counts.busy} "
                f"bezig, {counts.not_started} nog niet gestart; centrumantwoorden: "
                f"{counts.centre_answers_submitted} van {counts.centres} verzonden."
            )
        body += [
            text(f"**{safe_text(wave.name)}** · {state}", spacing="Medium", separator=True),
            subtle(f"{safe_text(title)} · {wave.deadline_text()} · {count(counts.centres, 'centrum', 'centra')}"),
            text(progress, size="Small", spacing="None"),
        ]
    newest = safe_text(entries[-1][0].name)
    body.append(
        text(
            f"Typ *status [naam]* of *resultaten [naam]* voor één ronde. Zonder naam gaat een commando over "
            f"de nieuwste ronde, ‘{newest}’; *herinner* en *sluit ronde* over de nieuwste open ronde.",
            size="Small",
            isSubtle=True,
            spacing="Medium",
        )
    )
    return card(body)


def results_card(
    q: Questionnaire,
    wave: Wave,
    centres: int,
    levels: list[tuple[Question, Scale, dict[str, Counter]]],
    choices: list[tuple[Question, Counter]],
) -> dict:
    """A team wave's network picture: per level question the centres per level and unit, and the
    final ordered choices most often made."""
    body = [
        heading(f"Resultaten: {safe_text(wave.name)}"),
        subtle(f"{safe_text(q.title)} · {count(centres, 'centrum verzond', 'centra verzonden')} een centrumantwoord"),
    ]
    if not centres:
        body.append(
            text(
                f"Nog geen centrumantwoorden: zodra een directeur het antwoord van het centrum verzendt, "
                f"zie je hier per {q.words.unit} hoeveel centra waar staan."
            )
        )
        return card(body, full_width=True)
    for question, scale, counts in levels:
        title = (
            f"{question.short_label}: aantal centra per {scale.name}"
            if question.summary == "level"
            else f"{question.short_label}: het {scale.name} waar de centra naartoe willen (aantal centra)"
        )
        body.append(text(f"**{title}**", spacing="Large", separator=True))
        # Stacked bars count whole centres and draw no value axis, so no fractions can appear.
        body.append(
            chart(
                "Chart.HorizontalBar.Stacked",
                title,
                [
                    {
                        "title": _bar_title(f"{u.number}. {u.title}"),
                        "data": [{"legend": level.label, "value": counts[u.id][level.id]} for level in scale.levels],
                    }
                    for u in q.units
                ],
                # Where charts are not drawn (Teams on iOS, phones): the same counts in words, which wrap.
                facts(
                    [
                        (
                            f"{u.number}. {safe_text(u.title)}",
                            " · ".join(
                                f"{lv.label}: {counts[u.id][lv.id]}" for lv in scale.levels if counts[u.id][lv.id]
                            )
                            or "–",
                        )
                        for u in q.units
                    ]
                ),
                colorSet="sequential",
            )
        )
    for n, (question, counter) in enumerate(choices):
        body.append(
            text(
                f"**{safe_text(question.short_label)}** (aantal centra)",
                spacing="Large" if not n else "Medium",
                separator=not n,
            )
        )
        body.append(
            facts(
                [(str(times), safe_text(_unit_title(q, unit_id))) for unit_id, times in counter.most_common(5)]
                or [("–", "nog geen")]
            )
        )
    return card(body, full_width=True)


def _unit_title(q: Questionnaire, unit_id: str) -> str:
    unit = q.unit(unit_id)
    return unit.title if unit else unit_id


def _share(value: int | None) -> str:
    return "–" if value is None else f"{value}%"


def schools_results_card(wave: Wave, view: SchoolsView, per_centre: list[tuple[str, int, int]]) -> dict:
    """A schools' wave's network picture: per statement the share that agrees, overall and per school
    type shown (a type with fewer than MIN_SCHOOLS answering schools only inside the total); per CLB
    only how many schools answered."""
    q = view.questionnaire
    body = [
        heading(f"Resultaten: {safe_text(wave.name)}"),
        subtle(
            f"{safe_text(q.title)} · {view.answered} van {count(view.invited, 'school', 'scholen')} "
            f"{'verzond' if view.answered == 1 else 'verzonden'}"
        ),
    ]
    if not view.final:
        body.append(text(waiting_text(wave)))
    elif not view.enough:
        body.append(
            text(
                f"Nog te weinig antwoorden om iets te tonen: de resultaten per stelling verschijnen alleen als "
                f"minstens {MIN_SCHOOLS} scholen verzonden, geteld over alle scholen samen."
            )
        )
    else:
        body.append(
            facts(
                [
                    (SCHOOL_TYPE_LABELS[t].capitalize(), f"{n} {'school' if n == 1 else 'scholen'}")
                    for t, n in view.answered_by_type.items()
                    if n
                ]
            )
        )
        body += [subtle(line) for line in type_lines(view)]
        shown = view.shown_types
        body.append(
            text(
                "**Deel dat akkoord gaat, per stelling"
                + (f" (zonder ‘{na.label.lower()}’)" if (na := view.scale.not_applicable) else "")
                + "**",
                spacing="Large",
                separator=True,
            )
        )
        body.append(subtle(share_note(view.scale)))
        body.append(
            facts(
                [
                    (
                        f"{s.statement.number}. {safe_text(s.statement.short_label)}",
                        " · ".join(
                            [
                                f"alle scholen: {_share(s.share)}",
                                *[f"{SCHOOL_TYPE_LABELS[t]}: {_share(s.share_by_type[t])}" for t in shown],
                            ]
                        ),
                    )
                    for s in view.statements
                ]
            )
        )
        for title, items in (("Meeste akkoord", view.most_agreed()), ("Minste akkoord", view.least_agreed())):
            body.append(text(f"**{title}**", spacing="Medium"))
            body.append(
                facts([(_share(s.share), f"{s.statement.number}. {safe_text(s.statement.short_label)}") for s in items])
            )
        differences = view.differences()[:5]
        if differences:
            body.append(text("**Grootste verschillen tussen soorten scholen**", spacing="Medium"))
            body.append(
                facts(
                    [
                        (
                            f"{s.spread} procentpunten verschil",
                            f"{s.statement.number}. {safe_text(s.statement.short_label)} ("
                            + ", ".join(f"{SCHOOL_TYPE_LABELS[t]} {_share(v)}" for t, v in s.share_by_type.items())
                            + ")",
                        )
                        for s in differences
                    ]
                )
            )
        comments = sum(len(texts) for _, texts in view.comments)
        if comments:
            body.append(
                text(
                    f"{count(comments, 'opmerking', 'opmerkingen')} van de scholen: in de export "
                    "(*export*), zonder naam van de school.",
                    size="Small",
                    isSubtle=True,
                    spacing="Medium",
                )
            )
    body.append(text("**Per centrum** (scholen die verzonden)", spacing="Large", separator=True))
    body.append(facts([(safe_text(name), f"{answered} van {schools}") for name, answered, schools in per_centre]))
    return card(body, full_width=True)


def _bar_title(title: str, limit: int = 38) -> str:
    """A bar's title that fits beside its value: cut at a word, with an ellipsis."""
    if len(title) <= limit:
        return title
    return title[: title.rfind(" ", 0, limit)].rstrip(",;:") + " …"


def export_card(
    wave: Wave,
    links: dict[str, str],
    centre_answers: int,
    members: int,
    everything: bool = False,
    schools: int | None = None,
) -> dict:
    """The download links; `schools` is given for a schools' wave (its answers are the schools')."""
    if schools is not None:
        scope = (
            "Alle antwoorden, ook die nog niet verzonden zijn (‘Verzonden’ is dan nee)."
            if everything
            else "Enkel verzonden antwoorden. Typ *export alles* om ook de onvolledige mee te nemen."
        )
        held = (
            f"**Erin:** de antwoorden van {count(schools, 'school', 'scholen')}, één rij per school met haar "
            "centrum en schooltype, zonder naam van de school."
        )
    else:
        scope = (
            "Alle antwoorden, ook die nog niet verzonden zijn (‘Verzonden op’ is dan leeg)."
            if everything
            else "Enkel verzonden antwoorden. Typ *export alles* om ook de onvolledige mee te nemen."
        )
        held = (
            f"**Erin:** {count(centre_answers, 'centrumantwoord', 'centrumantwoorden')} en de antwoorden van "
            f"{count(members, 'lid', 'leden')}."
        )
    if not centre_answers and not members and not schools:
        held = (
            f"**Er is nog niets {'ingevuld' if everything else 'verzonden'}:** de bestanden hebben enkel de "
            "kolomkoppen."
        )
    return card(
        [
            heading(f"Export: {safe_text(wave.name)}"),
            text(held),
            text(scope),
            text("Het blad ‘Uitleg’ zegt wat elke kolom betekent."),
            subtle("De links werken 15 minuten en enkel voor deze bestanden; daarna worden de bestanden gewist."),
        ],
        [{"type": "Action.OpenUrl", "title": title, "url": url} for title, url in links.items()],
    )


def card_text(message: str) -> dict:
    """A one-line card that replaces a card whose buttons may no longer be pressed."""
    return card([text(safe_text(message), weight="Bolder")])
