"""POC+ in the Agents Playground: a second wave while a member is halfway the first, a reminder after
a confirmation, the reports, the status and the list of waves, rendered by Teams' renderer.

Screenshots of the confirmation, the status, the reminder's report, `rondes` and the member's choice
of wave, at desktop and phone width, go to build/screenshots (or $POOLSTER_SCREENSHOTS).
"""

from __future__ import annotations

from datetime import date

import pytest
from playwright.async_api import async_playwright, expect

from survey.waves import date_text, example_deadline
from tests.support.playground import CHROMIUM, CHROMIUM_FLAGS, DESKTOP, PlaygroundPage
from tests.test_playground_browser import SHOTS, playground_bot  # noqa: F401  (a pytest fixture)

pytestmark = pytest.mark.browser
SCREENS = (
    "admin-status",
    "admin-confirmation",
    "admin-launch-report",
    "admin-remind-confirm",
    "admin-remind-report",
    "admin-rondes",
    "admin-results",
    "member-wave-choice",
    "member-progress",
)


async def test_poc_runs_a_second_wave_beside_a_member_halfway(playground_bot):
    bot, playground = playground_bot
    SHOTS.mkdir(parents=True, exist_ok=True)
    member_playground = playground("adele")
    admin_playground = playground("alex")
    deadline = date_text(example_deadline(date.today()))
    async with async_playwright() as browser_engine:
        browser = await browser_engine.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        member = PlaygroundPage(await browser.new_page(viewport=DESKTOP), SHOTS)
        await member.open(member_playground.url)
        await member.say("verder")
        situering = await member.card_with("Bouwsteen 1 van 11")
        await member.choose(situering, "Op welke wijze", "Planmatig")
        await member.choose(situering, "Naar de toekomst", "dit aanhouden")
        await member.press(situering, "Bewaar en ga verder")
        await member.card_with("is een welbewuste keuze")

        admin = PlaygroundPage(await browser.new_page(viewport=DESKTOP), SHOTS)
        await admin.open(admin_playground.url)
        await admin.say("status")
        status = await admin.card_with("centrumantwoord: nog niet begonnen")
        await expect(status).to_contain_text("geen uitnodigingen verstuurd")
        await admin.screenshot(status, "admin-status")

        await admin.say(f"nieuwe ronde Proef tot {deadline}")
        confirmation = await admin.card_with("Er loopt al een ronde")
        # Six people: the demo centre's team (Nestor Wilke is the scholengroep's AD, who does not answer).
        await expect(confirmation).to_contain_text("1 van 6 personen gestart")
        await admin.screenshot(confirmation, "admin-confirmation")
        await admin.press(confirmation, "Lanceer, laat beide open")
        report = await admin.card_with("Rapport van de uitnodigingen", timeout=60_000)
        await admin.screenshot(report, "admin-launch-report")

        await admin.say("herinner Proef")
        remind = await admin.card_with("die nog niet verzonden?")
        await admin.screenshot(remind, "admin-remind-confirm")
        await admin.press(remind, "Herinner ze")
        remind_report = await admin.card_with("Rapport van de herinneringen", timeout=60_000)
        await expect(remind_report).to_contain_text("Wat je kan doen")
        await admin.screenshot(remind_report, "admin-remind-report")

        await admin.say("rondes")
        waves = await admin.card_with("Typ status [naam]")
        await admin.screenshot(waves, "admin-rondes")
        await admin.say("resultaten")
        results = await admin.card_with("Nog geen centrumantwoorden")
        await admin.screenshot(results, "admin-results")

        await member.say("voortgang")
        progress = await member.card_with("Ronde: Zelfscan")
        await member.screenshot(progress, "member-progress")
        await member.say("verder")
        choice = await member.card_with("In welke ronde ga je verder?")
        await member.screenshot(choice, "member-wave-choice")
        await member.press(choice, "Start ‘Proef’")
        await member.card_with("Ronde: Proef")
        await browser.close()
    assert {**admin.cut_off, **member.cut_off} == {name: [] for name in SCREENS}, "text cut off on a phone"
    for name in SCREENS:
        for width in ("desktop", "phone"):
            assert (SHOTS / f"{name}-{width}.png").stat().st_size > 5_000


SCHOOL_SCREENS = (
    "admin-scholen-bevestiging",
    "admin-scholen-status",
    "admin-scholen-rondes",
    "admin-scholen-herinner",
    "admin-scholen-resultaten",
    "admin-scholen-export",
)


async def test_poc_launches_and_follows_a_schools_wave(playground_bot):
    """POC+ asks the demo centre's schools: the confirmation names the survey, every count is of schools."""
    bot, playground = playground_bot
    SHOTS.mkdir(parents=True, exist_ok=True)
    admin_playground = playground("alex")
    deadline = date_text(example_deadline(date.today()))
    async with async_playwright() as browser_engine:
        browser = await browser_engine.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        admin = PlaygroundPage(await browser.new_page(viewport=DESKTOP), SHOTS)
        await admin.open(admin_playground.url)
        await admin.say(f"nieuwe ronde scholen Voorjaar tot {deadline}")
        confirmation = await admin.card_with("Vragenlijst: De samenwerking met het CLB")
        await expect(confirmation).to_contain_text("Eén antwoord per school")
        await admin.screenshot(confirmation, "admin-scholen-bevestiging")
        await admin.press(confirmation, "Lanceer de ronde")
        await admin.card_with("Rapport van de uitnodigingen", timeout=60_000)

        await admin.say("status Voorjaar")
        status = await admin.card_with("scholen verzonden")
        await expect(status).to_contain_text("Per centrum (aantal scholen)")
        await expect(status).to_contain_text("verzonden")
        await admin.screenshot(status, "admin-scholen-status")
        await admin.say("rondes")
        waves = await admin.card_with("Typ status [naam]")
        await expect(waves).to_contain_text("scholen verzonden")
        await admin.screenshot(waves, "admin-scholen-rondes")
        await admin.say("herinner Voorjaar")
        remind = await admin.card_with("scholen die nog niet verzonden?")
        await admin.screenshot(remind, "admin-scholen-herinner")
        await admin.press(remind, "Annuleer")
        await admin.say("resultaten Voorjaar")
        results = await admin.card_with("komen er pas als de bevraging afgelopen is")
        await admin.screenshot(results, "admin-scholen-resultaten")
        await admin.say("export Voorjaar")
        export = await admin.card_with("Export: Voorjaar")
        await expect(export).to_contain_text("Er is nog niets verzonden")
        await admin.screenshot(export, "admin-scholen-export")
        await browser.close()
    assert admin.cut_off == {name: [] for name in SCHOOL_SCREENS}, "text cut off on a phone"
    for name in SCHOOL_SCREENS:
        for width in ("desktop", "phone"):
            assert (SHOTS / f"{name}-{width}.png").stat().st_size > 5_000
