"""Bot Framework token validation without blocking the event loop, with injectable signing keys.

botbuilder validates the JWT on every request against the Bot Framework's published signing keys,
but fetches those keys with the blocking `requests` library inside the event loop (once a day,
and whenever an unknown key id shows up). We replace its key cache with one that fetches with
aiohttp, and that tests can fill with their own keys so no test needs the internet.

botbuilder also validates the token only after the body is parsed (it needs the activity's
service URL), and it accepts a signed token without `exp`. `TokenGate` runs the same validation
from the header alone, before the body is read, and requires `exp`; botbuilder's own check of the
whole request (the service URL claim included) still follows.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time

import aiohttp
from botframework.connector.auth import (
    AuthenticationConfiguration,
    AuthenticationConstants,
    JwtTokenValidation,
    SimpleCredentialProvider,
)
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor, _OpenIdConfig
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger("poolster.auth")

METADATA_URLS = (
    AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
    AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL,
)
REFRESH_AFTER = 24 * 3600
UNKNOWN_KEY_REFRESH_AFTER = 3600


class AsyncKeySet:
    """Drop-in for botbuilder's _OpenIdMetadata: `await get(key_id)` -> public key + endorsements."""

    def __init__(self, metadata_url: str, keys: list[dict] | None = None):
        self.metadata_url = metadata_url
        self.keys: list[dict] = list(keys or [])
        # Given keys never expire: they are the test's or the operator's own.
        self.static = keys is not None
        self.fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def get(self, key_id: str | None) -> _OpenIdConfig | None:
        if not self.static and time.monotonic() - self.fetched_at > REFRESH_AFTER:
            await self._refresh()
        key = self._find(key_id)
        if key is None and not self.static and time.monotonic() - self.fetched_at > UNKNOWN_KEY_REFRESH_AFTER:
            await self._refresh()
            key = self._find(key_id)
        return key

    def _find(self, key_id: str | None) -> _OpenIdConfig | None:
        for key in self.keys:
            if key.get("kid") == key_id:
                return _OpenIdConfig(RSAAlgorithm.from_jwk(json.dumps(key)), key.get("endorsements", []))
        return None

    async def _refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self.fetched_at < 60:
                return
            timeout = aiohttp.ClientTimeout(total=10)
            try:
                async with aiohttp.ClientSession(timeout=timeout) as session:
                    async with session.get(self.metadata_url) as response:
                        response.raise_for_status()
                        jwks_uri = (await response.json(content_type=None))["jwks_uri"]
                    async with session.get(jwks_uri) as response:
                        response.raise_for_status()
                        self.keys = (await response.json(content_type=None))["keys"]
                self.fetched_at = time.monotonic()
            except (TimeoutError, aiohttp.ClientError, KeyError, ValueError) as error:
                # Keep the keys we had; a request signed with an unknown key is refused meanwhile.
                log.error("signing keys could not be refreshed", extra={"reason": type(error).__name__})


def install_key_sets(static_keys: list[dict] | None = None) -> None:
    """Make botbuilder use our key sets (static ones in tests, fetched with aiohttp otherwise)."""
    for url in METADATA_URLS:
        JwtTokenExtractor.metadataCache[url] = AsyncKeySet(url, static_keys)


class TokenGate:
    """The token check that needs no body: signature, issuer, audience (our app id), expiry, endorsements."""

    def __init__(self, app_id: str):
        self.app_id = app_id
        self._credentials = SimpleCredentialProvider(app_id, "")

    @property
    def enabled(self) -> bool:
        return bool(self.app_id)

    async def admit(self, auth_header: str) -> None:
        """Raise PermissionError unless auth_header carries a valid Bot Framework token with an expiry."""
        if not self.enabled:
            return
        if not auth_header:
            raise PermissionError("no token")
        try:
            # channel_id "" checks the key's endorsements against the required ones only: the activity's
            # channel is checked by botbuilder once the body is read.
            identity = await JwtTokenValidation.validate_auth_header(
                auth_header, self._credentials, None, "", None, AuthenticationConfiguration()
            )
        except Exception as error:
            raise PermissionError(type(error).__name__) from None
        if not identity or not identity.is_authenticated:
            raise PermissionError("invalid token")
        # PyJWT checks `exp` only when the token has one; a token that never expires is refused here.
        if type(identity.claims.get("exp")) not in (int, float):
            raise PermissionError("token without expiry")
