"""Property-based fuzzing: thousands of random activities and card payloads against the running app.

The app and the fake connector run on their own event loop in a background thread; hypothesis
drives plain HTTP posts. Whatever arrives: no 5xx, no unhandled exception in the log, no
corrupted state, and the next normal message still works.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import urllib.error
import urllib.request

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.repository import Repository
from survey.answers import Response
from tests.support.fake_connector import FakeConnector
from tests.support.harness import EVERYONE, MEMBERS, open_schools_wave, registry_with_schools, start_bot, write_registry
from tests.support.teams import TENANT

EXAMPLES = int(os.environ.get("POOLSTER_FUZZ_EXAMPLES", "1500"))
FIELDS = [
    "action",
    "v",
    "subject",
    "wave",
    "centre",
    "unit",
    "page",
    "rev",
    "current_stadium",
    "intention",
    "deliberate_choice",
    "hefbomen",
    "knelpunten",
    "differences",
    "differences_other",
    "hefbomen_explanation",
    "inspiring_practices_1",
    "priorities_1",
    "inspiring_practices_none",
    "stellingen_s04",
    "opmerking",
    "factoren",
]
ACTIONS = [
    "start",
    "save_page",
    "edit",
    "overview",
    "closing",
    "save_closing",
    "submit",
    "pause",
    "centre_start",
    "adopt_own",
    "confirm_launch",
    "cancel_launch",
    "bogus",
]
odd_text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "",
            " ",
            "{{DATE(2017)}}",
            "<at>Poolster</at>",
            "</script>",
            "\u202e",
            "🎉" * 50,
            "\x00\x1b",
            "wijzig 99",
            "wijzig ",
            "wat is ?",
            "nieuwe ronde x tot 99-99-9999",
            "status",
            "centrum",
            "team",
            "herinner",
            "sluit ronde",
            "export",
            "mijn gegevens",
            "verder",
            "x" * 5000,
        ]
    ),
)
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**12), st.floats(allow_nan=False), odd_text)
json_value = st.recursive(
    json_scalar, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(odd_text, inner, max_size=3), max_leaves=8
)
payload = st.one_of(
    st.fixed_dictionaries(
        {"action": st.sampled_from(ACTIONS), "v": st.sampled_from([1, 1, 1, 0, "1"])},
        optional={
            field: st.one_of(
                odd_text,
                st.sampled_from(
                    [
                        "behartiger",
                        "situering",
                        "context",
                        "algemeen",
                        "stellingen",
                        "nvt",
                        "planmatig",
                        "geen,missie_visie",
                        "self",
                        "centre",
                        "clb-andere",
                    ]
                ),
                st.integers(-1, 50),
            )
            for field in FIELDS[2:]
        },
    ),
    json_value,
)
activity_types = st.sampled_from(
    [
        "message",
        "message",
        "message",
        "conversationUpdate",
        "installationUpdate",
        "invoke",
        "typing",
        "messageReaction",
        "event",
        "bogus",
    ]
)


class BotThread:
    """The app under test on its own loop, so synchronous hypothesis tests can call it."""

    def __init__(self, data_dir):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.connector = FakeConnector()
        self.run(self.connector.start())
        for user in EVERYONE:
            self.connector.add_member(user.as_member())
        self.bot = self.run(start_bot(data_dir))

    def run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=60)

    def post(self, body: bytes) -> int:
        request = urllib.request.Request(
            f"{self.bot.url}/api/messages", data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def close(self):
        self.run(self.bot.stop())
        self.run(self.connector.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("fuzz") / "data"
    write_registry(data_dir, registry_with_schools())
    bot = BotThread(data_dir)
    # School contacts among the random senders answer the schools' survey.
    bot.run(open_schools_wave(bot.bot.poolster.services))
    yield bot
    bot.close()


class TurnFailures(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def activity(user_index: int, kind: str, text, value) -> dict:
    user = EVERYONE[user_index]
    body = {
        "type": kind,
        "id": "fuzz",
        "serviceUrl": "",
        "channelId": "msteams",
        "from": {"id": user.user_id, "name": user.name, "aadObjectId": user.aad_object_id},
        "conversation": {"id": user.conversation_id, "conversationType": "personal", "tenantId": TENANT},
        "recipient": {"id": "28:poolster-bot"},
        "channelData": {"tenant": {"id": TENANT}},
    }
    if text is not None:
        body["text"] = text
    if value is not None:
        body["value"] = value
    return body


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(
    user=st.integers(0, len(EVERYONE) - 1),
    kind=activity_types,
    text=st.one_of(st.none(), odd_text),
    value=st.one_of(st.none(), payload),
    mangle=st.sampled_from(["none", "none", "none", "drop-from", "bad-json"]),
)
def test_random_activities_never_break_the_bot(running, user, kind, text, value, mangle):
    failures = TurnFailures()
    logging.getLogger().addHandler(failures)
    try:
        body = activity(user, kind, text, value)
        body["serviceUrl"] = running.connector.url
        if mangle == "drop-from":
            body.pop("from")
        raw = json.dumps(body).encode() if mangle != "bad-json" else json.dumps(body).encode()[:-3]
        status = running.post(raw)
    finally:
        logging.getLogger().removeHandler(failures)
    assert status < 500, f"HTTP {status} for {body!r}"
    assert not [r for r in failures.records if r.exc_info], [r.getMessage() for r in failures.records]


def test_state_is_intact_and_the_next_normal_message_works(running):
    store = running.bot.poolster.store
    responses = running.run(Repository(store, "responses", Response).list())
    for response in responses:
        assert Response.model_validate(response.model_dump())
    user = MEMBERS[0]
    before = len(running.connector.calls)
    assert running.post(
        json.dumps(
            {**activity(EVERYONE.index(user), "message", "voortgang", None), "serviceUrl": running.connector.url}
        ).encode()
    ) in (200, 201)
    replies = running.connector.calls[before:]
    assert replies and (replies[-1].card or replies[-1].text)
