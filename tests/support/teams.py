"""Play Teams in tests: send Teams-shaped activities to the running app and press card buttons.

Cards are filled the way Teams fills them: every input's current value by id (prefilled values
included), multi-select values comma-joined, and the pressed action's `data` merged in.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field

import aiohttp

from tests.support.fake_connector import Call, FakeConnector, Member

TENANT = "tenant-go-clb"
BOT_ID = "28:poolster-bot"
_ids = itertools.count(1)


@dataclass(eq=False)
class TeamsUser:
    name: str
    email: str
    aad_object_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    user_id: str = ""

    def __post_init__(self) -> None:
        self.user_id = self.user_id or f"29:{self.aad_object_id}"

    @property
    def conversation_id(self) -> str:
        """The 1:1 chat, named as the fake connector names chats the bot creates itself."""
        return f"personal-{self.user_id}"

    def as_member(self) -> Member:
        return Member(self.user_id, self.name, self.aad_object_id, self.email)


class CardNotFound(AssertionError):
    pass


class Turn(list):
    """The bot's calls during one button press, and which card was pressed (it may be updated in place)."""

    def __init__(self, calls: list[Call], *, pressed: str | None):
        super().__init__(calls)
        self.pressed = pressed


def iter_elements(node):
    """Every dict inside a card, depth first (body, columns, items, actions, show-cards...)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from iter_elements(value)
    elif isinstance(node, list):
        for item in node:
            yield from iter_elements(item)


def inputs_of(card: dict) -> dict[str, dict]:
    return {e["id"]: e for e in iter_elements(card) if str(e.get("type", "")).startswith("Input.") and "id" in e}


def submit_actions(card: dict) -> list[dict]:
    return [e for e in iter_elements(card) if e.get("type") == "Action.Submit"]


def find_action(card: dict, title: str) -> dict:
    actions = submit_actions(card)
    for action in actions:
        if action.get("title", "").lower() == title.lower():
            return action
    for action in actions:
        if title.lower() in action.get("title", "").lower():
            return action
    raise CardNotFound(f"no button {title!r}; the card has {[a.get('title') for a in actions]}")


def _filled(card: dict, values: dict[str, object] | None) -> dict[str, object]:
    filled: dict[str, object] = {}
    for input_id, element in inputs_of(card).items():
        if element.get("value") not in (None, ""):
            filled[input_id] = element["value"]
    for input_id, value in (values or {}).items():
        if isinstance(value, (list, tuple)):
            value = ",".join(value)
        filled[input_id] = value
    return filled


def fill_card(card: dict, action_title: str, values: dict[str, object] | None = None) -> dict:
    """The `value` Teams would send when the user sets values and presses the button (a button with
    `associatedInputs: none` sends its data only)."""
    action = find_action(card, action_title)
    submitted = {} if str(action.get("associatedInputs", "auto")).lower() == "none" else _filled(card, values)
    return {**submitted, **(action.get("data") or {})}


def required_left_empty(card: dict, action_title: str, values: dict[str, object] | None = None) -> list[str]:
    """The required inputs still empty when the button is pressed: Teams refuses to send those
    (it shows their errorMessage) unless the button has `associatedInputs: none`."""
    action = find_action(card, action_title)
    if str(action.get("associatedInputs", "auto")).lower() == "none":
        return []
    filled = _filled(card, values)
    return [
        input_id
        for input_id, element in inputs_of(card).items()
        if element.get("isRequired") and filled.get(input_id) in (None, "")
    ]


class TeamsClient:
    """Sends activities to the app under test; replies land in the fake connector."""

    def __init__(self, session: aiohttp.ClientSession, app_url: str, connector: FakeConnector):
        self.session = session
        self.app_url = app_url.rstrip("/")
        self.connector = connector

    def activity(
        self,
        user: TeamsUser,
        *,
        text: str | None = None,
        value: dict | None = None,
        reply_to_id: str | None = None,
        conversation_id: str | None = None,
        conversation_type: str = "personal",
        activity_type: str = "message",
        tenant: str = TENANT,
        **extra,
    ) -> dict:
        activity = {
            "type": activity_type,
            "id": f"incoming-{next(_ids)}",
            "timestamp": "2026-11-24T10:00:00.000Z",
            "serviceUrl": self.connector.url,
            "channelId": "msteams",
            "from": {"id": user.user_id, "name": user.name, "aadObjectId": user.aad_object_id},
            "conversation": {
                "id": conversation_id or user.conversation_id,
                "conversationType": conversation_type,
                "tenantId": tenant,
            },
            "recipient": {"id": BOT_ID, "name": "Poolster"},
            "channelData": {"tenant": {"id": tenant}},
            "locale": "nl-BE",
        }
        if text is not None:
            activity["text"] = text
        if value is not None:
            activity["value"] = value
        if reply_to_id is not None:
            activity["replyToId"] = reply_to_id
        activity.update(extra)
        return activity

    async def post(self, activity: dict, headers: dict | None = None) -> int:
        async with self.session.post(f"{self.app_url}/api/messages", json=activity, headers=headers) as response:
            await response.read()
            return response.status

    async def send(self, activity: dict) -> list[Call]:
        """Post an activity; returns the bot's calls in that conversation during the turn."""
        before = len(self.connector.calls)
        status = await self.post(activity)
        assert status in (200, 201), f"the bot answered HTTP {status}"
        return self._replies(before, activity)

    async def say(self, user: TeamsUser, text: str, **kwargs) -> list[Call]:
        """Send a message; returns the bot's calls in that conversation during the turn."""
        return await self.send(self.activity(user, text=text, **kwargs))

    def _replies(self, before: int, activity: dict) -> list[Call]:
        conversation_id = activity["conversation"]["id"]
        return [call for call in self.connector.calls[before:] if call.conversation_id == conversation_id]

    async def press(self, user: TeamsUser, message: Call, button: str, values: dict[str, object] | None = None) -> Turn:
        """Press a button on a card the bot sent, with the given inputs set."""
        assert message.card is not None, f"message {message.activity_id} has no card"
        value = fill_card(message.card, button, values)
        return Turn(
            await self.send(
                self.activity(
                    user, value=value, reply_to_id=message.activity_id, conversation_id=message.conversation_id
                )
            ),
            pressed=message.activity_id,
        )

    def last_card(self, user: TeamsUser) -> Call:
        for call in reversed(self.connector.calls):
            if call.conversation_id == user.conversation_id and call.method == "POST" and call.card:
                return call
        raise CardNotFound(f"no card sent to {user.name}")


def cards_in(calls: list[Call]) -> list[dict]:
    return [call.card for call in calls if call.card]


def texts_in(calls: list[Call]) -> str:
    """What the person reads: the messages' texts and the text blocks of the cards sent or updated."""
    texts = []
    for call in calls:
        if call.text:
            texts.append(call.text)
        if call.card:
            texts += [e["text"] for e in iter_elements(call.card) if e.get("type") == "TextBlock" and e.get("text")]
    return "\n".join(texts)
