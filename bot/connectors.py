"""Reuse connector clients across turns.

botbuilder builds a new connector client for every turn (a new msrest configuration and a new
`requests` session: about 3 ms of CPU, and no reuse of open connections). The client for one app id,
service URL and audience can serve every turn; its credentials refresh their own token.
"""

from __future__ import annotations

from botframework.connector.auth import BotFrameworkAuthentication, ClaimsIdentity, ConnectorFactory


class _CachingConnectorFactory(ConnectorFactory):
    def __init__(self, inner: ConnectorFactory, clients: dict):
        self._inner = inner
        self._clients = clients

    async def create(self, service_url: str, audience: str = None):
        key = (service_url, audience)
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = await self._inner.create(service_url, audience)
        return client


def reuse_connector_clients(authentication: BotFrameworkAuthentication) -> None:
    """Make the adapter's connector factories share one client per (app id, service URL, audience)."""
    create_factory = authentication.create_connector_factory
    caches: dict[str, dict] = {}

    def create_connector_factory(claims_identity: ClaimsIdentity) -> ConnectorFactory:
        app_id = str(claims_identity.claims.get("aud") or claims_identity.claims.get("appid") or "")
        return _CachingConnectorFactory(create_factory(claims_identity), caches.setdefault(app_id, {}))

    authentication.create_connector_factory = create_connector_factory
