"""The Microsoft 365 Agents Playground in headless Chromium, driven like a person would.

`PlaygroundProcess` runs the Playground (npm, installed by `make install`) as one of the mock people
of playground/m365agentsplayground.yml; `PlaygroundPage` types messages, fills the rendered
Adaptive Cards and takes screenshots of them at desktop and phone width.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import yaml
from playwright.async_api import Locator, Page, expect

from scripts.playground_config import BASE_CONFIG, config_for
from tests.support.process import ROOT, free_port, stop_process

PLAYGROUND_CLI = ROOT / "playground" / "node_modules" / "@microsoft" / "m365agentsplayground" / "cli.js"
CHROMIUM = os.environ.get("POOLSTER_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Offline and quiet: no GPU, no QUIC, no background fetches (the machine has no network).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
# A 390 px wide phone leaves a card about 350 px in Teams mobile.
PHONE_CARD_WIDTH = 350
# Tall enough for the longest card, so a screenshot shows all of it.
TALL = 4200


# In the rendered card: buttons and texts that reach past the card's right edge (the card hides
# them), and button labels the renderer shortened with an ellipsis.
CUT_OFF_TEXTS = """card => {
    const edge = card.getBoundingClientRect().right + 1;
    const past = [...card.querySelectorAll('button, .ac-textBlock, .ac-richTextBlock, input')]
        .filter(element => element.getBoundingClientRect().right > edge);
    const shortened = [...card.querySelectorAll('.ac-pushButton-content div')]
        .filter(label => label.scrollWidth > label.clientWidth + 1);
    return [...new Set([...past, ...shortened])].map(element => element.textContent || element.outerHTML.slice(0, 80));
}"""


class PlaygroundProcess:
    def __init__(self, person: str, bot_url: str, work_dir: Path):
        self.person = person
        self.bot_url = bot_url
        self.port = free_port()
        self.config_path = work_dir / f"playground-{person}.yml"
        self.log_path = work_dir / f"playground-{person}.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> PlaygroundProcess:
        base = yaml.safe_load(BASE_CONFIG.read_text(encoding="utf-8"))
        self.config_path.write_text(yaml.safe_dump(config_for(self.person, base)), encoding="utf-8")
        env = {
            **os.environ,
            "M365_AGENTS_PLAYGROUND_CONFIG_PATH": str(self.config_path),
            "M365_AGENTS_PLAYGROUND_LOGFILE": str(self.log_path.with_suffix(".events.log")),
            "TEAMSAPPTESTER_BROWSER": "none",
        }
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [
                "node",
                str(PLAYGROUND_CLI),
                "-e",
                f"{self.bot_url}/api/messages",
                "-c",
                "msteams",
                "-p",
                str(self.port),
                "--disable-telemetry",
            ],
            cwd=self.config_path.parent,
            env=env,
            stdout=log,
            stderr=log,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Playground exited: {self.log_path.read_text()[-2000:]}")
            if f"Listening on {self.port}" in self.log_path.read_text(errors="replace"):
                return self
            time.sleep(0.1)
        raise TimeoutError(f"the Playground did not start: {self.log_path.read_text()[-2000:]}")

    def stop(self) -> None:
        stop_process(self.process)


class PlaygroundPage:
    """One person's Playground tab."""

    def __init__(self, page: Page, shots: Path):
        self.page = page
        self.shots = shots
        # card name -> texts that did not fit at phone width (buttons cut off, the card too wide)
        self.cut_off: dict[str, list[str]] = {}
        # card name -> the card's height in px at phone width, as rendered (docs/member-cards.md)
        self.phone_heights: dict[str, int] = {}
        # clicks and taps on cards (buttons, options, links), to count what a bouwsteen costs
        self.taps = 0

    async def open(self, url: str) -> None:
        await self.page.goto(url, wait_until="load")
        await self.message_box.wait_for(timeout=60_000)

    @property
    def message_box(self) -> Locator:
        return self.page.locator("[data-lexical-editor=true]")

    @property
    def cards(self) -> Locator:
        return self.page.locator(".ac-adaptiveCard")

    async def say(self, text: str) -> None:
        await self.message_box.click()
        await self.page.keyboard.type(text)
        await self.page.keyboard.press("Enter")

    async def card_with(self, text: str, timeout: float = 30_000) -> Locator:
        """The newest card that shows `text` (waits for it to arrive), pinned by its place in the chat:
        a card that moves on in place stays the same locator when its text changes."""
        deadline = time.monotonic() + timeout / 1000
        while True:
            await expect(self.cards.filter(has_text=text).last).to_be_visible(timeout=timeout)
            # A card being updated is re-rendered: between two reads its text can be gone for a moment.
            texts = await self.cards.all_inner_texts()
            found = [index for index, shown in enumerate(texts) if text.lower() in " ".join(shown.split()).lower()]
            if found:
                return self.cards.nth(found[-1])
            if time.monotonic() > deadline:
                raise AssertionError(f"no card shows {text!r}")
            await self.page.wait_for_timeout(100)

    async def press(self, card: Locator, title: str) -> None:
        await card.get_by_role("button", name=title, exact=True).click()
        self.taps += 1

    async def toggle(self, card: Locator, title: str, nth: int = 0) -> None:
        """Tap a link-like line that opens or closes a section ("Lees meer", "+ toelichting")."""
        await card.get_by_role("button", name=title, exact=True).nth(nth).click()
        self.taps += 1

    async def choose(self, card: Locator, question: str, option: str) -> None:
        """Click the option shown as `option` in the choice set labelled by `question`."""
        group = await self._input_labelled(card, question)
        await group.locator("label").filter(has_text=option).first.click()
        self.taps += 1

    async def pick(self, card: Locator, label: str, option: str) -> None:
        """Open the drop-down labelled `label` and pick `option` from its list."""
        await (await self._input_labelled(card, label)).click()
        await self.page.get_by_role("option", name=option).click()
        self.taps += 2

    async def _input_labelled(self, card: Locator, label: str) -> Locator:
        """The input (or choice set) whose label shows `label`: labels point at inputs with `for`."""
        label_element = card.locator("label[for^='__ac-']").filter(has_text=label).first
        return card.locator(f"[id='{await label_element.get_attribute('for')}']")

    async def type_into(self, card: Locator, label: str, text: str) -> None:
        await (await self._input_labelled(card, label)).fill(text)

    async def send_activity(self, changes: dict) -> None:
        """Send an activity the chat box cannot (a file sent to the bot, say) through the Playground's
        *Mock an Activity → Custom activity*: its template (this chat's ids) with `changes` merged in.
        The page's context needs clipboard permissions: the template is read through the clipboard."""
        await self.page.get_by_text("Mock an Activity").click()
        await self.page.get_by_role("menuitem").filter(has_text="Custom activity").click()
        await self.page.locator(".monaco-editor .view-lines").first.click()
        await self.page.keyboard.press("Control+A")
        await self.page.keyboard.press("Control+C")
        activity = {**json.loads(await self.page.evaluate("() => navigator.clipboard.readText()")), **changes}
        await self.page.keyboard.press("Delete")
        # One line, inserted at once: the editor does not auto-close brackets of inserted text.
        await self.page.keyboard.insert_text(json.dumps(activity))
        await self.page.get_by_role("button", name="Send activity").click()

    async def screenshot(self, card: Locator, name: str) -> list[Path]:
        """The whole card as the Playground shows it, and squeezed to a phone's card width.

        The Playground renders cards at a fixed width whatever the window, so the phone shot narrows
        the card itself to what Teams mobile gives a card on a 390 px wide phone; the renderer
        re-flows it as it would there.
        """
        await self.page.set_viewport_size({"width": DESKTOP["width"], "height": TALL})
        await card.scroll_into_view_if_needed()
        desktop = self.shots / f"{name}-desktop.png"
        await card.screenshot(path=str(desktop))
        await card.evaluate("(el, width) => { el.style.width = width + 'px'; }", PHONE_CARD_WIDTH)
        phone = self.shots / f"{name}-phone.png"
        await card.screenshot(path=str(phone))
        self.cut_off[name] = await card.evaluate(CUT_OFF_TEXTS)
        self.phone_heights[name] = round(await card.evaluate("el => el.getBoundingClientRect().height"))
        await card.evaluate("el => { el.style.width = ''; }")
        await self.page.set_viewport_size(DESKTOP)
        return [desktop, phone]
