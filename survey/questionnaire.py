"""The questionnaire as data: the content of content/questionnaire.yaml, validated at start-up.

Everything the survey asks and shows (bouwstenen, stadia, questions, options, closing questions,
glossary) lives in the YAML file; this module only describes its shape and the checks that keep
it coherent, so a content editor cannot ship a questionnaire the rules cannot handle.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Another questionnaire of the same shape (the schools' version, say) can be pointed to.
DEFAULT_CONTENT_PATH = Path(
    os.environ.get("POOLSTER_QUESTIONNAIRE") or Path(__file__).resolve().parent.parent / "content" / "questionnaire.yaml"
)

STADIUM_IDS = ("fragmentair", "planmatig", "geintegreerd", "systematisch")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label: str = Field(min_length=1)
    # The option in a few words ("mensen en cultuur") for summaries; the label when not given.
    short_label: str | None = Field(default=None, min_length=1, max_length=32)
    # An exclusive option ("neen, geen hefbomen", "nee") cannot be combined with any other.
    exclusive: bool = False
    # An option that needs its own text ("ja, anders: ...").
    needs_text: bool = False
    # For the intention question: the stadium this option aims at (None = "dit aanhouden").
    target_stadium: str | None = None


class Question(_Strict):
    id: str = Field(pattern=r"^[a-z_]+$")
    # Exact wording of the manual (ch. 7.2); "{bouwsteen}" stands for the bouwsteen in a sentence.
    text: str
    # The question in two words ("Huidig stadium"), wherever answers are summarised: the member's
    # overview, the director's card, POC+'s results and the export all use this one label.
    short_label: str = Field(min_length=1, max_length=24)
    required: bool = True
    multiple: bool = False
    options: tuple[Option, ...] = Field(min_length=2)
    # Label of the free "Toelichting" field that goes with the question, if any.
    explanation_label: str | None = None

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

    def render_text(self, bouwsteen: "Bouwsteen") -> str:
        return self.text.replace("{bouwsteen}", bouwsteen.in_sentence)

    @model_validator(mode="after")
    def _unique_options(self) -> "Question":
        if len(set(self.option_ids)) != len(self.option_ids):
            raise ValueError(f"question {self.id}: option ids must be unique")
        return self


class Stadium(_Strict):
    id: str
    label: str
    # "plan", "plan + do", ... as printed under the stadium in the manual.
    phase: str | None = None
    # The generic description of chapter 2 ("[deze bouwsteen]" written as "deze bouwsteen").
    description: str


class Bouwsteen(_Strict):
    id: str = Field(pattern=r"^[a-z_]+$")
    number: int = Field(ge=1)
    # Section number in the manual, e.g. "4.1".
    section: str
    title: str
    # The title in at most a few words ("Kernprocessen"), for chart axes and narrow tables.
    short_title: str = Field(min_length=1, max_length=26)
    # How the bouwsteen reads inside a question, e.g. "preventie".
    in_sentence: str
    definition: str
    rclbk: tuple[str, ...] = ()
    reflection_title: str = ""
    reflection: tuple[str, ...] = ()
    # Description of each of the four stadia for this bouwsteen, keyed by stadium id.
    stadia: dict[str, str]

    @field_validator("stadia")
    @classmethod
    def _all_four_stadia(cls, value: dict[str, str]) -> dict[str, str]:
        if tuple(value) != STADIUM_IDS:
            raise ValueError(f"stadia must be exactly {', '.join(STADIUM_IDS)} in that order")
        if any(not text.strip() for text in value.values()):
            raise ValueError("every stadium needs a description")
        return value


class Cluster(_Strict):
    id: str = Field(pattern=r"^[a-z_]+$")
    title: str
    bouwstenen: tuple[Bouwsteen, ...] = Field(min_length=1)


class ClosingQuestion(_Strict):
    id: str = Field(pattern=r"^[a-z_]+$")
    title: str
    text: str
    min_choices: int = Field(ge=0)
    max_choices: int = Field(ge=1)
    # Label of each drop-down, "{n}" is its position ("Prioriteit {n}").
    slot_label: str
    # Text of the opt-out ("nog niet op dat punt"); None when the question cannot be skipped.
    none_label: str | None = None


class GlossaryEntry(_Strict):
    abbreviation: str
    meaning: str
    # Which source document explains it, for the curious reader.
    source: str = ""


class IntroText(_Strict):
    title: str
    purpose: str
    not_a_judgement: str
    how_it_works: str
    after: str


class Questionnaire(_Strict):
    title: str
    version: str
    estimated_minutes: int = Field(ge=1)
    intro: IntroText
    continuum: tuple[Stadium, ...]
    clusters: tuple[Cluster, ...] = Field(min_length=1)
    questions: tuple[Question, ...]
    closing: tuple[ClosingQuestion, ...]
    glossary: tuple[GlossaryEntry, ...] = ()

    @cached_property
    def bouwstenen(self) -> tuple[Bouwsteen, ...]:
        return tuple(b for cluster in self.clusters for b in cluster.bouwstenen)

    @cached_property
    def _bouwsteen_by_id(self) -> dict[str, Bouwsteen]:
        return {b.id: b for b in self.bouwstenen}

    @cached_property
    def _cluster_of(self) -> dict[str, Cluster]:
        return {b.id: cluster for cluster in self.clusters for b in cluster.bouwstenen}

    def bouwsteen(self, bouwsteen_id: str) -> Bouwsteen | None:
        return self._bouwsteen_by_id.get(bouwsteen_id)

    def cluster_of(self, bouwsteen_id: str) -> Cluster:
        return self._cluster_of[bouwsteen_id]

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions if q.id == question_id)

    def closing_question(self, question_id: str) -> ClosingQuestion:
        return next(q for q in self.closing if q.id == question_id)

    def stadium(self, stadium_id: str) -> Stadium:
        return next(s for s in self.continuum if s.id == stadium_id)

    def stadium_rank(self, stadium_id: str) -> int:
        return STADIUM_IDS.index(stadium_id)

    @model_validator(mode="after")
    def _coherent(self) -> "Questionnaire":
        if tuple(s.id for s in self.continuum) != STADIUM_IDS:
            raise ValueError(f"continuum must list {', '.join(STADIUM_IDS)} in that order")
        ids = [b.id for b in self.bouwstenen]
        if len(set(ids)) != len(ids):
            raise ValueError("bouwsteen ids must be unique")
        if [b.number for b in self.bouwstenen] != list(range(1, len(ids) + 1)):
            raise ValueError("bouwsteen numbers must run 1, 2, 3, ... in the order of the file")
        question_ids = {q.id for q in self.questions}
        missing = set(REQUIRED_QUESTION_IDS) - question_ids
        if missing:
            raise ValueError(f"questions missing: {', '.join(sorted(missing))}")
        intention = next(q for q in self.questions if q.id == "intention")
        for option in intention.options:
            if option.target_stadium is not None and option.target_stadium not in STADIUM_IDS:
                raise ValueError(f"intention option {option.id}: unknown stadium {option.target_stadium}")
        if {q.id for q in self.closing} != set(CLOSING_QUESTION_IDS):
            raise ValueError(f"closing questions must be {', '.join(CLOSING_QUESTION_IDS)}")
        for closing in self.closing:
            if closing.min_choices > closing.max_choices or closing.max_choices > len(ids):
                raise ValueError(f"closing question {closing.id}: impossible number of choices")
        return self


# The rules and cards refer to these questions by id; the file must define them.
REQUIRED_QUESTION_IDS = (
    "current_stadium",
    "intention",
    "deliberate_choice",
    "hefbomen",
    "knelpunten",
    "differences",
)
CLOSING_QUESTION_IDS = ("inspiring_practices", "priorities")


def load_questionnaire(path: Path = DEFAULT_CONTENT_PATH) -> Questionnaire:
    """Read and validate the questionnaire; raises ValueError with the file name on any problem."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        return Questionnaire.model_validate(raw)
    except (OSError, yaml.YAMLError, ValueError) as error:
        raise ValueError(f"{path}: the questionnaire is not valid:\n{error}") from error
