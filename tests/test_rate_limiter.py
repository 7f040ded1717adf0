"""The rate limiter keeps every one of Teams' limits and lets people's replies go first.

The scheduling (`TenantQueue`, `ConversationWindows`) is driven with made-up times: every check is on
the moments it grants, never on how fast this machine is.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import aiohttp

from bot.rate_limits import (
    TEAMS_CONVERSATION_LIMITS,
    ConversationWindows,
    Priority,
    RateLimiter,
    TenantQueue,
    Ticket,
    Window,
)
from tests.support.harness import start_bot
from tests.support.teams import TeamsClient, texts_in
from tests.test_admin import INVITED, MO, invitations, launch

KEPT = tuple(Window(w.seconds, w.limit - 1) for w in TEAMS_CONVERSATION_LIMITS)  # as RateLimiter keeps them
I, B = Priority.INTERACTIVE, Priority.BACKGROUND  # noqa: E741 - the schedules below read as I/B letters


def tenant(per_app: int = 48, burst: int = 2, background_every: int = 16, limits=KEPT) -> TenantQueue:
    return TenantQueue(ConversationWindows(limits), per_app=per_app, burst=burst, background_every=background_every)


def simulate(queue: TenantQueue, arrivals: list[tuple[float, Ticket]], until: float = float("inf")) -> list[Ticket]:
    """Run the queue on a made-up clock: tickets arrive at their times; returns them in granted order."""
    arrivals = sorted(arrivals, key=lambda arrival: arrival[0])
    now, next_arrival, granted = 0.0, 0, []
    while next_arrival < len(arrivals) or queue.waiting:
        while next_arrival < len(arrivals) and arrivals[next_arrival][0] <= now:
            queue.submit(arrivals[next_arrival][1])
            next_arrival += 1
        granted += queue.grant(now)
        moments = [
            m
            for m in (queue.next_moment(now), arrivals[next_arrival][0] if next_arrival < len(arrivals) else None)
            if m is not None
        ]
        if not moments or min(moments) >= until:
            break
        assert min(moments) > now or next_arrival < len(arrivals) and arrivals[next_arrival][0] <= now, "no progress"
        now = max(now, min(moments))
    return granted


def most_in_any_window(times: list[float], seconds: float) -> int:
    times, most, start = sorted(times), 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= seconds - 1e-9:
            start += 1
        most = max(most, end - start + 1)
    return most


def at_once(count: int, priority: Priority, conversation=lambda n: f"chat-{n}", at: float = 0.0):
    return [(at, Ticket(conversation(n), priority)) for n in range(count)]


def test_one_chat_keeps_every_published_window_for_an_hour_and_more():
    granted = simulate(tenant(), at_once(2000, B, conversation=lambda n: "busy-chat"))
    times = [ticket.granted_at for ticket in granted]
    assert len(times) == 2000
    for window in TEAMS_CONVERSATION_LIMITS:  # 7/1 s, 8/2 s, 60/30 s, 1,800/h
        assert most_in_any_window(times, window.seconds) < window.limit, window
    # ... and not by luck: each kept limit (one below Teams') is reached.
    assert [most_in_any_window(times, w.seconds) for w in KEPT] == [w.limit for w in KEPT]


def test_the_tenant_stays_under_50_a_second_paced_evenly():
    granted = simulate(tenant(), at_once(1000, B))
    times = [ticket.granted_at for ticket in granted]
    assert most_in_any_window(times, 1.0) <= 50
    assert most_in_any_window(times, 5 / 48) <= 5 + 2, "paced, with a burst of two at most"
    assert times[-1] - times[0] < 1000 / 48, "and it uses the budget: 48 a second"


def test_a_lone_reply_goes_at_once_after_a_quiet_moment():
    queue = tenant()
    simulate(queue, at_once(100, B))
    reply = Ticket("person", I)
    granted = simulate(queue, [(0.0, reply)])
    assert granted == [reply]
    later = simulate(queue, [(0.0, Ticket("other", I))])
    assert later[0].granted_at >= 0


def test_replies_go_before_background_traffic_waiting_longer():
    queue = tenant()
    background = at_once(300, B, conversation=lambda n: f"invite-{n}")
    replies = [(1.0 + n * 0.1, Ticket(f"person-{n}", I)) for n in range(20)]  # arrive while the wave queues
    granted = simulate(queue, background + replies)
    for at, reply in replies:
        # A reply waits at most for the moment that was already due (the pace), never for the queue.
        assert reply.granted_at - at <= 1 / 48 + 1e-9
        overtaken_by = [t for t in granted if t.priority == B and at < t.granted_at < reply.granted_at]
        assert len(overtaken_by) <= 1
    assert max(t.granted_at for t in granted if t.priority == B) > replies[-1][1].granted_at, "invitations still waited"


def test_background_traffic_keeps_a_minimum_share_while_replies_never_stop():
    queue = tenant(background_every=16)
    replies = [(n / 60, Ticket(f"person-{n % 200}", I)) for n in range(60 * 20)]  # 60 a second: more than fits
    invitations = at_once(50, B, conversation=lambda n: f"invite-{n}")
    granted = simulate(queue, replies + invitations, until=20.0)
    first_ten_seconds = Counter(t.priority for t in granted if t.granted_at < 10.0)
    assert first_ten_seconds[B] >= (first_ten_seconds[I] + first_ten_seconds[B]) // 16, "one moment in 16"
    assert first_ten_seconds[I] >= 44 * 10, "people still get 15 of every 16 moments"
    assert sum(t.priority == B for t in granted) == 50, "every invitation left: no starvation"


def test_background_traffic_gets_every_moment_nobody_is_waiting_for():
    queue = tenant()
    replies = [(n * 0.1, Ticket(f"person-{n}", I)) for n in range(100)]  # 10 a second
    granted = simulate(queue, replies + at_once(400, B, conversation=lambda n: f"invite-{n}"))
    invitations = [t.granted_at for t in granted if t.priority == B]
    # 48 a second minus the 10 replies leaves 38 a second: 400 invitations need about 10.5 s.
    assert max(invitations) <= 400 / 38 + 0.5


def test_a_chat_at_its_limit_does_not_hold_up_other_chats():
    queue = tenant()
    busy = at_once(20, I, conversation=lambda n: "busy-chat")
    others = at_once(10, I, conversation=lambda n: f"chat-{n}", at=0.01)
    granted = simulate(queue, busy + others)
    others_done = max(t.granted_at for t in granted if t.conversation_id != "busy-chat")
    assert others_done < 1.0, "the other chats do not wait for the busy chat's next second"
    busy_order = [t for t in granted if t.conversation_id == "busy-chat"]
    assert busy_order == [ticket for _, ticket in busy], "a chat's own requests stay in order"


def test_an_abandoned_request_takes_no_moment():
    queue = tenant(per_app=10, burst=1)
    gone, kept = Ticket("a", B), Ticket("b", B)
    queue.submit(gone)
    queue.submit(kept)
    gone.abandoned = True
    assert queue.grant(0.0) == [kept]
    assert queue.next_moment(0.0) is None


def test_quiet_chats_are_forgotten_after_the_longest_window():
    windows = ConversationWindows(KEPT)
    for n in range(5000):
        windows.record(f"old-{n}", 0.0)
    windows.record("now", 3600.0)
    assert len(windows) == 1
    assert windows.ready_at("old-1", 3600.0) == 3600.0


async def test_the_limiter_on_the_event_loop_serves_replies_first_and_each_tenant_apart():
    # Two a second per tenant and no burst, so requests queue up without the test taking long.
    limiter = RateLimiter(per_app=20, burst=1, background_every=100)
    order: list[str] = []

    async def request(name: str, tenant_id: str, priority: Priority) -> float:
        moment = await limiter.acquire(name, tenant_id, priority)
        order.append(name)
        return moment

    background = [asyncio.create_task(request(f"invite-{n}", "go", B)) for n in range(6)]
    await asyncio.sleep(0)
    reply = asyncio.create_task(request("reply", "go", I))
    elsewhere = asyncio.create_task(request("elsewhere", "other-tenant", B))
    await asyncio.gather(*background, reply, elsewhere)
    assert order.index("reply") <= 2, "the reply overtakes the invitations still waiting"
    assert order.index("elsewhere") <= 1, "another tenant has a budget of its own"
    assert (await reply) <= asyncio.get_running_loop().time()


async def test_a_cancelled_wait_gives_its_moment_to_the_next_request():
    limiter = RateLimiter(per_app=20, burst=1)
    await limiter.acquire("first", "go")
    waiting = asyncio.create_task(limiter.acquire("second", "go"))
    await asyncio.sleep(0)
    waiting.cancel()
    third = await limiter.acquire("third", "go")
    assert waiting.cancelled() and third > 0


async def test_a_member_answering_while_a_wave_launches_is_answered_before_the_invitations(data_dir, connector):
    """End to end: the bot tags its replies INTERACTIVE and the outbox's invitations BACKGROUND."""
    running = await start_bot(data_dir, default_wave=False)
    # A slow budget (4 requests a second) keeps the launch's invitations queued while the member talks.
    slow = RateLimiter(per_app=4, burst=1)
    running.poolster.bot.limiter = running.poolster.messenger.limiter = slow
    try:
        async with aiohttp.ClientSession() as session:
            teams = TeamsClient(session, running.url, connector)
            await teams.say(MO, "hallo")
            calls, _ = await launch(teams, running, wait=False)
            assert "gelanceerd" in texts_in(calls)
            reply = await teams.say(MO, "help")
            assert reply, "the member got an answer"
            answered_at = connector.calls.index(reply[-1])
            await running.poolster.outbox.idle()
            sent = [connector.calls.index(c) for user in INVITED for c in invitations(connector, user)]
            assert len(sent) == len(INVITED), "every invitation left: background traffic is not starved"
            assert sum(1 for at in sent if at < answered_at) < len(sent) // 2, "the reply did not queue behind the wave"
    finally:
        await running.stop()
