"""Cards for POC+: launching a wave, its status, the network picture, exports; and the invitations."""

from __future__ import annotations

from collections import Counter

from cards.common import card, chart, facts, heading, safe_text, submit, subtle, table, text
from dialogs.payloads import action_data
from survey.questionnaire import STADIUM_IDS, Questionnaire
from survey.waves import Wave


def launch_card(wave: Wave, centres: list[str], people: int) -> dict:
    return card([
        heading(f"Nieuwe ronde: {safe_text(wave.name)}"),
        text(wave.until_text()),
        text(f"Wordt uitgenodigd: **{people} personen** uit {len(centres)} centra: "
             + safe_text(", ".join(centres))),
        subtle("Na het lanceren krijgt iedereen een uitnodiging in Teams; jij krijgt een rapport."),
    ], [
        submit("Lanceer de ronde", action_data("confirm_launch", wave=wave.id), style="positive"),
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


def launch_report_card(wave: Wave, report: dict) -> dict:
    rows = [("Uitgenodigd", str(report["sent"])), ("Mislukt", str(report["failed"])),
            ("Nog bezig", str(report["pending"]))]
    rows += [(f"• {safe_text(reason)}", str(n)) for reason, n in report["reasons"].items()]
    return card([heading(f"Lancering van {safe_text(wave.name)}"), facts(rows)])


def status_card(wave: Wave, rows: list[dict]) -> dict:
    totals = {key: sum(row[key] for row in rows) for key in ("members", "invited", "started", "finished")}
    submitted = sum(1 for row in rows if row["centre_submitted"])
    body = [
        heading(f"Status: {safe_text(wave.name)}"),
        subtle(f"{wave.status} · {wave.deadline_text()}"),
        text(f"Netwerk: **{totals['finished']} van {totals['members']}** personen klaar, {totals['started']} gestart, "
             f"{totals['invited']} uitgenodigd; {submitted} van {len(rows)} centra verzonden hun centrumantwoord."),
        chart("Chart.HorizontalBar.Stacked", "Voortgang per centrum",
              [{"title": row["name"][:30], "data": [
                  {"legend": "klaar", "value": row["finished"]},
                  {"legend": "bezig", "value": row["started"] - row["finished"]},
                  {"legend": "nog niet gestart", "value": row["members"] - row["started"]}]} for row in rows],
              table(["Centrum", "Klaar", "Bezig", "Niet gestart"],
                    [[safe_text(r["name"]), str(r["finished"]), str(r["started"] - r["finished"]),
                      str(r["members"] - r["started"])] for r in rows], [3, 1, 1, 1])),
        # Narrow number columns still fit their header on a phone ("Gestart" broke as "Gestar-t").
        table(["Centrum", "Uitgen.", "Gestart", "Klaar", "Antw."],
              [[safe_text(r["name"]), str(r["invited"]), str(r["started"]), str(r["finished"]),
                "✔" if r["centre_submitted"] else "–"] for r in rows], [2, 1, 1, 1, 1]),
    ]
    return card(body, full_width=True)


def results_card(q: Questionnaire, wave: Wave, current: dict[str, Counter], intended: dict[str, Counter],
                 centres: int, priorities: Counter, inspiring: Counter) -> dict:
    numbers = [str(b.number) for b in q.bouwstenen]
    body = [heading(f"Resultaten: {safe_text(wave.name)}"),
            subtle(f"{centres} centra verzonden een centrumantwoord")]
    for title, counts in (("Vandaag", current), ("Gewenst", intended)):
        body.append(chart(
            "Chart.VerticalBar.Grouped", f"{title}: aantal centra per stadium",
            [{"legend": q.stadium(s).label, "values": [{"x": n, "y": counts[b.id][s]} for n, b in zip(numbers, q.bouwstenen)]}
             for s in STADIUM_IDS],
            table(["Bouwsteen", *[q.stadium(s).label[:5] for s in STADIUM_IDS]],
                  [[f"{b.number}. {safe_text(b.title)}", *[str(counts[b.id][s]) for s in STADIUM_IDS]]
                   for b in q.bouwstenen], [4, 1, 1, 1, 1]),
        ))
    body.append(text("**Meest gekozen prioriteiten**", spacing="Medium"))
    body.append(facts([(str(n), safe_text(q.bouwsteen(b).title)) for b, n in priorities.most_common(5)]
                      or [("–", "nog geen")]))
    body.append(text("**Inspirerende praktijken**"))
    body.append(facts([(str(n), safe_text(q.bouwsteen(b).title)) for b, n in inspiring.most_common(5)]
                      or [("–", "nog geen")]))
    return card(body, full_width=True)


def export_card(wave: Wave, links: dict[str, str], everything: bool = False) -> dict:
    scope = ("Alle antwoorden, ook die nog niet verzonden zijn (‘Verzonden op’ is dan leeg)." if everything else
             "Enkel verzonden antwoorden. Typ *export alles* om ook de onvolledige mee te nemen.")
    return card([
        heading(f"Export: {safe_text(wave.name)}"),
        text(scope),
        text("Het blad ‘Uitleg’ zegt wat elke kolom betekent."),
        subtle("De links werken 15 minuten en enkel voor deze bestanden; daarna worden de bestanden gewist."),
    ], [{"type": "Action.OpenUrl", "title": title, "url": url} for title, url in links.items()])


def card_text(message: str) -> dict:
    """A one-line card that replaces a card whose buttons may no longer be pressed."""
    return card([text(safe_text(message), weight="Bolder")])
