"""botbuilder's MemoryStorage as a DocumentStore, for benchmarks and throwaway runs.

MemoryStorage signals an e_tag conflict with a bare KeyError (turned into EtagConflict here) and
gives a new item no e_tag, so it cannot refuse a stale write to an item written once: it hides
concurrency bugs. Use it for benchmarks and experiments, never for real answers.
"""

from __future__ import annotations

import copy

from botbuilder.core import MemoryStorage

from storage.base import MUST_NOT_EXIST, DocumentStore, EtagConflict, require_changes, require_keys


class InMemoryStore(DocumentStore):
    def __init__(self) -> None:
        self._memory = MemoryStorage()

    async def read(self, keys: list[str]) -> dict[str, object]:
        require_keys(keys)
        # Copies, as every store returns: a caller's change must not change what is stored.
        return copy.deepcopy(await self._memory.read(keys))

    async def write(self, changes: dict[str, dict]) -> None:
        require_changes(changes)
        if not changes:
            return
        # No await happens between this check and the write, so it is atomic on the event loop.
        existing = [
            key for key, value in changes.items() if value.get("e_tag") == MUST_NOT_EXIST and key in self._memory.memory
        ]
        if existing:
            raise EtagConflict(f"{existing[0]} already exists")
        # MemoryStorage only assigns an e_tag to items that already carry the field.
        prepared = {
            key: {**value, "e_tag": "*"} if value.get("e_tag") in (None, MUST_NOT_EXIST) else value
            for key, value in changes.items()
        }
        try:
            await self._memory.write(prepared)
        except KeyError as error:
            raise EtagConflict(str(error)) from error

    async def delete(self, keys: list[str]) -> None:
        await self._memory.delete(keys)

    async def keys_with_prefix(self, prefix: str) -> list[str]:
        return sorted(key for key in self._memory.memory if key.startswith(prefix))

    async def check_writable(self) -> bool:
        return True

    def describe(self) -> str:
        return "in memory (botbuilder MemoryStorage; nothing survives a restart)"
