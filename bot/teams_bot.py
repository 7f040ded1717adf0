"""The Teams side of Poolster: turns Teams activities into dialog calls and replies into messages.

Order inside a turn is deliberate: identify the user, let the dialog change and *save* state,
and only then send the replies. If Teams fails while we reply, the answer is already safe.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Awaitable, Callable

from botbuilder.core import ActivityHandler, InvokeResponse, MessageFactory, TurnContext
from botbuilder.schema import ChannelAccount

from bot.config import Settings
from bot.delivery import DeliveryFailed, call_teams
from bot.messenger import card_activity
from bot.people import People, tenant_of
from bot.rate_limits import Priority, RateLimiter
from dialogs.commands import ADMIN_COMMANDS, DIRECTOR_COMMANDS, Command, parse_command
from dialogs.context import Actor, Outgoing, ReplaceSubmitted, Reply
from dialogs.payloads import PayloadRejected, parse_payload
from dialogs.respondent import RespondentDialog

log = logging.getLogger("poolster.bot")

OUTDATED_CARD = (
    "Deze kaart komt uit een oudere versie van Poolster en kan niet meer gebruikt worden. "
    "Je antwoorden zijn niet gewijzigd. Typ *verder* om verder te gaan waar je was."
)
INVALID_CARD = (
    "Die gegevens kan ik niet verwerken; er is niets gewijzigd. "
    "Typ *verder* om verder te gaan waar je was, of *help*."
)

IN_CHANNEL = (
    "De zelfscan vul je in via een persoonlijke chat met Poolster, zodat je antwoorden van jou blijven. "
    "Open de chat met Poolster en typ *hallo*."
)

TextRoute = Callable[[Actor, Command, str], Awaitable[list[Outgoing]]]
PayloadRoute = Callable[[Actor, object], Awaitable[list[Outgoing]]]


def without_mention(activity) -> str:
    """The message text without the bot's @mention: as an entity (Teams) or typed as plain text."""
    text = (TurnContext.remove_recipient_mention(activity) if activity.entities else activity.text) or ""
    text = text.strip()
    typed = f"@{activity.recipient.name}" if activity.recipient and activity.recipient.name else None
    if typed and text.lower().startswith(typed.lower()):
        text = text[len(typed):].strip()
    return text


class KeyedLock:
    """One asyncio.Lock per key, forgotten when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: str):
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class PoolsterBot(ActivityHandler):
    def __init__(self, settings: Settings, people: People, respondent: RespondentDialog, limiter: RateLimiter):
        self.settings = settings
        self.people = people
        self.respondent = respondent
        self.limiter = limiter
        # Extra dialogs register the commands and card actions they own.
        self.text_routes: dict[str, TextRoute] = {}
        self.payload_routes: dict[str, PayloadRoute] = {}
        # Turns of one user run one at a time in this process (a double click, two devices).
        self._turn_locks = KeyedLock()

    def route_commands(self, names: frozenset[str] | set[str], handler: TextRoute) -> None:
        for name in names:
            self.text_routes[name] = handler

    def route_actions(self, actions: set[str], handler: PayloadRoute) -> None:
        for action in actions:
            self.payload_routes[action] = handler

    async def on_turn(self, turn_context: TurnContext) -> None:
        allowed = self.settings.allowed_tenants
        tenant = tenant_of(turn_context.activity)
        if allowed and tenant not in allowed:
            log.warning("activity from a tenant that is not allowed; ignored",
                        extra={"tenant": tenant, "activity_type": turn_context.activity.type})
            return
        await super().on_turn(turn_context)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        actor = await self.people.identify(turn_context)
        async with self._turn_locks.hold(actor.key):
            outgoing = await self._handle(actor, turn_context)
        await self.deliver(turn_context, outgoing)

    async def _handle(self, actor: Actor, turn_context: TurnContext) -> list[Outgoing]:
        activity = turn_context.activity
        if activity.value is not None:
            try:
                payload = parse_payload(activity.value)
            except PayloadRejected as rejected:
                log.info("card payload rejected", extra={"reason": rejected.reason})
                return [Reply(text=OUTDATED_CARD if rejected.reason == "outdated" else INVALID_CARD)]
            route = self.payload_routes.get(payload.action)
            if route is not None:
                return await route(actor, payload)
            return await self.respondent.on_payload(actor, payload)
        text = without_mention(activity)[:2000]
        command = parse_command(text)
        name = command.name if command else None
        if name in ADMIN_COMMANDS:
            route = self.text_routes.get(name)
            return await route(actor, command, text) if route else [Reply(text="Dit commando is voor POC+.")]
        if activity.conversation.conversation_type in ("channel", "groupChat"):
            # Answers are personal: the survey itself only runs in the 1:1 chat.
            return [Reply(text=IN_CHANNEL)]
        if name in self.text_routes:
            return await self.text_routes[name](actor, command, text)
        if name in DIRECTOR_COMMANDS:
            return [Reply(text="Dit commando is voor directeurs.")]
        return await self.respondent.on_command(actor, command, text)

    async def on_members_added_activity(self, members_added: list[ChannelAccount], turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if activity.conversation.conversation_type not in (None, "personal"):
            return
        for member in members_added:
            if member.id == activity.recipient.id:
                continue
            actor = await self.people.identify(turn_context)
            await self.deliver(turn_context, await self.respondent.intro(actor))

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """Poolster uses no invokes (Action.Execute fails on Teams mobile); answer calmly, never 5xx."""
        log.info("invoke ignored", extra={"activity_type": f"invoke:{turn_context.activity.name}"})
        if turn_context.activity.name == "adaptiveCard/action":
            return InvokeResponse(status=200, body={
                "statusCode": 200, "type": "application/vnd.microsoft.activity.message",
                "value": "Deze knop wordt niet ondersteund. Typ *verder* om verder te gaan.",
            })
        return InvokeResponse(status=200, body={})

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        # Remember how to reach the user; the welcome itself comes with conversationUpdate.
        await self.people.identify(turn_context)

    async def deliver(self, turn_context: TurnContext, outgoing: list[Outgoing]) -> None:
        """Send the replies of a turn; a failure is logged, never raised: the state is already saved.

        The person is waiting for these: they go before background traffic in the tenant's budget.
        """
        conversation_id = turn_context.activity.conversation.id
        tenant_id = tenant_of(turn_context.activity) or ""
        for item in outgoing:
            try:
                if isinstance(item, ReplaceSubmitted):
                    replied_to = turn_context.activity.reply_to_id
                    if not replied_to:
                        continue
                    update = card_activity(item.card)
                    update.id = replied_to
                    await call_teams(lambda: turn_context.update_activity(update), conversation_id=conversation_id,
                                     tenant_id=tenant_id, limiter=self.limiter, policy=self.settings.retry_policy,
                                     priority=Priority.INTERACTIVE)
                else:
                    message = card_activity(item.card, item.text) if item.card else MessageFactory.text(item.text)
                    await call_teams(lambda: turn_context.send_activity(message), conversation_id=conversation_id,
                                     tenant_id=tenant_id, limiter=self.limiter, policy=self.settings.retry_policy,
                                     priority=Priority.INTERACTIVE)
            except DeliveryFailed as failure:
                log.error("reply not delivered", extra={"conversation_id": conversation_id, "reason": failure.reason})
                return

