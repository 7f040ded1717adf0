"""What one turn's store work costs on the shared Blob store: read + conditional write of one key.

    python scripts/bench_blob.py               100 and 1,000 stored items, 300 samples each
    python scripts/bench_blob.py --sizes 100 --samples 50     smaller / quicker

Starts Azurite (tests/support/azurite.py; installs it with npm ci when needed) on loopback with a
temporary folder, fills a container with 2 KB items, then times, one at a time, what
`Repository.update` does for a turn: read one random key (with its ETag) and write it back with
If-Match. Prints p50/p95 per store size. Azurite runs on this machine, so the numbers show the
client's and the emulator's cost without network latency; add the round trips to a real Azure
region (two per update) for production.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import string
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storage.blob import BlobStore  # noqa: E402
from storage.repository import make_key  # noqa: E402
from tests.support.azurite import Azurite  # noqa: E402

ITEM_BYTES = 2048


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def item(n: int) -> dict:
    filler = "".join(random.Random(n).choices(string.ascii_letters, k=ITEM_BYTES - 60))
    return {"n": n, "answers": filler}


async def measure(connection_string: str, size: int, samples: int) -> dict:
    store = await BlobStore.open(connection_string, f"bench-{uuid.uuid4().hex[:12]}")
    try:
        keys = [
            make_key("responses", "bench-wave", f"centrum-{n // 10}", f"lid{n}@centrum.example") for n in range(size)
        ]
        started = time.perf_counter()
        for start in range(0, size, 100):
            await store.write({key: item(n) for n, key in enumerate(keys[start : start + 100], start)})
        fill_s = time.perf_counter() - started
        assert len(await store.keys_with_prefix("responses/")) == size
        rng = random.Random(size)
        for key in rng.sample(keys, min(20, size)):  # warm the connection pool
            await store.read([key])
        reads, updates = [], []
        for _ in range(samples):
            key = rng.choice(keys)
            t0 = time.perf_counter()
            current = (await store.read([key]))[key]
            t1 = time.perf_counter()
            await store.write({key: {**current, "n": current["n"] + 1}})  # carries the e_tag: If-Match
            t2 = time.perf_counter()
            reads.append((t1 - t0) * 1000)
            updates.append((t2 - t0) * 1000)
        started = time.perf_counter()
        listed = await store.keys_with_prefix("responses/")
        list_ms = (time.perf_counter() - started) * 1000
        assert len(listed) == size
        return {
            "size": size,
            "fill_s": fill_s,
            "read_p50": percentile(reads, 50),
            "read_p95": percentile(reads, 95),
            "p50": percentile(updates, 50),
            "p95": percentile(updates, 95),
            "list_ms": list_ms,
        }
    finally:
        await store.close()


async def run(connection_string: str, sizes: list[int], samples: int) -> list[dict]:
    return [await measure(connection_string, size, samples) for size in sizes]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    with Azurite() as azurite:
        rows = asyncio.run(run(azurite.connection_string, args.sizes, args.samples))
    print(
        f"BlobStore on Azurite (127.0.0.1), {ITEM_BYTES // 1024} KB items, {args.samples} sequential samples per size"
    )
    print()
    print("| stored items | read p50 | read p95 | read+write p50 | read+write p95 | list all keys | fill |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['size']:,} | {row['read_p50']:.1f} ms | {row['read_p95']:.1f} ms | {row['p50']:.1f} ms | "
            f"{row['p95']:.1f} ms | {row['list_ms']:.0f} ms | {row['fill_s']:.1f} s |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
