"""The team's picture for a director: what the members answered, side by side, and how far apart.

Pure functions over responses; the director's card, the consolidation and the report are built on
them. What is summarised, and how, is what the questionnaire declares (`Question.summary`): the
level question and its target give the distribution of levels today and intended (and how far
apart the members are on the level's scale), a tally counts options, a breakdown says who chose
what, a ranking weighs ordered choices by position, votes count them, texts are quoted. No
question of one survey is named here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from survey.answers import QuestionAnswer, Response, intended_level
from survey.progress import progress
from survey.questionnaire import Question, Questionnaire, Scale, Unit
from survey.registry import Centre

# Members this many levels apart on one unit: worth a conversation before the centre answers.
FAR_APART = 2


def level_question(questionnaire: Questionnaire) -> Question | None:
    """The question whose answer places a unit on a scale today (the self-scan's stadium)."""
    return next(iter(questionnaire.questions_for("level")), None)


def target_question(questionnaire: Questionnaire) -> Question | None:
    """The question whose options aim at a level of the level question (the intention)."""
    level = level_question(questionnaire)
    return next((q for q in questionnaire.questions_for("target_level") if level and q.relative_to == level.id), None)


def level_scale(questionnaire: Questionnaire) -> Scale | None:
    level = level_question(questionnaire)
    return questionnaire.scale_of(level) if level else None


def current_level(questionnaire: Questionnaire, response: Response, unit_id: str) -> str | None:
    level = level_question(questionnaire)
    return response.choice(unit_id, level.id) if level else None


def intended_stadium(questionnaire: Questionnaire, response: Response, unit_id: str) -> str | None:
    """Where a respondent wants to go: the target's level, or today's level for an option without one."""
    target = target_question(questionnaire)
    return intended_level(target, response, unit_id) if target else None


def option_ranking(counts: Counter, question: Question) -> list[tuple[str, int]]:
    """Counted options, most chosen first, ties in the question's order."""
    return sorted(
        ((o, counts[o]) for o in question.option_ids if counts[o]),
        key=lambda pair: (-pair[1], question.option_ids.index(pair[0])),
    )


@dataclass(frozen=True)
class MemberAnswer:
    name: str
    current: str
    intended: str


@dataclass(frozen=True)
class Explanation:
    """A member's own words on one question of a unit: a toelichting, an "anders" text, a free text."""

    name: str
    question_id: str
    text: str
    # What the words are about besides the question: the option that needed them ("anders"), or "".
    part: str = ""


@dataclass(frozen=True)
class OptionCounts:
    """How often each option of a choice question was chosen, out of how many who answered it.

    `counts` leaves the exclusive options ("geen hefbomen") out: they are the absence of a choice;
    `exclusive` counts them apart.
    """

    question: Question
    counts: Counter
    exclusive: Counter
    respondents: int

    def ranked(self) -> list[tuple[str, int]]:
        return option_ranking(self.counts, self.question)


@dataclass(frozen=True)
class Breakdown:
    """Who chose what on a breakdown question: the names of those who did not take the exclusive option."""

    question: Question
    counts: OptionCounts
    # (member name, the options' short labels, their "anders" text).
    rows: tuple[tuple[str, tuple[str, ...], str], ...]


@dataclass(frozen=True)
class UnitSummary:
    unit: Unit
    # The level question's scale (None in a questionnaire without one).
    scale: Scale | None
    members: tuple[MemberAnswer, ...]
    current_counts: dict[str, int]
    intended_counts: dict[str, int]
    tallies: tuple[OptionCounts, ...]
    breakdowns: tuple[Breakdown, ...]
    # Toelichtingen, "anders" texts and free texts, with who wrote them, in the order of the questions.
    explanations: tuple[Explanation, ...] = ()

    def tally(self, question_id: str) -> OptionCounts | None:
        return next((t for t in self.tallies if t.question.id == question_id), None)

    @property
    def spread(self) -> int:
        """Levels between the lowest and the highest current answer (0 = everyone agrees)."""
        ranks = [self.scale.rank(m.current) for m in self.members] if self.scale else []
        return max(ranks) - min(ranks) if ranks else 0

    @property
    def far_apart(self) -> bool:
        """Members FAR_APART or more levels apart: worth a conversation before the centre answers."""
        return self.spread >= FAR_APART

    def range_text(self, questionnaire: Questionnaire) -> str:
        """ "van fragmentair tot geïntegreerd": the lowest and the highest current answer."""
        if self.scale is None or not self.members:
            return ""
        ranked = sorted((m.current for m in self.members), key=self.scale.rank)
        low, high = (self.scale.level(level).label.lower() for level in (ranked[0], ranked[-1]))
        return f"van {low} tot {high}"


def counts_text(scale: Scale, counts: dict[str, int], *, wanting: bool = False) -> str:
    """ "2 planmatig, 1 geïntegreerd"; with wanting: "2 willen geïntegreerd, 1 wil systematisch"."""
    parts = []
    for level in scale.levels:
        n = counts.get(level.id, 0)
        if n:
            verb = ("wil " if n == 1 else "willen ") if wanting else ""
            parts.append(f"{n} {verb}{level.label.lower()}")
    return ", ".join(parts)


def stadia_text(scale: Scale, current: str, intended: str) -> str:
    """ "planmatig → geïntegreerd", or "planmatig (aanhouden)" when the intention is to stay."""
    now = scale.level(current).label.lower()
    if intended == current:
        return f"{now} (aanhouden)"
    return f"{now} → {scale.level(intended).label.lower()}"


def situation_of(questionnaire: Questionnaire, response: Response, unit_id: str) -> str:
    """One respondent's (or the centre's) situation on a unit, in words."""
    scale = level_scale(questionnaire)
    current = current_level(questionnaire, response, unit_id)
    intended = intended_stadium(questionnaire, response, unit_id)
    if scale is None or current is None or intended is None:
        return "niet beantwoord"
    return stadia_text(scale, current, intended)


def situation_text(item: UnitSummary) -> str:
    """Where the team stands and wants to go: "2 planmatig, 1 geïntegreerd → 2 willen geïntegreerd, …"."""
    if not item.members or item.scale is None:
        return "nog geen antwoorden"
    return f"{counts_text(item.scale, item.current_counts)} → {counts_text(item.scale, item.intended_counts, wanting=True)}"


@dataclass(frozen=True)
class MemberProgress:
    name: str
    answered: int
    total: int
    submitted: bool
    started: bool


@dataclass(frozen=True)
class Ranking:
    """An ordered final choice weighed by position: a first place of n slots weighs n points, the last 1."""

    question: Question
    points: Counter

    @property
    def first_weight(self) -> int:
        return self.question.max_choices

    def ranked(self, order: list[str]) -> list[tuple[str, int]]:
        """Units by points, most first, ties in the questionnaire's order; at most one per slot."""
        return sorted(self.points.items(), key=lambda p: (-p[1], order.index(p[0])))[: self.question.max_choices]


@dataclass(frozen=True)
class Votes:
    """An ordered final choice counted: how many chose each unit, and how many took the opt-out."""

    question: Question
    counts: Counter
    declined: int


@dataclass(frozen=True)
class TeamSummary:
    centre: Centre
    members: tuple[MemberProgress, ...]
    units: tuple[UnitSummary, ...]
    # Every tally question over all units: option counts, out of members × units who answered it.
    tallies: tuple[OptionCounts, ...]
    rankings: tuple[Ranking, ...]
    votes: tuple[Votes, ...]
    # Final tally questions (a choice asked once) and final free texts, with who wrote them.
    final_tallies: tuple[OptionCounts, ...]
    final_texts: tuple[tuple[Question, tuple[Explanation, ...]], ...]
    # How many members answered the final questions: what rankings and votes are out of.
    closing_answers: int = 0

    @property
    def finished(self) -> int:
        return sum(1 for member in self.members if member.submitted)

    def tally(self, question_id: str) -> OptionCounts | None:
        return next((t for t in self.tallies if t.question.id == question_id), None)


def _count(question: Question, answers: list[QuestionAnswer]) -> OptionCounts:
    counts: Counter[str] = Counter()
    exclusive: Counter[str] = Counter()
    for answer in answers:
        for choice in answer.choices:
            option = question.option(choice)
            (exclusive if option is not None and option.exclusive else counts)[choice] += 1
    return OptionCounts(question, counts, exclusive, len(answers))


def summarise(questionnaire: Questionnaire, centre: Centre, responses: list[Response]) -> TeamSummary:
    """The centre's members (all of them, also those who did not start) and their answers."""
    by_respondent = {r.respondent_id: r for r in responses}
    members = []
    for person in centre.people:
        response = by_respondent.get(person.key)
        if response is None:
            members.append(MemberProgress(person.name, 0, len(questionnaire.units), False, False))
            continue
        state = progress(questionnaire, response)
        members.append(
            MemberProgress(person.name, state.answered, state.total, state.submitted, response.started_at is not None)
        )
    names = {person.key: person.name for person in centre.people}

    def name_of(response: Response) -> str:
        return names.get(response.respondent_id, response.respondent_name or response.respondent_id)

    units = tuple(_unit_summary(questionnaire, u, responses, name_of) for u in questionnaire.units)
    tallies = tuple(
        OptionCounts(
            question,
            sum((u.tallies[i].counts for u in units), Counter()),
            sum((u.tallies[i].exclusive for u in units), Counter()),
            sum(u.tallies[i].respondents for u in units),
        )
        for i, question in enumerate(questionnaire.questions_for("tally"))
    )
    closing = [r for r in responses if r.closing is not None]
    rankings = []
    for question in questionnaire.final_questions_for("ranking"):
        points: Counter = Counter()
        for response in closing:
            answer = response.final_answer(question.id)
            for position, unit_id in enumerate(answer.choices if answer else ()):
                points[unit_id] += question.max_choices - position
        rankings.append(Ranking(question, points))
    votes = []
    for question in questionnaire.final_questions_for("votes"):
        given = [a for r in closing if (a := r.final_answer(question.id)) is not None]
        votes.append(Votes(question, Counter(u for a in given for u in a.choices), sum(1 for a in given if a.declined)))
    final_tallies = tuple(
        _count(question, [a for r in closing if (a := r.final_answer(question.id)) is not None])
        for question in questionnaire.final_questions_for("tally")
    )
    final_texts = tuple(
        (
            question,
            tuple(
                Explanation(name_of(r), question.id, a.text)
                for r in closing
                if (a := r.final_answer(question.id)) is not None and a.text
            ),
        )
        for question in questionnaire.final_questions_for("texts")
    )
    return TeamSummary(
        centre=centre,
        members=tuple(members),
        units=units,
        tallies=tallies,
        rankings=tuple(rankings),
        votes=tuple(votes),
        final_tallies=final_tallies,
        final_texts=final_texts,
        closing_answers=len(closing),
    )


def _unit_summary(
    questionnaire: Questionnaire, unit: Unit, responses: list[Response], name_of: Callable[[Response], str]
) -> UnitSummary:
    scale = level_scale(questionnaire)
    members = []
    explanations = []
    for response in responses:
        current = current_level(questionnaire, response, unit.id)
        intended = intended_stadium(questionnaire, response, unit.id)
        if current and intended:
            members.append(MemberAnswer(name_of(response), current, intended))
        for question in questionnaire.questions:
            answer = response.answer(unit.id, question.id)
            if answer is None:
                continue
            # The member's own words, in the order of the questions: a free text, "anders: …", a toelichting.
            other = next(
                (
                    question.short_option(c)
                    for c in answer.choices
                    if (o := question.option(c)) is not None and o.needs_text
                ),
                "",
            )
            for words, part in ((answer.text, ""), (answer.other_text, other), (answer.explanation, "")):
                if words:
                    explanations.append(Explanation(name_of(response), question.id, words, part))

    def answers_to(question: Question) -> list:
        return [a for r in responses if (a := r.answer(unit.id, question.id)) is not None]

    breakdowns = []
    for question in questionnaire.questions_for("breakdown"):
        rows = []
        for response in responses:
            answer = response.answer(unit.id, question.id)
            if answer and not any((o := question.option(c)) is not None and o.exclusive for c in answer.choices):
                rows.append(
                    (name_of(response), tuple(question.short_option(c) for c in answer.choices), answer.other_text)
                )
        breakdowns.append(Breakdown(question, _count(question, answers_to(question)), tuple(rows)))
    levels = scale.level_ids if scale else ()
    return UnitSummary(
        unit=unit,
        scale=scale,
        members=tuple(members),
        current_counts={s: sum(1 for m in members if m.current == s) for s in levels},
        intended_counts={s: sum(1 for m in members if m.intended == s) for s in levels},
        tallies=tuple(_count(q, answers_to(q)) for q in questionnaire.questions_for("tally")),
        breakdowns=tuple(breakdowns),
        explanations=tuple(explanations),
    )
