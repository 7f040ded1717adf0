"""Centres and roles: the director's live summary card and the centre's consolidated answer."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone

from cards.director import CARD_BUDGET, summary_card
from survey.registry import Centre
from survey.summary import summarise
from survey.waves import Wave
from tests.support.content import self_scan, stadium_ids
from tests.support.harness import DIRECTOR, MEMBERS, OTHER_DIRECTOR, OTHER_MEMBER, STRANGER
from tests.support.responses import filled_response
from tests.support.scripts import CONTEXT, answer_page, complete_survey, new_card, start
from tests.support.teams import find_action, inputs_of, iter_elements, texts_in

MO, LEA, SAM = MEMBERS
DIRECTOR_CHAT = f"personal-{DIRECTOR.aad_object_id}"


def summary_messages(connector):
    return [c for c in connector.sends(DIRECTOR_CHAT) if c.card and "Teamoverzicht" in str(c.card)]


async def test_the_director_card_is_created_once_and_updated_in_place(teams, bot, connector):
    first = {user: await start(teams, user) for user in (MO, LEA)}
    await bot.poolster.summaries.idle()
    assert len(connector.created()) == 1, "the director's 1:1 chat is created although they never spoke"
    assert connector.created()[0].body["members"][0]["id"] == DIRECTOR.aad_object_id
    assert len(summary_messages(connector)) == 1

    # Interleaved answers of three members.
    cards = {MO: first[MO], LEA: first[LEA], SAM: await start(teams, SAM)}
    stadia = {MO: "planmatig", LEA: "planmatig", SAM: "systematisch"}
    for user in (MO, SAM, LEA):
        cards[user] = await answer_page(
            teams, user, cards[user], {"current_stadium": stadia[user], "intention": "aanhouden"}
        )
    for user in (LEA, MO, SAM):
        cards[user] = await answer_page(teams, user, cards[user], CONTEXT)
    await bot.poolster.summaries.idle()

    assert len(summary_messages(connector)) == 1, "never a second summary message"
    live_id = summary_messages(connector)[0].activity_id
    updates = connector.updates(DIRECTOR_CHAT)
    assert updates and all(u.activity_id == live_id for u in updates)
    last = updates[-1].card
    lines = [e["text"] for e in iter_elements(last) if e.get("type") == "TextBlock"]
    assert "2 planmatig, 1 systematisch → 2 willen planmatig, 1 wil systematisch" in lines, "the last state, in words"
    assert any(line.startswith("**⚠ Ver uiteen**: van planmatig tot systematisch") for line in lines)
    assert any("Mo Medewerker" in line and "Deels gekozen, deels door de context." in line for line in lines), (
        "the members' toelichtingen, with who wrote them"
    )
    assert "Welbewuste keuze: 0 van" not in str(last)
    assert "Mensen en cultuur" not in str(last) and "mensen en cultuur: in alle 3 antwoorden" in lines, (
        "counts say out of how many"
    )

    charts = [e for e in iter_elements(last) if str(e.get("type", "")).startswith("Chart.")]
    assert [c["type"] for c in charts] == ["Chart.HorizontalBar.Stacked"] * 2, "today and intended, as distributions"
    today = charts[0]
    assert today["data"][0]["title"] == "Behartiger van de leerling" and today["data"][1]["title"] == "Kernprocessen"
    legends = [d["legend"] for d in today["data"][0]["data"]]
    assert legends == ["Fragmentair", "Planmatig", "Geïntegreerd", "Systematisch"]
    assert [d["value"] for d in today["data"][0]["data"]] == [0, 2, 0, 1], "whole numbers of members, no averages"
    fallback_table = next(e for e in iter_elements(today["fallback"]) if e.get("type") == "Table")
    cells = [[c["items"][0]["text"] for c in row["cells"]] for row in fallback_table["rows"]]
    assert cells[1] == ["Behartiger van de leerling", "0", "2", "0", "1"], "the fallback holds the same numbers"
    assert not any(
        "," in str(d["value"]) or isinstance(d["value"], float)
        for c in charts
        for row in c["data"]
        for d in row["data"]
    )


async def test_updates_are_coalesced_under_a_burst(teams, bot, connector):
    card = await start(teams, MO)
    await bot.poolster.summaries.idle()
    before = len(connector.updates(DIRECTOR_CHAT))
    await asyncio.gather(
        *(start(teams, user) for user in (LEA, SAM)),
        answer_page(teams, MO, card, {"current_stadium": "fragmentair", "intention": "planmatig"}),
    )
    await bot.poolster.summaries.idle()
    updates = connector.updates(DIRECTOR_CHAT)[before:]
    interval = bot.poolster.settings.summary_update_interval
    times = [u.at for u in connector.updates(DIRECTOR_CHAT)]
    assert all(b - a >= interval * 0.9 for a, b in zip(times, times[1:], strict=False)), (
        "at most one update per interval"
    )
    assert len(updates) <= 3
    assert "1 fragmentair → 1 wil planmatig" in str(updates[-1].card)


async def test_a_missing_message_is_replaced_by_a_new_one(teams, bot, connector):
    card = await start(teams, MO)
    await bot.poolster.summaries.idle()
    connector.gone_activities.add(summary_messages(connector)[0].activity_id)
    await answer_page(teams, MO, card, {"current_stadium": "fragmentair", "intention": "planmatig"})
    await bot.poolster.summaries.idle()
    assert len(summary_messages(connector)) == 2
    await start(teams, LEA)
    await bot.poolster.summaries.idle()
    assert connector.updates(DIRECTOR_CHAT)[-1].activity_id == summary_messages(connector)[1].activity_id


BANNER = "Antwoord van het centrum — GO! CLB Demo"


def has_banner(card: dict) -> bool:
    first = card["body"][0]
    return first.get("type") == "Container" and BANNER in first["items"][0]["text"]


async def test_the_director_records_the_centre_answer_from_the_majority(teams, bot, connector):
    for user, stadium in ((MO, "planmatig"), (LEA, "planmatig"), (SAM, "fragmentair")):
        card = await start(teams, user)
        await answer_page(teams, user, card, {"current_stadium": stadium, "intention": "aanhouden"})
    # A tie on the second bouwsteen: one says planmatig, one says systematisch.
    for user, stadium in ((MO, "planmatig"), (LEA, "systematisch")):
        card = new_card(await teams.say(user, "verder"))
        context = {**CONTEXT, "hefbomen": ["mensen_cultuur"]} if user is LEA else CONTEXT
        card = await answer_page(teams, user, card, context)
        await answer_page(teams, user, card, {"current_stadium": stadium, "intention": "aanhouden"})

    calls = await teams.say(DIRECTOR, "centrum")
    page = new_card(calls)
    assert has_banner(page.card), "the centre's answer says so on every card"
    assert "Je team" in str(page.card)
    assert inputs_of(page.card)["current_stadium"]["value"] == "planmatig", "pre-filled with the majority"
    hidden = next(e for e in iter_elements(page.card) if e.get("id") == "team-answers-behartiger-situering")
    assert hidden["isVisible"] is False, "the team's answers are one tap away, not in the way"
    lines = [e["text"] for e in iter_elements(hidden) if e.get("type") == "TextBlock"]
    assert "**Huidig stadium**" in lines
    assert "✔ Planmatig: 2 van 3 (ingevuld)" in lines and "Fragmentair: 1 van 3" in lines
    context = await answer_page(teams, DIRECTOR, page, {})
    assert has_banner(context.card)
    hefbomen = inputs_of(context.card)["hefbomen"]
    assert hefbomen["value"] == "mensen_cultuur", "what a majority ticked is ticked (2 of 2), a tie (1 of 2) is not"
    assert "missie-visie en leiderschap: 1 van 2" in str(context.card)
    assert "Mo Medewerker: “Deels gekozen, deels door de context.”" in str(context.card), "toelichtingen, with who"
    second = await answer_page(teams, DIRECTOR, context, {})
    assert not inputs_of(second.card)["current_stadium"].get("value"), "a tie must be chosen"
    texts = [e["text"] for e in iter_elements(second.card) if e.get("type") == "TextBlock"]
    assert "Planmatig: 1 van 2" in texts and "Systematisch: 1 van 2" in texts, "one neutral line per option"
    assert any("**Kies zelf** bij: Huidig stadium" in t for t in texts), "what is open is said while collapsed"
    assert not any("voorstel" in t for t in texts)
    calls = await teams.press(DIRECTOR, second, "Bewaar", {})
    assert "kies een antwoord" in texts_in(calls)
    await answer_page(teams, DIRECTOR, new_card(calls), {"current_stadium": "systematisch", "intention": "aanhouden"})
    services = bot.poolster.services
    wave = await services.current_wave("clb-demo")
    centre_answer = await services.centre_answers.get(wave.id, "clb-demo")
    assert centre_answer.answer("behartiger", "current_stadium").choices == ("planmatig",)
    assert centre_answer.answer("kernprocessen", "current_stadium").choices == ("systematisch",)
    member = await services.responses.get(wave.id, "clb-demo", MO.email)
    assert member.answer("kernprocessen", "current_stadium").choices == ("planmatig",), "members' answers stay theirs"


async def test_commands_act_on_the_survey_the_director_is_in(teams, bot):
    await start(teams, MO)
    services = bot.poolster.services
    wave = await services.current_wave("clb-demo")
    await teams.say(DIRECTOR, "centrum")
    for command in ("voortgang", "overzicht", "wijzig 2", "verder", "pauze"):
        calls = await teams.say(DIRECTOR, command)
        # New cards, not the card they retire ("vervangen door een nieuwere").
        cards = [c.card for c in calls if c.card and c.method == "POST"]
        assert all(has_banner(card) for card in cards), f"{command}: the centre's answer's cards carry the banner"
    progress = new_card(await teams.say(DIRECTOR, "voortgang"))
    assert find_action(progress.card, "Ga verder")["data"]["subject"] == "centre"
    assert await services.responses.get(wave.id, "clb-demo", DIRECTOR.email) is None, "the own survey did not start"

    calls = await teams.say(DIRECTOR, "eigen")
    assert "eigen antwoorden" in texts_in(calls)
    intro = new_card(calls)
    assert not has_banner(intro.card) and "Start de zelfscan" in str(intro.card), "switching is not starting"
    assert await services.responses.get(wave.id, "clb-demo", DIRECTOR.email) is None
    own = new_card(await teams.press(DIRECTOR, intro, "Start"))
    assert not has_banner(own.card)
    assert not has_banner(new_card(await teams.say(DIRECTOR, "overzicht")).card), "now the own answers"
    assert "Ga verder waar je was" in str(new_card(await teams.say(MO, "eigen")).card), "a member has only their own"
    # `centrum` takes the director back, and the typed commands follow.
    assert has_banner(new_card(await teams.say(DIRECTOR, "centrum")).card)
    assert has_banner(new_card(await teams.say(DIRECTOR, "overzicht")).card)


async def test_a_director_who_answered_alone_submits_their_own_answers(teams, bot):
    await complete_survey(teams, DIRECTOR)
    offer = new_card(await teams.say(DIRECTOR, "centrum"))
    assert "enige" in str(offer.card)
    calls = await teams.press(DIRECTOR, offer, "Ja")
    assert "verzonden als het antwoord" in texts_in(calls)
    services = bot.poolster.services
    wave = await services.current_wave("clb-demo")
    centre_answer = await services.centre_answers.get(wave.id, "clb-demo")
    assert centre_answer.is_submitted and len(centre_answer.answers) == 11


async def test_roles_are_enforced_on_the_server(teams, bot, connector):
    assert "directeur" in texts_in(await teams.say(MO, "centrum"))
    assert "directeur" in texts_in(await teams.say(MO, "team"))
    assert "POC+" in texts_in(await teams.say(STRANGER, "centrum"))
    # A director of another centre forges a payload for clb-demo: refused, nothing stored.
    await start(teams, OTHER_MEMBER)
    await start(teams, OTHER_DIRECTOR)
    value = {
        "action": "save_page",
        "v": 1,
        "subject": "centre",
        "centre": "clb-demo",
        "unit": "behartiger",
        "page": "situering",
        "rev": 0,
        "current_stadium": "systematisch",
        "intention": "aanhouden",
    }
    status = await teams.post(teams.activity(OTHER_DIRECTOR, value=value))
    assert status in (200, 201)
    assert "eigen centrum" in connector.sends(OTHER_DIRECTOR.conversation_id)[-1].text
    services = bot.poolster.services
    wave = await services.current_wave("clb-demo")
    assert await services.centre_answers.get(wave.id, "clb-demo") is None
    # The other director sees only their own centre in the summary.
    await teams.say(OTHER_DIRECTOR, "team")
    await bot.poolster.summaries.idle()
    theirs = [c for c in connector.calls if c.card and "Teamoverzicht" in str(c.card) and "Andere" in str(c.card)]
    assert theirs and all("Mo Medewerker" not in str(c.card) for c in theirs)


def test_the_summary_card_of_a_large_talkative_team_stays_under_40_kb(card_validator):
    q = self_scan()
    now = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
    people = [{"name": f"Teamlid met een lange naam {n}", "email": f"lid{n}@clb.example"} for n in range(13)]
    centre = Centre(
        id="c", name="GO! CLB Groot", director={"name": "Directeur", "email": "d@clb.example"}, members=people
    )
    long_text = "Een toelichting die uitlegt waarom we hier staan, met voorbeelden uit de praktijk. " * 23
    responses = [
        filled_response(
            q,
            wave_id="w",
            centre_id="c",
            respondent_id=person.key,
            now=now,
            stadium=stadium_ids()[n % 4],
            context={
                "deliberate_choice_explanation": long_text,
                "hefbomen_explanation": long_text,
                "knelpunten_explanation": long_text,
                "differences": "teams,anders",
                "differences_other": "x" * 500,
                "differences_explanation": long_text,
            },
        )
        for n, person in enumerate(centre.people)
    ]
    wave = Wave(id="w", name="Zelfscan", status="open", created_at=now)
    for team in (responses, responses[:4]):
        card = summary_card(
            q, summarise(q, centre, team), wave, centre_answer=None, previous_answer=None, previous_wave=None, now=now
        )
        card_validator.assert_valid(card)
        assert len(json.dumps(card, ensure_ascii=False).encode()) <= CARD_BUDGET
    assert "Teamlid met een lange naam 1: " in str(card), "a small team keeps the names"
