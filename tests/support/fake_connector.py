"""A local stand-in for the Teams connector (Bot Framework REST API) that records the bot's calls.

The bot's activities carry `serviceUrl` pointing here, so every reply, update, member lookup and
proactive conversation lands in `calls`. Tests can make it behave like a busy or broken Teams:
enforce Teams' rate limits with 429 + Retry-After, fail some calls with 5xx (as JSON, or as the HTML
page a proxy sends), hang (time-outs), and refuse a person the way Teams does, with Teams' error
codes: the app not installed for them (when `installed` lists who has it), blocked, disabled by an
administrator, the chat gone, a message too big.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

from aiohttp import web

from tests.support.loopback import serve_on_loopback


@dataclass
class Call:
    method: str
    conversation_id: str
    activity_id: str | None
    body: dict
    at: float = field(default_factory=time.monotonic)

    @property
    def card(self) -> dict | None:
        for attachment in self.body.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return attachment["content"]
        return None

    @property
    def text(self) -> str:
        return self.body.get("text") or ""


@dataclass
class Member:
    id: str
    name: str
    aad_object_id: str
    email: str


# Teams' refusals of a send, by error code (learn.microsoft.com: bots/bot-conversations, status codes).
TEAMS_REFUSALS = {
    "BotNotInConversationRoster": 403,
    "ForbiddenOperationException": 403,
    "ConversationBlockedByUser": 403,
    "BotDisabledByAdmin": 403,
    "ConversationNotFound": 404,
    "MessageSizeTooBig": 413,
}
HTML_ERROR_PAGE = "<html><head><title>{status}</title></head><body><h1>{status} Bad Gateway</h1></body></html>"


def owner_of(conversation_id: str) -> str:
    """The AAD object id a 1:1 chat belongs to (chats are named personal-<id> or personal-29:<id>)."""
    return conversation_id.removeprefix("personal-").removeprefix("29:")


class FakeConnector:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        # Every request that reached the connector (method, path), member lookups and refused ones included.
        self.requests: list[tuple[str, str]] = []
        self.members: dict[str, Member] = {}
        self._ids = itertools.count(1)
        # Failure injection.
        self.enforce_limits = False
        self.per_conversation_limit = 7
        self.per_app_limit = 50
        self.retry_after_seconds = 1
        self.random_failure_rate = 0.0
        self.failures: deque[int] = deque()  # statuses to answer the next sends with
        self.hang_next = 0  # the next N sends never answer (a time-out for the bot)
        self.html_pages: deque[int] = deque()  # statuses to answer the next sends with, as an HTML page
        self.blocked_conversations: set[str] = set()
        self.gone_activities: set[str] = set()
        # None: Poolster is installed for everyone. A set: only for these AAD object ids; 1:1 chats with
        # anyone else are refused as Teams refuses them.
        self.installed: set[str] | None = None
        self.refusals: dict[str, str] = {}  # AAD object id -> Teams error code for every send to them
        self._app_window: deque[float] = deque()
        self._conversation_windows: dict[str, deque[float]] = defaultdict(deque)
        self.rejections: list[tuple[str, int]] = []
        # Files a user sends the bot, served like Teams' pre-authenticated download URLs.
        self.files: dict[str, bytes] = {}
        self.file_downloads: list[str] = []
        self._runner: web.AppRunner | None = None
        self.url = ""
        self.rng = random.Random(7)
        self._stopping = asyncio.Event()

    # ----- what tests look at --------------------------------------------------------------

    def sends(self, conversation_id: str | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == "POST" and (conversation_id is None or c.conversation_id == conversation_id)
        ]

    def updates(self, conversation_id: str | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == "PUT" and (conversation_id is None or c.conversation_id == conversation_id)
        ]

    def created(self) -> list[Call]:
        return [c for c in self.calls if c.method == "CREATE"]

    def add_member(self, member: Member) -> None:
        self.members[member.id] = member

    def refuse(self, aad_object_id: str, code: str) -> None:
        assert code in TEAMS_REFUSALS, code
        self.refusals[aad_object_id] = code

    def install(self, aad_object_id: str) -> str:
        """Poolster installed for this person (by Graph): their 1:1 chat's id."""
        if self.installed is not None:
            self.installed.add(aad_object_id)
        return f"personal-{aad_object_id}"

    # ----- server ---------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application(middlewares=[self._count])
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._send)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self._send)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._update)
        app.router.add_get("/v3/conversations/{conversation}/members/{member}", self._member)
        app.router.add_get("/files/{name}", self._file)
        self._runner, base = await serve_on_loopback(app, shutdown_timeout=1.0)
        self.url = f"{base}/"
        return self.url

    @web.middleware
    async def _count(self, request: web.Request, handler):
        self.requests.append((request.method, request.path))
        return await handler(request)

    async def stop(self) -> None:
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()

    def _refuse(self, conversation_id: str, code: str) -> web.Response:
        status = TEAMS_REFUSALS[code]
        self.rejections.append((conversation_id, status))
        return web.json_response({"error": {"code": code, "message": "refused by the fake connector"}}, status=status)

    async def _misbehave(self, conversation_id: str, *, creating: bool = False) -> web.Response | None:
        if conversation_id in self.blocked_conversations:
            return self._refuse(conversation_id, "ConversationBlockedByUser")
        if conversation_id.startswith("personal-"):
            owner = owner_of(conversation_id)
            if owner in self.refusals:
                return self._refuse(conversation_id, self.refusals[owner])
            if self.installed is not None and owner not in self.installed:
                return self._refuse(
                    conversation_id, "ForbiddenOperationException" if creating else "BotNotInConversationRoster"
                )
        if self.html_pages:
            status = self.html_pages.popleft()
            self.rejections.append((conversation_id, status))
            return web.Response(status=status, text=HTML_ERROR_PAGE.format(status=status), content_type="text/html")
        if self.hang_next > 0:
            self.hang_next -= 1
            # Never answer in time; released when the connector stops so shutdown stays quick.
            await self._stopping.wait()
            return web.json_response({"error": {"code": "Stopped"}}, status=503)
        if self.failures:
            status = self.failures.popleft()
            self.rejections.append((conversation_id, status))
            headers = {"Retry-After": str(self.retry_after_seconds)} if status == 429 else {}
            return web.json_response({"error": {"code": "Injected"}}, status=status, headers=headers)
        if self.enforce_limits:
            now = time.monotonic()
            window = self._conversation_windows[conversation_id]
            for queue in (self._app_window, window):
                while queue and now - queue[0] >= 1.0:
                    queue.popleft()
            if len(window) >= self.per_conversation_limit or len(self._app_window) >= self.per_app_limit:
                self.rejections.append((conversation_id, 429))
                return web.json_response(
                    {"error": {"code": "Throttled"}}, status=429, headers={"Retry-After": str(self.retry_after_seconds)}
                )
            window.append(now)
            self._app_window.append(now)
        if self.random_failure_rate and self.rng.random() < self.random_failure_rate:
            self.rejections.append((conversation_id, 500))
            return web.json_response({"error": {"code": "Random"}}, status=500)
        return None

    async def _send(self, request: web.Request) -> web.Response:
        conversation_id = request.match_info["conversation"]
        failure = await self._misbehave(conversation_id)
        if failure is not None:
            return failure
        body = await request.json()
        activity_id = f"activity-{next(self._ids)}"
        self.calls.append(Call("POST", conversation_id, activity_id, body))
        return web.json_response({"id": activity_id})

    async def _update(self, request: web.Request) -> web.Response:
        conversation_id = request.match_info["conversation"]
        activity_id = request.match_info["activity"]
        if activity_id in self.gone_activities:
            return web.json_response({"error": {"code": "NotFound"}}, status=404)
        failure = await self._misbehave(conversation_id)
        if failure is not None:
            return failure
        body = await request.json()
        self.calls.append(Call("PUT", conversation_id, activity_id, body))
        return web.json_response({"id": activity_id})

    async def _create_conversation(self, request: web.Request) -> web.Response:
        body = await request.json()
        member_id = body["members"][0]["id"]
        conversation_id = f"personal-{member_id}"
        failure = await self._misbehave(conversation_id, creating=True)
        if failure is not None:
            return failure
        self.calls.append(Call("CREATE", conversation_id, None, body))
        return web.json_response({"id": conversation_id})

    def file_attachment(self, name: str, content: bytes) -> dict:
        """The attachment Teams puts on a message when a user sends the bot a file in a 1:1 chat."""
        self.files[name] = content
        return {
            "contentType": "application/vnd.microsoft.teams.file.download.info",
            "name": name,
            "contentUrl": f"{self.url}files/{name}",
            "content": {
                "downloadUrl": f"{self.url}files/{name}",
                "uniqueId": name,
                "fileType": name.rsplit(".", 1)[-1],
            },
        }

    async def _file(self, request: web.Request) -> web.Response:
        self.file_downloads.append(request.match_info["name"])
        content = self.files.get(request.match_info["name"])
        if content is None:
            return web.Response(status=404)
        return web.Response(body=content, content_type="application/octet-stream")

    async def _member(self, request: web.Request) -> web.Response:
        member = self.members.get(request.match_info["member"])
        if member is None:
            return web.json_response({"error": {"code": "NotFound"}}, status=404)
        return web.json_response(
            {
                "id": member.id,
                "name": member.name,
                "aadObjectId": member.aad_object_id,
                "email": member.email,
                "userPrincipalName": member.email,
            }
        )
