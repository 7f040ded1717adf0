"""Poolster benchmarks: turn latency, throughput in one tenant and in many, wave fan-out, memory and
start-up, CPU against a plain botbuilder bot.

    python scripts/bench.py            full sizes (takes several minutes; results go in docs/benchmarks.md)
    python scripts/bench.py --smoke    tiny sizes, to prove the benchmark runs (CI)

Everything runs on this machine, against the real aiohttp app and the fake Teams connector of the
tests; numbers from one run are comparable with each other, not across machines.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import aiohttp
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storage.factory import open_store  # noqa: E402
from storage.repository import Repository, make_key  # noqa: E402
from survey.answers import QuestionAnswer, Response  # noqa: E402
from survey.questionnaire import load_catalog  # noqa: E402
from tests.support.azurite import Azurite  # noqa: E402
from tests.support.fake_connector import FakeConnector  # noqa: E402
from tests.support.harness import start_bot  # noqa: E402
from tests.support.process import BotProcess  # noqa: E402
from tests.support.teams import TeamsClient, TeamsUser  # noqa: E402

MEMBERS_PER_CENTRE = 10
# Tables 1 and 2b spread the simulated users over several tenants (schools and centres with a
# Microsoft 365 tenant of their own), so they measure the bot, not Teams' 50 requests a second per
# tenant; GO! itself is one tenant, which scripts/bench_one_tenant.py measures (table 2).
TENANTS = 10
WAVE = "bench-wave"
# The team's questionnaire (the self-scan) and, found by what they contribute, the questions of its
# first page: today's level and the intended one.
Q = load_catalog().for_respondents("team")[0]
LEVEL = Q.questions_for("level")[0]
TARGET = Q.questions_for("target_level")[0]
LEVELS = Q.scale_of(LEVEL).level_ids
# An intention that aims at the highest level: a step forward from the first two levels.
HIGHEST = next(option.id for option in TARGET.options if option.target == LEVELS[-1])
TALLY = Q.questions_for("tally")[0]
NOW = datetime(2026, 11, 24, tzinfo=timezone.utc)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def people(count: int) -> list[TeamsUser]:
    return [
        TeamsUser(f"Lid {n}", f"lid{n}@centrum{n // MEMBERS_PER_CENTRE}.example", f"aad-bench-{n}")
        for n in range(count)
    ]


def write_registry(data_dir: Path, users: list[TeamsUser]) -> None:
    centres = []
    for start in range(0, len(users), MEMBERS_PER_CENTRE):
        team = users[start : start + MEMBERS_PER_CENTRE]
        centres.append(
            {
                "id": f"centrum-{start // MEMBERS_PER_CENTRE}",
                "name": f"Centrum {start // MEMBERS_PER_CENTRE}",
                "director": {"name": "Directeur", "email": f"directeur@centrum{start // MEMBERS_PER_CENTRE}.example"},
                "members": [{"name": u.name, "email": u.email} for u in team],
            }
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "centres.yaml").write_text(yaml.safe_dump({"centres": centres}), encoding="utf-8")


def stored_response(user: TeamsUser, centre_id: str) -> dict:
    """A realistic half-answered response (~2 KB of JSON)."""
    answers = {}
    for unit in Q.units[:5]:
        answers[unit.id] = {
            LEVEL.id: QuestionAnswer(choices=(LEVELS[1],)),
            TARGET.id: QuestionAnswer(choices=(HIGHEST,)),
            TALLY.id: QuestionAnswer(choices=(TALLY.options[-1].id,), explanation="Toelichting " * 4),
        }
    response = Response(
        wave_id=WAVE,
        centre_id=centre_id,
        respondent_id=user.email,
        respondent_name=user.name,
        questionnaire_id=Q.id,
        questionnaire_version=Q.version,
        answers=answers,
        started_at=NOW,
        updated_at=NOW,
        revision=15,
    )
    return {**response.model_dump(mode="json"), "e_tag": "*"}


async def prefill(kind: str, data_dir: Path, users: list[TeamsUser], store=None, blob_connection_string: str = ""):
    store = store or await open_store(
        kind,
        data_dir=data_dir,
        blob_connection_string=blob_connection_string,
        blob_container=f"bench-{uuid.uuid4().hex[:12]}",
    )
    wave = {
        "id": WAVE,
        "name": "Bench",
        "status": "open",
        "created_at": NOW.isoformat(),
        "launched_at": NOW.isoformat(),
        "questionnaire_id": Q.id,
        "questionnaire_version": Q.version,
        "e_tag": "*",
    }
    await store.write({make_key("waves", WAVE): wave})
    for start in range(0, len(users), 1000):
        batch = {}
        for n, user in enumerate(users[start : start + 1000], start=start):
            centre_id = f"centrum-{n // MEMBERS_PER_CENTRE}"
            batch[make_key("responses", WAVE, centre_id, user.email)] = stored_response(user, centre_id)
        await store.write(batch)
    return store


class Respondent:
    """A simulated user who keeps changing their answer to the first unit (every turn writes).

    With `reply_to`, each submission carries `replyToId` (the id of the message with the card), as
    Teams sends it; the bot then also rewrites the answered card.
    """

    def __init__(
        self,
        user: TeamsUser,
        teams: TeamsClient,
        tenant: str,
        reply_to: Callable[[TeamsUser], str | None] | None = None,
    ):
        self.user, self.teams, self.tenant, self.rev, self.turns = user, teams, tenant, 15, 0
        self.reply_to = reply_to
        self.answered_at = -math.inf  # time.perf_counter() when the bot acknowledged the last answer

    async def turn(self) -> float:
        level = LEVELS[self.turns % 2]
        value = {
            "action": "save_page",
            "v": 1,
            "wave": WAVE,
            "unit": Q.units[0].id,
            "page": Q.pages[0].id,
            "rev": self.rev,
            LEVEL.id: level,
            TARGET.id: HIGHEST,
        }
        started = time.perf_counter()
        reply_to_id = self.reply_to(self.user) if self.reply_to else None
        status = await self.teams.post(
            self.teams.activity(self.user, value=value, tenant=self.tenant, reply_to_id=reply_to_id)
        )
        elapsed = time.perf_counter() - started
        if status not in (200, 201):
            raise RuntimeError(f"HTTP {status}")
        self.rev += 1
        self.turns += 1
        self.answered_at = started + elapsed
        return elapsed


def respondents_for(users: list[TeamsUser], teams: TeamsClient) -> list[Respondent]:
    """The users as respondents, spread over TENANTS tenants."""
    return [Respondent(user, teams, f"tenant-{n % TENANTS}") for n, user in enumerate(users)]


async def run_turns(kind: str, stored: int, turns: int, active: int, blob_connection_string: str = "") -> list[float]:
    users = people(max(stored, active))
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        write_registry(data_dir, users)
        connector = FakeConnector()
        await connector.start()
        for user in users[:active]:
            connector.add_member(user.as_member())
        store = await prefill(kind, data_dir, users, blob_connection_string=blob_connection_string)
        running = await start_bot(
            data_dir,
            store="memory",
            build={"store": store},
            default_wave=False,
            allowed_tenants=(),
            summary_update_interval=2.0,
        )
        try:
            async with aiohttp.ClientSession() as session:
                teams = TeamsClient(session, running.url, connector)
                respondents = respondents_for(users[:active], teams)
                for respondent in respondents:  # warm-up: identity lookups, caches
                    await respondent.turn()
                timings = []
                for _ in range(turns):
                    timings.append(await (await next_reader(respondents)).turn())
                    # The fake connector keeps what it receives; in this shared process that would
                    # grow the garbage collector's work turn after turn and blur the bot's numbers.
                    connector.calls.clear()
        finally:
            await running.stop()
            await connector.stop()
        return timings


# No person answers a card sooner than this after their previous answer. Without it, 20 simulated
# users answering one after another at 5-15 ms a turn each answer 3-10 times a second, past Teams'
# 7 messages a second per chat: the replies then wait in the rate limiter for the chat's next second
# (the 300-1,000 ms p99 of earlier runs), which measures Teams' limit, not the bot.
READING_TIME = 0.6


async def next_reader(respondents: list[Respondent]) -> Respondent:
    """A random respondent among those who have had READING_TIME since their last answer."""
    while True:
        now = time.perf_counter()
        ready = [r for r in respondents if now - r.answered_at >= READING_TIME]
        if ready:
            return random.choice(ready)
        await asyncio.sleep(min(r.answered_at for r in respondents) + READING_TIME - now)


STORE_NAMES = {"embedded": "TinyDB (embedded)", "memory": "MemoryStorage", "blob": "Azure Blob (Azurite)"}


async def bench_latency(sizes: list[int], turns: int) -> list[dict]:
    rows = []
    azurite = Azurite().start()  # the shared store, on loopback: its cost without a network's
    try:
        for kind in STORE_NAMES:
            for size in sizes:
                timings = await run_turns(
                    kind, size, turns, active=20, blob_connection_string=azurite.connection_string
                )
                rows.append(latency_row(kind, size, turns, timings))
    finally:
        azurite.stop()
    return rows


def latency_row(kind: str, size: int, turns: int, timings: list[float]) -> dict:
    return {
        "store": STORE_NAMES[kind],
        "stored": size,
        "turns": turns,
        "p50_ms": percentile(timings, 50) * 1000,
        "p95_ms": percentile(timings, 95) * 1000,
        "p99_ms": percentile(timings, 99) * 1000,
    }


THINK_TIME = 0.5  # seconds between one user's answers: Teams allows ~7 messages a second per chat


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def bench_throughput(stored: int, duration: float, max_concurrency: int) -> list[dict]:
    """The bot as its own process (as in production); users and connector in this one."""
    rows = []
    users = people(max(stored, max_concurrency))
    respondents_by_level: list[list[Respondent]] = []
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        write_registry(data_dir, users)
        store = await prefill("embedded", data_dir, users)
        await store.close()
        connector = FakeConnector()
        await connector.start()
        for user in users:
            connector.add_member(user.as_member())
        bot = BotProcess(
            data_dir, POOLSTER_DEFAULT_WAVE="false", POOLSTER_SUMMARY_UPDATE_INTERVAL="2", POOLSTER_ALLOWED_TENANTS=""
        ).start(timeout=60)
        try:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
                teams = TeamsClient(session, bot.url, connector)
                concurrency, offset = 25, 0
                while concurrency <= max_concurrency and offset + concurrency <= len(users):
                    # Fresh users per level, so each one's expected revision is known.
                    respondents = respondents_for(users[offset : offset + concurrency], teams)
                    offset += concurrency
                    # Warm-up: a user's first message makes the bot look them up in Teams once (their
                    # e-mail, for the registry); answers come after that.
                    await asyncio.gather(*(r.turn() for r in respondents))
                    timings: list[float] = []
                    deadline = time.perf_counter() + duration

                    async def worker(respondent: Respondent) -> None:
                        await asyncio.sleep(random.uniform(0, THINK_TIME))
                        while time.perf_counter() < deadline:  # noqa: B023 - called within this iteration only
                            timings.append(await respondent.turn())  # noqa: B023 - called within this iteration only
                            await asyncio.sleep(THINK_TIME)

                    started, cpu_before = time.perf_counter(), cpu_seconds(bot.process.pid)
                    await asyncio.gather(*(worker(r) for r in respondents))
                    elapsed, cpu = time.perf_counter() - started, cpu_seconds(bot.process.pid) - cpu_before
                    connector.calls.clear()
                    respondents_by_level.append(respondents)
                    p95 = percentile(timings, 95) * 1000
                    rows.append(
                        {
                            "concurrent_users": concurrency,
                            "answers_per_s": len(timings) / elapsed,
                            "p50_ms": percentile(timings, 50) * 1000,
                            "p95_ms": p95,
                            "bot_cpu_ms_per_answer": cpu / len(timings) * 1000,
                            "bot_cpu_percent": cpu / elapsed * 100,
                            "lost_or_misordered": 0,
                        }
                    )
                    if p95 > 100:
                        break
                    concurrency *= 2
        finally:
            bot.stop()
            await connector.stop()
        for row, lost in zip(rows, await verify_responses(data_dir, users, respondents_by_level), strict=False):
            row["lost_or_misordered"] = lost
    return rows


async def verify_responses(data_dir: Path, users: list[TeamsUser], groups: list[list[Respondent]]) -> list[int]:
    """Per group, the respondents whose stored response lost or misordered an acknowledged answer:
    the revision counts every turn, the last answer is the stored one. (After the bot stopped: a
    running bot holds the store's lock.)"""
    store = await open_store("embedded", data_dir=data_dir)
    try:
        responses = Repository(store, "responses", Response)
        index = {user.email: n for n, user in enumerate(users)}
        counts = []
        for respondents in groups:
            lost = 0
            for respondent in respondents:
                centre = f"centrum-{index[respondent.user.email] // MEMBERS_PER_CENTRE}"
                response = await responses.get(WAVE, centre, respondent.user.email)
                expected = LEVELS[(respondent.turns - 1) % 2]  # what the last turn sent
                if response.revision != respondent.rev or response.choice(Q.units[0].id, LEVEL.id) != expected:
                    lost += 1
            counts.append(lost)
        return counts
    finally:
        await store.close()


async def bench_memory_startup(stored: int) -> dict:
    """The first start on a data folder, and a restart (the usual case: an upgrade, a reboot)."""
    users = people(stored)
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        write_registry(data_dir, users)
        store = await prefill("embedded", data_dir, users)
        await store.close()
        row = {"stored": stored}
        for label in ("first_start_s", "restart_s"):
            bot = BotProcess(data_dir, POOLSTER_DEFAULT_WAVE="false")
            started = time.perf_counter()
            bot.start(timeout=60)
            row[label] = time.perf_counter() - started
            try:
                # Touch the store like a first turn would, then read the resident set size.
                async with aiohttp.ClientSession() as session, session.get(f"{bot.url}/healthz") as response:
                    await response.read()
                status = Path(f"/proc/{bot.process.pid}/status").read_text()
                rss_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))
            finally:
                bot.stop()
        return {**row, "rss_mb": rss_kb / 1024}


def _cell(key: str, value: object) -> str:
    if isinstance(value, float):
        return f"{value:.2f}" if key == "ratio" else f"{value:.1f}"
    return str(value)


def table(title: str, rows: list[dict]) -> str:
    if not rows:
        return f"\n{title}\n(no rows)\n"
    headers = list(rows[0])
    lines = [f"\n{title}", "| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for row in rows:
        lines.append("| " + " | ".join(_cell(key, value) for key, value in row.items()) + " |")
    return "\n".join(lines)


async def main(smoke: bool) -> None:
    logging.basicConfig(level=logging.ERROR)
    random.seed(1)
    sizes = [10, 50] if smoke else [100, 1000, 10000]
    turns = 30 if smoke else 400
    latency = await bench_latency(sizes, turns)
    print(table("1. Turn latency (one save per turn, 20 active users)", latency), flush=True)
    from scripts.bench_one_tenant import bench_one_tenant

    one_tenant = await bench_one_tenant(
        50 if smoke else 10000,
        1.5 if smoke else 8.0,
        [10] if smoke else [20, 30, 40, 50, 60, 70, 80, 90, 100],
        10 if smoke else 30,
        20 if smoke else 1000,
    )
    print(
        table(
            "2. Throughput in one tenant (GO!: one budget of 50 requests a second; embedded store)",
            one_tenant["sustained"],
        ),
        flush=True,
    )
    throughput = await bench_throughput(50 if smoke else 10000, 1.0 if smoke else 5.0, 25 if smoke else 800)
    print(
        table(f"2b. Throughput over {TENANTS} tenants (the bot without Teams' per-tenant cap)", throughput), flush=True
    )
    from scripts.bench_fanout import bench_fanout

    fanout = [await bench_fanout(20 if smoke else 1000, met_before=met) for met in (True, False)]
    fanout.append(await bench_fanout(20 if smoke else 1000, met_before=False, via_graph=True))
    print(table("3. Wave fan-out through the rate-limited fake connector", fanout), flush=True)
    print(table("3b. A wave launched in the tenant while members answer", [one_tenant["launch"]]), flush=True)
    memory = await bench_memory_startup(50 if smoke else 10000)
    print(table("4. Memory and start-up", [memory]), flush=True)
    print(
        table("5. CPU per answer against a plain botbuilder bot (same load, same run)", [one_tenant["cpu"]]), flush=True
    )
    if not smoke:
        results = {
            "latency": latency,
            "one_tenant": one_tenant,
            "throughput": throughput,
            "fanout": fanout,
            "memory": memory,
            "when": datetime.now(timezone.utc).isoformat(),
            "cpus": os.cpu_count(),
        }
        (ROOT / "docs" / "benchmarks.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: prove the benchmark runs")
    asyncio.run(main(parser.parse_args().smoke))
