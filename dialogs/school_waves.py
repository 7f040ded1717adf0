"""A CLB director asks their own schools how they experience the cooperation: *bevraag de scholen*.

The wave is an ordinary one of the schools' survey, for the director's centre only, confirmed on
the same card POC+ gets. A director launches for their own centre and nothing else: no other
centre, no closing of a wave POC+ runs (while a schools' wave is open for the centre, a second
one is refused), and the confirmation is honoured only from the director who asked for it.
"""

from __future__ import annotations

from actions.payloads import CancelLaunchPayload, CardPayload, ConfirmLaunchPayload
from cards import admin as admin_cards
from dialogs.admin import FOR_POC, launched_replies
from dialogs.commands import Command, CommandError, parse_new_wave
from dialogs.context import Actor, Outgoing, ReplaceSubmitted, Reply, Services
from dialogs.wave_service import WaveRefused, WaveService
from survey.waves import Wave, date_text, example_deadline

FOR_DIRECTORS = (
    "De scholen bevragen doet de directeur van een centrum, voor de scholen van dat centrum. Er is niets aangemaakt."
)
FOR_ADMINS = "Als POC+ start je de bevraging van de scholen met *nieuwe ronde scholen [naam] tot dd-mm-jjjj*."


class SchoolWavesDialog:
    def __init__(self, services: Services, waves: WaveService):
        self.services = services
        self.waves = waves

    def syntax(self) -> str:
        example = date_text(example_deadline(self.services.clock().date()))
        return (
            f"Schrijf het zo: **bevraag de scholen tot dd-mm-jjjj**, bijvoorbeeld **bevraag de scholen tot "
            f"{example}**. Een eigen naam kan ervoor: **bevraag de scholen Voorjaar {example[-4:]} tot {example}**."
        )

    async def on_command(self, actor: Actor, command: Command, text: str) -> list[Outgoing]:
        membership = actor.membership
        if membership is None or membership.role != "director":
            return [Reply(text=FOR_ADMINS if actor.is_admin else FOR_DIRECTORS)]
        centre = membership.centre
        questionnaires = self.services.catalog.for_respondents("schools")
        if not questionnaires:
            return [Reply(text="Er is geen bevraging van de scholen; er is niets aangemaakt.")]
        questionnaire = questionnaires[0]
        argument = command.argument.strip()
        unnamed = argument.lower().startswith("tot ")  # then named after the centre and the deadline's year
        try:
            request = parse_new_wave(f"scholen {argument}" if unnamed else argument, self.services.clock().date())
        except CommandError:
            return [Reply(text=self.syntax())]
        if request.centre_ids and request.centre_ids != (centre.id,):
            return [
                Reply(
                    text=f"Je bevraagt enkel de scholen van je eigen centrum, {centre.name}; er is niets "
                    "aangemaakt. Laat *voor ...* weg."
                )
            ]
        name = f"Scholen {centre.name} {request.deadline.year}" if unnamed else request.name
        now = self.services.clock()
        running = [
            w
            for w in await self.waves.launched()
            if w.questionnaire_id == questionnaire.id and w.includes(centre.id) and w.accepts_answers(now)
        ]
        if running:
            return [
                Reply(
                    text=f"Je scholen worden al bevraagd in de ronde ‘{running[0].name}’ "
                    f"({running[0].deadline_text()}); er is niets aangemaakt. Een tweede bevraging start "
                    "je na het sluiten daarvan."
                )
            ]
        try:
            draft = await self.waves.draft(name, request.deadline, (centre.id,), actor.key, questionnaire)
        except WaveRefused as refusal:
            return [Reply(text=str(refusal))]
        return [
            Reply(
                card=admin_cards.launch_card(
                    draft.wave, draft.questionnaire, draft.centre_names, draft.respondents, draft.invitees
                )
            )
        ]

    async def on_payload(self, actor: Actor, payload: CardPayload) -> list[Outgoing]:
        """The launch card's buttons, pressed by the director who asked for it (POC+'s own go elsewhere)."""
        if not isinstance(payload, (ConfirmLaunchPayload, CancelLaunchPayload)):
            return [Reply(text=FOR_POC)]
        wave = await self.services.waves.get(payload.wave or "")
        if wave is None or not self._own(actor, wave):
            return [Reply(text=FOR_POC)]
        if isinstance(payload, CancelLaunchPayload):
            await self.waves.cancel_draft(wave.id)
            return [
                ReplaceSubmitted(admin_cards.card_text("Geannuleerd: de bevraging is niet gestart.")),
                Reply(text="Geannuleerd; er werd geen school uitgenodigd."),
            ]
        try:
            return launched_replies(await self.waves.launch(wave.id, actor.user_id))
        except WaveRefused as refusal:
            return [Reply(text=str(refusal))]

    def _own(self, actor: Actor, wave: Wave) -> bool:
        membership = actor.membership
        return (
            membership is not None
            and membership.role == "director"
            and wave.created_by == actor.key
            and wave.centre_ids == (membership.centre.id,)
            and self.waves.for_schools(wave)
        )
