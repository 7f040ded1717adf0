"""The director's view in a browser, as in the Playground after `make demo`: the Teamoverzicht at a glance,
the centre's answer with the team's majority ticked and ties open, sending it, the report, and the
scholengroep's AD receiving the results. Screenshots at desktop and phone width go to build/screenshots.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from playwright.async_api import async_playwright, expect

from storage.embedded import EmbeddedStorage
from storage.repository import Repository
from survey import progress as flow
from survey.answers import Response
from survey.waves import Wave
from tests.support.content import schools_survey, self_scan
from tests.support.playground import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    DESKTOP,
    PLAYGROUND_CLI,
    PlaygroundPage,
    PlaygroundProcess,
)
from tests.support.process import ROOT, BotProcess
from tests.support.responses import filled_response, school_response
from tests.test_playground_browser import SHOTS

pytestmark = pytest.mark.browser

Q = self_scan()
IDS = [u.id for u in Q.units]
NOW = datetime.now(timezone.utc)
WAVE = Wave(id="zelfscan-demo", name="Zelfscan 2026-2027", status="open", created_at=NOW, launched_at=NOW)
# The team of `make demo` and the Playground: four members answered, two did not start yet.
TEAM = {
    "adelev@example.com": ("planmatig", "mensen_cultuur,missie_visie", "Ons werkplan stuurt dit al twee jaar."),
    "leeg@example.com": ("planmatig", "mensen_cultuur", ""),
    "lea.lid@clb-demo.example": ("geintegreerd", "mensen_cultuur,systemen_structuur", "De cellen werken al samen."),
    "mo.medewerker@clb-demo.example": ("fragmentair", "missie_visie", ""),
}


async def seed(data_dir) -> None:
    """The wave, four members' answers, and the centre's answer with all but the last bouwsteen done."""
    store = await EmbeddedStorage.open(data_dir)
    try:
        await Repository(store, "waves", Wave).put(WAVE, WAVE.id)
        responses = Repository(store, "responses", Response)
        for n, (email, (stadium, hefbomen, explanation)) in enumerate(TEAM.items()):
            stadia = {b: stadium for b in IDS}
            stadia["kernprocessen"] = ("planmatig", "systematisch", "planmatig", "systematisch")[n]
            response = filled_response(
                Q,
                wave_id=WAVE.id,
                centre_id="clb-demo",
                respondent_id=email,
                now=NOW,
                stadium=stadia,
                context={"hefbomen": hefbomen, "hefbomen_explanation": explanation},
            )
            await responses.put(response, WAVE.id, "clb-demo", email)
        centre = filled_response(
            Q,
            wave_id=WAVE.id,
            centre_id="clb-demo",
            respondent_id="clb-demo",
            respondent_name="GO! CLB Demo",
            kind="centre",
            now=NOW,
            submit=False,
        )
        centre = centre.model_copy(
            update={
                "answers": {
                    b: a for b, a in centre.answers.items() if b not in ("kernprocessen", "geinformeerde_praktijken")
                }
            }
        )
        await Repository(store, "centre-answers", Response).put(flow.start(centre, NOW), WAVE.id, "clb-demo")
    finally:
        await store.close()


@pytest.fixture
def director_bot(tmp_path):
    if not Path(CHROMIUM).exists() or not PLAYGROUND_CLI.exists():
        pytest.fail("Chromium or the Agents Playground is missing: run `make install`.")
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "centres.yaml").write_text((ROOT / "playground" / "centres.yaml").read_text(encoding="utf-8"))
    return data_dir, tmp_path


async def test_the_director_reads_records_sends_and_the_scholengroep_receives(director_bot):
    data_dir, work = director_bot
    await seed(data_dir)
    bot = BotProcess(
        data_dir, POOLSTER_ADMINS="alexw@example.com", POOLSTER_ALLOWED_TENANTS="", POOLSTER_LOG_LEVEL="INFO"
    ).start()
    playgrounds = [PlaygroundProcess(person, bot.url, work).start() for person in ("nestor", "megan")]
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        async with async_playwright() as engine:
            browser = await engine.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            nestor = PlaygroundPage(await browser.new_page(viewport=DESKTOP), SHOTS)
            await nestor.open(playgrounds[0].url)
            await nestor.say("hallo")
            await nestor.card_with("Poolster voor de scholengroep")

            megan = PlaygroundPage(await browser.new_page(viewport=DESKTOP), SHOTS)
            await megan.open(playgrounds[1].url)
            await megan.say("team")
            summary = await megan.card_with("Teamoverzicht")
            await expect(summary).to_contain_text("Bezig: 9 van 11 bouwstenen ingevuld.")
            await expect(summary).not_to_contain_text("scholen antwoordden"), "no schools' wave ran"
            await summary.get_by_text("▸ Wie antwoordde wat · 2 toelichtingen").first.click()
            await megan.screenshot(summary, "teamoverzicht")

            await megan.press(summary, "Verder invullen")
            page = await megan.card_with("Antwoord van het centrum — GO! CLB Demo")
            await expect(page).to_contain_text("Kies zelf bij: Huidig stadium")
            await megan.screenshot(page, "centrumantwoord")
            await page.get_by_role("button", name="Toon wat je team antwoordde").click()
            await expect(page).to_contain_text("Planmatig: 2 van 4")
            await megan.screenshot(page, "centrumantwoord-open")
            await megan.choose(page, "Op welke wijze is ons centrum vandaag bezig", "Planmatig")
            await megan.choose(page, "Naar de toekomst willen we", "evolueren naar geïntegreerd")
            await megan.press(page, "Bewaar en ga verder")

            context = await megan.card_with("Bouwsteen 2 van 11 · deel 2/2")
            await megan.screenshot(context, "centrumantwoord-context")
            await megan.press(context, "Bewaar en ga verder")
            last = await megan.card_with("Bouwsteen 11 van 11")
            await megan.choose(last, "Op welke wijze is ons centrum vandaag bezig", "Planmatig")
            await megan.choose(last, "Naar de toekomst willen we", "dit aanhouden")
            await megan.press(last, "Bewaar en ga verder")
            last_context = await megan.card_with("Bouwsteen 11 van 11 · deel 2/2")
            await megan.press(last_context, "Bewaar en ga verder")
            confirm = await megan.card_with("Klaar om te verzenden")
            await megan.press(confirm, "Definitief verzenden")
            await megan.card_with("Bedankt!")

            sent = await megan.card_with("✔ Verzonden op")
            await expect(sent).to_contain_text("De scholengroep kreeg het rapport: Nestor Wilke (AD).", timeout=30_000)
            await megan.screenshot(sent, "teamoverzicht-verzonden")
            await megan.press(sent, "Rapport downloaden (pdf)")
            await megan.card_with("Open het rapport")

            received = await nestor.card_with("resultaten voor de scholengroep")
            await nestor.screenshot(received, "scholengroep")
            await browser.close()
        assert {name: texts for name, texts in {**megan.cut_off, **nestor.cut_off}.items() if texts} == {}, (
            "text cut off on a phone"
        )
        for name in (
            "teamoverzicht",
            "centrumantwoord",
            "centrumantwoord-open",
            "centrumantwoord-context",
            "teamoverzicht-verzonden",
            "scholengroep",
        ):
            for width in ("desktop", "phone"):
                assert (SHOTS / f"{name}-{width}.png").stat().st_size > 5_000
    finally:
        for running in playgrounds:
            running.stop()
        bot.stop()


SCHOOLS = schools_survey()
SCHOOLS_WAVE = Wave(
    id="scholen-demo",
    name="Bevraging scholen 2026",
    # Closed: only then does the schools' view show its results per statement.
    status="closed",
    created_at=NOW,
    launched_at=NOW,
    closed_at=NOW,
    questionnaire_id=SCHOOLS.id,
    questionnaire_version=SCHOOLS.version,
)
# GO! CLB Demo's schools: 4 bao, 3 so and 1 buso answer, 2 more schools were asked.
SCHOOL_TYPES = ["bao"] * 5 + ["so"] * 4 + ["buso"]


async def seed_schools(data_dir) -> None:
    """The centre's schools in the registry, a schools' wave, and eight schools' answers in the store."""
    registry = yaml.safe_load((data_dir / "centres.yaml").read_text(encoding="utf-8"))
    demo = next(c for c in registry["centres"] if c["id"] == "clb-demo")
    demo["schools"] = [
        {
            "id": f"school-{n}",
            "name": f"GO! {kind.upper()} school {n}",
            "type": kind,
            "contacts": [{"name": f"Contact {n}", "email": f"school{n}@scholen.example"}],
        }
        for n, kind in enumerate(SCHOOL_TYPES, start=1)
    ]
    (data_dir / "centres.yaml").write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    statements = [s for _, s in SCHOOLS.statements()]
    store = await EmbeddedStorage.open(data_dir)
    try:
        await Repository(store, "waves", Wave).put(SCHOOLS_WAVE, SCHOOLS_WAVE.id)
        responses = Repository(store, "responses", Response)
        answering = [1, 2, 3, 4, 6, 7, 8, 10]
        for n in answering:
            kind = SCHOOL_TYPES[n - 1]
            rating = {
                s.id: (
                    "helemaal"
                    if kind == "bao" and s.number % 3
                    else "eerder_wel"
                    if s.number % 2
                    else "eerder_niet"
                    if kind == "so"
                    else "nvt"
                    if s.number == 18
                    else "helemaal_niet"
                )
                for s in statements
            }
            response = school_response(
                SCHOOLS,
                wave_id=SCHOOLS_WAVE.id,
                centre_id="clb-demo",
                school_id=f"school-{n}",
                now=NOW,
                rating=rating,
                school_name=f"GO! {kind.upper()} school {n}",
                comment="De CLB-medewerker is vlot bereikbaar." if n == 2 else "",
                final="Wisselend personeel dit schooljaar." if n == 7 else "",
            )
            await responses.put(response, SCHOOLS_WAVE.id, "clb-demo", response.respondent_id)
    finally:
        await store.close()


async def test_the_director_sees_the_schools_view_beside_the_teamoverzicht(director_bot):
    data_dir, work = director_bot
    await seed(data_dir)
    await seed_schools(data_dir)
    bot = BotProcess(
        data_dir, POOLSTER_ADMINS="alexw@example.com", POOLSTER_ALLOWED_TENANTS="", POOLSTER_LOG_LEVEL="INFO"
    ).start()
    playground = PlaygroundProcess("megan", bot.url, work).start()
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        async with async_playwright() as engine:
            browser = await engine.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            megan = PlaygroundPage(await browser.new_page(viewport=DESKTOP), SHOTS)
            await megan.open(playground.url)
            await megan.say("team")
            summary = await megan.card_with("Teamoverzicht")
            await expect(summary).to_contain_text("8 van 10 scholen antwoordden")
            await megan.screenshot(summary, "teamoverzicht-scholen")
            await megan.say("scholen")
            view = await megan.card_with("Wat de scholen zeggen — GO! CLB Demo")
            await expect(view).to_contain_text("8 van 10 scholen antwoordden.")
            await expect(view).to_contain_text("minder dan 3 scholen")
            await expect(view).not_to_contain_text("school 1")
            await megan.screenshot(view, "scholen")
            await view.get_by_text("Toon de 7 stellingen").first.click()
            await expect(view).to_contain_text("basisonderwijs")
            await view.get_by_text("Opmerkingen van de scholen (5)").first.click()
            await expect(view).to_contain_text("De CLB-medewerker is vlot bereikbaar.")
            await megan.screenshot(view, "scholen-open")
            await browser.close()
        assert {name: texts for name, texts in megan.cut_off.items() if texts} == {}, "text cut off on a phone"
        for name in ("teamoverzicht-scholen", "scholen", "scholen-open"):
            for width in ("desktop", "phone"):
                assert (SHOTS / f"{name}-{width}.png").stat().st_size > 5_000
    finally:
        playground.stop()
        bot.stop()
