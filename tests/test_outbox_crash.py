"""kill -9 in the middle of a launch: after the restart the wave is finished, nobody skipped."""

from __future__ import annotations

import asyncio
import time

import aiohttp

from tests.support.harness import ADMIN, EVERYONE, write_registry
from tests.support.process import BotProcess
from tests.support.scripts import new_card
from tests.support.teams import TeamsClient


def invitations(connector) -> list[str]:
    return [
        c.conversation_id
        for c in connector.sends()
        if c.card and "Je bent uitgenodigd" in str(c.card) and c.conversation_id != ADMIN.conversation_id
    ]


async def test_a_launch_survives_kill_minus_nine(tmp_path, connector):
    data_dir = tmp_path / "data"
    write_registry(data_dir)
    connector.enforce_limits = True
    connector.per_app_limit = 2  # slow Teams down so the kill lands in the middle of the launch
    connector.retry_after_seconds = 1
    invited = [
        u for u in EVERYONE if u not in (ADMIN,) and u.email.endswith(("clb-demo.example", "clb-andere.example"))
    ]
    bot = BotProcess(data_dir, POOLSTER_DEFAULT_WAVE="false", POOLSTER_DEFAULT_SERVICE_URL=connector.url).start()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as session:
        teams = TeamsClient(session, bot.url, connector)
        await teams.say(ADMIN, "hallo")
        card = new_card(await teams.say(ADMIN, "nieuwe ronde Zelfscan 2027 tot 15-06-2027"))
        await teams.press(ADMIN, card, "Lanceer")
        await asyncio.sleep(1.0)
        bot.kill()
        before = set(invitations(connector))
        assert len(before) < len(invited), "the kill happened before the launch was finished"
        bot.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            sends = invitations(connector)
            if len(set(sends)) == len(invited):
                break
            await asyncio.sleep(0.5)
        bot.stop()
    assert len(set(sends)) == len(invited), "nobody skipped"
    duplicates = len(sends) - len(set(sends))
    # Delivery is at least once: only a send in flight at the moment of the kill can be repeated.
    assert duplicates <= 1, f"{duplicates} invitations were sent twice"
