"""What a respondent answered, and the rules that decide whether an answer is acceptable.

A respondent answers each unit of a questionnaire page by page, then the final questions.
Validation turns the raw values of a card's inputs into typed answers or into a list of Dutch
messages; it never trusts what the card allowed, and it knows question types, not questions.

Input ids, for every question type (the cards build them with `input_id`):
  choice          "<question>", "<question>_other" (the "anders" text), "<question>_explanation"
  free text       "<question>"
  ordered choice  "<question>_1" … "<question>_<max>", "<question>_none" (the opt-out)
  agreement       "<question>_<statement>"
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from survey.questionnaire import SELF_SCAN_FIRST_VERSION, SELF_SCAN_ID, Question, Questionnaire, Unit

MAX_TEXT_LENGTH = 2000

# What follows the question id in the ids of a choice question's extra inputs.
OTHER_SUFFIX = "_other"
EXPLANATION_SUFFIX = "_explanation"
NONE_SUFFIX = "_none"


def input_id(question: Question, part: str | int | None = None) -> str:
    """The id of one of a question's inputs: the question's own, a slot, a statement, or a suffix."""
    if part is None:
        return question.id
    if isinstance(part, int):
        return f"{question.id}_{part}"
    return f"{question.id}{part}" if part.startswith("_") else f"{question.id}_{part}"


def input_ids(questionnaire: Questionnaire, question: Question, unit: Unit | None = None) -> tuple[str, ...]:
    """Every input id a card may send for this question."""
    if question.type == "ordered_choice":
        slots = tuple(input_id(question, n) for n in range(1, question.max_choices + 1))
        return slots + ((input_id(question, NONE_SUFFIX),) if question.none_label else ())
    if question.type == "agreement":
        return tuple(input_id(question, s.id) for s in (unit.statements if unit else ()))
    if question.type == "free_text":
        return (question.id,)
    extra = [OTHER_SUFFIX] if any(o.needs_text for o in question.options) else []
    extra += [EXPLANATION_SUFFIX] if question.explanation_label else []
    return (question.id, *(input_id(question, suffix) for suffix in extra))


def page_input_ids(questionnaire: Questionnaire, unit: Unit, page_id: str) -> frozenset[str]:
    return frozenset(i for q in questionnaire.page_questions(page_id) for i in input_ids(questionnaire, q, unit))


def final_input_ids(questionnaire: Questionnaire) -> frozenset[str]:
    return frozenset(i for q in questionnaire.final.questions for i in input_ids(questionnaire, q))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QuestionAnswer(_Model):
    # Choice: the option ids; ordered choice: unit ids in the order given.
    choices: tuple[str, ...] = ()
    # Text of the option that needs one ("ja, anders: ...").
    other_text: str = ""
    explanation: str = ""
    # Free text.
    text: str = ""
    # Ordered choice: the respondent took the opt-out ("nog niet op dat punt").
    declined: bool = False
    # Agreement: statement id -> level id (or the scale's "not applicable").
    ratings: dict[str, str] = Field(default_factory=dict)


def _legacy_closing(value: object) -> object:
    """Responses stored before the final questions were generic held three fixed fields (lists, a bool)."""
    if not isinstance(value, dict) or not any(isinstance(v, (list, tuple, bool)) for v in value.values()):
        return value
    return {
        "inspiring_practices": {
            "choices": list(value.get("inspiring_practices") or ()),
            "declined": bool(value.get("no_inspiring_practice")),
        },
        "priorities": {"choices": list(value.get("priorities") or ())},
    }


class Response(_Model):
    """One respondent's answers in one wave: a member's own, a school's, or the centre's consolidated one."""

    wave_id: str
    centre_id: str
    respondent_id: str
    respondent_name: str = ""
    kind: Literal["member", "centre", "school"] = "member"
    # The questionnaire version the answers were given to; stored answers are read with it.
    questionnaire_id: str = SELF_SCAN_ID
    questionnaire_version: str = SELF_SCAN_FIRST_VERSION
    # unit id -> question id -> answer; a page counts as answered when all its questions are.
    answers: dict[str, dict[str, QuestionAnswer]] = Field(default_factory=dict)
    # The final questions' answers by question id; None until the final page was saved.
    closing: dict[str, QuestionAnswer] | None = None
    # A page the respondent chose to change ("wijzig"), shown until it is saved.
    editing: tuple[str, str] | None = None
    started_at: datetime | None = None
    updated_at: datetime | None = None
    submitted_at: datetime | None = None
    # Incremented on every change: cards carry it so an old card can be recognised.
    revision: int = 0

    @model_validator(mode="before")
    @classmethod
    def _read_legacy(cls, raw: object) -> object:
        if isinstance(raw, dict) and raw.get("closing") is not None:
            return {**raw, "closing": _legacy_closing(raw["closing"])}
        return raw

    def is_page_answered(self, questionnaire: Questionnaire, unit_id: str, page_id: str) -> bool:
        given = self.answers.get(unit_id, {})
        return all(q.id in given for q in questionnaire.page_questions(page_id) if q.required)

    def is_unit_answered(self, questionnaire: Questionnaire, unit_id: str) -> bool:
        return all(self.is_page_answered(questionnaire, unit_id, page) for page in questionnaire.page_ids)

    def answer(self, unit_id: str, question_id: str) -> QuestionAnswer | None:
        return self.answers.get(unit_id, {}).get(question_id)

    def choice(self, unit_id: str, question_id: str) -> str | None:
        answer = self.answer(unit_id, question_id)
        return answer.choices[0] if answer and answer.choices else None

    def final_answer(self, question_id: str) -> QuestionAnswer | None:
        return (self.closing or {}).get(question_id)

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


def intended_level(question: Question, response: Response, unit_id: str) -> str | None:
    """Where a target_level answer aims: its option's target, or (an option without one, "dit
    aanhouden") the level of the question it is relative to."""
    today = response.choice(unit_id, question.relative_to or "")
    chosen = question.option(response.choice(unit_id, question.id) or "")
    if today is None or chosen is None:
        return None
    return chosen.target or today


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
    items = [str(item) for item in value] if isinstance(value, (list, tuple)) else str(value).split(",")
    return [item.strip() for item in items if item.strip()]


def _choice_answer(question: Question, submitted: dict[str, object], errors: list[FieldError]) -> QuestionAnswer | None:
    # Messages stand at the field they concern: its short label says enough, and says it briefly.
    label = question.short_label
    choices = split_choices(submitted.get(question.id))
    unknown = [choice for choice in choices if question.option(choice) is None]
    if unknown:
        # Not echoed: what was sent is not one of our options, and could be Markdown or a card expression.
        errors.append(
            FieldError(question.id, f"{label}: dat is geen geldige keuze. Kies een van de getoonde antwoorden.")
        )
        return None
    choices = list(dict.fromkeys(choices))
    if not choices:
        if question.required:
            errors.append(FieldError(question.id, f"{label}: kies een antwoord."))
        return None
    if not question.multiple and len(choices) > 1:
        errors.append(FieldError(question.id, f"{label}: kies één antwoord."))
        return None
    options = [question.option(c) for c in choices]
    exclusive = [o for o in options if o is not None and o.exclusive]
    if exclusive and len(choices) > 1:
        # "neen, wij ondervinden ..." is quoted as the word that matters: 'neen'.
        word = exclusive[0].label.split(",")[0].rstrip(":. ")
        errors.append(
            FieldError(
                question.id, f"{label}: ‘{word}’ kan niet samen met een ander antwoord — vink één van beide uit."
            )
        )
        return None
    other_text = ""
    needs_text = [o for o in options if o is not None and o.needs_text]
    other_field = input_id(question, OTHER_SUFFIX)
    if needs_text:
        other_text = clean_text(submitted.get(other_field), other_field, errors, f"{label}: de omschrijving")
        if not other_text:
            errors.append(
                FieldError(other_field, f"{label}: vul aan wat je bedoelt met ‘{needs_text[0].label.rstrip(':')}’.")
            )
    explanation = ""
    if question.explanation_label:
        explanation_field = input_id(question, EXPLANATION_SUFFIX)
        explanation = clean_text(
            submitted.get(explanation_field), explanation_field, errors, f"{label}: de toelichting"
        )
    return QuestionAnswer(choices=tuple(choices), other_text=other_text, explanation=explanation)


def _text_answer(question: Question, submitted: dict[str, object], errors: list[FieldError]) -> QuestionAnswer | None:
    text = clean_text(submitted.get(question.id), question.id, errors, question.short_label)
    if not text:
        if question.required:
            errors.append(FieldError(question.id, f"{question.short_label}: vul dit in."))
        return None
    return QuestionAnswer(text=text)


def _agreement_answer(
    questionnaire: Questionnaire, question: Question, unit: Unit, submitted: dict[str, object], errors: list[FieldError]
) -> QuestionAnswer | None:
    scale = questionnaire.scale_of(question)
    assert scale is not None  # checked when the questionnaire was loaded
    ratings: dict[str, str] = {}
    missing: list[str] = []
    for statement in unit.statements:
        field = input_id(question, statement.id)
        value = str(submitted.get(field) or "").strip()
        if not value:
            missing.append(field)
        elif value not in scale.answer_ids:
            errors.append(
                FieldError(
                    field,
                    f"Stelling {statement.number}: dat is geen geldige keuze. Kies een van de getoonde antwoorden.",
                )
            )
        else:
            ratings[statement.id] = value
    if missing and question.required:
        numbers = ", ".join(
            str(unit.statement(f[len(question.id) + 1 :]).number)  # type: ignore[union-attr]
            for f in missing
        )
        word = "stelling" if len(missing) == 1 else "stellingen"
        nvt = f" (of ‘{scale.not_applicable.label}’)" if scale.not_applicable else ""
        errors.append(FieldError(missing[0], f"Kies bij {word} {numbers} hoe akkoord je bent{nvt}."))
        return None
    return QuestionAnswer(ratings=ratings) if ratings else None


def _ordered_answer(
    questionnaire: Questionnaire, question: Question, submitted: dict[str, object], errors: list[FieldError]
) -> QuestionAnswer | None:
    units = questionnaire.words.units
    values: list[str] = []
    for n in range(1, question.max_choices + 1):
        field = input_id(question, n)
        value = str(submitted.get(field) or "").strip()
        if not value:
            continue
        unit = questionnaire.unit(value)
        if unit is None:
            # Not echoed, like an invalid choice above.
            errors.append(FieldError(field, f"{question.slot(n)}: dat staat niet in de lijst. Kies uit de lijst."))
        elif value in values:
            errors.append(
                FieldError(
                    field,
                    f"{question.short_label}: kies elke {questionnaire.words.unit} maar één "
                    f"keer (‘{unit.title}’ staat er al).",
                )
            )
        else:
            values.append(value)
    declined = question.none_label is not None and str(
        submitted.get(input_id(question, NONE_SUFFIX)) or ""
    ).strip().lower() in ("true", "1", "ja")
    fewest = max(question.min_choices, 1 if question.required else 0)
    if declined and values:
        errors.append(
            FieldError(
                input_id(question, NONE_SUFFIX),
                f"{question.short_label}: kies {units} óf ‘{question.none_short_label}’, niet allebei.",
            )
        )
    elif not declined and len(values) < fewest:
        opt_out = f", of ‘{question.none_short_label}’" if question.none_label else ""
        how_many = "minstens één" if fewest == 1 else f"minstens {fewest} verschillende"
        errors.append(
            FieldError(
                input_id(question, 1),
                f"{question.short_label}: kies {how_many} "
                f"{questionnaire.words.unit if fewest == 1 else units}{opt_out}.",
            )
        )
    if not values and not declined:
        return None
    return QuestionAnswer(choices=tuple(values), declined=declined)


def _answer(
    questionnaire: Questionnaire,
    question: Question,
    unit: Unit | None,
    submitted: dict[str, object],
    errors: list[FieldError],
) -> QuestionAnswer | None:
    if question.type == "free_text":
        return _text_answer(question, submitted, errors)
    if question.type == "ordered_choice":
        return _ordered_answer(questionnaire, question, submitted, errors)
    if question.type == "agreement":
        assert unit is not None  # agreement questions are asked per unit
        return _agreement_answer(questionnaire, question, unit, submitted, errors)
    return _choice_answer(question, submitted, errors)


def _check_rules(questionnaire: Questionnaire, answers: dict[str, QuestionAnswer], errors: list[FieldError]) -> None:
    for rule in questionnaire.rules:
        reference, target = answers.get(rule.from_question), answers.get(rule.question)
        if reference is None or target is None:
            continue
        question = questionnaire.question(rule.question)
        scale = questionnaire.scale_of(questionnaire.question(rule.from_question))
        option = question.option(target.choices[0])
        current = reference.choices[0]
        if scale is None or option is None or option.target is None:
            continue
        if scale.rank(option.target) <= scale.rank(current):
            highest = current == scale.level_ids[-1]
            message = rule.message.format(current=scale.level(current).label.lower())
            errors.append(
                FieldError(
                    rule.question, f"{question.short_label}: {message}{'' if highest else rule.message_or_higher}."
                )
            )


def validate_page(
    questionnaire: Questionnaire, unit: Unit, page_id: str, submitted: dict[str, object]
) -> dict[str, QuestionAnswer]:
    """Turn the inputs of one page into answers, or raise InvalidAnswer with every problem found."""
    errors: list[FieldError] = []
    answers: dict[str, QuestionAnswer] = {}
    for question in questionnaire.page_questions(page_id):
        answer = _answer(questionnaire, question, unit, submitted, errors)
        if answer is not None:
            answers[question.id] = answer
    _check_rules(questionnaire, answers, errors)
    if errors:
        raise InvalidAnswer(errors)
    return answers


def validate_final(questionnaire: Questionnaire, submitted: dict[str, object]) -> dict[str, QuestionAnswer]:
    """Validate the final questions (an empty dict when all are optional and left empty)."""
    errors: list[FieldError] = []
    answers: dict[str, QuestionAnswer] = {}
    for question in questionnaire.final.questions:
        answer = _answer(questionnaire, question, None, submitted, errors)
        if answer is not None:
            answers[question.id] = answer
    if errors:
        raise InvalidAnswer(errors)
    return answers
