"""The Graph client: MSAL tokens off the event loop and cached, each Graph answer read as Graph means it."""

from __future__ import annotations

import json
import logging
import threading

import pytest
import pytest_asyncio
from pydantic import SecretStr

from bot.delivery import DeliveryFailed, RetryPolicy
from bot.graph import Graph, MsalTokens
from survey.reach_outcomes import NotReached
from tests.support.fake_connector import FakeConnector
from tests.support.fake_graph import CATALOG_APP_ID, FakeGraph

SECRET = "s3cret-never-logged"
AUTHORITY = "https://login.microsoftonline.com/tenant-x"
FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05, call_timeout=2.0)


class _Response:
    def __init__(self, status: int, body: dict):
        self.status_code = status
        self.text = json.dumps(body)
        self.headers = {"content-type": "application/json"}

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise RuntimeError(self.status_code)


class AzureAd:
    """What MSAL asks Azure AD (discovery, then the token), answered without a network."""

    def __init__(self, *, expires_in: int = 3600, refuse: bool = False):
        self.expires_in = expires_in
        self.refuse = refuse
        self.tokens_issued = 0
        self.threads: set[str] = set()

    def get(self, url, **_):
        if "/discovery/instance" in url:  # MSAL asks for the authority's aliases
            return _Response(200, {"metadata": []})
        return _Response(
            200,
            {
                "authorization_endpoint": f"{AUTHORITY}/oauth2/v2.0/authorize",
                "token_endpoint": f"{AUTHORITY}/oauth2/v2.0/token",
                "issuer": f"{AUTHORITY}/v2.0",
            },
        )

    def post(self, url, data=None, **_):
        self.threads.add(threading.current_thread().name)
        if self.refuse:
            return _Response(
                401, {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."}
            )
        self.tokens_issued += 1
        return _Response(
            200, {"access_token": f"token-{self.tokens_issued}", "expires_in": self.expires_in, "token_type": "Bearer"}
        )

    def close(self) -> None:
        pass


@pytest_asyncio.fixture
async def graph():
    fake = FakeGraph(FakeConnector())
    await fake.start()
    fake.add_user("aad-ann", "ann@clb.example")
    fake.add_user("aad-bert", "bert@tenant.example", "bert.alias@clb.example")
    yield fake
    await fake.stop()


def client(graph: FakeGraph, tokens: MsalTokens | None = None, catalog: str = CATALOG_APP_ID) -> Graph:
    return Graph(graph.url, tokens=tokens, catalog_app_id=catalog, teams_rate=1000, policy=FAST)


async def test_tokens_come_from_msal_in_a_thread_and_are_reused_until_they_near_expiry(graph):
    azure_ad = AzureAd()
    tokens = MsalTokens("client-x", SecretStr(SECRET), "tenant-x", http_client=azure_ad)
    graph.token = "token-1"
    api = client(graph, tokens)
    try:
        assert await api.user_id("ann@clb.example") == "aad-ann"
        assert await api.user_id("ann@clb.example") == "aad-ann"
    finally:
        await api.close()
    assert azure_ad.tokens_issued == 1
    assert threading.main_thread().name not in azure_ad.threads, "MSAL blocks: never on the event loop"

    short_lived = AzureAd(expires_in=60)  # inside the renewal margin: every call asks again
    tokens = MsalTokens("client-x", SecretStr(SECRET), "tenant-x", http_client=short_lived)
    assert [await tokens.token(), await tokens.token()] == ["token-1", "token-2"]


async def test_a_refused_token_is_missing_consent_and_the_secret_is_never_logged(graph, caplog):
    caplog.set_level(logging.DEBUG)
    tokens = MsalTokens("client-x", SecretStr(SECRET), "tenant-x", http_client=AzureAd(refuse=True))
    api = client(graph, tokens)
    try:
        with pytest.raises(DeliveryFailed) as refused:
            await api.user_id("ann@clb.example")
    finally:
        await api.close()
    assert refused.value.code is NotReached.NO_CONSENT
    assert SECRET not in caplog.text and SECRET not in repr(tokens) and SECRET not in str(refused.value)
    assert not graph.requests, "no request leaves without a token"


async def test_people_are_found_by_upn_or_else_by_e_mail(graph):
    api = client(graph)
    try:
        assert await api.user_id("ann@clb.example") == "aad-ann"
        assert await api.user_id("bert.alias@clb.example") == "aad-bert"
        with pytest.raises(DeliveryFailed) as missing:
            await api.user_id("o'brien@clb.example")
    finally:
        await api.close()
    assert missing.value.code is NotReached.NOT_FOUND


async def test_install_then_chat_and_a_second_install_is_a_409(graph):
    api = client(graph)
    try:
        assert await api.install("aad-ann") is True
        assert await api.install("aad-ann") is False
        assert await api.chat_id("aad-ann") == "personal-aad-ann"
    finally:
        await api.close()
    assert graph.installed_by_poolster["aad-ann"] == 1
    assert [r.status for r in graph.requests] == [201, 409, 200, 200]


async def test_throttling_and_5xx_are_waited_out_and_retried(graph):
    graph.throttle_every = 2
    graph.retry_after_seconds = 0
    graph.failures.extend([503])
    graph.html_pages.extend([502])
    api = client(graph)
    try:
        assert await api.user_id("ann@clb.example") == "aad-ann"
        assert await api.install("aad-ann") is True
    finally:
        await api.close()
    assert [r.status for r in graph.requests][:3] == [502, 503, 200] and 429 in [r.status for r in graph.requests]


@pytest.mark.parametrize(
    "situation, expected",
    [
        ("no consent", NotReached.NO_CONSENT),
        ("not in the catalog", NotReached.NOT_INSTALLABLE),
        ("unknown user", NotReached.NOT_INSTALLABLE),
        ("always down", NotReached.TEAMS_UNAVAILABLE),
    ],
)
async def test_an_install_that_cannot_be_done_says_why(graph, situation, expected):
    graph.consented = situation != "no consent"
    if situation == "always down":
        graph.failures.extend([503] * FAST.attempts)
    api = client(graph, catalog="another-app" if situation == "not in the catalog" else CATALOG_APP_ID)
    try:
        with pytest.raises(DeliveryFailed) as failed:
            await api.install("aad-nobody" if situation == "unknown user" else "aad-ann")
    finally:
        await api.close()
    assert failed.value.code is expected


async def test_a_chat_without_an_installation_is_not_installed(graph):
    api = client(graph)
    try:
        with pytest.raises(DeliveryFailed) as failed:
            await api.chat_id("aad-ann")
    finally:
        await api.close()
    assert failed.value.code is NotReached.NOT_INSTALLED
