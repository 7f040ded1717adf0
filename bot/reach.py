"""How to reach a person of the registry in Teams: their 1:1 chat, opened if needed."""

from __future__ import annotations

from botbuilder.schema import ConversationReference

from bot.messenger import Messenger
from bot.people import People
from survey.registry import Person


class Reach:
    def __init__(self, people: People, messenger: Messenger, *, tenant_id: str, default_service_url: str):
        self.people = people
        self.messenger = messenger
        self.tenant_id = tenant_id
        self.default_service_url = default_service_url

    async def reference(self, person: Person) -> ConversationReference | None:
        """The chat the bot has with this person, opened now when they never spoke to the bot.

        None when the person cannot be reached yet: never met and no Azure AD id in the registry.
        """
        known = await self.people.find_user(person.aad_object_id, person.email)
        if known is not None and (reference := People.reference(known)) is not None:
            return reference
        user_id = known.user_id if known else person.aad_object_id
        if not user_id:
            return None
        tenant = (known.tenant_id if known else None) or self.tenant_id or ""
        endpoint = await self.people.endpoint_for(tenant) or await self.people.endpoint_for("")
        tenant = tenant or (endpoint.tenant_id if endpoint else "")
        service_url = (known.service_url if known else None) or (endpoint.service_url if endpoint else None) \
            or self.default_service_url
        return await self.messenger.open_personal_chat(user_id, tenant, service_url)
