"""What a respondent answered, and the rules that decide whether an answer is acceptable.

A respondent answers each bouwsteen on two pages (the stadium first, then its context), then the
closing questions. Validation turns raw submitted values into typed answers or into a list of
Dutch messages; it never trusts what the card allowed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from survey.questionnaire import Bouwsteen, Question, Questionnaire

MAX_TEXT_LENGTH = 2000

# A bouwsteen is answered on two pages; each page holds these questions, in this order.
PAGES: dict[str, tuple[str, ...]] = {
    "situering": ("current_stadium", "intention"),
    "context": ("deliberate_choice", "hefbomen", "knelpunten", "differences"),
}
PAGE_IDS = tuple(PAGES)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QuestionAnswer(_Model):
    choices: tuple[str, ...]
    # Text of the option that needs one ("ja, anders: ...").
    other_text: str = ""
    explanation: str = ""


class ClosingAnswer(_Model):
    # Bouwsteen ids, in the order given; empty together with no_inspiring_practice=True.
    inspiring_practices: tuple[str, ...] = ()
    no_inspiring_practice: bool = False
    # Bouwsteen ids in order of importance.
    priorities: tuple[str, ...] = ()


class Response(_Model):
    """One respondent's answers in one wave: a member's own, or the centre's consolidated one."""

    wave_id: str
    centre_id: str
    respondent_id: str
    respondent_name: str = ""
    kind: Literal["member", "centre"] = "member"
    # bouwsteen id -> question id -> answer; a page counts as answered when all its questions are.
    answers: dict[str, dict[str, QuestionAnswer]] = Field(default_factory=dict)
    closing: ClosingAnswer | None = None
    # A page the respondent chose to change ("wijzig"), shown until it is saved.
    editing: tuple[str, str] | None = None
    started_at: datetime | None = None
    updated_at: datetime | None = None
    submitted_at: datetime | None = None
    # Incremented on every change: cards carry it so an old card can be recognised.
    revision: int = 0

    def is_page_answered(self, bouwsteen_id: str, page: str) -> bool:
        given = self.answers.get(bouwsteen_id, {})
        return all(question_id in given for question_id in PAGES[page])

    def is_bouwsteen_answered(self, bouwsteen_id: str) -> bool:
        return all(self.is_page_answered(bouwsteen_id, page) for page in PAGE_IDS)

    def answer(self, bouwsteen_id: str, question_id: str) -> QuestionAnswer | None:
        return self.answers.get(bouwsteen_id, {}).get(question_id)

    def choice(self, bouwsteen_id: str, question_id: str) -> str | None:
        answer = self.answer(bouwsteen_id, question_id)
        return answer.choices[0] if answer and answer.choices else None

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


@dataclass(frozen=True)
class FieldError:
    """A Dutch message about one input of a card (field is the input id, or "" for the card)."""

    field: str
    message: str


class InvalidAnswer(Exception):
    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(error.message for error in errors))
        self.errors = errors


def clean_text(value: object, field: str, errors: list[FieldError], label: str) -> str:
    """Normalise free text; reject what is too long. Any content is kept verbatim otherwise.

    `label` opens the message: "Hefbomen: de toelichting".
    """
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").strip()
    # Control characters other than newline and tab have no place in an answer.
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    if len(text) > MAX_TEXT_LENGTH:
        errors.append(
            FieldError(field, f"{label} is te lang: {len(text)} tekens, hoogstens {MAX_TEXT_LENGTH}. Maak hem korter.")
        )
    return text


def split_choices(value: object) -> list[str]:
    """Teams sends a multi-select as comma-joined option ids; single selects as one id."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        items = [str(item) for item in value]
    else:
        items = str(value).split(",")
    return [item.strip() for item in items if item.strip()]


def _question_answer(question: Question, submitted: dict[str, object], errors: list[FieldError]) -> QuestionAnswer | None:
    # Messages stand at the field they concern: its short label says enough, and says it briefly.
    label = question.short_label
    choices = split_choices(submitted.get(question.id))
    unknown = [choice for choice in choices if question.option(choice) is None]
    if unknown:
        # Not echoed: what was sent is not one of our options, and could be Markdown or a card expression.
        errors.append(FieldError(question.id,
                                 f"{label}: dat is geen geldige keuze. Kies een van de getoonde antwoorden."))
        return None
    if len(set(choices)) != len(choices):
        choices = list(dict.fromkeys(choices))
    if not choices:
        if question.required:
            errors.append(FieldError(question.id, f"{label}: kies een antwoord."))
        return None
    if not question.multiple and len(choices) > 1:
        errors.append(FieldError(question.id, f"{label}: kies één antwoord."))
        return None
    exclusive = [c for c in choices if question.option(c).exclusive]
    if exclusive and len(choices) > 1:
        # "neen, wij ondervinden ..." is quoted as the word that matters: 'neen'.
        word = question.option(exclusive[0]).label.split(",")[0].rstrip(":. ")
        errors.append(
            FieldError(question.id, f"{label}: ‘{word}’ kan niet samen met een ander antwoord — vink één van beide uit.")
        )
        return None
    other_text = ""
    needs_text = [c for c in choices if question.option(c).needs_text]
    other_field = f"{question.id}_other"
    if needs_text:
        other_text = clean_text(submitted.get(other_field), other_field, errors, f"{label}: de omschrijving")
        if not other_text:
            option = question.option(needs_text[0])
            errors.append(FieldError(other_field, f"{label}: vul aan wat je bedoelt met ‘{option.label.rstrip(':')}’."))
    explanation = ""
    if question.explanation_label:
        explanation_field = f"{question.id}_explanation"
        explanation = clean_text(submitted.get(explanation_field), explanation_field, errors,
                                 f"{label}: de toelichting")
    return QuestionAnswer(choices=tuple(choices), other_text=other_text, explanation=explanation)


def validate_page(
    questionnaire: Questionnaire, bouwsteen: Bouwsteen, page: str, submitted: dict[str, object]
) -> dict[str, QuestionAnswer]:
    """Turn the inputs of one page into answers, or raise InvalidAnswer with every problem found."""
    errors: list[FieldError] = []
    answers: dict[str, QuestionAnswer] = {}
    for question_id in PAGES[page]:
        answer = _question_answer(questionnaire.question(question_id), submitted, errors)
        if answer is not None:
            answers[question_id] = answer
    if page == "situering" and "current_stadium" in answers and "intention" in answers:
        current = answers["current_stadium"].choices[0]
        option = questionnaire.question("intention").option(answers["intention"].choices[0])
        if option.target_stadium is not None and questionnaire.stadium_rank(
            option.target_stadium
        ) <= questionnaire.stadium_rank(current):
            errors.append(
                FieldError(
                    "intention",
                    f"{questionnaire.question('intention').short_label}: je centrum werkt al "
                    f"{questionnaire.stadium(current).label.lower()}, dus dat is geen stap vooruit — kies ‘dit "
                    f"aanhouden’{'' if current == questionnaire.continuum[-1].id else ' of een hoger stadium'}.",
                )
            )
    if errors:
        raise InvalidAnswer(errors)
    return answers


def validate_closing(questionnaire: Questionnaire, submitted: dict[str, object]) -> ClosingAnswer:
    """Validate the closing questions; slots are numbered inputs ("inspiring_practices_1", ...)."""
    errors: list[FieldError] = []
    known = {b.id for b in questionnaire.bouwstenen}
    chosen: dict[str, list[str]] = {}
    for question in questionnaire.closing:
        values = []
        for n in range(1, question.max_choices + 1):
            field = f"{question.id}_{n}"
            value = str(submitted.get(field) or "").strip()
            if not value:
                continue
            if value not in known:
                # Not echoed, like an invalid choice above.
                errors.append(FieldError(field, f"Dat is geen bouwsteen ({question.slot_label.format(n=n)}). "
                                                "Kies een bouwsteen uit de lijst."))
            elif value in values:
                errors.append(
                    FieldError(field, f"{question.title}: kies elke bouwsteen maar één keer "
                               f"(‘{questionnaire.bouwsteen(value).title}’ staat er al).")
                )
            else:
                values.append(value)
        chosen[question.id] = values

    inspiring = questionnaire.closing_question("inspiring_practices")
    none_chosen = str(submitted.get("inspiring_practices_none") or "").strip().lower() in ("true", "1", "ja")
    if none_chosen and chosen["inspiring_practices"]:
        errors.append(
            FieldError("inspiring_practices_none",
                       "Kies bouwstenen als inspirerende praktijk óf ‘nog niet op dat punt’, niet allebei.")
        )
    elif not none_chosen and not chosen["inspiring_practices"]:
        errors.append(
            FieldError("inspiring_practices_1",
                       f"{inspiring.title}: kies minstens één bouwsteen, of duid aan dat je centrum nog niet op dat punt zit.")
        )
    priorities = questionnaire.closing_question("priorities")
    if len(chosen["priorities"]) < priorities.min_choices:
        errors.append(
            FieldError("priorities_1",
                       f"{priorities.title}: kies minstens {priorities.min_choices} verschillende bouwstenen.")
        )
    if errors:
        raise InvalidAnswer(errors)
    return ClosingAnswer(
        inspiring_practices=tuple(chosen["inspiring_practices"]),
        no_inspiring_practice=none_chosen,
        priorities=tuple(chosen["priorities"]),
    )
