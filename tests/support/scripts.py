"""Scripted respondents: answer pages and the whole survey through the real cards."""

from __future__ import annotations

from tests.support.fake_connector import Call
from tests.support.teams import TeamsClient, TeamsUser, Turn, iter_elements

SITUERING = {"current_stadium": "planmatig", "intention": "geintegreerd"}
CONTEXT = {
    "deliberate_choice": "combinatie",
    "deliberate_choice_explanation": "Deels gekozen, deels door de context.",
    "hefbomen": ["missie_visie", "mensen_cultuur"],
    "knelpunten": ["systemen_structuur"],
    "differences": ["teams", "anders"],
    "differences_other": "tussen de regio's",
}
CLOSING = {
    "inspiring_practices_1": "preventie",
    "priorities_1": "teamwerk",
    "priorities_2": "plg",
    "priorities_3": "behartiger",
}
SAVE = "Bewaar"


def new_card(calls: list[Call]) -> Call:
    """The card the person goes on with after a turn: the pressed card moved on (updated in place),
    or else the last new message with a card. For a plain list of calls (no pressed card known):
    the last card sent, else the last card updated."""
    pressed = getattr(calls, "pressed", None)
    moved_on = [call for call in calls if call.card and call.method == "PUT" and call.activity_id == pressed]
    if moved_on:
        # Other cards may arrive in the same turn (the director's own Teamoverzicht): the person
        # reads on where they pressed.
        return moved_on[-1]
    shown = [call for call in calls if call.card and call.method == "POST"]
    if not shown and not isinstance(calls, Turn):
        shown = [call for call in calls if call.card and call.method == "PUT"]
    assert shown, f"no card was sent; texts: {[c.text for c in calls]}"
    return shown[-1]


def card_title(call: Call) -> str:
    """All TextBlock texts of a card, joined: enough to tell which card it is."""
    return " | ".join(e.get("text", "") for e in iter_elements(call.card) if e.get("type") == "TextBlock")


async def start(teams: TeamsClient, user: TeamsUser) -> Call:
    intro = new_card(await teams.say(user, "hallo"))
    return new_card(await teams.press(user, intro, "Start" if "Start" in str(intro.card) else "Ga verder"))


async def answer_page(teams: TeamsClient, user: TeamsUser, card: Call, values: dict) -> Call:
    return new_card(await teams.press(user, card, SAVE, values))


async def answer_bouwstenen(
    teams: TeamsClient, user: TeamsUser, card: Call, count: int, situering: dict = SITUERING, context: dict = CONTEXT
) -> Call:
    """Answer `count` bouwstenen from the page card given; returns the card that follows."""
    for _ in range(count):
        card = await answer_page(teams, user, card, situering)
        card = await answer_page(teams, user, card, context)
    return card


async def complete_survey(teams: TeamsClient, user: TeamsUser, closing: dict = CLOSING) -> list[Call]:
    card = await start(teams, user)
    overview = await answer_bouwstenen(teams, user, card, 11)
    closing_card = new_card(await teams.press(user, overview, "slotvragen"))
    confirm = new_card(await teams.press(user, closing_card, "verzenden", closing))
    return await teams.press(user, confirm, "Definitief verzenden")
