"""A local stand-in for the few Microsoft Graph calls Poolster makes, on loopback.

It models a tenant's users (found by UPN, or by e-mail with `$filter=mail eq '...'`), Poolster's
installations per user (installing tells the fake Teams connector, so the person's 1:1 chat starts
to accept messages), and Graph's bad days: a permission without admin consent (403), throttling
(429 + Retry-After, every `throttle_every`-th request, or beyond Microsoft's published limits for
Teams calls when `enforce_limits`), injected or random 5xx (as JSON, or as a proxy's HTML page).
Every request is recorded with its answer.
"""

from __future__ import annotations

import itertools
import random
import re
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass

from aiohttp import web

from bot.delivery import RETRYABLE_STATUS
from tests.support.fake_connector import HTML_ERROR_PAGE, FakeConnector
from tests.support.loopback import serve_on_loopback

CATALOG_APP_ID = "a1b2c3d4-0000-4000-8000-00000000c0de"


@dataclass
class GraphUser:
    id: str
    user_principal_name: str
    mail: str


@dataclass
class Request:
    method: str
    path: str
    status: int


class FakeGraph:
    def __init__(self, connector: FakeConnector, catalog_app_id: str = CATALOG_APP_ID) -> None:
        self.connector = connector
        self.catalog_app_id = catalog_app_id
        self.users: dict[str, GraphUser] = {}
        self.installations: dict[str, str] = {}  # user id -> installation id of Poolster
        self.chats: dict[str, str] = {}  # user id -> their chat with Poolster
        self.installed_by_poolster: Counter[str] = Counter()  # user id -> installs done by a POST (201)
        self.requests: list[Request] = []
        self.consented = True
        self.token: str | None = None  # when set, requests must carry "Bearer <token>"
        self.throttle_every = 0
        self.retry_after_seconds = 1
        self.failures: deque[int] = deque()  # statuses for the next requests
        self.html_pages: deque[int] = deque()  # same, as an HTML page
        self.random_failure_rate = 0.0
        self.rng = random.Random(11)
        # Microsoft's published limits per app and tenant: 30 a second for GET and for POST on
        # installedApps (the chat of an installation counted with its GETs).
        self.enforce_limits = False
        self.teams_limit = 30
        self._windows: dict[str, deque[float]] = defaultdict(deque)
        self._count = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""

    # ----- the tenant -----------------------------------------------------------------------

    def add_user(self, user_id: str, upn: str, mail: str | None = None) -> GraphUser:
        user = GraphUser(user_id, upn, mail or upn)
        self.users[user_id] = user
        return user

    def preinstall(self, user_id: str) -> None:
        """Poolster was installed for this person before (by a setup policy, or by the person)."""
        self._install(user_id)

    def posts(self, user_id: str) -> int:
        """Installs asked for this user and answered (a throttled or failed request is asked again)."""
        return sum(
            1
            for r in self.requests
            if r.method == "POST"
            and r.path == f"/v1.0/users/{user_id}/teamwork/installedApps"
            and r.status not in RETRYABLE_STATUS
        )

    def _install(self, user_id: str) -> None:
        self.installations[user_id] = f"installation-{user_id}"
        self.chats[user_id] = self.connector.install(user_id)

    # ----- server ---------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application(middlewares=[self._misbehave])
        app.router.add_get("/v1.0/users", self._filter_users)
        app.router.add_get("/v1.0/users/{user}", self._user)
        app.router.add_post("/v1.0/users/{user}/teamwork/installedApps", self._install_app)
        app.router.add_get("/v1.0/users/{user}/teamwork/installedApps", self._installed_apps)
        app.router.add_get("/v1.0/users/{user}/teamwork/installedApps/{installation}/chat", self._chat)
        self._runner, base = await serve_on_loopback(app, shutdown_timeout=1.0)
        self.url = f"{base}/v1.0"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @web.middleware
    async def _misbehave(self, request: web.Request, handler) -> web.StreamResponse:
        response = await self._answer(request, handler)
        self.requests.append(Request(request.method, request.path, response.status))
        return response

    async def _answer(self, request: web.Request, handler) -> web.StreamResponse:
        if self.token is not None and request.headers.get("Authorization") != f"Bearer {self.token}":
            return _error(401, "InvalidAuthenticationToken")
        if self.html_pages:
            status = self.html_pages.popleft()
            return web.Response(status=status, text=HTML_ERROR_PAGE.format(status=status), content_type="text/html")
        if self.failures:
            return _error(self.failures.popleft(), "ServiceNotAvailable")
        if self.throttle_every and next(self._count) % self.throttle_every == 0 or self._over_limit(request):
            return _error(429, "TooManyRequests", headers={"Retry-After": str(self.retry_after_seconds)})
        if self.random_failure_rate and self.rng.random() < self.random_failure_rate:
            return _error(503, "ServiceNotAvailable")
        if not self.consented:
            return _error(403, "Authorization_RequestDenied")
        return await handler(request)

    def _over_limit(self, request: web.Request) -> bool:
        if not self.enforce_limits or "/teamwork/" not in request.path:
            return False
        window, now = self._windows[request.method], time.monotonic()
        while window and now - window[0] >= 1.0:
            window.popleft()
        if len(window) >= self.teams_limit:
            return True
        window.append(now)
        return False

    def _find(self, key: str) -> GraphUser | None:
        key = key.lower()
        by_upn = (u for u in self.users.values() if u.user_principal_name.lower() == key)
        return self.users.get(key) or next(by_upn, None)

    async def _user(self, request: web.Request) -> web.Response:
        user = self._find(request.match_info["user"])
        if user is None:
            return _error(404, "Request_ResourceNotFound")
        return web.json_response({"id": user.id, "userPrincipalName": user.user_principal_name})

    async def _filter_users(self, request: web.Request) -> web.Response:
        match = re.fullmatch(r"mail eq '((?:[^']|'')*)'", request.query.get("$filter", ""))
        if match is None:
            return _error(400, "BadRequest")
        mail = match.group(1).replace("''", "'").lower()
        found = [u for u in self.users.values() if u.mail.lower() == mail]
        return web.json_response({"value": [{"id": u.id, "userPrincipalName": u.user_principal_name} for u in found]})

    async def _install_app(self, request: web.Request) -> web.Response:
        user = self.users.get(request.match_info["user"])
        body = await request.json()
        if not str(body.get("teamsApp@odata.bind", "")).endswith(f"/appCatalogs/teamsApps/{self.catalog_app_id}"):
            return _error(404, "NotFound")  # no such app in the organisation's catalog
        if user is None:
            return _error(404, "NotFound")
        if user.id in self.installations:
            return _error(409, "Conflict")
        self._install(user.id)
        self.installed_by_poolster[user.id] += 1
        return web.Response(status=201)

    async def _installed_apps(self, request: web.Request) -> web.Response:
        user_id = request.match_info["user"]
        wanted = f"teamsApp/id eq '{self.catalog_app_id}'"
        if request.query.get("$filter") != wanted or user_id not in self.installations:
            return web.json_response({"value": []})
        return web.json_response(
            {
                "value": [
                    {
                        "id": self.installations[user_id],
                        "teamsApp": {"id": self.catalog_app_id, "displayName": "Poolster"},
                    }
                ]
            }
        )

    async def _chat(self, request: web.Request) -> web.Response:
        user_id = request.match_info["user"]
        if self.installations.get(user_id) != request.match_info["installation"]:
            return _error(404, "NotFound")
        return web.json_response({"id": self.chats[user_id], "chatType": "oneOnOne"})


def _error(status: int, code: str, headers: dict | None = None) -> web.Response:
    return web.json_response(
        {"error": {"code": code, "message": "from the fake Graph"}}, status=status, headers=headers
    )
