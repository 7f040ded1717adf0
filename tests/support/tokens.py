"""Bot Framework tokens signed with a test key, and outgoing credentials that need no network."""

from __future__ import annotations

import json
import time

import jwt
from botframework.connector.auth import AppCredentials, ServiceClientCredentialsFactory
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

APP_ID = "00000000-1111-2222-3333-444444444444"
ISSUER = "https://api.botframework.com"
KEY_ID = "poolster-test-key"


def _private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


SIGNING_KEY = _private_key()
FORGED_KEY = _private_key()


def signing_keys() -> list[dict]:
    """The JWKS the bot trusts in tests (what login.botframework.com publishes in production)."""
    jwk = json.loads(RSAAlgorithm.to_jwk(SIGNING_KEY.public_key()))
    return [{**jwk, "kid": KEY_ID, "use": "sig", "endorsements": ["msteams"]}]


def token(
    service_url: str,
    *,
    audience: str = APP_ID,
    issuer: str = ISSUER,
    key=SIGNING_KEY,
    key_id: str = KEY_ID,
    expires_in: int | None = 3600,
) -> str:
    """A Bot Framework token; expires_in=None leaves out `exp` (a token that never expires)."""
    now = int(time.time())
    claims = {"iss": issuer, "aud": audience, "serviceurl": service_url, "nbf": now - 60, "iat": now - 60}
    if expires_in is not None:
        claims["exp"] = now + expires_in
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": key_id})


class _OfflineCredentials(AppCredentials):
    def get_access_token(self, force_refresh: bool = False) -> str:
        return "outgoing-test-token"


class OfflineCredentialsFactory(ServiceClientCredentialsFactory):
    """Outgoing calls to the fake connector carry a dummy token instead of asking Azure AD for one."""

    async def is_valid_app_id(self, app_id: str) -> bool:
        return app_id == APP_ID

    async def is_authentication_disabled(self) -> bool:
        return False

    async def create_credentials(self, app_id, oauth_scope, login_endpoint, validate_authority):
        return _OfflineCredentials(app_id=app_id)
