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

from reports.charts import agreement_chart, centre_chart, distribution_chart, level_colours
from survey.answers import Response
from survey.questionnaire import Question, Questionnaire, Scale
from survey.registry import SCHOOL_TYPE_LABELS, Centre
from survey.school_view import MIN_SCHOOLS, SchoolsView, share_note, type_lines, waiting_text
from survey.summary import TeamSummary, counts_text, current_level, intended_stadium, level_scale, situation_of
from survey.waves import TIMEZONE, Wave

NETWORK_MINIMUM = 5
TEMPLATES = Path(__file__).resolve().parent / "templates"
_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "j2"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


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
    # What the centre's schools said in the schools' survey, when one ran for the centre, and its wave.
    schools: SchoolsView | None = None
    schools_wave: Wave | None = None


def file_name(wave: Wave, centre: Centre) -> str:
    return f"rapport-{wave.id}-{centre.id}.pdf"


def _local(moment: datetime, with_time: bool = True) -> str:
    return moment.astimezone(TIMEZONE).strftime("%d-%m-%Y om %H:%M" if with_time else "%d-%m-%Y")


def _labels(question: Question, response: Response, unit_id: str) -> list[str]:
    answer = response.answer(unit_id, question.id)
    if answer is None:
        return []
    if question.type == "free_text":
        return [answer.text] if answer.text else []
    labels = []
    for choice in answer.choices:
        option = question.option(choice)
        label = option.label.rstrip(":") if option else choice
        labels.append(f"{label}: {answer.other_text}" if option and option.needs_text and answer.other_text else label)
    return labels


def _movement(scale: Scale, before: str | None, now: str | None) -> str:
    if before is None or now is None:
        return ""
    step = scale.rank(now) - scale.rank(before)
    if step == 0:
        return "gelijk"
    return f"{'+' if step > 0 else '−'}{abs(step)} {'stap' if abs(step) == 1 else 'stappen'}"


def _unit_view(q: Questionnaire, scale: Scale | None, data: ReportInput, index: int) -> dict:
    unit = q.units[index]
    answer = data.centre_answer
    team = data.team.units[index]
    rows = []
    # Every question besides where the centre stands and wants to go (those head the unit).
    for question in q.questions:
        if question.summary in ("level", "target_level"):
            continue
        given = answer.answer(unit.id, question.id)
        rows.append(
            {
                "label": question.short_label,
                "choices": _labels(question, answer, unit.id),
                "explanation": given.explanation if given else "",
            }
        )
    team_lines = []
    if team.members and scale is not None:
        team_lines.append(f"{len(team.members)} van {len(data.team.members)} teamleden antwoordden.")
        team_lines.append(f"Vandaag: {counts_text(scale, team.current_counts)}.")
        team_lines.append(f"Gewenst: {counts_text(scale, team.intended_counts)}.")
        if team.far_apart:
            team_lines.append(f"De teamleden liepen ver uiteen: {team.range_text(q)}.")
    for counts in (*team.tallies, *(b.counts for b in team.breakdowns)):
        question = counts.question
        if counts.respondents and counts.counts:
            team_lines.append(
                f"{question.short_label}: "
                + "; ".join(f"{question.short_option(o)}: {n} van {counts.respondents}" for o, n in counts.ranked())
            )
    current = current_level(q, answer, unit.id)
    intended = intended_stadium(q, answer, unit.id)
    return {
        "number": unit.number,
        "title": unit.title,
        "cluster": q.cluster_of(unit.id).title,
        "today": scale.level(current).label if scale and current else "–",
        "intended": scale.level(intended).label if scale and intended else "–",
        "keep": current is not None and current == intended,
        "rows": rows,
        "team": team_lines,
    }


def _network_view(q: Questionnaire, scale: Scale, data: ReportInput) -> dict | None:
    submitted = [r for r in data.network if r.is_submitted]
    if len(submitted) < NETWORK_MINIMUM:
        return None
    rows = []
    for unit in q.units:
        counts = {s: 0 for s in scale.level_ids}
        for response in submitted:
            if level := current_level(q, response, unit.id):
                counts[level] += 1
        own = current_level(q, data.centre_answer, unit.id)
        rows.append(
            {
                "title": f"{unit.number}. {unit.short_title}",
                "cells": [{"count": counts[s], "own": s == own} for s in scale.level_ids],
            }
        )
    return {"centres": len(submitted), "rows": rows}


def _final_view(q: Questionnaire, answer: Response) -> list[dict]:
    """The centre's final answers: ordered choices as lists of units, choices and texts as they are."""
    views = []
    for question in q.final.questions:
        given = answer.final_answer(question.id)
        if question.type == "ordered_choice":
            items = [q.unit(u).title for u in (given.choices if given else ()) if q.unit(u)]
            none = question.none_label if given and given.declined else ""
        else:
            items = (
                []
                if given is None
                else [given.text]
                if given.text
                else [question.short_option(c) for c in given.choices]
            )
            none = ""
        views.append(
            {"title": question.short_label, "ordered": question.summary == "ranking", "entries": items, "none": none}
        )
    return views


def _schools_view(q: Questionnaire, data: ReportInput) -> dict | None:
    """The schools beside the self-scan: the centre's levels next to the statements schools agree with
    most and least, per shown school type, and the statements' chart; never a school's answers."""
    view = data.schools
    if view is None:
        return None
    answer = data.centre_answer

    def statement(s) -> dict:
        return {
            "label": f"{s.statement.number}. {s.statement.short_label}",
            "share": "–" if s.share is None else f"{s.share}%",
            "types": ["–" if s.share_by_type.get(t) is None else f"{s.share_by_type[t]}%" for t in view.shown_types],
        }

    return {
        "title": view.questionnaire.title,
        "answered": view.answered,
        "invited": view.invited,
        "minimum": MIN_SCHOOLS,
        "visible": view.visible,
        "waiting": None if view.final else waiting_text(data.schools_wave or data.wave),
        "types": type_lines(view) if view.visible else [],
        "type_labels": [SCHOOL_TYPE_LABELS[t] for t in view.shown_types],
        "centre": [{"title": f"{u.number}. {u.short_title}", "today": situation_of(q, answer, u.id)} for u in q.units],
        "most": [statement(s) for s in view.most_agreed(5)],
        "least": [statement(s) for s in view.least_agreed(5)],
        "differences": [statement(s) for s in view.differences()],
        "statements": [statement(s) for s in view.statements],
        "chart": agreement_chart(view) if view.visible else None,
        "comments": [{"about": about, "texts": list(texts)} for about, texts in view.comments],
        "unit_word": view.questionnaire.words.unit,
        "share_note": share_note(view.scale),
    }


def report_context(data: ReportInput) -> dict:
    """Everything the template shows, computed here so the template only lays it out."""
    q = data.questionnaire
    scale = level_scale(q)
    assert scale is not None  # the centre's report is of a questionnaire that places units on a scale
    answer = data.centre_answer
    today = [current_level(q, answer, u.id) for u in q.units]
    intended = [intended_stadium(q, answer, u.id) for u in q.units]
    answered_members = any(u.members for u in data.team.units)
    movement = None
    if data.previous_answer is not None and data.previous_wave is not None:
        movement = {
            "wave": data.previous_wave.name,
            "rows": [
                {
                    "title": f"{u.number}. {u.short_title}",
                    "before": situation_of(q, data.previous_answer, u.id),
                    "now": situation_of(q, answer, u.id),
                    "change": _movement(scale, current_level(q, data.previous_answer, u.id), today[i]),
                }
                for i, u in enumerate(q.units)
            ],
        }
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
        "about": q.intro.not_a_judgement,
        "scale_name": scale.name,
        "unit_word": q.words.unit,
        "units_word": q.words.units,
        "stadia": [
            {"label": level.label, "phase": level.phase or "", "colour": c}
            for level, c in zip(scale.levels, level_colours(scale), strict=False)
        ],
        "overview": [{"title": f"{u.number}. {u.title}", "today": situation_of(q, answer, u.id)} for u in q.units],
        "centre_chart": centre_chart(q, scale, today, intended),
        "team_chart": distribution_chart(q, scale, [u.current_counts for u in data.team.units], "teamleden")
        if answered_members
        else None,
        "team_intended_chart": distribution_chart(q, scale, [u.intended_counts for u in data.team.units], "teamleden")
        if answered_members
        else None,
        "bouwstenen": [_unit_view(q, scale, data, i) for i in range(len(q.units))],
        "final_title": q.final.title,
        "final": _final_view(q, answer),
        "movement": movement,
        "network": _network_view(q, scale, data),
        "network_minimum": NETWORK_MINIMUM,
        "schools": _schools_view(q, data),
    }


def render_html(data: ReportInput) -> str:
    return _environment.get_template("report.html.j2").render(**report_context(data))


def render_pdf(data: ReportInput) -> bytes:
    # Imported here: WeasyPrint loads pango at import, which only the report needs.
    from weasyprint import HTML

    return HTML(string=render_html(data), base_url=str(TEMPLATES)).write_pdf()
