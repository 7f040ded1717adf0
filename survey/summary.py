"""The team's picture for a director: what the members answered, side by side, and how far apart.

Pure functions over responses; the director's card and the consolidation are built on them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from survey.answers import Response
from survey.progress import progress
from survey.questionnaire import STADIUM_IDS, Bouwsteen, Questionnaire
from survey.registry import Centre


def intended_stadium(questionnaire: Questionnaire, response: Response, bouwsteen_id: str) -> str | None:
    """Where a respondent wants to go: the intention's target, or today's stadium for "dit aanhouden"."""
    current = response.choice(bouwsteen_id, "current_stadium")
    intention = response.choice(bouwsteen_id, "intention")
    if current is None or intention is None:
        return None
    option = questionnaire.question("intention").option(intention)
    return option.target_stadium if option and option.target_stadium else current


@dataclass(frozen=True)
class MemberAnswer:
    name: str
    current: str
    intended: str


@dataclass(frozen=True)
class Explanation:
    """A member's toelichting on one question of a bouwsteen."""

    name: str
    question_id: str
    text: str


@dataclass(frozen=True)
class BouwsteenSummary:
    bouwsteen: Bouwsteen
    members: tuple[MemberAnswer, ...]
    current_counts: dict[str, int]
    intended_counts: dict[str, int]
    hefbomen: Counter
    knelpunten: Counter
    # How many members answered the hefbomen / knelpunten question: "3 van 4 leden".
    hefbomen_respondents: int
    knelpunten_respondents: int
    # (member name, option labels, the "anders" text) of those who report differences.
    differences: tuple[tuple[str, tuple[str, ...], str], ...]
    explanations: tuple[Explanation, ...] = ()
    # How many members answered the differences question, and the differences they ticked.
    differences_respondents: int = 0
    difference_counts: Counter = field(default_factory=Counter)

    @property
    def spread(self) -> int:
        """Stadia between the lowest and the highest current answer (0 = everyone agrees)."""
        ranks = [STADIUM_IDS.index(m.current) for m in self.members]
        return max(ranks) - min(ranks) if ranks else 0

    @property
    def far_apart(self) -> bool:
        """Members two or more stadia apart: worth a conversation before the centre answers."""
        return self.spread >= 2

    def range_text(self, questionnaire: Questionnaire) -> str:
        """"van fragmentair tot geïntegreerd": the lowest and the highest current answer."""
        ranks = sorted(STADIUM_IDS.index(m.current) for m in self.members)
        if not ranks:
            return ""
        low, high = (questionnaire.stadium(STADIUM_IDS[r]).label.lower() for r in (ranks[0], ranks[-1]))
        return f"van {low} tot {high}"


def counts_text(questionnaire: Questionnaire, counts: dict[str, int], *, wanting: bool = False) -> str:
    """"2 planmatig, 1 geïntegreerd"; with wanting: "2 willen geïntegreerd, 1 wil systematisch"."""
    parts = []
    for stadium_id in STADIUM_IDS:
        n = counts.get(stadium_id, 0)
        if n:
            verb = ("wil " if n == 1 else "willen ") if wanting else ""
            parts.append(f"{n} {verb}{questionnaire.stadium(stadium_id).label.lower()}")
    return ", ".join(parts)


def stadia_text(questionnaire: Questionnaire, current: str, intended: str) -> str:
    """"planmatig → geïntegreerd", or "planmatig (aanhouden)" when the intention is to stay."""
    now = questionnaire.stadium(current).label.lower()
    if intended == current:
        return f"{now} (aanhouden)"
    return f"{now} → {questionnaire.stadium(intended).label.lower()}"


def situation_of(questionnaire: Questionnaire, response: Response, bouwsteen_id: str) -> str:
    """One respondent's (or the centre's) situation on a bouwsteen, in words."""
    current = response.choice(bouwsteen_id, "current_stadium")
    intended = intended_stadium(questionnaire, response, bouwsteen_id)
    if current is None or intended is None:
        return "niet beantwoord"
    return stadia_text(questionnaire, current, intended)


def situation_text(questionnaire: Questionnaire, item: BouwsteenSummary) -> str:
    """Where the team stands and wants to go: "2 planmatig, 1 geïntegreerd → 2 willen geïntegreerd, …"."""
    if not item.members:
        return "nog geen antwoorden"
    return (f"{counts_text(questionnaire, item.current_counts)} → "
            f"{counts_text(questionnaire, item.intended_counts, wanting=True)}")


@dataclass(frozen=True)
class MemberProgress:
    name: str
    answered: int
    total: int
    submitted: bool
    started: bool


@dataclass(frozen=True)
class TeamSummary:
    centre: Centre
    members: tuple[MemberProgress, ...]
    bouwstenen: tuple[BouwsteenSummary, ...]
    hefbomen: Counter
    knelpunten: Counter
    priorities: Counter
    inspiring_practices: Counter
    no_inspiring_practice: int
    # How many answers (members × bouwstenen) the hefbomen / knelpunten totals are out of.
    hefbomen_answers: int = 0
    knelpunten_answers: int = 0
    # How many members answered the closing questions: what priorities and inspiring practices are out of.
    closing_answers: int = 0

    @property
    def finished(self) -> int:
        return sum(1 for member in self.members if member.submitted)


def summarise(questionnaire: Questionnaire, centre: Centre, responses: list[Response]) -> TeamSummary:
    """The centre's members (all of them, also those who did not start) and their answers."""
    by_respondent = {r.respondent_id: r for r in responses}
    members = []
    for person in centre.people:
        response = by_respondent.get(person.key)
        if response is None:
            members.append(MemberProgress(person.name, 0, len(questionnaire.bouwstenen), False, False))
            continue
        state = progress(questionnaire, response)
        members.append(MemberProgress(person.name, state.answered, state.total, state.submitted,
                                      response.started_at is not None))
    names = {person.key: person.name for person in centre.people}
    bouwstenen = tuple(_bouwsteen_summary(questionnaire, b, responses, names) for b in questionnaire.bouwstenen)
    closing = [r.closing for r in responses if r.closing is not None]
    priorities: Counter = Counter()
    for answer in closing:
        # A first priority weighs more than a fifth: 5, 4, 3, 2, 1 points.
        for position, bouwsteen_id in enumerate(answer.priorities):
            priorities[bouwsteen_id] += 5 - position
    return TeamSummary(
        centre=centre,
        members=tuple(members),
        bouwstenen=bouwstenen,
        hefbomen=sum((b.hefbomen for b in bouwstenen), Counter()),
        knelpunten=sum((b.knelpunten for b in bouwstenen), Counter()),
        priorities=priorities,
        inspiring_practices=Counter(b for answer in closing for b in answer.inspiring_practices),
        no_inspiring_practice=sum(1 for answer in closing if answer.no_inspiring_practice),
        hefbomen_answers=sum(b.hefbomen_respondents for b in bouwstenen),
        knelpunten_answers=sum(b.knelpunten_respondents for b in bouwstenen),
        closing_answers=len(closing),
    )


def _bouwsteen_summary(questionnaire: Questionnaire, bouwsteen: Bouwsteen, responses: list[Response],
                       names: dict[str, str]) -> BouwsteenSummary:
    members, differences, explanations, difference_counts = [], [], [], Counter()
    differences_respondents = 0
    counters = {"hefbomen": Counter(), "knelpunten": Counter()}
    respondents = {"hefbomen": 0, "knelpunten": 0}
    differences_question = questionnaire.question("differences")
    for response in responses:
        name = names.get(response.respondent_id, response.respondent_name or response.respondent_id)
        current = response.choice(bouwsteen.id, "current_stadium")
        intended = intended_stadium(questionnaire, response, bouwsteen.id)
        if current and intended:
            members.append(MemberAnswer(name, current, intended))
        for question_id, counter in counters.items():
            answer = response.answer(bouwsteen.id, question_id)
            if answer:
                respondents[question_id] += 1
                question = questionnaire.question(question_id)
                counter.update(c for c in answer.choices if not question.option(c).exclusive)
        answer = response.answer(bouwsteen.id, "differences")
        if answer:
            differences_respondents += 1
            difference_counts.update(c for c in answer.choices if not differences_question.option(c).exclusive)
        if answer and not any(differences_question.option(c).exclusive for c in answer.choices):
            labels = tuple(differences_question.short_option(c) for c in answer.choices)
            differences.append((name, labels, answer.other_text))
        for question_id, answer in response.answers.get(bouwsteen.id, {}).items():
            if answer.explanation:
                explanations.append(Explanation(name, question_id, answer.explanation))
    return BouwsteenSummary(
        bouwsteen=bouwsteen,
        members=tuple(members),
        current_counts={s: sum(1 for m in members if m.current == s) for s in STADIUM_IDS},
        intended_counts={s: sum(1 for m in members if m.intended == s) for s in STADIUM_IDS},
        hefbomen=counters["hefbomen"],
        knelpunten=counters["knelpunten"],
        hefbomen_respondents=respondents["hefbomen"],
        knelpunten_respondents=respondents["knelpunten"],
        differences=tuple(differences),
        explanations=tuple(explanations),
        differences_respondents=differences_respondents,
        difference_counts=difference_counts,
    )
