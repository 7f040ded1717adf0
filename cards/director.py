"""Cards for directors and the scholengroep: the team's live summary, the team's answers above each
question of the centre's answer, the banner on every card of the centre's answer, and the cards that
bring the report.

Counts, never averages: a stadium is a kind, not a number. Texts wrap at 350 px without being cut.
"""

from __future__ import annotations

import json
from datetime import datetime

from actions.payloads import action_data
from cards.common import card, chart, heading, safe_text, subtle, text, toggle_section
from cards.respondent import WAVE_LABEL_ID
from survey import progress as flow
from survey.answers import Response
from survey.consolidation import Proposal
from survey.questionnaire import Question, Questionnaire, Scale
from survey.registry import Centre
from survey.summary import (
    Explanation,
    OptionCounts,
    TeamSummary,
    UnitSummary,
    level_scale,
    situation_of,
    situation_text,
    stadia_text,
)
from survey.waves import TIMEZONE, Wave

# Room left for the rest of the message (the activity around the card): Teams takes 40 KB in all.
CARD_BUDGET = 39 * 1024
# How much the summary card shows per unit, tried in order until the card fits: the length of
# each toelichting (at 0 only their number; they are all on the cards of the centre's answer), and
# whether each member's stadia are listed by name (a large team's card keeps only the counts).
DETAIL_LEVELS = ((300, True), (160, True), (80, True), (0, True), (0, False))
# What the toelichtingen above one page of the centre's answer may take, all together.
TEAM_VIEW_TEXT_BUDGET = 12_000


def local_time(moment: datetime) -> str:
    return moment.astimezone(TIMEZONE).strftime("%d-%m-%Y om %H:%M")


def _shorten(value: str, limit: int) -> str:
    """At most `limit` characters, cut between words."""
    if len(value) <= limit:
        return value
    cut = value.rfind(" ", 0, limit)
    return value[: cut if cut > 0 else limit].rstrip(",;:. ") + " …"


def _small(value: str, **style) -> dict:
    return text(value, size="Small", **style)


# ----- the Teamoverzicht ---------------------------------------------------------------------------


def level_letters(scale: Scale) -> dict[str, str]:
    """Each level in one letter (its initial), for the narrow fallback tables; numbers when initials clash."""
    initials = [level.label[:1].upper() for level in scale.levels]
    if len(set(initials)) < len(initials):
        initials = [str(n) for n in range(1, len(initials) + 1)]
    return dict(zip(scale.level_ids, initials, strict=False))


def level_colours(scale: Scale) -> tuple[str, ...]:
    """Light to dark as the levels grow: Teams' sequential palette, from sequential7 to sequential1."""
    last = len(scale.levels) - 1
    return tuple(f"sequential{round(7 - 6 * i / last)}" for i in range(len(scale.levels)))


def _distribution(q: Questionnaire, scale: Scale, summary: TeamSummary, attribute: str, title: str) -> dict:
    """Per unit how many members stand at each level: stacked bars, a table where charts don't draw."""
    letters = level_letters(scale)
    data = [
        {
            "title": u.unit.short_title,
            "data": [
                {"legend": level.label, "value": getattr(u, attribute)[level.id], "color": colour}
                for level, colour in zip(scale.levels, level_colours(scale), strict=False)
            ],
        }
        for u in summary.units
    ]
    legend = ", ".join(f"{letters[level.id]} = {level.label.lower()}" for level in scale.levels)
    fallback = {
        "type": "Container",
        "items": [
            _small(f"**{title}** (aantal teamleden; {legend})"),
            _count_table(
                q.words.unit.capitalize(),
                list(letters.values()),
                [
                    [safe_text(u.unit.short_title), *[str(getattr(u, attribute)[s]) for s in scale.level_ids]]
                    for u in summary.units
                ],
            ),
        ],
    }
    return chart("Chart.HorizontalBar.Stacked", title, data, fallback)


def _count_table(first: str, letters: list[str], rows: list[list[str]]) -> dict:
    """A unit and a count per level in each row; bare number cells keep eleven rows small in bytes."""

    def cell(value: str, wrap: bool) -> dict:
        block = (
            {"type": "TextBlock", "text": value, "wrap": True, "size": "Small"}
            if wrap
            else {"type": "TextBlock", "text": value}
        )
        return {"type": "TableCell", "items": [block]}

    return {
        "type": "Table",
        "firstRowAsHeaders": True,
        "gridStyle": "accent",
        "columns": [{"width": 4}, *[{"width": 1}] * len(letters)],
        "rows": [
            {"type": "TableRow", "cells": [cell(v, i == 0) for i, v in enumerate(row)]}
            for row in [[first, *letters], *rows]
        ],
    }


def _option_counts(counts: OptionCounts, unit: str) -> str:
    """ "mensen en cultuur: 3 van 4 leden; …", or the exclusive answer when nobody chose an option."""
    question = counts.question
    lines = [
        f"{safe_text(question.short_option(option))}: {n} van {counts.respondents} {unit}"
        for option, n in counts.ranked()
    ]
    if not lines:
        lines = [safe_text(question.short_option(option)) for option, _ in counts.exclusive.most_common()]
    return f"**{safe_text(question.short_label)}**: " + "; ".join(lines)


def _paragraphs(lines: list[str], **style) -> list[dict]:
    """Lines as paragraphs of one TextBlock: the same text at a fraction of the card's bytes."""
    return [_small("\n\n".join(lines), **style)] if lines else []


def _about(q: Questionnaire, explanation: Explanation) -> str:
    label = q.question(explanation.question_id).short_label
    return f"{label}, {explanation.part}" if explanation.part else label


def _unit_details(q: Questionnaire, item: UnitSummary, explanation_limit: int, names: bool) -> list[dict]:
    scale = item.scale
    members = (
        [f"{safe_text(m.name)}: {stadia_text(scale, m.current, m.intended)}" for m in item.members]
        if names and scale
        else []
    )
    counts = [_option_counts(t, "leden") for t in item.tallies if t.respondents]
    counts += [_option_counts(b.counts, "leden") for b in item.breakdowns if b.counts.counts]
    if explanation_limit:
        explanations = [
            f"**{safe_text(e.name)}** ({safe_text(_about(q, e))}): {safe_text(_shorten(e.text, explanation_limit))}"
            for e in item.explanations
        ]
    elif item.explanations:
        count = len(item.explanations)
        explanations = [
            f"{count} {'toelichting' if count == 1 else 'toelichtingen'}: je leest ze bij elke vraag "
            "van het antwoord van het centrum."
        ]
    else:
        explanations = []
    return [*_paragraphs(members, spacing="None"), *_paragraphs(counts), *_paragraphs(explanations)]


def _answered(item: UnitSummary) -> bool:
    return bool(item.members or item.explanations or any(t.respondents for t in item.tallies))


def _unit_block(
    q: Questionnaire,
    item: UnitSummary,
    previous: Response | None,
    previous_wave: Wave | None,
    explanation_limit: int,
    names: bool,
) -> list[dict]:
    unit = item.unit
    items = [
        text(f"**{unit.number}. {safe_text(unit.title)}**", size="Small"),
        _small(situation_text(item), spacing="None"),
    ]
    if item.far_apart:
        items.append(_small(f"**⚠ Ver uiteen**: {item.range_text(q)}. Bespreek dit samen.", spacing="None"))
    if previous is not None and previous_wave is not None and situation_of(q, previous, unit.id) != "niet beantwoord":
        items.append(
            _small(
                f"Vorige ronde ({safe_text(previous_wave.name)}): centrum {situation_of(q, previous, unit.id)}",
                isSubtle=True,
                spacing="None",
            )
        )
    if not _answered(item):
        return items
    title = "Wie antwoordde wat" if names else "Details"
    if item.explanations:
        count = len(item.explanations)
        title += f" · {count} " + ("toelichting" if count == 1 else "toelichtingen")
    details_id = f"team-{unit.id}"
    # The whole block opens its details: eleven big buttons would double the card's length on a phone.
    items.append(_small(f"▸ {title}", color="Accent", spacing="None"))
    return [
        {
            "type": "Container",
            "spacing": "Medium",
            "items": items,
            "selectAction": {"type": "Action.ToggleVisibility", "title": title, "targetElements": [details_id]},
        },
        {
            "type": "Container",
            "id": details_id,
            "isVisible": False,
            "items": _unit_details(q, item, explanation_limit, names),
        },
    ]


def _top_lines(counts: OptionCounts) -> list[dict]:
    """The three options chosen most over all units, out of the answers given (members × units)."""
    answers = counts.respondents
    if not answers:
        return [_small("nog geen antwoorden", spacing="None")]
    question = counts.question
    out_of = "het enige antwoord" if answers == 1 else f"alle {answers} antwoorden"
    if not counts.counts:
        return [
            _small(f"{safe_text(question.short_option(option))} (in {out_of})", spacing="None")
            for option, _ in counts.exclusive.most_common(1)
        ]
    return [
        _small(
            f"{safe_text(question.short_option(option))}: "
            + (f"in {out_of}" if n == answers else f"in {n} van {answers} antwoorden"),
            spacing="None",
        )
        for option, n in counts.ranked()[:3]
    ]


def _tally_title(question: Question) -> str:
    # "Meest genoemde hefbomen" for ticks of several options; one choice per answer: "Welbewuste keuze".
    label = safe_text(question.short_label)
    return f"**Meest genoemde {label.lower()}**" if question.multiple else f"**{label}**"


# A first place of n weighs n points: "een eerste plaats telt 5 punten, een vijfde 1".
ORDINALS = ("eerste", "tweede", "derde", "vierde", "vijfde", "zesde", "zevende", "achtste", "negende", "tiende")


def _final_lines(q: Questionnaire, summary: TeamSummary) -> list[dict]:
    lines: list[dict] = []
    out_of = summary.closing_answers
    for ranking in summary.rankings:
        if not ranking.points:
            continue
        n = ranking.first_weight
        weighs = (
            f"een eerste plaats telt {n} punten, een {ORDINALS[n - 1] if n <= len(ORDINALS) else f'{n}de'} 1"
            if n > 1
            else "elke keuze telt 1 punt"
        )
        lines.append(_small(f"{safe_text(ranking.question.short_label)} ({weighs}):", spacing="None"))
        lines += [
            _small(f"{i}. {safe_text(q.unit(u).title)} ({p} {'punt' if p == 1 else 'punten'})", spacing="None")
            for i, (u, p) in enumerate(ranking.ranked([u.id for u in q.units]), start=1)
        ]
    for votes in summary.votes:
        # Out of those who answered the final questions: a member may have before sending.
        chosen = [f"{safe_text(q.unit(u).title)} ({n} van {out_of})" for u, n in votes.counts.most_common()]
        if votes.declined:
            chosen.append(f"{safe_text(votes.question.none_short_label or '')} ({votes.declined} van {out_of})")
        if chosen:
            lines.append(_small(f"{safe_text(votes.question.short_label)}: " + "; ".join(chosen)))
    lines += [_small(_option_counts(t, "leden")) for t in summary.final_tallies if t.respondents]
    for question, texts in summary.final_texts:
        if texts:
            lines += toggle_section(
                f"final-{question.id}",
                f"{question.short_label} ({len(texts)})",
                _paragraphs([f"**{safe_text(e.name)}**: {safe_text(_shorten(e.text, 300))}" for e in texts]),
            )
    return lines


def summary_card(
    q: Questionnaire,
    summary: TeamSummary,
    wave: Wave,
    *,
    centre_answer: Response | None,
    previous_answer: Response | None,
    previous_wave: Wave | None,
    now: datetime,
    scholengroep_informed: tuple[str, ...] = (),
    schools: tuple[int, int] | None = None,
) -> dict:
    """The director's Teamoverzicht; the toelichtingen are shortened as far as needed to fit 40 KB.

    `schools`: (answered, invited) when the schools' survey ran for the centre: one line points to it.
    """
    for limit, names in DETAIL_LEVELS:
        result = _summary_card(
            q,
            summary,
            wave,
            centre_answer,
            previous_answer,
            previous_wave,
            now,
            scholengroep_informed,
            schools,
            limit,
            names,
        )
        if len(json.dumps(result, ensure_ascii=False).encode()) <= CARD_BUDGET:
            break
    return result


def _summary_card(
    q: Questionnaire,
    summary: TeamSummary,
    wave: Wave,
    centre_answer: Response | None,
    previous_answer: Response | None,
    previous_wave: Wave | None,
    now: datetime,
    scholengroep_informed: tuple[str, ...],
    schools: tuple[int, int] | None,
    explanation_limit: int,
    names: bool,
) -> dict:
    centre = summary.centre
    total = len(summary.members)
    body: list[dict] = [
        heading(f"Teamoverzicht — {safe_text(centre.name)}"),
        subtle(f"{safe_text(wave.name)} · {wave.deadline_text()} · bijgewerkt {local_time(now)}"),
        text(f"**{summary.finished} van {total}** teamleden verzonden hun antwoorden.", spacing="Medium"),
        *_paragraphs(
            [
                f"{safe_text(m.name)}: "
                + (
                    "✔ verzonden"
                    if m.submitted
                    else f"{m.answered} van {m.total} {q.words.units}"
                    if m.started
                    else "nog niet gestart"
                )
                for m in summary.members
            ],
            spacing="Small",
        ),
    ]
    if schools is not None:
        answered, invited = schools
        body.append(
            _small(
                f"**De scholen over jullie samenwerking**: {answered} van {invited} scholen antwoordden. "
                "Typ *scholen* om hun beeld naast dit overzicht te leggen.",
                spacing="Medium",
            )
        )
    scale = level_scale(q)
    if scale is not None:
        body += [
            text("**Waar staat het team vandaag?**", separator=True, spacing="Large"),
            _small(
                f"Aantal teamleden per {scale.name}, van licht naar donker: "
                + ", ".join(level.label.lower() for level in scale.levels)
                + ".",
                isSubtle=True,
                spacing="None",
            ),
            _distribution(q, scale, summary, "current_counts", f"Vandaag: aantal teamleden per {scale.name}"),
            text("**Waar wil het team naartoe?**", spacing="Medium"),
            _distribution(q, scale, summary, "intended_counts", f"Gewenst: aantal teamleden per {scale.name}"),
        ]
    body.append(text(f"**Per {q.words.unit}**", separator=True, spacing="Large"))
    for item in summary.units:
        body += _unit_block(q, item, previous_answer, previous_wave, explanation_limit, names)

    for n, counts in enumerate(summary.tallies):
        body.append(text(_tally_title(counts.question), separator=n == 0, spacing="Large" if n == 0 else "Medium"))
        body += _top_lines(counts)

    final = _final_lines(q, summary)
    if final:
        body.append(text("**Slotvragen van het team**", separator=True, spacing="Large"))
        body += final

    body.append(text("**Antwoord van het centrum**", separator=True, spacing="Large"))
    actions = []
    if centre_answer is not None and centre_answer.is_submitted:
        body.append(
            text(
                f"✔ Verzonden op {local_time(centre_answer.submitted_at)} door {safe_text(centre.director.name)}.",
                color="Good",
                weight="Bolder",
            )
        )
        if scholengroep_informed:
            body.append(
                _small("De scholengroep kreeg het rapport: " + ", ".join(map(safe_text, scholengroep_informed)) + ".")
            )
        actions.append(
            {
                "type": "Action.Submit",
                "title": "Rapport downloaden (pdf)",
                "data": action_data("report", centre=centre.id, wave=wave.id),
            }
        )
    else:
        if centre_answer is not None and centre_answer.started_at:
            state = flow.progress(q, centre_answer)
            body.append(text(f"Bezig: {state.answered} van {state.total} {q.words.units} ingevuld."))
            title = "Verder invullen"
        else:
            body.append(
                text(
                    "Nog niet ingevuld. Als je team klaar is (of wanneer jij beslist), vul je het antwoord "
                    "van het centrum in, vertrekkend van de meerderheid in je team."
                )
            )
            title = "Antwoord van het centrum invullen"
        actions.append(
            {
                "type": "Action.Submit",
                "title": title,
                "data": action_data("centre_start", subject="centre", centre=centre.id, wave=wave.id),
            }
        )
    return card(body, actions, full_width=True)


# ----- the centre's answer -------------------------------------------------------------------------


def centre_banner(centre_name: str) -> dict:
    """On top of every card of the centre's answer, so it is never mistaken for the director's own."""
    return {
        "type": "Container",
        "style": "accent",
        "bleed": True,
        "items": [
            text(f"**Antwoord van het centrum — {safe_text(centre_name)}**"),
            subtle("Je eigen antwoorden: typ *eigen*."),
        ],
    }


def with_banner(built: dict, banner: dict) -> dict:
    """The card with the centre's-answer banner on top, under the wave's label when it has one."""
    body = built.get("body", [])
    labelled = 1 if body and body[0].get("id") == WAVE_LABEL_ID else 0
    return {**built, "body": [*body[:labelled], banner, *body[labelled:]]}


def _proposal_lines(q: Questionnaire, proposal: Proposal) -> list[dict]:
    question = q.question(proposal.question_id)
    lines = []
    for option in question.option_ids:
        n = proposal.counts[option]
        if not n:
            continue
        line = f"{safe_text(question.short_option(option))}: {n} van {proposal.respondents}"
        lines.append(_small(("✔ " + line + " (ingevuld)") if option in proposal.chosen else line, spacing="None"))
    if not proposal.chosen:
        lines.append(_small("**Geen meerderheid**: kies zelf.", spacing="None"))
    return lines


def team_view(q: Questionnaire, unit_id: str, page: str, proposals: dict[str, Proposal]) -> list[dict]:
    """What the team answered on this page, above the questions: one line, the rest one tap away."""
    questions = q.page_questions(page)
    shown = [proposals[question.id] for question in questions if question.id in proposals]
    if not shown:
        return [
            {
                "type": "Container",
                "style": "emphasis",
                "items": [_small(f"Nog geen teamleden beantwoordden deze {q.words.unit}: kies zelf.")],
            }
        ]
    respondents = max(p.respondents for p in shown)
    undecided = [q.question(p.question_id).short_label for p in shown if not p.decided]
    undecided += [question.short_label for question in questions if question.id not in proposals]
    if undecided:
        status = _small(
            f"Wat een meerderheid koos, staat al ingevuld. **Kies zelf** bij: {', '.join(undecided)}.", spacing="None"
        )
    else:
        status = _small("Wat de meerderheid koos, staat al ingevuld.", spacing="None")
    written = sum(len(p.explanations) for p in shown)
    limit = max(80, min(400, TEAM_VIEW_TEXT_BUDGET // written)) if written else 0
    details: list[dict] = []
    for proposal in shown:
        details.append(_small(f"**{q.question(proposal.question_id).short_label}**", spacing="Small"))
        details += _proposal_lines(q, proposal)
        details += _paragraphs(
            [
                f"{safe_text(name)}: “{safe_text(_shorten(explanation, limit))}”"
                for name, explanation in proposal.explanations
            ],
            isSubtle=True,
            spacing="None",
        )
    who = "1 lid beantwoordde" if respondents == 1 else f"{respondents} leden beantwoordden"
    return [
        {
            "type": "Container",
            "style": "emphasis",
            "items": [
                _small(f"**Je team**: {who} deze vragen."),
                status,
                *toggle_section(
                    f"team-answers-{unit_id}-{page}",
                    "Toon wat je team antwoordde",
                    details,
                    open_title="Verberg wat je team antwoordde",
                ),
            ],
        }
    ]


def adopt_own_card(centre: Centre, wave: Wave) -> dict:
    return card(
        [
            heading("Antwoord van het centrum"),
            text(
                f"Jij bent de enige van {safe_text(centre.name)} die de zelfscan invulde. Wil je jouw verzonden "
                "antwoorden gebruiken als het antwoord van het centrum? Dat is definitief."
            ),
        ],
        [
            {
                "type": "Action.Submit",
                "title": "Ja, verzend mijn antwoorden als antwoord van het centrum",
                "style": "positive",
                "data": action_data("adopt_own", subject="centre", centre=centre.id, wave=wave.id),
            },
            {
                "type": "Action.Submit",
                "title": "Nee, ik vul het antwoord van het centrum apart in",
                "data": action_data("start", subject="centre", centre=centre.id, wave=wave.id),
            },
        ],
    )


def adopted_card(centre: Centre) -> dict:
    return card([text(f"✔ Verzonden als het antwoord van {safe_text(centre.name)}.", weight="Bolder", color="Good")])


def already_sent_card(q: Questionnaire, centre: Centre, wave: Wave, centre_answer: Response) -> dict:
    """What "centrum" shows once the centre's answer is sent: when, by whom, and the report."""
    return card(
        [
            heading("Antwoord van het centrum"),
            subtle(f"{safe_text(centre.name)} · {safe_text(wave.name)}"),
            text(
                f"✔ Verzonden op {local_time(centre_answer.submitted_at)} door {safe_text(centre.director.name)}. "
                "Het kan niet meer gewijzigd worden.",
                color="Good",
            ),
            *_centre_lines(q, centre_answer),
        ],
        [
            {
                "type": "Action.Submit",
                "title": "Rapport downloaden (pdf)",
                "data": action_data("report", centre=centre.id, wave=wave.id),
            },
        ],
    )


# ----- the report and the scholengroep -------------------------------------------------------------


def _centre_lines(q: Questionnaire, centre_answer: Response) -> list[dict]:
    return [
        _small(f"{b.number}. {safe_text(b.title)}: **{situation_of(q, centre_answer, b.id)}**", spacing="None")
        for b in q.units
    ]


def report_link_card(centre: Centre, wave: Wave, url: str, minutes: int) -> dict:
    return card(
        [
            heading(f"Rapport — {safe_text(centre.name)}", size="Medium"),
            subtle(safe_text(wave.name)),
            text(
                f"Het rapport (pdf, A4) met het antwoord van het centrum en het beeld van het team. De link werkt "
                f"{minutes} minuten; typ daarna *rapport* voor een nieuwe."
            ),
        ],
        [{"type": "Action.OpenUrl", "title": "Open het rapport", "url": url}],
    )


def scholengroep_card(
    q: Questionnaire, centre: Centre, wave: Wave, centre_answer: Response, summary: TeamSummary
) -> dict:
    """For the scholengroep's AD, CODI, DICO: the centre's answer and the team's numbers, never a member's."""
    rankings = [
        (question, answer.choices)
        for question in q.final_questions_for("ranking")
        if (answer := centre_answer.final_answer(question.id)) is not None and answer.choices
    ]
    body = [
        heading(f"Zelfscan — {safe_text(centre.name)}"),
        subtle(f"{safe_text(wave.name)} · resultaten voor de scholengroep"),
        text(
            f"{safe_text(centre.name)} verzond het antwoord van het centrum op "
            f"{local_time(centre_answer.submitted_at)} "
            f"({safe_text(centre.director.name)}, directeur). {summary.finished} van {len(summary.members)} "
            "teamleden vulden de zelfscan in."
        ),
        text("**Waar het centrum vandaag staat → waar het naartoe wil**", spacing="Medium"),
        *_centre_lines(q, centre_answer),
    ]
    for question, chosen in rankings:
        body.append(text(f"**{safe_text(question.short_label)}**", spacing="Medium"))
        body += [_small(f"{n}. {safe_text(q.unit(u).title)}", spacing="None") for n, u in enumerate(chosen, 1)]
    body.append(
        _small(
            f"Het rapport toont per {q.words.unit} ook de toelichtingen en de spreiding in het team. "
            "Antwoorden van individuele teamleden zie je niet.",
            isSubtle=True,
        )
    )
    return card(
        body,
        [
            {
                "type": "Action.Submit",
                "title": "Rapport downloaden (pdf)",
                "data": action_data("report", centre=centre.id, wave=wave.id),
            }
        ],
    )


def contact_intro_card(centres: list[tuple[Centre, Response | None]]) -> dict:
    """A scholengroep contact who talks to the bot: which centres they follow and how far they are."""
    body = [
        heading("Poolster voor de scholengroep"),
        text(
            "Je volgt de zelfscan van deze centra. Zodra een centrum zijn antwoord verzendt, krijg je hier "
            "een kaart met de resultaten en het rapport."
        ),
    ]
    actions = []
    for centre, answer in centres:
        if answer is not None and answer.is_submitted:
            body.append(
                _small(f"**{safe_text(centre.name)}**: verzonden op {local_time(answer.submitted_at)}", spacing="Small")
            )
            actions.append(
                {
                    "type": "Action.Submit",
                    "title": f"Rapport {centre.name}"[:60],
                    "data": action_data("report", centre=centre.id, wave=answer.wave_id),
                }
            )
        else:
            body.append(_small(f"**{safe_text(centre.name)}**: nog niet verzonden", spacing="Small"))
    body.append(subtle("Typ *rapport* voor de rapporten."))
    return card(body, actions)
