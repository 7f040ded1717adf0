"""POC+ keeps the registry in the Agents Playground: `register`, then a spreadsheet with one mistake
(told which row), then the corrected one, previewed and applied with *Toepassen*, without a restart.

The file is sent as Teams sends a file to a bot in a 1:1 chat (a file.download.info attachment),
through the Playground's custom activity; the bot downloads it from a local server. Screenshots of
the registry card, the refusal and the preview go to build/screenshots.
"""

from __future__ import annotations

import io

import pytest
from aiohttp import web
from openpyxl import Workbook
from playwright.async_api import async_playwright, expect

from tests.support.loopback import serve_on_loopback
from tests.support.playground import CHROMIUM, CHROMIUM_FLAGS, DESKTOP, PlaygroundPage
from tests.test_playground_browser import SHOTS, playground_bot  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser

HEADER = ("centrum-id", "centrum", "naam", "e-mail", "rol", "azure-ad-id", "scholengroep")
TEAM = [
    ("clb-demo", "GO! CLB Demo", "Megan Bowen", "meganb@example.com", "directeur", "", "GO! Scholengroep Demo"),
    ("clb-demo", "GO! CLB Demo", "Adele Vance", "adelev@example.com", "lid", "", ""),
    ("clb-demo", "GO! CLB Demo", "Lee Gu", "leeg@example.com", "lid", "", ""),
    ("clb-demo", "GO! CLB Demo", "Nestor Wilke", "nestorw@example.com", "lid", "", ""),
    ("clb-demo", "GO! CLB Demo", "Mo Medewerker", "mo.medewerker@clb-demo.example", "lid", "", ""),
    ("clb-demo", "GO! CLB Demo", "Lea Lid", "lea.lid@clb-demo.example", "lid", "", ""),
    ("clb-demo", "GO! CLB Demo", "Alma Algemeen", "alma@sg-demo.example", "AD", "", ""),
]


def xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in (HEADER, *rows):
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def test_poc_imports_the_registry_in_the_playground(playground_bot):
    bot, playground = playground_bot
    SHOTS.mkdir(parents=True, exist_ok=True)
    files: dict[str, bytes] = {}
    server = web.Application()
    server.router.add_get("/{name}", lambda request: web.Response(body=files[request.match_info["name"]]))
    runner, base = await serve_on_loopback(server)

    def file_message(name: str, rows) -> dict:
        files[name] = xlsx(rows)
        return {
            "type": "message",
            "text": "",
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.teams.file.download.info",
                    "name": name,
                    "content": {"downloadUrl": f"{base}/{name}", "uniqueId": name, "fileType": "xlsx"},
                }
            ],
        }

    admin_playground = playground("alex")
    try:
        async with async_playwright() as browser_engine:
            browser = await browser_engine.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            context = await browser.new_context(viewport=DESKTOP)
            await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=admin_playground.url)
            admin = PlaygroundPage(await context.new_page(), SHOTS)
            await admin.open(admin_playground.url)

            await admin.say("register")
            state = await admin.card_with("Register van centra")
            await expect(state).to_contain_text("Nog niet bereikbaar")
            await admin.screenshot(state, "register")

            # Sam left, Alma (the scholengroep's AD) is new, and one row lacks its e-mail address.
            mistake = [*TEAM[:5], ("clb-demo", "GO! CLB Demo", "Lea Lid", "", "lid", "", ""), TEAM[6]]
            await admin.send_activity(file_message("register.xlsx", mistake))
            refused = await admin.card_with("Register niet ingelezen")
            await expect(refused).to_contain_text("Rij 7: e-mailadres ontbreekt.")
            await admin.screenshot(refused, "register-fout")

            await admin.send_activity(file_message("register-verbeterd.xlsx", TEAM))
            preview = await admin.card_with("Nieuw register: voorbeeld")
            await expect(preview).to_contain_text("Sam Stafmedewerker")
            await expect(preview).to_contain_text("Alma Algemeen")
            await admin.screenshot(preview, "register-voorbeeld")
            await admin.press(preview, "Toepassen")
            await expect(
                admin.page.get_by_role("paragraph").filter(has_text="Het nieuwe register is in gebruik")
            ).to_be_visible(timeout=30_000)

            await admin.say("register")
            after = admin.cards.filter(has_text="Register van centra").last
            await expect(after).to_contain_text("6 (directeurs en leden")
            await expect(after).to_contain_text("1 contactpersoon")
            await browser.close()
    finally:
        await runner.cleanup()
    assert admin.cut_off == {"register": [], "register-fout": [], "register-voorbeeld": []}, "text cut off on a phone"
    registry = (bot.data_dir / "centres.yaml").read_text()
    assert "Sam Stafmedewerker" not in registry and "Alma Algemeen" in registry
