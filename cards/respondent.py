"""Cards for the respondent's conversation: intro, one bouwsteen in two pages, overview, closing,
confirmation and summary. Short visible text, the rest one tap away (phones first)."""

from __future__ import annotations

from datetime import date
from typing import Sequence

from cards.common import (
    card,
    facts,
    first_sentences,
    heading,
    safe_text,
    shorten,
    submit,
    subtle,
    text,
    toggle_section,
)
from cards.admin import admin_help_rows
from actions.payloads import action_data
from survey.answers import PAGE_IDS, PAGES, FieldError, Response, split_choices
from survey.progress import Progress, Step, next_step, progress
from survey.questionnaire import Bouwsteen, Question, Questionnaire
from survey.waves import TIMEZONE, date_text

EXPLANATION_LABEL = "Toelichting (niet verplicht)"
# The defining sentences of a stadium shown before "Lees meer": whole sentences up to about this length.
STADIUM_OPENING = 200
# The note after part 1; it says the part 1 answer, so part 2 need not repeat it.
PART_ONE_SAVED = "✔ Deel 1 bewaard"


def _subject_args(subject: str, centre: str | None) -> dict:
    return {"subject": subject, "centre": centre}


def answer_summary(q: Questionnaire, response: Response, bouwsteen_id: str, question_id: str) -> str:
    answer = response.answer(bouwsteen_id, question_id)
    if answer is None:
        return "–"
    question = q.question(question_id)
    labels = []
    for choice in answer.choices:
        # The option's short label, as the director's card and the report name it ("geen hefbomen").
        label = question.short_option(choice)
        if question.option(choice) and question.option(choice).needs_text and answer.other_text:
            label = f"{label}: {shorten(answer.other_text, 80)}"
        labels.append(label)
    return "; ".join(labels)


def answer_rows(q: Questionnaire, response: Response, bouwsteen_id: str, page: str, *,
                explanation_limit: int = 150) -> list[tuple[str, str]]:
    """(short label, answer) per question of a page, with each toelichting given under it."""
    rows = []
    for question_id in PAGES[page]:
        question = q.question(question_id)
        rows.append((question.short_label, safe_text(answer_summary(q, response, bouwsteen_id, question_id))))
        answer = response.answer(bouwsteen_id, question_id)
        if answer and answer.explanation:
            rows.append(("Toelichting", safe_text(shorten(answer.explanation, explanation_limit))))
    return rows


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


def saved_note(q: Questionnaire, response: Response, bouwsteen_id: str, page: str) -> str:
    """The line on the next card that says what was just saved: the record of the answer moves along."""
    bouwsteen = q.bouwsteen(bouwsteen_id)
    if page == PAGE_IDS[0]:
        return f"{PART_ONE_SAVED}: **{situation_line(q, response, bouwsteen_id)}**"
    saved = (f"✔ Bouwsteen {bouwsteen.number} bewaard ({safe_text(bouwsteen.title)}: "
             f"{situation_line(q, response, bouwsteen_id).lower()}).")
    # On the overview itself every answer is in sight already.
    return saved if next_step(q, response).kind == "overview" else f"{saved} Typ *overzicht* voor al je antwoorden."


# ----- intro ---------------------------------------------------------------------------------------

def intro_card(q: Questionnaire, *, centre_name: str, wave_name: str, deadline: date | None, started: bool,
               progress: Progress | None, director_name: str | None, subject: str = "self",
               wave_id: str | None = None, person_name: str | None = None) -> dict:
    intro = q.intro
    first_name = (person_name or "").split(" ")[0]
    stadia = " · ".join(f"**{s.label}**" + (f" ({s.phase})" if s.phase else "") for s in q.continuum)
    continuum_details = [text(f"**{s.label}** — {safe_text(s.description)}", size="Small") for s in q.continuum]
    if director_name:
        who = (f"Wie ziet je antwoorden? Je directeur ({safe_text(director_name)}) ziet ze en stelt daarna met het "
               "beleidsteam het antwoord van het centrum samen. POC+ ziet de resultaten van het centrum.")
    else:
        who = ("Als directeur zie je de antwoorden van je teamleden en leg je daarna het antwoord van het "
               "centrum vast. POC+ ziet de resultaten van het centrum.")
    deadline_text = f" · invullen tot {date_text(deadline)}" if deadline else ""
    body = [
        heading(f"Hallo {safe_text(first_name)}!" if first_name else "Hallo!"),
        text(f"Welkom bij de zelfscan **{safe_text(q.title)}**.", spacing="None"),
        subtle(f"{safe_text(centre_name)} · {safe_text(wave_name)}{deadline_text}"),
        text(safe_text(intro.purpose)),
        text(safe_text(intro.not_a_judgement)),
        *toggle_section("intro-more", intro.title,
                        [text(safe_text(intro.how_it_works)), text(safe_text(intro.after))]),
        text(f"De vier stadia: {stadia}", spacing="Medium"),
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
    more = [text(safe_text(rest), size="Small")] if rest else []
    more += [text(safe_text(reference), size="Small") for reference in bouwsteen.rclbk]
    if bouwsteen.reflection:
        if bouwsteen.reflection_title:
            more.append(text(f"**{safe_text(bouwsteen.reflection_title)}**", size="Small"))
        more += [text("• " + safe_text(item), size="Small", spacing="None") for item in bouwsteen.reflection]
    if more:
        items += toggle_section(f"about-{bouwsteen.id}", "Meer over deze bouwsteen", more,
                                open_title="Minder over deze bouwsteen")
    return items


def _stadia(q: Questionnaire, bouwsteen: Bouwsteen, opened: set[str]) -> list[dict]:
    items = [text("**Hoe ziet elk stadium eruit voor deze bouwsteen?**", spacing="Medium")]
    for stadium in q.continuum:
        opening, rest = first_sentences(bouwsteen.stadia[stadium.id], STADIUM_OPENING)
        items.append(text(f"**{stadium.label}**" + (f" ({stadium.phase})" if stadium.phase else ""),
                          spacing="Medium", color="Accent"))
        items.append(text(safe_text(opening), size="Small", spacing="None"))
        if rest:
            items += toggle_section(f"stadium-{bouwsteen.id}-{stadium.id}", "Lees meer",
                                    [text(safe_text(rest), size="Small")], visible=stadium.id in opened,
                                    open_title="Lees minder")
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


def _choice_input(q: Questionnaire, question: Question, bouwsteen: Bouwsteen, values: dict[str, str],
                  errors: dict[str, str]) -> list[dict]:
    element = {
        "type": "Input.ChoiceSet",
        "id": question.id,
        "label": safe_text(question.render_text(bouwsteen)),
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
            field = f"{question.id}_other"
            label = f"Bij ‘{option.label.rstrip(':')}’: welke andere deelgroepen?"
            opened = option.id in chosen or bool(values.get(field)) or field in errors
            items += toggle_section(f"{field}-section", f"+ {option.label.rstrip(':')}: vul aan",
                                    [_text_input(field, label, values, multiline=False, max_length=500),
                                     *_message(errors, field)], visible=opened)
    if question.explanation_label:
        field = f"{question.id}_explanation"
        opened = bool(values.get(field)) or field in errors
        items += toggle_section(f"{field}-section", "+ toelichting",
                                [_text_input(field, EXPLANATION_LABEL, values), *_message(errors, field)],
                                visible=opened)
    return items


def _text_input(input_id: str, label: str, values: dict[str, str], *, multiline: bool = True,
                max_length: int = 2000) -> dict:
    element = {"type": "Input.Text", "id": input_id, "label": label, "isMultiline": multiline,
               "maxLength": max_length}
    if values.get(input_id):
        element["value"] = values[input_id]
    return element


def _chosen_stadia(q: Questionnaire, values: dict[str, str]) -> set[str]:
    # Teams does not submit which sections were open: the stadia the person chose open again.
    chosen = {values.get("current_stadium", "")}
    intention = q.question("intention").option(values.get("intention", ""))
    if intention is not None and intention.target_stadium:
        chosen.add(intention.target_stadium)
    return chosen


def _question_of(field: str) -> str:
    return field.removesuffix("_other").removesuffix("_explanation")


def page_card(q: Questionnaire, bouwsteen_id: str, page: str, response: Response, *,
              values: dict[str, str] | None = None, errors: Sequence[FieldError] = (), subject: str = "self",
              centre: str | None = None, preamble: Sequence[dict] = (), note: str | None = None) -> dict:
    """One page of a bouwsteen. With errors: the inputs as submitted, each message at its field,
    and the sections that hold something (or the stadia chosen) open again."""
    bouwsteen = q.bouwsteen(bouwsteen_id)
    shown = values if values is not None else _stored_values(response, bouwsteen_id, page)
    by_field = _first_message_per_field(errors)
    body = [*_header(q, bouwsteen, page), *note_line(note), *preamble]
    if page == "situering":
        body += _definition(bouwsteen)
        body += _stadia(q, bouwsteen, _chosen_stadia(q, shown) if errors else set())
    elif not (note or "").startswith(PART_ONE_SAVED):
        body.append(text(f"Deel 1: **{situation_line(q, response, bouwsteen_id)}**", size="Small"))
    for question_id in PAGES[page]:
        body.append({"type": "Container", "spacing": "Large", "separator": True,
                     "items": _choice_input(q, q.question(question_id), bouwsteen, shown, by_field)})
    if errors:
        labels = list(dict.fromkeys(q.question(_question_of(e.field)).short_label for e in errors
                                    if _question_of(e.field) in PAGES[page]))
        where = f"zie de melding bij {' en '.join(labels)}" if labels else safe_text(" ".join(e.message for e in errors))
        body.append(text(f"**Nog niet bewaard:** {where}.", color="Attention", size="Small", spacing="Medium"))
    # "Bewaar wijziging" only when there is something to change: an answer already given.
    editing = response.editing == (bouwsteen_id, page) and response.is_page_answered(bouwsteen_id, page)
    primary = "Bewaar wijziging" if editing else "Bewaar en ga verder"
    args = _subject_args(subject, centre)
    return card(body, [
        submit(primary, action_data("save_page", wave=response.wave_id, bouwsteen=bouwsteen_id, page=page,
                                    rev=response.revision, **args), style="positive"),
        submit("Pauzeer", action_data("pause", wave=response.wave_id, **args), inputs=False),
    ])


def replaced_card() -> dict:
    """What a survey card becomes when a newer one took over: no buttons, so nothing stale to press."""
    return card([
        text("Deze kaart is vervangen door een nieuwere. Je antwoorden zijn bewaard.", size="Small", isSubtle=True),
        subtle("Typ *verder* om verder te gaan waar je was."),
    ])


def paused_card(q: Questionnaire, response: Response, *, subject: str = "self", centre: str | None = None) -> dict:
    """The card after *Pauzeer*: where the person stopped, and one button to go on."""
    state = progress(q, response)
    return card([
        text("⏸ Gepauzeerd", weight="Bolder"),
        text(f"Alles wat je antwoordde is bewaard ({state.answered} van {state.total} bouwstenen). Ga verder "
             "wanneer je wil, ook over een paar dagen: met de knop of door *verder* te typen.", size="Small"),
    ], [submit("Ga verder", action_data("start", wave=response.wave_id, **_subject_args(subject, centre)),
               style="positive")])


# ----- overview, closing, confirmation ------------------------------------------------------------

def _overview_status(q: Questionnaire, response: Response, bouwsteen_id: str) -> str:
    if response.is_bouwsteen_answered(bouwsteen_id):
        return situation_line(q, response, bouwsteen_id)
    if response.is_page_answered(bouwsteen_id, PAGE_IDS[0]):
        return f"{situation_line(q, response, bouwsteen_id)} · deel 2 nog open"
    return "nog niet beantwoord"


def overview_card(q: Questionnaire, response: Response, *, subject: str = "self", centre: str | None = None,
                  title: str | None = None, note: str | None = None) -> dict:
    state = progress(q, response)
    args = _subject_args(subject, centre)
    locked = response.is_submitted
    body = [heading(safe_text(title or "Overzicht van je antwoorden")),
            subtle(f"{state.answered} van {state.total} bouwstenen beantwoord"
                   + (" · definitief verzonden" if locked else "")), *note_line(note)]
    for cluster in q.clusters:
        body.append(text(f"**{safe_text(cluster.title)}**", spacing="Large", separator=True))
        for bouwsteen in cluster.bouwstenen:
            answered = response.is_bouwsteen_answered(bouwsteen.id)
            # safe_text also keeps "1. Title" from becoming an indented Markdown list.
            columns = [{"type": "Column", "width": "stretch", "items": [
                text(safe_text(f"{bouwsteen.number}. {bouwsteen.title}"), size="Small", weight="Bolder"),
                subtle(_overview_status(q, response, bouwsteen.id)),
            ]}]
            if not locked:
                columns.append({"type": "Column", "width": "auto", "verticalContentAlignment": "Center", "items": [
                    {"type": "ActionSet", "actions": [
                        submit("Wijzig" if answered else "Beantwoorden",
                               action_data("edit", wave=response.wave_id, bouwsteen=bouwsteen.id, **args))]},
                ]})
            body.append({"type": "ColumnSet", "spacing": "Small", "columns": columns})
            if answered:
                body += toggle_section(f"overview-{bouwsteen.id}", "Details",
                                       [facts(answer_rows(q, response, bouwsteen.id, "context",
                                                          explanation_limit=300))],
                                       open_title="Minder", spacing="Small")
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
                 errors: Sequence[FieldError] = (), subject: str = "self", centre: str | None = None,
                 note: str | None = None) -> dict:
    shown = values if values is not None else _closing_values(response)
    by_field = _first_message_per_field(errors)
    choices = [{"title": f"{b.number}. {b.title}", "value": b.id} for b in q.bouwstenen]
    body = [heading("Slotvragen"), subtle("Over alle bouwstenen heen"), *note_line(note)]
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
            body += _message(by_field, field)
        if question.none_label:
            field = f"{question.id}_none"
            toggle = {"type": "Input.Toggle", "id": field, "title": question.none_label, "valueOn": "true",
                      "valueOff": "false", "value": shown.get(field, "false")}
            body.append(toggle)
            body += _message(by_field, field)
    if errors:
        body.append(text("**Nog niet bewaard:** zie de melding hierboven.", color="Attention", size="Small",
                         spacing="Medium"))
    args = _subject_args(subject, centre)
    return card(body, [
        submit("Bewaar en ga naar verzenden", action_data("save_closing", wave=response.wave_id,
                                                          rev=response.revision, **args), style="positive"),
        submit("Terug naar het overzicht", action_data("overview", wave=response.wave_id, **args), inputs=False),
    ])


def confirm_card(q: Questionnaire, response: Response, *, subject: str = "self", centre: str | None = None,
                 note: str | None = None) -> dict:
    state = progress(q, response)
    args = _subject_args(subject, centre)
    body = [
        heading("Klaar om te verzenden"),
        *note_line(note),
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


def submitted_card(q: Questionnaire, response: Response, *, centre_name: str) -> dict:
    moment = response.submitted_at.astimezone(TIMEZONE).strftime("%d-%m-%Y om %H:%M")
    body = [heading("Bedankt!"), text(f"✔ Definitief verzonden op {moment}.", weight="Bolder", color="Good"),
            subtle(safe_text(centre_name))]
    for cluster in q.clusters:
        body.append(text(f"**{safe_text(cluster.title)}**", size="Small", spacing="Medium"))
        body.append(facts([(safe_text(f"{b.number}. {b.title}"), situation_line(q, response, b.id))
                           for b in cluster.bouwstenen]))
    body.append(text("**Prioriteiten en inspirerende praktijken**", size="Small", spacing="Medium"))
    body.append(facts(_closing_rows(q, response)))
    body.append(text("Je antwoorden kunnen niet meer gewijzigd worden. Typ *overzicht* om ze te bekijken.",
                     size="Small"))
    return card(body)


# ----- help and progress -----------------------------------------------------------------------------

def step_help(q: Questionnaire, step: Step) -> list[dict]:
    """What the card the person is on asks, and how to answer it (from the manual, ch. 2 and 7)."""
    if step.kind == "page":
        bouwsteen = q.bouwsteen(step.bouwsteen_id)
        where = f"**Waar je nu bent:** bouwsteen {bouwsteen.number}, {safe_text(bouwsteen.title)}"
        if step.page == PAGE_IDS[0]:
            lines = [
                f"{where}, deel 1. Lees bij elk stadium wat het voor deze bouwsteen betekent (*Lees meer* toont de "
                "rest) en kies waar je centrum vandaag staat (Huidig stadium) en waar je centrum naartoe wil "
                "(Ambitie).",
                "Twijfel je tussen twee stadia? Kies het stadium dat er het best bij aansluit, of waar het "
                "merendeel van het team zich bevindt. Geen enkel stadium is een oordeel.",
            ]
        else:
            lines = [
                f"{where}, deel 2: wat de situering verklaart. Welbewuste keuze: heeft je centrum bewust voor "
                "de huidige aanpak gekozen, is hij vooral ingegeven door de context, of allebei?",
                "Hefbomen helpen je centrum vooruit, knelpunten remmen het af; beide komen uit de "
                "organisatiecontext. Verschillen: staan teams, werkgroepen, disciplines of vestigingen elders? "
                "Bij hefbomen, knelpunten en verschillen kan je meer dan één antwoord aanvinken. Een toelichting "
                "is niet verplicht (*+ toelichting*).",
            ]
    elif step.kind in ("overview", "closing"):
        lines = ["**Waar je nu bent:** alle bouwstenen zijn beantwoord; nu de slotvragen. Kies tot 3 bouwstenen waarin "
                 "je centrum anderen kan inspireren (of duid aan dat dat nog niet zo is) en 3 tot 5 prioriteiten, "
                 "de belangrijkste eerst."]
    elif step.kind == "confirm":
        lines = ["**Waar je nu bent:** verzenden. Kijk je antwoorden na; na *Definitief verzenden* kan je ze niet meer "
                 "wijzigen."]
    else:
        return []
    return [text(line, size="Small") for line in lines]


def help_card(*, role: str, is_admin: bool = False, about: Sequence[dict] = (), today: date | None = None) -> dict:
    rows = [
        ("verder", "ga verder waar je was (ook: start)"),
        ("voortgang", "hoeveel bouwstenen je al beantwoordde en wat nog rest"),
        ("overzicht", "al je antwoorden, met een knop om te wijzigen"),
        ("wijzig 3", "een bouwsteen wijzigen, op nummer of naam (wijzig preventie)"),
        ("pauze", "even stoppen; alles blijft bewaard (ook: later)"),
        ("wat is een hefboom?", "uitleg bij een begrip of afkorting uit de handleiding (wat is LARS?)"),
        ("mijn gegevens", "wat Poolster over jou bewaart"),
    ]
    if role == "director":
        rows += [("team", "het overzicht van je team, opnieuw"),
                 ("centrum", "het antwoord van het centrum invullen"),
                 ("eigen", "terug naar je eigen antwoorden"),
                 ("rapport", "het rapport van het centrum (pdf)")]
    body = [heading("Hulp"), *about, text("**Wat kan je typen?**", spacing="Medium"), facts(rows)]
    if is_admin:
        body += [text("**Voor POC+**", spacing="Medium"), facts(admin_help_rows(today or date.today()))]
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


# ----- two waves side by side ----------------------------------------------------------------------

WAVE_LABEL_ID = "wave-label"
WAVE_CHOICE_ID = "wave-choice"


def with_wave_label(card_: dict, wave_name: str) -> dict:
    """The card, headed by the wave it belongs to (when two waves run, every card says which); a card
    that chooses between waves names them itself."""
    body = card_.get("body") or []
    if body and body[0].get("id") in (WAVE_LABEL_ID, WAVE_CHOICE_ID):
        return card_
    label = text(f"Ronde: {safe_text(wave_name)}", id=WAVE_LABEL_ID, size="Small", weight="Bolder",
                 color="Accent", spacing="None")
    return {**card_, "body": [label, *body]}


def wave_choice_card(title: str, intro: str, waves: Sequence[tuple[str, Sequence[str]]],
                     buttons: Sequence[tuple[str, dict]]) -> dict:
    """Several waves and where someone stands in each (short lines under its name), with a button
    per wave: an explicit choice."""
    body = [heading(safe_text(title), size="Medium", id=WAVE_CHOICE_ID), text(safe_text(intro))]
    for name, lines in waves:
        body.append(text(f"**{safe_text(name)}**", spacing="Medium"))
        body += [subtle(safe_text(line)) for line in lines]
    return card(body, [submit(label, data) for label, data in buttons])
