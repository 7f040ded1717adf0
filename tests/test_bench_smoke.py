"""The benchmark script runs end to end (tiny sizes); the real numbers come from `make bench`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_benchmarks_run_with_tiny_sizes():
    result = subprocess.run(
        [sys.executable, "scripts/bench.py", "--smoke"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for title in (
        "1. Turn latency",
        "2. Throughput in one tenant",
        "2b. Throughput over",
        "3. Wave fan-out",
        "3b. A wave launched in the tenant while members answer",
        "4. Memory and start-up",
        "5. CPU per answer against a plain botbuilder bot",
    ):
        assert title in result.stdout
    for column in ("p95_ms", "requests_per_answer", "floor_s", "rss_mb", "peer_cpu_ms_per_answer"):
        assert column in result.stdout
