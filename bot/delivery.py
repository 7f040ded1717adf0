"""Calls to Teams that survive Teams: retries, backoff and rate limits for every outgoing request.

botbuilder does not retry. Teams answers 429 with Retry-After when a bot sends too fast (7
messages a second per conversation, 50 requests a second per app and tenant), and 5xx or
nothing at all when it has a bad moment: those are retried. Every other refusal says why in its
error code (the app is not installed for the user, the user blocked it, an administrator disabled
it, the chat is gone, the message is too big): it is classified once, here, as a NotReached code
that the outbox stores and POC+'s reports explain. Microsoft Graph calls (bot/graph.py) share the
same loop with their own classification.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from botbuilder.schema import ErrorResponseException
from msrest.exceptions import ClientRequestError

from bot.rate_limits import Priority, RateLimiter
from survey.reach_outcomes import NotReached

T = TypeVar("T")
log = logging.getLogger("poolster.delivery")

RETRYABLE_STATUS = frozenset({412, 429, 500, 502, 503, 504})

# Teams' error codes (learn.microsoft.com: bots/bot-conversations "Status codes from bot conversational APIs").
TEAMS_ERROR_CODES: dict[str, NotReached] = {
    "BotNotInConversationRoster": NotReached.NOT_INSTALLED,
    "ForbiddenOperationException": NotReached.NOT_INSTALLED,
    "ConversationBlockedByUser": NotReached.BLOCKED,
    "MessageWritesBlocked": NotReached.BLOCKED,
    "BotDisabledByAdmin": NotReached.DISABLED_BY_ADMIN,
    "ConversationNotFound": NotReached.NOT_FOUND,
    "ActivityNotFoundInConversation": NotReached.NOT_FOUND,
    "MessageSizeTooBig": NotReached.TOO_BIG,
}


class DeliveryFailed(Exception):
    """A call failed for good: `code` says why (stored, explained to POC+), `detail` is for the log."""

    def __init__(self, code: NotReached, detail: str = "", status: int | None = None):
        super().__init__(f"{code.value}: {detail}" if detail else code.value)
        self.code = code
        self.detail = detail
        self.status = status

    @property
    def reason(self) -> str:
        """One log-safe line: the code and what the service answered."""
        return str(self)


@dataclass(frozen=True)
class Failure:
    """What one failed attempt means: `code` None = try again (after `retry_after` when given)."""

    code: NotReached | None
    detail: str
    status: int | None = None
    retry_after: float | None = None


Classify = Callable[[BaseException], Failure | None]  # None: not a failure it knows, raised as is


def classify_status(status: int | None, error_code: str, retry_after: float | None = None) -> Failure:
    """Teams' answer by status and error code. Without a known code (an HTML page from a proxy, an
    empty body), the status alone decides: 5xx, 412 and 429 are retried, 403 is a refusal, never a block."""
    detail = f"{status} {error_code}".strip()
    if status in RETRYABLE_STATUS:
        return Failure(None, detail, status, retry_after if status == 429 else None)
    if error_code in TEAMS_ERROR_CODES:
        return Failure(TEAMS_ERROR_CODES[error_code], detail, status)
    if status == 404:
        return Failure(NotReached.NOT_FOUND, detail, status)
    if status == 413:
        return Failure(NotReached.TOO_BIG, detail, status)
    return Failure(NotReached.REFUSED, detail, status)


def classify_transport(error: BaseException) -> Failure | None:
    """Time-outs and broken connections: always worth another try."""
    if isinstance(error, asyncio.TimeoutError):
        return Failure(None, "time-out")
    if isinstance(error, (ClientRequestError, OSError)):
        return Failure(None, f"geen verbinding ({type(error).__name__})")
    return None


def classify_teams_error(error: BaseException) -> Failure | None:
    if isinstance(error, ErrorResponseException):
        response = getattr(error, "response", None)
        headers = getattr(response, "headers", None) or {}
        body = getattr(getattr(error, "error", None), "error", None)
        return classify_status(
            getattr(response, "status_code", None),
            getattr(body, "code", None) or "",
            parse_retry_after(headers.get("Retry-After") if hasattr(headers, "get") else None),
        )
    return classify_transport(error)


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (the form Teams and Graph use); None when absent or not a number."""
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


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


async def call_teams(
    call: Callable[[], Awaitable[T]],
    *,
    conversation_id: str,
    tenant_id: str = "",
    limiter: RateLimiter | None = None,
    policy: RetryPolicy = RetryPolicy(),
    classify: Classify = classify_teams_error,
    priority: Priority = Priority.BACKGROUND,
) -> T:
    """Run one call with rate limiting and retries; raises DeliveryFailed when it gives up.

    `priority`: INTERACTIVE for the reply to what a person just did, BACKGROUND for the rest (see
    bot/rate_limits.py).
    """
    last = Failure(NotReached.TEAMS_UNAVAILABLE, "onbekende fout")
    failures = throttles = 0
    # A 429 is the service saying "not yet", not a failure: it is waited out (up to a bound) without
    # using up the attempts that 5xx and time-outs get.
    while failures < policy.attempts and throttles < policy.max_throttles:
        if limiter is not None:
            await limiter.acquire(conversation_id, tenant_id, priority)
        try:
            return await asyncio.wait_for(call(), timeout=policy.call_timeout)
        except Exception as error:
            failure = classify(error)
            if failure is None:
                raise
            if failure.code is not None:
                raise DeliveryFailed(failure.code, failure.detail, failure.status) from error
            last = failure
        if last.status == 429:
            throttles += 1
            delay = last.retry_after if last.retry_after is not None else policy.backoff(throttles)
        else:
            failures += 1
            delay = policy.backoff(failures)
        log.warning(
            "call failed, retrying",
            extra={"conversation_id": conversation_id, "attempt": failures + throttles, "reason": last.detail},
        )
        await asyncio.sleep(min(delay, policy.max_delay))
    raise DeliveryFailed(
        NotReached.TEAMS_UNAVAILABLE, f"opgegeven na {failures + throttles} pogingen: {last.detail}", last.status
    )
