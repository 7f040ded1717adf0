"""How to reach a person of the registry in Teams: their 1:1 chat with Poolster, found or made.

In order: the chat of someone who spoke to Poolster; else, with Microsoft Graph, the person is
found by e-mail when the registry has no Azure AD id, Poolster is installed for them and Graph gives
the chat; without Graph, the chat is opened with the Bot Framework (which works only where the app
is installed, e.g. by a Teams app setup policy). What Graph told is remembered per person
(`reach/<person>`), one step at a time, so a crash in the middle redoes at most the step in flight
and nobody is looked up or installed twice; it is forgotten and redone when a send to it fails
because the chat or the installation is gone.
"""

from __future__ import annotations

import logging
from datetime import datetime

from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference
from pydantic import BaseModel, ConfigDict

from bot.delivery import DeliveryFailed
from bot.graph import Graph
from bot.messenger import Messenger
from bot.people import KnownUser, People
from storage.base import DocumentStore
from storage.repository import Repository
from survey.reach_outcomes import NotReached
from survey.registry import Person

log = logging.getLogger("poolster.reach")

# A send into a remembered chat that fails with these may work after finding the chat again.
STALE = frozenset({NotReached.NOT_INSTALLED, NotReached.NOT_FOUND})


class ReachRecord(BaseModel):
    """What Graph told about a registry person, kept so it is asked once."""

    model_config = ConfigDict(extra="forbid")

    aad_object_id: str | None = None  # looked up by e-mail (the registry had none)
    installed: bool = False  # Poolster is installed for them (by Poolster, or it was: 409)
    chat_id: str | None = None  # their 1:1 chat with Poolster
    updated_at: datetime


class Reach:
    def __init__(
        self,
        people: People,
        messenger: Messenger,
        store: DocumentStore,
        clock,
        *,
        tenant_id: str,
        default_service_url: str,
        graph: Graph | None = None,
    ):
        self.people = people
        self.messenger = messenger
        self.clock = clock
        self.tenant_id = tenant_id
        self.default_service_url = default_service_url
        self.graph = graph
        self.records: Repository[ReachRecord] = Repository(store, "reach", ReachRecord)

    async def send(self, person: Person, activity) -> str:
        """Send to the person's 1:1 chat; returns the message id. Raises DeliveryFailed with the reason."""
        reference, fresh = await self._reference(person)
        try:
            return await self.messenger.send(reference, activity)
        except DeliveryFailed as failure:
            if fresh or failure.code not in STALE:
                raise
            # Nothing was delivered: find the chat again (reinstalling if needed) and send once more.
            log.info("remembered chat failed; finding it again", extra={"reason": failure.reason})
            reference, _ = await self._reference(person, refresh=True)
            return await self.messenger.send(reference, activity)

    async def reference(self, person: Person) -> ConversationReference:
        """The person's 1:1 chat with Poolster; raises DeliveryFailed when they cannot be reached."""
        return (await self._reference(person))[0]

    async def _reference(self, person: Person, *, refresh: bool = False) -> tuple[ConversationReference, bool]:
        """The chat, and whether it was just found (True) or remembered (False)."""
        known = await self.people.find_user(person.aad_object_id, person.email)
        if refresh:
            await self.records.delete(person.key)
            record = None
        else:
            record = await self.records.get(person.key)
            # The chat Graph gave last wins over the one the person once opened: after a refresh it is
            # the one that works.
            if record is not None and record.chat_id:
                aad_object_id = record.aad_object_id or person.aad_object_id
                return await self._chat_reference(record.chat_id, aad_object_id, known), False
            if known is not None and (reference := People.reference(known)) is not None:
                return reference, False
        aad_object_id = (
            person.aad_object_id
            or (known.aad_object_id if known else None)
            or (record.aad_object_id if record else None)
        )
        if self.graph is None:
            user_id = (known.user_id if known else None) or aad_object_id
            if not user_id:
                raise DeliveryFailed(NotReached.NO_IDENTITY, "no Azure AD id and no Graph to look one up")
            tenant, service_url = await self._where(known)
            return await self.messenger.open_personal_chat(user_id, tenant, service_url), True
        if not aad_object_id:
            aad_object_id = await self.graph.user_id(person.email or "")
            record = await self._note(person, aad_object_id=aad_object_id)
        if not self.graph.installs:
            # Graph finds people; a setup policy installs Poolster for them.
            tenant, service_url = await self._where(known)
            return await self.messenger.open_personal_chat(aad_object_id, tenant, service_url), True
        if not (record and record.installed):
            installed_now = await self.graph.install(aad_object_id)
            log.info(
                "poolster installed" if installed_now else "poolster was installed already",
                extra={"status": 201 if installed_now else 409},
            )
            record = await self._note(person, installed=True)
        chat_id = await self.graph.chat_id(aad_object_id)
        await self._note(person, chat_id=chat_id)
        return await self._chat_reference(chat_id, aad_object_id, known), True

    async def _note(self, person: Person, **progress) -> ReachRecord:
        """Record one step's outcome for this person (merged with what another step wrote)."""

        def merge(current: ReachRecord | None) -> ReachRecord:
            base = current or ReachRecord(updated_at=self.clock())
            return base.model_copy(update={**progress, "updated_at": self.clock()})

        return (await self.records.update((person.key,), merge))[1]

    async def _where(self, known: KnownUser | None) -> tuple[str, str]:
        """The tenant and Teams service URL to reach someone in (where Teams last reached the bot from)."""
        tenant = (known.tenant_id if known else None) or self.tenant_id or ""
        endpoint = await self.people.endpoint_for(tenant) or await self.people.endpoint_for("")
        tenant = tenant or (endpoint.tenant_id if endpoint else "") or ""
        service_url = (
            (known.service_url if known else None)
            or (endpoint.service_url if endpoint else None)
            or self.default_service_url
        )
        return tenant, service_url

    async def _chat_reference(
        self, chat_id: str, aad_object_id: str | None, known: KnownUser | None
    ) -> ConversationReference:
        tenant, service_url = await self._where(known)
        return ConversationReference(
            channel_id="msteams",
            service_url=service_url,
            bot=ChannelAccount(id=self.messenger.app_id or "poolster"),
            user=ChannelAccount(id=aad_object_id or "", aad_object_id=aad_object_id),
            conversation=ConversationAccount(id=chat_id, conversation_type="personal", tenant_id=tenant),
        )
