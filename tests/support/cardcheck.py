"""Is this card a valid Adaptive Card 1.5 for Teams, under 40 KB? For the tests.

Two layers, one answer (a list of problem strings, empty when the card is fine):

* ``tools/cardcheck/validate.js`` (npm ``adaptivecards``, the official object model, parsing at
  version 1.5): unknown element/action types, 1.6-only properties and elements, invalid values,
  wrong JSON types, unknown (typo'd) properties, required properties, duplicate ids. Teams charts
  are validated through their fallback. It runs as one long-lived Node process, started lazily.
* Teams rules checked here: root ``type`` is ``AdaptiveCard`` and ``version`` exactly ``"1.5"``;
  under 40 KB as UTF-8 JSON; no ``Action.Execute``; every ``Input.*`` has a unique non-empty
  ``id`` across the whole card (ShowCard cards and hidden containers included); every
  ``Action.ToggleVisibility`` target exists; every chart has a fallback element;
  ``Action.Submit.data`` is an object; no ``null`` anywhere.

Use::

    from tests.support.cardcheck import assert_valid_card, CardValidator
    assert_valid_card(card)                      # AssertionError listing every problem
    validator.problems(card)  /  validator.problems_many(cards)   # many cards, one round trip

Pytest: the session-scoped fixture ``card_validator`` lives here. Register it in a conftest.py
(or a test module) by importing it, which is all pytest needs::

    from tests.support.cardcheck import card_validator  # noqa: F401  (a pytest fixture)

(ruff then flags each test parameter named ``card_validator`` as F811; ``from tests.support
import contextlib
import cardcheck`` plus ``card_validator = cardcheck.card_validator`` registers it without that.)

The Node side must be installed first: ``npm ci --prefix tools/cardcheck`` (``make install``).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOL_DIR = ROOT / "tools" / "cardcheck"
SCRIPT = TOOL_DIR / "validate.js"
MAX_BYTES = 40 * 1024
VERSION = "1.5"
CHARTS = frozenset(
    {
        "Chart.VerticalBar",
        "Chart.VerticalBar.Grouped",
        "Chart.HorizontalBar",
        "Chart.HorizontalBar.Stacked",
        "Chart.Line",
        "Chart.Pie",
        "Chart.Donut",
        "Chart.Gauge",
    }
)
# Keys that hold elements, actions or a card; nothing else of a card is structure (data,
# choices, facts, msteams, requires... are values).
_ELEMENT_LISTS = ("body", "items", "columns", "rows", "cells", "inlines", "images")
_ACTION_KEYS = ("selectAction", "inlineAction")
_MAX_NULLS_REPORTED = 10


class CardValidatorError(RuntimeError):
    """The validator itself could not run (Node missing, not installed, crashed, hung)."""


@dataclass
class CardReport:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- Teams rules -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Node:
    path: str
    obj: dict
    role: str  # "card" | "element" | "action"
    rendered: bool  # False inside the fallback of an element Teams renders itself


def _walk(obj: dict, path: str = "card", role: str = "card", rendered: bool = True) -> Iterator[_Node]:
    """Every card, element and action of a card, with its path (as validate.js writes it)."""
    yield _Node(path, obj, role, rendered)
    kind = obj.get("type")
    if kind in CHARTS:
        # Teams draws the chart or, where it cannot (iOS), the fallback: the fallback is rendered.
        if isinstance(obj.get("fallback"), dict):
            yield from _walk(obj["fallback"], f"{path}.fallback", "element", rendered)
        return
    for key in _ELEMENT_LISTS:
        if isinstance(obj.get(key), list):
            for i, child in enumerate(obj[key]):
                if isinstance(child, dict):
                    yield from _walk(child, f"{path}.{key}[{i}]", "element", rendered)
    if isinstance(obj.get("actions"), list):
        for i, child in enumerate(obj["actions"]):
            if isinstance(child, dict):
                yield from _walk(child, f"{path}.actions[{i}]", "action", rendered)
    for key in _ACTION_KEYS:
        if isinstance(obj.get(key), dict):
            yield from _walk(obj[key], f"{path}.{key}", "action", rendered)
    if kind == "Action.ShowCard" and isinstance(obj.get("card"), dict):
        yield from _walk(obj["card"], f"{path}.card", "card", rendered)
    if role != "card" and isinstance(obj.get("fallback"), dict):
        # Teams renders every 1.5 element itself, so this fallback never shows; still checked.
        yield from _walk(obj["fallback"], f"{path}.fallback", role, False)


def _nulls(value, path: str) -> Iterator[str]:
    if value is None:
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _nulls(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _nulls(item, f"{path}[{i}]")


def card_size(card: dict) -> int:
    """The card's size as Teams counts it: UTF-8 bytes of its JSON."""
    return len(json.dumps(card, ensure_ascii=False).encode("utf-8"))


def teams_problems(card: dict) -> list[str]:
    """The Teams rules (see the module docstring); empty when the card follows them all."""
    if not isinstance(card, dict):
        return [f"a card must be a JSON object (dict), not {type(card).__name__}"]
    problems: list[str] = []
    if card.get("type") != "AdaptiveCard":
        problems.append(f'card: root "type" must be "AdaptiveCard", not {card.get("type")!r}')
    if card.get("version") != VERSION:
        problems.append(
            f'card: "version" must be exactly "{VERSION}" (the highest Teams renders), not {card.get("version")!r}'
        )
    if "$schema" in card and not isinstance(card["$schema"], str):
        problems.append('card: "$schema" must be a string URL')
    try:
        json.dumps(card, allow_nan=False)
        size = card_size(card)
    except (TypeError, ValueError) as error:
        problems.append(f"card: not valid JSON: {error}")
    else:
        if size >= MAX_BYTES:
            problems.append(f"card: {size:,} bytes as UTF-8 JSON; Teams needs it under {MAX_BYTES:,} (40 KB)")

    nodes = list(_walk(card))
    inputs: dict[str, list[str]] = {}
    element_ids: set[str] = set()
    for node in nodes:
        obj, kind = node.obj, node.obj.get("type")
        label = f"{node.path} ({kind})"
        if node.rendered and node.role == "element" and isinstance(obj.get("id"), str):
            element_ids.add(obj["id"])
        if node.rendered and isinstance(kind, str) and kind.startswith("Input."):
            input_id = obj.get("id")
            if not isinstance(input_id, str) or not input_id.strip():
                problems.append(
                    f'{label}: every input needs a non-empty string "id" (it names the value '
                    f"Teams submits), got {input_id!r}"
                )
            else:
                inputs.setdefault(input_id, []).append(node.path)
        if kind == "Action.Execute":
            problems.append(
                f"{label}: Action.Execute is not used in Teams bot messages here (HTTP 500 under "
                "the aiohttp CloudAdapter, broken on Teams iOS/Android): use Action.Submit"
            )
        if kind == "Action.Submit" and "data" in obj and not isinstance(obj["data"], dict):
            problems.append(
                f'{label}: "data" must be a JSON object so Teams merges the inputs into it, '
                f"not {type(obj['data']).__name__} {json.dumps(obj['data'])[:60]}"
            )
        if kind in CHARTS and not isinstance(obj.get("fallback"), dict):
            problems.append(
                f"{label}: a chart needs a fallback element (a Table or FactSet with the same "
                "numbers): Teams clients that draw no charts (iOS) show the fallback"
            )
    for input_id, paths in inputs.items():
        if len(paths) > 1:
            problems.append(
                f"duplicate input id {input_id!r} at {', '.join(paths)}: Teams submits one value per "
                "id, so one input silently overwrites the other"
            )
    for node in nodes:
        if node.obj.get("type") == "Action.ToggleVisibility" and isinstance(node.obj.get("targetElements"), list):
            for target in node.obj["targetElements"]:
                target_id = target.get("elementId") if isinstance(target, dict) else target
                if target_id not in element_ids:
                    problems.append(
                        f"{node.path} (Action.ToggleVisibility): target {target_id!r} is not the id "
                        "of any element in the card"
                    )
    nulls = list(_nulls(card, "card"))
    for path in nulls[:_MAX_NULLS_REPORTED]:
        problems.append(f"{path}: null value (some Teams clients, mobile ones, reject nulls): leave it out")
    if len(nulls) > _MAX_NULLS_REPORTED:
        problems.append(f"... and {len(nulls) - _MAX_NULLS_REPORTED} more null values")
    return problems


# --- the Node validator ------------------------------------------------------------------------


class CardValidator:
    """One long-lived ``node tools/cardcheck/validate.js`` process (started on first use) plus the
    Teams rules. Thread-safe; ``close()`` ends the process (the next check starts a new one)."""

    def __init__(self, *, node: str | None = None, timeout: float = 30.0) -> None:
        self._node = node
        self._timeout = timeout
        self._process: subprocess.Popen | None = None
        self._stderr = None
        self._buffer = b""
        self._lock = threading.Lock()

    # Public API

    def check(self, card: dict) -> CardReport:
        return self.check_many([card])[0]

    def check_many(self, cards: Iterable[dict]) -> list[CardReport]:
        """Validate many cards in one round trip to Node (fast: a few hundred microseconds each)."""
        cards = list(cards)
        reports = [CardReport(errors=teams_problems(card)) for card in cards]
        payloads: list[tuple[int, str]] = []
        for index, card in enumerate(cards):
            # A card JSON cannot hold is reported by teams_problems; Node could not read it anyway.
            with contextlib.suppress(TypeError, ValueError):
                payloads.append((index, json.dumps(card, allow_nan=False)))
        results = self._exchange([payload for _, payload in payloads]) if payloads else []
        for (index, _), result in zip(payloads, results, strict=False):
            ours = reports[index].errors
            reports[index].errors.extend(e for e in result.get("errors", []) if not _said_already(ours, e))
            reports[index].warnings.extend(result.get("warnings", []))
        return reports

    def problems(self, card: dict) -> list[str]:
        """Everything wrong with the card, empty when it is a valid Adaptive Card 1.5 for Teams."""
        return self.check(card).errors

    def problems_many(self, cards: Iterable[dict]) -> list[list[str]]:
        return [report.errors for report in self.check_many(cards)]

    def assert_valid(self, card: dict, label: str = "card") -> None:
        problems = self.problems(card)
        assert not problems, _failure(label, card, problems)

    def assert_all_valid(self, cards: Iterable[dict], label: str = "card") -> None:
        cards = list(cards)
        failures = [
            _failure(f"{label} #{i}", card, problems)
            for i, (card, problems) in enumerate(zip(cards, self.problems_many(cards), strict=False))
            if problems
        ]
        assert not failures, f"{len(failures)} of {len(cards)} cards are invalid:\n\n" + "\n\n".join(failures)

    def close(self) -> None:
        with self._lock:
            self._stop()

    def __enter__(self) -> CardValidator:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # The Node process

    def _start(self) -> subprocess.Popen:
        node = self._node or os.environ.get("CARDCHECK_NODE") or shutil.which("node")
        if not node:
            raise CardValidatorError("node is not on PATH: the card validator needs Node.js 18+")
        if not (TOOL_DIR / "node_modules" / "adaptivecards").is_dir():
            raise CardValidatorError(
                "the card validator is not installed: run `npm ci --prefix tools/cardcheck` (or `make install`)"
            )
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - open while the validator runs, closed in close()
        self._buffer = b""
        return subprocess.Popen(
            [node, str(SCRIPT)], cwd=TOOL_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr
        )

    def _stop(self, kill: bool = False) -> None:
        process, self._process = self._process, None
        if process is not None:
            try:
                if kill:
                    process.kill()
                else:
                    process.stdin.close()
                process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                process.kill()
                process.wait()
            process.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def _fail(self, why: str) -> CardValidatorError:
        stderr = b""
        if self._stderr is not None:
            self._stderr.seek(0)
            stderr = self._stderr.read()[-2000:]
        self._stop(kill=True)
        detail = stderr.decode("utf-8", "replace").strip()
        return CardValidatorError(
            f"card validator (node {SCRIPT.relative_to(ROOT)}) {why}" + (f":\n{detail}" if detail else "")
        )

    def _read_line(self) -> bytes:
        deadline = time.monotonic() + self._timeout
        fd = self._process.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._fail(f"gave no answer within {self._timeout:g} s")
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    raise self._fail(f"exited with code {self._process.wait()}")
                self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line

    def _exchange(self, payloads: list[str]) -> list[dict]:
        data = ("\n".join(payloads) + "\n").encode("utf-8")
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._stop()
                self._process = self._start()
            process = self._process
            write_error: list[BaseException] = []

            def write() -> None:
                try:
                    process.stdin.write(data)
                    process.stdin.flush()
                except OSError as error:  # the process died; the reader reports it
                    write_error.append(error)

            # Small batches fit the pipe; big ones are written from a thread so that Node, whose
            # answers fill the other pipe meanwhile, never waits on us while we wait on it.
            writer = None
            if len(data) < 32_768:
                write()
            else:
                writer = threading.Thread(target=write, daemon=True)
                writer.start()
            results = []
            for _ in payloads:
                try:
                    results.append(json.loads(self._read_line()))
                except json.JSONDecodeError as error:
                    raise self._fail(f"wrote something that is not a JSON result ({error})") from None
            if writer is not None:
                writer.join()
            return results


_ROOT_RULES = re.compile(r'^card: (root "type"|"version" must be exactly)')
_NODE_ROOT = re.compile(r'^card: ("version"|version |"type" must be|Invalid or missing card type)')
_NODE_INPUT_ID = re.compile(
    r'^(?P<path>\S+)( \(Input\.\w+\))?: (required property "id" is missing|All inputs must have a unique Id)'
)
_NODE_DUPLICATE = re.compile(r'Duplicate Id "(?P<id>.*)"\. \[DuplicateId\]$')


def _said_already(ours: list[str], node_error: str) -> bool:
    """Whether a Node finding only repeats one of the Teams rules' findings (one message per mistake)."""
    if node_error in ours:
        return True
    if _NODE_ROOT.match(node_error):
        return any(_ROOT_RULES.match(problem) for problem in ours)
    if match := _NODE_INPUT_ID.match(node_error):
        return any(
            problem.startswith(f"{match['path']} (Input.") and "every input needs" in problem for problem in ours
        )
    if match := _NODE_DUPLICATE.search(node_error):
        return any(problem.startswith(f"duplicate input id {match['id']!r} ") for problem in ours)
    return False


def _failure(label: str, card, problems: list[str]) -> str:
    try:
        dump = json.dumps(card, ensure_ascii=False)
    except (TypeError, ValueError):
        dump = repr(card)
    if len(dump) > 1500:
        dump = dump[:1500] + f"... ({len(dump):,} characters)"
    return f"invalid {label}: {len(problems)} problem(s):\n- " + "\n- ".join(problems) + f"\n{dump}"


# --- shared instance, helpers, pytest fixture ----------------------------------------------------

_shared: CardValidator | None = None
_shared_lock = threading.Lock()


def shared_validator() -> CardValidator:
    """One validator for the whole process (closed at exit)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = CardValidator()
            atexit.register(_shared.close)
        return _shared


def card_problems(card: dict) -> list[str]:
    return shared_validator().problems(card)


def assert_valid_card(card: dict, label: str = "card") -> None:
    """Raise AssertionError listing every problem unless the card is a valid Adaptive Card 1.5 for Teams."""
    shared_validator().assert_valid(card, label)


def assert_valid_cards(cards: Iterable[dict], label: str = "card") -> None:
    """Like assert_valid_card for many cards, in one round trip; reports every invalid card."""
    shared_validator().assert_all_valid(cards, label)


@pytest.fixture(scope="session")
def card_validator() -> Iterator[CardValidator]:
    """The session's CardValidator (import this fixture into a conftest.py to register it)."""
    validator = shared_validator()
    yield validator
    validator.close()


__all__ = [
    "CHARTS",
    "MAX_BYTES",
    "CardReport",
    "CardValidator",
    "CardValidatorError",
    "assert_valid_card",
    "assert_valid_cards",
    "card_problems",
    "card_size",
    "card_validator",
    "shared_validator",
    "teams_problems",
]
