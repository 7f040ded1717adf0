"""The centre's answer proposed from its members' answers: the majority, with ties left open.

A proposal never decides a tie: the director sees it as a tie and must choose. Single-choice
questions take the option most members chose; a multi-select takes every option that more than
half of the members chose, and an option exactly half chose is a tie.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from survey.answers import PAGES, Response
from survey.questionnaire import Questionnaire


@dataclass(frozen=True)
class Proposal:
    question_id: str
    # The proposed options, or None when a tie leaves the answer to the director.
    choices: tuple[str, ...] | None
    counts: Counter
    tied: tuple[str, ...]
    respondents: int
    other_texts: tuple[str, ...]
    # (member name, toelichting) for the members who wrote one.
    explanations: tuple[tuple[str, str], ...]

    @property
    def is_tie(self) -> bool:
        return bool(self.tied)


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
            if question.multiple:
                chosen = tuple(o for o in question.option_ids if counts[o] * 2 > len(given))
                tied = tuple(o for o in question.option_ids if counts[o] * 2 == len(given))
            else:
                best = max(counts.values())
                leaders = tuple(o for o in question.option_ids if counts[o] == best)
                chosen, tied = (leaders, ()) if len(leaders) == 1 else ((), leaders)
            proposals[question_id] = Proposal(
                question_id=question_id,
                choices=None if tied or not chosen else chosen,
                counts=counts,
                tied=tied,
                respondents=len(given),
                other_texts=tuple(a.other_text for _, a in given if a.other_text),
                explanations=tuple(
                    (names.get(r.respondent_id, r.respondent_name), a.explanation) for r, a in given if a.explanation
                ),
            )
    return proposals


def proposed_inputs(proposals: dict[str, Proposal], page: str) -> dict[str, str]:
    """The proposal as the raw input values of a page card (ties stay empty)."""
    values: dict[str, str] = {}
    for question_id in PAGES[page]:
        proposal = proposals.get(question_id)
        if proposal is None or proposal.choices is None:
            continue
        values[question_id] = ",".join(proposal.choices)
        if proposal.other_texts:
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
