"""The centre's answer proposed from its members' answers: what a majority chose, the rest left open.

A proposal never decides for the director where the team did not: an option is pre-filled only
when more than half of the members who answered chose it. Everything else the members chose
(a tie, a plurality without a majority, a minority's tick) is shown, count by count, and left open.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from survey.answers import PAGES, Response
from survey.questionnaire import Questionnaire


@dataclass(frozen=True)
class Proposal:
    question_id: str
    multiple: bool
    # The options a majority chose: pre-filled on the card.
    chosen: tuple[str, ...]
    # Options some members chose without a majority: shown, left to the director.
    open: tuple[str, ...]
    counts: Counter
    respondents: int
    other_texts: tuple[str, ...]
    # (member name, toelichting) for the members who wrote one.
    explanations: tuple[tuple[str, str], ...]

    @property
    def decided(self) -> bool:
        """The team's majority answers this question completely: nothing is left to choose."""
        return not self.open if self.multiple else bool(self.chosen)


def propose(questionnaire: Questionnaire, bouwsteen_id: str, responses: list[Response],
            names: dict[str, str]) -> dict[str, Proposal]:
    """A proposal for every question of a bouwsteen that at least one member answered."""
    proposals: dict[str, Proposal] = {}
    for question_ids in PAGES.values():
        for question_id in question_ids:
            given = [(r, r.answer(bouwsteen_id, question_id)) for r in responses]
            given = [(r, a) for r, a in given if a is not None]
            if not given:
                continue
            question = questionnaire.question(question_id)
            counts = Counter(choice for _, answer in given for choice in answer.choices)
            chosen = tuple(o for o in question.option_ids if counts[o] * 2 > len(given))
            if question.multiple:
                undecided = tuple(o for o in question.option_ids if counts[o] and o not in chosen)
            else:
                undecided = () if chosen else tuple(o for o in question.option_ids if counts[o])
            proposals[question_id] = Proposal(
                question_id=question_id,
                multiple=question.multiple,
                chosen=chosen,
                open=undecided,
                counts=counts,
                respondents=len(given),
                other_texts=tuple(a.other_text for _, a in given if a.other_text),
                explanations=tuple(
                    (names.get(r.respondent_id, r.respondent_name), a.explanation) for r, a in given if a.explanation
                ),
            )
    return proposals


def proposed_inputs(questionnaire: Questionnaire, proposals: dict[str, Proposal], page: str) -> dict[str, str]:
    """The proposal as the raw input values of a page card: what a majority chose, nothing else."""
    values: dict[str, str] = {}
    for question_id in PAGES[page]:
        proposal = proposals.get(question_id)
        if proposal is None or not proposal.chosen:
            continue
        values[question_id] = ",".join(proposal.chosen)
        question = questionnaire.question(question_id)
        if proposal.other_texts and any(question.option(o).needs_text for o in proposal.chosen):
            values[f"{question_id}_other"] = "; ".join(dict.fromkeys(proposal.other_texts))[:2000]
    return values


def proposed_closing_inputs(questionnaire: Questionnaire, responses: list[Response]) -> dict[str, str]:
    """Priorities ranked by points (5 for a first place … 1 for a fifth), inspiring practices by votes."""
    closing = [r.closing for r in responses if r.closing is not None]
    if not closing:
        return {}
    order = [b.id for b in questionnaire.bouwstenen]
    points: Counter = Counter()
    for answer in closing:
        for position, bouwsteen_id in enumerate(answer.priorities):
            points[bouwsteen_id] += 5 - position
    votes = Counter(b for answer in closing for b in answer.inspiring_practices)
    values: dict[str, str] = {}
    ranked = sorted(points, key=lambda b: (-points[b], order.index(b)))
    for n, bouwsteen_id in enumerate(ranked[:5], start=1):
        values[f"priorities_{n}"] = bouwsteen_id
    popular = sorted((b for b in votes if votes[b] * 2 > len(closing)), key=lambda b: (-votes[b], order.index(b)))
    for n, bouwsteen_id in enumerate(popular[:3], start=1):
        values[f"inspiring_practices_{n}"] = bouwsteen_id
    if not popular and sum(1 for a in closing if a.no_inspiring_practice) * 2 > len(closing):
        values["inspiring_practices_none"] = "true"
    return values
