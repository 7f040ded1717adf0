"""The respondent's conversation: from the intro card to the final submission.

The same flow serves a member answering for themselves (subject "self") and a director recording
the centre's consolidated answer (subject "centre"); `Subject` decides which response is read
and written, and whether the actor may touch it at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from cards import respondent as cards
from cards.director import with_banner
from dialogs.commands import Command, find_bouwsteen, find_glossary
from dialogs.context import Actor, Outgoing, ReplaceSubmitted, Reply, Services
from dialogs.payloads import (
    CardPayload,
    ClosingPayload,
    EditPayload,
    OverviewPayload,
    PausePayload,
    SaveClosingPayload,
    SavePagePayload,
    StartPayload,
    SubmitPayload,
)
from survey import progress as flow
from survey.answers import InvalidAnswer, Response, validate_closing, validate_page
from survey.registry import Centre, Membership
from survey.waves import Wave
from storage.repository import Repository, Unchanged

NOT_REGISTERED = (
    "Je staat (nog) niet in de lijst van een CLB-beleidsteam, dus ik kan je de zelfscan niet tonen. "
    "Denk je dat je erbij hoort? Vraag POC+ om je toe te voegen aan het register van jouw centrum."
)
NO_WAVE = (
    "Er loopt op dit moment geen bevraging voor jouw centrum. "
    "POC+ laat je weten wanneer de volgende ronde start."
)
PAUSED = (
    "Prima, we pauzeren. Alles wat je al antwoordde is bewaard. "
    "Typ *verder* wanneer je wil, ook over een paar dagen: je gaat verder waar je was."
)
LOCKED = (
    "Deze antwoorden zijn al definitief verzonden en kunnen niet meer gewijzigd worden. "
    "Typ *overzicht* om ze te bekijken."
)


class Refused(Exception):
    """The actor may not do this; the message says why, in Dutch."""


@dataclass(frozen=True)
class Subject:
    """Whose response a turn reads and writes."""

    repository: Repository[Response]
    parts: tuple[str, ...]
    wave: Wave
    membership: Membership
    kind: str
    respondent_id: str
    respondent_name: str

    @property
    def card_args(self) -> dict:
        if self.kind == "centre":
            return {"subject": "centre", "centre": self.membership.centre.id}
        return {"subject": "self"}

    def empty_response(self) -> Response:
        return Response(
            wave_id=self.wave.id,
            centre_id=self.membership.centre.id,
            respondent_id=self.respondent_id,
            respondent_name=self.respondent_name,
            kind=self.kind,
        )


class CentreView(Protocol):
    """What the centre's answer shows on top of a member's cards: the team's answers and majority."""

    async def page_view(self, wave_id: str, centre: Centre, response: Response, bouwsteen_id: str,
                        page: str) -> tuple[dict[str, str] | None, list[dict]]: ...

    async def closing_values(self, wave_id: str, centre: Centre) -> dict[str, str]: ...

    def banner(self, subject: Subject) -> dict: ...

    async def focus(self, actor: Actor, wave_id: str) -> str: ...

    async def remember_focus(self, actor: Actor, wave_id: str, kind: str) -> None: ...

    async def contact_intro(self, actor: Actor) -> list[Outgoing] | None: ...


class RespondentDialog:
    def __init__(self, services: Services):
        self.services = services
        self.q = services.questionnaire
        self.centre_view: CentreView | None = None

    # ----- who and what -------------------------------------------------------------------

    async def subject(self, actor: Actor, kind: str = "self", centre_id: str | None = None,
                      wave_id: str | None = None) -> Subject:
        membership = actor.membership
        if membership is None:
            raise Refused(NOT_REGISTERED)
        if kind == "centre":
            if membership.role != "director":
                raise Refused("Enkel de directeur van een centrum kan het antwoord van het centrum invullen.")
            if centre_id is not None and centre_id != membership.centre.id:
                raise Refused("Je kan enkel het antwoord van je eigen centrum bekijken of invullen.")
        wave = await self.services.current_wave(membership.centre.id)
        if wave is None:
            raise Refused(NO_WAVE)
        if wave_id is not None and wave_id != wave.id:
            raise Refused(
                f"Deze kaart hoort bij een andere ronde dan de huidige (‘{wave.name}’). "
                "Typ *verder* om verder te gaan in de huidige ronde."
            )
        if kind == "centre":
            return Subject(self.services.centre_answers, (wave.id, membership.centre.id), wave, membership,
                           "centre", membership.centre.id, membership.centre.name)
        return Subject(self.services.responses, (wave.id, membership.centre.id, membership.person.key), wave,
                       membership, "member", membership.person.key, membership.person.name)

    async def load(self, subject: Subject) -> Response:
        return await subject.repository.get(*subject.parts) or subject.empty_response()

    async def command_subject(self, actor: Actor) -> Subject:
        """What a typed command acts on: the own answers, or the centre's answer a director is working on."""
        subject = await self.subject(actor)
        if subject.membership.role == "director" and self.centre_view is not None and \
                await self.centre_view.focus(actor, subject.wave.id) == "centre":
            return await self.subject(actor, "centre")
        return subject

    def marked(self, subject: Subject, outgoing: list[Outgoing]) -> list[Outgoing]:
        """Every card of the centre's answer carries its banner, so it is never taken for the own answers."""
        if subject.kind != "centre" or self.centre_view is None:
            return outgoing
        banner = self.centre_view.banner(subject)
        return [Reply(text=item.text, card=with_banner(item.card, banner)) if isinstance(item, Reply) and item.card
                else item for item in outgoing]

    # ----- typed commands -----------------------------------------------------------------

    async def on_command(self, actor: Actor, command: Command | None, text: str) -> list[Outgoing]:
        name = command.name if command else None
        if name == "help":
            return [Reply(card=cards.help_card(role=self._role(actor), is_admin=actor.is_admin))]
        if name == "glossary":
            return [Reply(text=self._glossary(command.argument))]
        if name == "hello":
            return await self.intro(actor)
        try:
            subject = await self.command_subject(actor)
        except Refused as refusal:
            return await self._contact_intro(actor) or [Reply(text=str(refusal))]
        return self.marked(subject, await self._on_subject_command(subject, command))

    async def _on_subject_command(self, subject: Subject, command: Command | None) -> list[Outgoing]:
        name = command.name if command else None
        if name == "pause":
            return [Reply(text=PAUSED)]
        if name == "resume":
            return await self.start_subject(subject)
        if name == "progress":
            return [Reply(card=cards.progress_card(self.q, await self.load(subject), **subject.card_args))]
        if name == "overview":
            return [Reply(card=self._overview(await self.load(subject), subject))]
        if name == "edit":
            bouwsteen = find_bouwsteen(self.q, command.argument)
            if bouwsteen is None:
                return [
                    Reply(text="Welke bouwsteen wil je wijzigen? Typ bv. *wijzig 3* of *wijzig preventie*."),
                    Reply(card=self._overview(await self.load(subject), subject)),
                ]
            return await self._edit(subject, bouwsteen.id)
        return [Reply(text=self._hint())]

    async def intro(self, actor: Actor) -> list[Outgoing]:
        try:
            subject = await self.subject(actor)
        except Refused as refusal:
            if actor.is_admin and actor.membership is None:
                # POC+ belongs to no centre: greet them with what they can do, not with a refusal.
                return [Reply(card=cards.help_card(role=self._role(actor), is_admin=True))]
            return await self._contact_intro(actor) or [Reply(text=str(refusal))]
        response = await self.load(subject)
        director = subject.membership.centre.director
        return [
            Reply(
                card=cards.intro_card(
                    self.q,
                    centre_name=subject.membership.centre.name,
                    wave_name=subject.wave.name,
                    deadline=subject.wave.deadline,
                    started=response.started_at is not None,
                    progress=flow.progress(self.q, response) if response.started_at else None,
                    director_name=None if subject.membership.role == "director" else director.name,
                    wave_id=subject.wave.id,
                )
            )
        ]

    # ----- card buttons -------------------------------------------------------------------

    async def on_payload(self, actor: Actor, payload: CardPayload) -> list[Outgoing]:
        try:
            subject = await self.subject(actor, payload.subject, payload.centre, payload.wave)
        except Refused as refusal:
            return [Reply(text=str(refusal))]
        if subject.membership.role == "director" and self.centre_view is not None:
            # A button of one survey makes it the one the director's typed commands act on.
            focus = "centre" if subject.kind == "centre" else "self"
            await self.centre_view.remember_focus(actor, subject.wave.id, focus)
        return self.marked(subject, await self._on_subject_payload(subject, payload))

    async def _on_subject_payload(self, subject: Subject, payload: CardPayload) -> list[Outgoing]:
        if isinstance(payload, PausePayload):
            return [Reply(text=PAUSED)]
        if isinstance(payload, OverviewPayload):
            return [Reply(card=self._overview(await self.load(subject), subject))]
        if isinstance(payload, StartPayload):
            return await self.start_subject(subject)
        if not subject.wave.accepts_answers(self.services.clock()):
            return [Reply(text=self._closed_text(subject.wave))]
        if isinstance(payload, EditPayload):
            if self.q.bouwsteen(payload.bouwsteen) is None:
                return [Reply(text="Die bouwsteen ken ik niet."), *await self.start_subject(subject)]
            return await self._edit(subject, payload.bouwsteen)
        if isinstance(payload, SavePagePayload):
            return await self._save_page(subject, payload)
        if isinstance(payload, ClosingPayload):
            return await self._show_closing(subject)
        if isinstance(payload, SaveClosingPayload):
            return await self._save_closing(subject, payload)
        if isinstance(payload, SubmitPayload):
            return await self._submit(subject, payload)
        return [Reply(text=self._hint())]

    async def start_subject(self, subject: Subject) -> list[Outgoing]:
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
                await self.services.listener.response_changed(response)
        else:
            response = await self.load(subject)
            if not response.is_submitted:
                return [Reply(text=self._closed_text(subject.wave)), Reply(card=self._overview(response, subject))]
        return [Reply(card=await self._card_for_next_step(response, subject))]

    async def _edit(self, subject: Subject, bouwsteen_id: str) -> list[Outgoing]:
        now = self.services.clock()
        try:
            _, response = await subject.repository.update(
                subject.parts, lambda current: flow.start_edit(current or subject.empty_response(), bouwsteen_id, now)
            )
        except flow.SurveyLocked:
            return [Reply(text=LOCKED)]
        return [Reply(card=await self._card_for_next_step(response, subject))]

    async def _save_page(self, subject: Subject, payload: SavePagePayload) -> list[Outgoing]:
        bouwsteen = self.q.bouwsteen(payload.bouwsteen)
        if bouwsteen is None:
            return [Reply(text="Die bouwsteen ken ik niet."), *await self.start_subject(subject)]
        current = await self.load(subject)
        if current.is_submitted:
            return [Reply(text=LOCKED)]
        try:
            answers = validate_page(self.q, bouwsteen, payload.page, payload.inputs())
        except InvalidAnswer as invalid:
            card = cards.page_card(self.q, bouwsteen.id, payload.page, current, values=payload.inputs(),
                                   errors=invalid.errors, **subject.card_args)
            return [Reply(text="Nog niet bewaard: " + " ".join(e.message for e in invalid.errors)), Reply(card=card)]

        now = self.services.clock()
        stale = payload.rev != current.revision

        def save(response: Response | None) -> Response:
            response = response or subject.empty_response()
            if response.is_submitted:
                raise flow.SurveyLocked()
            if all(response.answer(bouwsteen.id, qid) == answer for qid, answer in answers.items()) and \
                    response.is_page_answered(bouwsteen.id, payload.page) and response.editing != (bouwsteen.id, payload.page):
                # The same answer again (a double click or an old card): nothing to change.
                raise Unchanged()
            return flow.save_page(response, bouwsteen.id, payload.page, answers, now)

        try:
            before, response = await subject.repository.update(subject.parts, save)
        except flow.SurveyLocked:
            return [Reply(text=LOCKED)]
        if response is before:
            step = flow.next_step(self.q, response)
            return [Reply(text=f"Dit antwoord was al bewaard. {self._where(step)}")]
        await self.services.listener.response_changed(response)
        replies: list[Outgoing] = [ReplaceSubmitted(cards.saved_page_card(self.q, bouwsteen.id, payload.page, response))]
        if stale:
            replies.append(Reply(text=f"Je antwoord bij bouwsteen {bouwsteen.number} ({bouwsteen.title}) is aangepast."))
        replies.append(Reply(card=await self._card_for_next_step(response, subject)))
        return replies

    async def _show_closing(self, subject: Subject) -> list[Outgoing]:
        response = await self.load(subject)
        if response.is_submitted:
            return [Reply(text=LOCKED)]
        remaining = flow.progress(self.q, response).remaining
        if remaining:
            return [
                Reply(text=f"Eerst nog {len(remaining)} bouwsteen/bouwstenen, dan volgen de slotvragen."),
                Reply(card=await self._card_for_next_step(response, subject)),
            ]
        return [Reply(card=await self._closing_card(response, subject))]

    async def _save_closing(self, subject: Subject, payload: SaveClosingPayload) -> list[Outgoing]:
        current = await self.load(subject)
        if current.is_submitted:
            return [Reply(text=LOCKED)]
        if flow.progress(self.q, current).remaining:
            return await self._show_closing(subject)
        try:
            closing = validate_closing(self.q, payload.inputs())
        except InvalidAnswer as invalid:
            card = cards.closing_card(self.q, current, values=payload.inputs(), errors=invalid.errors,
                                      **subject.card_args)
            return [Reply(text="Nog niet bewaard: " + " ".join(e.message for e in invalid.errors)), Reply(card=card)]
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
            await self.services.listener.response_changed(response)
        return [Reply(card=cards.confirm_card(self.q, response, **subject.card_args))]

    async def _submit(self, subject: Subject, payload: SubmitPayload) -> list[Outgoing]:
        current = await self.load(subject)
        if current.is_submitted:
            return [Reply(text="Je antwoorden waren al verzonden. Typ *overzicht* om ze te bekijken.")]
        if not flow.is_complete(self.q, current):
            return [Reply(text="Er ontbreken nog antwoorden; daarna kan je verzenden."),
                    Reply(card=await self._card_for_next_step(current, subject))]
        if payload.rev != current.revision:
            return [
                Reply(text="Je antwoorden zijn intussen gewijzigd. Kijk ze nog eens na en bevestig opnieuw."),
                Reply(card=cards.confirm_card(self.q, current, **subject.card_args)),
            ]
        now = self.services.clock()

        def submit(response: Response | None) -> Response:
            if response is None or response.revision != payload.rev:
                raise flow.SurveyLocked()
            return flow.submit(self.q, response, now)

        try:
            _, response = await subject.repository.update(subject.parts, submit)
        except flow.SurveyLocked:
            return [Reply(text="Je antwoorden waren al verzonden of zijn net gewijzigd. Typ *overzicht*.")]
        await self.services.listener.response_changed(response)
        return [
            ReplaceSubmitted(cards.saved_submission_card(response)),
            Reply(card=cards.submitted_card(self.q, response, centre_name=subject.membership.centre.name)),
        ]

    # ----- helpers ------------------------------------------------------------------------

    async def _contact_intro(self, actor: Actor) -> list[Outgoing] | None:
        """A scholengroep contact in no policy team is greeted as such, not refused."""
        if actor.membership is not None or self.centre_view is None:
            return None
        return await self.centre_view.contact_intro(actor)

    async def _card_for_next_step(self, response: Response, subject: Subject) -> dict:
        step = flow.next_step(self.q, response)
        if step.kind == "page":
            return await self._page_card(response, subject, step.bouwsteen_id, step.page)
        if step.kind == "confirm":
            return cards.confirm_card(self.q, response, **subject.card_args)
        if step.kind == "submitted":
            return cards.submitted_card(self.q, response, centre_name=subject.membership.centre.name)
        return self._overview(response, subject)

    async def _page_card(self, response: Response, subject: Subject, bouwsteen_id: str, page: str) -> dict:
        values, preamble = None, ()
        if subject.kind == "centre" and self.centre_view is not None:
            values, preamble = await self.centre_view.page_view(subject.wave.id, subject.membership.centre,
                                                                response, bouwsteen_id, page)
        return cards.page_card(self.q, bouwsteen_id, page, response, values=values, preamble=preamble,
                               **subject.card_args)

    async def _closing_card(self, response: Response, subject: Subject) -> dict:
        values = None
        if subject.kind == "centre" and self.centre_view is not None and response.closing is None:
            values = await self.centre_view.closing_values(subject.wave.id, subject.membership.centre)
        return cards.closing_card(self.q, response, values=values, **subject.card_args)

    def _overview(self, response: Response, subject: Subject) -> dict:
        title = f"Antwoord van {subject.membership.centre.name}" if subject.kind == "centre" else None
        return cards.overview_card(self.q, response, title=title, **subject.card_args)

    def _where(self, step: flow.Step) -> str:
        if step.kind == "page":
            bouwsteen = self.q.bouwsteen(step.bouwsteen_id)
            return f"Je bent bij bouwsteen {bouwsteen.number} van {len(self.q.bouwstenen)}: {bouwsteen.title}."
        return {
            "overview": "Alle bouwstenen zijn beantwoord; typ *overzicht* en ga naar de slotvragen.",
            "confirm": "Je kan je antwoorden nu definitief verzenden.",
            "submitted": "Je antwoorden zijn verzonden.",
        }.get(step.kind, "")

    def _closed_text(self, wave: Wave) -> str:
        return (
            f"De ronde ‘{wave.name}’ is afgesloten: antwoorden kunnen niet meer gewijzigd worden. "
            "Wat je al gaf, blijft bewaard; typ *overzicht* om het te bekijken."
        )

    def _glossary(self, argument: str) -> str:
        entry = find_glossary(self.q, argument)
        if entry is None:
            known = ", ".join(e.abbreviation for e in self.q.glossary[:12])
            return f"Die afkorting ken ik niet. Ik kan onder meer uitleggen: {known}… Typ bv. *wat is LARS?*"
        return f"**{entry.abbreviation}**: {entry.meaning}"

    @staticmethod
    def _hint() -> str:
        return (
            "Dat begrijp ik niet helemaal. Typ *verder* om verder te gaan met de zelfscan, "
            "*voortgang* om te zien hoe ver je bent, of *help* voor alles wat ik kan."
        )

    @staticmethod
    def _role(actor: Actor) -> str:
        return actor.membership.role if actor.membership else "guest"
