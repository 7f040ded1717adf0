"""What every Poolster store offers on top of botbuilder's `Storage` interface.

The bot keeps all state in a key-value store with optimistic concurrency (e_tag), so the same
code runs on the embedded store, in memory, or on a shared store for several instances.
"""

from __future__ import annotations

import abc
from pathlib import Path

from botbuilder.core import Storage


class EtagConflict(Exception):
    """A write carried an e_tag that no longer matches the stored item: someone wrote first."""


# The e_tag to write with when creating an item: the write fails if the key already exists.
MUST_NOT_EXIST = "__must_not_exist__"


class DocumentStore(Storage, abc.ABC):
    """botbuilder Storage (read / write / delete with e_tag) plus key listing and health."""

    # True when several bot processes may use the store at once (Blob): then a claim another
    # process holds is respected until its lease ends (bot/outbox.py).
    shared: bool = False

    @abc.abstractmethod
    async def keys_with_prefix(self, prefix: str) -> list[str]:
        """All stored keys that start with prefix, sorted."""

    @abc.abstractmethod
    async def check_writable(self) -> bool:
        """True when a write would succeed right now (for /healthz)."""

    async def snapshot(self, dest: Path) -> None:
        """Copy a consistent snapshot of the whole store into dest (backups)."""
        raise RuntimeError(f"{type(self).__name__} cannot snapshot itself; back up the storage service instead")

    async def close(self) -> None:
        """Release files, locks and connections."""

    def describe(self) -> str:
        """One line for the start-up log: which store, where."""
        return type(self).__name__
