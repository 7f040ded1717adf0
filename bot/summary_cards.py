"""The director's live summary card: one message per centre and wave, updated in place.

Every change to a member's answers, and to the centre's answer, schedules an update. Updates of
one card are coalesced: at most one per `interval` seconds, and the last state is always
delivered (a trailing update re-renders from the store when it runs). If the message is gone, a new one is sent and
remembered. The director is reached in their 1:1 chat, which is created if they never spoke
to the bot.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from botbuilder.schema import ConversationReference
from pydantic import BaseModel, ConfigDict

from bot.delivery import DeliveryFailed
from bot.messenger import Messenger, card_activity
from bot.rate_limits import Priority
from bot.reach import Reach
from dialogs.context import Services
from storage.repository import Repository
from survey.answers import Response
from survey.registry import Centre
from survey.waves import Wave

log = logging.getLogger("poolster.summary")


class SummaryCardRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    wave_id: str
    centre_id: str
    reference: dict
    activity_id: str
    updated_at: datetime


@dataclass
class _CardState:
    dirty: bool = False
    last_sent: float = 0.0
    task: asyncio.Task | None = field(default=None, repr=False)


Render = Callable[[Wave, Centre], Awaitable[dict]]


class SummaryPublisher:
    def __init__(self, services: Services, reach: Reach, messenger: Messenger, render: Render, *, interval: float):
        self.services = services
        self.reach = reach
        self.messenger = messenger
        self.render = render
        self.interval = interval
        self.records: Repository[SummaryCardRecord] = Repository(services.store, "summary-cards", SummaryCardRecord)
        self._states: dict[tuple[str, str], _CardState] = {}

    # ResponseListener: a member's change and the centre's answer (started, saved, sent) show on the card.
    # A school that sends its answers changes the line about the schools on the centre's cards that exist.
    async def response_changed(self, response: Response) -> None:
        if response.kind == "school":
            if response.is_submitted:
                # The centre's live cards, one per team wave at most: a read per wave, not of every card.
                for wave in await self.services.waves.list():
                    if (
                        wave.includes(response.centre_id)
                        and self.services.questionnaire_of(wave).respondents == "team"
                        and await self.records.get(wave.id, response.centre_id) is not None
                    ):
                        self.schedule(wave.id, response.centre_id)
            return
        self.schedule(response.wave_id, response.centre_id)

    def schedule(self, wave_id: str, centre_id: str) -> None:
        state = self._states.setdefault((wave_id, centre_id), _CardState())
        state.dirty = True
        if state.task is None or state.task.done():
            state.task = asyncio.create_task(self._run((wave_id, centre_id), state))

    async def _run(self, key: tuple[str, str], state: _CardState) -> None:
        while state.dirty:
            wait = state.last_sent + self.interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            state.dirty = False
            try:
                await self.publish(*key)
            except Exception:
                log.exception("summary card not delivered", extra={"wave_id": key[0], "centre_id": key[1]})
            state.last_sent = time.monotonic()

    async def idle(self) -> None:
        """Wait until every scheduled update has been delivered (tests, shutdown)."""
        while tasks := [s.task for s in self._states.values() if s.task and not s.task.done()]:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def stop(self) -> None:
        """At shutdown, before the store closes: drop pending updates (refresh_all redoes them at start)."""
        tasks = [s.task for s in self._states.values() if s.task and not s.task.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def refresh_all(self) -> None:
        """After a restart, bring every live card up to date (a trailing update may have been lost)."""
        for record in await self.records.list():
            self.schedule(record.wave_id, record.centre_id)

    async def publish(
        self, wave_id: str, centre_id: str, *, fresh: bool = False, priority: Priority = Priority.BACKGROUND
    ) -> None:
        """Bring the card up to date; BACKGROUND after an answer, INTERACTIVE when the director asked for it."""
        wave = await self.services.waves.get(wave_id)
        centre = self.services.registry.centre(centre_id)
        if wave is None or centre is None:
            return
        record = None if fresh else await self.records.get(wave_id, centre_id)
        if record is not None:
            reference = ConversationReference().deserialize(record.reference)
            try:
                await self.messenger.update(
                    reference, record.activity_id, card_activity(await self.render(wave, centre)), priority
                )
                return
            except DeliveryFailed as failure:
                if failure.status != 404:
                    raise
                log.info("summary card gone; sending a new one", extra={"wave_id": wave_id, "centre_id": centre_id})
        # Find the director before rendering: an unreachable director costs nothing per answer.
        try:
            reference = await self.reach.reference(centre.director)
        except DeliveryFailed as failure:
            log.info("director cannot be reached", extra={"centre_id": centre_id, "reason": failure.reason})
            return
        activity_id = await self.messenger.send(reference, card_activity(await self.render(wave, centre)), priority)
        await self.records.put(
            SummaryCardRecord(
                wave_id=wave_id,
                centre_id=centre_id,
                reference=reference.serialize(),
                activity_id=activity_id,
                updated_at=self.services.clock(),
            ),
            wave_id,
            centre_id,
        )
