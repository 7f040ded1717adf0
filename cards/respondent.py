"""Cards for the respondent's conversation: intro, one bouwsteen in two pages, overview, closing,
confirmation and summary. Short visible text, the rest one tap away (phones first)."""

from __future__ import annotations

from datetime import date
from typing import Sequence

from cards.common import (
    card,
    error_banner,
    facts,
    first_sentences,
    heading,
    safe_text,
    submit,
    subtle,
    text,
    toggle_section,
)
from dialogs.payloads import action_data
from survey.answers import PAGE_IDS, PAGES, FieldError, Response
from survey.progress import Progress, progress
from survey.questionnaire import Bouwsteen, Question, Questionnaire
from survey.waves import TIMEZONE, date_text

EXPLANATION_LABEL = "Toelichting (niet verplicht)"


def _subject_args(subject: str, centre: str | None) -> dict:
    return {"subject": subject, "centre": centre}


def _option_label(question: Question, option_id: str) -> str:
    option = question.option(option_id)
    return option.label.rstrip(":") if option else option_id


def _answer_text(q: Questionnaire, response: Response, bouwsteen_id: str, question_id: str) -> str:
    answer = response.answer(bouwsteen_id, question_id)
    if answer is None:
        return "–"
    question = q.question(question_id)
    labels = [_option_label(question, choice) for choice in answer.choices]
    if answer.other_text:
        labels = [f"{label}: {answer.other_text}" if question.option(c).needs_text else label
                  for c, label in zip(answer.choices, labels)]
    return "; ".join(labels)


def _shorten(value: str, limit: int = 150) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def situation_line(q: Questionnaire, response: Response, bouwsteen_id: str) -> str:
    """"Planmatig → geïntegreerd" or "Planmatig (aanhouden)"."""
    current = response.choice(bouwsteen_id, "current_stadium")
    intention = response.choice(bouwsteen_id, "intention")
    if current is None:
        return "nog niet beantwoord"
    label = q.stadium(current).label
    if intention is None:
        return label
    target = q.question("intention").option(intention).target_stadium
    return f"{label} → {q.stadium(target).label.lower()}" if target else f"{label} (aanhouden)"


# ----- intro ---------------------------------------------------------------------------------------

def intro_card(q: Questionnaire, *, centre_name: str, wave_name: str, deadline: date | None, started: bool,
               progress: Progress | None, director_name: str | None, subject: str = "self",
               wave_id: str | None = None) -> dict:
    intro = q.intro
    stadia = [
        text(f"**{s.label}**" + (f" ({s.phase})" if s.phase else ""), spacing="Small")
        for s in q.continuum
    ]
    continuum_details = [text(f"**{s.label}** — {safe_text(s.description)}", size="Small") for s in q.continuum]
    if director_name:
        who = (f"Wie ziet je antwoorden? Je directeur ({safe_text(director_name)}) ziet ze en stelt daarna met het "
               "beleidsteam het antwoord van het centrum samen. POC+ ziet de resultaten van het centrum.")
    else:
        who = ("Als directeur zie je de antwoorden van je teamleden en leg je daarna het antwoord van het "
               "centrum vast. POC+ ziet de resultaten van het centrum.")
    deadline_text = f" · invullen tot {date_text(deadline)}" if deadline else ""
    body = [
        heading(safe_text(intro.title)),
        subtle(f"{safe_text(centre_name)} · {safe_text(wave_name)}{deadline_text}"),
        text(safe_text(intro.purpose)),
        text(safe_text(intro.not_a_judgement)),
        *toggle_section("intro-more", "Meer over de zelfscan",
                        [text(safe_text(intro.how_it_works)), text(safe_text(intro.after))]),
        text("**De vier stadia**", spacing="Medium"),
        *stadia,
        *toggle_section("intro-continuum", "Wat betekenen de stadia?", continuum_details),
        text(f"Duurt ongeveer {q.estimated_minutes} minuten. Elk antwoord wordt bewaard zodra je het geeft — "
             "je kan altijd pauzeren en later verdergaan.", spacing="Medium"),
        text(who, size="Small"),
        subtle("Typ op elk moment *help* voor wat je kan doen."),
    ]
    if started and progress is not None:
        body.append(text(f"Je beantwoordde al **{progress.answered} van {progress.total}** bouwstenen."))
        button = "Ga verder waar je was"
    else:
        button = "Start de zelfscan"
    return card(body, [submit(button, action_data("start", wave=wave_id, subject=subject), style="positive")])


# ----- one bouwsteen, two pages --------------------------------------------------------------------

def _header(q: Questionnaire, bouwsteen: Bouwsteen, page: str) -> list[dict]:
    cluster = q.cluster_of(bouwsteen.id)
    part = PAGE_IDS.index(page) + 1
    return [
        subtle(f"Bouwsteen {bouwsteen.number} van {len(q.bouwstenen)} · deel {part}/{len(PAGE_IDS)} · "
               f"{safe_text(cluster.title)}"),
        heading(safe_text(bouwsteen.title)),
    ]


def _definition(bouwsteen: Bouwsteen) -> list[dict]:
    opening, rest = first_sentences(bouwsteen.definition, 200)
    items = [text(safe_text(opening), size="Small")]
    if rest:
        items += toggle_section(f"definition-{bouwsteen.id}", "Lees de hele definitie",
                                [text(safe_text(rest), size="Small")])
    references = [text(safe_text(reference), size="Small") for reference in bouwsteen.rclbk]
    reflections = [text("• " + safe_text(item), size="Small", spacing="None") for item in bouwsteen.reflection]
    if references or reflections:
        title = [text(f"**{safe_text(bouwsteen.reflection_title)}**", size="Small")] if bouwsteen.reflection_title else []
        items += toggle_section(f"references-{bouwsteen.id}", "Verwachtingen en reflectievragen",
                                references + title + reflections)
    return items


def _stadia(q: Questionnaire, bouwsteen: Bouwsteen) -> list[dict]:
    items = [text("**Hoe ziet elk stadium eruit voor deze bouwsteen?**", spacing="Medium")]
    for stadium in q.continuum:
        description = bouwsteen.stadia[stadium.id]
        opening, rest = first_sentences(description, 180)
        items.append(text(f"**{stadium.label}**" + (f" ({stadium.phase})" if stadium.phase else ""),
                          spacing="Small", color="Accent"))
        items.append(text(safe_text(opening), size="Small", spacing="None"))
        if rest:
            items += toggle_section(f"stadium-{bouwsteen.id}-{stadium.id}", "Lees meer",
                                    [text(safe_text(rest), size="Small")])
    return items


def _stored_values(response: Response, bouwsteen_id: str, page: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for question_id in PAGES[page]:
        answer = response.answer(bouwsteen_id, question_id)
        if answer is None:
            continue
        values[question_id] = ",".join(answer.choices)
        if answer.other_text:
            values[f"{question_id}_other"] = answer.other_text
        if answer.explanation:
            values[f"{question_id}_explanation"] = answer.explanation
    return values


def _choice_input(q: Questionnaire, question: Question, bouwsteen: Bouwsteen, values: dict[str, str],
                  errors: dict[str, str]) -> list[dict]:
    element = {
        "type": "Input.ChoiceSet",
        "id": question.id,
        "label": safe_text(question.render_text(bouwsteen)),
        "style": "expanded",
        "isRequired": question.required,
        "errorMessage": "Kies een antwoord.",
        "choices": [{"title": option.label, "value": option.id} for option in question.options],
    }
    if question.multiple:
        element["isMultiSelect"] = True
    if values.get(question.id):
        element["value"] = values[question.id]
    items = [element]
    if question.id in errors:
        items.append(text(errors[question.id], color="Attention", size="Small", spacing="None"))
    for option in question.options:
        if option.needs_text:
            other_id = f"{question.id}_other"
            items.append(_text_input(other_id, f"Bij ‘{option.label.rstrip(':')}’: welke andere deelgroepen?",
                                     values, errors, multiline=False, max_length=500))
    if question.explanation_label:
        items.append(_text_input(f"{question.id}_explanation", EXPLANATION_LABEL, values, errors))
    return items


def _text_input(input_id: str, label: str, values: dict[str, str], errors: dict[str, str], *,
                multiline: bool = True, max_length: int = 2000) -> dict | list:
    element = {"type": "Input.Text", "id": input_id, "label": label, "isMultiline": multiline,
               "maxLength": max_length}
    if values.get(input_id):
        element["value"] = values[input_id]
    if input_id in errors:
        return {"type": "Container", "items": [element, text(errors[input_id], color="Attention", size="Small")]}
    return element


def page_card(q: Questionnaire, bouwsteen_id: str, page: str, response: Response, *,
              values: dict[str, str] | None = None, errors: Sequence[FieldError] = (), subject: str = "self",
              centre: str | None = None, preamble: Sequence[dict] = ()) -> dict:
    bouwsteen = q.bouwsteen(bouwsteen_id)
    shown = values if values is not None else _stored_values(response, bouwsteen_id, page)
    by_field = {error.field: error.message for error in errors}
    body = list(_header(q, bouwsteen, page))
    if errors:
        body.append(error_banner([error.message for error in errors]))
    body += list(preamble)
    if page == "situering":
        body += _definition(bouwsteen)
        body += _stadia(q, bouwsteen)
    else:
        body.append(text(f"Jullie situering: **{situation_line(q, response, bouwsteen_id)}**", size="Small"))
    for question_id in PAGES[page]:
        body.append({"type": "Container", "spacing": "Large", "separator": True,
                     "items": _choice_input(q, q.question(question_id), bouwsteen, shown, by_field)})
    # "Bewaar wijziging" only when there is something to change: an answer already given.
    editing = response.editing == (bouwsteen_id, page) and response.is_page_answered(bouwsteen_id, page)
    primary = "Bewaar wijziging" if editing else "Bewaar en ga verder"
    args = _subject_args(subject, centre)
    return card(body, [
        submit(primary, action_data("save_page", wave=response.wave_id, bouwsteen=bouwsteen_id, page=page,
                                    rev=response.revision, **args), style="positive"),
        submit("Pauzeer", action_data("pause", wave=response.wave_id, **args)),
    ])


def saved_page_card(q: Questionnaire, bouwsteen_id: str, page: str, response: Response) -> dict:
    bouwsteen = q.bouwsteen(bouwsteen_id)
    part = PAGE_IDS.index(page) + 1
    rows = []
    for question_id in PAGES[page]:
        question = q.question(question_id)
        label = question.render_text(bouwsteen).replace(f" {bouwsteen.in_sentence}", "").rstrip("?:")
        rows.append((_shorten(safe_text(label), 60), safe_text(_answer_text(q, response, bouwsteen_id, question_id))))
        answer = response.answer(bouwsteen_id, question_id)
        if answer and answer.explanation:
            rows.append(("Toelichting", safe_text(_shorten(answer.explanation))))
    return card([
        text(f"✔ Bewaard — bouwsteen {bouwsteen.number}: {safe_text(bouwsteen.title)} (deel {part}/{len(PAGE_IDS)})",
             weight="Bolder", color="Good"),
        facts(rows),
    ])


# ----- overview, closing, confirmation ------------------------------------------------------------

def overview_card(q: Questionnaire, response: Response, *, subject: str = "self", centre: str | None = None,
                  title: str | None = None) -> dict:
    state = progress(q, response)
    args = _subject_args(subject, centre)
    locked = response.is_submitted
    body = [heading(safe_text(title or "Overzicht van je antwoorden")),
            subtle(f"{state.answered} van {state.total} bouwstenen beantwoord"
                   + (" · definitief verzonden" if locked else ""))]
    for cluster in q.clusters:
        body.append(text(f"**{safe_text(cluster.title)}**", spacing="Large", separator=True))
        for bouwsteen in cluster.bouwstenen:
            columns = [{"type": "Column", "width": "stretch", "items": [
                text(f"{bouwsteen.number}. {safe_text(bouwsteen.title)}", size="Small", weight="Bolder"),
                subtle(situation_line(q, response, bouwsteen.id)),
            ]}]
            if not locked:
                columns.append({"type": "Column", "width": "auto", "verticalContentAlignment": "Center", "items": [
                    {"type": "ActionSet", "actions": [
                        submit("Wijzig", action_data("edit", wave=response.wave_id, bouwsteen=bouwsteen.id, **args))]},
                ]})
            body.append({"type": "ColumnSet", "spacing": "Small", "columns": columns})
            if response.is_bouwsteen_answered(bouwsteen.id):
                details = []
                for question_id in PAGES["context"]:
                    question = q.question(question_id)
                    label = question.render_text(bouwsteen).replace(f" {bouwsteen.in_sentence}", "").rstrip("?:")
                    details.append((_shorten(safe_text(label), 50),
                                    safe_text(_answer_text(q, response, bouwsteen.id, question_id))))
                    answer = response.answer(bouwsteen.id, question_id)
                    if answer and answer.explanation:
                        details.append(("Toelichting", safe_text(_shorten(answer.explanation, 300))))
                body += toggle_section(f"overview-{bouwsteen.id}", "Details", [facts(details)])
    if response.closing is not None:
        body.append(text("**Slotvragen**", spacing="Large", separator=True))
        body.append(facts(_closing_rows(q, response)))
    actions = []
    if not locked:
        if state.remaining:
            actions.append(submit("Ga verder", action_data("start", wave=response.wave_id, **args), style="positive"))
        elif response.closing is None:
            actions.append(submit("Verder naar de slotvragen", action_data("closing", wave=response.wave_id, **args),
                                  style="positive"))
        else:
            actions.append(submit("Slotvragen bekijken en verzenden",
                                  action_data("closing", wave=response.wave_id, **args), style="positive"))
    return card(body, actions)


def _closing_rows(q: Questionnaire, response: Response) -> list[tuple[str, str]]:
    closing = response.closing
    rows = [(f"Prioriteit {n}", safe_text(q.bouwsteen(b).title)) for n, b in enumerate(closing.priorities, 1)]
    if closing.no_inspiring_practice:
        rows.append(("Inspirerende praktijk", "nog niet op dat punt"))
    rows += [(f"Inspirerende praktijk {n}", safe_text(q.bouwsteen(b).title))
             for n, b in enumerate(closing.inspiring_practices, 1)]
    return rows


def _closing_values(response: Response) -> dict[str, str]:
    closing = response.closing
    if closing is None:
        return {}
    values = {f"priorities_{n}": b for n, b in enumerate(closing.priorities, 1)}
    values.update({f"inspiring_practices_{n}": b for n, b in enumerate(closing.inspiring_practices, 1)})
    if closing.no_inspiring_practice:
        values["inspiring_practices_none"] = "true"
    return values


def closing_card(q: Questionnaire, response: Response, *, values: dict[str, str] | None = None,
                 errors: Sequence[FieldError] = (), subject: str = "self", centre: str | None = None) -> dict:
    shown = values if values is not None else _closing_values(response)
    by_field = {error.field: error.message for error in errors}
    choices = [{"title": f"{b.number}. {b.title}", "value": b.id} for b in q.bouwstenen]
    body = [heading("Slotvragen"), subtle("Over alle bouwstenen heen")]
    if errors:
        body.append(error_banner([error.message for error in errors]))
    for question in q.closing:
        body.append(text(f"**{safe_text(question.title)}**", spacing="Large", separator=True))
        body.append(text(safe_text(question.text), size="Small"))
        for n in range(1, question.max_choices + 1):
            field = f"{question.id}_{n}"
            required = n <= question.min_choices
            element = {"type": "Input.ChoiceSet", "id": field, "style": "compact", "placeholder": "Kies een bouwsteen",
                       "label": question.slot_label.format(n=n) + ("" if required else " (niet verplicht)"),
                       "isRequired": required, "errorMessage": "Kies een bouwsteen.", "choices": choices}
            if shown.get(field):
                element["value"] = shown[field]
            body.append(element)
            if field in by_field:
                body.append(text(by_field[field], color="Attention", size="Small", spacing="None"))
        if question.none_label:
            field = f"{question.id}_none"
            toggle = {"type": "Input.Toggle", "id": field, "title": question.none_label, "valueOn": "true",
                      "valueOff": "false", "value": shown.get(field, "false")}
            body.append(toggle)
            if field in by_field:
                body.append(text(by_field[field], color="Attention", size="Small", spacing="None"))
    args = _subject_args(subject, centre)
    return card(body, [
        submit("Bewaar en ga naar verzenden", action_data("save_closing", wave=response.wave_id,
                                                          rev=response.revision, **args), style="positive"),
        submit("Terug naar het overzicht", action_data("overview", wave=response.wave_id, **args)),
    ])


def confirm_card(q: Questionnaire, response: Response, *, subject: str = "self", centre: str | None = None) -> dict:
    state = progress(q, response)
    args = _subject_args(subject, centre)
    body = [
        heading("Klaar om te verzenden"),
        text(f"Je beantwoordde **{state.answered} van {state.total}** bouwstenen en de slotvragen."),
        facts(_closing_rows(q, response)),
        {"type": "Container", "style": "warning", "items": [
            text("Als je verdergaat, worden je antwoorden **definitief** verzonden. Daarna kan je ze nog bekijken, "
                 "maar niet meer wijzigen.")]},
    ]
    return card(body, [
        submit("Definitief verzenden", action_data("submit", wave=response.wave_id, rev=response.revision, **args),
               style="positive"),
        submit("Terug naar het overzicht", action_data("overview", wave=response.wave_id, **args)),
    ])


def saved_submission_card(response: Response) -> dict:
    moment = response.submitted_at.astimezone(TIMEZONE).strftime("%d-%m-%Y om %H:%M")
    return card([text(f"✔ Definitief verzonden op {moment}.", weight="Bolder", color="Good")])


def submitted_card(q: Questionnaire, response: Response, *, centre_name: str) -> dict:
    moment = response.submitted_at.astimezone(TIMEZONE).strftime("%d-%m-%Y om %H:%M")
    body = [heading("Bedankt!"), subtle(safe_text(centre_name))]
    for cluster in q.clusters:
        body.append(text(f"**{safe_text(cluster.title)}**", size="Small", spacing="Medium"))
        body.append(facts([(f"{b.number}. {safe_text(b.title)}", situation_line(q, response, b.id))
                           for b in cluster.bouwstenen]))
    body.append(text("**Prioriteiten en inspirerende praktijken**", size="Small", spacing="Medium"))
    body.append(facts(_closing_rows(q, response)))
    body.append(text(f"Je antwoorden zijn definitief verzonden op {moment} en kunnen niet meer gewijzigd worden. "
                     "Typ *overzicht* om ze te bekijken.", size="Small"))
    return card(body)


# ----- help and progress -----------------------------------------------------------------------------

def help_card(*, role: str, is_admin: bool = False) -> dict:
    rows = [
        ("verder", "ga verder waar je was (ook: start)"),
        ("voortgang", "hoeveel bouwstenen je al beantwoordde en wat nog rest"),
        ("overzicht", "al je antwoorden, met een knop om te wijzigen"),
        ("wijzig 3", "een bouwsteen wijzigen, op nummer of naam (wijzig preventie)"),
        ("pauze", "even stoppen; alles blijft bewaard (ook: later)"),
        ("wat is LARS?", "uitleg bij een afkorting uit de handleiding"),
        ("mijn gegevens", "wat Poolster over jou bewaart"),
    ]
    if role == "director":
        rows += [("team", "het overzicht van je team, opnieuw"),
                 ("centrum", "het antwoord van het centrum invullen"),
                 ("eigen", "terug naar je eigen antwoorden"),
                 ("rapport", "het rapport van het centrum (pdf)")]
    body = [heading("Wat kan je typen?"), facts(rows)]
    if is_admin:
        body += [text("**Voor POC+**", spacing="Medium"), facts([
            ("nieuwe ronde <naam> tot <dd-mm-jjjj>", "een ronde aanmaken en lanceren"),
            ("status [ronde]", "wie is uitgenodigd, gestart, klaar"),
            ("herinner", "wie nog niet klaar is nu herinneren"),
            ("sluit ronde", "de ronde afsluiten"),
            ("export [ronde]", "de resultaten als CSV en XLSX"),
            ("resultaten [ronde]", "het beeld van het netwerk"),
        ])]
    return card(body)


def progress_card(q: Questionnaire, response: Response, *, subject: str = "self", centre: str | None = None) -> dict:
    state = progress(q, response)
    bar = "".join("■" if response.is_bouwsteen_answered(b.id) else "□" for b in q.bouwstenen)
    body = [heading("Je voortgang"), text(f"**{state.answered} van {state.total}** bouwstenen beantwoord"),
            text(bar, size="Large", spacing="None", fontType="Monospace")]
    if state.remaining:
        body.append(text("Nog te doen:", size="Small"))
        body.append(facts([(str(b.number), safe_text(b.title)) for b in state.remaining]))
    body.append(text("Slotvragen: " + ("beantwoord" if state.closing_done else "nog niet beantwoord"), size="Small"))
    if state.submitted:
        body.append(text("✔ Je antwoorden zijn verzonden.", color="Good"))
        return card(body)
    return card(body, [submit("Ga verder", action_data("start", wave=response.wave_id, **_subject_args(subject, centre)),
                              style="positive")])
