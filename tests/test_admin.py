"""POC+ runs survey waves by message: launch, invitations through the outbox, reminders, close, export."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import aiohttp
import pytest_asyncio
from openpyxl import load_workbook

from tests.support.harness import ADMIN, DIRECTOR, MEMBERS, OTHER_DIRECTOR, OTHER_MEMBER, start_bot
from tests.support.scripts import complete_survey, new_card, start
from tests.support.teams import TeamsClient, texts_in

MO, LEA, SAM = MEMBERS
INVITED = (DIRECTOR, *MEMBERS, OTHER_DIRECTOR, OTHER_MEMBER)


class Clock:
    def __init__(self):
        self.now = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)

    def __call__(self):
        return self.now


@pytest_asyncio.fixture
async def world(data_dir, connector):
    clock = Clock()
    running = await start_bot(data_dir, clock=clock, default_wave=False)
    async with aiohttp.ClientSession() as session:
        yield running, TeamsClient(session, running.url, connector), clock
    await running.poolster.outbox.idle()
    await running.stop()


def invitations(connector, user) -> list:
    return [c for c in connector.sends() if c.card and "uitgenodigd" in str(c.card)
            and c.conversation_id in (user.conversation_id, f"personal-{user.aad_object_id}")]


async def launch(teams, running, name="Zelfscan 2027 tot 15-06-2027", *, wait=True):
    """POC+ launches a wave; with `wait`, until every invitation is settled."""
    await teams.say(ADMIN, "hallo")
    card = new_card(await teams.say(ADMIN, f"nieuwe ronde {name}"))
    assert "Lanceer" in str(card.card)
    calls = await teams.press(ADMIN, card, "Lanceer")
    if wait:
        await running.poolster.outbox.idle()
    return calls, card


async def test_poc_is_greeted_with_what_they_can_do(world):
    _, teams, _ = world
    greeting = new_card(await teams.say(ADMIN, "hallo"))
    assert "nieuwe ronde" in str(greeting.card) and "niet in de lijst" not in str(greeting.card)


async def test_poc_commands_work_in_a_channel_with_a_mention_or_the_typed_name(world):
    _, teams, _ = world
    mention = [{"type": "mention", "text": "<at>Poolster</at>", "mentioned": {"id": "28:poolster-bot", "name": "Poolster"}}]
    for text, entities in (("<at>Poolster</at> status", mention), ("@Poolster status", None)):
        calls = await teams.say(ADMIN, text, conversation_id="19:community@thread.tacv2",
                                conversation_type="channel", **({"entities": entities} if entities else {}))
        # Without a wave yet, "status" says so: proof the command was understood, not the channel hint.
        assert texts_in(calls) == "Er is nog geen ronde."


async def test_only_poc_may_run_waves(world, connector):
    running, teams, _ = world
    for command in ("nieuwe ronde X tot 01-06-2027", "status", "herinner", "sluit ronde", "export", "resultaten"):
        assert "POC+" in texts_in(await teams.say(MO, command))
    assert await running.poolster.services.waves.list() == []


async def test_launch_invites_everyone_once_with_a_report(world, connector):
    running, teams, _ = world
    await teams.say(MO, "hallo")  # Mo has a chat with the bot; the others are reached by opening one
    card = new_card(await teams.say(ADMIN, "nieuwe ronde Zelfscan 2027 tot 15-06-2027"))
    assert "6 personen" in str(card.card)
    calls = await teams.press(ADMIN, card, "Lanceer")
    assert "gelanceerd" in texts_in(calls)
    await running.poolster.outbox.idle()
    for user in INVITED:
        assert len(invitations(connector, user)) == 1, user.name
    report = [c for c in connector.sends(ADMIN.conversation_id) if c.card and "Lancering" in str(c.card)]
    assert report and "Uitgenodigd" in str(report[-1].card)
    # Pressing "Lanceer" again does not invite anyone twice.
    await teams.press(ADMIN, card, "Lanceer")
    await running.poolster.outbox.idle()
    assert all(len(invitations(connector, user)) == 1 for user in INVITED)
    # The invitation starts the survey with one click.
    invite = invitations(connector, MO)[0]
    first = new_card(await teams.press(MO, invite, "Start"))
    assert "Bouwsteen 1" in str(first.card)


async def test_throttling_failures_and_a_blocked_user(world, connector):
    running, teams, _ = world
    connector.retry_after_seconds = 0
    connector.failures.extend([429, 500, 429, 502])
    connector.blocked_conversations.add(f"personal-{LEA.aad_object_id}")
    await launch(teams, running)
    for user in INVITED:
        expected = 0 if user is LEA else 1
        assert len(invitations(connector, user)) == expected, user.name
    items = {i.person_key: i for i in await running.poolster.outbox.items.list()}
    assert items[LEA.email].status == "failed" and "403" in items[LEA.email].reason
    assert all(i.status == "sent" for k, i in items.items() if k != LEA.email)


async def test_a_wave_an_instance_left_behind_is_finished_by_the_minutes_resume(world, connector):
    running, teams, clock = world
    await launch(teams, running)
    outbox = running.poolster.outbox
    wave = (await running.poolster.services.waves.list())[0]
    registry = running.poolster.services.registry
    people = [(centre.id, person) for centre in registry.centres for person in centre.people]
    # Another instance queued reminders, claimed one, and died before sending anything.
    await outbox.enqueue(wave.id, "reminder-manual-1", people)
    first = people[0][1].key
    await outbox.items.update((wave.id, f"reminder-manual-1--{first}"), lambda item: item.model_copy(update={
        "status": "sending", "claimed_by": "other-host/1/dead", "claimed_until": clock.now - timedelta(seconds=1)}))
    assert await outbox.pending.get(wave.id) is not None

    await outbox.resume()
    await outbox.idle()
    reminders = [c for c in connector.sends() if c.card and "Herinnering" in str(c.card)]
    assert len(reminders) == len({c.conversation_id for c in reminders}) == len(people)
    assert await outbox.pending.get(wave.id) is None, "a finished wave is no longer looked at"

    await outbox.resume()
    await outbox.idle()
    assert len([c for c in connector.sends() if c.card and "Herinnering" in str(c.card)]) == len(people)


async def test_reminders_only_for_those_not_done_and_never_twice(world, connector):
    running, teams, clock = world
    await launch(teams, running)
    wave = (await running.poolster.services.waves.list())[0]
    await complete_survey(teams, MO)
    clock.now = wave.closes_at - timedelta(days=7) + timedelta(minutes=1)
    await running.poolster.admin.tick()
    await running.poolster.admin.tick()
    await running.poolster.outbox.idle()
    reminders = [c for c in connector.sends() if c.card and "Herinnering" in str(c.card)]
    reached = {c.conversation_id for c in reminders}
    assert len(reminders) == len(reached) == 5, "everyone but Mo, once"
    assert MO.conversation_id not in reached


async def test_close_freezes_and_results_stay_readable(world, connector):
    running, teams, clock = world
    await launch(teams, running)
    card = await start(teams, SAM)
    assert "gesloten" in texts_in(await teams.say(ADMIN, "sluit ronde"))
    calls = await teams.press(SAM, card, "Bewaar", {"current_stadium": "planmatig", "intention": "aanhouden"})
    assert "afgesloten" in texts_in(calls)
    services = running.poolster.services
    wave = (await services.waves.list())[0]
    assert not (await services.responses.get(wave.id, "clb-demo", SAM.email)).answers
    assert "Status" in str(new_card(await teams.say(ADMIN, "status")).card)
    assert "Resultaten" in str(new_card(await teams.say(ADMIN, "resultaten")).card)


async def test_the_deadline_closes_the_wave(world):
    running, teams, clock = world
    await launch(teams, running)
    wave = (await running.poolster.services.waves.list())[0]
    clock.now = wave.closes_at + timedelta(minutes=1)
    await running.poolster.admin.tick()
    assert (await running.poolster.services.waves.get(wave.id)).status == "closed"


async def test_export_holds_exactly_what_was_answered_behind_a_signed_link(world, connector):
    running, teams, _ = world
    await launch(teams, running)
    await complete_survey(teams, MO)
    card = new_card(await teams.say(ADMIN, "export"))
    # The links name the configured public URL; this test's bot listens on a random port.
    urls = {a["title"]: a["url"].replace(running.poolster.settings.public_url, running.url)
            for a in card.card["actions"]}
    async with teams.session.get(urls["Download XLSX"]) as response:
        assert response.status == 200
        workbook = load_workbook(io.BytesIO(await response.read()))
    assert workbook.sheetnames == ["centra", "slotvragen", "leden"]
    members = list(workbook["leden"].iter_rows(values_only=True))
    assert members[0][3] == "respondent" and len(members) == 1 + 11
    assert {row[3] for row in members[1:]} == {MO.email}
    header = members[0]
    assert "hefbomen: gelinkt aan missie-visie-strategie, kernprocessen en leiderschap" in header
    assert "differences: anders, namelijk" in header
    first = dict(zip(header, members[1]))
    assert first["current_stadium"] == "planmatig" and first["differences: anders, namelijk"] == "tussen de regio's"
    closing = list(workbook["slotvragen"].iter_rows(values_only=True))
    assert closing[1][6:9] == ("teamwerk", "plg", "behartiger")
    async with teams.session.get(urls["Download CSV (zip)"]) as response:
        assert response.status == 200
    tampered = urls["Download XLSX"][:-3] + "abc"
    async with teams.session.get(tampered) as response:
        assert response.status == 403
    name = urls["Download XLSX"].rsplit("/", 1)[1]
    expired = running.poolster.links.link(running.poolster.links.resolve(name).name, now=0).replace(
        running.poolster.settings.public_url, running.url)
    async with teams.session.get(expired) as response:
        assert response.status == 403 and "verlopen" in await response.text()
