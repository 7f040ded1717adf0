"""`mijn gegevens`: what Poolster stores about the person asking, in plain Dutch."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from dialogs.commands import Command
from dialogs.context import Actor, Outgoing, Reply, Services
from survey.progress import progress
from survey.school_view import MIN_SCHOOLS

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
        identity = ", ".join(
            filter(None, (contact.get("name"), contact.get("email") or contact.get("user_principal_name")))
        )
        lines.append(
            f"- Wie je bent, om je te herkennen en je berichten te sturen: {identity or actor.name} "
            "(en de technische kenmerken van je Teams-account en van dit gesprek)."
        )
        membership = actor.membership
        school_contact = actor.school_contact if membership is None else None
        if school_contact is not None:
            school, centre = school_contact.school, school_contact.centre
            lines.append(f"- Je rol: contactpersoon van {school.name}, een school van {centre.name}.")
            await self._answers(
                lines,
                centre.id,
                school.id,
                "De antwoorden van je school",
                "Je school heeft nog geen antwoorden gegeven.",
            )
            lines.append(
                "- Wie de antwoorden van je school ziet: de contactpersonen van je school. "
                f"{centre.name} ziet alleen tellingen over minstens {MIN_SCHOOLS} van zijn scholen samen, "
                "pas nadat de bevraging gesloten is, en de opmerkingen zonder de naam van je school. "
                "POC+ (de ondersteuningscel van het netwerk) ziet de antwoorden per school, zonder de naam "
                "van de school, voor het beeld van het netwerk."
            )
        elif membership is None:
            lines.append("- Je staat in geen enkel centrum in het register, dus er zijn geen antwoorden van jou.")
        else:
            lines.append(
                f"- Je rol: {'directeur' if membership.role == 'director' else 'lid van het beleidsteam'} "
                f"van {membership.centre.name}."
            )
            await self._answers(
                lines,
                membership.centre.id,
                membership.person.key,
                "Je antwoorden",
                "Je hebt nog geen antwoorden gegeven.",
            )
            if membership.role == "director":
                lines.append("- Wie je antwoorden ziet: jij en POC+ in de export van de ronde.")
            else:
                director = membership.centre.director.name
                lines.append(
                    f"- Wie je antwoorden ziet: jij, je directeur ({director}) en POC+ in de export van de ronde."
                )
        lines.append(f"- {RETENTION}")
        return [Reply(text="\n".join(lines))]

    async def _answers(self, lines: list[str], centre_id: str, respondent_id: str, whose: str, none: str) -> None:
        """One line per wave with answers: how far, and whether they were sent."""
        found = False
        for wave in sorted(await self.services.waves.list(), key=lambda w: w.id):
            response = await self.services.responses.get(wave.id, centre_id, respondent_id)
            if response is None:
                continue
            found = True
            q = self.services.questionnaire_of(response)
            state = progress(q, response)
            status = "verzonden" if response.is_submitted else "nog niet verzonden"
            lines.append(f"- {whose} in ‘{wave.name}’: {state.answered} van {state.total} {q.words.units}, {status}.")
        if not found:
            lines.append(f"- {none}")
