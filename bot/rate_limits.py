"""Teams' rate limits, with the replies people are waiting for first.

Teams allows a bot, per conversation, 7 messages in 1 s, 8 in 2 s, 60 in 30 s and 1,800 in an hour,
and per app and tenant 50 requests a second for all conversations together. GO! is one tenant:
every member, director and POC+ shares that one budget of 50 a second.

Every request asks for a moment to go with a priority. INTERACTIVE is the answer to what a person
just did (the next card after a click, the reply to a command); BACKGROUND is what nobody is
watching leave: the director's live card, invitations, reminders, launch reports. When both wait,
interactive requests go first, except that every `background_every`-th moment goes to background
traffic, so a wave keeps moving while people answer (a minimum share, never starvation); when no
person is waiting, background traffic gets every moment. A wave launched while people answer thus
slows the launch, not the people.

Per tenant, moments are paced at `per_app` a second with room for a burst of `burst` after a quiet
moment (the generic cell rate algorithm): a lone reply never waits, and no second holds more than
per_app + burst requests (48 + 2 = Teams' 50). Pacing rather than letting a second's worth go at
once matters: a burst leaves together but reaches Teams spread out by the thread pool, and its tail
would count in Teams' next second. Per conversation every published window is kept, one request
below each limit, because a request reaches Teams a little earlier or later than it left.

`TenantQueue` and `ConversationWindows` decide, for a given moment, who may go; they never read a
clock, so tests drive them with made-up times. `RateLimiter` runs them on the event loop's clock.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from dataclasses import dataclass, field
from enum import IntEnum


class Priority(IntEnum):
    INTERACTIVE = 0
    BACKGROUND = 1


@dataclass(frozen=True)
class Window:
    seconds: float
    limit: int


# Teams' published limits per bot and conversation (learn.microsoft.com: bots/how-to/rate-limit).
TEAMS_CONVERSATION_LIMITS = (Window(1.0, 7), Window(2.0, 8), Window(30.0, 60), Window(3600.0, 1800))
TEAMS_APP_LIMIT_PER_SECOND = 50  # per app and tenant
# The event loop may run a timer a hair before its moment; such a moment counts as reached.
EPSILON = 1e-6


class ConversationWindows:
    """When each conversation may send next, under every window at once (sliding windows)."""

    def __init__(self, limits: tuple[Window, ...]):
        self.limits = limits
        self.longest = max(window.seconds for window in limits)
        self._sent: dict[str, deque[float]] = {}
        self._last_sweep = -math.inf

    def ready_at(self, conversation_id: str, now: float) -> float:
        sent = self._sent.get(conversation_id)
        ready = now
        if sent:
            for window in self.limits:
                if len(sent) >= window.limit:
                    # The limit-th most recent request must have left the window.
                    ready = max(ready, sent[-window.limit] + window.seconds)
        return ready

    def record(self, conversation_id: str, now: float) -> None:
        sent = self._sent.setdefault(conversation_id, deque())
        sent.append(now)
        while now - sent[0] >= self.longest:
            sent.popleft()
        if now - self._last_sweep >= 60:
            self._last_sweep = now
            self._sent = {key: times for key, times in self._sent.items() if now - times[-1] < self.longest}

    def __len__(self) -> int:
        return len(self._sent)


@dataclass(eq=False)
class Ticket:
    conversation_id: str
    priority: Priority
    # Set when the request gave up waiting (its task was cancelled): skipped, never granted.
    abandoned: bool = False
    granted_at: float | None = None
    future: asyncio.Future | None = field(default=None, repr=False)


class TenantQueue:
    """One tenant's waiting requests and its pace; `grant(now)` says who goes at `now`."""

    def __init__(self, conversations: ConversationWindows, *, per_app: int, burst: int, background_every: int):
        self.conversations = conversations
        self.interval = 1.0 / per_app
        self.tolerance = (burst - 1) * self.interval
        self.background_every = background_every
        self._theoretical = -math.inf  # when the next request is due on the pace
        self._waiting: tuple[deque[Ticket], deque[Ticket]] = (deque(), deque())
        self._interactive_run = 0  # interactive moments in a row while background traffic was ready

    def submit(self, ticket: Ticket) -> None:
        self._waiting[ticket.priority].append(ticket)

    @property
    def waiting(self) -> int:
        return sum(len(queue) for queue in self._waiting)

    def grant(self, now: float) -> list[Ticket]:
        """Every request that may go at `now`, in the order they go."""
        granted = []
        while self._theoretical - self.tolerance <= now + EPSILON:
            ticket = self._pick(now)
            if ticket is None:
                break
            self._theoretical = max(now, self._theoretical) + self.interval
            self.conversations.record(ticket.conversation_id, now)
            ticket.granted_at = now
            granted.append(ticket)
        return granted

    def next_moment(self, now: float) -> float | None:
        """When `grant` may next let a request go (None: nobody is waiting)."""
        ready = [
            self.conversations.ready_at(ticket.conversation_id, now)
            for queue in self._waiting
            for ticket in queue
            if not ticket.abandoned
        ]
        if not ready:
            return None
        return max(min(ready), self._theoretical - self.tolerance, now)

    def _pick(self, now: float) -> Ticket | None:
        interactive = self._first_ready(Priority.INTERACTIVE, now)
        background = self._first_ready(Priority.BACKGROUND, now)
        if interactive is not None and background is not None:
            if self._interactive_run >= self.background_every - 1:
                self._interactive_run = 0
                return self._take(background)
            self._interactive_run += 1
            return self._take(interactive)
        self._interactive_run = 0
        chosen = interactive if interactive is not None else background
        return self._take(chosen) if chosen is not None else None

    def _first_ready(self, priority: Priority, now: float) -> tuple[deque[Ticket], Ticket] | None:
        queue = self._waiting[priority]
        while queue and queue[0].abandoned:
            queue.popleft()
        # First come, first served, except that a request whose chat is at its limit lets requests
        # for other chats pass (the chat's own requests stay in order: they all wait the same).
        blocked: set[str] = set()
        for ticket in queue:
            if ticket.abandoned or ticket.conversation_id in blocked:
                continue
            if self.conversations.ready_at(ticket.conversation_id, now) <= now + EPSILON:
                return queue, ticket
            blocked.add(ticket.conversation_id)
        return None

    @staticmethod
    def _take(found: tuple[deque[Ticket], Ticket]) -> Ticket:
        queue, ticket = found
        queue.remove(ticket)
        return ticket


class RateLimiter:
    """Teams' limits for every outgoing request of this process, per tenant, replies first."""

    def __init__(
        self,
        per_app: int = TEAMS_APP_LIMIT_PER_SECOND - 2,
        burst: int = 2,
        conversation_limits: tuple[Window, ...] = TEAMS_CONVERSATION_LIMITS,
        *,
        margin: int = 1,
        background_every: int = 16,
    ):
        self.conversations = ConversationWindows(
            tuple(Window(w.seconds, w.limit - margin) for w in conversation_limits)
        )
        self._tenant_settings = {"per_app": per_app, "burst": burst, "background_every": background_every}
        self._tenants: dict[str, TenantQueue] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}

    async def acquire(
        self, conversation_id: str, tenant_id: str = "", priority: Priority = Priority.BACKGROUND
    ) -> float:
        """Wait for this request's moment; returns that moment (the event loop's clock)."""
        loop = asyncio.get_running_loop()
        ticket = Ticket(conversation_id, priority, future=loop.create_future())
        queue = self._tenants.get(tenant_id)
        if queue is None:
            queue = self._tenants[tenant_id] = TenantQueue(self.conversations, **self._tenant_settings)
        queue.submit(ticket)
        self._pump(tenant_id)
        try:
            return await ticket.future
        except asyncio.CancelledError:
            ticket.abandoned = True
            raise

    def _pump(self, tenant_id: str) -> None:
        """Let go whoever may go now, and come back when the next one may."""
        loop = asyncio.get_running_loop()
        queue = self._tenants[tenant_id]
        now = loop.time()
        for ticket in queue.grant(now):
            if not ticket.future.done():
                ticket.future.set_result(now)
        moment = queue.next_moment(now)
        timer = self._timers.get(tenant_id)
        if moment is None:
            if timer is not None:
                timer.cancel()
                del self._timers[tenant_id]
            return
        if timer is not None:
            if timer.when() <= moment:
                return  # already coming back in time
            timer.cancel()
        self._timers[tenant_id] = loop.call_at(moment, self._on_timer, tenant_id)

    def _on_timer(self, tenant_id: str) -> None:
        del self._timers[tenant_id]
        self._pump(tenant_id)
