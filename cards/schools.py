"""The schools' view for a director: what the centre's schools say about working with it.

Built on survey.school_view, which decides what may be shown: nothing per statement while the
wave still accepts answers or below three answering schools, a school type on its own only where
it cannot give a school away. This card never shows more than the view holds, and never a
school's name.

Per unit (thema) each statement with the share that agrees as a bar and a percentage, the counts
per level of the scale, and the share per shown school type; above them the statements with most
and least agreement and those where school types differ. Readable at 350 px.
"""

from __future__ import annotations

import json
from datetime import datetime

from cards.common import card, heading, plural, safe_text, shorten, subtle, text, toggle_section
from survey.questionnaire import Scale
from survey.registry import SCHOOL_TYPE_LABELS, Centre
from survey.school_view import (
    MIN_SCHOOLS,
    NOTABLE_DIFFERENCE,
    SchoolsView,
    StatementView,
    share_note,
    type_lines,
    waiting_text,
)
from survey.waves import TIMEZONE, Wave

CARD_BUDGET = 39 * 1024
# How long each quoted comment may be, tried in order until the card fits (0: only how many there are).
COMMENT_LIMITS = (400, 200, 80, 0)
# How many statements "most" and "least agreement" list.
TOP = 3


def level_marks(scale: Scale) -> dict[str, str]:
    """Each level as minus or plus signs, by its distance from the middle: −−, −, +, ++ on four levels."""
    n = len(scale.levels)
    marks = {}
    for i, level in enumerate(scale.levels):
        if i < n // 2:
            marks[level.id] = "−" * (n // 2 - i)
        elif n % 2 and i == n // 2:
            marks[level.id] = "±"
        else:
            marks[level.id] = "+" * (i - (n - 1) // 2)
    return marks


def share_text(share: int | None) -> str:
    return "–" if share is None else f"{share}%"


def _small(value: str, **style) -> dict:
    return text(value, size="Small", **style)


def _bar(share: int | None) -> dict:
    """The share that agrees as a bar: a filled part and the rest, on the card's own width."""
    parts = [] if share is None else [(share, "good"), (100 - share, "emphasis")]
    columns = [
        {"type": "Column", "width": weight, "style": style, "minHeight": "8px", "spacing": "None", "items": []}
        for weight, style in parts
        if weight > 0
    ] or [{"type": "Column", "width": "stretch", "style": "emphasis", "minHeight": "8px", "items": []}]
    return {"type": "ColumnSet", "spacing": "Small", "columns": columns}


def _counts_line(view: SchoolsView, item: StatementView) -> str:
    marks = level_marks(view.scale)
    parts = [f"{marks[level]} {item.total[level]}" for level in view.scale.level_ids]
    if view.scale.not_applicable is not None and item.total[view.scale.not_applicable.id]:
        parts.append(f"n.v.t. {item.total[view.scale.not_applicable.id]}")
    return " · ".join(parts)


def _types_line(item: StatementView) -> str:
    return " · ".join(f"{SCHOOL_TYPE_LABELS[t]} {share_text(s)}" for t, s in item.share_by_type.items())


def _statement(view: SchoolsView, item: StatementView) -> list[dict]:
    statement = item.statement
    lines = [_small(_counts_line(view, item), isSubtle=True, spacing="None")]
    if item.share_by_type:
        lines.append(_small(_types_line(item), spacing="None"))
    return [
        {
            "type": "ColumnSet",
            "spacing": "Medium",
            "columns": [
                {
                    "type": "Column",
                    "width": "stretch",
                    "items": [_small(f"**{statement.number}.** {safe_text(statement.short_label)}")],
                },
                {
                    "type": "Column",
                    "width": "auto",
                    "items": [_small(f"**{share_text(item.share)}**", horizontalAlignment="Right")],
                },
            ],
        },
        _bar(item.share),
        *lines,
    ]


def _ranked(items: tuple[StatementView, ...]) -> list[dict]:
    return [
        _small(
            f"**{share_text(s.share)}** · {s.statement.number}. {safe_text(s.statement.short_label)}", spacing="None"
        )
        for s in items
    ]


def _differences(view: SchoolsView) -> list[dict]:
    if len(view.shown_types) < 2:
        return [
            _small(
                f"Dat zie je zodra minstens twee soorten scholen elk {MIN_SCHOOLS} of meer scholen tellen "
                "die antwoordden.",
                isSubtle=True,
                spacing="None",
            )
        ]
    differing = view.differences()
    if not differing:
        return [
            _small(
                f"Geen stelling waarop ze {NOTABLE_DIFFERENCE} procentpunten of meer verschillen.",
                isSubtle=True,
                spacing="None",
            )
        ]
    return [
        _small(f"{s.statement.number}. {safe_text(s.statement.short_label)}: {_types_line(s)}", spacing="None")
        for s in differing[: TOP + 2]
    ]


def _comments(view: SchoolsView, limit: int) -> list[dict]:
    count = sum(len(texts) for _, texts in view.comments)
    if not count:
        return []
    title = f"Opmerkingen van de scholen ({count})"
    if not limit:
        return [_small(f"**{title}**: je leest ze in het rapport.", spacing="Medium")]
    items = []
    for about, texts in view.comments:
        items.append(_small(f"**{safe_text(about)}**", spacing="Small"))
        items.append(
            _small("\n\n".join(f"“{safe_text(shorten(t, limit))}”" for t in texts), isSubtle=True, spacing="None")
        )
    return toggle_section("schools-comments", title, items, open_title="Verberg de opmerkingen", spacing="Small")


def schools_card(view: SchoolsView, centre: Centre, wave: Wave, now: datetime) -> dict:
    """The schools' view of one centre; comments are shortened as far as needed to fit 40 KB."""
    for limit in COMMENT_LIMITS:
        result = _schools_card(view, centre, wave, now, limit)
        if len(json.dumps(result, ensure_ascii=False).encode()) <= CARD_BUDGET:
            break
    return result


def _schools_card(view: SchoolsView, centre: Centre, wave: Wave, now: datetime, comment_limit: int) -> dict:
    q = view.questionnaire
    body: list[dict] = [
        heading(f"Wat de scholen zeggen — {safe_text(centre.name)}"),
        subtle(
            f"{safe_text(wave.name)} · {wave.deadline_text()} · bijgewerkt "
            f"{now.astimezone(TIMEZONE).strftime('%d-%m-%Y om %H:%M')}"
        ),
        text(f"**{view.answered} van {plural(view.invited, 'school', 'scholen')}** antwoordden.", spacing="Medium"),
    ]
    if not view.final:
        body.append(text(waiting_text(wave), spacing="Small"))
    elif not view.enough:
        body.append(
            text(
                f"Te weinig antwoorden: vanaf {MIN_SCHOOLS} scholen zie je hier wat ze per stelling "
                "antwoordden, geteld over alle scholen en nooit per school.",
                spacing="Small",
            )
        )
    if not view.visible:
        body.append(subtle("Typ *team* voor het overzicht van je team."))
        return card(body)
    marks = level_marks(view.scale)
    legend = ", ".join(f"{marks[level.id]} {level.label.lower()}" for level in view.scale.levels)
    body += [
        _small(
            f"Per stelling zie je alleen tellingen over minstens {MIN_SCHOOLS} scholen; de opmerkingen staan er "
            "zonder de naam van de school.",
            isSubtle=True,
            spacing="None",
        ),
        *[_small(line, spacing="Small") for line in type_lines(view)],
        text("**Waar de scholen het meest akkoord gaan**", separator=True, spacing="Large"),
        *_ranked(view.most_agreed(TOP)),
        text("**Waar ze het minst akkoord gaan**", spacing="Medium"),
        *_ranked(view.least_agreed(TOP)),
        text("**Waar soorten scholen verschillen**", spacing="Medium"),
        *_differences(view),
        text(f"**Per {q.words.unit}**", separator=True, spacing="Large"),
        _small(
            f"{share_note(view.scale)} Daaronder het aantal scholen per antwoord: {legend}.",
            isSubtle=True,
            spacing="None",
        ),
    ]
    for unit in q.units:
        items = [part for s in view.statements if s.unit.id == unit.id for part in _statement(view, s)]
        body.append(_small(f"**{unit.number}. {safe_text(unit.title)}**", spacing="Medium"))
        body += toggle_section(
            f"schools-{unit.id}",
            f"Toon de {plural(len(unit.statements), 'stelling', 'stellingen')}",
            items,
            open_title="Verberg de stellingen",
        )
    body += _comments(view, comment_limit)
    body.append(
        _small(
            "Typ *team* voor het overzicht van je team. Het rapport legt het beeld van de scholen naast de zelfscan.",
            isSubtle=True,
            spacing="Medium",
        )
    )
    return card(body, full_width=True)
