"""What every Poolster store offers on top of botbuilder's `Storage` interface.

The bot keeps all state in a key-value store with optimistic concurrency (e_tag), so the same
code runs on the embedded store, in memory, or on a shared store for several instances.
"""

from __future__ import annotations

import abc
import json
from collections.abc import Mapping
from pathlib import Path

from botbuilder.core import Storage
from jsonpickle.pickler import Pickler
from jsonpickle.unpickler import Unpickler


class EtagConflict(Exception):
    """A write carried an e_tag that no longer matches the stored item: someone wrote first."""


# The e_tag to write with when creating an item: the write fails if the key already exists.
MUST_NOT_EXIST = "__must_not_exist__"

# A stored item that is not plain JSON (botbuilder's DialogState and other Python objects) is kept
# as {PICKLED: <jsonpickle's JSON>}, as botbuilder's Azure stores keep every item. Only items marked
# so are ever restored by jsonpickle, so stored user text can never name a class to build.
PICKLED = "__jsonpickle__"


def require_keys(keys: object) -> None:
    """botbuilder's storage contract (and its StorageBaseTests): reading None is an error, not "nothing"."""
    if keys is None:
        raise ValueError("Keys are required when reading")


def require_changes(changes: object) -> None:
    if changes is None:
        raise ValueError("Changes are required when writing")


def expected_etag(value: object) -> str | None:
    """The e_tag a write carries: the item's field or attribute (a botbuilder StoreItem), if any."""
    return value.get("e_tag") if isinstance(value, Mapping) else getattr(value, "e_tag", None)


def item_fields(value: object) -> dict:
    """A written item as a dict, without its e_tag: a dict, or an object's public attributes (StoreItem)."""
    fields = (
        dict(value) if isinstance(value, Mapping) else {k: v for k, v in vars(value).items() if not k.startswith("_")}
    )
    fields.pop("e_tag", None)
    return fields


def to_document(fields: dict) -> dict:
    """What is stored for an item: its fields as they are when they are plain JSON, else jsonpickle's form."""
    try:
        json.dumps(fields)
        return fields
    except (TypeError, ValueError):
        return {PICKLED: Pickler(warn=True).flatten(fields)}


def from_document(document: dict) -> dict:
    """The item's fields back from what to_document stored (a new object every time)."""
    if set(document) == {PICKLED}:
        return Unpickler(safe=True).restore(document[PICKLED])
    return document


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
