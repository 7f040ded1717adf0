"""kill -9 at random moments while a user answers: every acknowledged answer survives."""

from __future__ import annotations

import asyncio
import os
import random

import aiohttp
import pytest

from storage.embedded import EmbeddedStorage
from storage.repository import Repository
from survey.answers import Response
from tests.support.content import self_scan
from tests.support.harness import MEMBERS, write_registry
from tests.support.process import BotProcess
from tests.support.scripts import CONTEXT, SITUERING, new_card
from tests.support.teams import TeamsClient

MO = MEMBERS[0]
ROUNDS = int(os.environ.get("POOLSTER_CRASH_ROUNDS", "8"))


async def answer_until_killed(
    teams: TeamsClient, acknowledged: list[tuple[str, str]], kill_after: float, bot: BotProcess
) -> None:
    """Answer page after page; record each page whose save the bot acknowledged (HTTP 201)."""
    killer = asyncio.get_running_loop().call_later(kill_after, bot.kill)
    try:
        card = new_card(await teams.say(MO, "verder"))
        while True:
            data = card.card["actions"][0]["data"]
            if data.get("action") != "save_page":
                return
            values = SITUERING if data["page"] == "situering" else CONTEXT
            calls = await teams.press(MO, card, "Bewaar", values)
            acknowledged.append((data["unit"], data["page"]))
            card = new_card(calls)
    except (TimeoutError, aiohttp.ClientError, AssertionError):
        return
    finally:
        killer.cancel()


@pytest.mark.parametrize("seed", [11])
async def test_acknowledged_answers_survive_kill_minus_nine(tmp_path, connector, seed):
    data_dir = tmp_path / "data"
    write_registry(data_dir)
    rng = random.Random(seed)
    acknowledged: list[tuple[str, str]] = []
    bot = BotProcess(data_dir)
    async with aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=10), connector=aiohttp.TCPConnector(force_close=True)
    ) as session:
        for _ in range(ROUNDS):
            bot.start()
            teams = TeamsClient(session, bot.url, connector)
            await answer_until_killed(teams, acknowledged, rng.uniform(0.02, 0.2), bot)
            bot.kill()
        bot.start()
        try:
            teams = TeamsClient(session, bot.url, connector)
            await teams.say(MO, "voortgang")
        finally:
            bot.stop()

    store = await EmbeddedStorage.open(data_dir)
    try:
        responses = await Repository(store, "responses", Response).list()
    finally:
        await store.close()
    assert len(responses) == 1
    response = responses[0]
    assert acknowledged, "the scripted user got at least one answer in"
    missing = [page for page in acknowledged if not response.is_page_answered(self_scan(), *page)]
    assert not missing, f"acknowledged but lost after kill -9: {missing}"
    assert response.revision >= len(set(acknowledged))
