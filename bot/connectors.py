"""Reuse connector and user-token clients across turns.

botbuilder builds, for every incoming activity, a new connector client and a new user-token client,
each with a new msrest configuration and `requests` session (msrest's retry policy alone builds a
thousand-element list): about 12 ms of CPU per turn together, a third of a turn's cost, and no
reuse of open connections. A client for one app id, service URL and audience can serve every turn;
its credentials refresh their own token. Its own retries are switched off (see `create`). Poolster
uses no OAuth prompts, but the turn context wants a user-token client: one per app id serves them all.

The clients' credentials fetch their token from Azure AD synchronously (MSAL, on first use and when it
expires), inside msrest's pipeline on the event loop: every turn would wait on that network call.
So a new client's token is fetched in a thread before the client is handed out, and
`refresh_tokens` (every minute) keeps the cached tokens fresh from a thread, so the loop only ever
reads MSAL's cache. A failed fetch is logged and left to the send, which retries: it must not turn
an incoming message into a refused request.
"""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

import aiohttp
from botframework.connector.auth import BotFrameworkAuthentication, ClaimsIdentity, ConnectorFactory
from msrest.exceptions import ClientRequestError
from msrest.pipeline import AsyncPipeline, Response, SansIOHTTPPolicy
from msrest.pipeline.async_abc import AsyncHTTPSender
from msrest.pipeline.universal import RawDeserializer
from msrest.universal_http.aiohttp import AioHttpClientResponse

log = logging.getLogger("poolster.connectors")


def _fetch_token(client) -> None:
    """Blocking: have the client's credentials hold a valid token (no-op without an app id)."""
    credentials = getattr(client.config, "credentials", None)
    if credentials is not None and getattr(credentials, "microsoft_app_id", ""):
        credentials.get_access_token()


async def _warm_token(client) -> None:
    try:
        await asyncio.to_thread(_fetch_token, client)
    except Exception as error:
        log.warning("token fetch failed", extra={"reason": type(error).__name__})


class _LoadedResponse(AioHttpClientResponse):
    """msrest's aiohttp response, read in full; an empty body (a bare 429 or 502) is b"", not an error.

    msrest's ErrorResponseException keeps `internal_response`, which the other senders fill with a
    `requests` response: this one stands in for it, so callers read `status_code` and `headers`
    (Retry-After) whichever sender ran.
    """

    def __init__(self, request, aiohttp_response: aiohttp.ClientResponse) -> None:
        super().__init__(request, aiohttp_response)
        self._raw = aiohttp_response
        self.internal_response = self

    async def load_body(self) -> None:
        self._body = await self._raw.read()

    def body(self) -> bytes:
        return self._body or b""

    def raise_for_status(self) -> None:
        self._raw.raise_for_status()


class AiohttpSender(AsyncHTTPSender):
    """msrest's last pipeline step: the request over a shared aiohttp session, body read in full.

    A connection failure becomes msrest's ClientRequestError, as with msrest's own senders, so
    call_teams treats it the same way.
    """

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc_details) -> None:
        return None  # the session outlives one call; ConnectorClients.close() closes it

    async def send(self, request, **config) -> Response:
        if self._session is None or self._session.closed:
            # trust_env: proxy settings (HTTPS_PROXY, NO_PROXY) and .netrc apply as they did with requests.
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), trust_env=True)
        outgoing = request.http_request
        try:
            raw = await self._session.request(
                outgoing.method, outgoing.url, headers=dict(outgoing.headers), data=outgoing.data
            )
            response = _LoadedResponse(outgoing, raw)
            await response.load_body()
        except aiohttp.ClientError as error:
            raise ClientRequestError(
                f"Error occurred in request: {type(error).__name__}", inner_exception=error
            ) from error
        return Response(request, response)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


class _BearerToken(SansIOHTTPPolicy):
    """The Authorization header, from the credentials' own signing (no header without an app id)."""

    def __init__(self, credentials):
        self._credentials = credentials

    def on_request(self, request, **kwargs) -> None:
        signed = SimpleNamespace(headers={})
        self._credentials.signed_session(signed)
        if "Authorization" in signed.headers:
            request.http_request.headers["Authorization"] = signed.headers["Authorization"]


def _send_over(client, sender: AiohttpSender) -> None:
    config = client.config
    policies = [config.user_agent_policy, RawDeserializer(), config.http_logger_policy]
    if config.credentials is not None:
        policies.insert(1, _BearerToken(config.credentials))
    config.pipeline = AsyncPipeline(policies, sender)


class _CachingConnectorFactory(ConnectorFactory):
    def __init__(self, inner: ConnectorFactory, clients: dict, sender: AiohttpSender):
        self._inner = inner
        self._clients = clients
        self._sender = sender

    async def create(self, service_url: str, audience: str = None):
        key = (service_url, audience)
        client = self._clients.get(key)
        if client is None:
            client = await self._inner.create(service_url, audience)
            # No retries here (msrest's default sender had urllib3's, up to 3, also for 429 and POST):
            # they belong to call_teams, inside the rate limiter.
            _send_over(client, self._sender)
            await _warm_token(client)
            client = self._clients.setdefault(key, client)
        return client


def _app_id(claims_identity: ClaimsIdentity) -> str:
    return str(claims_identity.claims.get("aud") or claims_identity.claims.get("appid") or "")


class ConnectorClients:
    """The clients in use, so their tokens can be kept fresh off the event loop."""

    def __init__(self):
        self.by_app: dict[str, dict] = {}
        self.sender = AiohttpSender()

    async def refresh_tokens(self) -> None:
        for clients in self.by_app.values():
            for client in list(clients.values()):
                await _warm_token(client)

    async def close(self) -> None:
        await self.sender.close()


def reuse_connector_clients(authentication: BotFrameworkAuthentication) -> ConnectorClients:
    """Make incoming turns and proactive sends share clients per (app id, service URL, audience)."""
    in_use = ConnectorClients()
    connector_clients = in_use.by_app
    token_clients: dict[str, object] = {}

    def caching(factory: ConnectorFactory, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return _CachingConnectorFactory(
            factory, connector_clients.setdefault(_app_id(claims_identity), {}), in_use.sender
        )

    create_factory = authentication.create_connector_factory
    authenticate = authentication.authenticate_request
    create_token_client = authentication.create_user_token_client

    def create_connector_factory(claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return caching(create_factory(claims_identity), claims_identity)

    async def authenticate_request(activity, auth_header: str):
        result = await authenticate(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = caching(result.connector_factory, result.claims_identity)
        return result

    async def create_user_token_client(claims_identity: ClaimsIdentity):
        key = _app_id(claims_identity)
        if key not in token_clients:
            token_clients[key] = await create_token_client(claims_identity)
        return token_clients[key]

    authentication.create_connector_factory = create_connector_factory
    authentication.authenticate_request = authenticate_request
    authentication.create_user_token_client = create_user_token_client
    return in_use
