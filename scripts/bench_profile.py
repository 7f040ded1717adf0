"""Where the bot's CPU goes under one-tenant load: a py-spy profile of `python app.py`.

    python scripts/bench_profile.py                 30 members answering every 2 s, 20 s sampled
    python scripts/bench_profile.py --members 60 --seconds 30 --top 50

The bot runs as its own process on an embedded store with 10,000 responses, loaded as in table 2 of
scripts/bench.py; py-spy (requirements-dev.txt) samples it while it holds the GIL, so the shares are
of the bot's CPU time, not of the time it waits. Prints the level's numbers, then the functions by
the share of samples in which they are on the stack (inclusive) and at the top (self).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.bench import people, prefill  # noqa: E402
from scripts.bench_one_tenant import TENANT, TenantConnector, member_respondents, sustained_level, write_registry  # noqa: E402
from tests.support.process import BotProcess  # noqa: E402
from tests.support.teams import TeamsClient  # noqa: E402


async def profile(members: int, seconds: float, output: Path) -> dict:
    users = people(10_000)
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        write_registry(data_dir, users[:members], 0)
        connector = TenantConnector()
        await connector.start()
        for user in users[:members]:
            connector.add_member(user.as_member())
        store = await prefill("embedded", data_dir, users)
        await store.close()
        bot = BotProcess(
            data_dir,
            POOLSTER_DEFAULT_WAVE="false",
            POOLSTER_SUMMARY_UPDATE_INTERVAL="2",
            POOLSTER_ALLOWED_TENANTS=TENANT,
        ).start(timeout=60)
        try:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
                respondents = member_respondents(users[:members], TeamsClient(session, bot.url, connector), connector)
                await asyncio.gather(*(r.turn() for r in respondents))  # the first turn looks each member up
                spy = subprocess.Popen(
                    [
                        str(Path(sys.executable).parent / "py-spy"),
                        "record",
                        "--pid",
                        str(bot.process.pid),
                        "--format",
                        "raw",
                        "--output",
                        str(output),
                        "--duration",
                        str(int(seconds)),
                        "--rate",
                        "200",
                        "--gil",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                row = await sustained_level(
                    respondents, connector, bot.process.pid, seconds, {r.user.conversation_id for r in respondents}
                )
                spy.wait()
        finally:
            bot.stop()
            await connector.stop()
    return row


def shares(raw: Path) -> tuple[int, Counter, Counter]:
    """Samples in total, and per function (file and name, no line) on the stack and at its top."""
    total, inclusive, own = 0, Counter(), Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [re.sub(r":\d+\)", ")", frame) for frame in stack.split(";")]
        total += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):
            inclusive[frame] += int(count)
    return total, inclusive, own


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder) / "profile.txt"
        print(asyncio.run(profile(args.members, args.seconds, raw)))
        total, inclusive, own = shares(raw)
    for title, counter in (("on the stack", inclusive), ("at the top", own)):
        print(f"\n{title} ({total} samples)")
        for frame, count in counter.most_common(args.top):
            print(f"{count / total * 100:5.1f}%  {frame}")


if __name__ == "__main__":
    main()
