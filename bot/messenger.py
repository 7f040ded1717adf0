"""Proactive messages: send, update and open 1:1 chats outside of a user's turn.

Used for the director's live card, invitations and reminders. Every call goes through
`call_teams`, so it is rate limited and retried like any other call to Teams.
"""

from __future__ import annotations

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

from bot.delivery import RateLimiter, RetryPolicy, call_teams

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


def card_activity(card: dict, text: str | None = None) -> Activity:
    return Activity(
        type=ActivityTypes.message,
        text=text,
        attachments=[Attachment(content_type=ADAPTIVE_CARD, content=card)],
    )


class Messenger:
    def __init__(self, adapter: CloudAdapter, app_id: str, limiter: RateLimiter,
                 policy: RetryPolicy = RetryPolicy()):
        self.adapter = adapter
        self.app_id = app_id
        self.limiter = limiter
        self.policy = policy

    async def send(self, reference: ConversationReference, activity: Activity) -> str:
        """Send into an existing conversation; returns the new message's id."""
        sent: list[str] = []

        async def deliver(turn_context: TurnContext) -> None:
            response = await turn_context.send_activity(activity)
            sent.append(response.id if response else "")

        await call_teams(lambda: self.adapter.continue_conversation(reference, deliver, self.app_id),
                         conversation_id=reference.conversation.id, limiter=self.limiter, policy=self.policy)
        return sent[-1]

    async def update(self, reference: ConversationReference, activity_id: str, activity: Activity) -> None:
        activity.id = activity_id

        async def deliver(turn_context: TurnContext) -> None:
            await turn_context.update_activity(activity)

        await call_teams(lambda: self.adapter.continue_conversation(reference, deliver, self.app_id),
                         conversation_id=reference.conversation.id, limiter=self.limiter, policy=self.policy)

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
            lambda: self.adapter.create_conversation(self.app_id, remember, parameters, channel_id="msteams",
                                                     service_url=service_url),
            conversation_id=f"new:{user_id}", limiter=self.limiter, policy=self.policy,
        )
        return references[-1]
