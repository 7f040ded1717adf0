"""Every help and error text POC+ can get survives Teams' Markdown renderer: nothing disappears."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from cards.admin import admin_help_rows, launch_card, new_wave_syntax, remind_confirm_card, send_report_card
from dialogs.commands import ADMIN_COMMANDS, CommandError, parse_command, parse_new_wave
from survey.waves import NotReachedGroup, SendReport, Wave, WaveCounts, example_deadline
from tests.support.content import schools_survey, self_scan
from tests.support.harness import ADMIN, DIRECTOR, MEMBERS
from tests.support.rendered import lost_in_rendering, shown_texts
from tests.support.scripts import new_card, start
from tests.support.teams import texts_in
from tests.test_admin import launch, world  # noqa: F401  (a pytest fixture)

MO = MEMBERS[0]

# Everything POC+ can type wrong or ask help for, before and after a wave exists.
BEFORE_A_WAVE = [
    "help",
    "hallo",
    "rondes",
    "status",
    "status Bestaat niet",
    "herinner",
    "sluit ronde",
    "export",
    "resultaten",
    "verwijder antwoorden",
    "verwijder antwoorden Bestaat niet",
    "nieuwe ronde",
    "nieuwe ronde zonder datum",
    "nieuwe ronde Proef tot 31-02-2027",
    "nieuwe ronde Proef tot 01-01-2020",
    "nieuwe ronde Proef tot 30-06-2027 voor clb-onbekend",
    "nieuwe ronde " + "x" * 90 + " tot 30-06-2027",
]
WITH_A_WAVE = [
    "status",
    "rondes",
    "resultaten",
    "herinner",
    "herinner Bestaat niet",
    "verwijder antwoorden Zelfscan 2027",
    "nieuwe ronde Proef tot 30-06-2027",
    "sluit ronde",
    "sluit ronde",
    "herinner",
]


def problems_in(calls) -> list[str]:
    found = []
    for call in calls:
        texts = [call.text] if call.text else []
        texts += shown_texts(call.card) if call.card else []
        for text in texts:
            found += [f"{text!r}: {problem}" for problem in lost_in_rendering(text)]
    return found


async def test_every_admin_text_survives_the_renderer(world):
    running, teams, _ = world
    problems = []
    for command in BEFORE_A_WAVE:
        problems += problems_in(await teams.say(ADMIN, command))
    await launch(teams, running)
    await start(teams, MO)
    for command in WITH_A_WAVE:
        problems += problems_in(await teams.say(ADMIN, command))
    for user in (MO, DIRECTOR):  # the general help, and what POC+ commands say to others
        for command in ("help", "status", "nieuwe ronde x"):
            problems += problems_in(await teams.say(user, command))
    await running.poolster.outbox.idle()
    # The reports that came in meanwhile, too.
    problems += problems_in(teams.connector.sends(ADMIN.conversation_id))
    seen = sum(1 for call in teams.connector.calls if call.text or call.card)
    assert seen > len(BEFORE_A_WAVE) + len(WITH_A_WAVE), "every command got its answer"
    assert problems == []


async def test_the_new_wave_syntax_shows_its_placeholders_and_a_future_example(world):
    running, teams, clock = world
    reply = "\n".join(c.text for c in await teams.say(ADMIN, "nieuwe ronde"))
    assert "**nieuwe ronde [naam] tot dd-mm-jjjj**" in reply
    example = example_deadline(clock.now.date())
    assert example > clock.now.date() and example.strftime("%d-%m-%Y") in reply
    help_card = new_card(await teams.say(ADMIN, "help")).card
    assert "nieuwe ronde [naam] tot dd-mm-jjjj" in str(help_card)
    assert "nieuwe ronde scholen [naam] tot dd-mm-jjjj" in str(help_card), (
        "the schools' survey is launched with its word"
    )


def test_the_example_deadline_is_always_at_least_a_month_ahead():
    first = date(2026, 6, 1)
    assert example_deadline(first) == date(2027, 6, 30) and example_deadline(date(2026, 5, 1)) == date(2026, 6, 30)
    for offset in range(0, 366, 7):
        today = first + timedelta(days=offset)
        assert example_deadline(today) - today >= timedelta(days=30)
        try:
            parse_new_wave("x", today)
        except CommandError as error:
            assert str(error) == new_wave_syntax(today)


def test_poc_texts_count_in_the_right_form(card_validator):
    wave = Wave(id="proef", name="Proef", created_at=datetime(2026, 11, 24, tzinfo=timezone.utc))
    one = launch_card(wave, self_scan(), ("GO! CLB Demo",), 1, 1)
    many = launch_card(wave, self_scan(), ("GO! CLB Demo", "GO! CLB Andere"), 7, 7)
    assert "**1 persoon** uit 1 centrum wordt uitgenodigd: GO! CLB Demo." in str(one)
    assert "**7 personen** uit 2 centra worden uitgenodigd" in str(many)
    assert "Herinner 1 persoon die nog niet verzond?" in str(remind_confirm_card(wave, 1))
    report = send_report_card(
        wave,
        SendReport(
            "reminder",
            total=2,
            sent=1,
            pending=0,
            not_reached=(
                NotReachedGroup("blocked", "heeft Poolster geblokkeerd", "Vraag het.", ("Lea Lid (GO! CLB Demo)",)),
            ),
        ),
    )
    assert "Herinnerd" in str(report) and "1 van 2 personen" in str(report) and "(1 persoon)" in str(report)
    schools = launch_card(wave, schools_survey(), ("GO! CLB Demo",), 1, 2)
    assert "**1 school** van 1 centrum (GO! CLB Demo) wordt bevraagd: 2 contactpersonen krijgen" in str(schools)
    assert schools_survey().title in str(schools) and self_scan().title in str(one), "the card names the questionnaire"
    assert "Herinner 3 scholen die nog niet verzonden?" in str(remind_confirm_card(wave, 4, 3))
    assert "Herinner 1 school die nog niet verzond?" in str(remind_confirm_card(wave, 2, 1))
    card_validator.assert_all_valid([one, many, report, schools])


async def test_the_help_lists_every_poc_command_and_export_alles(world):
    _, teams, clock = world
    titles = [title for title, _ in admin_help_rows(clock.now.date())]
    assert {parse_command(title).name for title in titles} == ADMIN_COMMANDS
    shown = "\n".join(shown_texts(new_card(await teams.say(ADMIN, "help")).card))
    for title in ("rondes", "register", "export alles [ronde]", "verwijder antwoorden [ronde]"):
        assert title in shown


async def test_a_past_deadline_or_an_unknown_centre_says_what_to_type_and_creates_nothing(world):
    running, teams, clock = world
    past = texts_in(await teams.say(ADMIN, "nieuwe ronde Proef tot 01-01-2026"))
    example = example_deadline(clock.now.date()).strftime("%d-%m-%Y")
    assert past == (
        "De deadline 01-01-2026 ligt niet in de toekomst; er is niets aangemaakt. "
        f"Kies een datum na vandaag, bijvoorbeeld {example}."
    )
    one = texts_in(await teams.say(ADMIN, "nieuwe ronde Proef tot 30-06-2027 voor clb-onbekend"))
    assert one.startswith(
        "Het centrum ‘clb-onbekend’ ken ik niet; er is niets aangemaakt. Gebruik de centrum-id's "
        "uit het register: clb-andere, clb-demo"
    )
    two = texts_in(await teams.say(ADMIN, "nieuwe ronde Proef tot 30-06-2027 voor clb-x, clb-y"))
    assert two.startswith("De centra ‘clb-x’, ‘clb-y’ ken ik niet;")
    assert await running.poolster.services.waves.list() == []


async def test_closing_points_to_the_export_and_the_purge_counts_people(world):
    running, teams, _ = world
    await launch(teams, running)
    await start(teams, MO)
    closed = texts_in(await teams.say(ADMIN, "sluit ronde"))
    assert closed.endswith("Typ *export Zelfscan 2027* voor de bestanden.")
    wave = (await running.poolster.services.waves.list())[0]
    people = len(await running.poolster.services.responses.list(wave.id))
    assert people == 1
    purged = texts_in(await teams.say(ADMIN, "verwijder antwoorden Zelfscan 2027"))
    assert purged.startswith("De antwoorden van 1 persoon in ‘Zelfscan 2027’ zijn verwijderd")
    again = texts_in(await teams.say(ADMIN, "verwijder antwoorden Zelfscan 2027"))
    assert again.startswith("Van ‘Zelfscan 2027’ waren er geen antwoorden per persoon (meer)")


async def test_a_second_wave_with_the_same_name_is_refused(world):
    running, teams, _ = world
    await launch(teams, running, "Proef tot 30-06-2027")
    refused = texts_in(await teams.say(ADMIN, "nieuwe ronde proef tot 30-06-2027"))
    assert refused.startswith("Er is al een ronde ‘proef’; er is niets aangemaakt. Kies een andere naam")
    assert len(await running.poolster.services.waves.list()) == 1


def test_beside_two_open_waves_the_choice_says_alle_not_beide(card_validator):
    wave = Wave(id="proef", name="Proef", created_at=datetime(2026, 11, 24, tzinfo=timezone.utc))
    open_waves = tuple(
        (
            Wave(id=n, name=n, created_at=wave.created_at, status="open"),
            WaveCounts(
                centres=1,
                people=6,
                started=0,
                finished=0,
                invited=None,
                centre_answers_started=0,
                centre_answers_submitted=0,
            ),
        )
        for n in ("A", "B")
    )
    two = launch_card(wave, self_scan(), ("GO! CLB Demo",), 6, 6, open_waves)
    assert [a["title"] for a in two["actions"]] == [
        "Sluit de open rondes en lanceer",
        "Lanceer, laat alle open",
        "Annuleer",
    ]
    assert "**Laat alle open**" in str(two) and "beide" not in str(two)
    one = launch_card(wave, self_scan(), ("GO! CLB Demo",), 6, 6, open_waves[:1])
    assert "Lanceer, laat beide open" in str(one) and "**Laat beide open**" in str(one)
    card_validator.assert_all_valid([one, two])
