"""Shared fixtures: a fake Teams connector, a data folder with a registry, the running bot.

Every card the bot sends to the fake connector (new messages and updates) is validated at the end
of each test as Adaptive Card 1.5 for Teams, under 40 KB.
"""

from __future__ import annotations

import aiohttp
import pytest
import pytest_asyncio

from tests.support.cardcheck import CardValidator
from tests.support.fake_connector import FakeConnector
from tests.support.harness import EVERYONE, start_bot, write_registry
from tests.support.teams import TeamsClient
from tests.support.tokens import APP_ID, OfflineCredentialsFactory, signing_keys


@pytest.fixture(scope="session")
def card_validator():
    validator = CardValidator()
    yield validator
    validator.close()


@pytest_asyncio.fixture
async def connector(card_validator):
    fake = FakeConnector()
    await fake.start()
    for user in EVERYONE:
        fake.add_member(user.as_member())
    yield fake
    await fake.stop()
    for call in fake.calls:
        if call.card is not None:
            card_validator.assert_valid(call.card)


@pytest.fixture
def data_dir(tmp_path):
    folder = tmp_path / "data"
    write_registry(folder)
    return folder


@pytest_asyncio.fixture
async def bot(data_dir, connector):
    running = await start_bot(data_dir)
    yield running
    await running.poolster.summaries.idle()
    await running.stop()


@pytest_asyncio.fixture
async def teams(bot, connector):
    async with aiohttp.ClientSession() as session:
        yield TeamsClient(session, bot.url, connector)


@pytest_asyncio.fixture
async def secure(data_dir, connector):
    """The bot with authentication on (an app id and the test signing keys), and a client for it."""
    running = await start_bot(
        data_dir,
        app_id=APP_ID,
        app_password="not-used",
        build={"signing_keys": signing_keys(), "credentials_factory": OfflineCredentialsFactory()},
    )
    async with aiohttp.ClientSession() as session:
        yield running, TeamsClient(session, running.url, connector)
    await running.stop()
