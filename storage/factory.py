"""Open the store that configuration asks for."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from storage.base import DocumentStore
from storage.memory import InMemoryStore


async def open_store(
    kind: Literal["embedded", "memory", "blob"],
    *,
    data_dir: Path,
    blob_connection_string: str = "",
    blob_container: str = "poolster",
) -> DocumentStore:
    if kind == "memory":
        return InMemoryStore()
    if kind == "blob":
        from storage.blob import BlobStore

        return await BlobStore.open(blob_connection_string, blob_container)
    from storage.embedded import EmbeddedStorage

    return await EmbeddedStorage.open(data_dir)
