"""Calls to Teams that survive Teams: retries, backoff and rate limits for every outgoing request.

botbuilder does not retry. Teams answers 429 with Retry-After when a bot sends too fast (7
messages a second per conversation, 50 requests a second per app and tenant), and 5xx or
nothing at all when it has a bad moment. A 403 means the user blocked the bot: retrying is
pointless, the caller records it.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from typing import Awaitable, Callable, TypeVar

from botbuilder.schema import ErrorResponseException
from msrest.exceptions import ClientRequestError

from bot.rate_limits import Priority, RateLimiter

T = TypeVar("T")
log = logging.getLogger("poolster.delivery")

RETRYABLE_STATUS = frozenset({412, 429, 500, 502, 503, 504})


class DeliveryFailed(Exception):
    """A call to Teams failed for good; reason is short and safe to store and show to POC+."""

    def __init__(self, reason: str, status: int | None = None, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.permanent = permanent


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 20.0
    # Never wait for a single call longer than this (msrest's own default is 100 s).
    call_timeout: float = 15.0
    # How many 429s (each waited out per Retry-After) before giving up.
    max_throttles: int = 30

    def backoff(self, attempt: int) -> float:
        """Capped exponential backoff with full jitter."""
        return random.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))


def _status_and_retry_after(error: ErrorResponseException) -> tuple[int | None, float | None]:
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    headers = getattr(response, "headers", None) or {}
    retry_after = headers.get("Retry-After") if hasattr(headers, "get") else None
    try:
        return status, float(retry_after) if retry_after is not None else None
    except ValueError:
        return status, None


async def call_teams(
    call: Callable[[], Awaitable[T]],
    *,
    conversation_id: str,
    tenant_id: str = "",
    limiter: RateLimiter | None = None,
    policy: RetryPolicy = RetryPolicy(),
    priority: Priority = Priority.BACKGROUND,
) -> T:
    """Run one Teams call with rate limiting and retries; raises DeliveryFailed when it gives up.

    `priority`: INTERACTIVE for the reply to what a person just did, BACKGROUND for the rest (see
    bot/rate_limits.py).
    """
    last = "onbekende fout"
    status: int | None = None
    failures = throttles = 0
    # A 429 is Teams saying "not yet", not a failure: it is waited out (up to a bound) without
    # using up the attempts that 5xx and time-outs get.
    while failures < policy.attempts and throttles < policy.max_throttles:
        if limiter is not None:
            await limiter.acquire(conversation_id, tenant_id, priority)
        try:
            return await asyncio.wait_for(call(), timeout=policy.call_timeout)
        except ErrorResponseException as error:
            status, retry_after = _status_and_retry_after(error)
            if status == 403:
                raise DeliveryFailed("geblokkeerd: de gebruiker heeft de bot geblokkeerd (403)", 403, True) from error
            if status == 404:
                raise DeliveryFailed("niet gevonden (404)", 404, True) from error
            if status not in RETRYABLE_STATUS:
                raise DeliveryFailed(f"geweigerd door Teams ({status})", status, True) from error
            last = f"Teams antwoordde {status}"
            if status == 429:
                throttles += 1
                delay = retry_after if retry_after is not None else policy.backoff(throttles)
            else:
                failures += 1
                delay = policy.backoff(failures)
        except asyncio.TimeoutError:
            last, status = "time-out", None
            failures += 1
            delay = policy.backoff(failures)
        except (ClientRequestError, OSError) as error:
            last, status = f"geen verbinding ({type(error).__name__})", None
            failures += 1
            delay = policy.backoff(failures)
        log.warning("teams call failed, retrying", extra={"conversation_id": conversation_id,
                                                          "attempt": failures + throttles, "reason": last})
        await asyncio.sleep(min(delay, policy.max_delay))
    raise DeliveryFailed(f"opgegeven na {failures + throttles} pogingen: {last}", status)
