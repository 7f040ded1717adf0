"""`mijn gegevens`: what Poolster stores about the person asking, in plain Dutch."""

from __future__ import annotations

from typing import Awaitable, Callable

from dialogs.commands import Command
from dialogs.context import Actor, Outgoing, Reply, Services
from survey.progress import progress

RETENTION = (
    "Bewaartermijn: na het afsluiten en exporteren van een ronde kan POC+ de antwoorden per persoon "
    "verwijderen; het antwoord van het centrum blijft bewaard om rondes te vergelijken."
)


class PrivacyDialog:
    def __init__(self, services: Services, contact_details: Callable[[str], Awaitable[dict | None]]):
        self.services = services
        # Returns the stored contact record of a Teams user id (name, e-mail, ids), if any.
        self.contact_details = contact_details

    async def on_command(self, actor: Actor, command: Command, text: str) -> list[Outgoing]:
        lines = ["**Wat Poolster over jou bewaart**"]
        contact = await self.contact_details(actor.user_id) or {}
        identity = ", ".join(filter(None, (contact.get("name"), contact.get("email") or contact.get("user_principal_name"))))
        lines.append(f"- Wie je bent, om je te herkennen en je berichten te sturen: {identity or actor.name} "
                     "(en de technische kenmerken van je Teams-account en van dit gesprek).")
        membership = actor.membership
        if membership is None:
            lines.append("- Je staat in geen enkel centrum in het register, dus er zijn geen antwoorden van jou.")
        else:
            lines.append(f"- Je rol: {'directeur' if membership.role == 'director' else 'lid van het beleidsteam'} "
                         f"van {membership.centre.name}.")
            waves = {wave.id: wave for wave in await self.services.waves.list()}
            found = False
            for wave_id, wave in sorted(waves.items()):
                response = await self.services.responses.get(wave_id, membership.centre.id, membership.person.key)
                if response is None:
                    continue
                found = True
                state = progress(self.services.questionnaire, response)
                status = "verzonden" if response.is_submitted else "nog niet verzonden"
                lines.append(f"- Je antwoorden in ‘{wave.name}’: {state.answered} van {state.total} bouwstenen, {status}.")
            if not found:
                lines.append("- Je hebt nog geen antwoorden gegeven.")
            if membership.role == "director":
                lines.append("- Wie je antwoorden ziet: jij en POC+ in de export van de ronde.")
            else:
                director = membership.centre.director.name
                lines.append(f"- Wie je antwoorden ziet: jij, je directeur ({director}) en POC+ in de export van de ronde.")
        lines.append(f"- {RETENTION}")
        return [Reply(text="\n".join(lines))]
