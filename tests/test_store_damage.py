"""Damaged store files are refused loudly, by name, with what to do; never a traceback, never a silent empty start."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from storage.embedded import CorruptStore, EmbeddedStorage, StoreLocked
from tests.support.harness import write_registry
from tests.support.process import ROOT, BotProcess

GOOD = {"items": {"1": {"key": "responses/w/c/mo", "value": {"revision": 11}, "e_tag": "abc"}}}

DAMAGE = {
    "truncated": json.dumps(GOOD)[:-7].encode(),
    "empty": b"",
    "whitespace": b"  \n",
    "garbage": b"\x00\x17garbage\xff",
    "not-utf-8": json.dumps(GOOD).encode().replace(b"abc", b"\xe9\xe9"),
    "empty-object": b"{}",
    "null": b"null",
    "a-list": b"[]",
    "a-number": b"42",
    "table-is-a-list": b'{"items": []}',
    "another-table": b'{"_default": {}}',
    "extra-table": json.dumps({**GOOD, "_default": {}}).encode(),
    "document-not-an-object": b'{"items": {"1": 5}}',
    "document-without-key": b'{"items": {"1": {"value": {}, "e_tag": "x"}}}',
    "key-not-a-string": b'{"items": {"1": {"key": 7, "value": {}, "e_tag": "x"}}}',
    "value-not-an-object": b'{"items": {"1": {"key": "k", "value": null, "e_tag": "x"}}}',
    "e-tag-missing": b'{"items": {"1": {"key": "k", "value": {}}}}',
    "document-id-not-a-number": b'{"items": {"one": {"key": "k", "value": {}, "e_tag": "x"}}}',
}


async def damaged_store(tmp_path, content: bytes, partitions: int = 1):
    data = tmp_path / "data"
    store = await EmbeddedStorage.open(data, partitions=partitions)
    await store.write({"responses/w/c/mo": {"revision": 11}})
    await store.close()
    (data / "store" / "p-000.json").write_bytes(content)
    return data


@pytest.mark.parametrize("kind", sorted(DAMAGE))
async def test_a_damaged_partition_stops_the_start_by_name_with_what_to_do(tmp_path, kind):
    data = await damaged_store(tmp_path, DAMAGE[kind])
    with pytest.raises(CorruptStore) as refused:
        await EmbeddedStorage.open(data, partitions=1)
    message = str(refused.value)
    assert "p-000.json" in message
    assert "python -m app restore" in message and "python -m app backup" in message
    assert "beschadigd" in message
    # The lock is released: once restored, the store opens again.
    (data / "store" / "p-000.json").write_text(json.dumps(GOOD))
    reopened = await EmbeddedStorage.open(data, partitions=1)
    assert (await reopened.read(["responses/w/c/mo"]))["responses/w/c/mo"]["revision"] == 11
    await reopened.close()


async def test_a_partition_that_is_a_folder_is_refused_by_name(tmp_path):
    data = await damaged_store(tmp_path, b"{}")
    path = data / "store" / "p-000.json"
    path.unlink()
    path.mkdir()
    with pytest.raises(CorruptStore, match="p-000.json"):
        await EmbeddedStorage.open(data, partitions=1)


async def test_a_key_in_two_partitions_is_refused(tmp_path):
    data = tmp_path / "data"
    store = await EmbeddedStorage.open(data, partitions=8)
    await store.write({"k": {"v": 1}})
    number = store._partition_of("k")
    await store.close()
    source = data / "store" / f"p-{number:03d}.json"
    copy = data / "store" / f"p-{(number + 1) % 8:03d}.json"
    copy.write_bytes(source.read_bytes())
    with pytest.raises(CorruptStore, match=copy.name):
        await EmbeddedStorage.open(data, partitions=8)


async def test_a_partition_file_this_store_would_never_read_is_refused(tmp_path):
    data = await damaged_store(tmp_path, json.dumps(GOOD).encode())
    (data / "store" / "p-1500.json").write_text(json.dumps(GOOD))
    with pytest.raises(CorruptStore, match="p-1500.json"):
        await EmbeddedStorage.open(data, partitions=1)


@pytest.mark.parametrize("kind", ["empty", "empty-object", "garbage"])
def test_the_bot_does_not_start_on_a_damaged_store_and_says_so_in_dutch(tmp_path, kind):
    data = tmp_path / "data"
    write_registry(data)
    (data / "store").mkdir()
    (data / "store" / "p-017.json").write_bytes(DAMAGE[kind])
    bot = BotProcess(data)
    finished = subprocess.run(
        [sys.executable, "app.py"], cwd=ROOT, env=bot.env, capture_output=True, text=True, timeout=120
    )
    assert finished.returncode == 1
    assert "Traceback" not in finished.stderr + finished.stdout
    assert "Poolster start niet" in finished.stderr and "p-017.json" in finished.stderr
    assert "python -m app restore" in finished.stderr


async def test_the_lock_holds_when_its_file_is_deleted(tmp_path):
    store = await EmbeddedStorage.open(tmp_path / "data", partitions=4)
    (tmp_path / "data" / "store" / ".lock").unlink()
    with pytest.raises(StoreLocked, match="al in gebruik"):
        await EmbeddedStorage.open(tmp_path / "data", partitions=4)
    await store.close()
    reopened = await EmbeddedStorage.open(tmp_path / "data", partitions=4)
    await reopened.close()


def test_a_second_bot_process_is_refused_after_the_lock_file_was_deleted(tmp_path, connector):
    data = tmp_path / "data"
    write_registry(data)
    first = BotProcess(data).start()
    try:
        (data / "store" / ".lock").unlink()
        second = BotProcess(data)
        finished = subprocess.run(
            [sys.executable, "app.py"], cwd=ROOT, env=second.env, capture_output=True, text=True, timeout=120
        )
        assert finished.returncode == 1
        assert "al in gebruik" in finished.stderr and "Traceback" not in finished.stderr
    finally:
        first.stop()
