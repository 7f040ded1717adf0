"""A wave to 500 people of whom none has Poolster installed and 200 are known by e-mail only, through
the fake Graph and the fake Teams connector with their bad days: everyone who exists is reached once,
the others are reported with the reason; and the same when the bot is killed (-9) in the middle."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass

import aiohttp
import pytest_asyncio

from bot.outbox import OutboxItem
from storage.factory import open_store
from storage.repository import Repository
from survey.reach_outcomes import NotReached
from tests.support.fake_graph import CATALOG_APP_ID, FakeGraph
from tests.support.harness import ADMIN, start_bot, write_registry
from tests.support.process import BotProcess
from tests.support.scripts import new_card
from tests.support.teams import TeamsClient

CENTRES, PER_CENTRE = 50, 10


@dataclass
class Tenant:
    document: dict
    reached: set[str]  # AAD object ids that must get the invitation
    not_reached: dict[str, NotReached]  # e-mail -> why not


def build_tenant(graph: FakeGraph, connector) -> Tenant:
    """500 people in 50 centres: 300 with an AAD id in the registry, 200 with only an e-mail (50 of
    whom are not in the tenant, 50 whose e-mail is not their UPN); 5 blocked Poolster, 5 have it
    disabled by their administrator."""
    centres, reached, not_reached = [], set(), {}
    for c in range(CENTRES):
        people = []
        for m in range(PER_CENTRE):
            n = c * PER_CENTRE + m
            email, aad = f"p{n}@clb{c}.example", f"aad-{n}"
            with_id = n % 5 < 3
            people.append({"name": f"Persoon {n}", "email": email, **({"aad_object_id": aad} if with_id else {})})
            if not with_id and n % 10 == 3:
                not_reached[email] = NotReached.NOT_FOUND  # people the tenant does not know
                continue
            graph.add_user(aad, f"u{n}@tenant.example" if not with_id and n % 10 == 4 else email, email)
            if n % 100 == 5:
                connector.refuse(aad, "ConversationBlockedByUser")
                not_reached[email] = NotReached.BLOCKED
            elif n % 100 == 6:
                connector.refuse(aad, "BotDisabledByAdmin")
                not_reached[email] = NotReached.DISABLED_BY_ADMIN
            else:
                reached.add(aad)
        centres.append({"id": f"clb-{c}", "name": f"GO! CLB {c}", "director": people[0], "members": people[1:]})
    connector.installed = {ADMIN.aad_object_id}
    return Tenant({"centres": centres}, reached, not_reached)


def bad_days(graph: FakeGraph, connector) -> None:
    graph.throttle_every = 97
    graph.failures.extend([503, 500, 504])
    graph.html_pages.extend([502])
    connector.html_pages.extend([502, 502])
    connector.failures.extend([503, 429])
    connector.retry_after_seconds = 1


def invitations(connector) -> Counter:
    return Counter(
        c.conversation_id.removeprefix("personal-")
        for c in connector.sends()
        if c.card and "uitgenodigd" in str(c.card) and c.conversation_id != ADMIN.conversation_id
    )


def failed(items: list[OutboxItem]) -> dict[str, NotReached]:
    return {i.person_key: NotReached(i.reason) for i in items if i.status == "failed"}


@pytest_asyncio.fixture
async def graph(connector):
    fake = FakeGraph(connector)
    await fake.start()
    yield fake
    await fake.stop()


async def launch(session, url: str, connector) -> None:
    teams = TeamsClient(session, url, connector)
    await teams.say(ADMIN, "hallo")
    card = new_card(await teams.say(ADMIN, "nieuwe ronde Zelfscan 2027 tot 15-06-2027"))
    assert "500 personen" in str(card.card)
    await teams.press(ADMIN, card, "Lanceer")


async def test_a_wave_to_500_people_who_never_met_poolster(tmp_path, connector, graph):
    tenant = build_tenant(graph, connector)
    bad_days(graph, connector)
    data_dir = tmp_path / "data"
    write_registry(data_dir, tenant.document)
    running = await start_bot(
        data_dir,
        default_wave=False,
        default_service_url=connector.url,
        use_graph=True,
        catalog_app_id=CATALOG_APP_ID,
        graph_endpoint=graph.url,
        graph_teams_rate=1000,
    )
    try:
        async with aiohttp.ClientSession() as session:
            await launch(session, running.url, connector)
        await running.poolster.outbox.idle()
        items = await running.poolster.outbox.items.list()
    finally:
        await running.stop()

    assert invitations(connector) == Counter({aad: 1 for aad in tenant.reached}), "everyone who exists, once"
    assert failed(items) == tenant.not_reached
    assert set(graph.installed_by_poolster.values()) == {1}, "nobody installed twice"
    assert len(graph.installed_by_poolster) == len(tenant.reached) + 10
    report = [c for c in connector.sends(ADMIN.conversation_id) if c.card and "Lancering" in str(c.card)]
    assert report, "POC+ got the launch report"


async def test_the_same_wave_survives_kill_minus_nine_in_the_middle(tmp_path, connector, graph):
    tenant = build_tenant(graph, connector)
    bad_days(graph, connector)
    data_dir = tmp_path / "data"
    write_registry(data_dir, tenant.document)
    bot = BotProcess(
        data_dir,
        POOLSTER_DEFAULT_WAVE="false",
        POOLSTER_DEFAULT_SERVICE_URL=connector.url,
        POOLSTER_GRAPH="true",
        POOLSTER_CATALOG_APP_ID=CATALOG_APP_ID,
        POOLSTER_GRAPH_ENDPOINT=graph.url,
        POOLSTER_GRAPH_TEAMS_RATE="1000",
    ).start()
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as session:
            await launch(session, bot.url, connector)
        await until(lambda: len(invitations(connector)) >= 150)
        bot.kill()
        assert len(invitations(connector)) < len(tenant.reached), "the kill happened in the middle of the launch"
        bot.start()
        await until(lambda: set(invitations(connector)) >= tenant.reached)
    finally:
        bot.stop()
    store = await open_store("embedded", data_dir=data_dir)
    try:
        items = await Repository(store, "outbox", OutboxItem).list()
    finally:
        await store.close()

    sent = invitations(connector)
    assert set(sent) == tenant.reached, "nobody skipped, nobody who does not exist"
    # Delivery is at least once: only a send in flight at the moment of the kill can be repeated.
    assert sum(sent.values()) - len(sent) <= 3, sent.most_common(5)
    assert failed(items) == tenant.not_reached
    assert all(item.status in ("sent", "failed") for item in items)
    assert set(graph.installed_by_poolster.values()) == {1}, "nobody installed twice"


async def until(condition, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.1)
