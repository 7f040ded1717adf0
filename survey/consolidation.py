"""The centre's answer proposed from its members' answers: what a majority chose, the rest left open.

A proposal never decides for the director where the team did not: an option is pre-filled only
when more than half of the members who answered chose it. Everything else the members chose
(a tie, a plurality without a majority, a minority's tick) is shown, count by count, and left open.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from survey.answers import NONE_SUFFIX, OTHER_SUFFIX, QuestionAnswer, Response, input_id
from survey.questionnaire import Question, Questionnaire
from survey.summary import Ranking


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


def _proposal(question: Question, given: list[tuple[Response, QuestionAnswer]], names: dict[str, str]) -> Proposal:
    counts = Counter(choice for _, answer in given for choice in answer.choices)
    chosen = tuple(o for o in question.option_ids if counts[o] * 2 > len(given))
    if question.multiple:
        undecided = tuple(o for o in question.option_ids if counts[o] and o not in chosen)
    else:
        undecided = () if chosen else tuple(o for o in question.option_ids if counts[o])
    return Proposal(
        question_id=question.id,
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


def propose(
    questionnaire: Questionnaire, unit_id: str, responses: list[Response], names: dict[str, str]
) -> dict[str, Proposal]:
    """A proposal for every choice question of a unit that at least one member answered."""
    proposals: dict[str, Proposal] = {}
    for question in questionnaire.questions:
        given = [(r, a) for r in responses if (a := r.answer(unit_id, question.id)) is not None]
        if question.is_choice and given:
            proposals[question.id] = _proposal(question, given, names)
    return proposals


def _choice_inputs(question: Question, proposal: Proposal | None) -> dict[str, str]:
    if proposal is None or not proposal.chosen:
        return {}
    values = {input_id(question): ",".join(proposal.chosen)}
    if proposal.other_texts and any((o := question.option(c)) is not None and o.needs_text for c in proposal.chosen):
        values[input_id(question, OTHER_SUFFIX)] = "; ".join(dict.fromkeys(proposal.other_texts))[:2000]
    return values


def proposed_inputs(questionnaire: Questionnaire, proposals: dict[str, Proposal], page: str) -> dict[str, str]:
    """The proposal as the raw input values of a page card: what a majority chose, nothing else."""
    values: dict[str, str] = {}
    for question in questionnaire.page_questions(page):
        values.update(_choice_inputs(question, proposals.get(question.id)))
    return values


def proposed_closing_inputs(questionnaire: Questionnaire, responses: list[Response]) -> dict[str, str]:
    """The final questions proposed: a ranking by points (a first of n places weighs n), votes and
    choices by majority, the opt-out when a majority took it."""
    closing = [r for r in responses if r.closing is not None]
    if not closing:
        return {}
    order = [u.id for u in questionnaire.units]
    values: dict[str, str] = {}
    for question in questionnaire.final.questions:
        given = [(r, a) for r in closing if (a := r.final_answer(question.id)) is not None]
        if question.is_choice:
            values.update(_choice_inputs(question, _proposal(question, given, {}) if given else None))
        if question.type != "ordered_choice":
            continue
        if question.summary == "ranking":
            points: Counter = Counter()
            for _, answer in given:
                for position, unit_id in enumerate(answer.choices):
                    points[unit_id] += question.max_choices - position
            chosen = [unit_id for unit_id, _ in Ranking(question, points).ranked(order)]
        else:
            votes = Counter(u for _, answer in given for u in answer.choices)
            chosen = sorted(
                (u for u in votes if votes[u] * 2 > len(closing)), key=lambda u: (-votes[u], order.index(u))
            )[: question.max_choices]
            if not chosen and question.none_label and sum(1 for _, a in given if a.declined) * 2 > len(closing):
                values[input_id(question, NONE_SUFFIX)] = "true"
        for n, unit_id in enumerate(chosen, start=1):
            values[input_id(question, n)] = unit_id
    return values
