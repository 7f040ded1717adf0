"""Connector and user-token clients are built once per app id and service URL, not once per turn."""

from __future__ import annotations

import socket
import threading
from types import SimpleNamespace

import pytest
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, ErrorResponseException
from botframework.connector.auth import ClaimsIdentity, ConnectorFactory
from msrest.exceptions import ClientRequestError
from msrest.pipeline import SansIOHTTPPolicy

from bot.config import Settings
from bot.connectors import AiohttpSender, reuse_connector_clients


class Credentials:
    """Like MicrosoftAppCredentials: get_access_token blocks on Azure AD when its cache is cold."""

    microsoft_app_id = "app-1"

    def __init__(self):
        self.fetched_on: list[int] = []

    def get_access_token(self, force_refresh: bool = False) -> str:
        self.fetched_on.append(threading.get_ident())
        return "token"


class CountingFactory(ConnectorFactory):
    def __init__(self, built: list):
        self.built = built

    async def create(self, service_url: str, audience: str = None):
        self.built.append((service_url, audience))
        return SimpleNamespace(
            service_url=service_url,
            config=SimpleNamespace(
                credentials=Credentials(),
                user_agent_policy=SansIOHTTPPolicy(),
                http_logger_policy=SansIOHTTPPolicy(),
                pipeline=None,
            ),
        )


class FakeAuthentication:
    """The three methods of BotFrameworkAuthentication that botbuilder calls on every turn."""

    def __init__(self):
        self.connectors, self.token_clients, self.refuse = [], 0, False

    async def authenticate_request(self, activity, auth_header):
        if self.refuse:
            raise PermissionError("bad token")
        identity = ClaimsIdentity({"aud": "app-1"}, True)
        return SimpleNamespace(
            claims_identity=identity,
            connector_factory=CountingFactory(self.connectors),
            audience="https://api.botframework.com",
            caller_id=None,
        )

    def create_connector_factory(self, claims_identity):
        return CountingFactory(self.connectors)

    async def create_user_token_client(self, claims_identity):
        self.token_clients += 1
        return object()


async def turn(authentication, service_url: str):
    result = await authentication.authenticate_request(None, "Bearer x")
    client = await result.connector_factory.create(service_url, result.audience)
    token_client = await authentication.create_user_token_client(result.claims_identity)
    return client, token_client


async def test_turns_share_one_client_per_service_url_and_proactive_sends_too():
    authentication = FakeAuthentication()
    reuse_connector_clients(authentication)
    first, token_first = await turn(authentication, "https://smba.example/emea/")
    second, token_second = await turn(authentication, "https://smba.example/emea/")
    assert first is second and token_first is token_second
    other, _ = await turn(authentication, "https://smba.example/amer/")
    assert other is not first
    proactive = await authentication.create_connector_factory(ClaimsIdentity({"aud": "app-1"}, True)).create(
        "https://smba.example/emea/", "https://api.botframework.com"
    )
    assert proactive is first
    assert len(authentication.connectors) == 2 and authentication.token_clients == 1
    assert isinstance(first.config.pipeline._sender, AiohttpSender), "no requests, no thread, no urllib3 retries"


async def test_a_refused_token_is_still_refused():
    authentication = FakeAuthentication()
    reuse_connector_clients(authentication)
    authentication.refuse = True
    with pytest.raises(PermissionError):
        await authentication.authenticate_request(None, "Bearer forged")
    assert authentication.connectors == []


async def test_tokens_are_fetched_and_refreshed_in_a_thread_never_on_the_event_loop():
    authentication = FakeAuthentication()
    clients = reuse_connector_clients(authentication)
    client, _ = await turn(authentication, "https://smba.example/emea/")
    await clients.refresh_tokens()
    loop_thread = threading.get_ident()
    assert len(client.config.credentials.fetched_on) == 2
    assert loop_thread not in client.config.credentials.fetched_on


async def test_azure_ad_out_of_reach_does_not_refuse_the_incoming_turn():
    authentication = FakeAuthentication()
    clients = reuse_connector_clients(authentication)

    def unreachable(force_refresh: bool = False) -> str:
        raise ConnectionError("login.microsoftonline.com unreachable")

    Credentials.get_access_token, working = unreachable, Credentials.get_access_token
    try:
        client, _ = await turn(authentication, "https://smba.example/emea/")
        await clients.refresh_tokens()  # logged, not raised
    finally:
        Credentials.get_access_token = working
    assert client.service_url == "https://smba.example/emea/"


async def test_teams_calls_over_aiohttp_keep_what_call_teams_reads_from_errors(connector):
    """Status, Retry-After and connection failures look as they did with msrest's requests sender."""
    authentication = ConfigurationBotFrameworkAuthentication(Settings().bot_framework_config())
    clients = reuse_connector_clients(authentication)
    factory = authentication.create_connector_factory(ClaimsIdentity({}, True))
    try:
        client = await factory.create(connector.url, "https://api.botframework.com")
        sent = await client.conversations.send_to_conversation("chat-1", Activity(type="message", text="hallo"))
        assert sent.id and connector.sends("chat-1")[0].text == "hallo"

        connector.retry_after_seconds = 3
        connector.failures.append(429)
        with pytest.raises(ErrorResponseException) as throttled:
            await client.conversations.send_to_conversation("chat-1", Activity(type="message", text="nog eens"))
        assert throttled.value.response.status_code == 429
        assert throttled.value.response.headers.get("Retry-After") == "3"

        with socket.socket() as closed:
            closed.bind(("127.0.0.1", 0))
            nobody = f"http://127.0.0.1:{closed.getsockname()[1]}/"
        unreachable = await factory.create(nobody, "https://api.botframework.com")
        with pytest.raises(ClientRequestError):
            await unreachable.conversations.send_to_conversation("chat-1", Activity(type="message", text="hallo"))
    finally:
        await clients.close()
