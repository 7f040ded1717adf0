"""The stores behind botbuilder's Storage interface: e_tags, concurrency, durability, locking."""

from __future__ import annotations

import asyncio
import json

import pytest
from pydantic import BaseModel

from storage.base import MUST_NOT_EXIST, EtagConflict
from storage.embedded import CorruptStore, EmbeddedStorage, StoreLocked
from storage.memory import InMemoryStore
from storage.repository import Repository


class Counter(BaseModel):
    value: int = 0


@pytest.fixture(params=["embedded", "memory"])
async def store(request, tmp_path):
    opened = (
        await EmbeddedStorage.open(tmp_path / "data", partitions=8) if request.param == "embedded" else InMemoryStore()
    )
    yield opened
    await opened.close()


async def test_roundtrip_and_copies(store):
    await store.write({"a/1": {"x": [1]}, "b/1": {"y": 2}})
    found = await store.read(["a/1", "b/1", "missing"])
    assert set(found) == {"a/1", "b/1"} and found["a/1"]["x"] == [1]
    found["a/1"]["x"].append(2)
    assert (await store.read(["a/1"]))["a/1"]["x"] == [1], "a returned value is a copy"
    assert await store.keys_with_prefix("a/") == ["a/1"]
    await store.delete(["a/1", "missing"])
    assert await store.read(["a/1"]) == {}


@pytest.fixture
async def embedded(tmp_path):
    opened = await EmbeddedStorage.open(tmp_path / "data", partitions=8)
    yield opened
    await opened.close()


# botbuilder's MemoryStorage (behind InMemoryStore) gives a new item no e_tag and so cannot refuse a
# stale write: it is for benchmarks and experiments only, and these two tests are not for it.
async def test_etags_refuse_stale_writes(embedded):
    store = embedded
    await store.write({"k": {"v": 1}})
    first = (await store.read(["k"]))["k"]
    await store.write({"k": {"v": 2, "e_tag": first["e_tag"]}})
    with pytest.raises(EtagConflict):
        await store.write({"k": {"v": 3, "e_tag": first["e_tag"]}})
    with pytest.raises(EtagConflict):
        await store.write({"k": {"v": 4, "e_tag": MUST_NOT_EXIST}})
    await store.write({"k": {"v": 5, "e_tag": "*"}})
    assert (await store.read(["k"]))["k"]["v"] == 5


async def test_concurrent_updates_are_never_lost(embedded):
    store = embedded
    counters = Repository(store, "counters", Counter)

    async def increment() -> None:
        await counters.update(("c",), lambda current: Counter(value=(current.value if current else 0) + 1))

    await asyncio.gather(*(increment() for _ in range(50)))
    assert (await counters.get("c")).value == 50


async def test_embedded_store_survives_reopen_and_locks_its_folder(tmp_path):
    store = await EmbeddedStorage.open(tmp_path / "data")
    await store.write({f"k/{n}": {"n": n} for n in range(100)})
    with pytest.raises(StoreLocked, match="al in gebruik"):
        await EmbeddedStorage.open(tmp_path / "data")
    await store.close()
    reopened = await EmbeddedStorage.open(tmp_path / "data")
    assert len(await reopened.keys_with_prefix("k/")) == 100
    assert (await reopened.read(["k/42"]))["k/42"]["n"] == 42
    await reopened.close()


async def test_a_damaged_file_is_named_not_skipped(tmp_path):
    store = await EmbeddedStorage.open(tmp_path / "data", partitions=1)
    await store.write({"k": {"v": 1}})
    await store.close()
    path = tmp_path / "data" / "store" / "p-000.json"
    path.write_text(json.dumps({"items": {}})[:-3])
    with pytest.raises(CorruptStore, match="p-000.json"):
        await EmbeddedStorage.open(tmp_path / "data", partitions=1)
