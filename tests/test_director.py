"""Centres and roles: the director's live summary card and the centre's consolidated answer."""

from __future__ import annotations

import asyncio

from tests.support.harness import DIRECTOR, MEMBERS, OTHER_DIRECTOR, OTHER_MEMBER, STRANGER
from tests.support.scripts import CONTEXT, answer_page, complete_survey, new_card, start
from tests.support.teams import inputs_of, iter_elements, texts_in

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
        cards[user] = await answer_page(teams, user, cards[user],
                                        {"current_stadium": stadia[user], "intention": "aanhouden"})
    for user in (LEA, MO, SAM):
        cards[user] = await answer_page(teams, user, cards[user], CONTEXT)
    await bot.poolster.summaries.idle()

    assert len(summary_messages(connector)) == 1, "never a second summary message"
    live_id = summary_messages(connector)[0].activity_id
    updates = connector.updates(DIRECTOR_CHAT)
    assert updates and all(u.activity_id == live_id for u in updates)
    last = updates[-1].card
    text = str(last)
    assert "P 2" in text and "S 1" in text, "the last state is delivered"
    assert "ver uiteen" in text, "members two stadia apart are flagged"
    charts = [e for e in iter_elements(last) if str(e.get("type", "")).startswith("Chart.")]
    assert charts and charts[0]["fallback"]["type"] == "Table", "the chart has a table fallback"


async def test_updates_are_coalesced_under_a_burst(teams, bot, connector):
    card = await start(teams, MO)
    await bot.poolster.summaries.idle()
    before = len(connector.updates(DIRECTOR_CHAT))
    await asyncio.gather(*(start(teams, user) for user in (LEA, SAM)),
                         answer_page(teams, MO, card, {"current_stadium": "fragmentair", "intention": "planmatig"}))
    await bot.poolster.summaries.idle()
    updates = connector.updates(DIRECTOR_CHAT)[before:]
    interval = bot.poolster.settings.summary_update_interval
    times = [u.at for u in connector.updates(DIRECTOR_CHAT)]
    assert all(b - a >= interval * 0.9 for a, b in zip(times, times[1:])), "at most one update per interval"
    assert len(updates) <= 3
    assert "F 1" in str(updates[-1].card)


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


async def test_the_director_records_the_centre_answer_from_the_majority(teams, bot, connector):
    for user, stadium in ((MO, "planmatig"), (LEA, "planmatig"), (SAM, "fragmentair")):
        card = await start(teams, user)
        await answer_page(teams, user, card, {"current_stadium": stadium, "intention": "aanhouden"})
    # A tie on the second bouwsteen: one says planmatig, one says systematisch.
    for user, stadium in ((MO, "planmatig"), (LEA, "systematisch")):
        card = new_card(await teams.say(user, "verder"))
        card = await answer_page(teams, user, card, CONTEXT)
        await answer_page(teams, user, card, {"current_stadium": stadium, "intention": "aanhouden"})

    calls = await teams.say(DIRECTOR, "centrum")
    page = new_card(calls)
    assert "Wat je team antwoordde" in str(page.card)
    assert inputs_of(page.card)["current_stadium"]["value"] == "planmatig", "pre-filled with the majority"
    context = await answer_page(teams, DIRECTOR, page, {})
    assert "Toelichtingen" in str(context.card), "the members' toelichtingen are at hand"
    second = await answer_page(teams, DIRECTOR, context, {})
    assert "gelijke stand" in str(second.card)
    assert not inputs_of(second.card)["current_stadium"].get("value"), "a tie must be chosen"
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
    value = {"action": "save_page", "v": 1, "subject": "centre", "centre": "clb-demo", "bouwsteen": "behartiger",
             "page": "situering", "rev": 0, "current_stadium": "systematisch", "intention": "aanhouden"}
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
