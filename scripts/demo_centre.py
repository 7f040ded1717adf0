"""Play the members of the demo centre against a running bot, so a director can watch their card change.

    make run            # in one terminal (or make playground)
    make demo           # in another: Mo, Lea and Sam answer, one page every ~1.5 s

The members' own replies go to a throw-away local connector; the director's card goes wherever the
director talks to the bot (the Agents Playground, or Teams). Open the Playground as Dina Directeur,
say "team" once, and watch the card update.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from survey.answers import EXPLANATION_SUFFIX, input_id
from survey.questionnaire import load_catalog
from tests.support.fake_connector import FakeConnector
from tests.support.scripts import new_card
from tests.support.teams import TeamsClient, TeamsUser

MEMBERS = (
    TeamsUser("Mo Medewerker", "mo.medewerker@clb-demo.example", "demo-aad-mo"),
    TeamsUser("Lea Lid", "lea.lid@clb-demo.example", "demo-aad-lea"),
    TeamsUser("Sam Stafmedewerker", "sam.staf@clb-demo.example", "demo-aad-sam"),
)
# The team's questionnaire (the self-scan), as the bot asks it.
Q = load_catalog().for_respondents("team")[0]


def answers_for(page: str, rng: random.Random) -> dict:
    """Plausible answers to a page, by question type: a level below the highest and a step up from it."""
    values: dict = {}
    current = None
    for question in Q.page_questions(page):
        if question.summary == "level":
            levels = Q.scale_of(question).level_ids
            current = rng.choice(levels[:-1])
            values[question.id] = current
    for question in Q.page_questions(page):
        if question.summary == "target_level" and current is not None:
            levels = Q.scale_of(Q.question(question.relative_to or "")).level_ids
            goal = levels[levels.index(current) + 1]
            values[question.id] = next(o.id for o in question.options if o.target == goal)
        elif question.type == "single_choice" and question.summary != "level":
            values[question.id] = rng.choice(question.options).id
        elif question.type == "multiple_choice":
            plain = [o.id for o in question.options if not o.exclusive and not o.needs_text]
            values[question.id] = rng.sample(plain, k=rng.randint(1, min(2, len(plain))))
        if question.explanation_label and rng.random() < 0.3:
            values[input_id(question, EXPLANATION_SUFFIX)] = "Zo gegroeid in ons centrum."
    return values


async def play(teams: TeamsClient, user: TeamsUser, pages: int, pause: float, rng: random.Random) -> None:
    card = new_card(await teams.say(user, "verder"))
    for _ in range(pages):
        data = next(
            (a["data"] for a in card.card.get("actions", []) if a.get("data", {}).get("action") == "save_page"), None
        )
        if data is None:
            print(f"{user.name}: klaar met de {Q.words.units}")
            return
        card = new_card(await teams.press(user, card, "Bewaar", answers_for(data["page"], rng)))
        print(f"{user.name}: {Q.words.unit} {data['unit']} ({data['page']}) beantwoord", flush=True)
        await asyncio.sleep(pause * rng.uniform(0.5, 1.5))


async def main(url: str, pages: int, pause: float) -> None:
    connector = FakeConnector()
    await connector.start()
    for member in MEMBERS:
        connector.add_member(member.as_member())
    rng = random.Random(2026)
    try:
        async with aiohttp.ClientSession() as session:
            teams = TeamsClient(session, url, connector)
            await asyncio.gather(*(play(teams, member, pages, pause, rng) for member in MEMBERS))
    finally:
        await connector.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Laat de teamleden van het democentrum antwoorden.")
    parser.add_argument("--url", default="http://127.0.0.1:3978", help="the running bot")
    parser.add_argument(
        "--pages",
        type=int,
        default=len(Q.units) * len(Q.pages),
        help="pages per member (default: every page of every unit)",
    )
    parser.add_argument("--pause", type=float, default=1.5, help="seconds between answers")
    args = parser.parse_args()
    asyncio.run(main(args.url, args.pages, args.pause))
