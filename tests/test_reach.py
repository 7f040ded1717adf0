"""Reaching every person of the registry in a real tenant: found by e-mail in Graph, Poolster installed
for them, their chat from Graph; and when someone is not reached, the reason Teams or Graph gave."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest_asyncio

from bot.config import Settings
from survey.reach_outcomes import NotReached, explain
from tests.support.fake_graph import CATALOG_APP_ID, FakeGraph
from tests.support.harness import ADMIN, start_bot, write_registry
from tests.support.process import ROOT
from tests.support.scripts import new_card
from tests.support.teams import TeamsClient, TeamsUser

# (name, e-mail, AAD object id in the registry, AAD object id in the tenant: None = not in the tenant)
PEOPLE = {
    "dirk": ("Dirk Directeur", "dirk@clb-noord.example", "aad-dirk", "aad-dirk"),
    "ann": ("Ann Alleen-mail", "ann@clb-noord.example", None, "aad-ann"),
    "bert": ("Bert Alias", "bert.alias@clb-noord.example", None, "aad-bert"),  # e-mail is not his UPN
    "cas": ("Cas Geblokkeerd", "cas@clb-noord.example", None, "aad-cas"),
    "dora": ("Dora Uitgeschakeld", "dora@clb-noord.example", "aad-dora", "aad-dora"),
    "eva": ("Eva Vertrokken", "eva@clb-noord.example", None, None),
    "fien": ("Fien Had-het-al", "fien@clb-noord.example", None, "aad-fien"),
}


def registry(people: dict = PEOPLE) -> dict:
    def person(key: str) -> dict:
        name, email, registry_id, _ = people[key]
        return {"name": name, "email": email, **({"aad_object_id": registry_id} if registry_id else {})}

    keys = list(people)
    return {
        "centres": [
            {
                "id": "clb-noord",
                "name": "GO! CLB Noord",
                "director": person(keys[0]),
                "members": [person(key) for key in keys[1:]],
            }
        ]
    }


def invitations(connector) -> dict[str, int]:
    """AAD object id -> invitations its 1:1 chat received."""
    counts: dict[str, int] = {}
    for call in connector.sends():
        if call.card and "uitgenodigd" in str(call.card) and call.conversation_id.startswith("personal-aad-"):
            owner = call.conversation_id.removeprefix("personal-")
            counts[owner] = counts.get(owner, 0) + 1
    return counts


def reasons(items) -> dict[str, str]:
    return {item.person_key: item.reason for item in items if item.status == "failed"}


@pytest_asyncio.fixture
async def graph(connector):
    fake = FakeGraph(connector)
    await fake.start()
    for _, email, _, tenant_id in PEOPLE.values():
        if tenant_id:
            upn = "bert@clb-noord.example" if tenant_id == "aad-bert" else email
            fake.add_user(tenant_id, upn, email)
    yield fake
    await fake.stop()


async def run_bot(tmp_path: Path, connector, graph: FakeGraph | None, document: dict | None = None):
    data_dir = tmp_path / "data"
    write_registry(data_dir, document or registry())
    graph_settings = (
        dict(use_graph=True, catalog_app_id=CATALOG_APP_ID, graph_endpoint=graph.url, graph_teams_rate=500)
        if graph
        else {}
    )
    return await start_bot(data_dir, default_wave=False, default_service_url=connector.url, **graph_settings)


async def launch(running, connector) -> None:
    async with aiohttp.ClientSession() as session:
        teams = TeamsClient(session, running.url, connector)
        await teams.say(ADMIN, "hallo")
        card = new_card(await teams.say(ADMIN, "nieuwe ronde Zelfscan 2027 tot 15-06-2027"))
        await teams.press(ADMIN, card, "Lanceer")
        await running.poolster.outbox.idle()


async def test_a_launch_with_only_e_mails_reaches_everyone_who_exists_and_says_why_not(tmp_path, connector, graph):
    connector.installed = {ADMIN.aad_object_id}  # nobody but POC+ has Poolster yet...
    graph.preinstall("aad-fien")  # ...but Fien, who installed it herself
    connector.refuse("aad-cas", "ConversationBlockedByUser")
    connector.refuse("aad-dora", "BotDisabledByAdmin")
    graph.throttle_every = 7
    graph.failures.extend([503, 500])
    graph.html_pages.append(502)
    connector.html_pages.append(502)
    running = await run_bot(tmp_path, connector, graph)
    try:
        await launch(running, connector)
        items = await running.poolster.outbox.items.list()
    finally:
        await running.stop()

    assert invitations(connector) == {"aad-dirk": 1, "aad-ann": 1, "aad-bert": 1, "aad-fien": 1}
    assert reasons(items) == {
        "cas@clb-noord.example": NotReached.BLOCKED.value,
        "dora@clb-noord.example": NotReached.DISABLED_BY_ADMIN.value,
        "eva@clb-noord.example": NotReached.NOT_FOUND.value,
    }
    # Installed by Poolster once each; Fien had it already (409), so nobody was installed twice.
    assert dict(graph.installed_by_poolster) == {
        "aad-dirk": 1,
        "aad-ann": 1,
        "aad-bert": 1,
        "aad-cas": 1,
        "aad-dora": 1,
    }
    assert graph.posts("aad-fien") == 1 and {r.status for r in graph.requests if r.status >= 400} >= {
        429,
        500,
        502,
        503,
        409,
    }
    # POC+ gets the launch report in their chat, and each reason has a Dutch explanation.
    report = [c for c in connector.sends(ADMIN.conversation_id) if c.card and "Lancering" in str(c.card)]
    assert report, "POC+ got the launch report"
    shown = str(report[-1].card)
    for code in (NotReached.BLOCKED, NotReached.DISABLED_BY_ADMIN, NotReached.NOT_FOUND):
        # (A reason's title opens its line, capitalised.)
        assert explain(code.value)[0].lower() in shown.lower() and code.value not in shown, code


async def test_what_graph_told_is_remembered_and_asked_again_when_it_no_longer_holds(tmp_path, connector, graph):
    connector.installed = {ADMIN.aad_object_id}
    running = await run_bot(tmp_path, connector, graph)
    try:
        await launch(running, connector)
        asked = len(graph.requests)
        # Ann removes Poolster: her remembered chat now refuses messages.
        graph.installations.pop("aad-ann")
        connector.installed.discard("aad-ann")
        await reminders(running)
        items = [i for i in await running.poolster.outbox.items.list() if i.purpose.startswith("reminder")]
    finally:
        await running.stop()
    assert all(item.status == "sent" for item in items if item.person_key != "eva@clb-noord.example")
    later = graph.requests[asked:]
    # Only Ann is looked at again (found, installed anew, her chat found); Eva, not found before, is asked again.
    assert {who(r.path) for r in later} == {"ann@clb-noord.example", "aad-ann", "eva@clb-noord.example", "(by e-mail)"}
    assert graph.installed_by_poolster["aad-ann"] == 2


def who(path: str) -> str:
    """The user a Graph request was about: /v1.0/users/<who>/..., or a search by e-mail."""
    parts = path.split("/")
    return parts[3] if len(parts) > 3 else "(by e-mail)"


async def reminders(running) -> None:
    wave = (await running.poolster.services.waves.list())[0]
    people = [(c.id, p) for c in running.poolster.services.registry.centres for p in c.people]
    await running.poolster.fanout.send(wave, "reminder-manual-1", people, None)
    await running.poolster.outbox.idle()


async def test_without_graph_nobody_is_called_blocked_who_did_not_block(tmp_path, connector):
    connector.installed = {ADMIN.aad_object_id, "aad-dirk"}  # a setup policy installed Poolster for Dirk only
    running = await run_bot(tmp_path, connector, None)
    try:
        await launch(running, connector)
        items = await running.poolster.outbox.items.list()
    finally:
        await running.stop()
    assert invitations(connector) == {"aad-dirk": 1}
    found = reasons(items)
    assert found["dora@clb-noord.example"] == NotReached.NOT_INSTALLED.value  # an id, but no Poolster
    assert found["ann@clb-noord.example"] == NotReached.NO_IDENTITY.value  # only an e-mail, no Graph
    assert NotReached.BLOCKED.value not in found.values()


async def test_graph_without_admin_consent_is_reported_as_such(tmp_path, connector, graph):
    graph.consented = False
    running = await run_bot(tmp_path, connector, graph)
    try:
        await launch(running, connector)
        items = await running.poolster.outbox.items.list()
    finally:
        await running.stop()
    assert set(reasons(items).values()) == {NotReached.NO_CONSENT.value}
    assert len(reasons(items)) == len(PEOPLE)


async def test_graph_without_a_catalog_id_only_finds_people_and_teams_opens_their_chat(tmp_path, connector, graph):
    connector.installed = {ADMIN.aad_object_id, "aad-ann", "aad-dirk"}  # installed by a setup policy
    data_dir = tmp_path / "data"
    write_registry(data_dir, registry())
    running = await start_bot(
        data_dir, default_wave=False, default_service_url=connector.url, use_graph=True, graph_endpoint=graph.url
    )
    try:
        await launch(running, connector)
        items = await running.poolster.outbox.items.list()
    finally:
        await running.stop()
    assert invitations(connector) == {"aad-dirk": 1, "aad-ann": 1}
    assert not [r for r in graph.requests if "teamwork" in r.path], "nothing installed without a catalog id"
    assert reasons(items)["bert.alias@clb-noord.example"] == NotReached.NOT_INSTALLED.value
    assert reasons(items)["eva@clb-noord.example"] == NotReached.NOT_FOUND.value


async def test_a_message_too_big_for_teams_is_said_so(tmp_path, connector):
    connector.refuse("aad-dirk", "MessageSizeTooBig")
    running = await run_bot(tmp_path, connector, None, registry({"dirk": PEOPLE["dirk"]}))
    try:
        await launch(running, connector)
        items = await running.poolster.outbox.items.list()
    finally:
        await running.stop()
    assert reasons(items) == {"dirk@clb-noord.example": NotReached.TOO_BIG.value}


async def test_teams_codes_are_classified_as_teams_means_them(tmp_path, connector):
    codes = {
        "BotNotInConversationRoster": NotReached.NOT_INSTALLED,
        "ConversationBlockedByUser": NotReached.BLOCKED,
        "BotDisabledByAdmin": NotReached.DISABLED_BY_ADMIN,
        "ConversationNotFound": NotReached.NOT_FOUND,
        "ForbiddenOperationException": NotReached.NOT_INSTALLED,
    }
    people = {code: (code, f"{code.lower()}@clb-noord.example", f"aad-{code}", f"aad-{code}") for code in codes}
    for code in codes:
        connector.refuse(f"aad-{code}", code)
    running = await run_bot(tmp_path, connector, None, registry(people))
    try:
        await launch(running, connector)
        items = await running.poolster.outbox.items.list()
    finally:
        await running.stop()
    assert reasons(items) == {f"{code.lower()}@clb-noord.example": expected.value for code, expected in codes.items()}


async def test_an_html_error_page_is_retried_by_its_status_and_the_user_gets_the_next_card(teams, connector):
    member = TeamsUser("Mo Medewerker", "mo.medewerker@clb-demo.example", "aad-mo")
    connector.html_pages.extend([502, 503])
    calls = await teams.say(member, "hallo")
    assert new_card(calls).card, "the reply arrived after the proxy's error pages"
    assert [status for _, status in connector.rejections] == [502, 503]
    connector.html_pages.append(400)
    assert await teams.say(member, "hallo") == [], "a 400 page is a refusal: not retried, and no crash"
    assert connector.rejections[-1][1] == 400


def test_graph_settings_come_from_the_environment_and_a_missing_tenant_is_said_in_dutch():
    settings = Settings.from_env(
        {
            "POOLSTER_GRAPH": "true",
            "POOLSTER_CATALOG_APP_ID": CATALOG_APP_ID,
            "POOLSTER_GRAPH_ENDPOINT": "http://127.0.0.1:1/v1.0",
            "POOLSTER_GRAPH_TEAMS_RATE": "10",
        }
    )
    assert (settings.use_graph, settings.catalog_app_id, settings.graph_endpoint, settings.graph_teams_rate) == (
        True,
        CATALOG_APP_ID,
        "http://127.0.0.1:1/v1.0",
        10.0,
    )
    assert settings.graph_mode == "lookup and install"
    assert Settings.from_env({"POOLSTER_GRAPH": "true"}).graph_mode.startswith("lookup only")
    assert Settings.from_env({}).graph_mode == "off"
    result = subprocess.run(
        [sys.executable, "app.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "POOLSTER_GRAPH": "true", "MicrosoftAppId": "app-id", "MicrosoftAppTenantId": ""},
    )
    assert result.returncode == 1
    assert "Poolster start niet" in result.stderr and "MicrosoftAppTenantId" in result.stderr
    assert "Traceback" not in result.stderr
