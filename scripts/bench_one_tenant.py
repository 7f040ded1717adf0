"""One tenant, as GO! runs it: every member, director and POC+ shares Teams' 50 requests a second.

Three measurements, with the bot as its own process (`python app.py`, embedded store) and the fake
connector enforcing Teams' limits (50 requests a second for the app, 7 a second per chat; a 429
beyond that is counted):

1. Sustained answers: more and more members answer every THINK_TIME seconds, each card submission
   carrying `replyToId` (the card's message id, as Teams sends it); the directors of their centres
   are reachable, so every answer also schedules their live card's update (background traffic).
   Per level: answers a second, latency, the requests to Teams per answer (replies in the members'
   chats, and the directors' card updates a second), 429s, the bot's CPU per answer; afterwards
   every member's stored response is checked (lost or misordered answers).
2. The same kind of load while POC+ launches a wave for WAVE_SIZE other people (they had the app
   installed: one request each): the answers' latency during the launch, and the launch's duration
   against the floor that the budget left over by the answers allows.
3. The peer: a plain botbuilder bot (scripts/bench_peer_bot.py) under the same load in the same
   run; the bots' CPU per answer side by side.
"""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import yaml
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference  # noqa: E402

from bot.people import KnownUser, People  # noqa: E402
from scripts.bench import (  # noqa: E402
    MEMBERS_PER_CENTRE,
    Respondent,
    cpu_seconds,
    people,
    percentile,
    prefill,
    verify_responses,
)
from survey.registry import load_registry  # noqa: E402
from tests.support.fake_connector import FakeConnector  # noqa: E402
from tests.support.process import BotProcess, free_port, stop_process  # noqa: E402
from tests.support.teams import BOT_ID, TeamsClient, TeamsUser, fill_card  # noqa: E402

TENANT = "tenant-go"
THINK_TIME = 2.0  # seconds a member takes between two answers
P95_GOAL_MS = 150
ADMIN = TeamsUser("Pieter Poc", "pieter.poc@poolster.example", "aad-bench-admin")


def director_aad(centre: int) -> str:
    return f"aad-bench-director-{centre}"


def invitee_aad(n: int) -> str:
    return f"aad-bench-invitee-{n}"


class TenantConnector(FakeConnector):
    """The fake Teams, enforcing its limits; it remembers per chat the last card sent (the message a
    member answers, whose id Teams puts in `replyToId`) and logs when each request arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.enforce_limits = True
        self.last_card: dict[str, str] = {}
        self.admin_cards: dict[str, dict] = {}  # POC+'s cards by message id: the launch card is pressed
        self.arrivals: list[tuple[float, str, str]] = []  # (time, method, conversation id)

    def _keep(self, response: web.Response) -> web.Response:
        if response.status < 300 and self.calls:
            call = self.calls.pop()  # counted here, not kept: the log stays small
            self.arrivals.append((call.at, call.method, call.conversation_id))
            if call.method == "POST" and call.card is not None:
                self.last_card[call.conversation_id] = call.activity_id
                if call.conversation_id == ADMIN.conversation_id:
                    self.admin_cards[call.activity_id] = call.card
        return response

    async def _send(self, request: web.Request) -> web.Response:
        return self._keep(await super()._send(request))

    async def _update(self, request: web.Request) -> web.Response:
        return self._keep(await super()._update(request))

    async def _create_conversation(self, request: web.Request) -> web.Response:
        return self._keep(await super()._create_conversation(request))

    def between(self, start: float, end: float) -> list[tuple[float, str, str]]:
        return [arrival for arrival in self.arrivals if start <= arrival[0] <= end]


def write_registry(data_dir: Path, members: list[TeamsUser], invitees: int) -> list[str]:
    """The members' centres (directors reachable) and the centres of the wave; returns the latter's ids."""
    centres = []
    for start in range(0, len(members), MEMBERS_PER_CENTRE):
        n = start // MEMBERS_PER_CENTRE
        centres.append(
            {
                "id": f"centrum-{n}",
                "name": f"Centrum {n}",
                "director": {
                    "name": "Directeur",
                    "email": f"directeur@centrum{n}.example",
                    "aad_object_id": director_aad(n),
                },
                "members": [{"name": u.name, "email": u.email} for u in members[start : start + MEMBERS_PER_CENTRE]],
            }
        )
    wave_centres = []
    for start in range(0, invitees, MEMBERS_PER_CENTRE):
        n = start // MEMBERS_PER_CENTRE
        team = [
            {"name": f"Genodigde {m}", "email": f"g{m}@w{n}.example", "aad_object_id": invitee_aad(m)}
            for m in range(start, min(start + MEMBERS_PER_CENTRE, invitees))
        ]
        wave_centres.append(f"w{n}")
        centres.append({"id": f"w{n}", "name": f"W{n}", "director": team[0], "members": team[1:]})
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "centres.yaml").write_text(yaml.safe_dump({"centres": centres}), encoding="utf-8")
    return wave_centres


async def install_for_invitees(data_dir: Path, store, connector_url: str) -> None:
    """As if the app had been installed for the wave's people: the bot knows their 1:1 chats."""
    registry = await asyncio.to_thread(load_registry, data_dir / "centres.yaml")
    known = People(store, registry, ())
    for centre in registry.centres:
        for person in centre.people:
            if not (person.aad_object_id or "").startswith("aad-bench-invitee-"):
                continue
            user_id = f"29:{person.aad_object_id}"
            reference = ConversationReference(
                channel_id="msteams",
                service_url=connector_url,
                bot=ChannelAccount(id=BOT_ID, name="Poolster"),
                user=ChannelAccount(id=user_id, aad_object_id=person.aad_object_id),
                conversation=ConversationAccount(
                    id=f"personal-{user_id}", conversation_type="personal", tenant_id=TENANT
                ),
            )
            await known.save_user(
                KnownUser(
                    user_id=user_id,
                    aad_object_id=person.aad_object_id,
                    email=person.email,
                    tenant_id=TENANT,
                    service_url=connector_url,
                    personal_reference=reference.serialize(),
                )
            )


def member_respondents(users: list[TeamsUser], teams: TeamsClient, connector: TenantConnector) -> list[Respondent]:
    return [
        Respondent(user, teams, TENANT, reply_to=lambda u: connector.last_card.get(u.conversation_id)) for user in users
    ]


async def answer_for(
    respondents: list[Respondent], seconds: float, timings: list[tuple[float, float]], failures: list[str] | None = None
) -> None:
    """Every respondent answers every THINK_TIME s for `seconds`; (started, latency) per answer.

    A turn the bot answers with an error is counted in `failures` (the plain peer bot, which does not
    retry, answers 500 when Teams throttles it); without that list it ends the run."""
    deadline = time.perf_counter() + seconds

    async def member(respondent: Respondent) -> None:
        await asyncio.sleep(random.uniform(0, THINK_TIME))
        while time.perf_counter() < deadline:
            started = time.monotonic()
            try:
                timings.append((started, await respondent.turn()))
            except RuntimeError as error:
                if failures is None:
                    raise
                failures.append(str(error))
            await asyncio.sleep(THINK_TIME)

    await asyncio.gather(*(member(r) for r in respondents))


def latency_columns(latencies: list[float]) -> dict:
    if not latencies:  # a tiny launch can be over between two answers
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None}
    return {
        "p50_ms": percentile(latencies, 50) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
    }


async def first_messages(respondents) -> None:
    """Each member's first message (the bot looks the member up), 20 a second: the plain peer bot does
    not retry, so a burst beyond Teams' 50 a second would fail its turns before anything is measured."""
    for start in range(0, len(respondents), 20):
        await asyncio.gather(*(r.turn() for r in respondents[start : start + 20]))
        await asyncio.sleep(1.0)


async def sustained_level(
    respondents, connector: TenantConnector, pid: int, duration: float, member_chats: set[str]
) -> dict:
    await first_messages(respondents)
    timings: list[tuple[float, float]] = []
    failures: list[str] = []
    rejected_before = len(connector.rejections)
    started, cpu_before = time.monotonic(), cpu_seconds(pid)
    await answer_for(respondents, duration, timings, failures)
    elapsed, cpu = time.monotonic() - started, cpu_seconds(pid) - cpu_before
    arrivals = connector.between(started, started + elapsed)
    replies = sum(1 for _, _, chat in arrivals if chat in member_chats)
    answers = len(timings)
    return {
        "members": len(respondents),
        "answers_per_s": answers / elapsed,
        **latency_columns([latency for _, latency in timings]),
        "requests_per_answer": replies / answers,
        "background_per_s": (len(arrivals) - replies) / elapsed,
        "429s": len(connector.rejections) - rejected_before,
        "failed_turns": len(failures),
        "bot_cpu_ms_per_answer": cpu / answers * 1000,
        "lost_or_misordered": 0,
    }


async def launch_during_answers(
    respondents, connector: TenantConnector, teams: TeamsClient, wave_centres: list[str], invitees: int
) -> dict:
    """POC+ launches a wave for `invitees` people while the members keep answering."""
    await asyncio.gather(*(r.turn() for r in respondents))
    connector.add_member(ADMIN.as_member())
    await teams.post(teams.activity(ADMIN, text="hallo", tenant=TENANT))
    timings: list[tuple[float, float]] = []
    stop = asyncio.Event()
    rejected_before = len(connector.rejections)

    async def answering() -> None:
        while not stop.is_set():
            await answer_for(respondents, 2.0, timings)

    async def launch() -> tuple[float, float]:
        await asyncio.sleep(THINK_TIME)  # the answers are under way
        command = f"nieuwe ronde Bench-golf tot 01-06-2099 voor {', '.join(wave_centres)}"
        await teams.post(teams.activity(ADMIN, text=command, tenant=TENANT))
        card_id = connector.last_card[ADMIN.conversation_id]
        confirmation = connector.admin_cards[card_id]
        # With another wave open (the default one) the card offers to run both: keep the members' wave open.
        value = fill_card(
            confirmation, "Lanceer, laat beide open" if "laat beide open" in str(confirmation) else "Lanceer de ronde"
        )
        started = time.monotonic()
        await teams.post(teams.activity(ADMIN, value=value, reply_to_id=card_id, tenant=TENANT))
        while True:
            invited = [
                at
                for at, method, chat in connector.arrivals
                if at >= started and method == "POST" and "aad-bench-invitee-" in chat
            ]
            if len(invited) >= invitees:
                return started, max(invited)
            await asyncio.sleep(0.2)

    answers = asyncio.create_task(answering())
    try:
        started, finished = await launch()
    finally:
        stop.set()
        await answers
    elapsed = finished - started
    during = [latency for at, latency in timings if at <= finished and at + latency >= started]  # overlapping it
    arrivals = connector.between(started, finished)
    wave_requests = sum(1 for _, _, chat in arrivals if "aad-bench-invitee-" in chat)
    other_per_s = (len(arrivals) - wave_requests) / elapsed
    floor = wave_requests / (50 - other_per_s)
    return {
        "members": len(respondents),
        "answers_per_s": len(during) / elapsed,
        **latency_columns(during),
        "invitations": len(set(chat for at, method, chat in arrivals if "aad-bench-invitee-" in chat)),
        "launch_s": elapsed,
        "other_requests_per_s": other_per_s,
        "floor_s": floor,
        "ratio": elapsed / floor,
        "429s": len(connector.rejections) - rejected_before,
    }


class PeerProcess:
    """scripts/bench_peer_bot.py as its own process."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen([sys.executable, "scripts/bench_peer_bot.py", str(self.port)], cwd=ROOT)

    async def started(self) -> PeerProcess:
        async with aiohttp.ClientSession() as session:
            for _ in range(300):
                try:
                    async with session.get(f"{self.url}/healthz") as response:
                        if response.status == 200:
                            return self
                except aiohttp.ClientError:
                    await asyncio.sleep(0.1)
        raise TimeoutError("the peer bot did not start")

    def stop(self) -> None:
        stop_process(self.process)


async def bench_one_tenant(stored: int, duration: float, levels: list[int], wave_members: int, invitees: int) -> dict:
    needed = sum(levels) + wave_members
    users = people(max(stored, needed))
    members = users[:needed]
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        wave_centres = write_registry(data_dir, members, invitees)
        connector = TenantConnector()
        await connector.start()
        for user in members:
            connector.add_member(user.as_member())
        store = await prefill("embedded", data_dir, users)
        await install_for_invitees(data_dir, store, connector.url)
        await store.close()
        bot = BotProcess(
            data_dir,
            POOLSTER_DEFAULT_WAVE="false",
            POOLSTER_SUMMARY_UPDATE_INTERVAL="2",
            POOLSTER_ALLOWED_TENANTS=TENANT,
            POOLSTER_ADMINS=ADMIN.email,
            POOLSTER_DEFAULT_SERVICE_URL=connector.url,
        ).start(timeout=60)
        sustained, measured, offset = [], [], 0
        try:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
                teams = TeamsClient(session, bot.url, connector)
                for level in levels:
                    respondents = member_respondents(members[offset : offset + level], teams, connector)
                    offset += level
                    chats = {r.user.conversation_id for r in respondents}
                    sustained.append(await sustained_level(respondents, connector, bot.process.pid, duration, chats))
                    measured.append(respondents)
                    connector.arrivals.clear()
                    if sustained[-1]["p95_ms"] > P95_GOAL_MS:
                        break
                respondents = member_respondents(members[needed - wave_members : needed], teams, connector)
                launch = await launch_during_answers(respondents, connector, teams, wave_centres, invitees)
                measured.append(respondents)
        finally:
            bot.stop()
        *per_level, launch["lost_or_misordered"] = await verify_responses(data_dir, users, measured)
        for row, count in zip(sustained, per_level, strict=False):
            row["lost_or_misordered"] = count

        # The peer, under the load of Poolster's best sustained level.
        met = [row for row in sustained if row["p95_ms"] <= P95_GOAL_MS] or sustained[:1]
        best = max(met, key=lambda row: row["answers_per_s"])
        peer = PeerProcess()
        try:
            await peer.started()
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
                teams = TeamsClient(session, peer.url, connector)
                peers = member_respondents(people(best["members"]), teams, connector)
                peer_row = await sustained_level(
                    peers, connector, peer.process.pid, duration, {r.user.conversation_id for r in peers}
                )
        finally:
            peer.stop()
            await connector.stop()
        cpu = {
            "members": best["members"],
            "poolster_cpu_ms_per_answer": best["bot_cpu_ms_per_answer"],
            "peer_cpu_ms_per_answer": peer_row["bot_cpu_ms_per_answer"],
            "ratio": best["bot_cpu_ms_per_answer"] / peer_row["bot_cpu_ms_per_answer"],
            "poolster_requests_per_answer": best["requests_per_answer"],
            "peer_requests_per_answer": peer_row["requests_per_answer"],
            "poolster_p95_ms": best["p95_ms"],
            "peer_p95_ms": peer_row["p95_ms"],
            "peer_failed_turns": peer_row["failed_turns"],
        }
        return {"sustained": sustained, "best": best, "launch": launch, "cpu": cpu}
