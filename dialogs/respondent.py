"""The respondent's conversation: from the intro card to the final submission.

The same flow serves a member answering for themselves (subject "self") and a director recording
the centre's consolidated answer (subject "centre"); `Subject` decides which response is read
and written, and whether the actor may touch it at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Protocol

from actions.payloads import (
    INVALID_CARD,
    CardPayload,
    ClosingPayload,
    EditPayload,
    OverviewPayload,
    PausePayload,
    SaveClosingPayload,
    SavePagePayload,
    StartPayload,
    SubmitPayload,
    action_data,
)
from cards import respondent as cards
from cards.common import safe_text, shorten
from cards.director import with_banner
from dialogs.commands import UNEXPLAINED, Command, find_glossary, find_unit, glossary_examples
from dialogs.context import Actor, MoveOn, Outgoing, Reply, ResponseListener, ResponseListeners, Services
from storage.repository import Repository, Unchanged
from survey import progress as flow
from survey.answers import InvalidAnswer, Response, final_input_ids, page_input_ids, validate_final, validate_page
from survey.questionnaire import Questionnaire
from survey.registry import Centre, Membership, Person, School
from survey.waves import Wave, current_wave_for, date_text, find_wave, open_waves_for

NOT_REGISTERED = (
    "Je staat (nog) niet in de lijst van een CLB-beleidsteam, dus ik kan je de zelfscan niet tonen. "
    "Denk je dat je erbij hoort? Vraag POC+ om je toe te voegen aan het register van je centrum."
)
NO_WAVE = "Er loopt op dit moment geen bevraging voor je centrum. POC+ laat je weten wanneer de volgende ronde start."
NO_SCHOOL_WAVE = "Er loopt nu geen bevraging voor je school. Je CLB laat je weten wanneer ze start."
PAUSED = (
    "Prima, we pauzeren. Alles wat je al antwoordde is bewaard. "
    "Typ *verder* wanneer je wil, ook over een paar dagen: je gaat verder waar je was."
)
THANKS = "Graag gedaan! Typ *help* als je nog iets wil weten, of *verder* om verder te gaan waar je was."
LOCKED = (
    "Deze antwoorden zijn al definitief verzonden en kunnen niet meer gewijzigd worden. "
    "Typ *overzicht* om ze te bekijken."
)


class Refused(Exception):
    """The actor may not do this; the message says why, in Dutch."""


class NoWave(Refused):
    """No wave runs now for what this person answers."""


@dataclass(frozen=True)
class Subject:
    """Whose response a turn reads and writes, in which wave, with the questionnaire that wave runs."""

    repository: Repository[Response]
    parts: tuple[str, ...]
    wave: Wave
    q: Questionnaire
    centre: Centre
    person: Person
    kind: str
    respondent_id: str
    respondent_name: str
    # A member's or director's place in the centre; None for a school's contact.
    membership: Membership | None = None
    # The school a contact answers for; None for the centre's team.
    school: School | None = None
    # The questionnaires this respondent answers (the team's or the schools'): the waves to look in.
    questionnaire_ids: frozenset[str] = frozenset()
    # Every wave the respondent can answer in now, newest first; more than one means they run side by side.
    open_waves: tuple[Wave, ...] = ()

    @property
    def card_args(self) -> dict:
        if self.kind == "centre":
            return {"subject": "centre", "centre": self.centre.id}
        return {"subject": "self"}

    @property
    def place(self) -> str:
        """Whom the answers are for: the school, else the centre."""
        return self.school.name if self.school else self.centre.name

    @property
    def is_director(self) -> bool:
        return self.membership is not None and self.membership.role == "director"

    def empty_response(self) -> Response:
        return Response(
            wave_id=self.wave.id,
            centre_id=self.centre.id,
            respondent_id=self.respondent_id,
            respondent_name=self.respondent_name,
            kind=self.kind,
            questionnaire_id=self.wave.questionnaire_id,
            questionnaire_version=self.wave.questionnaire_version,
        )


class CentreView(Protocol):
    """What the centre's answer shows on top of a member's cards: the team's answers and majority."""

    async def page_view(
        self, wave_id: str, centre: Centre, response: Response, unit_id: str, page: str
    ) -> tuple[dict[str, str] | None, list[dict]]: ...

    async def closing_values(self, wave_id: str, centre: Centre) -> dict[str, str]: ...

    def banner(self, subject: Subject) -> dict: ...

    async def focus(self, actor: Actor, wave_id: str) -> str: ...

    async def remember_focus(self, actor: Actor, wave_id: str, kind: str) -> None: ...

    async def contact_intro(self, actor: Actor) -> list[Outgoing] | None: ...


class RespondentDialog:
    def __init__(
        self,
        services: Services,
        listener: ResponseListener | None = None,
        centre_view: CentreView | None = None,
    ):
        self.services = services
        # Told of every saved change (the director's live card, the scholengroep).
        self.listener = listener or ResponseListeners()
        # The director's side of a centre's answer; without it (tests, the benchmark peer) only own answers.
        self.centre_view = centre_view

    # ----- who and what -------------------------------------------------------------------

    def _answered(self, actor: Actor) -> tuple[Questionnaire, ...]:
        """The questionnaires this person answers: a school's contact the schools', anyone else the team's."""
        kind = "schools" if actor.membership is None and actor.school_contact is not None else "team"
        return self.services.catalog.for_respondents(kind)

    def questionnaire_ids(self, actor: Actor) -> frozenset[str]:
        return frozenset(q.id for q in self._answered(actor))

    async def subject(
        self, actor: Actor, kind: str = "self", centre_id: str | None = None, wave_id: str | None = None
    ) -> Subject:
        membership = actor.membership
        contact = actor.school_contact if membership is None else None
        if membership is None and contact is None:
            raise Refused(NOT_REGISTERED)
        if kind == "centre":
            if contact is not None:
                # A school's contact: the CLB's own commands (team, centrum) mean nothing to them.
                raise Refused(
                    f"Dat kan alleen de directeur van het CLB. Jij vult de bevraging in voor {contact.school.name}: "
                    "typ *verder*."
                )
            if membership is None or membership.role != "director":
                raise Refused("Enkel de directeur van een centrum kan het antwoord van het centrum invullen.")
            if centre_id is not None and centre_id != membership.centre.id:
                raise Refused("Je kan enkel het antwoord van je eigen centrum bekijken of invullen.")
        centre = membership.centre if membership else contact.centre
        ids = self.questionnaire_ids(actor)
        waves = await self.services.waves.list()
        now = self.services.clock()
        if wave_id is not None:
            # A card answers in the wave it came from, also when a newer one runs beside it.
            wave = next(
                (w for w in waves if w.id == wave_id and w.status != "draft" and w.includes(centre.id) and w.runs(ids)),
                None,
            )
            if wave is None:
                raise Refused(
                    "Deze kaart hoort bij een ronde die er voor jou niet (meer) is. "
                    "Typ *verder* om verder te gaan in de huidige ronde."
                )
        else:
            wave = current_wave_for(waves, centre.id, now, ids)
            if wave is None:
                raise NoWave(NO_SCHOOL_WAVE if contact else NO_WAVE)
        q = self.services.questionnaire_of(wave)
        open_waves = tuple(open_waves_for(waves, centre.id, now, ids))
        common = {
            "wave": wave,
            "q": q,
            "centre": centre,
            "membership": membership,
            "questionnaire_ids": ids,
            "open_waves": open_waves,
        }
        if contact is not None:
            school = contact.school
            # One response per school: whichever of its contacts answers, continues the same one.
            return Subject(
                self.services.responses,
                (wave.id, centre.id, school.id),
                person=contact.person,
                kind="school",
                respondent_id=school.id,
                respondent_name=school.name,
                school=school,
                **common,
            )
        if kind == "centre":
            return Subject(
                self.services.centre_answers,
                (wave.id, centre.id),
                person=membership.person,
                kind="centre",
                respondent_id=centre.id,
                respondent_name=centre.name,
                **common,
            )
        return Subject(
            self.services.responses,
            (wave.id, centre.id, membership.person.key),
            person=membership.person,
            kind="member",
            respondent_id=membership.person.key,
            respondent_name=membership.person.name,
            **common,
        )

    async def load(self, subject: Subject) -> Response:
        return await subject.repository.get(*subject.parts) or subject.empty_response()

    async def command_subject(self, actor: Actor) -> Subject:
        """What a typed command acts on: the own answers, or the centre's answer a director is working on."""
        subject = await self.subject(actor)
        if (
            subject.is_director
            and self.centre_view is not None
            and await self.centre_view.focus(actor, subject.wave.id) == "centre"
        ):
            return await self.subject(actor, "centre")
        return subject

    def marked(self, subject: Subject, outgoing: list[Outgoing]) -> list[Outgoing]:
        """Every card of the centre's answer carries its banner, so it is never taken for the own answers."""
        if subject.kind != "centre" or self.centre_view is None:
            return outgoing
        banner = self.centre_view.banner(subject)

        def with_its_banner(item: Outgoing) -> Outgoing:
            if isinstance(item, Reply) and item.card:
                return Reply(text=item.text, card=with_banner(item.card, banner))
            if isinstance(item, MoveOn):
                return MoveOn(with_banner(item.card, banner), item.in_place)
            return item

        return [with_its_banner(item) for item in outgoing]

    # ----- typed commands -----------------------------------------------------------------

    async def on_command(self, actor: Actor, command: Command | None, text: str) -> list[Outgoing]:
        name = command.name if command else None
        if name == "help":
            return [Reply(card=await self._help(actor))]
        if name == "glossary":
            return [Reply(text=self._glossary(await self._questionnaire_for(actor), command.argument))]
        if name == "hello":
            return await self.intro(actor)
        if name == "thanks":
            return [Reply(text=THANKS)]
        try:
            subject = await self.command_subject(actor)
        except Refused as refusal:
            return await self._contact_intro(actor) or [Reply(text=self._refusal_text(actor, refusal))]
        return self.marked(subject, await self._on_subject_command(subject, command))

    async def _on_subject_command(self, subject: Subject, command: Command | None) -> list[Outgoing]:
        name = command.name if command else None
        if name == "pause":
            return [Reply(text=PAUSED)]
        named = subject
        if name in ("resume", "progress", "overview") and command.argument:
            named = await self._named_wave(subject, command.argument)
        if name == "progress":
            return self._labelled(await self._progress(named, named=named is not subject), named)
        unit = find_unit(subject.q, command.argument) if name == "edit" else None
        if named is not subject:
            subject = named
        elif name in ("resume", "overview") or unit is not None:
            chosen = await self.choose_wave(subject, name, unit.id if unit else None)
            if isinstance(chosen, dict):
                return [Reply(card=chosen)]
            subject = chosen
        if name == "resume":
            return await self.start_subject(subject, announce=True)
        if name == "overview":
            return [
                *self._labelled([MoveOn(self._overview(await self.load(subject), subject))], subject),
                *await self._elsewhere(subject),
            ]
        if name == "edit":
            if unit is None:
                example = subject.q.units[min(2, len(subject.q.units) - 1)]
                return [
                    Reply(
                        text=f"Wat wil je wijzigen? Typ het nummer of de naam van een {subject.q.words.unit}, "
                        f"bv. *wijzig {example.number}* of *wijzig {example.short_title.lower()}*."
                    ),
                    *self._labelled([MoveOn(self._overview(await self.load(subject), subject))], subject),
                ]
            return self._labelled(await self._edit(subject, unit.id), subject)
        return [Reply(text=self._hint(subject.q))]

    async def intro(self, actor: Actor) -> list[Outgoing]:
        try:
            subject = await self.subject(actor)
        except Refused as refusal:
            if actor.is_admin and actor.membership is None:
                # POC+ belongs to no centre: greet them with what they can do, not with a refusal.
                return [
                    Reply(
                        card=cards.help_card(
                            role=self._role(actor),
                            is_admin=True,
                            today=self.services.clock().date(),
                            command_words=self.services.catalog.command_words,
                        )
                    )
                ]
            return await self._contact_intro(actor) or [Reply(text=self._refusal_text(actor, refusal))]
        chosen = await self.choose_wave(subject, "hello")
        if isinstance(chosen, dict):
            return [Reply(card=chosen)]
        response = await self.load(subject)
        q = subject.q
        director = subject.centre.director
        return [
            Reply(
                card=cards.intro_card(
                    q,
                    place=subject.place,
                    centre_name=subject.centre.name,
                    wave_name=subject.wave.name,
                    deadline=subject.wave.deadline,
                    started=response.started_at is not None,
                    progress=flow.progress(q, response) if response.started_at else None,
                    director_name=None if subject.is_director else director.name,
                    wave_id=subject.wave.id,
                    person_name=subject.person.name,
                )
            ),
            *await self._elsewhere(subject),
        ]

    def _refusal_text(self, actor: Actor, refusal: Refused) -> str:
        """A school's contact without a wave is greeted by name, with their school and CLB."""
        contact = actor.school_contact if actor.membership is None else None
        if contact is None or not isinstance(refusal, NoWave):
            return str(refusal)
        first_name = contact.person.name.split(" ")[0]
        return (
            f"Hallo {first_name}! Je staat in Poolster als contactpersoon van {contact.school.name} bij "
            f"{contact.centre.name}. {NO_SCHOOL_WAVE}"
        )

    # ----- card buttons -------------------------------------------------------------------

    async def on_payload(self, actor: Actor, payload: CardPayload) -> list[Outgoing]:
        try:
            subject = await self.subject(actor, payload.subject, payload.centre, payload.wave)
        except Refused as refusal:
            return [Reply(text=self._refusal_text(actor, refusal))]
        if subject.is_director and self.centre_view is not None:
            # A button of one survey makes it the one the director's typed commands act on.
            focus = "centre" if subject.kind == "centre" else "self"
            await self.centre_view.remember_focus(actor, subject.wave.id, focus)
        return self.marked(subject, self._labelled(await self._on_subject_payload(subject, payload), subject))

    async def _on_subject_payload(self, subject: Subject, payload: CardPayload) -> list[Outgoing]:
        # Every button moves its own card on (one request to Teams); texts only for refusals.
        if isinstance(payload, PausePayload):
            return [MoveOn(cards.paused_card(subject.q, await self.load(subject), **subject.card_args))]
        if isinstance(payload, OverviewPayload):
            return [MoveOn(self._overview(await self.load(subject), subject))]
        if isinstance(payload, StartPayload):
            return await self.start_subject(subject, in_place=True)
        if not subject.wave.accepts_answers(self.services.clock()):
            return [Reply(text=self._closed_text(subject.wave))]
        if isinstance(payload, EditPayload):
            if subject.q.unit(payload.unit) is None:
                return [Reply(text=f"Die {subject.q.words.unit} ken ik niet."), *await self.start_subject(subject)]
            return await self._edit(subject, payload.unit)
        if isinstance(payload, SavePagePayload):
            return await self._save_page(subject, payload)
        if isinstance(payload, ClosingPayload):
            return await self._show_closing(subject)
        if isinstance(payload, SaveClosingPayload):
            return await self._save_closing(subject, payload)
        if isinstance(payload, SubmitPayload):
            return await self._submit(subject, payload)
        return [Reply(text=self._hint(subject.q))]

    async def start_subject(
        self, subject: Subject, *, in_place: bool = False, announce: bool = False
    ) -> list[Outgoing]:
        """The card of the next step; in_place: the pressed card moves on to it (else a new message);
        announce (or nothing answered here yet): also say where answers in other waves are."""
        if subject.wave.accepts_answers(self.services.clock()):
            now = self.services.clock()

            def begin(current: Response | None) -> Response:
                current = current or subject.empty_response()
                if current.started_at is not None or current.is_submitted:
                    raise Unchanged()
                return flow.start(current, now)

            _, response = await subject.repository.update(subject.parts, begin)
            response = response or subject.empty_response()
            if response.revision == 1:
                await self.listener.response_changed(response)
        else:
            response = await self.load(subject)
            if not response.is_submitted:
                return self._labelled(
                    [MoveOn(self._overview(response, subject, note=self._closed_text(subject.wave)), in_place)], subject
                )
        replies: list[Outgoing] = [MoveOn(await self._card_for_next_step(response, subject), in_place)]
        if announce or not response.answers:
            # The moment a newer wave would show "0 van 11": say where earlier answers are.
            replies += await self._elsewhere(subject)
        return self._labelled(replies, subject)

    async def _edit(self, subject: Subject, unit_id: str) -> list[Outgoing]:
        now = self.services.clock()
        q = subject.q

        def edit(current: Response | None) -> Response:
            current = current or subject.empty_response()
            # "Beantwoorden" on a unit with only part 1 opens part 2; otherwise part 1.
            page = next((p for p in q.page_ids if not current.is_page_answered(q, unit_id, p)), q.page_ids[0])
            return flow.start_edit(q, current, unit_id, now, page)

        try:
            _, response = await subject.repository.update(subject.parts, edit)
        except flow.SurveyLocked:
            return [Reply(text=LOCKED)]
        return [MoveOn(await self._card_for_next_step(response, subject))]

    async def _save_page(self, subject: Subject, payload: SavePagePayload) -> list[Outgoing]:
        q = subject.q
        unit = q.unit(payload.unit)
        if unit is None:
            return [Reply(text=f"Die {q.words.unit} ken ik niet."), *await self.start_subject(subject)]
        if payload.page not in q.page_ids or payload.unknown_inputs(page_input_ids(q, unit, payload.page)):
            # Not what a card of this wave's questionnaire sends: nothing is read from it.
            return [Reply(text=INVALID_CARD)]
        current = await self.load(subject)
        if current.is_submitted:
            return [Reply(text=LOCKED)]
        try:
            answers = validate_page(q, unit, payload.page, payload.inputs())
        except InvalidAnswer as invalid:
            # The same card again, every input as given, each message at its field.
            return [
                MoveOn(
                    cards.page_card(
                        q,
                        unit.id,
                        payload.page,
                        current,
                        values=payload.inputs(),
                        errors=invalid.errors,
                        **subject.card_args,
                    )
                )
            ]

        now = self.services.clock()
        stale = payload.rev != current.revision

        def save(response: Response | None) -> Response:
            response = response or subject.empty_response()
            if response.is_submitted:
                raise flow.SurveyLocked()
            if (
                all(response.answer(unit.id, qid) == answer for qid, answer in answers.items())
                and response.is_page_answered(q, unit.id, payload.page)
                and response.editing != (unit.id, payload.page)
            ):
                # The same answer again (a double click or an old card): nothing to change.
                raise Unchanged()
            return flow.save_page(q, response, unit.id, payload.page, answers, now)

        try:
            before, response = await subject.repository.update(subject.parts, save)
        except flow.SurveyLocked:
            return [Reply(text=LOCKED)]
        if response is before:
            # A double click or an old card: the card moves on to where the person is.
            return [MoveOn(await self._card_for_next_step(response, subject, note="✔ Dit antwoord was al bewaard."))]
        await self.listener.response_changed(response)
        note = cards.saved_note(q, response, unit.id, payload.page)
        if stale:
            note = f"✔ Je antwoord bij {q.words.unit} {unit.number} ({safe_text(unit.title)}) is aangepast."
        return [MoveOn(await self._card_for_next_step(response, subject, note=note))]

    async def _show_closing(self, subject: Subject) -> list[Outgoing]:
        response = await self.load(subject)
        if response.is_submitted:
            return [Reply(text=LOCKED)]
        remaining = len(flow.progress(subject.q, response).remaining)
        if remaining:
            note = cards.remaining_text(subject.q, remaining)
            return [MoveOn(await self._card_for_next_step(response, subject, note=note))]
        return [MoveOn(await self._closing_card(response, subject))]

    async def _save_closing(self, subject: Subject, payload: SaveClosingPayload) -> list[Outgoing]:
        q = subject.q
        if payload.unknown_inputs(final_input_ids(q)):
            return [Reply(text=INVALID_CARD)]
        current = await self.load(subject)
        if current.is_submitted:
            return [Reply(text=LOCKED)]
        if flow.progress(q, current).remaining:
            return await self._show_closing(subject)
        try:
            closing = validate_final(q, payload.inputs())
        except InvalidAnswer as invalid:
            return [
                MoveOn(
                    cards.closing_card(q, current, values=payload.inputs(), errors=invalid.errors, **subject.card_args)
                )
            ]
        now = self.services.clock()

        def save(response: Response | None) -> Response:
            response = response or subject.empty_response()
            if response.closing == closing:
                raise Unchanged()
            return flow.save_closing(response, closing, now)

        try:
            before, response = await subject.repository.update(subject.parts, save)
        except flow.SurveyLocked:
            return [Reply(text=LOCKED)]
        if response is not before:
            await self.listener.response_changed(response)
        return [MoveOn(cards.confirm_card(q, response, note=cards.final_saved_note(q), **subject.card_args))]

    async def _submit(self, subject: Subject, payload: SubmitPayload) -> list[Outgoing]:
        q = subject.q
        current = await self.load(subject)
        if current.is_submitted:
            return [Reply(text="Je antwoorden waren al verzonden. Typ *overzicht* om ze te bekijken.")]
        if not flow.is_complete(q, current):
            return [
                MoveOn(
                    await self._card_for_next_step(
                        current, subject, note="Er ontbreken nog antwoorden; daarna kan je verzenden."
                    )
                )
            ]
        if payload.rev != current.revision:
            return [
                MoveOn(
                    cards.confirm_card(
                        q,
                        current,
                        note="Je antwoorden zijn intussen gewijzigd. Kijk ze nog eens na en bevestig opnieuw.",
                        **subject.card_args,
                    )
                )
            ]
        now = self.services.clock()

        def submit(response: Response | None) -> Response:
            if response is None or response.revision != payload.rev:
                raise flow.SurveyLocked()
            return flow.submit(q, response, now)

        try:
            _, response = await subject.repository.update(subject.parts, submit)
        except flow.SurveyLocked:
            return [Reply(text="Je antwoorden waren al verzonden of zijn net gewijzigd. Typ *overzicht*.")]
        await self.listener.response_changed(response)
        # Sent in one wave while another still waits: say so, with its button, rather than leave it to chance.
        return [
            MoveOn(cards.submitted_card(q, response, place=subject.place)),
            *await self._elsewhere(subject, unstarted=True),
        ]

    # ----- waves side by side ---------------------------------------------------------------

    async def _named_wave(self, subject: Subject, argument: str) -> Subject:
        """`verder Proef`, `overzicht Zelfscan 2025`: that wave; other words leave the subject as it is."""
        waves = [
            w
            for w in await self.services.waves.list()
            if w.includes(subject.centre.id) and w.runs(subject.questionnaire_ids)
        ]
        wave = find_wave(waves, argument)
        return self._in_wave(subject, wave) if wave else subject

    def _in_wave(self, subject: Subject, wave: Wave) -> Subject:
        return replace(subject, wave=wave, q=self.services.questionnaire_of(wave), parts=(wave.id, *subject.parts[1:]))

    async def _response_in(self, subject: Subject, wave: Wave) -> Response:
        other = self._in_wave(subject, wave)
        return await self.load(other)

    def _state_text(self, response: Response, wave: Wave) -> tuple[str, str]:
        """Where the person stands in a wave, and until when it runs: two short lines, so a phone never
        breaks the date in two."""
        if response.is_submitted:
            state = "verzonden"
        elif response.answers or response.started_at:
            q = self.services.questionnaire_of(wave)
            state = f"bezig: {flow.progress(q, response).answered} van {len(q.units)} {q.words.units} beantwoord"
        else:
            state = "nog niet gestart"
        if not wave.accepts_answers(self.services.clock()):
            return state, "gesloten"
        # The intro's words ("invullen tot"), not POC+'s "deadline".
        return state, f"invullen tot {date_text(wave.deadline)}" if wave.deadline else "geen einddatum"

    async def choose_wave(self, subject: Subject, purpose: str, unit_id: str | None = None) -> Subject | dict:
        """Which open wave a typed command means: the only one with work left, or else ask (a card)."""
        if len(subject.open_waves) < 2:
            return subject
        responses = [(w, await self._response_in(subject, w)) for w in subject.open_waves]
        unfinished = [w for w, r in responses if not r.is_submitted]
        if purpose != "hello" and len(unfinished) < 2:
            return self._in_wave(subject, unfinished[0]) if unfinished else subject
        args = subject.card_args
        if purpose == "overview":
            title, buttons = (
                "Van welke ronde wil je het overzicht?",
                [(f"Overzicht {_short(w.name)}", action_data("overview", wave=w.id, **args)) for w, _ in responses],
            )
        elif purpose == "edit":
            unit = subject.q.unit(unit_id or "")
            title, buttons = (
                f"In welke ronde wijzig je {subject.q.words.unit} {unit.number if unit else ''}?",
                [
                    (f"Wijzig in {_short(w.name)}", action_data("edit", wave=w.id, unit=unit_id, **args))
                    for w, r in responses
                    if not r.is_submitted
                ],
            )
        else:
            first_name = subject.person.name.split(" ")[0]
            title = "In welke ronde ga je verder?"
            if purpose == "hello":
                title = f"Hallo {first_name}! {title}"
            buttons = [
                (f"{_start_word(r)} {_short(w.name)}", action_data(self._start_action(subject), wave=w.id, **args))
                for w, r in responses
            ]
        whose = "wordt het antwoord van het centrum" if subject.kind == "centre" else "worden je antwoorden"
        intro = (
            f"Voor {subject.place} lopen nu {len(responses)} rondes naast elkaar. "
            f"Per ronde {whose} apart bewaard; je kiest zelf waar je verdergaat."
        )
        return cards.wave_choice_card(title, intro, [(w.name, self._state_text(r, w)) for w, r in responses], buttons)

    async def _elsewhere(self, subject: Subject, *, unstarted: bool = False) -> list[Outgoing]:
        """Where this person's answers in other waves are, so nothing given is ever out of sight;
        unstarted: also the open waves not begun yet (after sending, what is still waiting)."""
        centre_id = subject.centre.id
        now = self.services.clock()
        current = await self.load(subject)
        others = sorted(
            (
                w
                for w in await self.services.waves.list()
                if w.id != subject.wave.id
                and w.status != "draft"
                and w.includes(centre_id)
                and w.runs(subject.questionnaire_ids)
            ),
            key=lambda w: w.launched_at or w.created_at,
            reverse=True,
        )
        whose = "Het antwoord van het centrum" if subject.kind == "centre" else "Je antwoorden"
        replies: list[Outgoing] = []
        closed_told = False
        for wave in others:
            response = await self._response_in(subject, wave)
            if not response.answers and not (unstarted and wave.accepts_answers(now)):
                continue
            if wave.accepts_answers(now):
                if response.is_submitted:
                    continue
                if response.answers:
                    intro = (
                        f"{whose} in de ronde ‘{wave.name}’ {'is' if subject.kind == 'centre' else 'zijn'} "
                        "nog niet verzonden; die ronde loopt nog."
                    )
                else:
                    intro = f"De ronde ‘{wave.name}’ loopt ook voor {subject.place}."
                replies.append(
                    Reply(
                        card=cards.wave_choice_card(
                            "Ook nog in een andere ronde",
                            intro,
                            [(wave.name, self._state_text(response, wave))],
                            [
                                (
                                    f"{_start_word(response)} {_short(wave.name)}",
                                    action_data(self._start_action(subject), wave=wave.id, **subject.card_args),
                                )
                            ],
                        )
                    )
                )
            elif not current.answers and not closed_told:
                closed_told = True
                replies.append(
                    Reply(
                        text=f"{whose} uit de ronde ‘{wave.name}’ (gesloten) "
                        f"{'blijft' if subject.kind == 'centre' else 'blijven'} bewaard: "
                        f"typ *overzicht {wave.name}* om ze te bekijken."
                    )
                )
        return replies

    @staticmethod
    def _start_action(subject: Subject) -> str:
        # The centre's answer starts through the director's flow, which shows the team's answers first.
        return "centre_start" if subject.kind == "centre" else "start"

    def _labelled(self, replies: list[Outgoing], subject: Subject) -> list[Outgoing]:
        """Name the wave on every card when another wave is open beside this one."""
        if not {w.id for w in subject.open_waves} - {subject.wave.id}:
            return replies
        labelled: list[Outgoing] = []
        for reply in replies:
            if isinstance(reply, Reply) and reply.card is not None:
                reply = Reply(text=reply.text, card=cards.with_wave_label(reply.card, subject.wave.name))
            elif isinstance(reply, MoveOn):
                reply = MoveOn(cards.with_wave_label(reply.card, subject.wave.name), reply.in_place)
            labelled.append(reply)
        return labelled

    async def _progress(self, subject: Subject, *, named: bool) -> list[Outgoing]:
        if named or len(subject.open_waves) < 2:
            return [
                Reply(card=cards.progress_card(subject.q, await self.load(subject), **subject.card_args)),
                *await self._elsewhere(subject),
            ]
        # Two waves open: the progress in each, every card naming its wave.
        return [
            Reply(
                card=cards.with_wave_label(
                    cards.progress_card(
                        self.services.questionnaire_of(w), await self._response_in(subject, w), **subject.card_args
                    ),
                    w.name,
                )
            )
            for w in subject.open_waves
        ]

    # ----- helpers ------------------------------------------------------------------------

    async def _contact_intro(self, actor: Actor) -> list[Outgoing] | None:
        """A scholengroep contact in no policy team is greeted as such, not refused."""
        if actor.membership is not None or actor.school_contact is not None or self.centre_view is None:
            return None
        return await self.centre_view.contact_intro(actor)

    async def _card_for_next_step(self, response: Response, subject: Subject, *, note: str | None = None) -> dict:
        q = subject.q
        step = flow.next_step(q, response)
        if step.kind == "page" and step.unit_id is not None and step.page is not None:
            return await self._page_card(response, subject, step.unit_id, step.page, note=note)
        if step.kind == "confirm":
            return cards.confirm_card(q, response, note=note, **subject.card_args)
        if step.kind == "submitted":
            return cards.submitted_card(q, response, place=subject.place)
        return self._overview(response, subject, note=note)

    async def _page_card(
        self, response: Response, subject: Subject, unit_id: str, page: str, *, note: str | None = None
    ) -> dict:
        values, preamble = None, ()
        if subject.kind == "centre" and self.centre_view is not None:
            values, preamble = await self.centre_view.page_view(
                subject.wave.id, subject.centre, response, unit_id, page
            )
        return cards.page_card(
            subject.q, unit_id, page, response, values=values, preamble=preamble, note=note, **subject.card_args
        )

    async def _closing_card(self, response: Response, subject: Subject) -> dict:
        values = None
        if subject.kind == "centre" and self.centre_view is not None and response.closing is None:
            values = await self.centre_view.closing_values(subject.wave.id, subject.centre)
        return cards.closing_card(subject.q, response, values=values, **subject.card_args)

    def _overview(self, response: Response, subject: Subject, *, note: str | None = None) -> dict:
        title = f"Antwoord van {subject.centre.name}" if subject.kind == "centre" else None
        if subject.school is not None:
            title = f"Antwoorden van {subject.school.name}"
        return cards.overview_card(subject.q, response, title=title, note=note, **subject.card_args)

    async def _help(self, actor: Actor) -> dict:
        """The commands, and first what the card the person is on asks of them."""
        about: list[dict] = []
        try:
            subject = await self.subject(actor)
        except Refused:
            subject = None
        q = subject.q if subject is not None else None
        if subject is not None:
            about = cards.step_help(subject.q, flow.next_step(subject.q, await self.load(subject)))
        examples = glossary_examples(q or self._answered(actor)[0])
        return cards.help_card(
            role=self._role(actor),
            words=q.words if q else None,
            glossary_example=(examples[1] or examples[0] or [None])[0],
            is_admin=actor.is_admin,
            about=about,
            today=self.services.clock().date(),
            command_words=self.services.catalog.command_words,
            schools_survey=bool(self.services.catalog.for_respondents("schools")),
        )

    async def _questionnaire_for(self, actor: Actor) -> Questionnaire:
        """The questionnaire a person's questions are about: their wave's, else the one they would answer."""
        try:
            return (await self.subject(actor)).q
        except Refused:
            return self._answered(actor)[0]

    @staticmethod
    def _closed_text(wave: Wave) -> str:
        # A wave's name is typed by POC+: shown literally in a text as on a card.
        return (
            f"De ronde ‘{safe_text(wave.name)}’ is afgesloten: antwoorden kunnen niet meer gewijzigd worden. "
            "Wat je al gaf, blijft bewaard; typ *overzicht* om het te bekijken."
        )

    @staticmethod
    def _glossary(q: Questionnaire, argument: str) -> str:
        terms, abbreviations = glossary_examples(q)
        if not terms and not abbreviations:
            return "Bij deze bevraging heb ik geen woordenlijst. Is iets niet duidelijk? Vraag het aan je CLB."
        example = f"*wat is {(abbreviations or terms)[0]}?*"
        if not argument.strip():
            return f"Waarover wil je uitleg? Typ bv. {example}"
        entry = find_glossary(q, argument)
        if entry is None:
            # What was typed is echoed literally (a message goes through Markdown too), never cut mid-word.
            asked = re.sub(r"^(een|de|het)\s+", "", argument.strip(), flags=re.IGNORECASE)
            known = " en ".join(
                filter(
                    None,
                    (
                        f"begrippen als {_listed(terms[:4])}" if terms else "",
                        f"afkortingen zoals {_listed(abbreviations[:3], 'of')}" if abbreviations else "",
                    ),
                )
            )
            return (
                f"‘{safe_text(shorten(asked, 40))}’ ken ik niet uit de handleiding. Ik kan uitleg geven bij "
                f"{known}. Typ bv. {example}"
            )
        if entry.meaning.startswith(UNEXPLAINED):
            # Say so plainly; a guess ("Waarschijnlijk: ...") is not an answer.
            context = entry.meaning.removeprefix(UNEXPLAINED).split("Waarschijnlijk:")[0].strip()
            return (
                f"De handleiding legt **{entry.abbreviation}** nergens uit, dus ik ga niet raden. {context} "
                "POC+ kan je zeggen wat ermee bedoeld wordt."
            ).replace("  ", " ")
        return f"**{entry.abbreviation}**: {entry.meaning}"

    @staticmethod
    def _hint(q: Questionnaire | None = None) -> str:
        return (
            f"Dat begrijp ik niet helemaal. Typ *verder* om verder te gaan met {cards.survey_noun(q)}, "
            "*voortgang* om te zien hoe ver je bent, of *help* voor alles wat ik kan."
        )

    @staticmethod
    def _role(actor: Actor) -> str:
        if actor.membership is not None:
            return actor.membership.role
        return "school" if actor.school_contact is not None else "guest"


def _listed(items: list[str], last: str = "en") -> str:
    """ "a, b en c"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}"


def _start_word(response: Response) -> str:
    """The button of a wave: a sent one can only be looked at, a begun one is gone on with."""
    if response.is_submitted:
        return "Bekijk"
    return "Verder in" if response.answers or response.started_at else "Start"


def _short(name: str) -> str:
    """A wave's name short enough for a button on a phone."""
    return f"‘{name}’" if len(name) <= 22 else f"‘{name[:20].rstrip()}…’"
