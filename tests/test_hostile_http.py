"""Hostile HTTP: whatever reaches /api/messages, the answer is a 4xx (or a calm 2xx), never a 5xx.

Authentication runs before the body is read, so without a valid token nothing of the body is
parsed; with one, the body parser is bounded in size and depth and refuses odd encodings.
"""

from __future__ import annotations

import gzip
import json
import logging

import pytest

from tests.support.harness import MEMBERS
from tests.support.teams import TENANT
from tests.support.tokens import token

MO = MEMBERS[0]


def with_nested(activity: dict, field: str, depth: int) -> bytes:
    """The activity as JSON with `field` set to a list nested `depth` deep (json.dumps itself would recurse)."""
    placeholder = "__nested__"
    text = json.dumps({**activity, field: placeholder})
    return text.replace(json.dumps(placeholder), "[" * depth + "1" + "]" * depth).encode()


def attacks(teams) -> dict[str, tuple[bytes, dict]]:
    """name -> (body, extra headers): the malformed requests an attacker tried."""
    json_type = {"Content-Type": "application/json"}
    plain = json.dumps(teams.activity(MO, text="hallo")).encode()
    return {
        "100k-brackets": (b"[" * 100_000, json_type),
        "100k-braces": (b'{"a":' * 50_000, json_type),
        "deep-value": (with_nested(teams.activity(MO), "value", 5_000), json_type),
        "deep-channel-data": (with_nested(teams.activity(MO, text="hallo"), "channelData", 900), json_type),
        "moderately-deep-value": (with_nested(teams.activity(MO), "value", 200), json_type),
        "charset-foo": (plain, {"Content-Type": "application/json; charset=foo"}),
        "charset-latin1": (plain, {"Content-Type": "application/json; charset=latin-1"}),
        "gzip-on-plain-body": (plain, {**json_type, "Content-Encoding": "gzip"}),
        "deflate-on-plain-body": (plain, {**json_type, "Content-Encoding": "deflate"}),
        "real-gzip": (gzip.compress(plain), {**json_type, "Content-Encoding": "gzip"}),
        "br": (plain, {**json_type, "Content-Encoding": "br"}),
        "utf-16": (json.dumps(teams.activity(MO, text="hallo")).encode("utf-16"), json_type),
        "lone-surrogate": (json.dumps(teams.activity(MO, text="\ud800 hallo")).encode(), json_type),
        "nan": (plain.replace(b'"hallo"', b"NaN"), json_type),
        "huge-number": (plain.replace(b'"hallo"', b"1" * 5_000), json_type),
    }


async def post_raw(teams, body: bytes, headers: dict) -> tuple[int, str]:
    async with teams.session.post(f"{teams.app_url}/api/messages", data=body, headers=headers) as response:
        return response.status, await response.text()


@pytest.mark.parametrize(
    "name",
    [
        "100k-brackets",
        "100k-braces",
        "deep-value",
        "deep-channel-data",
        "moderately-deep-value",
        "charset-foo",
        "charset-latin1",
        "gzip-on-plain-body",
        "deflate-on-plain-body",
        "real-gzip",
        "br",
        "utf-16",
        "lone-surrogate",
        "nan",
        "huge-number",
    ],
)
async def test_without_a_token_nothing_of_the_body_is_parsed(secure, connector, name, caplog):
    running, teams = secure
    body, headers = attacks(teams)[name]
    with caplog.at_level(logging.DEBUG):
        status, _ = await post_raw(teams, body, headers)
    assert status in (401, 413, 415), f"{name}: {status}"
    assert connector.calls == []
    assert not [record for record in caplog.records if record.exc_info], "no traceback in the log"


@pytest.mark.parametrize(
    "name",
    [
        "100k-brackets",
        "100k-braces",
        "deep-value",
        "deep-channel-data",
        "moderately-deep-value",
        "charset-foo",
        "charset-latin1",
        "gzip-on-plain-body",
        "deflate-on-plain-body",
        "real-gzip",
        "br",
        "utf-16",
        "lone-surrogate",
        "nan",
        "huge-number",
    ],
)
async def test_with_a_valid_token_a_malformed_body_gets_a_4xx(secure, connector, name, caplog):
    running, teams = secure
    body, headers = attacks(teams)[name]
    with caplog.at_level(logging.DEBUG):
        status, _ = await post_raw(teams, body, {**headers, "Authorization": f"Bearer {token(connector.url)}"})
    assert 400 <= status < 500, f"{name}: {status}"
    assert connector.calls == []
    assert await running.poolster.store.keys_with_prefix("users/") == []
    assert not [record for record in caplog.records if record.exc_info], "no traceback in the log"


@pytest.mark.parametrize(
    "name",
    [
        "100k-brackets",
        "deep-value",
        "deep-channel-data",
        "charset-foo",
        "gzip-on-plain-body",
        "deflate-on-plain-body",
        "lone-surrogate",
    ],
)
async def test_without_authentication_configured_a_malformed_body_gets_a_4xx(teams, connector, name):
    body, headers = attacks(teams)[name]
    status, _ = await post_raw(teams, body, headers)
    assert 400 <= status < 500, f"{name}: {status}"
    assert connector.calls == []


async def test_utf8_charset_in_any_spelling_is_served(teams, connector):
    body = json.dumps(teams.activity(MO, text="hallo")).encode()
    for charset in ("utf-8", "UTF-8", "utf8"):
        status, _ = await post_raw(teams, body, {"Content-Type": f"application/json; charset={charset}"})
        assert status == 201, charset


async def test_the_token_is_checked_before_the_body_is_read(secure, connector):
    """Not JSON, and no token: 401, not 400, because the body was never read."""
    _, teams = secure
    status, _ = await post_raw(teams, b"{not json", {"Content-Type": "application/json"})
    assert status == 401


def odd_activities(teams) -> dict[str, dict]:
    base = teams.activity(MO, text="hallo")
    return {
        "from-empty": {**base, "from": {}},
        "from-missing": {k: v for k, v in base.items() if k != "from"},
        "conversation-empty": {**base, "conversation": {}},
        "recipient-null": {**base, "recipient": None},
        "tenant-as-string": {**base, "channelData": {"tenant": TENANT}},
        "channel-data-as-list": {**base, "channelData": [TENANT]},
        "broken-mention": {**base, "text": "<at>Poolster</at> hallo", "entities": [{"type": "mention"}]},
        "mention-without-id": {
            **base,
            "text": "<at>Poolster</at> hallo",
            "entities": [{"type": "mention", "mentioned": {}, "text": None}],
        },
        "entity-without-type": {**base, "entities": [{"text": "x"}]},
        "service-url-number": {**base, "serviceUrl": 5},
        "members-added-empty": {**base, "type": "conversationUpdate", "membersAdded": [{}]},
        "members-added-null": {**base, "type": "conversationUpdate", "membersAdded": [None]},
        "installation-update": {**base, "type": "installationUpdate", "action": 5},
        "value-a-string": {**base, "value": "x"},
        "value-a-list": {**base, "value": [1, 2]},
        "text-an-object": {**base, "text": {"a": 1}},
        "entities-an-object": {**base, "entities": {"type": "mention"}},
        "conversation-type-odd": {**base, "conversation": {**base["conversation"], "conversationType": 5}},
        "tenant-id-a-number": {
            **base,
            "conversation": {**base["conversation"], "tenantId": 5},
            "channelData": {"tenant": {"id": 5}},
        },
        "from-name-an-object": {**base, "from": {**base["from"], "name": {"x": 1}}},
        "reply-to-id-a-list": {**base, "replyToId": ["x"]},
    }


@pytest.mark.parametrize(
    "name",
    [
        "from-empty",
        "from-missing",
        "conversation-empty",
        "recipient-null",
        "tenant-as-string",
        "channel-data-as-list",
        "broken-mention",
        "mention-without-id",
        "entity-without-type",
        "service-url-number",
        "members-added-empty",
        "members-added-null",
        "installation-update",
        "value-a-string",
        "value-a-list",
        "text-an-object",
        "entities-an-object",
        "conversation-type-odd",
        "tenant-id-a-number",
        "from-name-an-object",
        "reply-to-id-a-list",
    ],
)
async def test_odd_activities_are_answered_calmly_without_a_traceback(teams, connector, name, caplog):
    activity = odd_activities(teams)[name]
    with caplog.at_level(logging.DEBUG):
        status = await teams.post(activity)
    assert status in (200, 201) or 400 <= status < 500, f"{name}: {status}"
    assert not [record for record in caplog.records if record.exc_info], f"{name}: no traceback in the log"
    assert "Sorry, er ging iets mis" not in str([call.text for call in connector.calls]), (
        f"{name}: no apology for a crash"
    )
    # And the bot still answers the next normal message.
    assert await teams.say(MO, "hallo")


async def test_a_broken_mention_in_a_channel_still_reaches_the_command(teams, connector):
    calls = await teams.say(
        MO,
        "<at>Poolster</at> verder",
        conversation_id="19:channel@thread.tacv2",
        conversation_type="channel",
        entities=[{"type": "mention", "text": "<at>Poolster</at>"}],
    )
    assert "persoonlijke chat" in " ".join(call.text for call in calls)


@pytest.mark.parametrize("name", ["adaptiveCard/action", "composeExtension/query", "task/fetch", None])
async def test_invokes_from_another_tenant_never_get_501(teams, connector, name):
    activity = teams.activity(MO, activity_type="invoke", tenant="someone-else", value={"x": 1})
    if name:
        activity["name"] = name
    status = await teams.post(activity)
    assert status == 200 or 400 <= status < 500, status
    assert connector.calls == []


@pytest.mark.parametrize(
    "name", ["adaptiveCard/action", "composeExtension/query", "task/fetch", "signin/verifyState", None]
)
async def test_invokes_never_get_501(teams, name):
    activity = teams.activity(MO, activity_type="invoke", value={"x": 1})
    if name:
        activity["name"] = name
    status = await teams.post(activity)
    assert status == 200 or 400 <= status < 500, status


async def test_a_signed_token_without_expiry_is_refused(secure, connector):
    running, teams = secure
    status = await teams.post(
        teams.activity(MO, text="hallo"), headers={"Authorization": f"Bearer {token(connector.url, expires_in=None)}"}
    )
    assert status == 401
    assert connector.calls == []


@pytest.mark.parametrize(
    "header",
    [
        "Bearer é.é.é",
        "Bearer " + "a" * 7_000,
        "Bearer a.b",
        "bearer x y z",
        "Bearer \u202e",
        "Bearer eyJ.eyJ.eyJ",
    ],
)
async def test_odd_authorization_headers_get_401(secure, connector, header):
    _, teams = secure
    async with teams.session.post(
        f"{teams.app_url}/api/messages",
        json=teams.activity(MO, text="hallo"),
        headers={"Authorization": header.encode("utf-8").decode("latin-1")},
    ) as response:
        assert response.status == 401
    assert connector.calls == []


async def test_a_chunked_body_without_a_length_is_still_capped(secure, connector):
    _, teams = secure

    async def chunks():
        yield b'{"type": "message", "text": "'
        for _ in range(100):
            yield b"x" * 4096
        yield b'"}'

    async with teams.session.post(
        f"{teams.app_url}/api/messages",
        data=chunks(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token(connector.url)}"},
    ) as response:
        assert response.status == 413
    assert connector.calls == []


async def test_an_invoke_whose_turn_fails_gets_200_and_the_apology(bot, teams, connector, monkeypatch):
    async def fail(_turn_context):
        raise RuntimeError("a bug")

    monkeypatch.setattr(bot.poolster.bot, "on_invoke_activity", fail)
    status = await teams.post(teams.activity(MO, activity_type="invoke", name="task/fetch", value={"x": 1}))
    assert status == 200
    assert "Sorry, er ging iets mis" in " ".join(call.text for call in connector.calls)
