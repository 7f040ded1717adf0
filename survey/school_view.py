"""What schools say: the answers of a questionnaire with agreement questions, counted, never per school.

Pure functions over responses and the registry. For one CLB (or the whole network) every statement
gets its distribution over the agreement scale, overall and per school type, plus the statements
with most and least agreement and the ones where school types differ most.

Anonymity is a rule here, not a habit of the cards: nothing is shown until `MIN_SCHOOLS` schools
answered, a school type with fewer answering schools is counted only inside the total, and when
that would leave exactly one small group out of the total (so it could be found by subtracting the
other types) the next-smallest type is kept inside the total too. Comments are shown without the
school's name, in the order of the text, not of the answers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from survey.answers import Response
from survey.questionnaire import Question, Questionnaire, Scale, Statement, Unit
from survey.registry import SCHOOL_TYPES, Centre

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

    @property
    def enough(self) -> bool:
        return self.answered >= MIN_SCHOOLS

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


def _shown_types(answered_by_type: dict[str, int]) -> tuple[str, ...]:
    shown = [t for t in SCHOOL_TYPES if answered_by_type.get(t, 0) >= MIN_SCHOOLS]
    hidden = sum(n for t, n in answered_by_type.items() if t not in shown)
    # What is left out of the shown types must not be one small group the total gives away.
    while shown and 0 < hidden < MIN_SCHOOLS:
        smallest = min(shown, key=lambda t: (answered_by_type[t], SCHOOL_TYPES.index(t)))
        shown.remove(smallest)
        hidden += answered_by_type[smallest]
    return tuple(shown)


def schools_view(questionnaire: Questionnaire, centres: list[Centre], responses: list[Response]) -> SchoolsView:
    """The schools' answers for these centres (one centre, or the network), counted, submitted only."""
    question = next(q for q in questionnaire.questions if q.type == "agreement")
    scale = questionnaire.scale_of(question)
    assert scale is not None  # an agreement question has a scale, checked at load
    school_type = {(c.id, s.id): s.type for c in centres for s in c.schools}
    centre_ids = {c.id for c in centres}
    submitted = [r for r in responses if r.is_submitted and r.centre_id in centre_ids]
    types = {id(r): school_type.get((r.centre_id, r.respondent_id)) for r in submitted}
    answered_by_type: Counter[str] = Counter(t for t in types.values() if t)
    shown = _shown_types(dict(answered_by_type)) if len(submitted) >= MIN_SCHOOLS else ()
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
    for final in questionnaire.final.questions:
        texts = sorted(a.text for r in submitted if (a := r.final_answer(final.id)) is not None and a.text)
        if texts:
            comments.append((final.short_label, tuple(texts)))
    enough = len(submitted) >= MIN_SCHOOLS
    return SchoolsView(
        questionnaire=questionnaire,
        question=question,
        scale=scale,
        answered=len(submitted),
        invited=sum(len(c.schools) for c in centres),
        answered_by_type={t: answered_by_type.get(t, 0) for t in SCHOOL_TYPES},
        shown_types=shown,
        statements=tuple(views) if enough else (),
        comments=tuple(comments) if enough else (),
    )
