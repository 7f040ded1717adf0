"""What every dialog needs: who is talking, the shared services, and what to send back.

Dialogs know nothing of Teams: they receive an Actor and a command or card payload and return
Replies. The bot layer turns Teams activities into these and sends the replies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol

from storage.base import DocumentStore
from storage.repository import Repository
from survey.answers import Response
from survey.questionnaire import Catalog, Questionnaire, RunsQuestionnaire
from survey.registry import Membership, Registry, SchoolContact
from survey.waves import Wave, current_wave_for


@dataclass(frozen=True)
class Actor:
    """The person behind a turn, as far as we could identify them."""

    user_id: str
    name: str
    aad_object_id: str | None = None
    email: str | None = None
    membership: Membership | None = None
    # A school's contact person, who answers the schools' survey for their school (not in a team).
    school_contact: SchoolContact | None = None
    is_admin: bool = False

    @property
    def key(self) -> str:
        if self.membership is not None:
            return self.membership.person.key
        if self.school_contact is not None:
            return self.school_contact.person.key
        return (self.aad_object_id or self.user_id).lower()


@dataclass(frozen=True)
class Reply:
    """A message to send: a text, a card, or both."""

    text: str | None = None
    card: dict | None = None


@dataclass(frozen=True)
class ReplaceSubmitted:
    """Replace the card whose button was pressed (so an answered card cannot be pressed again)."""

    card: dict


@dataclass(frozen=True)
class MoveOn:
    """The survey's one card shows this card next: the card whose button was pressed is updated.

    One request to Teams (an update). When there is no pressed card (a typed command), `in_place` is
    False (the button was on a card that must stay, like the director's summary), or Teams cannot
    update the card any more, it is sent as a new message instead. Either way it becomes the live
    card, and the card that was live before is retired (bot.live_cards).
    """

    card: dict
    in_place: bool = True


@dataclass(frozen=True)
class PrivateReply:
    """A message only for the actor (download links): always sent in their 1:1 chat with the bot.

    Asked in a channel or group chat, the bot sends it to the 1:1 chat and says `notice` where it
    was asked."""

    card: dict
    notice: str


Outgoing = Reply | ReplaceSubmitted | MoveOn | PrivateReply


class ResponseListener(Protocol):
    async def response_changed(self, response: Response) -> None: ...


class ResponseListeners:
    """Everyone told of a changed response (the director's live card, the scholengroep), in order."""

    def __init__(self, *listeners: ResponseListener):
        self.listeners = listeners

    async def response_changed(self, response: Response) -> None:
        for listener in self.listeners:
            await listener.response_changed(response)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Services:
    # Every questionnaire version; a wave's answers are read with the version the wave runs.
    catalog: Catalog
    registry: Registry
    store: DocumentStore
    clock: Callable[[], datetime] = utc_now

    def __post_init__(self) -> None:
        self.responses: Repository[Response] = Repository(self.store, "responses", Response)
        self.centre_answers: Repository[Response] = Repository(self.store, "centre-answers", Response)
        self.waves: Repository[Wave] = Repository(self.store, "waves", Wave)

    def questionnaire_of(self, record: RunsQuestionnaire) -> Questionnaire:
        """The questionnaire version a wave runs or a response was answered with."""
        return self.catalog.of(record)

    async def current_wave(self, centre_id: str, questionnaire_ids: frozenset[str] | None = None) -> Wave | None:
        return current_wave_for(await self.waves.list(), centre_id, self.clock(), questionnaire_ids)

    async def member_responses(self, wave_id: str, centre_id: str) -> list[Response]:
        return await self.responses.list(wave_id, centre_id)
