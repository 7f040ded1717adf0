"""The persistent outbox: invitations and reminders, one stored item per recipient and purpose.

Every item has a recorded status: queued -> sending -> sent, or failed with the reason as a NotReached
code (survey/reach_outcomes.py: not installed, blocked, not found, ...). The worker drains queued
items concurrently within Teams' limits (the shared RateLimiter, as background traffic: people's
replies go first) and with retries (`call_teams`); a refusal is recorded, not retried. Reaching
someone who never met Poolster may take several steps (find them in Graph, install Poolster, get
the chat: bot/reach.py), each recorded for the person as it is done, so a crash between them
repeats none that finished. Items are claimed with
an e_tag-conditional update (queued -> sending, with `claimed_by` = this process and
`claimed_until` = now + CLAIM_LEASE), so two drains (two instances on a shared store, or two waves
of sending in one process) never send the same item: an item in "sending" is taken over only when
its lease has ended, or, on a store only one process uses, when a previous run of the bot claimed
it (that run died mid-send). After a crash, items left in "sending" are sent again: delivery is at
least once, and only the items that were in flight at the moment of the crash can arrive twice.

A wave with items to send carries a marker ("outbox-pending/<wave>") until a drain finds nothing
left; every minute each instance drains the marked waves it is not draining already, so a wave an
instance left behind when it died is finished by another one once the dead one's leases end.

Whoever starts a launch or a reminder is owed a report ("outbox-reports/<wave>/<purpose>", stored
before the first item is queued): it is sent when a drain of the wave ends and nothing of that
purpose is left to send, or by the minute's scheduler, and deleted once sent, so a restart in the
middle still ends with the report. It names who was not reached, grouped by NotReached code.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from bot.delivery import DeliveryFailed
from bot.messenger import Messenger, card_activity
from bot.people import People
from bot.rate_limits import Priority
from bot.reach import Reach
from dialogs.context import Services
from storage.repository import Repository, Unchanged
from survey.reach_outcomes import NotReached, explain
from survey.registry import Person, Registry
from survey.waves import NotReachedGroup, SendReport, Wave

log = logging.getLogger("poolster.outbox")

Status = Literal["queued", "sending", "sent", "failed"]
# How long a claim holds: longer than one send may take with all its retries (6 tries of at most
# 15 s plus back-off and Retry-After), so a live sender is never overtaken.
CLAIM_LEASE = timedelta(minutes=5)


class OutboxItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    wave_id: str
    purpose: str  # "invite", "reminder-7d", "reminder-manual-<time>"
    centre_id: str
    person_key: str
    status: Status = "queued"
    reason: str = ""  # when failed: a NotReached code (older items hold free text: explain() reads it as refused)
    attempts: int = 0
    updated_at: datetime
    # Who holds the item while it is "sending", and until when (see the module docstring).
    claimed_by: str = ""
    claimed_until: datetime | None = None


class PendingWave(BaseModel):
    wave_id: str


CardFor = Callable[[OutboxItem], Awaitable[dict]]


class Outbox:
    def __init__(
        self,
        services: Services,
        reach: Reach,
        card_for: CardFor,
        *,
        concurrency: int = 8,
        lease: timedelta = CLAIM_LEASE,
    ):
        # A few sends in flight keep Teams' budget busy (each takes milliseconds; the rate limiter sets
        # the pace); more only hold store writes and CPU that people answering at the same time need.
        # Unique per process run: a restarted bot is another claimer than the run that crashed.
        self.instance = f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:8]}"
        self.lease = lease
        self.services = services
        self.reach = reach
        self.card_for = card_for
        self.items: Repository[OutboxItem] = Repository(services.store, "outbox", OutboxItem)
        self.pending: Repository[PendingWave] = Repository(services.store, "outbox-pending", PendingWave)
        self._semaphore = asyncio.Semaphore(concurrency)
        self._drains: set[asyncio.Task] = set()
        self._draining: Counter[str] = Counter()  # wave id -> drains running in this process
        self._early: dict[str, list[asyncio.Task]] = {}  # wave id -> sends started while queueing
        # Called with the wave id whenever a drain ends, resumed ones included (the owed reports).
        self.after_drain: Callable[[str], Awaitable[None]] | None = None

    async def enqueue(self, wave_id: str, purpose: str, people: list[tuple[str, Person]], *, send: bool = False) -> int:
        """Queue one item per person; an item that already exists is left alone (no double invites).

        With `send`, each new item starts on its way as soon as it is stored, instead of after all
        are (queueing a thousand takes a second or two); the next drain of the wave waits for them.
        """
        now = self.services.clock()
        # The marker first: if this process dies while queueing, another one still finds the wave.
        await self.pending.put(PendingWave(wave_id=wave_id), wave_id)
        # A few writes overlap on the disk; a thousand at once would queue people's turns behind them
        # in the store's worker threads.
        slots = asyncio.Semaphore(4)

        async def create(centre_id: str, person: Person) -> bool:
            item = OutboxItem(
                wave_id=wave_id, purpose=purpose, centre_id=centre_id, person_key=person.key, updated_at=now
            )
            async with slots:
                created = await self.items.create(item, wave_id, f"{purpose}--{person.key}")
            if created and send:
                self._early.setdefault(wave_id, []).append(asyncio.create_task(self._deliver(item)))
            return created

        return sum(await asyncio.gather(*(create(centre_id, person) for centre_id, person in people)))

    def start_draining(self, wave_id: str) -> asyncio.Task:
        async def run() -> None:
            self._draining[wave_id] += 1
            try:
                await self.drain(wave_id)
            finally:
                self._draining[wave_id] -= 1
            if self.after_drain is not None:
                await self.after_drain(wave_id)

        task = asyncio.create_task(run())
        self._drains.add(task)
        task.add_done_callback(self._drains.discard)
        return task

    async def idle(self) -> None:
        while self._drains:
            await asyncio.gather(*list(self._drains), return_exceptions=True)

    async def stop(self) -> None:
        """At shutdown, before the store closes: stop sending; what was not sent is resumed at start."""
        tasks = [*self._drains, *(task for early in self._early.values() for task in early)]
        self._early.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def resume(self, *, full_scan: bool = False) -> None:
        """Drain the waves with items left to send that no drain of this process is working on.

        At start-up (`full_scan`) every item is looked at; every minute after that only the marked
        waves, which is cheap, also on a shared store.
        """
        if full_scan:
            waves = {item.wave_id for item in await self.items.list() if item.status in ("queued", "sending")}
        else:
            waves = {marker.wave_id for marker in await self.pending.list()}
        for wave_id in sorted(waves):
            if not self._draining[wave_id]:
                self.start_draining(wave_id)

    async def drain(self, wave_id: str) -> None:
        early = self._early.pop(wave_id, [])
        pending = [i for i in await self.items.list(wave_id) if i.status in ("queued", "sending")]
        settled = await asyncio.gather(*early, *(self._deliver(item) for item in pending))
        # Items another live claimer holds keep the marker, so they are looked at again later.
        if all(settled):
            await self.pending.delete(wave_id)

    async def _deliver(self, item: OutboxItem) -> bool:
        """Send one item; True when it is settled (sent or failed, now or before), False when another
        claimer holds it."""
        async with self._semaphore:
            parts = (item.wave_id, f"{item.purpose}--{item.person_key}")
            now = self.services.clock()

            def claim(current: OutboxItem | None) -> OutboxItem:
                if current is None or current.status in ("sent", "failed") or not self._claimable(current, now):
                    raise Unchanged()
                return current.model_copy(
                    update={
                        "status": "sending",
                        "attempts": current.attempts + 1,
                        "updated_at": now,
                        "claimed_by": self.instance,
                        "claimed_until": now + self.lease,
                    }
                )

            before, claimed = await self.items.update(parts, claim)
            if claimed is before:
                return before is None or before.status in ("sent", "failed")
            try:
                await self._send(claimed)
                outcome = {"status": "sent", "reason": ""}
            except DeliveryFailed as failure:
                log.info("outbox item not delivered", extra={"wave_id": item.wave_id, "reason": failure.reason})
                outcome = {"status": "failed", "reason": failure.code.value}
            except Exception:
                log.exception("outbox item failed", extra={"wave_id": item.wave_id})
                outcome = {"status": "failed", "reason": NotReached.INTERNAL_ERROR.value}
            await self.items.update(
                parts, lambda current: current.model_copy(update={**outcome, "updated_at": self.services.clock()})
            )
            return True

    def _claimable(self, item: OutboxItem, now: datetime) -> bool:
        if item.status == "queued":
            return True
        # "sending": in flight somewhere, or left behind by a process that died.
        if now >= (item.claimed_until or item.updated_at + self.lease):
            return True
        if item.claimed_by == self.instance:
            return False  # in flight in this process
        # Another claimer: on a store only one process uses, that was an earlier run of this bot.
        return not getattr(self.services.store, "shared", False)

    async def _send(self, item: OutboxItem) -> None:
        recipient = recipient_of(self.services.registry, item.person_key)
        if recipient is None:
            raise DeliveryFailed(NotReached.NOT_IN_REGISTRY)
        await self.reach.send(recipient[0], card_activity(await self.card_for(item)))


def recipient_of(registry: Registry, person_key: str) -> tuple[Person, str] | None:
    """The registry's person an item is for, and where they belong (their centre, or their school
    and its centre); None when they are no longer in the registry."""
    membership = registry.person(person_key)
    if membership is not None:
        return membership.person, membership.centre.name
    contact = registry.school_contact(person_key)
    if contact is not None:
        return contact.person, f"{contact.school.name}, {contact.centre.name}"
    return None


# ----- reports: what became of a launch or a reminder, for the POC+ who started it --------------

# Reasons stored before items held a NotReached code, as the delivery layer used to word them.
_LEGACY_REASONS: tuple[tuple[str, NotReached], ...] = (
    ("geblokkeerd", NotReached.BLOCKED),
    ("(404)", NotReached.NOT_FOUND),
    ("niet gevonden", NotReached.NOT_FOUND),
    ("(413)", NotReached.TOO_BIG),
    ("onbereikbaar", NotReached.NO_IDENTITY),
    ("opgegeven na", NotReached.TEAMS_UNAVAILABLE),
)


def reason_code(reason: str) -> NotReached:
    """The NotReached code of a failed item, also for items stored with a free-text reason."""
    try:
        return NotReached(reason)
    except ValueError:
        return next((code for words, code in _LEGACY_REASONS if words in reason), NotReached.REFUSED)


class OwedReport(BaseModel):
    """A report someone was promised; stored before the first message is queued, deleted once sent,
    so a launch or reminder interrupted by a restart still ends with its report."""

    model_config = ConfigDict(extra="forbid")

    wave_id: str
    purpose: str
    notify_user_id: str
    created_at: datetime
    # Set once every message is queued: before that, "nothing left to send" only means "not queued
    # yet". A promise whose queueing died with its process is reported after CLAIM_LEASE all the same.
    queued: bool = False
    claimed_until: datetime | None = None
    attempts: int = 0


REPORT_ATTEMPTS = 5


class OutboxFanout:
    """The wave service's Sender: queue and send to many people, then report to whoever asked."""

    def __init__(
        self, outbox: Outbox, messenger: Messenger, people: People, report_card: Callable[[Wave, SendReport], dict]
    ):
        self.outbox = outbox
        self.messenger = messenger
        self.people = people
        self.report_card = report_card
        self.services = outbox.services
        self.owed: Repository[OwedReport] = Repository(outbox.services.store, "outbox-reports", OwedReport)
        outbox.after_drain = self.deliver_owed_reports

    async def send(self, wave: Wave, purpose: str, people: list[tuple[str, Person]], notify: str | None) -> int:
        if notify is not None:
            await self.owed.put(
                OwedReport(wave_id=wave.id, purpose=purpose, notify_user_id=notify, created_at=self.services.clock()),
                wave.id,
                purpose,
            )
        queued = await self.outbox.enqueue(wave.id, purpose, people, send=True)
        if notify is not None:
            await self.owed.update((wave.id, purpose), _mark_queued)
        self.outbox.start_draining(wave.id)
        return queued

    async def invited(self, wave_id: str) -> dict[str, int] | None:
        counts: dict[str, int] = {}
        invites = [item for item in await self.outbox.items.list(wave_id) if item.purpose == "invite"]
        for item in invites:
            if item.status == "sent":
                counts[item.centre_id] = counts.get(item.centre_id, 0) + 1
        return counts if invites else None

    async def report(self, wave_id: str, purpose: str) -> SendReport:
        items = [i for i in await self.outbox.items.list(wave_id) if i.purpose == purpose]
        groups: dict[NotReached, list[str]] = {}
        left_registry = 0
        for item in items:
            if item.status != "failed":
                continue
            recipient = recipient_of(self.services.registry, item.person_key)
            if recipient is None:
                left_registry += 1
                continue
            groups.setdefault(reason_code(item.reason), []).append(f"{recipient[0].name} ({recipient[1]})")
        not_reached = tuple(
            NotReachedGroup(code.value, *explain(code.value), tuple(sorted(names)))
            for code, names in sorted(groups.items(), key=lambda pair: -len(pair[1]))
        )
        return SendReport(
            kind="launch" if purpose == "invite" else "reminder",
            total=len(items),
            sent=sum(i.status == "sent" for i in items),
            pending=sum(i.status in ("queued", "sending") for i in items),
            not_reached=not_reached,
            left_registry=left_registry,
        )

    async def deliver_owed_reports(self, wave_id: str | None = None) -> None:
        """Send every owed report whose messages are all settled (after a drain, and every minute)."""
        owed = await self.owed.list(wave_id) if wave_id else await self.owed.list()
        now = self.services.clock()
        for promise in owed:
            if not promise.queued and now < promise.created_at + CLAIM_LEASE:
                continue
            items = await self.outbox.items.list(promise.wave_id)
            if any(i.purpose == promise.purpose and i.status in ("queued", "sending") for i in items):
                continue
            await self._deliver(promise)

    async def _deliver(self, promise: OwedReport) -> None:
        now = self.services.clock()
        parts = (promise.wave_id, promise.purpose)

        def claim(current: OwedReport | None) -> OwedReport:
            if current is None or (current.claimed_until is not None and now < current.claimed_until):
                raise Unchanged()  # sent already, or another drain is sending it
            return current.model_copy(update={"claimed_until": now + CLAIM_LEASE, "attempts": current.attempts + 1})

        before, claimed = await self.owed.update(parts, claim)
        if claimed is before:
            return
        wave = await self.services.waves.get(promise.wave_id)
        known = await self.people.users.get(promise.notify_user_id)
        reference = People.reference(known) if known else None
        if wave is None or reference is None:
            await self.owed.delete(*parts)  # the wave or the person is gone: nobody to report to
            return
        card = self.report_card(wave, await self.report(wave.id, promise.purpose))
        try:
            await self.messenger.send(reference, card_activity(card), Priority.BACKGROUND)
        except DeliveryFailed as failure:
            log.warning("report not delivered", extra={"reason": failure.reason, "wave_id": wave.id})
            if claimed.attempts < REPORT_ATTEMPTS:
                await self.owed.update(parts, lambda current: current.model_copy(update={"claimed_until": None}))
                return
        await self.owed.delete(*parts)


def _mark_queued(current: OwedReport | None) -> OwedReport:
    if current is None:
        raise Unchanged()
    return current.model_copy(update={"queued": True})
