"""Proactive messages: send, update and open 1:1 chats outside of a user's turn.

Used for the director's live card, invitations and reminders. Every call goes through
`call_teams`, so it is rate limited and retried like any other call to Teams; nobody is watching
these leave, so they are BACKGROUND traffic unless a caller says a person is waiting.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
)

from bot.delivery import RetryPolicy, call_teams
from bot.rate_limits import Priority, RateLimiter

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
T = TypeVar("T")


def card_activity(card: dict, text: str | None = None) -> Activity:
    return Activity(
        type=ActivityTypes.message,
        text=text,
        attachments=[Attachment(content_type=ADAPTIVE_CARD, content=card)],
    )


class Messenger:
    def __init__(self, adapter: CloudAdapter, app_id: str, limiter: RateLimiter, policy: RetryPolicy = RetryPolicy()):
        self.adapter = adapter
        self.app_id = app_id
        self.limiter = limiter
        self.policy = policy

    async def _in_conversation(
        self, reference: ConversationReference, action: Callable[[TurnContext], Awaitable[T]], priority: Priority
    ) -> T:
        """Run action in a proactive turn, rate limited and retried.

        The adapter hands exceptions of a turn to its on_turn_error handler, which would swallow a
        429 or 404; the action's outcome is therefore carried out of the turn and raised here.
        """

        async def attempt() -> T:
            outcome: list = []

            async def run(turn_context: TurnContext) -> None:
                try:
                    outcome.append((True, await action(turn_context)))
                except Exception as error:
                    outcome.append((False, error))

            await self.adapter.continue_conversation(reference, run, self.app_id)
            succeeded, result = outcome[-1]
            if not succeeded:
                raise result
            return result

        return await call_teams(
            attempt,
            conversation_id=reference.conversation.id,
            tenant_id=reference.conversation.tenant_id or "",
            limiter=self.limiter,
            policy=self.policy,
            priority=priority,
        )

    async def send(
        self, reference: ConversationReference, activity: Activity, priority: Priority = Priority.BACKGROUND
    ) -> str:
        """Send into an existing conversation; returns the new message's id."""

        async def deliver(turn_context: TurnContext) -> str:
            response = await turn_context.send_activity(activity)
            return response.id if response else ""

        return await self._in_conversation(reference, deliver, priority)

    async def update(
        self,
        reference: ConversationReference,
        activity_id: str,
        activity: Activity,
        priority: Priority = Priority.BACKGROUND,
    ) -> None:
        activity.id = activity_id
        await self._in_conversation(reference, lambda turn_context: turn_context.update_activity(activity), priority)

    async def open_personal_chat(self, user_id: str, tenant_id: str, service_url: str) -> ConversationReference:
        """Create (or get) the 1:1 chat with a user; CloudAdapter needs tenant and service URL set by us."""
        references: list[ConversationReference] = []

        async def remember(turn_context: TurnContext) -> None:
            references.append(TurnContext.get_conversation_reference(turn_context.activity))

        parameters = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=self.app_id or "poolster"),
            members=[ChannelAccount(id=user_id)],
            tenant_id=tenant_id,
            channel_data={"tenant": {"id": tenant_id}},
        )
        await call_teams(
            lambda: self.adapter.create_conversation(
                self.app_id, remember, parameters, channel_id="msteams", service_url=service_url
            ),
            conversation_id=f"new:{user_id}",
            tenant_id=tenant_id,
            limiter=self.limiter,
            policy=self.policy,
            priority=Priority.BACKGROUND,
        )
        return references[-1]
