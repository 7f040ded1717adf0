"""A second wave while members are halfway the first: nobody loses sight of what they answered."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
import pytest_asyncio

from tests.support.harness import ADMIN, DIRECTOR, MEMBERS, start_bot
from tests.support.scripts import CLOSING, SITUERING, answer_bouwstenen, answer_page, card_title, new_card, start
from tests.support.teams import TeamsClient, find_action, texts_in
from tests.test_admin import Clock, launch

MO, LEA, SAM = MEMBERS


@pytest_asyncio.fixture
async def halfway(data_dir, connector):
    """Wave 'Zelfscan 2027' with Mo two bouwstenen in and the director's centre answer begun."""
    clock = Clock()
    running = await start_bot(data_dir, clock=clock, default_wave=False)
    async with aiohttp.ClientSession() as session:
        teams = TeamsClient(session, running.url, connector)
        await launch(teams, running, "Zelfscan 2027 tot 15-06-2027")
        await answer_bouwstenen(teams, MO, await start(teams, MO), 2)
        centre_card = new_card(await teams.say(DIRECTOR, "centrum"))
        await answer_page(teams, DIRECTOR, centre_card, SITUERING)
        clock.now += timedelta(days=1)
        yield running, teams, clock
    await running.poolster.outbox.idle()
    await running.stop()


def labels(card) -> str:
    body = card.card["body"]
    return body[0]["text"] if body and body[0].get("id") == "wave-label" else ""


async def test_the_confirmation_names_the_open_wave_and_how_far_it_is(halfway):
    running, teams, _ = halfway
    confirmation = new_card(await teams.say(ADMIN, "nieuwe ronde Proef tot 30-06-2027"))
    words = card_title(confirmation)
    assert "Er loopt al een ronde voor deze centra" in words
    assert (
        "‘Zelfscan 2027’ (deadline 15-06-2027): 1 van 6 personen gestart, 0 klaar; "
        "1 centrumantwoord begonnen, 0 verzonden." in words
    )
    buttons = [a["title"] for a in confirmation.card["actions"]]
    assert buttons == ["Sluit de open ronde en lanceer", "Lanceer, laat beide open", "Annuleer"]


async def test_two_open_waves_every_card_says_which_and_members_choose(halfway):
    running, teams, _ = halfway
    confirmation = new_card(await teams.say(ADMIN, "nieuwe ronde Proef tot 30-06-2027"))
    await teams.press(ADMIN, confirmation, "laat beide open")
    await running.poolster.outbox.idle()

    progress = [c for c in await teams.say(MO, "voortgang") if c.card]
    assert [labels(c) for c in progress] == ["Ronde: Proef", "Ronde: Zelfscan 2027"]
    assert "**0 van 11**" in card_title(progress[0]) and "**2 van 11**" in card_title(progress[1])

    choice = new_card(await teams.say(MO, "verder"))
    assert "In welke ronde ga je verder?" in card_title(choice)
    # Two short lines per wave: a phone does not break the date in two (it did: "deadline 30-" / "06-2027").
    assert "bezig: 2 van 11 bouwstenen beantwoord | invullen tot 15-06-2027" in card_title(choice)
    page = new_card(await teams.press(MO, choice, "Verder in ‘Zelfscan 2027’"))
    assert labels(page) == "Ronde: Zelfscan 2027" and "Bouwsteen 3" in str(page.card)
    saved = await teams.press(MO, page, "Bewaar", SITUERING)
    assert all(labels(c) == "Ronde: Zelfscan 2027" for c in saved if c.card)
    services = running.poolster.services
    waves = {w.name: w for w in await services.waves.list()}
    old = await services.responses.get(waves["Zelfscan 2027"].id, "clb-demo", MO.email)
    q = services.questionnaire_of(old)
    assert old.is_page_answered(q, q.units[2].id, "situering"), "saved in the older wave"
    assert await services.responses.get(waves["Proef"].id, "clb-demo", MO.email) is None, "the new wave is untouched"

    # `verder Proef` names the wave: no question asked.
    # New messages only: the card that was live before is retired by an update.
    named = [c for c in await teams.say(MO, "verder Proef") if c.card and c.method == "POST"]
    assert labels(named[0]) == "Ronde: Proef" and "Bouwsteen 1" in str(named[0].card)
    # ... and says where the answers of the other wave wait, on a card of its own.
    assert "Ook nog in een andere ronde" in card_title(named[1]) and labels(named[1]) == ""

    # The director's `team` shows the team in each wave.
    before = len(teams.connector.calls)
    await teams.say(DIRECTOR, "team")
    summaries = [c for c in teams.connector.calls[before:] if c.card and "Teamoverzicht" in str(c.card)]
    assert sorted("Proef" in str(c.card) for c in summaries) == [False, True] and len(summaries) == 2

    # The intro offers the choice too, and the director chooses for the centre's answer.
    assert "Hallo Lea! In welke ronde ga je verder?" in card_title(new_card(await teams.say(LEA, "hallo")))
    centre_choice = new_card(await teams.say(DIRECTOR, "centrum"))
    assert "Per ronde wordt het antwoord van het centrum apart bewaard" in card_title(centre_choice)
    assert find_action(centre_choice.card, "Verder in ‘Zelfscan 2027’")["data"]["subject"] == "centre"
    calls = await teams.press(DIRECTOR, centre_choice, "Verder in ‘Zelfscan 2027’")
    centre_page = new_card(calls)
    assert "Je vult nu het antwoord van GO! CLB Demo in" in texts_in(calls)
    assert labels(centre_page) == "Ronde: Zelfscan 2027" and "Bouwsteen 1" in str(centre_page.card)


async def test_closing_the_open_wave_first_says_where_the_answers_are(halfway):
    running, teams, _ = halfway
    confirmation = new_card(await teams.say(ADMIN, "nieuwe ronde Proef tot 30-06-2027"))
    calls = await teams.press(ADMIN, confirmation, "Sluit de open ronde en lanceer")
    assert "De ronde ‘Zelfscan 2027’ is gesloten; wat daar werd ingevuld, blijft bewaard." in texts_in(calls)
    await running.poolster.outbox.idle()

    calls = await teams.say(MO, "verder")
    assert "Bouwsteen 1" in str(new_card(calls).card)
    assert (
        "Je antwoorden uit de ronde ‘Zelfscan 2027’ (gesloten) blijven bewaard: "
        "typ *overzicht Zelfscan 2027* om ze te bekijken." in texts_in(calls)
    )
    overview = new_card(await teams.say(MO, "overzicht Zelfscan 2027"))
    assert labels(overview) == "Ronde: Zelfscan 2027" and "Planmatig" in str(overview.card)

    calls = await teams.say(DIRECTOR, "centrum")
    assert "Het antwoord van het centrum uit de ronde ‘Zelfscan 2027’ (gesloten) blijft bewaard" in texts_in(calls)


async def test_without_a_name_herinner_and_sluit_ronde_mean_the_newest_open_wave(halfway):
    """Proef is closed first; the older wave is still open: that is the one reminded and closed next."""
    running, teams, _ = halfway
    confirmation = new_card(await teams.say(ADMIN, "nieuwe ronde Proef tot 30-06-2027"))
    await teams.press(ADMIN, confirmation, "laat beide open")
    await running.poolster.outbox.idle()
    listing = card_title(new_card(await teams.say(ADMIN, "rondes")))
    assert "Zonder naam gaat een commando over de nieuwste ronde, ‘Proef’" in listing
    assert texts_in(await teams.say(ADMIN, "sluit ronde")).startswith("De ronde ‘Proef’ is gesloten")
    remind = new_card(await teams.say(ADMIN, "herinner"))
    assert "Ronde ‘Zelfscan 2027’" in card_title(remind)
    assert texts_in(await teams.say(ADMIN, "sluit ronde")).startswith("De ronde ‘Zelfscan 2027’ is gesloten")
    assert (
        texts_in(await teams.say(ADMIN, "sluit ronde"))
        == "Er is geen open ronde om te sluiten; typ *rondes* voor de lijst."
    )
    assert texts_in(await teams.say(ADMIN, "herinner")) == "Er is geen open ronde om aan te herinneren."


async def test_finishing_the_older_wave_points_to_the_one_still_waiting(halfway):
    running, teams, _ = halfway
    confirmation = new_card(await teams.say(ADMIN, "nieuwe ronde Proef tot 30-06-2027"))
    await teams.press(ADMIN, confirmation, "laat beide open")
    await running.poolster.outbox.idle()

    choice = new_card(await teams.say(MO, "verder"))
    page = new_card(await teams.press(MO, choice, "Verder in ‘Zelfscan 2027’"))
    overview = await answer_bouwstenen(teams, MO, page, 9)
    closing = new_card(await teams.press(MO, overview, "slotvragen"))
    confirm = new_card(await teams.press(MO, closing, "verzenden", CLOSING))
    calls = await teams.press(MO, confirm, "Definitief verzenden")
    done = new_card(calls)
    assert "Definitief verzonden" in card_title(done) and labels(done) == "Ronde: Zelfscan 2027"
    (waiting,) = [c for c in calls if c.method == "POST" and c.card]
    assert "De ronde ‘Proef’ loopt ook voor GO! CLB Demo." in card_title(waiting)
    page = new_card(await teams.press(MO, waiting, "Start ‘Proef’"))
    assert labels(page) == "Ronde: Proef" and "Bouwsteen 1 van 11" in card_title(page)
    choice = new_card(await teams.say(MO, "hallo"))
    assert [a["title"] for a in choice.card["actions"]] == ["Verder in ‘Proef’", "Bekijk ‘Zelfscan 2027’"], (
        "a sent wave can only be looked at"
    )
