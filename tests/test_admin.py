"""POC+ runs survey waves by message: launch, invitations through the outbox, reminders, close, export."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import aiohttp
import pytest
import pytest_asyncio

from bot.outbox import OwedReport, reason_code
from dialogs.admin import NO_WAVE
from dialogs.wave_service import WaveRefused, WaveService
from survey.reach_outcomes import NotReached
from tests.support.harness import ADMIN, DIRECTOR, MEMBERS, OTHER_DIRECTOR, OTHER_MEMBER, start_bot
from tests.support.scripts import card_title, complete_survey, new_card, start
from tests.support.teams import TeamsClient, iter_elements, texts_in

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
    return [
        c
        for c in connector.sends()
        if c.card
        and "uitgenodigd" in str(c.card)
        and c.conversation_id in (user.conversation_id, f"personal-{user.aad_object_id}")
    ]


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
    mention = [
        {"type": "mention", "text": "<at>Poolster</at>", "mentioned": {"id": "28:poolster-bot", "name": "Poolster"}}
    ]
    for text, entities in (("<at>Poolster</at> status", mention), ("@Poolster status", None)):
        calls = await teams.say(
            ADMIN,
            text,
            conversation_id="19:community@thread.tacv2",
            conversation_type="channel",
            **({"entities": entities} if entities else {}),
        )
        # Without a wave yet, "status" says so: proof the command was understood, not the channel hint.
        assert texts_in(calls) == NO_WAVE


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
    assert items[LEA.email].status == "failed" and items[LEA.email].reason == NotReached.BLOCKED.value
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
    await outbox.items.update(
        (wave.id, f"reminder-manual-1--{first}"),
        lambda item: item.model_copy(
            update={
                "status": "sending",
                "claimed_by": "other-host/1/dead",
                "claimed_until": clock.now - timedelta(seconds=1),
            }
        ),
    )
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
    await running.poolster.waves.tick()
    await running.poolster.waves.tick()
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
    await running.poolster.waves.tick()
    assert (await running.poolster.services.waves.get(wave.id)).status == "closed"


def reports(connector, heading: str) -> list:
    return [c for c in connector.sends(ADMIN.conversation_id) if c.card and heading in card_title(c)]


async def test_a_reminder_asks_first_and_reports_as_a_reminder(world, connector):
    running, teams, _ = world
    await launch(teams, running)
    await complete_survey(teams, MO)
    before = len(connector.sends())
    question = new_card(await teams.say(ADMIN, "herinner"))
    assert "Herinner 5 personen die nog niet verzonden?" in card_title(question)
    await running.poolster.outbox.idle()
    assert len(connector.sends()) == before + 1, "asking sends nothing to anyone"

    cancelled = await teams.press(ADMIN, question, "Annuleer")
    assert "niemand" in texts_in(cancelled)
    assert not [c for c in connector.sends() if c.card and "Herinnering: je antwoord wacht nog" in str(c.card)]

    question = new_card(await teams.say(ADMIN, "herinner"))
    calls = await teams.press(ADMIN, question, "Herinner ze")
    assert "5 personen krijgen een herinnering" in texts_in(calls)
    await running.poolster.outbox.idle()
    reminded = {
        c.conversation_id for c in connector.sends() if c.card and "Herinnering: je antwoord wacht nog" in str(c.card)
    }
    assert len(reminded) == 5 and MO.conversation_id not in reached_conversations(MO, reminded)
    report = reports(connector, "Herinnering:")[-1]
    assert "Lancering" not in card_title(report) and "Herinnerd" in str(report.card)
    assert "Iedereen is herinnerd" in card_title(report)


def reached_conversations(user, conversations: set[str]) -> set[str]:
    return conversations & {user.conversation_id, f"personal-{user.aad_object_id}"}


async def test_reports_name_who_was_not_reached_in_plain_dutch(world, connector):
    running, teams, _ = world
    connector.blocked_conversations.add(f"personal-{LEA.aad_object_id}")
    await launch(teams, running)
    report = reports(connector, "Lancering:")[-1]
    words = card_title(report)
    assert "Heeft Poolster geblokkeerd** (1 persoon)" in words
    assert "Lea Lid (GO! CLB Demo)" in words and "Wat je kan doen: Vraag de persoon" in words
    facts = {
        f["title"]: f["value"] for e in iter_elements(report.card) if e.get("type") == "FactSet" for f in e["facts"]
    }
    assert facts == {"Uitgenodigd": "5 van 6 personen", "Niet bereikt": "1"}
    assert not re.search(r"\b[45]\d\d\b|Error|Exception", str(report.card)), "no HTTP codes, no exception names"
    status = card_title(new_card(await teams.say(ADMIN, "status")))
    assert (
        "Uitgenodigd in Teams: 5 van 6 personen. Wie (nog) niet bereikt werd en waarom, staat in het rapport" in status
    )


async def test_a_launch_interrupted_by_a_restart_still_ends_with_its_report(data_dir, connector):
    clock = Clock()
    running = await start_bot(data_dir, clock=clock, default_wave=False)
    async with aiohttp.ClientSession() as session:
        teams = TeamsClient(session, running.url, connector)
        await teams.say(ADMIN, "hallo")
        card = new_card(await teams.say(ADMIN, "nieuwe ronde Zelfscan 2027 tot 15-06-2027"))
        wave_id = card.card["actions"][0]["data"]["wave"]
        connector.hang_next = len(INVITED)  # Teams does not answer: the restart lands mid-launch
        await running.poolster.waves.launch(wave_id, ADMIN.user_id)
        await running.stop()
        assert not reports(connector, "Lancering:")
        assert await running.poolster.fanout.owed.list(), "the promise of a report is stored"

        running = await start_bot(data_dir, clock=clock, default_wave=False)
        await running.poolster.outbox.idle()
        await running.stop()
    report = reports(connector, "Lancering:")
    assert len(report) == 1 and "Uitgenodigd" in str(report[0].card)
    assert all(len(invitations(connector, user)) >= 1 for user in INVITED)


def test_legacy_reasons_read_as_codes():
    assert reason_code("blocked") is NotReached.BLOCKED
    assert reason_code("geblokkeerd: de gebruiker heeft de bot geblokkeerd (403)") is NotReached.BLOCKED
    assert reason_code("niet gevonden (404)") is NotReached.NOT_FOUND
    assert reason_code("geweigerd door Teams (413)") is NotReached.TOO_BIG
    assert (
        reason_code("onbereikbaar: nog nooit gesproken en geen Azure AD-id in het register") is NotReached.NO_IDENTITY
    )
    assert reason_code("opgegeven na 6 pogingen: ClientRequestError") is NotReached.TEAMS_UNAVAILABLE
    assert reason_code("fout: KeyError") is NotReached.REFUSED


async def test_status_of_the_default_wave_counts_what_it_says(data_dir, connector):
    running = await start_bot(data_dir, clock=Clock())
    async with aiohttp.ClientSession() as session:
        teams = TeamsClient(session, running.url, connector)
        await start(teams, MO)
        status = new_card(await teams.say(ADMIN, "status"))
        words = card_title(status)
        assert "1 van 6 personen klaar" not in words and "0 van 6 personen klaar" in words
        assert "1 bezig, 5 nog niet gestart" in words
        assert "geen uitnodigingen verstuurd" in words and "uitgenodigd" not in words.replace("uitnodigingen", "")
        assert "Antw." not in str(status.card) and "centrumantwoord: nog niet begonnen" in str(status.card)
        bar = next(e for e in iter_elements(status.card) if e.get("type") == "Chart.HorizontalBar.Stacked")
        colours = {point["legend"]: point["color"] for row in bar["data"] for point in row["data"]}
        assert colours == {"klaar": "good", "bezig": "warning", "niet gestart": "neutral"}
        legend = next(e for e in iter_elements(status.card) if e.get("type") == "RichTextBlock")
        assert "".join(run["text"] for run in legend["inlines"]).split() == [
            "■",
            "klaar",
            "■",
            "bezig",
            "■",
            "niet",
            "gestart",
        ]
        assert [run.get("color") for run in legend["inlines"][::2]] == ["Good", "Warning", None]
        results = new_card(await teams.say(ADMIN, "resultaten"))
        assert "Nog geen centrumantwoorden" in card_title(results)
        assert not [e for e in iter_elements(results.card) if str(e.get("type", "")).startswith("Chart.")]
        assert "0 centra verzonden een centrumantwoord" in card_title(results)
    await running.stop()


async def test_results_count_whole_centres_under_the_questions_short_labels(world, connector):
    running, teams, _ = world
    await launch(teams, running)
    services = running.poolster.services
    wave = (await services.waves.list())[0]
    answer = await services.responses.get(wave.id, "clb-demo", MO.email)
    await complete_survey(teams, MO)
    answer = await services.responses.get(wave.id, "clb-demo", MO.email)
    await services.centre_answers.put(
        answer.model_copy(update={"kind": "centre", "respondent_id": "clb-demo"}), wave.id, "clb-demo"
    )
    results = new_card(await teams.say(ADMIN, "resultaten"))
    words = card_title(results)
    assert "1 centrum verzond een centrumantwoord" in words
    assert "Huidig stadium: aantal centra per stadium" in words and "Ambitie:" in words
    charts = [e for e in iter_elements(results.card) if e.get("type") == "Chart.HorizontalBar.Stacked"]
    assert len(charts) == 2
    values = [point["value"] for chart in charts for row in chart["data"] for point in row["data"]]
    assert all(isinstance(v, int) for v in values) and sum(values) == 2 * 11


async def test_rondes_lists_every_wave_with_its_state(world, connector):
    running, teams, clock = world
    assert "Er is nog geen ronde" in card_title(new_card(await teams.say(ADMIN, "rondes")))
    await launch(teams, running, "Zelfscan 2027 tot 15-06-2027")
    await start(teams, MO)
    await teams.say(ADMIN, "sluit ronde")
    clock.now += timedelta(days=1)
    await launch(teams, running, "Proef tot 30-06-2027")
    listing = card_title(new_card(await teams.say(ADMIN, "rondes")))
    assert listing.index("Proef") < listing.index("Zelfscan 2027"), "newest first"
    assert "**Proef** · open" in listing and "**Zelfscan 2027** · gesloten" in listing
    assert "deadline 15-06-2027" in listing and "deadline 30-06-2027" in listing
    assert "0 van 6 personen klaar, 1 bezig, 5 nog niet gestart" in listing
    assert "2 centra" in listing


async def test_the_command_line_exports_through_the_wave_service(world, tmp_path):
    running, teams, _ = world
    await launch(teams, running)
    waves = WaveService(running.poolster.services, None)
    wave = (await waves.launched())[0]
    files = await waves.export(wave, tmp_path / "out")
    assert [p.suffix for p in files] == [".xlsx", ".zip"] and all(p.exists() for p in files)
    with pytest.raises(WaveRefused, match="niets verstuurd"):
        await waves.remind(wave.id, None)


async def test_a_report_waits_until_its_messages_are_queued(world, connector):
    running, teams, clock = world
    await launch(teams, running)
    fanout = running.poolster.fanout
    wave = (await running.poolster.services.waves.list())[0]
    # A reminder being queued right now: nothing is left to send only because nothing is queued yet.
    await fanout.owed.put(
        OwedReport(wave_id=wave.id, purpose="reminder-manual-1", notify_user_id=ADMIN.user_id, created_at=clock.now),
        wave.id,
        "reminder-manual-1",
    )
    await fanout.deliver_owed_reports()
    assert not reports(connector, "Herinnering:")
    # Its process died while queueing: once the lease is over the report is sent with what there is.
    clock.now += timedelta(minutes=6)
    await fanout.deliver_owed_reports()
    assert len(reports(connector, "Herinnering:")) == 1 and not await fanout.owed.list()
