"""The scholengroep informed: when a centre's answer is submitted, each of the centre's scholengroep
contacts (AD, CODI, DICO in the registry) gets a card with the centre's results and the report.

Sent once per contact, centre and wave (a record says so); a contact who cannot be reached yet (never
met, no Azure AD id) or a failed send is tried again at the next start (`resume`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.delivery import DeliveryFailed
from bot.messenger import Messenger, card_activity
from bot.reach import Reach
from dialogs.context import Services
from dialogs.director import ScholengroepNotice
from storage.repository import Repository
from survey.answers import Response
from survey.registry import Centre
from survey.waves import Wave

log = logging.getLogger("poolster.scholengroep")

Render = Callable[[Wave, Centre, Response], Awaitable[dict]]


class ScholengroepNotifier:
    def __init__(
        self,
        services: Services,
        reach: Reach,
        messenger: Messenger,
        render: Render,
        notices: Repository[ScholengroepNotice],
        informed: Callable[[str, str], None],
    ):
        self.services = services
        self.reach = reach
        self.messenger = messenger
        self.render = render
        self.notices = notices
        # Called after contacts were informed (the director's card then says who got it).
        self.informed = informed
        self._tasks: set[asyncio.Task] = set()

    # ResponseListener: the centre's answer sent is what the scholengroep hears of.
    async def response_changed(self, response: Response) -> None:
        if response.kind == "centre" and response.is_submitted:
            self.centre_submitted(response)

    def centre_submitted(self, response: Response) -> None:
        task = asyncio.create_task(self.notify(response.wave_id, response.centre_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def notify(self, wave_id: str, centre_id: str) -> None:
        wave = await self.services.waves.get(wave_id)
        centre = self.services.registry.centre(centre_id)
        answer = await self.services.centre_answers.get(wave_id, centre_id)
        if wave is None or centre is None or answer is None or not answer.is_submitted:
            return
        sent = 0
        for contact in centre.scholengroep_contacts:
            if await self.notices.get(wave_id, centre_id, contact.key) is not None:
                continue
            extra = {"wave_id": wave_id, "centre_id": centre_id, "role": contact.role}
            try:
                reference = await self.reach.reference(contact)
                if reference is None:
                    log.info("scholengroep contact cannot be reached yet", extra=extra)
                    continue
                await self.messenger.send(reference, card_activity(await self.render(wave, centre, answer)))
            except DeliveryFailed as failure:
                log.warning("scholengroep contact not reached", extra={**extra, "reason": failure.reason})
                continue
            await self.notices.put(
                ScholengroepNotice(
                    wave_id=wave_id,
                    centre_id=centre_id,
                    contact_key=contact.key,
                    name=contact.name,
                    role=contact.role,
                    sent_at=self.services.clock(),
                ),
                wave_id,
                centre_id,
                contact.key,
            )
            sent += 1
        if sent:
            self.informed(wave_id, centre_id)

    async def resume(self) -> None:
        """At start: inform contacts of submitted centre answers who were not reached before."""
        for wave in await self.services.waves.list():
            for centre in self.services.registry.centres:
                if centre.scholengroep_contacts and wave.includes(centre.id):
                    answer = await self.services.centre_answers.get(wave.id, centre.id)
                    if answer is not None and answer.is_submitted:
                        self.centre_submitted(answer)

    async def idle(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
