"""What schools say: the answers of a questionnaire with agreement questions, counted, never per school.

Pure functions over responses and the registry. For one CLB (or the whole network) every statement
gets its distribution over the agreement scale, overall and per school type, plus the statements
with most and least agreement and the ones where school types differ most.

Anonymity is a rule here, not a habit of the cards: nothing per statement and no comment is shown
while the wave still accepts answers (comparing the view before and after one school submits would
give that school's answers away: `final` is a required argument, so no caller can forget it), nor
until `MIN_SCHOOLS` schools answered; a school type with fewer answering schools is counted only inside the total, and when
that would leave exactly one small group out of the total (so it could be found by subtracting the
other types) the next-smallest type is kept inside the total too. Comments are shown without the
school's name, in the order of the text, not of the answers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from survey.answers import Response
from survey.questionnaire import Question, Questionnaire, Scale, Statement, Unit
from survey.registry import SCHOOL_TYPE_LABELS, SCHOOL_TYPES, Centre
from survey.waves import Wave, date_text

# Fewer answering schools than this are never shown on their own (a type, or the whole CLB).
MIN_SCHOOLS = 3
# Two school types whose share of agreement differs by this many percentage points "differ".
NOTABLE_DIFFERENCE = 25


def agreement_share(scale: Scale, counts: Counter) -> int | None:
    """The percentage of answers (not applicable left out) in the upper half of the scale."""
    upper = scale.level_ids[len(scale.level_ids) // 2 :]
    answered = sum(counts[level] for level in scale.level_ids)
    if not answered:
        return None
    return round(100 * sum(counts[level] for level in upper) / answered)


@dataclass(frozen=True)
class StatementView:
    unit: Unit
    statement: Statement
    total: Counter
    # School type -> counts, only for the types shown on their own.
    by_type: dict[str, Counter]
    share: int | None
    share_by_type: dict[str, int | None]

    @property
    def spread(self) -> int:
        """Percentage points between the school types that agree most and least."""
        shares = [s for s in self.share_by_type.values() if s is not None]
        return max(shares) - min(shares) if len(shares) >= 2 else 0


@dataclass(frozen=True)
class SchoolsView:
    questionnaire: Questionnaire
    question: Question
    scale: Scale
    # Schools that submitted, and schools invited (the registry's), for "7 van 12 scholen".
    answered: int
    invited: int
    # Answering schools per type, every type (counts are not identifying; answers would be).
    answered_by_type: dict[str, int]
    # Types shown on their own, in the registry's order; the others are only inside the total.
    shown_types: tuple[str, ...]
    statements: tuple[StatementView, ...]
    # Comments per unit and the final texts, without names.
    comments: tuple[tuple[str, tuple[str, ...]], ...]
    # Whether the wave no longer accepts answers; before that only `answered` and `invited` are filled.
    final: bool

    @property
    def enough(self) -> bool:
        return self.answered >= MIN_SCHOOLS

    @property
    def visible(self) -> bool:
        """Whether the results per statement (and the comments) may be shown: the wave is over and
        enough schools answered."""
        return self.final and self.enough

    @property
    def hidden_types(self) -> tuple[str, ...]:
        return tuple(t for t in SCHOOL_TYPES if self.answered_by_type.get(t) and t not in self.shown_types)

    def most_agreed(self, n: int = 3) -> tuple[StatementView, ...]:
        rated = [s for s in self.statements if s.share is not None]
        return tuple(sorted(rated, key=lambda s: (-(s.share or 0), s.statement.number))[:n])

    def least_agreed(self, n: int = 3) -> tuple[StatementView, ...]:
        rated = [s for s in self.statements if s.share is not None]
        return tuple(sorted(rated, key=lambda s: (s.share or 0, s.statement.number))[:n])

    def differences(self) -> tuple[StatementView, ...]:
        """Statements on which the shown school types differ notably, largest difference first."""
        differing = [s for s in self.statements if s.spread >= NOTABLE_DIFFERENCE]
        return tuple(sorted(differing, key=lambda s: (-s.spread, s.statement.number)))


def is_final(wave: Wave, now: datetime) -> bool:
    """Whether a schools' wave's results may be shown: it no longer accepts answers (closed, or past
    its deadline), so nothing changes any more between two looks at it."""
    return not wave.accepts_answers(now)


def shown_types(answered_by_type: dict[str, int]) -> tuple[str, ...]:
    """The school types that may be shown on their own: each with at least MIN_SCHOOLS schools, and
    what is left out of them is no single small group (nothing, or at least MIN_SCHOOLS schools)."""
    shown = [t for t in SCHOOL_TYPES if answered_by_type.get(t, 0) >= MIN_SCHOOLS]
    hidden = sum(n for t, n in answered_by_type.items() if t not in shown)
    # What is left out of the shown types must not be one small group the total gives away.
    while shown and 0 < hidden < MIN_SCHOOLS:
        smallest = min(shown, key=lambda t: (answered_by_type[t], SCHOOL_TYPES.index(t)))
        shown.remove(smallest)
        hidden += answered_by_type[smallest]
    return tuple(shown)


def schools_view(
    questionnaire: Questionnaire, centres: list[Centre], responses: list[Response], *, final: bool
) -> SchoolsView:
    """The schools' answers for these centres (one centre, or the network), counted, submitted only.

    `final`: the wave no longer accepts answers (`is_final`). While it does, the view holds only how
    many schools answered: no statement, no school type, no comment."""
    question = next(q for q in questionnaire.questions if q.type == "agreement")
    scale = questionnaire.scale_of(question)
    assert scale is not None  # an agreement question has a scale, checked at load
    school_type = {(c.id, s.id): s.type for c in centres for s in c.schools}
    centre_ids = {c.id for c in centres}
    submitted = [r for r in responses if r.is_submitted and r.centre_id in centre_ids]
    types = {id(r): school_type.get((r.centre_id, r.respondent_id)) for r in submitted}
    answered_by_type: Counter[str] = Counter(t for t in types.values() if t)
    enough = len(submitted) >= MIN_SCHOOLS
    shown = shown_types(dict(answered_by_type)) if enough and final else ()
    views = []
    for unit in questionnaire.units:
        for statement in unit.statements:
            total: Counter = Counter()
            by_type: dict[str, Counter] = {t: Counter() for t in shown}
            for response in submitted:
                answer = response.answer(unit.id, question.id)
                rating = answer.ratings.get(statement.id) if answer else None
                if rating is None:
                    continue
                total[rating] += 1
                kind = types[id(response)]
                if kind in by_type:
                    by_type[kind][rating] += 1
            views.append(
                StatementView(
                    unit=unit,
                    statement=statement,
                    total=total,
                    by_type=by_type,
                    share=agreement_share(scale, total),
                    share_by_type={t: agreement_share(scale, c) for t, c in by_type.items()},
                )
            )
    comments = []
    text_questions = [q for q in questionnaire.questions if q.type == "free_text"]
    for unit in questionnaire.units:
        texts = sorted(
            a.text for r in submitted for q in text_questions if (a := r.answer(unit.id, q.id)) is not None and a.text
        )
        if texts:
            comments.append((unit.title, tuple(texts)))
    for closing in questionnaire.final.questions:
        texts = sorted(a.text for r in submitted if (a := r.final_answer(closing.id)) is not None and a.text)
        if texts:
            comments.append((closing.short_label, tuple(texts)))
    visible = enough and final
    return SchoolsView(
        questionnaire=questionnaire,
        question=question,
        scale=scale,
        answered=len(submitted),
        invited=sum(len(c.schools) for c in centres),
        answered_by_type={t: answered_by_type.get(t, 0) for t in SCHOOL_TYPES},
        shown_types=shown,
        statements=tuple(views) if visible else (),
        comments=tuple(comments) if visible else (),
        final=final,
    )


# ----- the words every place that shows the view uses ------------------------------------------


def _plural(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def answered_text(view: SchoolsView) -> str:
    """ "8 van 10 scholen antwoordden" """
    return f"{view.answered} van {_plural(view.invited, 'school', 'scholen')} antwoordden"


def waiting_text(wave: Wave) -> str:
    """Why an open schools' wave shows only how many schools answered, and when the results come."""
    when = (
        f"na de deadline van {date_text(wave.deadline)} (of eerder, als de bevraging vroeger gesloten wordt)"
        if wave.deadline
        else "zodra de bevraging gesloten wordt (ze heeft geen deadline)"
    )
    return (
        f"De resultaten per stelling en de opmerkingen komen er pas als de bevraging afgelopen is: {when}. "
        "Zolang scholen nog antwoorden, zou het verschil tussen twee keer kijken tonen wat één school zei."
    )


def type_lines(view: SchoolsView) -> list[str]:
    """Which school types are shown on their own, and that the others are only inside the total;
    the hidden types are not named (that would tell which small type answered)."""
    shown = [
        f"{SCHOOL_TYPE_LABELS[t]} ({_plural(view.answered_by_type[t], 'school', 'scholen')})" for t in view.shown_types
    ]
    if not shown:
        return [
            "Geen soort school wordt apart getoond: elke soort telt minder dan "
            f"{MIN_SCHOOLS} scholen, of zou anders af te leiden zijn."
        ]
    lines = [f"Apart getoond: {', '.join(shown)}."]
    derivable = any(view.answered_by_type[t] >= MIN_SCHOOLS for t in view.hidden_types)
    if view.hidden_types and derivable:
        lines.append(
            f"Enkel in het totaal: de andere soorten scholen (minder dan {MIN_SCHOOLS} scholen, of een soort "
            "waaruit anders zo'n kleine groep af te leiden is)."
        )
    elif view.hidden_types:
        lines.append(f"Enkel in het totaal: de andere soorten scholen (elk minder dan {MIN_SCHOOLS} scholen).")
    return lines


def share_note(scale: Scale) -> str:
    """What the percentage of a statement is, in the scale's words."""
    agreeing = " of ".join(level.label.lower() for level in scale.levels[len(scale.levels) // 2 :])
    na = scale.not_applicable
    left_out = f", zonder wie ‘{na.label.lower()}’ koos" if na else ""
    return f"Het percentage: het deel van de scholen dat {agreeing} is{left_out}."
