"""The shared Azure Blob store, against Azurite: the DocumentStore contract, and several bot instances.

Azurite is installed (npm ci --prefix tools/azurite) and started once per session by the `azurite`
fixture (tests/support/azurite.py); each test works in a container of its own.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime, timezone

import aiohttp
import pytest
from pydantic import BaseModel

from bot.outbox import OutboxItem
from storage.base import MUST_NOT_EXIST, EtagConflict
from storage.blob import BlobStore
from storage.factory import open_store
from storage.repository import Repository, make_key
from survey.answers import Response
from survey.waves import Wave
from tests.support.azurite import ACCOUNT_KEY, azurite  # noqa: F401  (a pytest fixture)
from tests.support.content import self_scan
from tests.support.harness import MEMBERS, registry_document, write_registry
from tests.support.process import BotProcess
from tests.support.scripts import CONTEXT, SITUERING, new_card, start
from tests.support.teams import TeamsClient


class Counter(BaseModel):
    value: int = 0


def fresh_container() -> str:
    return f"t-{uuid.uuid4().hex[:16]}"


@pytest.fixture
def container() -> str:
    return fresh_container()


@pytest.fixture
async def store(azurite, container):
    opened = await BlobStore.open(azurite, container)
    yield opened
    await opened.close()


# ----- the DocumentStore contract -----------------------------------------------------------------


async def test_roundtrip_missing_keys_omitted_and_copies(store):
    await store.write({"a/1": {"x": [1], "naam": "Zoë"}, "b/1": {"y": 2}})
    found = await store.read(["a/1", "b/1", "missing", "a/1"])
    assert set(found) == {"a/1", "b/1"}, "missing keys are left out"
    assert found["a/1"]["x"] == [1] and found["a/1"]["naam"] == "Zoë"
    assert found["a/1"]["e_tag"] and found["a/1"]["e_tag"] != found["b/1"]["e_tag"]
    found["a/1"]["x"].append(2)
    assert (await store.read(["a/1"]))["a/1"]["x"] == [1], "a returned value is a copy"
    assert await store.read([]) == {}
    await store.delete(["a/1", "missing"])
    assert await store.read(["a/1"]) == {}
    assert await store.keys_with_prefix("") == ["b/1"]


async def test_etags_refuse_stale_writes(store):
    await store.write({"k": {"v": 1}})
    first = (await store.read(["k"]))["k"]
    await store.write({"k": {"v": 2, "e_tag": first["e_tag"]}})
    second = (await store.read(["k"]))["k"]
    assert second["v"] == 2 and second["e_tag"] != first["e_tag"], "every write gives a new e_tag"
    with pytest.raises(EtagConflict):
        await store.write({"k": {"v": 3, "e_tag": first["e_tag"]}})
    with pytest.raises(EtagConflict):
        await store.write({"k": {"v": 4, "e_tag": MUST_NOT_EXIST}})
    assert (await store.read(["k"]))["k"]["v"] == 2, "a refused write changes nothing"
    await store.write({"k": {"v": 5, "e_tag": "*"}})
    assert (await store.read(["k"]))["k"]["v"] == 5, '"*" overwrites'
    await store.write({"k": {"v": 6}})
    assert (await store.read(["k"]))["k"]["v"] == 6, "no e_tag overwrites"
    await store.write({"new": {"v": 1, "e_tag": MUST_NOT_EXIST}})
    assert (await store.read(["new"]))["new"]["v"] == 1, "MUST_NOT_EXIST creates"
    stale = (await store.read(["new"]))["new"]["e_tag"]
    await store.delete(["new"])
    with pytest.raises(EtagConflict):
        await store.write({"new": {"v": 2, "e_tag": stale}})
    assert await store.read(["new"]) == {}, "an e_tag of a deleted item does not bring it back"


async def test_a_write_of_several_keys_is_per_key_not_atomic(store):
    await store.write({"m/1": {"v": 1}})
    with pytest.raises(EtagConflict):
        await store.write({"m/1": {"v": 2, "e_tag": MUST_NOT_EXIST}, "m/2": {"v": 2}, "m/3": {"v": 3}})
    # Blob Storage has no multi-blob transaction: the keys without a conflict were written.
    found = await store.read(["m/1", "m/2", "m/3"])
    assert {key: item["v"] for key, item in found.items()} == {"m/1": 1, "m/2": 2, "m/3": 3}


async def test_keys_with_prefix_lists_sorted_and_exactly(store):
    keys = [make_key("responses", "w1", "clb-a", f"p{n:03d}@x.example") for n in range(40)]
    keys += [
        make_key("responses", "w10", "clb-a", "p"),
        make_key("users", "29:abc+def/ghi"),
        make_key("odd", "."),
        make_key("odd", ".."),
        make_key("odd", "ends.", "x"),
    ]
    await store.write({key: {"key": key} for key in keys})
    assert await store.keys_with_prefix("responses/w1/") == sorted(keys[:40])
    assert await store.keys_with_prefix("responses/w1") == sorted(keys[:41])
    assert await store.keys_with_prefix("") == sorted(keys)
    assert await store.keys_with_prefix("nothing/") == []
    assert await store.keys_with_prefix("odd/") == ["odd/.", "odd/..", "odd/ends./x"]
    assert await store.keys_with_prefix("odd/ends.") == ["odd/ends./x"]
    found = await store.read(keys)
    assert all(found[key]["key"] == key for key in keys), "every key round-trips exactly"
    await store.delete(keys)
    assert await store.keys_with_prefix("") == []


async def test_reads_of_many_keys(store):
    keys = [f"many/{n:04d}" for n in range(300)]
    await store.write({key: {"n": n} for n, key in enumerate(keys)})
    found = await store.read(keys + ["many/missing"])
    assert [found[key]["n"] for key in keys] == list(range(300))


async def test_fifty_concurrent_updates_are_never_lost(store):
    counters = Repository(store, "counters", Counter)

    async def increment() -> None:
        await counters.update(("c",), lambda current: Counter(value=(current.value if current else 0) + 1))

    await asyncio.gather(*(increment() for _ in range(50)))
    assert (await counters.get("c")).value == 50


async def test_two_instances_racing_on_one_key_lose_nothing(azurite, container):
    # Two BlobStore clients, as two bot instances have: only the server's ETag check keeps them honest.
    first, second = await BlobStore.open(azurite, container), await BlobStore.open(azurite, container)
    try:
        repositories = [Repository(first, "counters", Counter), Repository(second, "counters", Counter)]

        async def increment(n: int) -> None:
            await repositories[n % 2].update(("shared",), lambda c: Counter(value=(c.value if c else 0) + 1))

        await asyncio.gather(*(increment(n) for n in range(50)))
        assert (await repositories[0].get("shared")).value == 50
        assert (await repositories[1].get("shared")).value == 50
    finally:
        await first.close()
        await second.close()


async def test_health_probe_open_and_describe(azurite, container):
    store = await open_store("blob", data_dir=None, blob_connection_string=azurite, blob_container=container)
    try:
        assert isinstance(store, BlobStore)
        assert await store.check_writable()
        assert await store.keys_with_prefix("") == [], "the probe leaves nothing behind"
        description = store.describe()
        assert container in description and "devstoreaccount1" in description
        assert ACCOUNT_KEY not in description and "AccountKey" not in description
        again = await BlobStore.open(azurite, container)  # the container exists now: fine
        await again.close()
    finally:
        await store.close()


async def test_a_store_that_cannot_be_reached_is_a_clear_refusal():
    unreachable = (
        f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={ACCOUNT_KEY};"
        "BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;"
    )
    with pytest.raises(ValueError, match="niet bruikbaar") as refused:
        await BlobStore.open(unreachable, "poolster")
    assert ACCOUNT_KEY not in str(refused.value)
    with pytest.raises(ValueError, match="geen geldige"):
        await BlobStore.open("not a connection string", "poolster")
    with pytest.raises(ValueError, match="POOLSTER_BLOB_CONNECTION_STRING"):
        await BlobStore.open("", "poolster")


# ----- several bot processes on one store ---------------------------------------------------------


def bot_processes(tmp_path, connection_string: str, container: str, count: int = 2, **env: str) -> list[BotProcess]:
    """Bot processes as on separate machines: each its own data folder (only the registry), one store."""
    processes = []
    for n in range(count):
        data_dir = tmp_path / f"instance-{n}" / "data"
        write_registry(data_dir)
        processes.append(
            BotProcess(
                data_dir,
                POOLSTER_STORE="blob",
                POOLSTER_BLOB_CONNECTION_STRING=connection_string,
                POOLSTER_BLOB_CONTAINER=container,
                **env,
            )
        )
    return processes


async def start_all(processes: list[BotProcess]) -> None:
    # At the same moment: both open the store and open the default wave (only one may create it).
    await asyncio.gather(*(asyncio.to_thread(process.start, 60) for process in processes))


async def answer_alternately(clients: list[TeamsClient], user, pages: int) -> list[tuple[str, str]]:
    """Answer `pages` pages, each turn at the next instance; returns the acknowledged pages."""
    acknowledged = []
    card = await start(clients[0], user)
    for turn in range(pages):
        data = card.card["actions"][0]["data"]
        assert data.get("action") == "save_page", f"expected a page card, got {data}"
        values = SITUERING if data["page"] == "situering" else CONTEXT
        card = new_card(await clients[(turn + 1) % len(clients)].press(user, card, "Bewaar", values))
        acknowledged.append((data["unit"], data["page"]))
    return acknowledged


async def test_two_bot_processes_on_one_azurite_store_serve_the_same_users_and_wave(
    tmp_path, azurite, container, connector
):
    processes = bot_processes(tmp_path, azurite, container)
    users = MEMBERS[:3]
    try:
        await start_all(processes)
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            clients = [TeamsClient(session, process.url, connector) for process in processes]
            # Three users at once, every one of them switching instance at every turn.
            acknowledged = await asyncio.gather(
                *(
                    answer_alternately(clients if n % 2 == 0 else clients[::-1], user, pages=8)
                    for n, user in enumerate(users)
                )
            )
    finally:
        for process in processes:
            process.stop()

    store = await BlobStore.open(azurite, container)
    try:
        waves = await store.keys_with_prefix("waves/")
        responses = await Repository(store, "responses", Response).list()
    finally:
        await store.close()
    assert len(waves) == 1, f"both instances opened the default wave: {waves}"
    by_user = {response.respondent_id: response for response in responses}
    assert sorted(by_user) == sorted(user.email.lower() for user in users), "one response per user"
    for user, pages in zip(users, acknowledged, strict=False):
        response = by_user[user.email.lower()]
        missing = [page for page in pages if not response.is_page_answered(self_scan(), *page)]
        assert not missing, f"{user.name}: acknowledged by one instance, lost by the other: {missing}"
        assert len(set(pages)) == 8 and response.revision >= 8
    for process in processes:
        assert '"level": "error"' not in process.log_path.read_text(), process.log_path.read_text()[-2000:]


# ----- one outbox, drained by two processes at once ------------------------------------------------


def big_registry(extra_members: int) -> dict:
    document = registry_document()
    document["centres"].append(
        {
            "id": "clb-groot",
            "name": "GO! CLB Groot",
            "director": {"name": "Gert Groot", "email": "gert@clb-groot.example", "aad_object_id": "aad-gert"},
            "members": [
                {"name": f"Lid {n}", "email": f"lid{n}@clb-groot.example", "aad_object_id": f"aad-lid-{n}"}
                for n in range(extra_members)
            ],
        }
    )
    return document


def invitations(connector) -> list[str]:
    return [call.conversation_id for call in connector.sends() if call.card and "Je bent uitgenodigd" in str(call.card)]


async def test_two_processes_draining_one_outbox_never_send_an_invitation_twice(
    tmp_path, azurite, container, connector
):
    document = big_registry(extra_members=64)
    people = [
        (centre["id"], person) for centre in document["centres"] for person in (centre["director"], *centre["members"])
    ]
    now = datetime.now(timezone.utc)
    store = await BlobStore.open(azurite, container)
    try:
        wave = Wave(id="ronde-gedeeld", name="Gedeelde ronde", status="open", created_at=now, launched_at=now)
        await Repository(store, "waves", Wave).put(wave, wave.id)
        outbox = Repository(store, "outbox", OutboxItem)
        for centre_id, person in people:
            key = person["email"].lower()
            await outbox.create(
                OutboxItem(wave_id=wave.id, purpose="invite", centre_id=centre_id, person_key=key, updated_at=now),
                wave.id,
                f"invite--{key}",
            )
    finally:
        await store.close()

    # A slow Teams (429 + Retry-After) keeps sends in flight, so the two drains surely overlap.
    connector.enforce_limits = True
    connector.per_app_limit = 40
    connector.retry_after_seconds = 1
    processes = bot_processes(
        tmp_path, azurite, container, POOLSTER_DEFAULT_WAVE="false", POOLSTER_DEFAULT_SERVICE_URL=connector.url
    )
    for process in processes:
        write_registry(process.data_dir, document)
    store = await BlobStore.open(azurite, container)
    try:
        # Both start at once, and each resumes the wave's outbox at start-up.
        await start_all(processes)
        outbox = Repository(store, "outbox", OutboxItem)
        deadline = time.monotonic() + 45
        quiet_since, seen = time.monotonic(), -1
        while time.monotonic() < deadline:
            items = await outbox.list(wave.id)
            if len(connector.calls) != seen:
                quiet_since, seen = time.monotonic(), len(connector.calls)
            if all(item.status in ("sent", "failed") for item in items) and time.monotonic() - quiet_since > 2.5:
                break
            await asyncio.sleep(0.2)
        items = await outbox.list(wave.id)
    finally:
        await store.close()
        for process in processes:
            process.stop()

    assert [item.person_key for item in items if item.status != "sent"] == [], "every invitation was sent"
    sent = invitations(connector)
    doubles = sorted({conversation for conversation in sent if sent.count(conversation) > 1})
    assert not doubles, f"{len(doubles)} people were invited twice: {doubles[:5]}"
    assert len(sent) == len(people)
    claimers = {item.claimed_by for item in items}
    assert len(claimers) == 2, f"both instances took part in the drain: {claimers}"
