"""Trust: who gets in, hostile and broken input, and what the bot logs."""

from __future__ import annotations

import json
import logging

import pytest

from bot.logs import JsonFormatter
from bot.teams_bot import IN_CHANNEL
from tests.support.content import self_scan
from tests.support.harness import ADMIN, MEMBERS
from tests.support.scripts import CLOSING, CONTEXT, SITUERING, answer_bouwstenen, answer_page, new_card, start
from tests.support.teams import fill_card, iter_elements, texts_in
from tests.support.tokens import FORGED_KEY, token

MO = MEMBERS[0]


async def users_known(running) -> list[str]:
    return await running.poolster.store.keys_with_prefix("users/")


@pytest.mark.parametrize(
    "make_header",
    [
        lambda url: None,
        lambda url: "Bearer",
        lambda url: "Basic dXNlcjpwYXNz",
        lambda url: f"Bearer {token(url, key=FORGED_KEY)}",
        lambda url: f"Bearer {token(url, expires_in=-600)}",
        lambda url: f"Bearer {token(url, expires_in=None)}",
        lambda url: f"Bearer {token(url, audience='another-bot')}",
        lambda url: f"Bearer {token(url, issuer='https://evil.example')}",
        lambda url: f"Bearer {token(url, key_id='unknown-key')}",
        lambda url: f"Bearer {token('https://elsewhere.example/')}",
        lambda url: "Bearer not.a.jwt",
    ],
    ids=[
        "none",
        "empty",
        "basic",
        "forged",
        "expired",
        "no-expiry",
        "audience",
        "issuer",
        "unknown-key",
        "service-url",
        "garbage",
    ],
)
async def test_requests_without_a_valid_token_are_refused_and_change_nothing(secure, connector, make_header):
    running, teams = secure
    header = make_header(connector.url)
    status = await teams.post(teams.activity(MO, text="hallo"), headers={"Authorization": header} if header else None)
    assert status == 401
    assert connector.calls == []
    assert await users_known(running) == []


async def test_a_valid_token_is_served(secure, connector):
    running, teams = secure
    status = await teams.post(
        teams.activity(MO, text="hallo"), headers={"Authorization": f"Bearer {token(connector.url)}"}
    )
    assert status == 201
    assert new_card(connector.calls).card["type"] == "AdaptiveCard"
    assert await users_known(running)


async def test_other_tenants_are_refused(teams, bot, connector, caplog):
    activity = teams.activity(MO, text="hallo")
    activity["conversation"]["tenantId"] = "someone-else"
    activity["channelData"] = {"tenant": {"id": "someone-else"}}
    with caplog.at_level(logging.WARNING):
        assert await teams.post(activity) in (200, 201)
    assert connector.calls == []
    assert await bot.poolster.store.keys_with_prefix("users/") == []
    assert any("tenant" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    "body,content_type,status",
    [
        (b"{not json", "application/json", 400),
        (b'{"type": "message"}', "text/plain", 415),
        (b"[1, 2, 3]", "application/json", 400),
        (b'{"text": "no type"}', "application/json", 400),
        (b'{"type": "message", "text": "no conversation"}', "application/json", 400),
        (b'{"type": 5}', "application/json", 400),
        (b"\xff\xfe", "application/json", 400),
        (b'{"type": "message", "text": "' + b"x" * 400_000 + b'"}', "application/json", 413),
    ],
)
async def test_malformed_http_is_refused_before_the_bot(teams, connector, body, content_type, status):
    async with teams.session.post(
        f"{teams.app_url}/api/messages", data=body, headers={"Content-Type": content_type}
    ) as response:
        assert response.status == status
    assert connector.calls == []


async def test_forged_and_odd_card_payloads_change_nothing(teams, bot, connector):
    card = await start(teams, MO)
    context = await answer_page(teams, MO, card, SITUERING)
    services = bot.poolster.services
    wave = await services.current_wave("clb-demo")
    before = await services.responses.get(wave.id, "clb-demo", MO.email)
    base = {
        "action": "save_page",
        "v": 1,
        "unit": "behartiger",
        "page": "context",
        "rev": before.revision,
        **{k: ",".join(v) if isinstance(v, list) else v for k, v in CONTEXT.items()},
    }
    payloads = {
        "unknown field": {**base, "respondent": "lea.lid@clb-demo.example"},
        "an input of another page": {**base, "current_stadium": "planmatig"},
        "an input of another questionnaire": {**base, "stellingen_s04": "helemaal"},
        "an unknown page": {**base, "page": "situering-bis"},
        "an unknown unit": {**base, "unit": "bouwsteen-99"},
        "the old field name": {**{k: v for k, v in base.items() if k != "unit"}, "bouwsteen": "behartiger"},
        "an input as a number": {**base, "hefbomen": 5},
        "an input as a list": {**base, "hefbomen": ["geen"]},
        "an input id that is no id": {**base, "Hefbomen!": "geen"},
        "hundreds of inputs": {**base, **{f"x_{n}": "1" for n in range(500)}},
        "wrong type": {**base, "rev": "abc"},
        "missing field": {k: v for k, v in base.items() if k != "page"},
        "older card": {**base, "v": 0},
        "other wave": {**base, "wave": "een-andere-ronde"},
        "huge text": {**base, "hefbomen_explanation": "x" * 100_000},
        "not a dict": ["save_page"],
        "unknown action": {**base, "action": "drop_database"},
        "other centre": {**base, "subject": "centre", "centre": "clb-andere"},
        "other centre as self": {**base, "subject": "self", "centre": "clb-andere"},
        "version true": {**base, "v": True},
        "revision true": {**base, "rev": True},
        "revision as text": {**base, "rev": str(before.revision)},
        "revision as float": {**base, "rev": float(before.revision)},
    }
    for name, value in payloads.items():
        calls_before = len(connector.calls)
        status = await teams.post(teams.activity(MO, value=value))
        assert status in (200, 201), name
        replies = connector.calls[calls_before:]
        assert replies and texts_in(replies), f"{name}: a clear answer"
        after = await services.responses.get(wave.id, "clb-demo", MO.email)
        assert after == before, f"{name}: nothing changed"
    old_card = {**{k: v for k, v in base.items() if k != "unit"}, "bouwsteen": "behartiger"}
    assert "oudere versie" in texts_in(await teams.send(teams.activity(MO, value=old_card))), (
        "a card sent before units were generic is said to be old"
    )
    # The next normal message still works.
    following = await answer_page(teams, MO, context, CONTEXT)
    assert "Bouwsteen 2" in str(following.card)


async def test_health_reports_a_writable_store(teams):
    async with teams.session.get(f"{teams.app_url}/healthz") as response:
        assert response.status == 200
        assert (await response.json())["store_writable"] is True
    async with teams.session.get(f"{teams.app_url}/version") as response:
        assert "version" in await response.json()


async def test_logs_are_json_lines_without_answers_or_secrets(teams, bot, caplog):
    secret_answer = "GEHEIM-ANTWOORD-123"
    card = await start(teams, MO)
    context = await answer_page(teams, MO, card, SITUERING)
    with caplog.at_level(logging.DEBUG):
        await teams.press(MO, context, "Bewaar", {**CONTEXT, "hefbomen_explanation": secret_answer})
        await teams.say(MO, f"wat is {secret_answer}")
        await teams.post(teams.activity(MO, value={"action": "bogus", "v": 1, "x": secret_answer}))
    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    for line in lines:
        entry = json.loads(line)
        assert {"time", "level", "event"} <= set(entry)
        assert secret_answer not in line


async def test_a_member_can_ask_what_is_stored_about_them(teams, bot):
    card = await start(teams, MO)
    await answer_page(teams, MO, card, SITUERING)
    text = texts_in(await teams.say(MO, "mijn gegevens"))
    assert MO.email in text and "0 van 11" in text and "Dina Directeur" in text and "Bewaartermijn" in text


@pytest.mark.parametrize("failure", ["500", "429", "timeout", "refused"])
async def test_a_failing_connector_never_loses_the_answer(teams, bot, connector, failure):
    card = await start(teams, MO)
    connector.retry_after_seconds = 0
    if failure == "500":
        connector.failures.extend([500] * 10)
    elif failure == "429":
        connector.failures.extend([429, 429])
    elif failure == "timeout":
        connector.hang_next = 10
    value = {**card.card["actions"][0]["data"], **SITUERING}
    activity = teams.activity(MO, value=value, reply_to_id=card.activity_id)
    if failure == "refused":
        activity["serviceUrl"] = "http://127.0.0.1:9/"
    status = await teams.post(activity)
    assert status in (200, 201), "the bot does not crash"
    services = bot.poolster.services
    wave = await services.current_wave("clb-demo")
    response = await services.responses.get(wave.id, "clb-demo", MO.email)
    assert response.is_page_answered(self_scan(), "behartiger", "situering"), "the answer was saved before any reply"
    if failure == "429":
        assert new_card([c for c in connector.calls if c.conversation_id == MO.conversation_id][-1:]), (
            "after Retry-After the reply is delivered"
        )


async def test_a_payload_for_another_centre_is_refused_whatever_its_subject(teams, bot, connector):
    card = await start(teams, MO)
    services = bot.poolster.services
    wave = await services.current_wave("clb-demo")
    before = await services.responses.get(wave.id, "clb-demo", MO.email)
    for subject in ("self", "centre"):
        value = {**card.card["actions"][0]["data"], **SITUERING, "subject": subject, "centre": "clb-andere"}
        text = texts_in(await teams.send(teams.activity(MO, value=value)))
        assert "eigen centrum" in text, subject
    assert await services.responses.get(wave.id, "clb-demo", MO.email) == before
    assert await services.centre_answers.list() == []
    # With the sender's own centre the same payload is served.
    value = {**card.card["actions"][0]["data"], **SITUERING, "subject": "self", "centre": "clb-demo"}
    assert "Bouwsteen 1" in str(new_card(await teams.send(teams.activity(MO, value=value))).card)


HOSTILE_CHOICE = "**vet** {{DATE()}} <at>Iedereen</at> [klik](https://evil.example)"


def shown_text(calls) -> str:
    """What a person reads: the messages' text and every TextBlock of the cards."""
    return " ".join(
        [
            texts_in(calls),
            *(
                element["text"]
                for call in calls
                for element in iter_elements(call.card)
                if element.get("type") == "TextBlock"
            ),
        ]
    )


async def test_an_invalid_choice_is_never_echoed_raw(teams, connector):
    card = await start(teams, MO)
    shown = shown_text(await teams.press(MO, card, "Bewaar", {**SITUERING, "current_stadium": HOSTILE_CHOICE}))
    assert "geen geldige keuze" in shown
    for raw in ("**vet**", "{{DATE()}}", "<at>", "](https"):
        assert raw not in shown, raw


async def test_an_invalid_bouwsteen_in_the_closing_questions_is_never_echoed_raw(teams, connector):
    card = await start(teams, MO)
    overview = await answer_bouwstenen(teams, MO, card, 11)
    closing = new_card(await teams.press(MO, overview, "slotvragen"))
    shown = shown_text(await teams.press(MO, closing, "verzenden", {**CLOSING, "priorities_1": HOSTILE_CHOICE}))
    assert "staat niet in de lijst" in shown
    for raw in ("**vet**", "{{DATE()}}", "<at>", "](https"):
        assert raw not in shown, raw


@pytest.mark.parametrize("conversation_type", ["channel", "groupChat"])
async def test_card_payloads_from_a_channel_or_group_chat_are_refused(teams, bot, connector, conversation_type):
    card = await start(teams, MO)
    services = bot.poolster.services
    wave = await services.current_wave("clb-demo")
    before = await services.responses.get(wave.id, "clb-demo", MO.email)
    for value in ({"action": "overview", "v": 1}, {**card.card["actions"][0]["data"], **SITUERING}):
        activity = teams.activity(
            MO, value=value, conversation_id="19:team@thread.tacv2", conversation_type=conversation_type
        )
        calls = await teams.send(activity)
        assert texts_in(calls) == IN_CHANNEL
        assert not [call for call in calls if call.card], "no answers posted where others read along"
    assert await services.responses.get(wave.id, "clb-demo", MO.email) == before


async def test_poc_confirms_a_launch_on_the_card_in_the_community_channel(teams, bot, connector):
    channel = {"conversation_id": "19:community@thread.tacv2", "conversation_type": "channel"}
    mention = [
        {"type": "mention", "text": "<at>Poolster</at>", "mentioned": {"id": "28:poolster-bot", "name": "Poolster"}}
    ]
    confirmation = new_card(
        await teams.say(ADMIN, "<at>Poolster</at> nieuwe ronde Proef tot 30-06-2027", entities=mention, **channel)
    )
    value = fill_card(confirmation.card, "Lanceer")
    calls = await teams.send(teams.activity(ADMIN, value=value, reply_to_id=confirmation.activity_id, **channel))
    assert "gelanceerd" in texts_in(calls)
    await bot.poolster.outbox.idle()
    assert any(wave.name == "Proef" and wave.status == "open" for wave in await bot.poolster.services.waves.list())
