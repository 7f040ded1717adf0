"""The Teams side of Poolster: turns Teams activities into dialog calls and replies into messages.

Order inside a turn is deliberate: identify the user, let the dialog change and *save* state,
and only then send the replies. If Teams fails while we reply, the answer is already safe.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field

import aiohttp
from botbuilder.core import ActivityHandler, InvokeResponse, MessageFactory, TurnContext
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount

from actions.payloads import ADMIN_ACTIONS, INVALID_CARD, OUTDATED_CARD, PayloadRejected, parse_payload
from bot.config import Settings
from bot.delivery import DeliveryFailed, call_teams
from bot.live_cards import LiveCards
from bot.messenger import Messenger, card_activity
from bot.people import People, tenant_of
from bot.rate_limits import Priority, RateLimiter
from cards.respondent import replaced_card
from dialogs.commands import ADMIN_COMMANDS, DIRECTOR_COMMANDS, Command, parse_command
from dialogs.context import Actor, MoveOn, Outgoing, PrivateReply, ReplaceSubmitted, Reply
from dialogs.registry_admin import FileUnavailable
from dialogs.respondent import RespondentDialog
from survey.reach_outcomes import NotReached

log = logging.getLogger("poolster.bot")


OTHER_CENTRE = (
    "Deze kaart hoort niet bij je eigen centrum; er is niets gewijzigd. Typ *verder* om verder te gaan waar je was."
)

IN_CHANNEL = (
    "De zelfscan vul je in via een persoonlijke chat met Poolster, zodat je antwoorden van jou blijven. "
    "Open de chat met Poolster en typ *hallo*."
)

PRIVATE_NOT_DELIVERED = (
    "Dit stuur ik enkel in je persoonlijke chat met Poolster, maar die kon ik nu niet bereiken. "
    "Open de chat met Poolster en vraag het daar opnieuw."
)

TextRoute = Callable[[Actor, Command, str], Awaitable[list[Outgoing]]]
PayloadRoute = Callable[[Actor, object], Awaitable[list[Outgoing]]]
FileRoute = Callable[[Actor, str, Callable[[int], Awaitable[bytes]]], Awaitable[list[Outgoing]]]
# How Teams hands a file sent to the bot in a 1:1 chat (the app's manifest says supportsFiles).
FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"


def without_mention(activity) -> str:
    """The message text without the bot's @mention: as an entity (Teams) or typed as plain text.

    botbuilder's remove_recipient_mention crashes on a mention entity without `mentioned` or `text`
    (and reads the name as a regular expression): entities are read defensively here instead.
    """
    text = activity.text or ""
    bot_id = activity.recipient.id if activity.recipient else None
    for entity in activity.entities or []:
        properties = entity.additional_properties or {}
        mentioned, mention_text = properties.get("mentioned"), properties.get("text")
        if (
            str(entity.type or "").lower() == "mention"
            and isinstance(mentioned, dict)
            and mentioned.get("id") == bot_id
            and isinstance(mention_text, str)
            and mention_text
        ):
            text = text.replace(mention_text, "")
    text = text.strip()
    name = activity.recipient.name if activity.recipient else None
    for typed in (f"<at>{name}</at>", f"@{name}") if name else ():
        if text.lower().startswith(typed.lower()):
            text = text[len(typed) :].strip()
    return text


async def download_file(content: object, limit: int) -> bytes:
    """A file sent to the bot, from the pre-authenticated download URL Teams gives; at most `limit` bytes."""
    url = content.get("downloadUrl") if isinstance(content, dict) else None
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise FileUnavailable("unreachable")
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session,
            session.get(url) as response,
        ):
            if response.status != 200:
                raise FileUnavailable("unreachable")
            body = await response.content.read(limit + 1)
    except (TimeoutError, aiohttp.ClientError) as error:
        log.info("file download failed", extra={"reason": type(error).__name__})
        raise FileUnavailable("unreachable") from error
    if len(body) > limit:
        raise FileUnavailable("too_large")
    return body


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


@dataclass(frozen=True)
class Routes:
    """Which dialog answers which typed command, card action and sent file; the respondent's dialog
    answers everything else."""

    commands: Mapping[str, TextRoute] = field(default_factory=dict)
    actions: Mapping[str, PayloadRoute] = field(default_factory=dict)
    file: FileRoute | None = None

    @staticmethod
    def of(
        commands: Iterable[tuple[Iterable[str], TextRoute]],
        actions: Iterable[tuple[Iterable[str], PayloadRoute]],
        file: FileRoute | None = None,
    ) -> Routes:
        """Routes from (names, handler) pairs: each dialog with the commands and actions it owns."""
        return Routes(
            commands={name: handler for names, handler in commands for name in names},
            actions={action: handler for names, handler in actions for action in names},
            file=file,
        )


class PoolsterBot(ActivityHandler):
    def __init__(
        self,
        settings: Settings,
        people: People,
        respondent: RespondentDialog,
        limiter: RateLimiter,
        messenger: Messenger,
        routes: Routes,
    ):
        self.settings = settings
        self.people = people
        self.messenger = messenger
        self.respondent = respondent
        self.limiter = limiter
        self.text_routes = routes.commands
        self.payload_routes = routes.actions
        self.file_route = routes.file
        # Turns of one user run one at a time in this process (a double click, two devices).
        self._turn_locks = KeyedLock()
        self.live_cards = LiveCards(respondent.services.store)

    async def on_turn(self, turn_context: TurnContext) -> None:
        allowed = self.settings.allowed_tenants
        tenant = tenant_of(turn_context.activity)
        if allowed and tenant not in allowed:
            log.warning(
                "activity from a tenant that is not allowed; ignored",
                extra={"tenant": tenant, "activity_type": turn_context.activity.type},
            )
            if turn_context.activity.type == ActivityTypes.invoke:
                # Without an invoke response botbuilder answers 501; the honest answer is "forbidden".
                await turn_context.send_activity(
                    Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=403))
                )
            return
        await super().on_turn(turn_context)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        actor = await self.people.identify(turn_context)
        async with self._turn_locks.hold(actor.key):
            outgoing = await self._handle(actor, turn_context)
        await self.deliver(turn_context, outgoing)

    async def _handle(self, actor: Actor, turn_context: TurnContext) -> list[Outgoing]:
        activity = turn_context.activity
        shared = activity.conversation.conversation_type in ("channel", "groupChat")
        if activity.value is not None:
            try:
                payload = parse_payload(activity.value)
            except PayloadRejected as rejected:
                log.info("card payload rejected", extra={"reason": rejected.reason})
                return [Reply(text=OUTDATED_CARD if rejected.reason == "outdated" else INVALID_CARD)]
            if shared and payload.action not in ADMIN_ACTIONS:
                # Only POC+'s own cards (a launch confirmed in the community channel) work where others read along.
                log.info("card payload refused", extra={"reason": "shared conversation", "action": payload.action})
                return [Reply(text=IN_CHANNEL)]
            own_centre = actor.membership.centre.id if actor.membership else None
            # The report's route decides itself who may read a centre's report (its director and its
            # scholengroep's contacts, who belong to no centre).
            if payload.centre is not None and payload.centre != own_centre and payload.action != "report":
                log.info("card payload refused", extra={"reason": "another centre", "action": payload.action})
                return [Reply(text=OTHER_CENTRE)]
            route = self.payload_routes.get(payload.action)
            if route is not None:
                return await route(actor, payload)
            return await self.respondent.on_payload(actor, payload)
        files = [a for a in activity.attachments or [] if a.content_type == FILE_DOWNLOAD_INFO]
        if files and self.file_route is not None and activity.conversation.conversation_type in (None, "personal"):
            attachment = files[0]
            return await self.file_route(
                actor, attachment.name or "bestand", lambda limit: download_file(attachment.content, limit)
            )
        text = without_mention(activity)[:2000]
        command = parse_command(text)
        name = command.name if command else None
        if name in ADMIN_COMMANDS:
            route = self.text_routes.get(name)
            return (
                await route(actor, command, text)
                if route
                else [Reply(text="Dit commando is voor POC+. Typ *help* voor wat je kan doen.")]
            )
        if shared:
            # Answers are personal: the survey itself only runs in the 1:1 chat.
            return [Reply(text=IN_CHANNEL)]
        if name in self.text_routes:
            return await self.text_routes[name](actor, command, text)
        if name in DIRECTOR_COMMANDS:
            return [Reply(text="Dit commando is voor directeurs. Typ *help* voor wat je kan doen.")]
        return await self.respondent.on_command(actor, command, text)

    async def on_members_added_activity(self, members_added: list[ChannelAccount], turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if activity.conversation.conversation_type not in (None, "personal"):
            return
        for member in members_added:
            if member is None or not member.id or member.id == activity.recipient.id:
                continue
            actor = await self.people.identify(turn_context)
            await self.deliver(turn_context, await self.respondent.intro(actor))

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """Poolster uses no invokes (Action.Execute fails on Teams mobile); answer calmly, never 5xx."""
        log.info("invoke ignored", extra={"activity_type": f"invoke:{turn_context.activity.name}"})
        if turn_context.activity.name == "adaptiveCard/action":
            return InvokeResponse(
                status=200,
                body={
                    "statusCode": 200,
                    "type": "application/vnd.microsoft.activity.message",
                    "value": "Deze knop wordt niet ondersteund. Typ *verder* om verder te gaan.",
                },
            )
        return InvokeResponse(status=200, body={})

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        # Remember how to reach the user; the welcome itself comes with conversationUpdate.
        await self.people.identify(turn_context)

    async def deliver(self, turn_context: TurnContext, outgoing: list[Outgoing]) -> None:
        """Send the replies of a turn; a failure is logged, never raised: the state is already saved.

        The person is waiting for these: they go before background traffic in the tenant's budget.
        """
        conversation_id = turn_context.activity.conversation.id
        personal = turn_context.activity.conversation.conversation_type in (None, "personal")
        for item in outgoing:
            try:
                if isinstance(item, PrivateReply):
                    item = Reply(card=item.card) if personal else await self._send_privately(turn_context, item)
                if isinstance(item, MoveOn):
                    await self._move_on(turn_context, item)
                elif isinstance(item, ReplaceSubmitted):
                    if turn_context.activity.reply_to_id:
                        await self._update(turn_context, turn_context.activity.reply_to_id, item.card)
                else:
                    await self._send(
                        turn_context,
                        card_activity(item.card, item.text) if item.card else MessageFactory.text(item.text),
                    )
            except DeliveryFailed as failure:
                log.error("reply not delivered", extra={"conversation_id": conversation_id, "reason": failure.reason})
                return

    async def _move_on(self, turn_context: TurnContext, item: MoveOn) -> None:
        """Show the survey's next card: normally one request, the update of the pressed card."""
        activity = turn_context.activity
        conversation_id = activity.conversation.id
        pressed = activity.reply_to_id if activity.value is not None else None
        if activity.value is not None and not pressed:
            # A button without the card it was on: not Teams (which always says), so nothing to track.
            await self._send(turn_context, card_activity(item.card))
            return
        live = await self.live_cards.get(conversation_id)
        shown = gone = None
        if pressed and item.in_place:
            try:
                await self._update(turn_context, pressed, item.card)
                shown = pressed
            except DeliveryFailed as failure:
                # A blocked bot cannot send either; anything else permanent (the message is gone:
                # ActivityNotFoundInConversation) gets the card as a new message.
                if failure.code is NotReached.TEAMS_UNAVAILABLE or failure.status == 403:
                    raise
                log.info(
                    "card could not be updated; sent as a new message",
                    extra={"conversation_id": conversation_id, "reason": failure.reason},
                )
                gone = pressed
        if shown is None:
            sent = await self._send(turn_context, card_activity(item.card))
            shown = sent.id if sent is not None else None
        if live is not None and live not in (shown, gone):
            try:
                await self._update(turn_context, live, replaced_card())
            except DeliveryFailed as failure:
                log.info(
                    "replaced card not retired", extra={"conversation_id": conversation_id, "reason": failure.reason}
                )
        if shown:
            await self.live_cards.remember(conversation_id, shown)

    async def _send(self, turn_context: TurnContext, message):
        return await self._call(turn_context, lambda: turn_context.send_activity(message))

    async def _update(self, turn_context: TurnContext, activity_id: str, card: dict) -> None:
        update = card_activity(card)
        update.id = activity_id
        await self._call(turn_context, lambda: turn_context.update_activity(update))

    async def _call(self, turn_context: TurnContext, call):
        activity = turn_context.activity
        return await call_teams(
            call,
            conversation_id=activity.conversation.id,
            tenant_id=tenant_of(activity) or "",
            limiter=self.limiter,
            policy=self.settings.retry_policy,
            priority=Priority.INTERACTIVE,
        )

    async def _send_privately(self, turn_context: TurnContext, item: PrivateReply) -> Reply:
        """Send into the sender's 1:1 chat with the bot (opened now if they never had one); returns
        what to say where they asked."""
        activity = turn_context.activity
        try:
            known = await self.people.users.get(activity.from_property.id)
            reference = People.reference(known) if known else None
            if reference is None:
                reference = await self.messenger.open_personal_chat(
                    activity.from_property.id, tenant_of(activity) or "", activity.service_url
                )
            await self.messenger.send(reference, card_activity(item.card), Priority.INTERACTIVE)
        except DeliveryFailed as failure:
            log.warning("private reply not delivered", extra={"reason": failure.reason})
            return Reply(text=PRIVATE_NOT_DELIVERED)
        return Reply(text=item.notice)
