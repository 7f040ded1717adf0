"""The peer of the one-tenant benchmark: a plain botbuilder bot doing a member's answer, nothing more.

    python scripts/bench_peer_bot.py PORT

What botbuilder's samples do: CloudAdapter on aiohttp, ConversationState on MemoryStorage, an
ActivityHandler that stores the answer of a `save_page` submission in the conversation's state and
sends back the same unit card Poolster sends (the next page, built by cards/respondent.py). No
identity lookup, no registry, no rate limiter, no retries: what any bot pays for a turn, so the
benchmark can put Poolster's CPU per answer next to it.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from botbuilder.core import ActivityHandler, ConversationState, MemoryStorage, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity

from bot.messenger import card_activity
from cards import respondent as cards
from survey import progress
from survey.answers import QuestionAnswer, Response
from survey.questionnaire import load_catalog


class _Config:
    APP_ID = ""
    APP_PASSWORD = ""
    APP_TYPE = "MultiTenant"
    APP_TENANTID = ""


class PeerBot(ActivityHandler):
    def __init__(self, state: ConversationState):
        self.state = state
        self.answers = state.create_property("answers")
        self.q = load_catalog().for_respondents("team")[0]

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        value = turn_context.activity.value or {}
        stored = await self.answers.get(turn_context, dict)
        unit, page = value.get("unit", ""), value.get("page", "")
        for question in self.q.page_questions(page) if page in self.q.page_ids else ():
            if question.id in value:
                stored.setdefault(unit, {})[question.id] = value[question.id]
        now = datetime.now(timezone.utc)
        response = Response(
            wave_id=value.get("wave", ""),
            centre_id="peer",
            respondent_id=turn_context.activity.from_property.id,
            respondent_name="",
            started_at=now,
            updated_at=now,
            revision=int(value.get("rev", 0)) + 1,
            answers={u: {q: QuestionAnswer(choices=(c,)) for q, c in qs.items()} for u, qs in stored.items()},
        )
        step = progress.next_step(self.q, response)
        card = cards.page_card(self.q, step.unit_id or unit, step.page or page, response)
        await turn_context.send_activity(card_activity(card))
        await self.state.save_changes(turn_context)


def main(port: int) -> None:
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(_Config()))
    bot = PeerBot(ConversationState(MemoryStorage()))

    async def messages(request: web.Request) -> web.Response:
        activity = Activity().deserialize(await request.json())
        await adapter.process_activity(request.headers.get("Authorization", ""), activity, bot.on_turn)
        return web.Response(status=201)

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


if __name__ == "__main__":
    main(int(sys.argv[1]))
