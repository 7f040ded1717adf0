"""The centre's report for one wave: from the centre's answer, the team's summary and the network's
answers to HTML (jinja2) and to an A4 PDF in Dutch (WeasyPrint).

What a member answered individually is never in the report: the team appears only as counts, so the
director can hand it to the scholengroep. The network's distribution appears only when at least
NETWORK_MINIMUM centres submitted, so that no other centre can be recognised in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from reports.charts import STADIUM_COLOURS, centre_chart, distribution_chart
from survey.answers import Response
from survey.questionnaire import STADIUM_IDS, Questionnaire
from survey.registry import Centre
from survey.summary import TeamSummary, counts_text, intended_stadium, situation_of
from survey.waves import TIMEZONE, Wave

NETWORK_MINIMUM = 5
TEMPLATES = Path(__file__).resolve().parent / "templates"
_environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                           undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


@dataclass(frozen=True)
class ReportInput:
    questionnaire: Questionnaire
    centre: Centre
    wave: Wave
    # The centre's submitted answer of this wave.
    centre_answer: Response
    team: TeamSummary
    # The centre's answer of the wave before, if there was one.
    previous_wave: Wave | None
    previous_answer: Response | None
    # Every centre's submitted answer of this wave, this centre's included.
    network: tuple[Response, ...]
    generated_at: datetime


def file_name(wave: Wave, centre: Centre) -> str:
    return f"rapport-{wave.id}-{centre.id}.pdf"


def _local(moment: datetime, with_time: bool = True) -> str:
    return moment.astimezone(TIMEZONE).strftime("%d-%m-%Y om %H:%M" if with_time else "%d-%m-%Y")


def _labels(q: Questionnaire, response: Response, bouwsteen_id: str, question_id: str) -> list[str]:
    answer = response.answer(bouwsteen_id, question_id)
    if answer is None:
        return []
    question = q.question(question_id)
    labels = []
    for choice in answer.choices:
        option = question.option(choice)
        label = option.label.rstrip(":") if option else choice
        labels.append(f"{label}: {answer.other_text}" if option and option.needs_text and answer.other_text else label)
    return labels


def _movement(before: str | None, now: str | None) -> str:
    if before is None or now is None:
        return ""
    step = STADIUM_IDS.index(now) - STADIUM_IDS.index(before)
    if step == 0:
        return "gelijk"
    return f"{'+' if step > 0 else '−'}{abs(step)} {'stadium' if abs(step) == 1 else 'stadia'}"


def _bouwsteen_view(q: Questionnaire, data: ReportInput, index: int) -> dict:
    bouwsteen = q.bouwstenen[index]
    answer = data.centre_answer
    team = data.team.bouwstenen[index]
    rows = []
    for question_id in ("deliberate_choice", "hefbomen", "knelpunten", "differences"):
        given = answer.answer(bouwsteen.id, question_id)
        rows.append({"label": q.question(question_id).short_label,
                     "choices": _labels(q, answer, bouwsteen.id, question_id),
                     "explanation": given.explanation if given else ""})
    team_lines = []
    if team.members:
        team_lines.append(f"{len(team.members)} van {len(data.team.members)} teamleden antwoordden.")
        team_lines.append(f"Vandaag: {counts_text(q, team.current_counts)}.")
        team_lines.append(f"Gewenst: {counts_text(q, team.intended_counts)}.")
        if team.far_apart:
            team_lines.append(f"De teamleden liepen ver uiteen: {team.range_text(q)}.")
        for question_id, counter, respondents in (("hefbomen", team.hefbomen, team.hefbomen_respondents),
                                                  ("knelpunten", team.knelpunten, team.knelpunten_respondents)):
            question = q.question(question_id)
            if respondents and counter:
                team_lines.append(f"{question.short_label}: " + "; ".join(
                    f"{question.short_option(o)}: {n} van {respondents}" for o, n in counter.most_common()))
    current = answer.choice(bouwsteen.id, "current_stadium")
    intended = intended_stadium(q, answer, bouwsteen.id)
    return {
        "number": bouwsteen.number,
        "title": bouwsteen.title,
        "cluster": q.cluster_of(bouwsteen.id).title,
        "today": q.stadium(current).label if current else "–",
        "intended": q.stadium(intended).label if intended else "–",
        "keep": current is not None and current == intended,
        "rows": rows,
        "team": team_lines,
    }


def _network_view(q: Questionnaire, data: ReportInput) -> dict | None:
    submitted = [r for r in data.network if r.is_submitted]
    if len(submitted) < NETWORK_MINIMUM:
        return None
    rows = []
    for bouwsteen in q.bouwstenen:
        counts = {s: 0 for s in STADIUM_IDS}
        for response in submitted:
            if stadium := response.choice(bouwsteen.id, "current_stadium"):
                counts[stadium] += 1
        own = data.centre_answer.choice(bouwsteen.id, "current_stadium")
        rows.append({"title": f"{bouwsteen.number}. {bouwsteen.short_title}",
                     "cells": [{"count": counts[s], "own": s == own} for s in STADIUM_IDS]})
    return {"centres": len(submitted), "rows": rows}


def report_context(data: ReportInput) -> dict:
    """Everything the template shows, computed here so the template only lays it out."""
    q = data.questionnaire
    answer = data.centre_answer
    closing = answer.closing
    today = [answer.choice(b.id, "current_stadium") for b in q.bouwstenen]
    intended = [intended_stadium(q, answer, b.id) for b in q.bouwstenen]
    answered_members = any(b.members for b in data.team.bouwstenen)
    movement = None
    if data.previous_answer is not None and data.previous_wave is not None:
        movement = {"wave": data.previous_wave.name, "rows": [
            {"title": f"{b.number}. {b.short_title}",
             "before": situation_of(q, data.previous_answer, b.id),
             "now": situation_of(q, answer, b.id),
             "change": _movement(data.previous_answer.choice(b.id, "current_stadium"), today[i])}
            for i, b in enumerate(q.bouwstenen)]}
    return {
        "title": q.title,
        "centre": data.centre.name,
        "scholengroep": data.centre.scholengroep,
        "wave": data.wave.name,
        "submitted": _local(answer.submitted_at),
        "director": data.centre.director.name,
        "generated": _local(data.generated_at),
        "finished": data.team.finished,
        "members": len(data.team.members),
        "stadia": [{"label": q.stadium(s).label, "phase": q.stadium(s).phase or "", "colour": c}
                   for s, c in zip(STADIUM_IDS, STADIUM_COLOURS)],
        "overview": [{"title": f"{b.number}. {b.title}", "today": situation_of(q, answer, b.id)}
                     for b in q.bouwstenen],
        "centre_chart": centre_chart(q, today, intended),
        "team_chart": distribution_chart(q, [b.current_counts for b in data.team.bouwstenen], "teamleden")
        if answered_members else None,
        "team_intended_chart": distribution_chart(q, [b.intended_counts for b in data.team.bouwstenen], "teamleden")
        if answered_members else None,
        "bouwstenen": [_bouwsteen_view(q, data, i) for i in range(len(q.bouwstenen))],
        "priorities": [q.bouwsteen(b).title for b in closing.priorities] if closing else [],
        "inspiring": [q.bouwsteen(b).title for b in closing.inspiring_practices] if closing else [],
        "no_inspiring": bool(closing and closing.no_inspiring_practice),
        "movement": movement,
        "network": _network_view(q, data),
        "network_minimum": NETWORK_MINIMUM,
    }


def render_html(data: ReportInput) -> str:
    return _environment.get_template("report.html.j2").render(**report_context(data))


def render_pdf(data: ReportInput) -> bytes:
    # Imported here: WeasyPrint loads pango at import, which only the report needs.
    from weasyprint import HTML

    return HTML(string=render_html(data), base_url=str(TEMPLATES)).write_pdf()
