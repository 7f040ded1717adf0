"""Is this a valid Adaptive Card 1.5 for Teams? The official parser plus Teams' own rules.

The parser (tools/cardcheck/validate.js, npm `adaptivecards`) runs as one long-lived Node process
per test session; `problems(card)` returns what is wrong with a card, empty when it is fine.
"""

from __future__ import annotations

import json
import subprocess
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "cardcheck" / "validate.js"
MAX_BYTES = 40 * 1024
CHARTS = {"Chart.VerticalBar", "Chart.VerticalBar.Grouped", "Chart.HorizontalBar", "Chart.HorizontalBar.Stacked",
          "Chart.Line", "Chart.Pie", "Chart.Donut", "Chart.Gauge"}


def _walk(node, in_chart: bool = False):
    """Every dict in the card; chart elements are yielded, their own data is not descended into."""
    if isinstance(node, dict):
        yield node
        if node.get("type") in CHARTS:
            if isinstance(node.get("fallback"), dict):
                yield from _walk(node["fallback"])
            return
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _without_charts(node):
    """The card as a client without charts sees it: each chart replaced by its fallback."""
    if isinstance(node, dict):
        if node.get("type") in CHARTS:
            return _without_charts(node.get("fallback"))
        return {key: _without_charts(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_without_charts(item) for item in node]
    return node


def teams_problems(card: dict) -> list[str]:
    problems = []
    if card.get("type") != "AdaptiveCard":
        problems.append("root type must be AdaptiveCard")
    if card.get("version") != "1.5":
        problems.append(f"version must be 1.5, not {card.get('version')!r}")
    size = len(json.dumps(card, ensure_ascii=False).encode("utf-8"))
    if size >= MAX_BYTES:
        problems.append(f"card is {size} bytes; Teams needs it under {MAX_BYTES}")
    elements = list(_walk(card))
    ids = [e["id"] for e in elements if str(e.get("type", "")).startswith("Input.")]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        problems.append(f"duplicate input ids: {sorted(duplicates)}")
    if any(not i for i in ids):
        problems.append("an input has no id")
    all_ids = {e.get("id") for e in elements if e.get("id")}
    for element in elements:
        kind = element.get("type")
        if kind == "Action.Execute":
            problems.append("Action.Execute does not work on Teams mobile: use Action.Submit")
        if kind == "Action.ToggleVisibility":
            for target in element.get("targetElements", []):
                target_id = target if isinstance(target, str) else target.get("elementId")
                if target_id not in all_ids:
                    problems.append(f"ToggleVisibility targets a missing element {target_id!r}")
        if kind == "Action.Submit" and "data" in element and not isinstance(element["data"], dict):
            problems.append("Action.Submit data must be an object so Teams merges the inputs into it")
        if kind in CHARTS and not isinstance(element.get("fallback"), dict):
            problems.append(f"{kind} needs a fallback element (Teams iOS draws no charts)")
        if any(value is None for value in element.values()):
            problems.append(f"{kind}: null values are rejected by some Teams clients")
    return problems


class CardValidator:
    def __init__(self) -> None:
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def _parser(self) -> subprocess.Popen:
        if self._process is None or self._process.poll() is not None:
            if not (SCRIPT.parent / "node_modules" / "adaptivecards").exists():
                raise RuntimeError("the card validator is not installed: run `make install` "
                                   "(npm ci --prefix tools/cardcheck)")
            self._process = subprocess.Popen(["node", str(SCRIPT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                             text=True, encoding="utf-8")
        return self._process

    def problems(self, card: dict) -> list[str]:
        problems = teams_problems(card)
        with self._lock:
            process = self._parser()
            process.stdin.write(json.dumps(_without_charts(card), ensure_ascii=False) + "\n")
            process.stdin.flush()
            result = json.loads(process.stdout.readline())
        return problems + result["errors"]

    def assert_valid(self, card: dict) -> None:
        problems = self.problems(card)
        assert not problems, "invalid card:\n- " + "\n- ".join(problems) + "\n" + json.dumps(card)[:2000]

    def close(self) -> None:
        if self._process is not None:
            self._process.stdin.close()
            self._process.wait(timeout=10)
            self._process = None
