"""The director's side: the team's live picture and recording the centre's answer.

The centre's answer reuses the respondent flow with subject "centre"; this dialog adds what the
director sees on top of each card (every member's answer, the majority, ties) and the shortcut
for a centre whose director answered alone.
"""

from __future__ import annotations

from typing import Awaitable, Callable

from cards import director as director_cards
from dialogs.commands import Command
from dialogs.context import Actor, Outgoing, ReplaceSubmitted, Reply, Services
from dialogs.payloads import AdoptOwnPayload, CardPayload, CentreStartPayload
from dialogs.respondent import Refused, RespondentDialog
from survey import progress as flow
from survey.answers import Response
from survey.consolidation import propose, proposed_closing_inputs, proposed_inputs
from survey.registry import Centre
from survey.summary import TeamSummary, summarise
from survey.waves import Wave, previous_wave
from storage.repository import Unchanged

ONLY_DIRECTORS = "Dit is voor de directeur van een centrum."


class DirectorDialog:
    def __init__(self, services: Services, respondent: RespondentDialog,
                 send_summary: Callable[[str, str, Actor], Awaitable[None]]):
        self.services = services
        self.q = services.questionnaire
        self.respondent = respondent
        # Sends a fresh summary card to the director and makes it the one kept up to date.
        self.send_summary = send_summary
        respondent.centre_view = self

    # ----- what the director sees ------------------------------------------------------------

    def names(self, centre: Centre) -> dict[str, str]:
        return {person.key: person.name for person in centre.people}

    async def team(self, wave_id: str, centre: Centre) -> tuple[list[Response], TeamSummary]:
        responses = await self.services.member_responses(wave_id, centre.id)
        return responses, summarise(self.q, centre, responses)

    async def summary_card(self, wave: Wave, centre: Centre) -> dict:
        _, summary = await self.team(wave.id, centre)
        earlier = previous_wave(await self.services.waves.list(), wave)
        previous = None
        if earlier is not None:
            previous = summarise(self.q, centre, await self.services.member_responses(earlier.id, centre.id))
        centre_answer = await self.services.centre_answers.get(wave.id, centre.id)
        return director_cards.summary_card(self.q, summary, wave, centre_answer=centre_answer,
                                           previous=previous, previous_wave=earlier,
                                           now=self.services.clock())

    async def page_view(self, wave_id: str, centre: Centre, response: Response, bouwsteen_id: str,
                        page: str) -> tuple[dict[str, str] | None, list[dict]]:
        responses = await self.services.member_responses(wave_id, centre.id)
        proposals = propose(self.q, bouwsteen_id, responses, self.names(centre))
        values = None if response.is_page_answered(bouwsteen_id, page) else proposed_inputs(proposals, page)
        return values, director_cards.team_view(self.q, bouwsteen_id, page, proposals)

    async def closing_values(self, wave_id: str, centre: Centre) -> dict[str, str]:
        return proposed_closing_inputs(self.q, await self.services.member_responses(wave_id, centre.id))

    # ----- commands and buttons -------------------------------------------------------------

    async def on_command(self, actor: Actor, command: Command, text: str) -> list[Outgoing]:
        if command.name == "team":
            return await self._team(actor)
        return await self._centre_answer(actor)

    async def on_payload(self, actor: Actor, payload: CardPayload) -> list[Outgoing]:
        if isinstance(payload, AdoptOwnPayload):
            return await self._adopt_own(actor, payload)
        if isinstance(payload, CentreStartPayload):
            return await self._centre_answer(actor, payload.centre, payload.wave)
        return [Reply(text=ONLY_DIRECTORS)]

    async def _team(self, actor: Actor) -> list[Outgoing]:
        try:
            subject = await self.respondent.subject(actor, "centre")
        except Refused as refusal:
            return [Reply(text=str(refusal))]
        # Two waves open side by side: the team's picture of each (every card names its wave).
        for wave in subject.open_waves or (subject.wave,):
            await self.send_summary(wave.id, subject.membership.centre.id, actor)
        return []

    async def _centre_answer(self, actor: Actor, centre_id: str | None = None,
                             wave_id: str | None = None) -> list[Outgoing]:
        try:
            subject = await self.respondent.subject(actor, "centre", centre_id, wave_id)
        except Refused as refusal:
            return [Reply(text=str(refusal))]
        if wave_id is None:
            # Typed `centrum` while two waves run: the director chooses which centre answer.
            chosen = await self.respondent.choose_wave(subject, "resume")
            if isinstance(chosen, dict):
                return [Reply(card=chosen)]
            subject = chosen
        centre = subject.membership.centre
        responses, summary = await self.team(subject.wave.id, centre)
        others = [r for r in responses if r.respondent_id != subject.membership.person.key and r.answers]
        own = next((r for r in responses if r.respondent_id == subject.membership.person.key), None)
        centre_answer = await self.services.centre_answers.get(subject.wave.id, centre.id)
        if not others and own is not None and own.is_submitted and centre_answer is None:
            return [Reply(card=director_cards.adopt_own_card(centre, subject.wave))]
        intro = Reply(text=(
            f"Je vult nu het antwoord van {centre.name} in. Bij elke vraag zie je wat je teamleden "
            f"antwoordden; de meerderheid staat al ingevuld, een gelijke stand moet je zelf kiezen. "
            f"{summary.finished} van {len(summary.members)} teamleden verzonden hun antwoorden."
        ))
        return [intro, *await self.respondent.start_subject(subject)]

    async def _adopt_own(self, actor: Actor, payload: AdoptOwnPayload) -> list[Outgoing]:
        try:
            subject = await self.respondent.subject(actor, "centre", payload.centre, payload.wave)
        except Refused as refusal:
            return [Reply(text=str(refusal))]
        own = await self.services.responses.get(subject.wave.id, subject.membership.centre.id,
                                                subject.membership.person.key)
        if own is None or not own.is_submitted:
            return [Reply(text="Verzend eerst je eigen antwoorden; daarna kan je ze als antwoord van het centrum gebruiken.")]
        now = self.services.clock()

        def adopt(current: Response | None) -> Response:
            if current is not None and current.is_submitted:
                raise Unchanged()
            centre_answer = subject.empty_response().model_copy(
                update={"answers": own.answers, "closing": own.closing, "started_at": now})
            return flow.submit(self.q, centre_answer, now)

        before, after = await subject.repository.update(subject.parts, adopt)
        if after is before:
            return [Reply(text="Het antwoord van het centrum was al verzonden.")]
        await self.services.listener.response_changed(after)
        return [
            ReplaceSubmitted(director_cards.adopted_card(subject.membership.centre)),
            Reply(text=f"Je antwoorden zijn verzonden als het antwoord van {subject.membership.centre.name}."),
        ]
