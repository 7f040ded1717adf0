"""Cards for directors: the team's live summary with the data chart, and the team view that
accompanies each question while the director records the centre's answer."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from cards.common import card, safe_text
from dialogs.payloads import action_data
from survey import progress as flow
from survey.answers import PAGES, Response
from survey.consolidation import Proposal
from survey.questionnaire import STADIUM_IDS, Questionnaire
from survey.registry import Centre
from survey.summary import TeamSummary, intended_stadium
from survey.waves import TIMEZONE, Wave

STADIUM_SHORT = {"fragmentair": "F", "planmatig": "P", "geintegreerd": "G", "systematisch": "S"}


def _text(text: str, **style) -> dict:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _local(moment: datetime) -> str:
    return moment.astimezone(TIMEZONE).strftime("%d-%m-%Y %H:%M")


def _counts_line(counts: dict[str, int]) -> str:
    return " · ".join(f"{STADIUM_SHORT[s]} {counts[s]}" for s in STADIUM_IDS)


def _top(q: Questionnaire, question_id: str, counter: Counter, limit: int = 3) -> list[dict]:
    question = q.question(question_id)
    return [{"title": str(n), "value": safe_text(question.option(option).label)} for option, n in counter.most_common(limit)]


def _chart(q: Questionnaire, series: list[tuple[str, list[float | None]]], title: str) -> dict:
    """Grouped bars per bouwsteen (1 = fragmentair … 4 = systematisch), a table where charts don't draw."""
    numbers = [str(b.number) for b in q.bouwstenen]
    table = {
        "type": "Table",
        "firstRowAsHeaders": True,
        "gridStyle": "accent",
        "columns": [{"width": 3}, *[{"width": 1} for _ in series]],
        "rows": [
            {"type": "TableRow", "cells": [_cell("Bouwsteen"), *[_cell(name) for name, _ in series]]},
            *[
                {"type": "TableRow", "cells": [_cell(f"{b.number}. {b.title}"),
                                               *[_cell(_number(values[i])) for _, values in series]]}
                for i, b in enumerate(q.bouwstenen)
            ],
        ],
    }
    return {
        "type": "Chart.VerticalBar.Grouped",
        "title": title,
        "xAxisTitle": "Bouwsteen",
        "yAxisTitle": "Stadium (1 = fragmentair … 4 = systematisch)",
        "data": [
            {"legend": name, "values": [{"x": numbers[i], "y": round(v or 0, 2)} for i, v in enumerate(values)]}
            for name, values in series
        ],
        "fallback": table,
    }


def _cell(text: str) -> dict:
    return {"type": "TableCell", "items": [_text(text, size="Small")]}


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}".replace(".", ",")


def _stadium_ranks(q: Questionnaire, response: Response) -> tuple[list[float | None], list[float | None]]:
    current, intended = [], []
    for b in q.bouwstenen:
        now = response.choice(b.id, "current_stadium")
        goal = intended_stadium(q, response, b.id)
        current.append(STADIUM_IDS.index(now) + 1 if now else None)
        intended.append(STADIUM_IDS.index(goal) + 1 if goal else None)
    return current, intended


def summary_card(q: Questionnaire, summary: TeamSummary, wave: Wave, *, centre_answer: Response | None,
                 previous: TeamSummary | None, previous_wave: Wave | None, now: datetime) -> dict:
    centre = summary.centre
    body: list[dict] = [
        _text(f"Teamoverzicht — {safe_text(centre.name)}", size="Large", weight="Bolder"),
        _text(f"{safe_text(wave.name)} · {wave.deadline_text()} · bijgewerkt {_local(now)}",
              isSubtle=True, spacing="None", size="Small"),
        _text(f"**{summary.finished} van {len(summary.members)}** teamleden verzonden hun antwoorden.", spacing="Medium"),
        {"type": "FactSet", "facts": [
            {"title": safe_text(m.name), "value": "✔ verzonden" if m.submitted else
             (f"{m.answered}/{m.total} bouwstenen" if m.started else "nog niet gestart")}
            for m in summary.members
        ]},
    ]

    if centre_answer is not None and centre_answer.is_submitted:
        current, intended = _stadium_ranks(q, centre_answer)
        series = [("Centrum vandaag", current), ("Centrum gewenst", intended)]
    else:
        series = [("Team vandaag", [b.average(b.current_counts) for b in summary.bouwstenen]),
                  ("Team gewenst", [b.average(b.intended_counts) for b in summary.bouwstenen])]
    if previous is not None and previous_wave is not None:
        series.append((f"Vandaag in {previous_wave.name}"[:40], [b.average(b.current_counts) for b in previous.bouwstenen]))
    body.append(_text("Huidig en gewenst stadium per bouwsteen", weight="Bolder", separator=True, spacing="Large"))
    body.append(_chart(q, series, "Huidig en gewenst stadium per bouwsteen"))

    body.append(_text("Per bouwsteen (F = fragmentair, P = planmatig, G = geïntegreerd, S = systematisch)",
                      weight="Bolder", separator=True, spacing="Large"))
    for index, item in enumerate(summary.bouwstenen):
        bouwsteen = item.bouwsteen
        warning = " · ⚠ ver uiteen" if item.spread >= 2 else ""
        detail_id = f"team-{bouwsteen.id}"
        body.append({
            "type": "ColumnSet",
            "spacing": "Small",
            "columns": [
                {"type": "Column", "width": "stretch", "items": [
                    _text(f"**{bouwsteen.number}. {safe_text(bouwsteen.title)}**", size="Small"),
                    _text(f"vandaag {_counts_line(item.current_counts)} → gewenst {_counts_line(item.intended_counts)}{warning}",
                          size="Small", isSubtle=True, spacing="None"),
                ]},
                {"type": "Column", "width": "auto", "verticalContentAlignment": "Center", "items": [
                    {"type": "ActionSet", "actions": [{"type": "Action.ToggleVisibility", "title": "Wie?",
                                                       "targetElements": [detail_id]}]},
                ]},
            ],
        })
        members = [{"title": safe_text(m.name), "value": f"{q.stadium(m.current).label} → {q.stadium(m.intended).label}"}
                   for m in item.members]
        differences = [f"{safe_text(name)}: {safe_text(', '.join(labels))}{(' — ' + safe_text(other)) if other else ''}"
                       for name, labels, other in item.differences]
        if previous is not None:
            before = previous.bouwstenen[index].average(previous.bouwstenen[index].current_counts)
            now = item.average(item.current_counts)
            if before is not None and now is not None:
                members.append({"title": "Sinds vorige ronde", "value": _movement(before, now)})
        body.append({"type": "Container", "id": detail_id, "isVisible": False, "items": [
            {"type": "FactSet", "facts": members or [{"title": "–", "value": "nog geen antwoorden"}]},
            *([_text("Verschillen tussen deelgroepen: " + "; ".join(differences), size="Small")] if differences else []),
        ]})

    body.append(_text("Meest genoemde hefbomen", weight="Bolder", separator=True, spacing="Large"))
    body.append({"type": "FactSet", "facts": _top(q, "hefbomen", summary.hefbomen) or [{"title": "–", "value": "nog geen"}]})
    body.append(_text("Meest genoemde knelpunten", weight="Bolder"))
    body.append({"type": "FactSet", "facts": _top(q, "knelpunten", summary.knelpunten) or [{"title": "–", "value": "nog geen"}]})

    if summary.priorities or summary.inspiring_practices or summary.no_inspiring_practice:
        body.append(_text("Slotvragen van het team", weight="Bolder", separator=True, spacing="Large"))
        body.append({"type": "FactSet", "facts": [
            {"title": f"{points} ptn", "value": safe_text(q.bouwsteen(b).title)} for b, points in summary.priorities.most_common(5)
        ] or [{"title": "–", "value": "nog geen prioriteiten"}]})
        inspiring = ", ".join(f"{safe_text(q.bouwsteen(b).title)} ({n})" for b, n in summary.inspiring_practices.most_common())
        if summary.no_inspiring_practice:
            inspiring = (inspiring + "; " if inspiring else "") + f"nog niet op dat punt ({summary.no_inspiring_practice})"
        body.append(_text(f"Inspirerende praktijk: {inspiring or '–'}", size="Small"))

    body.append(_text("Antwoord van het centrum", weight="Bolder", separator=True, spacing="Large"))
    actions = []
    if centre_answer is not None and centre_answer.is_submitted:
        body.append(_text(f"✔ Verzonden op {_local(centre_answer.submitted_at)}.", color="Good"))
    else:
        if centre_answer is not None and centre_answer.started_at:
            state = flow.progress(q, centre_answer)
            body.append(_text(f"Bezig: {state.answered} van {state.total} bouwstenen ingevuld."))
        else:
            body.append(_text("Nog niet ingevuld. Als je team klaar is (of wanneer jij beslist), vul je hier het "
                              "antwoord van het centrum in, vertrekkend van de meerderheid in je team."))
        actions.append({"type": "Action.Submit", "title": "Antwoord van het centrum invullen",
                        "data": action_data("centre_start", subject="centre", centre=centre.id, wave=wave.id)})
    return card(body, actions, full_width=True)


def _movement(before: float, now: float) -> str:
    if now > before + 0.05:
        return f"↑ van {_number(before)} naar {_number(now)}"
    if now < before - 0.05:
        return f"↓ van {_number(before)} naar {_number(now)}"
    return f"= {_number(now)}"


def team_view(q: Questionnaire, bouwsteen_id: str, page: str, proposals: dict[str, Proposal]) -> list[dict]:
    """What the team answered on this page, shown above the questions of the centre's answer."""
    if not proposals:
        return [_text("Nog geen teamleden beantwoordden deze bouwsteen.", isSubtle=True, size="Small")]
    items: list[dict] = [_text("Wat je team antwoordde", weight="Bolder", size="Small")]
    toggles: list[dict] = []
    for question_id in PAGES[page]:
        proposal = proposals.get(question_id)
        if proposal is None:
            continue
        question = q.question(question_id)
        counts = ", ".join(f"{question.option(o).label.rstrip(':')}: {proposal.counts[o]}"
                           for o in question.option_ids if proposal.counts[o])
        if proposal.is_tie:
            verdict = "⚖ gelijke stand tussen " + " en ".join(question.option(o).label.rstrip(":") for o in proposal.tied) \
                      + " — kies zelf"
        else:
            verdict = "voorstel: " + ", ".join(question.option(o).label.rstrip(":") for o in proposal.choices or ())
        label = question.render_text(q.bouwsteen(bouwsteen_id)).split("?")[0][:60]
        items.append(_text(f"**{safe_text(label)}…** {safe_text(counts)} ({proposal.respondents} antw.) — {safe_text(verdict)}",
                           size="Small", spacing="Small", color="Attention" if proposal.is_tie else "Default"))
        if proposal.explanations:
            toggle_id = f"explanations-{question_id}"
            toggles.append({"type": "ActionSet", "actions": [{
                "type": "Action.ToggleVisibility", "title": f"Toelichtingen ({len(proposal.explanations)})",
                "targetElements": [toggle_id]}]})
            toggles.append({"type": "Container", "id": toggle_id, "isVisible": False, "items": [
                _text(f"**{safe_text(name)}**: {safe_text(text[:400] + ('…' if len(text) > 400 else ''))}", size="Small")
                for name, text in proposal.explanations
            ]})
    return [{"type": "Container", "style": "emphasis", "items": items + toggles}]


def adopt_own_card(centre: Centre, wave: Wave) -> dict:
    return card([
        _text("Antwoord van het centrum", size="Large", weight="Bolder"),
        _text(f"Jij bent de enige van {safe_text(centre.name)} die de zelfscan invulde. Wil je jouw verzonden "
              "antwoorden gebruiken als het antwoord van het centrum? Dat is definitief."),
    ], [
        {"type": "Action.Submit", "title": "Ja, verzend mijn antwoorden als antwoord van het centrum",
         "style": "positive", "data": action_data("adopt_own", subject="centre", centre=centre.id, wave=wave.id)},
        {"type": "Action.Submit", "title": "Nee, ik vul het antwoord van het centrum apart in",
         "data": action_data("start", subject="centre", centre=centre.id, wave=wave.id)},
    ])


def adopted_card(centre: Centre) -> dict:
    return card([_text(f"✔ Verzonden als het antwoord van {safe_text(centre.name)}.", weight="Bolder", color="Good")])
