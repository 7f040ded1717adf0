"""Which message in a member's chat is the survey's live card: the one card that moves on.

A button on the live card updates that card (one request). When another card takes over (a typed
`verder` or `overzicht` sends a new one, an older card's button is pressed, or Teams could not update
a card and a new one was sent), the previous live card is retired: updated to a card without buttons,
so no stale card stays active. The id is kept per conversation, cached in this process, and written
only when the live card changes.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from storage.base import DocumentStore
from storage.repository import Repository


class LiveCard(BaseModel):
    model_config = ConfigDict(extra="forbid")

    activity_id: str


class LiveCards:
    def __init__(self, store: DocumentStore):
        self.records: Repository[LiveCard] = Repository(store, "live-cards", LiveCard)
        self._cache: dict[str, str | None] = {}

    async def get(self, conversation_id: str) -> str | None:
        if conversation_id not in self._cache:
            record = await self.records.get(conversation_id)
            self._cache[conversation_id] = record.activity_id if record else None
        return self._cache[conversation_id]

    async def remember(self, conversation_id: str, activity_id: str) -> None:
        if await self.get(conversation_id) != activity_id:
            await self.records.put(LiveCard(activity_id=activity_id), conversation_id)
            self._cache[conversation_id] = activity_id
