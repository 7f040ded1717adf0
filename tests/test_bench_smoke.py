"""The benchmark script runs end to end (tiny sizes); the real numbers come from `make bench`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_benchmarks_run_with_tiny_sizes():
    result = subprocess.run([sys.executable, "scripts/bench.py", "--smoke"], cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    for title in ("1. Turn latency", "2. Throughput", "3. Wave fan-out", "4. Memory and start-up"):
        assert title in result.stdout
    assert "p95_ms" in result.stdout and "rss_mb" in result.stdout
