"""Shared fixtures: a fake Teams connector, a data folder with a registry, the running bot."""

from __future__ import annotations

import aiohttp
import pytest
import pytest_asyncio

from tests.support.fake_connector import FakeConnector
from tests.support.harness import EVERYONE, start_bot, write_registry
from tests.support.teams import TeamsClient


@pytest_asyncio.fixture
async def connector():
    fake = FakeConnector()
    await fake.start()
    for user in EVERYONE:
        fake.add_member(user.as_member())
    yield fake
    await fake.stop()


@pytest.fixture
def data_dir(tmp_path):
    folder = tmp_path / "data"
    write_registry(folder)
    return folder


@pytest_asyncio.fixture
async def bot(data_dir, connector):
    running = await start_bot(data_dir)
    yield running
    await running.stop()


@pytest_asyncio.fixture
async def teams(bot, connector):
    async with aiohttp.ClientSession() as session:
        yield TeamsClient(session, bot.url, connector)
