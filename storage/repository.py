"""Typed access to the store: one Repository per kind of record, pydantic models in and out.

`update` is the one way state changes: read, apply a pure function, write back with the e_tag
that was read, and on a conflict (another turn or another instance wrote first) start again
from the fresh value. That makes concurrent turns safe without locks across processes.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from typing import Generic, TypeVar
from urllib.parse import quote, unquote

from pydantic import BaseModel

from storage.base import MUST_NOT_EXIST, DocumentStore, EtagConflict

M = TypeVar("M", bound=BaseModel)

# Enough for fifty writers racing on one key over a network store on a busy machine (the blob tests
# do that); ordinary keys belong to one person and conflict rarely.
MAX_ATTEMPTS = 50


class Unchanged(Exception):
    """Raised by an update function to say there is nothing to write."""


def make_key(*parts: str) -> str:
    return "/".join(quote(part, safe="@.-_+") for part in parts)


def key_parts(key: str) -> list[str]:
    return [unquote(part) for part in key.split("/")]


class Repository(Generic[M]):
    def __init__(self, store: DocumentStore, kind: str, model: type[M]):
        self._store = store
        self._kind = kind
        self._model = model

    def key(self, *parts: str) -> str:
        return make_key(self._kind, *parts)

    async def get(self, *parts: str) -> M | None:
        model, _ = await self._get_with_etag(self.key(*parts))
        return model

    async def get_many(self, keys: list[str]) -> list[M]:
        if not keys:
            return []
        found = await self._store.read(keys)
        return [self._parse(found[key]) for key in keys if key in found]

    async def list(self, *prefix_parts: str) -> list[M]:
        prefix = self.key(*prefix_parts) + "/" if prefix_parts else self._kind + "/"
        return await self.get_many(await self._store.keys_with_prefix(prefix))

    async def put(self, model: M, *parts: str) -> None:
        await self._store.write({self.key(*parts): {**model.model_dump(mode="json"), "e_tag": "*"}})

    async def create(self, model: M, *parts: str) -> bool:
        """Store model only if nothing is stored under that key yet; False if something was."""
        try:
            await self._store.write({self.key(*parts): {**model.model_dump(mode="json"), "e_tag": MUST_NOT_EXIST}})
            return True
        except EtagConflict:
            return False

    async def delete(self, *parts: str) -> None:
        await self._store.delete([self.key(*parts)])

    async def update(self, parts: tuple[str, ...], change: Callable[[M | None], M]) -> tuple[M | None, M | None]:
        """Apply change to the current value and store it; returns (before, after).

        change may raise Unchanged (nothing is written, after is before) or any other exception
        (nothing is written, the exception propagates). It may be called more than once.
        """
        key = self.key(*parts)
        for attempt in range(MAX_ATTEMPTS):
            before, etag = await self._get_with_etag(key)
            try:
                after = change(before)
            except Unchanged:
                return before, before
            try:
                await self._store.write(
                    {key: {**after.model_dump(mode="json"), "e_tag": etag if before is not None else MUST_NOT_EXIST}}
                )
                return before, after
            except EtagConflict:
                # Someone else wrote in between: back off a little and redo the change on fresh data.
                # Exponential with jitter, capped: on a networked store (Blob) a write takes
                # milliseconds, and a linear 5 ms window let 50 racing writers exhaust MAX_ATTEMPTS.
                await asyncio.sleep(random.uniform(0, min(0.25, 0.005 * 2**attempt)))
        raise EtagConflict(f"{key}: still conflicting after {MAX_ATTEMPTS} attempts")

    async def _get_with_etag(self, key: str) -> tuple[M | None, str | None]:
        found = await self._store.read([key])
        if key not in found:
            return None, None
        raw = found[key]
        return self._parse(raw), raw.get("e_tag")

    def _parse(self, raw: dict) -> M:
        return self._model.model_validate({k: v for k, v in raw.items() if k != "e_tag"})
