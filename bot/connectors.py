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

from botframework.connector.auth import BotFrameworkAuthentication, ClaimsIdentity, ConnectorFactory

log = logging.getLogger("poolster.connectors")


def _fetch_token(client) -> None:
    """Blocking: have the client's credentials hold a valid token (no-op without an app id)."""
    credentials = getattr(client.config, "credentials", None)
    if credentials is not None and getattr(credentials, "microsoft_app_id", ""):
        credentials.get_access_token()


async def _warm_token(client) -> None:
    try:
        await asyncio.to_thread(_fetch_token, client)
    except Exception as error:  # noqa: BLE001 - Azure AD unreachable: the next minute and the send retry
        log.warning("token fetch failed", extra={"reason": type(error).__name__})


class _CachingConnectorFactory(ConnectorFactory):
    def __init__(self, inner: ConnectorFactory, clients: dict):
        self._inner = inner
        self._clients = clients

    async def create(self, service_url: str, audience: str = None):
        key = (service_url, audience)
        client = self._clients.get(key)
        if client is None:
            client = await self._inner.create(service_url, audience)
            # Retries belong to call_teams, inside the rate limiter; msrest's own (urllib3, up to 3,
            # also for 429 and POST) would resend outside it, asleep in a worker thread.
            client.config.retry_policy.retries = 0
            await _warm_token(client)
            client = self._clients.setdefault(key, client)
        return client


def _app_id(claims_identity: ClaimsIdentity) -> str:
    return str(claims_identity.claims.get("aud") or claims_identity.claims.get("appid") or "")


class ConnectorClients:
    """The clients in use, so their tokens can be kept fresh off the event loop."""

    def __init__(self):
        self.by_app: dict[str, dict] = {}

    async def refresh_tokens(self) -> None:
        for clients in self.by_app.values():
            for client in list(clients.values()):
                await _warm_token(client)


def reuse_connector_clients(authentication: BotFrameworkAuthentication) -> ConnectorClients:
    """Make incoming turns and proactive sends share clients per (app id, service URL, audience)."""
    in_use = ConnectorClients()
    connector_clients = in_use.by_app
    token_clients: dict[str, object] = {}

    def caching(factory: ConnectorFactory, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return _CachingConnectorFactory(factory, connector_clients.setdefault(_app_id(claims_identity), {}))

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
