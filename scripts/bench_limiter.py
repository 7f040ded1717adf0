"""How long replies wait in the rate limiter alone, on a made-up clock: a model, not a measurement.

    python scripts/bench_limiter.py

Answers arrive at random (a Poisson stream, as independent people answer) in one tenant; each needs
`requests` calls to Teams one after the other, 4 ms apart (the call itself). The limiter's own
TenantQueue decides when each goes, at its pace of 48 a second. Printed: the wait per answer (first
request asked to last one granted) at p50/p95/p99. This is the floor under table 2 of
scripts/bench.py: a tenant answering at rate r with k requests per answer loads the pace to
r * k / 48, and random arrivals queue long before that reaches 1.
"""

from __future__ import annotations

import heapq
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.rate_limits import TEAMS_CONVERSATION_LIMITS, ConversationWindows, Priority, TenantQueue, Ticket, Window

CALL_SECONDS = 0.004
KEPT = tuple(Window(w.seconds, w.limit - 1) for w in TEAMS_CONVERSATION_LIMITS)


def waits(answers_per_second: float, requests: int, seconds: float = 300, seed: int = 1) -> list[float]:
    rng = random.Random(seed)
    queue = TenantQueue(ConversationWindows(KEPT), per_app=48, burst=2, background_every=16)
    events: list[tuple[float, int, int]] = []  # (moment, answer, request number)
    moment, answer = 0.0, 0
    while moment < seconds:
        moment += rng.expovariate(answers_per_second)
        heapq.heappush(events, (moment, answer, 0))
        answer += 1
    asked, done, tickets = {}, {}, {}
    now = 0.0
    while events or queue.waiting:
        moments = [m for m in (queue.next_moment(now), events[0][0] if events else None) if m is not None]
        now = max(now, min(moments))
        while events and events[0][0] <= now:
            at, number, step = heapq.heappop(events)
            asked.setdefault(number, at)
            ticket = Ticket(f"chat-{number % 500}", Priority.INTERACTIVE)
            tickets[id(ticket)] = (number, step)
            queue.submit(ticket)
        for ticket in queue.grant(now):
            number, step = tickets.pop(id(ticket))
            if step + 1 < requests:
                heapq.heappush(events, (now + CALL_SECONDS, number, step + 1))
            else:
                done[number] = now
    return sorted(done[n] - asked[n] - (requests - 1) * CALL_SECONDS for n in done)


def main() -> None:
    print("| requests per answer | answers/s | load on the pace | wait p50 ms | p95 ms | p99 ms |")
    print("|---:|---:|---:|---:|---:|---:|")
    for requests, rates in ((2, (10, 15, 20, 22)), (1, (20, 30, 40, 45))):
        for rate in rates:
            measured = waits(rate, requests)
            p50, p95, p99 = (measured[int(q * (len(measured) - 1))] * 1000 for q in (0.5, 0.95, 0.99))
            print(f"| {requests} | {rate} | {rate * requests / 48:.2f} | {p50:.1f} | {p95:.1f} | {p99:.1f} |")


if __name__ == "__main__":
    main()
