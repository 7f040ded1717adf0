"""Questionnaires as data: every file in content/questionnaires/, validated at start-up.

A questionnaire file declares everything a survey asks and shows: its id and version, its scales,
its units (the bouwstenen of the self-scan, the groups of statements of the schools' survey) in
clusters, the questions asked for every unit and on which page, the final questions, the rules
that span answers, and what each question contributes to the summaries. The code knows question
*types* (below, `QuestionType`), never the questions of one survey.

Several questionnaires, and several versions of one, live side by side in a `Catalog`: a wave
runs one version, and its answers are read with that version however the content changes later.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content" / "questionnaires"

# The self-scan: what a wave runs when it was stored before waves named their questionnaire.
SELF_SCAN_ID = "poolster-clb"
SELF_SCAN_FIRST_VERSION = "2025-1"

QuestionType = Literal["single_choice", "multiple_choice", "free_text", "ordered_choice", "agreement"]

# What a question contributes to the summaries (the director's card, the report, POC+'s results):
#   level         a single choice on an ordered scale: the distribution of levels ("vandaag")
#   target_level  a single choice whose options aim at a level of the question named in `relative_to`
#                 (an option without a target keeps that level): the distribution of intended levels
#   tally         how often each (non-exclusive) option was chosen
#   breakdown     who chose what, by name, for a conversation about the differences
#   ranking       ordered choices, weighted by position (a first place weighs most)
#   votes         ordered choices, counted
#   agreement     per statement, the distribution over the agreement scale
#   texts         the texts written, quoted
SummaryKind = Literal["level", "target_level", "tally", "breakdown", "ranking", "votes", "agreement", "texts"]

RespondentKind = Literal["team", "schools"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Level(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label: str = Field(min_length=1)
    # "plan", "plan + do", ... as printed under a stadium in the manual.
    phase: str | None = None
    # What the level means in general (the continuum of ch. 2); per unit, see Unit.descriptions.
    description: str = ""


class Scale(_Strict):
    """An ordered list of levels (the four stadia, the four degrees of agreement)."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    # The scale's name in a sentence ("stadium", "mate van akkoord").
    name: str
    levels: tuple[Level, ...] = Field(min_length=2)
    # An answer outside the scale ("niet van toepassing"), counted apart from the levels.
    not_applicable: Level | None = None

    @cached_property
    def level_ids(self) -> tuple[str, ...]:
        return tuple(level.id for level in self.levels)

    def level(self, level_id: str) -> Level:
        if self.not_applicable is not None and level_id == self.not_applicable.id:
            return self.not_applicable
        return next(level for level in self.levels if level.id == level_id)

    def rank(self, level_id: str) -> int:
        return self.level_ids.index(level_id)

    @property
    def answer_ids(self) -> tuple[str, ...]:
        """Every id an answer may take: the levels, then "not applicable"."""
        return self.level_ids + ((self.not_applicable.id,) if self.not_applicable else ())

    @model_validator(mode="after")
    def _unique(self) -> Scale:
        if len(set(self.answer_ids)) != len(self.answer_ids):
            raise ValueError(f"scale {self.id}: level ids must be unique")
        return self


class Option(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label: str = Field(min_length=1)
    # The option in a few words ("mensen en cultuur") for summaries; the label when not given.
    short_label: str | None = Field(default=None, min_length=1, max_length=32)
    # An exclusive option ("neen, geen hefbomen", "nee") cannot be combined with any other.
    exclusive: bool = False
    # An option that needs its own text ("ja, anders: ...").
    needs_text: bool = False
    # For a target_level question: the level this option aims at (None = keep today's level).
    target: str | None = None


class Statement(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    # The statement's number in the source, kept so results can be compared with it.
    number: int = Field(ge=1)
    text: str = Field(min_length=1)
    # The statement in a few words, for charts and tables ("Goed bereikbaar").
    short_label: str = Field(min_length=1, max_length=60)


class Question(_Strict):
    id: str = Field(pattern=r"^[a-z_]+$")
    type: QuestionType
    # The question as the respondent reads it; "{unit}" stands for the unit in a sentence.
    text: str
    # The question in two words ("Huidig stadium"), wherever answers are summarised: the overview,
    # the director's card, POC+'s results and the export all use this one label.
    short_label: str = Field(min_length=1, max_length=24)
    required: bool = True
    summary: SummaryKind | None = None
    # Choice questions: the options, or a scale whose levels are the options.
    options: tuple[Option, ...] = ()
    scale: str | None = None
    # The unit's own description of each level is shown with the options (the stadia of a bouwsteen).
    describe_levels: bool = False
    # target_level questions: the question whose level an option without a target keeps.
    relative_to: str | None = None
    # Label of the optional free "Toelichting" field that goes with a choice question.
    explanation_label: str | None = None
    # Free text: the placeholder shown in the empty field.
    placeholder: str | None = None
    # Ordered choice: how many slots, each a choice among the questionnaire's units.
    min_choices: int = Field(default=0, ge=0)
    max_choices: int = Field(default=1, ge=1)
    # Label of each slot, "{n}" is its position ("Prioriteit {n}").
    slot_label: str | None = None
    # The opt-out of an ordered choice; None when it cannot be skipped. In full on the card, in a
    # few words in messages and summaries ("nog niet op dat punt").
    none_label: str | None = None
    none_short_label: str | None = Field(default=None, max_length=40)

    @property
    def multiple(self) -> bool:
        return self.type == "multiple_choice"

    @property
    def is_choice(self) -> bool:
        return self.type in ("single_choice", "multiple_choice")

    @cached_property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(option.id for option in self.options)

    def option(self, option_id: str) -> Option | None:
        return next((option for option in self.options if option.id == option_id), None)

    def short_option(self, option_id: str) -> str:
        """The option as summaries name it: its short label, else its label without a trailing colon."""
        option = self.option(option_id)
        if option is None:
            return option_id
        return option.short_label or option.label.rstrip(":")

    def render_text(self, unit: Unit) -> str:
        return self.text.replace("{unit}", unit.in_sentence)

    def slot(self, n: int) -> str:
        return (self.slot_label or f"{self.short_label} {{n}}").format(n=n)


class Unit(_Strict):
    """A part of the survey answered on its own cards: a bouwsteen, a group of statements."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    number: int = Field(ge=1)
    # Section number in the source, e.g. "4.1".
    section: str = ""
    title: str
    # The title in at most a few words ("Kernprocessen"), for chart axes and narrow tables.
    short_title: str = Field(min_length=1, max_length=26)
    # How the unit reads inside a question, e.g. "preventie".
    in_sentence: str = ""
    definition: str = ""
    rclbk: tuple[str, ...] = ()
    reflection_title: str = ""
    reflection: tuple[str, ...] = ()
    # This unit's description of each level of the scale a describe_levels question uses.
    descriptions: dict[str, str] = Field(default_factory=dict)
    # The statements an agreement question asks about for this unit.
    statements: tuple[Statement, ...] = ()

    def statement(self, statement_id: str) -> Statement | None:
        return next((s for s in self.statements if s.id == statement_id), None)


class Cluster(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    units: tuple[Unit, ...] = Field(min_length=1)


class Page(_Strict):
    id: str = Field(pattern=r"^[a-z_]+$")
    questions: tuple[str, ...] = Field(min_length=1)


class FinalPage(_Strict):
    title: str
    questions: tuple[Question, ...] = Field(min_length=1)


class StepForwardRule(_Strict):
    """An intention must aim above today's level: "planmatig → evolueren naar planmatig" is refused."""

    id: str = Field(pattern=r"^[a-z_]+$")
    type: Literal["step_forward"]
    # The target_level question, and the level question it must step forward from.
    question: str
    from_question: str
    # "{current}" is today's level in lower case; `message_or_higher` is added when a higher level exists.
    message: str
    message_or_higher: str = ""


class Words(_Strict):
    """How the survey names its units and respondents in Dutch sentences."""

    unit: str  # "bouwsteen"
    units: str  # "bouwstenen"
    # The respondent as the cards address them: "je centrum", "je school".
    subject: str


class GlossaryEntry(_Strict):
    abbreviation: str
    meaning: str
    # Which source document explains it, for the curious reader.
    source: str = ""


class IntroText(_Strict):
    title: str
    purpose: str
    not_a_judgement: str = ""
    how_it_works: str
    after: str


class Questionnaire(_Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    version: str = Field(pattern=r"^[A-Za-z0-9._-]+$")
    # The newest released version of an id is the one new waves run.
    released: date
    title: str
    # Who answers: a CLB's team (members, then the director's centre answer) or a CLB's schools.
    respondents: RespondentKind
    # The word POC+ types after *nieuwe ronde* to launch this questionnaire ("nieuwe ronde scholen
    # ..."); without one, a new wave runs it only as the team's default. Unique in the catalog.
    command_word: str | None = Field(default=None, pattern=r"^[a-z]+$")
    words: Words
    estimated_minutes: int = Field(ge=1)
    intro: IntroText
    scales: tuple[Scale, ...] = ()
    clusters: tuple[Cluster, ...] = Field(min_length=1)
    # Asked for every unit, page by page.
    questions: tuple[Question, ...] = Field(min_length=1)
    pages: tuple[Page, ...] = Field(min_length=1)
    final: FinalPage
    rules: tuple[StepForwardRule, ...] = ()
    glossary: tuple[GlossaryEntry, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.id, self.version)

    @cached_property
    def units(self) -> tuple[Unit, ...]:
        return tuple(u for cluster in self.clusters for u in cluster.units)

    @cached_property
    def _unit_by_id(self) -> dict[str, Unit]:
        return {u.id: u for u in self.units}

    @cached_property
    def _cluster_of(self) -> dict[str, Cluster]:
        return {u.id: cluster for cluster in self.clusters for u in cluster.units}

    @cached_property
    def _question_by_id(self) -> dict[str, Question]:
        return {q.id: q for q in (*self.questions, *self.final.questions)}

    @cached_property
    def page_ids(self) -> tuple[str, ...]:
        return tuple(page.id for page in self.pages)

    def unit(self, unit_id: str) -> Unit | None:
        return self._unit_by_id.get(unit_id)

    def cluster_of(self, unit_id: str) -> Cluster:
        return self._cluster_of[unit_id]

    def question(self, question_id: str) -> Question:
        return self._question_by_id[question_id]

    def page(self, page_id: str) -> Page:
        return next(page for page in self.pages if page.id == page_id)

    def page_questions(self, page_id: str) -> tuple[Question, ...]:
        return tuple(self.question(qid) for qid in self.page(page_id).questions)

    def scale(self, scale_id: str) -> Scale:
        return next(scale for scale in self.scales if scale.id == scale_id)

    def scale_of(self, question: Question) -> Scale | None:
        return self.scale(question.scale) if question.scale else None

    def questions_for(self, summary: SummaryKind) -> tuple[Question, ...]:
        """The unit questions that contribute to a kind of summary, in the file's order."""
        return tuple(q for q in self.questions if q.summary == summary)

    def final_questions_for(self, summary: SummaryKind) -> tuple[Question, ...]:
        return tuple(q for q in self.final.questions if q.summary == summary)

    def statements(self) -> tuple[tuple[Unit, Statement], ...]:
        """Every statement of the questionnaire with its unit, in the file's order."""
        return tuple((u, s) for u in self.units for s in u.statements)

    @model_validator(mode="before")
    @classmethod
    def _options_from_scales(cls, raw: object) -> object:
        # A choice question on a scale offers the scale's levels: written once, in the scale.
        if not isinstance(raw, dict):
            return raw
        scales = {s.get("id"): s for s in raw.get("scales") or () if isinstance(s, dict)}
        questions = []
        for question in raw.get("questions") or ():
            if (
                isinstance(question, dict)
                and question.get("type") == "single_choice"
                and question.get("scale") in scales
                and not question.get("options")
            ):
                levels = scales[question["scale"]].get("levels") or ()
                question = {
                    **question,
                    "options": [
                        {"id": lv.get("id"), "label": lv.get("label")} for lv in levels if isinstance(lv, dict)
                    ],
                }
            questions.append(question)
        return {**raw, "questions": questions}

    @model_validator(mode="after")
    def _coherent(self) -> Questionnaire:
        problems: list[str] = []
        ids = [u.id for u in self.units]
        if len(set(ids)) != len(ids):
            problems.append("unit ids must be unique")
        if [u.number for u in self.units] != list(range(1, len(ids) + 1)):
            problems.append("unit numbers must run 1, 2, 3, ... in the order of the file")
        question_ids = [q.id for q in (*self.questions, *self.final.questions)]
        if len(set(question_ids)) != len(question_ids):
            problems.append("question ids must be unique, final questions included")
        scale_ids = [s.id for s in self.scales]
        if len(set(scale_ids)) != len(scale_ids):
            problems.append("scale ids must be unique")
        for question in (*self.questions, *self.final.questions):
            problems.extend(f"question {question.id}: {p}" for p in self._question_problems(question))
        on_pages = [qid for page in self.pages for qid in page.questions]
        unit_question_ids = {q.id for q in self.questions}
        for qid in on_pages:
            if qid not in unit_question_ids:
                problems.append(f"page question {qid}: not one of the questions")
        if sorted(on_pages) != sorted(unit_question_ids):
            problems.append("every question must stand on exactly one page")
        if len(set(self.page_ids)) != len(self.page_ids):
            problems.append("page ids must be unique")
        for page in self.pages:
            # A page counts as answered when its required questions are: one of them at least.
            if not any(self._question_by_id[qid].required for qid in page.questions if qid in self._question_by_id):
                problems.append(f"page {page.id}: needs at least one required question")
        statement_ids = [s.id for _, s in self.statements()]
        if len(set(statement_ids)) != len(statement_ids):
            problems.append("statement ids must be unique across the units")
        for rule in self.rules:
            problems.extend(f"rule {rule.id}: {p}" for p in self._rule_problems(rule))
        agreements = [q.id for q in self.questions if q.type == "agreement"]
        # The schools' view counts the statements of one agreement question: a second would be missed.
        if len(agreements) > 1:
            problems.append(f"at most one agreement question ({', '.join(agreements)})")
        if self.respondents == "schools" and not agreements:
            problems.append("a questionnaire for schools needs an agreement question: its results count statements")
        agreements = [q.id for q in self.questions if q.type == "agreement"]
        # The schools' view counts the statements of one agreement question: a second would be missed.
        if len(agreements) > 1:
            problems.append(f"at most one agreement question ({', '.join(agreements)})")
        if self.respondents == "schools" and not agreements:
            problems.append(
                "a questionnaire for schools needs an agreement question: its results are counted per statement"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _question_problems(self, question: Question) -> list[str]:
        problems: list[str] = []
        if len(set(question.option_ids)) != len(question.option_ids):
            problems.append("option ids must be unique")
        if question.scale is not None and question.scale not in {s.id for s in self.scales}:
            return [f"unknown scale {question.scale}"]
        scale = self.scale_of(question)
        if question.is_choice and len(question.options) < 2:
            problems.append("a choice question needs at least two options")
        if not question.is_choice and question.options:
            problems.append(f"a {question.type} question has no options")
        if question.type == "agreement":
            if scale is None:
                problems.append("an agreement question needs a scale")
            if not any(u.statements for u in self.units) or any(not u.statements for u in self.units):
                problems.append("an agreement question needs statements in every unit")
        if question.type == "ordered_choice":
            if question.min_choices > question.max_choices or question.max_choices > len(self.units):
                problems.append("impossible number of choices")
            if question.slot_label is None:
                problems.append("an ordered choice needs a slot_label")
            if (question.none_label is None) != (question.none_short_label is None):
                problems.append("none_label and none_short_label go together")
        if question.describe_levels:
            if scale is None:
                problems.append("describe_levels needs a scale")
            else:
                for unit in self.units:
                    if tuple(unit.descriptions) != scale.level_ids:
                        problems.append(f"unit {unit.id} must describe {', '.join(scale.level_ids)} in that order")
                    elif any(not text.strip() for text in unit.descriptions.values()):
                        problems.append(f"unit {unit.id}: every level needs a description")
        if question.summary == "level" and (scale is None or question.type != "single_choice"):
            problems.append("a level summary needs a single choice on a scale")
        if question.summary == "target_level":
            reference = self._question_by_id.get(question.relative_to or "")
            if reference is None or reference.summary != "level" or reference.scale not in {s.id for s in self.scales}:
                problems.append("a target_level summary needs relative_to naming a level question")
            else:
                levels = self.scale(reference.scale or "").level_ids
                for option in question.options:
                    if option.target is not None and option.target not in levels:
                        problems.append(f"option {option.id}: unknown level {option.target}")
        if question.summary in ("ranking", "votes") and question.type != "ordered_choice":
            problems.append(f"a {question.summary} summary needs an ordered choice")
        if question.summary == "agreement" and question.type != "agreement":
            problems.append("an agreement summary needs an agreement question")
        if question.summary in ("tally", "breakdown") and not question.is_choice:
            problems.append(f"a {question.summary} summary needs a choice question")
        if question.summary == "texts" and question.type != "free_text":
            problems.append("a texts summary needs a free text question")
        return problems

    def _rule_problems(self, rule: StepForwardRule) -> list[str]:
        target = self._question_by_id.get(rule.question)
        reference = self._question_by_id.get(rule.from_question)
        if target is None or reference is None:
            return ["names a question that does not exist"]
        if target.summary != "target_level" or target.relative_to != reference.id:
            return [f"{rule.question} must be a target_level question relative to {rule.from_question}"]
        pages = {qid: page.id for page in self.pages for qid in page.questions}
        if pages.get(rule.question) != pages.get(rule.from_question):
            return ["both questions must stand on the same page"]
        return []


def load_questionnaire(path: Path) -> Questionnaire:
    """Read and validate one questionnaire file; raises ValueError naming the file and the place."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        return Questionnaire.model_validate(raw)
    except (OSError, yaml.YAMLError, ValueError) as error:
        raise ValueError(f"{path}: the questionnaire is not valid:\n{error}") from error


class RunsQuestionnaire(Protocol):
    """A wave or a response: something answered with one questionnaire version."""

    questionnaire_id: str
    questionnaire_version: str


class UnknownQuestionnaire(LookupError):
    """A wave or a response names a questionnaire version that is not in the content folder."""


def _today() -> date:
    # Releases are days in Belgium, like deadlines.
    return datetime.now(ZoneInfo("Europe/Brussels")).date()


class Catalog:
    """Every questionnaire version the bot knows, by id and version.

    A version counts from its `released` day: a file for next year's edition may be added early,
    and new waves go on running the version released before it until that day comes."""

    def __init__(self, questionnaires: list[Questionnaire], today: Callable[[], date] = _today):
        self._today = today
        self._by_key: dict[tuple[str, str], Questionnaire] = {}
        for questionnaire in questionnaires:
            if questionnaire.key in self._by_key:
                raise ValueError(f"questionnaire {questionnaire.id} version {questionnaire.version} is defined twice")
            self._by_key[questionnaire.key] = questionnaire
        if not self._by_key:
            raise ValueError("no questionnaires")
        words: dict[str, str] = {}
        for questionnaire in questionnaires:
            word = questionnaire.command_word
            if word is not None and words.setdefault(word, questionnaire.id) != questionnaire.id:
                raise ValueError(
                    f"questionnaires {words[word]} and {questionnaire.id} both have the command word {word}"
                )

    @property
    def ids(self) -> tuple[str, ...]:
        """The questionnaires with a released version."""
        today = self._today()
        return tuple(dict.fromkeys(q.id for q in self._by_key.values() if q.released <= today))

    def current(self, questionnaire_id: str) -> Questionnaire:
        """The newest version released by today: what a new wave runs."""
        today = self._today()
        versions = [q for q in self._by_key.values() if q.id == questionnaire_id and q.released <= today]
        if not versions:
            raise UnknownQuestionnaire(f"geen uitgebrachte vragenlijst ‘{questionnaire_id}’")
        return max(versions, key=lambda q: (q.released, q.version))

    def get(self, questionnaire_id: str, version: str) -> Questionnaire:
        try:
            return self._by_key[(questionnaire_id, version)]
        except KeyError:
            raise UnknownQuestionnaire(
                f"vragenlijst ‘{questionnaire_id}’ versie {version} staat niet (meer) in {CONTENT_DIR}"
            ) from None

    def of(self, record: RunsQuestionnaire) -> Questionnaire:
        """The version a wave runs, or a response was answered with."""
        return self.get(record.questionnaire_id, record.questionnaire_version)

    def by_command_word(self, word: str) -> Questionnaire | None:
        """The current version of the questionnaire launched with this word (*nieuwe ronde scholen*)."""
        found = next((qid for qid in self.ids if self.current(qid).command_word == word.lower()), None)
        return self.current(found) if found else None

    @property
    def command_words(self) -> tuple[str, ...]:
        """The words that launch a questionnaire other than the default (*nieuwe ronde scholen*)."""
        return tuple(w for qid in self.ids if (w := self.current(qid).command_word))

    def versions(self) -> tuple[Questionnaire, ...]:
        return tuple(self._by_key.values())

    def for_respondents(self, kind: RespondentKind) -> tuple[Questionnaire, ...]:
        """The current version of every questionnaire answered by this kind of respondent."""
        return tuple(self.current(qid) for qid in self.ids if self.current(qid).respondents == kind)


def load_catalog(directory: Path = CONTENT_DIR) -> Catalog:
    """Every *.yaml file in the folder (and below it) is one questionnaire version."""
    files = sorted(directory.rglob("*.yaml"))
    if not files:
        raise ValueError(f"{directory}: no questionnaire files (*.yaml)")
    return Catalog([load_questionnaire(path) for path in files])
