"""Who is talking, and how to reach them again.

Identity: Teams gives the AAD object id on every activity; the e-mail/UPN needs one call to the
conversation's member API, so it is remembered per user. Reachability: the bot keeps a
conversation reference for everyone it meets, so it can message them later (invitations,
reminders, the director's card).
"""

from __future__ import annotations

import logging

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import ConversationReference
from pydantic import BaseModel, ConfigDict

from dialogs.context import Actor
from storage.base import DocumentStore
from storage.repository import Repository
from survey.registry import Registry

log = logging.getLogger("poolster.people")


class UserPointer(BaseModel):
    """Index entry: an AAD object id, e-mail or UPN -> the Teams user id it belongs to."""

    user_id: str


class Endpoint(BaseModel):
    """Where Teams last reached us from: used to open chats with people we never heard from."""

    service_url: str
    tenant_id: str | None = None


class KnownUser(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: str
    name: str = ""
    aad_object_id: str | None = None
    email: str | None = None
    user_principal_name: str | None = None
    tenant_id: str | None = None
    service_url: str | None = None
    # The 1:1 conversation with the bot, serialized botbuilder ConversationReference.
    personal_reference: dict | None = None


def tenant_of(activity) -> str | None:
    conversation = getattr(activity, "conversation", None)
    tenant = getattr(conversation, "tenant_id", None)
    if not tenant and isinstance(activity.channel_data, dict):
        tenant = (activity.channel_data.get("tenant") or {}).get("id")
    return tenant.lower() if tenant else None


class People:
    def __init__(self, store: DocumentStore, registry: Registry, admins: tuple[str, ...]):
        self.users: Repository[KnownUser] = Repository(store, "users", KnownUser)
        self.pointers: Repository[UserPointer] = Repository(store, "user-index", UserPointer)
        self.endpoints: Repository[Endpoint] = Repository(store, "meta", Endpoint)
        # tenant ("" = any tenant) -> where Teams last reached us from there; None = nothing stored
        self._endpoints: dict[str, Endpoint | None] = {}
        self.registry = registry
        self.admins = frozenset(a.lower() for a in admins)
        # user id -> what is stored, so a turn does not write unless something changed.
        self._cache: dict[str, KnownUser] = {}

    async def identify(self, turn_context: TurnContext) -> Actor:
        activity = turn_context.activity
        sender = activity.from_property
        known = await self._remember(turn_context)
        identities = (known.aad_object_id, known.email, known.user_principal_name, sender.id)
        return Actor(
            user_id=sender.id,
            name=known.name or sender.name or "",
            aad_object_id=known.aad_object_id,
            email=known.email or known.user_principal_name,
            membership=self.registry.find(*identities),
            school_contact=self.registry.school_contact(*identities),
            is_admin=any(identity and identity.lower() in self.admins for identity in identities),
        )

    async def _remember(self, turn_context: TurnContext) -> KnownUser:
        activity = turn_context.activity
        sender = activity.from_property
        known = self._cache.get(sender.id) or await self.users.get(sender.id)
        if known is None or not (known.email or known.user_principal_name):
            email, upn = await self._lookup_email(turn_context, sender.id)
        else:
            email, upn = known.email, known.user_principal_name
        personal = activity.conversation.conversation_type in (None, "personal")
        reference = None
        if personal:
            # Without the incoming activity's id, the reference only changes when the chat does:
            # no write per turn.
            reference = TurnContext.get_conversation_reference(activity)
            reference.activity_id = None
            reference = reference.serialize()
        wanted = KnownUser(
            user_id=sender.id,
            name=sender.name or (known.name if known else ""),
            aad_object_id=sender.aad_object_id or (known.aad_object_id if known else None),
            email=email,
            user_principal_name=upn,
            tenant_id=tenant_of(activity) or (known.tenant_id if known else None),
            service_url=activity.service_url or (known.service_url if known else None),
            personal_reference=reference or (known.personal_reference if known else None),
        )
        if wanted != known:
            await self.save_user(wanted)
        self._cache[sender.id] = wanted
        if activity.service_url:
            await self._remember_endpoint(Endpoint(service_url=activity.service_url, tenant_id=wanted.tenant_id))
        return wanted

    async def save_user(self, user: KnownUser) -> None:
        """Store what is known of a user, findable by AAD object id, e-mail and UPN."""
        await self.users.put(user, user.user_id)
        for identity in {user.aad_object_id, user.email, user.user_principal_name} - {None}:
            await self.pointers.put(UserPointer(user_id=user.user_id), identity.lower())

    async def _remember_endpoint(self, endpoint: Endpoint) -> None:
        # Written only when Teams' (regional) service URL changes, per tenant and for any tenant: one
        # document rewritten on every turn would be a hot spot for the store.
        for tenant in {endpoint.tenant_id or "", ""}:
            stored = await self.endpoint_for(tenant)
            if stored is None or stored.service_url != endpoint.service_url:
                await self.endpoints.put(endpoint, *self._endpoint_key(tenant))
                self._endpoints[tenant] = endpoint

    async def endpoint_for(self, tenant: str) -> Endpoint | None:
        """Where Teams reached the bot from in this tenant ("" = in any tenant), if it ever did."""
        if tenant not in self._endpoints:
            self._endpoints[tenant] = await self.endpoints.get(*self._endpoint_key(tenant))
        return self._endpoints[tenant]

    @staticmethod
    def _endpoint_key(tenant: str) -> tuple[str, ...]:
        return ("endpoint", tenant) if tenant else ("endpoint",)

    async def _lookup_email(self, turn_context: TurnContext, user_id: str) -> tuple[str | None, str | None]:
        try:
            member = await TeamsInfo.get_member(turn_context, user_id)
        except Exception as error:
            log.info("member lookup failed", extra={"reason": type(error).__name__})
            return None, None
        return getattr(member, "email", None), getattr(member, "user_principal_name", None)

    async def find_user(self, *identities: str | None) -> KnownUser | None:
        """A user the bot has met, by AAD object id, e-mail or UPN."""
        for identity in filter(None, identities):
            pointer = await self.pointers.get(identity.lower())
            if pointer is not None:
                return await self.users.get(pointer.user_id)
        return None

    @staticmethod
    def reference(user: KnownUser) -> ConversationReference | None:
        if not user.personal_reference:
            return None
        return ConversationReference().deserialize(user.personal_reference)
