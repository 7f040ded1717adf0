"""A local stand-in for the Teams connector (Bot Framework REST API) that records the bot's calls.

The bot's activities carry `serviceUrl` pointing here, so every reply, update, member lookup and
proactive conversation lands in `calls`. Tests can make it behave like a busy or broken Teams:
enforce Teams' rate limits with 429 + Retry-After, fail some calls with 5xx, hang (time-outs),
or answer 403 for users who blocked the bot.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

from aiohttp import web


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


class FakeConnector:
    def __init__(self) -> None:
        self.calls: list[Call] = []
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
        self.blocked_conversations: set[str] = set()
        self.gone_activities: set[str] = set()
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
        return [c for c in self.calls if c.method == "POST" and (conversation_id is None or c.conversation_id == conversation_id)]

    def updates(self, conversation_id: str | None = None) -> list[Call]:
        return [c for c in self.calls if c.method == "PUT" and (conversation_id is None or c.conversation_id == conversation_id)]

    def created(self) -> list[Call]:
        return [c for c in self.calls if c.method == "CREATE"]

    def add_member(self, member: Member) -> None:
        self.members[member.id] = member

    # ----- server ---------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._send)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self._send)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._update)
        app.router.add_get("/v3/conversations/{conversation}/members/{member}", self._member)
        app.router.add_get("/files/{name}", self._file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # noqa: SLF001 - aiohttp exposes no port otherwise
        self.url = f"http://127.0.0.1:{port}/"
        return self.url

    async def stop(self) -> None:
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _misbehave(self, conversation_id: str) -> web.Response | None:
        if conversation_id in self.blocked_conversations:
            self.rejections.append((conversation_id, 403))
            return web.json_response({"error": {"code": "MessageWritesBlocked"}}, status=403)
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
                return web.json_response({"error": {"code": "Throttled"}}, status=429,
                                         headers={"Retry-After": str(self.retry_after_seconds)})
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
        failure = await self._misbehave(conversation_id)
        if failure is not None:
            return failure
        self.calls.append(Call("CREATE", conversation_id, None, body))
        return web.json_response({"id": conversation_id})

    def file_attachment(self, name: str, content: bytes) -> dict:
        """The attachment Teams puts on a message when a user sends the bot a file in a 1:1 chat."""
        self.files[name] = content
        return {"contentType": "application/vnd.microsoft.teams.file.download.info", "name": name,
                "contentUrl": f"{self.url}files/{name}",
                "content": {"downloadUrl": f"{self.url}files/{name}", "uniqueId": name,
                            "fileType": name.rsplit(".", 1)[-1]}}

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
        return web.json_response({
            "id": member.id, "name": member.name, "aadObjectId": member.aad_object_id,
            "email": member.email, "userPrincipalName": member.email,
        })
