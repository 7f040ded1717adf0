"""Cards for the respondent's conversation: intro, one unit page by page, overview, final questions,
confirmation and summary. Short visible text, the rest one tap away (phones first).

Every question is drawn by its type (survey.questionnaire.QuestionType); the words that name a
unit and the respondent come from the questionnaire (`q.words`), so one set of cards serves the
self-scan of a centre's team and the schools' survey alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from actions.payloads import action_data
from cards.admin import admin_help_rows
from cards.common import (
    card,
    facts,
    first_sentences,
    heading,
    plural,
    safe_text,
    shorten,
    submit,
    subtle,
    text,
    toggle_section,
)
from survey.answers import (
    EXPLANATION_SUFFIX,
    NONE_SUFFIX,
    OTHER_SUFFIX,
    FieldError,
    QuestionAnswer,
    Response,
    input_id,
    input_ids,
    split_choices,
)
from survey.progress import Progress, Step, next_step, progress
from survey.questionnaire import Question, Questionnaire, Scale, Unit, Words
from survey.waves import TIMEZONE, date_text

EXPLANATION_LABEL = "Toelichting (niet verplicht)"
# The defining sentences of a level shown before "Lees meer": whole sentences up to about this length.
STADIUM_OPENING = 200
# The note after a unit's first page; it says that page's answer, so the next page need not repeat it.
PART_ONE_SAVED = "✔ Deel 1 bewaard"
# What the respondent is answering, by who answers: a team looks at itself, a school is asked.
SURVEY_NOUN = {"team": "de zelfscan", "schools": "de bevraging"}
TEXT_LIMIT = 2000


def survey_noun(q: Questionnaire | None) -> str:
    return SURVEY_NOUN[q.respondents] if q is not None else SURVEY_NOUN["team"]


def _subject_args(subject: str, centre: str | None) -> dict:
    return {"subject": subject, "centre": centre}


def _unit_word(q: Questionnaire) -> str:
    """ "Bouwsteen", "Thema": the word at the start of a line."""
    return q.words.unit[:1].upper() + q.words.unit[1:]


def _final_name(q: Questionnaire) -> str:
    """How the final page is named in a sentence or on a button."""
    return "de laatste vraag" if len(q.final.questions) == 1 else "de slotvragen"


def _unit_choices(q: Questionnaire) -> list[dict]:
    return [{"title": f"{u.number}. {u.title}", "value": u.id} for u in q.units]


# ----- answers in words ----------------------------------------------------------------------------


def _rated(answer: QuestionAnswer, scale: Scale) -> str:
    """ "7 stellingen beantwoord (1 niet van toepassing)": an agreement answer in a few words; every rating
    is in the details."""
    count = len(answer.ratings)
    line = f"{plural(count, 'stelling', 'stellingen')} beantwoord"
    skipped = sum(
        1
        for rating in answer.ratings.values()
        if scale.not_applicable is not None and rating == scale.not_applicable.id
    )
    return f"{line} ({skipped} {scale.not_applicable.label.lower()})" if skipped else line


def format_answer(q: Questionnaire, question: Question, answer: QuestionAnswer | None) -> str:
    """An answer in a few words, as the overview, the director's card and the report name it."""
    if answer is None:
        return "–"
    if question.type == "free_text":
        return shorten(answer.text, 80) or "–"
    if question.type == "ordered_choice":
        if answer.declined:
            return question.none_short_label or "–"
        return "; ".join(q.unit(c).title if q.unit(c) else c for c in answer.choices) or "–"
    if question.type == "agreement":
        scale = q.scale_of(question)
        return _rated(answer, scale) if scale else "–"
    labels = []
    for choice in answer.choices:
        # The option's short label, as the director's card and the report name it ("geen hefbomen").
        label = question.short_option(choice)
        option = question.option(choice)
        if option is not None and option.needs_text and answer.other_text:
            label = f"{label}: {shorten(answer.other_text, 80)}"
        labels.append(label)
    return "; ".join(labels) or "–"


def answer_summary(q: Questionnaire, response: Response, unit_id: str, question_id: str) -> str:
    return format_answer(q, q.question(question_id), response.answer(unit_id, question_id))


def _level_questions(q: Questionnaire) -> tuple[Question | None, Question | None]:
    """Today's level and the intended one, when the questionnaire asks them (the self-scan's stadia)."""
    level = next(iter(q.questions_for("level")), None)
    target = next((t for t in q.questions_for("target_level") if level and t.relative_to == level.id), None)
    return level, target


def situation_line(q: Questionnaire, response: Response, unit_id: str) -> str | None:
    """ "Planmatig → geïntegreerd" or "Planmatig (aanhouden)"; None when the questionnaire asks no level."""
    level_question, target_question = _level_questions(q)
    if level_question is None:
        return None
    scale = q.scale_of(level_question)
    current = response.choice(unit_id, level_question.id)
    if current is None or scale is None:
        return "nog niet beantwoord"
    label = scale.level(current).label
    intention = response.choice(unit_id, target_question.id) if target_question else None
    if intention is None or target_question is None:
        return label
    option = target_question.option(intention)
    target = option.target if option else None
    return f"{label} → {scale.level(target).label.lower()}" if target else f"{label} (aanhouden)"


def unit_status(q: Questionnaire, response: Response, unit_id: str) -> str:
    """A unit's answer in one line: where it stands (a level), else its first question's answer."""
    situation = situation_line(q, response, unit_id)
    if situation is not None:
        return situation
    first = next((question for question in q.page_questions(q.page_ids[0]) if question.required), None)
    answer = response.answer(unit_id, first.id) if first else None
    return format_answer(q, first, answer) if first and answer else "nog niet beantwoord"


def _summarised_in_status(q: Questionnaire) -> set[str]:
    level, target = _level_questions(q)
    return {question.id for question in (level, target) if question is not None}


def answer_rows(
    q: Questionnaire, response: Response, unit_id: str, *, explanation_limit: int = 150, skip: set[str] = frozenset()
) -> list[tuple[str, str]]:
    """(short label, answer) per question of a unit, each toelichting under it, every statement apart."""
    rows = []
    unit = q.unit(unit_id)
    for question in q.questions:
        if question.id in skip:
            continue
        answer = response.answer(unit_id, question.id)
        if question.type == "agreement" and unit is not None:
            scale = q.scale_of(question)
            for statement in unit.statements:
                rating = answer.ratings.get(statement.id) if answer else None
                rows.append(
                    (
                        safe_text(f"{statement.number}. {statement.short_label}"),
                        scale.level(rating).label if rating and scale else "–",
                    )
                )
            continue
        if question.type == "free_text" and answer is None and not question.required:
            continue
        rows.append((question.short_label, safe_text(format_answer(q, question, answer))))
        if answer and answer.explanation:
            rows.append(("Toelichting", safe_text(shorten(answer.explanation, explanation_limit))))
    return rows


def saved_note(q: Questionnaire, response: Response, unit_id: str, page: str) -> str:
    """The line on the next card that says what was just saved: the record of the answer moves along."""
    unit = q.unit(unit_id)
    if page != q.page_ids[-1]:
        return f"{PART_ONE_SAVED}: **{unit_status(q, response, unit_id)}**"
    saved = (
        f"✔ {_unit_word(q)} {unit.number} bewaard ({safe_text(unit.title)}: "
        f"{unit_status(q, response, unit_id).lower()})."
    )
    # On the overview itself every answer is in sight already.
    return saved if next_step(q, response).kind == "overview" else f"{saved} Typ *overzicht* voor al je antwoorden."


# ----- intro ---------------------------------------------------------------------------------------


def _described_scale(q: Questionnaire) -> Scale | None:
    """The scale whose levels each unit describes (the stadia): the intro shows what they mean."""
    question = next((question for question in q.questions if question.describe_levels), None)
    return q.scale_of(question) if question else None


def intro_card(
    q: Questionnaire,
    *,
    place: str,
    wave_name: str,
    deadline: date | None,
    started: bool,
    progress: Progress | None,
    director_name: str | None,
    subject: str = "self",
    wave_id: str | None = None,
    person_name: str | None = None,
    centre_name: str | None = None,
) -> dict:
    """`place`: whom the answers are for (the centre, or the school); `centre_name` for a school: its CLB."""
    intro = q.intro
    first_name = (person_name or "").split(" ")[0]
    deadline_text = f" · invullen tot {date_text(deadline)}" if deadline else ""
    body = [
        heading(f"Hallo {safe_text(first_name)}!" if first_name else "Hallo!"),
        text(
            f"Welkom bij {'de zelfscan ' if q.respondents == 'team' else ''}**{safe_text(q.title)}**.", spacing="None"
        ),
        subtle(f"{safe_text(place)} · {safe_text(wave_name)}{deadline_text}"),
    ]
    if q.respondents == "schools":
        body.append(
            text(
                f"Je antwoordt voor **{safe_text(place)}**, over de samenwerking met "
                f"**{safe_text(centre_name or '')}**. Eén antwoord per school: wie van je school "
                "verdergaat, ziet wat al ingevuld is."
            )
        )
    body.append(text(safe_text(intro.purpose)))
    if intro.not_a_judgement:
        body.append(text(safe_text(intro.not_a_judgement)))
    more = [text(safe_text(intro.how_it_works))]
    if q.respondents == "team":
        more.append(text(safe_text(intro.after)))
    body += toggle_section("intro-more", intro.title, more)
    scale = _described_scale(q)
    if scale is not None:
        levels = " · ".join(f"**{lv.label}**" + (f" ({lv.phase})" if lv.phase else "") for lv in scale.levels)
        body.append(text(f"Per {q.words.unit} kies je een {scale.name}: {levels}", spacing="Medium"))
        body += toggle_section(
            "intro-continuum",
            f"Wat betekent elk {scale.name}?",
            [text(f"**{lv.label}** — {safe_text(lv.description)}", size="Small") for lv in scale.levels],
        )
    body.append(
        text(
            f"Duurt ongeveer {q.estimated_minutes} minuten. Elk antwoord wordt bewaard zodra je het "
            "geeft — je kan altijd pauzeren en later verdergaan.",
            spacing="Medium",
        )
    )
    if q.respondents == "schools":
        # Who sees what matters most to a school: said in full, not behind a tap.
        body.append(text(safe_text(intro.after), size="Small"))
    elif director_name:
        body.append(
            text(
                f"Wie ziet je antwoorden? Je directeur ({safe_text(director_name)}) ziet ze en stelt "
                "daarna met het beleidsteam het antwoord van het centrum samen. POC+ ziet de resultaten "
                "van het centrum.",
                size="Small",
            )
        )
    else:
        body.append(
            text(
                "Als directeur zie je de antwoorden van je teamleden en leg je daarna het antwoord van "
                "het centrum vast. POC+ ziet de resultaten van het centrum.",
                size="Small",
            )
        )
    body.append(subtle("Typ op elk moment *help* voor wat je kan doen."))
    if started and progress is not None:
        body.append(text(f"Je beantwoordde al **{progress.answered} van {progress.total}** {q.words.units}."))
        button = "Ga verder waar je was"
    else:
        button = f"Start {survey_noun(q)}"
    return card(body, [submit(button, action_data("start", wave=wave_id, subject=subject), style="positive")])


# ----- one unit, page by page ----------------------------------------------------------------------


def _header(q: Questionnaire, unit: Unit, page: str) -> list[dict]:
    parts = [f"{_unit_word(q)} {unit.number} van {len(q.units)}"]
    if len(q.page_ids) > 1:
        parts.append(f"deel {q.page_ids.index(page) + 1}/{len(q.page_ids)}")
    if len(q.clusters) > 1:
        parts.append(safe_text(q.cluster_of(unit.id).title))
    return [subtle(" · ".join(parts)), heading(safe_text(unit.title))]


def _definition(unit: Unit) -> list[dict]:
    if not unit.definition:
        return []
    opening, rest = first_sentences(unit.definition, 200)
    items = [text(safe_text(opening), size="Small")]
    more = [text(safe_text(rest), size="Small")] if rest else []
    more += [text(safe_text(reference), size="Small") for reference in unit.rclbk]
    if unit.reflection:
        if unit.reflection_title:
            more.append(text(f"**{safe_text(unit.reflection_title)}**", size="Small"))
        more += [text("• " + safe_text(item), size="Small", spacing="None") for item in unit.reflection]
    if more:
        items += toggle_section(f"about-{unit.id}", "Meer uitleg", more, open_title="Minder uitleg")
    return items


def _level_descriptions(q: Questionnaire, question: Question, unit: Unit, opened: set[str]) -> list[dict]:
    """The unit's own description of every level, its defining sentences visible, the rest one tap away."""
    scale = q.scale_of(question)
    assert scale is not None  # describe_levels needs a scale: checked when the questionnaire was loaded
    where = unit.in_sentence or f"‘{unit.title}’"
    items = [text(f"**Hoe ziet elk {scale.name} eruit voor {safe_text(where)}?**", spacing="Medium")]
    for level in scale.levels:
        opening, rest = first_sentences(unit.descriptions[level.id], STADIUM_OPENING)
        items.append(
            text(f"**{level.label}**" + (f" ({level.phase})" if level.phase else ""), spacing="Medium", color="Accent")
        )
        items.append(text(safe_text(opening), size="Small", spacing="None"))
        if rest:
            items += toggle_section(
                f"level-{unit.id}-{level.id}",
                "Lees meer",
                [text(safe_text(rest), size="Small")],
                visible=level.id in opened,
                open_title="Lees minder",
            )
    return items


def answer_values(question: Question, answer: QuestionAnswer | None) -> dict[str, str]:
    """A stored answer as the inputs of its question: what the card shows again."""
    if answer is None:
        return {}
    if question.type == "free_text":
        return {question.id: answer.text} if answer.text else {}
    if question.type == "agreement":
        return {input_id(question, statement): level for statement, level in answer.ratings.items()}
    if question.type == "ordered_choice":
        values = {input_id(question, n): choice for n, choice in enumerate(answer.choices, 1)}
        if answer.declined:
            values[input_id(question, NONE_SUFFIX)] = "true"
        return values
    values = {question.id: ",".join(answer.choices)}
    if answer.other_text:
        values[input_id(question, OTHER_SUFFIX)] = answer.other_text
    if answer.explanation:
        values[input_id(question, EXPLANATION_SUFFIX)] = answer.explanation
    return values


def _stored_values(q: Questionnaire, response: Response, unit_id: str, page: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for question in q.page_questions(page):
        values.update(answer_values(question, response.answer(unit_id, question.id)))
    return values


def note_line(note: str | None) -> list[dict]:
    """A line at the top of the card that moved on: what was just saved (✔), or what to watch out for.

    Markdown: whatever a person or POC+ typed must already have gone through safe_text."""
    if not note:
        return []
    return [text(note, size="Small", spacing="Small", color="Good" if note.startswith("✔") else "Warning")]


def _first_message_per_field(errors: Sequence[FieldError]) -> dict[str, str]:
    """One message per field: the first, which is the most specific (what was wrong with the value
    itself comes before what is missing across fields)."""
    by_field: dict[str, str] = {}
    for error in errors:
        by_field.setdefault(error.field, error.message)
    return by_field


def _message(errors: dict[str, str], field: str) -> list[dict]:
    # A message may quote what was submitted: shown literally.
    return [text(safe_text(errors[field]), color="Attention", size="Small", spacing="Small")] if field in errors else []


def _text_input(
    field: str,
    label: str,
    values: dict[str, str],
    *,
    multiline: bool = True,
    max_length: int = TEXT_LIMIT,
    placeholder: str | None = None,
    required: bool = False,
    error: str | None = None,
) -> dict:
    element = {"type": "Input.Text", "id": field, "label": label, "isMultiline": multiline, "maxLength": max_length}
    if placeholder:
        element["placeholder"] = placeholder
    if required:
        element["isRequired"] = True
        element["errorMessage"] = error or "Vul dit in."
    if values.get(field):
        element["value"] = values[field]
    return element


def _choice_input(question: Question, unit: Unit | None, values: dict[str, str], errors: dict[str, str]) -> list[dict]:
    element = {
        "type": "Input.ChoiceSet",
        "id": question.id,
        "label": safe_text(question.render_text(unit) if unit else question.text),
        "style": "expanded",
        "isRequired": question.required,
        "errorMessage": f"{question.short_label}: kies een antwoord.",
        "choices": [{"title": option.label, "value": option.id} for option in question.options],
    }
    if question.multiple:
        element["isMultiSelect"] = True
    if values.get(question.id):
        element["value"] = values[question.id]
    items = [element, *_message(errors, question.id)]
    chosen = set(split_choices(values.get(question.id)))
    for option in question.options:
        if option.needs_text:
            # Cards cannot show a field when a box is ticked: the field opens with one tap right under it.
            field = input_id(question, OTHER_SUFFIX)
            word = option.label.rstrip(": ")
            opened = option.id in chosen or bool(values.get(field)) or field in errors
            items += toggle_section(
                f"{field}-section",
                f"+ {word}: vul aan",
                [
                    _text_input(field, f"Bij ‘{word}’: wat bedoel je?", values, multiline=False, max_length=500),
                    *_message(errors, field),
                ],
                visible=opened,
            )
    if question.explanation_label:
        field = input_id(question, EXPLANATION_SUFFIX)
        opened = bool(values.get(field)) or field in errors
        items += toggle_section(
            f"{field}-section",
            "+ toelichting",
            [_text_input(field, EXPLANATION_LABEL, values), *_message(errors, field)],
            visible=opened,
        )
    return items


def _free_text_input(
    question: Question, unit: Unit | None, values: dict[str, str], errors: dict[str, str]
) -> list[dict]:
    label = question.render_text(unit) if unit else question.text
    return [
        _text_input(
            question.id,
            safe_text(label),
            values,
            placeholder=question.placeholder,
            required=question.required,
            error=f"{question.short_label}: vul dit in.",
        ),
        *_message(errors, question.id),
    ]


def _ordered_input(
    q: Questionnaire, question: Question, unit: Unit | None, values: dict[str, str], errors: dict[str, str]
) -> list[dict]:
    items = [
        text(f"**{safe_text(question.short_label)}**"),
        text(safe_text(question.render_text(unit) if unit else question.text), size="Small", spacing="None"),
    ]
    choices = _unit_choices(q)
    for n in range(1, question.max_choices + 1):
        field = input_id(question, n)
        required = n <= question.min_choices
        element = {
            "type": "Input.ChoiceSet",
            "id": field,
            "style": "compact",
            "placeholder": f"Kies een {q.words.unit}",
            "label": question.slot(n) + ("" if required else " (niet verplicht)"),
            "isRequired": required,
            "errorMessage": f"{question.slot(n)}: kies een {q.words.unit}.",
            "choices": choices,
        }
        if values.get(field):
            element["value"] = values[field]
        items += [element, *_message(errors, field)]
    if question.none_label:
        field = input_id(question, NONE_SUFFIX)
        items.append(
            {
                "type": "Input.Toggle",
                "id": field,
                "title": question.none_label,
                "valueOn": "true",
                "valueOff": "false",
                "value": values.get(field, "false"),
            }
        )
        items += _message(errors, field)
    return items


def _agreement_input(
    q: Questionnaire, question: Question, unit: Unit, values: dict[str, str], errors: dict[str, str]
) -> list[dict]:
    """One choice per statement: its number and text as the label, the scale's levels one tap each."""
    scale = q.scale_of(question)
    assert scale is not None  # an agreement question needs a scale: checked when the questionnaire was loaded
    levels = [*scale.levels, *((scale.not_applicable,) if scale.not_applicable else ())]
    choices = [{"title": level.label, "value": level.id} for level in levels]
    items = [text(f"**{safe_text(question.render_text(unit))}**")]
    for statement in unit.statements:
        field = input_id(question, statement.id)
        element = {
            "type": "Input.ChoiceSet",
            "id": field,
            "style": "expanded",
            "spacing": "Large",
            "label": safe_text(f"{statement.number}. {statement.text}"),
            "isRequired": question.required,
            "errorMessage": f"Stelling {statement.number}: kies een antwoord.",
            "choices": choices,
        }
        if values.get(field):
            element["value"] = values[field]
        items += [element, *_message(errors, field)]
    return items


def question_items(
    q: Questionnaire, question: Question, unit: Unit | None, values: dict[str, str], errors: dict[str, str]
) -> list[dict]:
    """The inputs of one question, by its type."""
    if question.type == "free_text":
        return _free_text_input(question, unit, values, errors)
    if question.type == "ordered_choice":
        return _ordered_input(q, question, unit, values, errors)
    if question.type == "agreement":
        assert unit is not None  # asked per unit
        return _agreement_input(q, question, unit, values, errors)
    return _choice_input(question, unit, values, errors)


def _opened_levels(q: Questionnaire, question: Question, values: dict[str, str]) -> set[str]:
    # Teams does not submit which sections were open: the levels the person chose open again.
    chosen = {values.get(question.id, "")}
    for target in q.questions_for("target_level"):
        if target.relative_to == question.id:
            option = target.option(values.get(target.id, ""))
            if option is not None and option.target:
                chosen.add(option.target)
    return chosen


def _question_of(q: Questionnaire, questions: Sequence[Question], unit: Unit | None, field: str) -> Question | None:
    return next((question for question in questions if field in input_ids(q, question, unit)), None)


def _not_saved(
    q: Questionnaire, questions: Sequence[Question], unit: Unit | None, errors: Sequence[FieldError]
) -> dict:
    found = [_question_of(q, questions, unit, e.field) for e in errors]
    labels = list(dict.fromkeys(question.short_label for question in found if question is not None))
    where = f"zie de melding bij {' en '.join(labels)}" if labels else safe_text(" ".join(e.message for e in errors))
    return text(f"**Nog niet bewaard:** {where}.", color="Attention", size="Small", spacing="Medium")


def page_card(
    q: Questionnaire,
    unit_id: str,
    page: str,
    response: Response,
    *,
    values: dict[str, str] | None = None,
    errors: Sequence[FieldError] = (),
    subject: str = "self",
    centre: str | None = None,
    preamble: Sequence[dict] = (),
    note: str | None = None,
) -> dict:
    """One page of a unit. With errors: the inputs as submitted, each message at its field,
    and the sections that hold something (or the levels chosen) open again."""
    unit = q.unit(unit_id)
    assert unit is not None
    shown = values if values is not None else _stored_values(q, response, unit_id, page)
    by_field = _first_message_per_field(errors)
    questions = q.page_questions(page)
    body = [*_header(q, unit, page), *note_line(note), *preamble]
    first_page = page == q.page_ids[0]
    if first_page:
        body += _definition(unit)
    elif not (note or "").startswith(PART_ONE_SAVED) and (line := situation_line(q, response, unit_id)):
        body.append(text(f"Deel 1: **{line}**", size="Small"))
    for question in questions:
        if question.describe_levels:
            body += _level_descriptions(q, question, unit, _opened_levels(q, question, shown) if errors else set())
        body.append(
            {
                "type": "Container",
                "spacing": "Large",
                "separator": True,
                "items": question_items(q, question, unit, shown, by_field),
            }
        )
    if errors:
        body.append(_not_saved(q, questions, unit, errors))
    # "Bewaar wijziging" only when there is something to change: an answer already given.
    editing = response.editing == (unit_id, page) and response.is_page_answered(q, unit_id, page)
    primary = "Bewaar wijziging" if editing else "Bewaar en ga verder"
    args = _subject_args(subject, centre)
    return card(
        body,
        [
            submit(
                primary,
                action_data("save_page", wave=response.wave_id, unit=unit_id, page=page, rev=response.revision, **args),
                style="positive",
            ),
            submit("Pauzeer", action_data("pause", wave=response.wave_id, **args), inputs=False),
        ],
    )


def replaced_card() -> dict:
    """What a survey card becomes when a newer one took over: no buttons, so nothing stale to press."""
    return card(
        [
            text("Deze kaart is vervangen door een nieuwere. Je antwoorden zijn bewaard.", size="Small", isSubtle=True),
            subtle("Typ *verder* om verder te gaan waar je was."),
        ]
    )


def paused_card(q: Questionnaire, response: Response, *, subject: str = "self", centre: str | None = None) -> dict:
    """The card after *Pauzeer*: where the person stopped, and one button to go on."""
    state = progress(q, response)
    return card(
        [
            text("⏸ Gepauzeerd", weight="Bolder"),
            text(
                f"Alles wat je antwoordde is bewaard ({state.answered} van {state.total} {q.words.units}). Ga verder "
                "wanneer je wil, ook over een paar dagen: met de knop of door *verder* te typen.",
                size="Small",
            ),
        ],
        [
            submit(
                "Ga verder",
                action_data("start", wave=response.wave_id, **_subject_args(subject, centre)),
                style="positive",
            )
        ],
    )


# ----- overview, final questions, confirmation ----------------------------------------------------


def _overview_status(q: Questionnaire, response: Response, unit_id: str) -> str:
    if response.is_unit_answered(q, unit_id):
        return unit_status(q, response, unit_id)
    if response.is_page_answered(q, unit_id, q.page_ids[0]) and len(q.page_ids) > 1:
        return f"{unit_status(q, response, unit_id)} · deel 2 nog open"
    return "nog niet beantwoord"


def overview_card(
    q: Questionnaire,
    response: Response,
    *,
    subject: str = "self",
    centre: str | None = None,
    title: str | None = None,
    note: str | None = None,
) -> dict:
    state = progress(q, response)
    args = _subject_args(subject, centre)
    locked = response.is_submitted
    body = [
        heading(safe_text(title or "Overzicht van je antwoorden")),
        subtle(
            f"{state.answered} van {state.total} {q.words.units} beantwoord"
            + (" · definitief verzonden" if locked else "")
        ),
        *note_line(note),
    ]
    skip = _summarised_in_status(q)
    for cluster in q.clusters:
        body.append(text(f"**{safe_text(cluster.title)}**", spacing="Large", separator=True))
        for unit in cluster.units:
            answered = response.is_unit_answered(q, unit.id)
            # safe_text also keeps "1. Title" from becoming an indented Markdown list.
            columns = [
                {
                    "type": "Column",
                    "width": "stretch",
                    "items": [
                        text(safe_text(f"{unit.number}. {unit.title}"), size="Small", weight="Bolder"),
                        subtle(safe_text(_overview_status(q, response, unit.id))),
                    ],
                }
            ]
            if not locked:
                columns.append(
                    {
                        "type": "Column",
                        "width": "auto",
                        "verticalContentAlignment": "Center",
                        "items": [
                            {
                                "type": "ActionSet",
                                "actions": [
                                    submit(
                                        "Wijzig" if answered else "Beantwoorden",
                                        action_data("edit", wave=response.wave_id, unit=unit.id, **args),
                                    )
                                ],
                            },
                        ],
                    }
                )
            body.append({"type": "ColumnSet", "spacing": "Small", "columns": columns})
            if answered:
                body += toggle_section(
                    f"overview-{unit.id}",
                    "Details",
                    [facts(answer_rows(q, response, unit.id, explanation_limit=300, skip=skip))],
                    open_title="Minder",
                    spacing="Small",
                )
    if response.closing is not None:
        body.append(text(f"**{safe_text(q.final.title)}**", spacing="Large", separator=True))
        body.append(facts(final_rows(q, response)))
    actions = []
    if not locked:
        if state.remaining:
            actions.append(submit("Ga verder", action_data("start", wave=response.wave_id, **args), style="positive"))
        elif response.closing is None:
            actions.append(
                submit(
                    f"Verder naar {_final_name(q)}",
                    action_data("closing", wave=response.wave_id, **args),
                    style="positive",
                )
            )
        else:
            actions.append(
                submit(
                    f"{_final_name(q)[3:].capitalize()} bekijken en verzenden",
                    action_data("closing", wave=response.wave_id, **args),
                    style="positive",
                )
            )
    return card(body, actions)


def final_rows(q: Questionnaire, response: Response) -> list[tuple[str, str]]:
    """The final answers: every slot of an ordered choice apart, a text shortened, an empty one said so."""
    rows: list[tuple[str, str]] = []
    for question in q.final.questions:
        answer = response.final_answer(question.id)
        if question.type == "ordered_choice" and answer is not None and not answer.declined:
            rows += [
                (question.slot(n), safe_text(q.unit(c).title if q.unit(c) else c))
                for n, c in enumerate(answer.choices, 1)
            ]
        elif question.type == "free_text":
            rows.append((question.short_label, safe_text(shorten(answer.text, 300)) if answer else "niet ingevuld"))
        else:
            rows.append((question.short_label, safe_text(format_answer(q, question, answer))))
    return rows


def _final_values(q: Questionnaire, response: Response) -> dict[str, str]:
    values: dict[str, str] = {}
    for question in q.final.questions:
        values.update(answer_values(question, response.final_answer(question.id)))
    return values


def closing_card(
    q: Questionnaire,
    response: Response,
    *,
    values: dict[str, str] | None = None,
    errors: Sequence[FieldError] = (),
    subject: str = "self",
    centre: str | None = None,
    note: str | None = None,
) -> dict:
    shown = values if values is not None else _final_values(q, response)
    by_field = _first_message_per_field(errors)
    body = [heading(safe_text(q.final.title)), subtle(f"Over alle {q.words.units} heen"), *note_line(note)]
    for question in q.final.questions:
        body.append(
            {
                "type": "Container",
                "spacing": "Large",
                "separator": True,
                "items": question_items(q, question, None, shown, by_field),
            }
        )
    if errors:
        body.append(_not_saved(q, q.final.questions, None, errors))
    args = _subject_args(subject, centre)
    return card(
        body,
        [
            submit(
                "Bewaar en ga naar verzenden",
                action_data("save_closing", wave=response.wave_id, rev=response.revision, **args),
                style="positive",
            ),
            submit("Terug naar het overzicht", action_data("overview", wave=response.wave_id, **args), inputs=False),
        ],
    )


def confirm_card(
    q: Questionnaire, response: Response, *, subject: str = "self", centre: str | None = None, note: str | None = None
) -> dict:
    state = progress(q, response)
    args = _subject_args(subject, centre)
    body = [
        heading("Klaar om te verzenden"),
        *note_line(note),
        text(f"Je beantwoordde **{state.answered} van {state.total}** {q.words.units} en {_final_name(q)}."),
        facts(final_rows(q, response)),
        {
            "type": "Container",
            "style": "warning",
            "items": [
                text(
                    "Als je verdergaat, worden je antwoorden **definitief** verzonden. Daarna kan je ze nog bekijken, "
                    "maar niet meer wijzigen."
                )
            ],
        },
    ]
    return card(
        body,
        [
            submit(
                "Definitief verzenden",
                action_data("submit", wave=response.wave_id, rev=response.revision, **args),
                style="positive",
            ),
            submit("Terug naar het overzicht", action_data("overview", wave=response.wave_id, **args)),
        ],
    )


def submitted_card(q: Questionnaire, response: Response, *, place: str) -> dict:
    moment = response.submitted_at.astimezone(TIMEZONE).strftime("%d-%m-%Y om %H:%M")
    body = [
        heading("Bedankt!"),
        text(f"✔ Definitief verzonden op {moment}.", weight="Bolder", color="Good"),
        subtle(safe_text(place)),
    ]
    for cluster in q.clusters:
        body.append(text(f"**{safe_text(cluster.title)}**", size="Small", spacing="Medium"))
        body.append(
            facts(
                [
                    (safe_text(f"{u.number}. {u.title}"), safe_text(unit_status(q, response, u.id)))
                    for u in cluster.units
                ]
            )
        )
    body.append(text(f"**{safe_text(q.final.title)}**", size="Small", spacing="Medium"))
    body.append(facts(final_rows(q, response)))
    body.append(
        text("Je antwoorden kunnen niet meer gewijzigd worden. Typ *overzicht* om ze te bekijken.", size="Small")
    )
    return card(body)


# ----- help and progress -----------------------------------------------------------------------------


def _how_to_answer(q: Questionnaire, question: Question, unit: Unit | None) -> str:
    """One line per question: what it asks (quoted), and how to answer it on the card."""
    asked = safe_text(question.render_text(unit) if unit else question.text).rstrip(" :")
    asked = f"“{asked}”" if asked.endswith(("?", ".", "!", ")")) else f"“{asked} …”"
    label = f"**{question.short_label}:**"
    optional = " Niet verplicht." if not question.required else ""
    if question.type == "agreement":
        scale = q.scale_of(question)
        nvt = (
            f" Past een stelling niet bij {q.words.subject}? Kies ‘{scale.not_applicable.label.lower()}’."
            if scale and scale.not_applicable
            else ""
        )
        return f"{label} kies bij elke stelling hoe akkoord je bent, met één tik.{nvt}"
    if question.type == "free_text":
        return f"{label} {asked} Schrijf het in je eigen woorden.{optional}"
    if question.type == "ordered_choice":
        how_many = (
            f"tot {question.max_choices}"
            if not question.min_choices
            else f"{question.min_choices} tot {question.max_choices}"
        )
        opt_out = f" Of vink aan: {question.none_short_label}." if question.none_label else ""
        return f"{label} {asked} Kies {how_many} {q.words.units}, de belangrijkste eerst.{opt_out}"
    if question.describe_levels:
        scale = q.scale_of(question)
        name = scale.name if scale else "antwoord"
        return (
            f"{label} {asked} Lees bij elk {name} wat het hier betekent (*Lees meer* toont de rest) en kies "
            "er één. Twijfel je tussen twee? Kies wat er het best bij aansluit."
        )
    if question.multiple:
        exclusive = [o.short_label or o.label for o in question.options if o.exclusive]
        alone = f" (behalve ‘{exclusive[0]}’: dat staat alleen)" if exclusive else ""
        return f"{label} {asked} Je kan meer dan één antwoord aanvinken{alone}.{optional}"
    return f"{label} {asked} Kies één antwoord.{optional}"


def step_help(q: Questionnaire, step: Step) -> list[dict]:
    """What the card the person is on asks, and how to answer each of its questions."""
    if step.kind == "page" and step.unit_id is not None and step.page is not None:
        unit = q.unit(step.unit_id)
        part = f", deel {q.page_ids.index(step.page) + 1} van {len(q.page_ids)}" if len(q.page_ids) > 1 else ""
        lines = [f"**Waar je nu bent:** {q.words.unit} {unit.number}, {safe_text(unit.title)}{part}."]
        questions = q.page_questions(step.page)
        lines += [_how_to_answer(q, question, unit) for question in questions]
        if any(question.explanation_label for question in questions):
            lines.append("Een toelichting is niet verplicht (*+ toelichting*).")
    elif step.kind in ("overview", "closing"):
        lines = [f"**Waar je nu bent:** alle {q.words.units} zijn beantwoord; nu {_final_name(q)}."]
        lines += [_how_to_answer(q, question, None) for question in q.final.questions]
    elif step.kind == "confirm":
        lines = [
            "**Waar je nu bent:** verzenden. Kijk je antwoorden na; na *Definitief verzenden* kan je ze niet meer "
            "wijzigen."
        ]
    else:
        return []
    return [text(line, size="Small") for line in lines]


def help_card(
    *,
    role: str,
    words: Words | None = None,
    glossary_example: str | None = None,
    is_admin: bool = False,
    about: Sequence[dict] = (),
    today: date | None = None,
    command_words: tuple[str, ...] = (),
    schools_survey: bool = False,
) -> dict:
    """The commands; `words` of the questionnaire the person answers (none: a guest); `command_words`
    launch the other questionnaires (POC+), `schools_survey` says a director can question their schools."""
    units = words.units if words else "onderdelen"
    unit = words.unit if words else "onderdeel"
    rows = [
        ("verder", "ga verder waar je was (ook: start)"),
        ("voortgang", f"hoeveel {units} je al beantwoordde en wat nog rest"),
        ("overzicht", "al je antwoorden, met een knop om te wijzigen"),
        ("wijzig 3", f"een {unit} wijzigen, op nummer of naam"),
        ("pauze", "even stoppen; alles blijft bewaard (ook: later)"),
    ]
    if glossary_example:
        rows.append((f"wat is {glossary_example}?", "uitleg bij een begrip of afkorting uit de handleiding"))
    rows.append(("mijn gegevens", "wat Poolster over jou bewaart"))
    if role == "director":
        rows += [
            ("team", "het overzicht van je team, opnieuw"),
            ("centrum", "het antwoord van het centrum invullen"),
            ("eigen", "terug naar je eigen antwoorden"),
            ("rapport", "het rapport van het centrum (pdf)"),
        ]
        if schools_survey:
            rows += [
                ("scholen", "wat de scholen over de samenwerking zeggen"),
                ("bevraag de scholen tot dd-mm-jjjj", "je scholen bevragen over de samenwerking met je CLB"),
            ]
    body = [heading("Hulp"), *about, text("**Wat kan je typen?**", spacing="Medium"), facts(rows)]
    if is_admin:
        body += [text("**Voor POC+**", spacing="Medium"), facts(admin_help_rows(today or date.today(), command_words))]
    return card(body)


def progress_card(q: Questionnaire, response: Response, *, subject: str = "self", centre: str | None = None) -> dict:
    state = progress(q, response)
    bar = "".join("■" if response.is_unit_answered(q, u.id) else "□" for u in q.units)
    body = [
        heading("Je voortgang"),
        text(f"**{state.answered} van {state.total}** {q.words.units} beantwoord"),
        text(bar, size="Large", spacing="None", fontType="Monospace"),
    ]
    if state.remaining:
        body.append(text("Nog te doen:", size="Small"))
        body.append(facts([(str(u.number), safe_text(u.title)) for u in state.remaining]))
    final = _final_name(q)
    body.append(
        text(
            f"{final[3:].capitalize()}: " + ("beantwoord" if state.closing_done else "nog niet beantwoord"),
            size="Small",
        )
    )
    if state.submitted:
        body.append(text("✔ Je antwoorden zijn verzonden.", color="Good"))
        return card(body)
    return card(
        body,
        [
            submit(
                "Ga verder",
                action_data("start", wave=response.wave_id, **_subject_args(subject, centre)),
                style="positive",
            )
        ],
    )


def final_saved_note(q: Questionnaire) -> str:
    """ "✔ Slotvragen bewaard.", "✔ Laatste vraag bewaard."."""
    return f"✔ {_final_name(q)[3:].capitalize()} bewaard."


def remaining_text(q: Questionnaire, remaining: int) -> str:
    """Why the final page must wait: "Eerst nog 2 bouwstenen, dan volgen de slotvragen."."""
    follows = "volgt" if len(q.final.questions) == 1 else "volgen"
    return f"Eerst nog {plural(remaining, q.words.unit, q.words.units)}, dan {follows} {_final_name(q)}."


# ----- two waves side by side ----------------------------------------------------------------------

WAVE_LABEL_ID = "wave-label"
WAVE_CHOICE_ID = "wave-choice"


def with_wave_label(card_: dict, wave_name: str) -> dict:
    """The card, headed by the wave it belongs to (when two waves run, every card says which); a card
    that chooses between waves names them itself."""
    body = card_.get("body") or []
    if body and body[0].get("id") in (WAVE_LABEL_ID, WAVE_CHOICE_ID):
        return card_
    label = text(
        f"Ronde: {safe_text(wave_name)}",
        id=WAVE_LABEL_ID,
        size="Small",
        weight="Bolder",
        color="Accent",
        spacing="None",
    )
    return {**card_, "body": [label, *body]}


def wave_choice_card(
    title: str, intro: str, waves: Sequence[tuple[str, Sequence[str]]], buttons: Sequence[tuple[str, dict]]
) -> dict:
    """Several waves and where someone stands in each (short lines under its name), with a button
    per wave: an explicit choice."""
    body = [heading(safe_text(title), size="Medium", id=WAVE_CHOICE_ID), text(safe_text(intro))]
    for name, lines in waves:
        body.append(text(f"**{safe_text(name)}**", spacing="Medium"))
        body += [subtle(safe_text(line)) for line in lines]
    return card(body, [submit(label, data) for label, data in buttons])
