"""The rate limiter books every request a moment that keeps each second under Teams' limits, for the
app and for each chat, paced evenly instead of in bursts (checked on the booked moments, not on the
machine's timing)."""

from __future__ import annotations

import asyncio
from collections import deque

from bot.delivery import RateLimiter


def most_in_any_window(times: list[float], window: float) -> int:
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t - start < window - 1e-9) for i, start in enumerate(times))


async def test_the_app_stays_under_its_limit_and_each_chat_under_its_own():
    limiter = RateLimiter(per_app=38, per_conversation=3, window=0.25, burst=2)  # a quarter second keeps it quick
    booked: dict[str, list[float]] = {}

    async def request(conversation: str) -> None:
        booked.setdefault(conversation, []).append(await limiter.acquire(conversation))

    await asyncio.gather(*(request(f"chat-{n % 10}") for n in range(40)), *(request("busy-chat") for _ in range(9)))
    everything = sorted(t for times in booked.values() for t in times)
    assert len(everything) == 49
    assert most_in_any_window(everything, 0.25) <= 40
    assert max(most_in_any_window(times, 0.25) for times in booked.values()) <= 3
    interval = 0.25 / 38
    assert most_in_any_window(everything, 5 * interval) <= 5 + 2, "paced, with a burst of two at most"


async def test_a_quiet_limiter_lets_a_request_go_at_once_and_forgets_old_chats():
    limiter = RateLimiter(per_app=50, per_conversation=7)
    loop = asyncio.get_running_loop()
    before = loop.time()
    booked = await limiter.acquire("chat")
    assert booked <= loop.time() and booked >= before - 1e-3
    for n in range(10_001):
        limiter._conversations[f"old-{n}"] = deque([booked - 5])  # chats last heard of 5 s ago
    await limiter.acquire("another chat")
    assert len(limiter._conversations) < 10


async def test_each_tenant_has_the_apps_limit_of_its_own():
    limiter = RateLimiter(per_app=10, per_conversation=100, window=0.2, burst=1)
    booked = await asyncio.gather(*(limiter.acquire(f"chat-{n}", tenant) for n in range(10)
                                    for tenant in ("school-a", "school-b")))
    # Twenty requests at ten per window: one tenant alone would need two windows, two tenants need one.
    assert max(booked) - min(booked) < 0.2
    assert most_in_any_window(booked, 0.2) == 20
