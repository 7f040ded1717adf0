"""End to end in a browser: the Agents Playground renders the bot's cards with Teams' renderer and a
member answers a bouwsteen by clicking through them, then the director looks at the summary; another
member completes the whole survey, closing questions and submission included.

Screenshots of the intro, a bouwsteen's two pages (and part 1 with a mistake), the overview and the
director's summary, at desktop and phone width, go to build/screenshots (or $POOLSTER_SCREENSHOTS); docs/screenshots holds a copy.
"""

from __future__ import annotations

import asyncio
import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect

from storage.embedded import EmbeddedStorage
from storage.repository import Repository
from survey.answers import Response
from survey.questionnaire import load_catalog
from survey.waves import Wave
from tests.support.playground import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    DESKTOP,
    PLAYGROUND_CLI,
    PlaygroundPage,
    PlaygroundProcess,
)
from tests.support.process import ROOT, BotProcess

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("POOLSTER_SCREENSHOTS") or ROOT / "build" / "screenshots")


def _bot_and_playgrounds(tmp_path, waves: tuple[Wave, ...] = ()):
    if not Path(CHROMIUM).exists() or not PLAYGROUND_CLI.exists():
        pytest.fail("Chromium or the Agents Playground is missing: run `make install`.")
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "centres.yaml").write_text((ROOT / "playground" / "centres.yaml").read_text(encoding="utf-8"))
    if waves:
        asyncio.run(_store_waves(data_dir, waves))
    bot = BotProcess(
        data_dir, POOLSTER_ADMINS="alexw@example.com", POOLSTER_ALLOWED_TENANTS="", POOLSTER_LOG_LEVEL="INFO"
    ).start()
    playgrounds: list[PlaygroundProcess] = []

    def playground(person: str) -> PlaygroundProcess:
        playgrounds.append(PlaygroundProcess(person, bot.url, tmp_path).start())
        return playgrounds[-1]

    yield bot, playground
    for running in playgrounds:
        running.stop()
    bot.stop()


async def _store_waves(data_dir: Path, waves: tuple[Wave, ...]) -> None:
    store = await EmbeddedStorage.open(data_dir)
    try:
        for wave in waves:
            await Repository(store, "waves", Wave).create(wave, wave.id)
    finally:
        await store.close()


@pytest.fixture
def playground_bot(tmp_path):
    yield from _bot_and_playgrounds(tmp_path)


@pytest.fixture
def schools_playground_bot(tmp_path):
    """The Playground's bot with a wave of the schools' survey open beside the default self-scan."""
    questionnaire = load_catalog().for_respondents("schools")[0]
    now = datetime.now(timezone.utc)
    wave = Wave(
        id="bevraging-scholen",
        name="Bevraging scholen 2026",
        status="open",
        created_at=now,
        launched_at=now,
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
    )
    yield from _bot_and_playgrounds(tmp_path, (wave,))


async def test_member_answers_a_bouwsteen_in_the_rendered_card_and_the_director_sees_it(playground_bot):
    bot, playground = playground_bot
    SHOTS.mkdir(parents=True, exist_ok=True)
    member_playground = playground("adele")
    director_playground = playground("megan")

    async with async_playwright() as browser_engine:
        browser = await browser_engine.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        member = PlaygroundPage(await browser.new_page(viewport=DESKTOP), SHOTS)
        await member.open(member_playground.url)

        await member.say("hallo")
        intro = await member.card_with("Start de zelfscan")
        await member.screenshot(intro, "intro")
        await member.press(intro, "Start de zelfscan")

        situering = await member.card_with("Op welke wijze is ons centrum vandaag bezig")
        await expect(situering).to_contain_text("Behartiger van de leerling")
        await member.screenshot(situering, "bouwsteen")
        cards_before = await member.cards.count()
        member.taps = 0
        # Read one stadium in full: its toggle turns into "Lees minder".
        await member.toggle(situering, "Lees meer", nth=1)
        await expect(situering.get_by_role("button", name="Lees minder")).to_be_visible()
        await member.choose(situering, "Op welke wijze is ons centrum vandaag bezig", "Planmatig")
        await member.choose(situering, "Naar de toekomst willen we", "evolueren naar systematisch")
        await member.choose(situering, "Naar de toekomst willen we", "evolueren naar planmatig")
        await member.press(situering, "Bewaar en ga verder")
        # A mistake is said at its field, on the same card, and what was opened and chosen stays.
        await expect(situering).to_contain_text("Ambitie: je centrum werkt al planmatig")
        await expect(situering.get_by_role("button", name="Lees minder")).to_be_visible()
        await member.screenshot(situering, "bouwsteen-fout")
        await member.choose(situering, "Naar de toekomst willen we", "evolueren naar geïntegreerd")
        await member.press(situering, "Bewaar en ga verder")

        # The same card moved on to part 2: no new message in the chat.
        await expect(situering).to_contain_text("is een welbewuste keuze", timeout=20_000)
        assert await member.cards.count() == cards_before, "the card moves on in place"
        context = await member.card_with("is een welbewuste keuze")
        await member.screenshot(context, "bouwsteen-deel2")
        await member.choose(context, "De manier waarop ons centrum", "is een combinatie van beide")
        await member.toggle(context, "+ toelichting")
        await member.type_into(context, "Toelichting", "Gegroeid uit ons werkplan.")
        await member.choose(context, "bepaalde hefbomen", "gelinkt aan mensen en cultuur")
        await member.choose(context, "bepaalde hefbomen", "gelinkt aan systemen en structuur")
        await member.choose(context, "bepaalde knelpunten", "neen, wij ondervinden momenteel geen knelpunten")
        await member.choose(context, "Is er een verschil", "nee")
        await member.press(context, "Bewaar en ga verder")
        await expect(context).to_contain_text("Bouwsteen 2 van 11")
        # 1 Lees meer, 3 + 1 for part 1 with its correction, 1 + 1 toelichting + 2 + 1 + 1 for part 2, 2 saves... :
        # the counted path is in docs/member-cards.md; here the taps a person made, mistake included.
        assert member.taps == 14, member.taps

        await member.say("overzicht")
        overview = await member.card_with("Overzicht van je antwoorden")
        await expect(overview).to_contain_text("Behartiger van de leerling")
        await member.screenshot(overview, "overzicht")
        await member.say("help")
        await member.screenshot(await member.card_with("Wat kan je typen?"), "hulp")

        director = PlaygroundPage(await browser.new_page(viewport=DESKTOP), SHOTS)
        await director.open(director_playground.url)
        await director.say("team")
        summary = await director.card_with("Teamoverzicht")
        await expect(summary).to_contain_text("Adele Vance")
        await director.screenshot(summary, "directeur")
        await browser.close()
    names = ("intro", "bouwsteen", "bouwsteen-fout", "bouwsteen-deel2", "overzicht", "hulp", "directeur")
    assert {**member.cut_off, **director.cut_off} == {name: [] for name in names}, "text cut off on a phone"
    (SHOTS / "phone-heights.json").write_text(json.dumps(member.phone_heights, indent=2) + "\n")

    bot.stop()
    store = await EmbeddedStorage.open(bot.data_dir)
    try:
        responses = await Repository(store, "responses", Response).list()
    finally:
        await store.close()
    (adele,) = [response for response in responses if response.respondent_name == "Adele Vance"]
    first = {question: answer.choices for question, answer in adele.answers["behartiger"].items()}
    assert first == {
        "current_stadium": ("planmatig",),
        "intention": ("geintegreerd",),
        "deliberate_choice": ("combinatie",),
        "hefbomen": ("mensen_cultuur", "systemen_structuur"),
        "knelpunten": ("geen",),
        "differences": ("nee",),
    }
    assert adele.answers["behartiger"]["deliberate_choice"].explanation == "Gegroeid uit ons werkplan."
    for name in names:
        for width in ("desktop", "phone"):
            assert (SHOTS / f"{name}-{width}.png").stat().st_size > 5_000


async def test_a_member_completes_the_whole_survey_in_the_rendered_cards(playground_bot):
    """What a newcomer does after `make playground`: every bouwsteen, the closing questions, submit."""
    bot, playground = playground_bot
    member_playground = playground("lee")
    async with async_playwright() as browser_engine:
        browser = await browser_engine.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        member = PlaygroundPage(await browser.new_page(viewport=DESKTOP), SHOTS)
        await member.open(member_playground.url)
        await member.say("verder")
        for number in range(1, 12):
            situering = await member.card_with(f"Bouwsteen {number} van 11")
            await member.choose(situering, "Op welke wijze", "Planmatig")
            await member.choose(situering, "Naar de toekomst", "dit aanhouden")
            await member.press(situering, "Bewaar en ga verder")
            context = await member.card_with("is een welbewuste keuze")
            await member.choose(context, "De manier waarop", "is een welbewuste keuze")
            await member.choose(context, "bepaalde hefbomen", "neen, wij ondervinden momenteel geen hefbomen")
            await member.choose(context, "bepaalde knelpunten", "neen, wij ondervinden momenteel geen knelpunten")
            await member.choose(context, "Is er een verschil", "nee")
            await member.press(context, "Bewaar en ga verder")
        overview = await member.card_with("Verder naar de slotvragen")
        await member.press(overview, "Verder naar de slotvragen")
        closing = await member.card_with("Bewaar en ga naar verzenden")
        for slot, bouwsteen in ((1, "3. Preventie"), (2, "4. Sterk teamwerk"), (3, "7. Integraal beleid")):
            await member.pick(closing, f"Prioriteit {slot}", bouwsteen)
        await closing.get_by_text("Wij zitten momenteel nog niet").click()
        await member.press(closing, "Bewaar en ga naar verzenden")
        confirm = await member.card_with("Definitief verzenden")
        await member.press(confirm, "Definitief verzenden")
        await member.card_with("Bedankt!")
        await browser.close()

    bot.stop()
    store = await EmbeddedStorage.open(bot.data_dir)
    try:
        responses = await Repository(store, "responses", Response).list()
    finally:
        await store.close()
    (lee,) = [response for response in responses if response.respondent_name == "Lee Gu"]
    assert lee.is_submitted and len(lee.answers) == 11
    assert lee.final_answer("priorities").choices == ("preventie", "teamwerk", "integraal_beleid")
    assert lee.final_answer("inspiring_practices").declined
    assert lee.final_answer("inspiring_practices").choices == ()


async def test_a_school_answers_the_schools_survey_in_the_rendered_cards(schools_playground_bot):
    """A school's contact person, in Teams' renderer at desktop and phone width: every theme, one change,
    the last question, submit."""
    bot, playground = schools_playground_bot
    SHOTS.mkdir(parents=True, exist_ok=True)
    q = load_catalog().for_respondents("schools")[0]
    scale = q.scale(next(question.scale for question in q.questions if question.type == "agreement"))
    levels = [level.label for level in scale.levels]
    contact_playground = playground("johanna")
    async with async_playwright() as browser_engine:
        browser = await browser_engine.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        contact = PlaygroundPage(await browser.new_page(viewport=DESKTOP), SHOTS)
        await contact.open(contact_playground.url)
        await contact.say("hallo")
        intro = await contact.card_with("Start de bevraging")
        await expect(intro).to_contain_text("GO! Basisschool De Linde")
        await expect(intro).to_contain_text("GO! CLB Demo")
        await contact.screenshot(intro, "scholen-intro")
        await contact.press(intro, "Start de bevraging")

        theme = await contact.card_with(f"Thema 1 van {len(q.units)}")
        await contact.screenshot(theme, "scholen-thema")
        # Teams itself refuses to send a theme with a statement left open, and says which.
        await contact.press(theme, "Bewaar en ga verder")
        await expect(theme).to_contain_text(f"Stelling {q.units[0].statements[0].number}: kies een antwoord.")
        await contact.screenshot(theme, "scholen-thema-leeg")
        for number, unit in enumerate(q.units, 1):
            theme = await contact.card_with(f"Thema {number} van {len(q.units)}")
            contact.taps = 0
            for index, statement in enumerate(unit.statements):
                await contact.choose(theme, statement.text[:40], levels[(index + number) % len(levels)])
            if number == 1:
                await contact.type_into(theme, "Wil je iets toelichten", "Vlot bereikbaar, ook in de vakanties.")
            await contact.press(theme, "Bewaar en ga verder")
            if number == 1:
                assert contact.taps == len(unit.statements) + 1, "one tap per statement, one to save"
        overview = await contact.card_with("Antwoorden van GO! Basisschool De Linde")
        await expect(overview).to_contain_text(f"{len(q.units)} van {len(q.units)}")
        await contact.screenshot(overview, "scholen-overzicht")

        # A change: the first theme, one statement, back to the overview.
        await overview.get_by_role("button", name="Wijzig", exact=True).first.click()
        theme = await contact.card_with("Bewaar wijziging")
        await contact.choose(theme, q.units[0].statements[0].text[:40], levels[-1])
        await contact.press(theme, "Bewaar wijziging")
        overview = await contact.card_with("Verder naar de laatste vraag")
        await contact.press(overview, "Verder naar de laatste vraag")
        final = await contact.card_with("Bewaar en ga naar verzenden")
        await contact.type_into(final, "Wat had invloed", "Wisselend personeel dit schooljaar.")
        await contact.screenshot(final, "scholen-slot")
        await contact.press(final, "Bewaar en ga naar verzenden")
        confirm = await contact.card_with("Definitief verzenden")
        await contact.screenshot(confirm, "scholen-verzenden")
        await contact.press(confirm, "Definitief verzenden")
        thanks = await contact.card_with("Bedankt!")
        await contact.screenshot(thanks, "scholen-bedankt")
        await contact.say("help")
        await contact.screenshot(await contact.card_with("Wat kan je typen?"), "scholen-hulp")
        await browser.close()
    names = (
        "scholen-intro",
        "scholen-thema",
        "scholen-thema-leeg",
        "scholen-overzicht",
        "scholen-slot",
        "scholen-verzenden",
        "scholen-bedankt",
        "scholen-hulp",
    )
    assert contact.cut_off == {name: [] for name in names}, "text cut off on a phone"
    (SHOTS / "schools-phone-heights.json").write_text(json.dumps(contact.phone_heights, indent=2) + "\n")

    bot.stop()
    store = await EmbeddedStorage.open(bot.data_dir)
    try:
        responses = await Repository(store, "responses", Response).list()
    finally:
        await store.close()
    (school,) = [response for response in responses if response.kind == "school"]
    assert school.respondent_id == "bs-de-linde" and school.is_submitted
    first = q.units[0]
    ratings = school.answers[first.id][next(x.id for x in q.questions if x.type == "agreement")].ratings
    assert ratings[first.statements[0].id] == scale.levels[-1].id, "the change is kept"
    assert len(ratings) == len(first.statements)
