"""Microsoft Graph for reaching people: find a registry person by e-mail, install Poolster for them,
and get their 1:1 chat with it (what Microsoft's Company Communicator does).

- `GET /users/{upn}` (User.Read.All), falling back on `$filter=mail eq '...'` when the address is
  not the UPN, gives the Azure AD id.
- `POST /users/{id}/teamwork/installedApps` with the app's id in the organisation's catalog
  (TeamsAppInstallation.ReadWriteSelfForUser.All) installs it; 409 = it was installed already. The
  answer has no body, so the installation is found by listing with `$filter` on the catalog id, and
  `GET .../installedApps/{installation}/chat` gives the chat to send into.

Every call is paced within Graph's published limits for Teams (30 requests a second per app and
tenant for GET and for POST on installedApps) and retried like every Teams call (`call_teams`:
429 waited out per Retry-After, 5xx and time-outs with backoff); a refusal becomes a NotReached code.
Tokens come from MSAL (client credentials), fetched in a thread and reused until shortly before they
expire; they are never logged.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from urllib.parse import quote

import aiohttp
import msal
from pydantic import SecretStr

from bot.delivery import (
    RETRYABLE_STATUS,
    DeliveryFailed,
    Failure,
    RetryPolicy,
    call_teams,
    classify_transport,
    parse_retry_after,
)
from bot.rate_limits import RateLimiter, Window
from survey.reach_outcomes import NotReached

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
# Renew a token this long before it expires, so no call leaves with one about to die.
TOKEN_MARGIN = 300.0
# Graph identity lookups cost 1 resource unit of the 3,500 per 10 s even a small tenant has: pace
# them well below that; Teams calls get Microsoft's published 30 a second.
IDENTITY_RATE = 100


class GraphError(Exception):
    """Graph answered with an error status (or MSAL refused a token: status None)."""

    def __init__(self, status: int | None, code: str, retry_after: float | None = None):
        super().__init__(f"{status} {code}".strip())
        self.status = status
        self.code = code
        self.retry_after = retry_after


def classifier(not_found: NotReached):
    """How a Graph failure reads, for a call whose 404 means `not_found`."""

    def classify(error: BaseException) -> Failure | None:
        if not isinstance(error, GraphError):
            return classify_transport(error)
        detail = f"Graph {error}"
        if error.status in RETRYABLE_STATUS:
            return Failure(None, detail, error.status, error.retry_after if error.status == 429 else None)
        if error.status is None or error.status in (401, 403):
            # No token, a token refused, or a permission without admin consent.
            return Failure(NotReached.NO_CONSENT, detail, error.status)
        if error.status == 404:
            return Failure(not_found, detail, error.status)
        return Failure(NotReached.REFUSED, detail, error.status)

    return classify


class MsalTokens:
    """Application tokens for Graph (client credentials) from MSAL, which blocks: used in a thread."""

    def __init__(
        self,
        client_id: str,
        secret: SecretStr,
        tenant_id: str,
        *,
        authority_host: str = "https://login.microsoftonline.com",
        http_client: Any = None,
    ):
        self._client_id = client_id
        self._secret = secret
        self._authority = f"{authority_host.rstrip('/')}/{tenant_id}"
        self._http_client = http_client  # tests give MSAL a fake one
        self._app = None
        self._token = ""
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        if time.monotonic() < self._expires_at - TOKEN_MARGIN:
            return self._token
        async with self._lock:
            if time.monotonic() >= self._expires_at - TOKEN_MARGIN:
                self._token, lifetime = await asyncio.to_thread(self._acquire)
                self._expires_at = time.monotonic() + lifetime
        return self._token

    def _acquire(self) -> tuple[str, float]:
        if self._app is None:
            extra = {"http_client": self._http_client} if self._http_client is not None else {}
            self._app = msal.ConfidentialClientApplication(
                self._client_id, client_credential=self._secret.get_secret_value(), authority=self._authority, **extra
            )
        result = self._app.acquire_token_for_client(scopes=[GRAPH_SCOPE])
        if "access_token" not in result:
            # error is a short code such as invalid_client; the description may quote the request: not kept.
            raise GraphError(None, f"token: {result.get('error', 'unknown')}")
        return result["access_token"], float(result.get("expires_in", 3600))


class Graph:
    """The few Graph calls Poolster makes, paced and retried; errors raise DeliveryFailed."""

    def __init__(
        self,
        endpoint: str,
        *,
        tokens: MsalTokens | None,
        catalog_app_id: str = "",
        teams_rate: float = 30.0,
        policy: RetryPolicy = RetryPolicy(),
    ):
        self.endpoint = endpoint.rstrip("/")
        self.tokens = tokens  # None: no app id (local testing against a fake Graph), no token sent
        self.catalog_app_id = catalog_app_id
        self.policy = policy
        self._limiters = {
            kind: _pacer(rate)
            for kind, rate in (("identity", IDENTITY_RATE), ("teams-get", teams_rate), ("teams-post", teams_rate))
        }
        self._session: aiohttp.ClientSession | None = None

    @property
    def installs(self) -> bool:
        """Whether Poolster installs itself for people (it needs the app's catalog id for that)."""
        return bool(self.catalog_app_id)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    # ----- the calls ------------------------------------------------------------------------------

    async def user_id(self, email: str) -> str:
        """The Azure AD id of the user with this UPN, or else this e-mail address; DeliveryFailed(NOT_FOUND) if none."""
        select = {"$select": "id"}
        try:
            found = await self._call(
                "GET", f"/users/{quote(email, safe='@')}", "identity", NotReached.NOT_FOUND, params=select
            )
        except DeliveryFailed as failure:
            if failure.code is not NotReached.NOT_FOUND:
                raise
            literal = email.replace("'", "''")
            matches = await self._call(
                "GET", "/users", "identity", NotReached.NOT_FOUND, params={**select, "$filter": f"mail eq '{literal}'"}
            )
            if not matches.get("value"):
                raise
            found = matches["value"][0]
        return found["id"]

    async def install(self, user_id: str) -> bool:
        """Install Poolster for the user; False when it was installed already (409)."""
        body = {"teamsApp@odata.bind": f"{self.endpoint}/appCatalogs/teamsApps/{self.catalog_app_id}"}
        try:
            await self._call(
                "POST", f"/users/{user_id}/teamwork/installedApps", "teams-post", NotReached.NOT_INSTALLABLE, json=body
            )
        except DeliveryFailed as failure:
            if failure.status == 409:
                return False
            raise
        return True

    async def chat_id(self, user_id: str) -> str:
        """The id of the user's 1:1 chat with Poolster (installed for them)."""
        listing = await self._call(
            "GET",
            f"/users/{user_id}/teamwork/installedApps",
            "teams-get",
            NotReached.NOT_INSTALLED,
            params={"$expand": "teamsApp", "$filter": f"teamsApp/id eq '{self.catalog_app_id}'"},
        )
        if not listing.get("value"):
            raise DeliveryFailed(NotReached.NOT_INSTALLED, "Graph lists no installation of Poolster")
        installation = quote(listing["value"][0]["id"], safe="")
        chat = await self._call(
            "GET", f"/users/{user_id}/teamwork/installedApps/{installation}/chat", "teams-get", NotReached.NOT_INSTALLED
        )
        return chat["id"]

    # ----- plumbing -------------------------------------------------------------------------------

    async def _call(self, method: str, path: str, limit: str, not_found: NotReached, **kwargs) -> dict:
        async def attempt() -> dict:
            headers = {"Accept": "application/json"}
            if self.tokens is not None:
                headers["Authorization"] = f"Bearer {await self.tokens.token()}"
            async with self._client().request(method, self.endpoint + path, headers=headers, **kwargs) as response:
                if response.status >= 400:
                    raise GraphError(
                        response.status,
                        await _error_code(response),
                        parse_retry_after(response.headers.get("Retry-After")),
                    )
                text = await response.text()
                return json.loads(text) if text.strip() else {}  # an install answers 201 without a body

        # Paced per kind of call; logged by that kind, never by the path (it may hold an e-mail address).
        return await call_teams(
            attempt,
            conversation_id=f"graph:{limit}",
            limiter=self._limiters[limit],
            policy=self.policy,
            classify=classifier(not_found),
        )

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.policy.call_timeout))
        return self._session


def _pacer(per_second: float) -> RateLimiter:
    """At most `per_second` requests in any second: paced at two less, with a burst of two (as for Teams)."""
    limit = max(1, int(per_second))
    return RateLimiter(
        per_app=max(1, limit - 2), burst=min(2, limit), conversation_limits=(Window(1.0, limit),), margin=0
    )


async def _error_code(response: aiohttp.ClientResponse) -> str:
    """Graph's error code from a JSON error body; '' for anything else (an HTML page from a proxy)."""
    try:
        body = await response.json(content_type=None)
        return str(body["error"]["code"])
    except (ValueError, KeyError, TypeError, aiohttp.ClientError):
        return ""
