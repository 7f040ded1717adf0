"""POC+ and a CLB director run the schools' survey as waves: launch, follow, remind, results, export.

The schools answer once each, whoever of their contacts fills it in; every count is of schools, the
results never show a type with fewer than three answering schools on its own, and the export names
no school.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta

import aiohttp
import pytest_asyncio
from openpyxl import load_workbook

from cards.admin import invitation_card, schools_results_card
from dialogs.context import Services
from dialogs.wave_service import SchoolResults, WaveService
from storage.memory import InMemoryStore
from survey.export import build_tables, codebook
from survey.registry import Centre, Registry
from survey.school_view import schools_view, share_note
from survey.waves import Wave
from tests.support.content import catalog, schools_survey
from tests.support.harness import ADMIN, DIRECTOR, MEMBERS, OTHER_DIRECTOR, registry_document, start_bot, write_registry
from tests.support.responses import school_response
from tests.support.scripts import card_title, new_card
from tests.support.teams import TeamsClient, TeamsUser, texts_in
from tests.test_admin import Clock
from tests.test_export import download, export_links, rows

MO = MEMBERS[0]
# clb-demo's schools: three basisscholen (one with two contacts) and one secondary school; clb-andere one.
CONTACTS = {
    "bs-linde": (
        TeamsUser("Sara Schoolhoofd", "sara@bs-linde.example", "aad-sara"),
        TeamsUser("Tom Zorgleraar", "tom@bs-linde.example", "aad-tom"),
    ),
    "bs-eik": (TeamsUser("Eva Eik", "eva@bs-eik.example", "aad-eva"),),
    "bs-beuk": (TeamsUser("Bart Beuk", "bart@bs-beuk.example", "aad-bart"),),
    "atheneum": (TeamsUser("Ilse Ingels", "ilse@atheneum.example", "aad-ilse"),),
    "lyceum-andere": (TeamsUser("Lode Lyceum", "lode@lyceum.example", "aad-lode"),),
}
NAMES = {
    "bs-linde": "Basisschool De Linde",
    "bs-eik": "Basisschool De Eik",
    "bs-beuk": "Basisschool De Beuk",
    "atheneum": "Atheneum Demo",
    "lyceum-andere": "Lyceum Andere",
}
TYPES = {"bs-linde": "bao", "bs-eik": "bao", "bs-beuk": "bao", "atheneum": "so", "lyceum-andere": "so"}


def school(school_id: str) -> dict:
    return {
        "id": school_id,
        "name": NAMES[school_id],
        "type": TYPES[school_id],
        "contacts": [{"name": u.name, "email": u.email, "aad_object_id": u.aad_object_id} for u in CONTACTS[school_id]],
    }


def schools_registry() -> dict:
    document = registry_document()
    document["centres"][0]["schools"] = [school(s) for s in ("bs-linde", "bs-eik", "bs-beuk", "atheneum")]
    document["centres"][1]["schools"] = [school("lyceum-andere")]
    return document


def service(clock) -> WaveService:
    services = Services(catalog(), Registry.model_validate(schools_registry()), InMemoryStore(), clock)
    return WaveService(services, None)


async def open_wave(waves: WaveService, name: str = "scholen Voorjaar 2027"):
    clock = waves.services.clock
    questionnaire, wave_name = waves.questionnaire_named(name, (clock() + timedelta(days=60)).date())
    draft = await waves.draft(wave_name, (clock() + timedelta(days=60)).date(), (), "poc", questionnaire)
    wave = draft.wave.model_copy(update={"status": "open", "launched_at": clock()})
    await waves.services.waves.put(wave, wave.id)
    return draft, wave


async def answer(waves: WaveService, wave, school_id: str, centre_id: str = "clb-demo", **kwargs) -> None:
    response = school_response(
        schools_survey(),
        wave_id=wave.id,
        centre_id=centre_id,
        school_id=school_id,
        now=waves.services.clock(),
        school_name=NAMES[school_id],
        **kwargs,
    )
    await waves.services.responses.put(response, wave.id, centre_id, school_id)


async def test_a_schools_wave_runs_the_schools_survey_and_counts_schools():
    waves = service(Clock())
    draft, wave = await open_wave(waves)
    assert (wave.questionnaire_id, wave.questionnaire_version) == (schools_survey().id, schools_survey().version)
    assert wave.name == "Voorjaar 2027", "the command word chose the questionnaire, the rest is the name"
    assert (draft.respondents, draft.invitees) == (5, 6), "five schools, six contacts"
    assert {p.email for _, p in waves.people(wave)} == {u.email for users in CONTACTS.values() for u in users}
    assert MO.email not in {p.email for _, p in waves.people(wave)}, "the team is not asked"

    await answer(waves, wave, "bs-linde")
    await answer(waves, wave, "bs-eik", submit=False)
    reminded = {p.email for _, p in await waves.not_finished(wave)}
    assert not reminded & {u.email for u in CONTACTS["bs-linde"]}, "De Linde sent: neither of its contacts is reminded"
    assert {u.email for u in CONTACTS["bs-eik"]} <= reminded
    assert await waves.schools_not_finished(wave) == 4
    counts = await waves.counts(wave)
    assert (counts.respondents, counts.people, counts.started, counts.finished) == ("schools", 5, 2, 1)
    assert counts.centre_answers_started == 0


async def test_the_network_picture_of_the_schools_shows_no_small_type_and_names_no_school(card_validator):
    waves = service(Clock())
    _, wave = await open_wave(waves)
    await answer(waves, wave, "bs-linde", rating="helemaal")
    await answer(waves, wave, "bs-eik", rating="eerder_wel")
    await answer(waves, wave, "bs-beuk", rating="eerder_niet", comment="Te weinig overleg met De Beuk")
    await answer(waves, wave, "atheneum", rating="helemaal_niet")
    # While the wave takes answers: only how many schools answered, else one more answer gives a school away.
    open_card = str(schools_results_card(wave, (await waves.results(wave)).view, []))
    assert "4 van 5 scholen verzonden" in open_card and "%" not in open_card
    assert "komen er pas als de bevraging afgelopen is: na de deadline van" in open_card
    assert not any(s.short_label in open_card for _, s in schools_survey().statements())
    waves.services.clock.now += timedelta(days=61)  # past the deadline
    results = await waves.results(wave)
    assert isinstance(results, SchoolResults)
    assert results.view.answered == 4 and results.view.shown_types == (), "one so-school: no type on its own"
    assert results.per_centre == (("GO! CLB Demo", 4, 4), ("GO! CLB Andere", 0, 1))
    card = schools_results_card(wave, results.view, list(results.per_centre))
    shown = str(card)
    assert not [name for name in NAMES.values() if name in shown], "no school is named"
    assert "Te weinig overleg" not in shown, "comments are counted, not quoted, in the network card"
    assert "Geen soort school wordt apart getoond" in shown
    assert "bao:" not in shown, "bao would give away the so-school by subtraction"
    assert "4 van 4" in shown and "0 van 1" in shown
    card_validator.assert_all_valid([card])


async def test_below_three_schools_nothing_is_shown(card_validator):
    waves = service(Clock())
    _, wave = await open_wave(waves)
    await answer(waves, wave, "bs-linde")
    await answer(waves, wave, "atheneum")
    wave = wave.model_copy(update={"status": "closed"})
    await waves.services.waves.put(wave, wave.id)
    results = await waves.results(wave)
    card = schools_results_card(wave, results.view, list(results.per_centre))
    assert "Nog te weinig antwoorden" in str(card) and "Deel dat akkoord gaat" not in str(card)
    card_validator.assert_all_valid([card])


async def test_the_schools_export_has_a_row_per_school_with_its_centre_and_type_and_no_name(tmp_path):
    waves = service(Clock())
    _, wave = await open_wave(waves)
    for school_id in ("bs-linde", "bs-eik", "atheneum"):
        await answer(waves, wave, school_id, comment="Goed", final='=HYPERLINK("x")')
    await answer(waves, wave, "lyceum-andere", centre_id="clb-andere", submit=False)
    files = await waves.export(wave, tmp_path)
    assert files.schools == 3
    workbook = load_workbook(files.xlsx)
    assert workbook.sheetnames == ["Scholen", "Uitleg"]
    table = rows(workbook, "Scholen")
    assert [row["Nr."] for row in table] == [1, 2, 3]
    # Two bao and one so school in one CLB: "CLB + type" would name the so school (and narrow the bao).
    assert [row["Schooltype"] for row in table] == ["andere"] * 3
    assert {row["Centrum"] for row in table} == {"GO! CLB Demo"}
    cells = {str(value) for row in table for value in row.values()}
    assert not {*NAMES, *NAMES.values()} & cells, "neither a school's id nor its name"
    q = schools_survey()
    agreement = next(question for question in q.questions if question.type == "agreement")
    unit, statement = q.statements()[0]
    header = f"Stelling {statement.number}: {statement.short_label}"
    assert table[0][header] == q.scale_of(agreement).level("eerder_wel").label
    assert len([h for h in table[0] if h.startswith("Stelling ")]) == len(q.statements())
    free = next(question for question in q.questions if question.type == "free_text")
    assert table[0][f"{q.words.unit.capitalize()} {unit.number}: {free.short_label}"] == "Goed"
    final = q.final.questions[0]
    cell = workbook["Scholen"].cell(row=2, column=list(table[0]).index(final.short_label) + 1)
    assert cell.value.startswith("=") and cell.data_type == "s", "a typed formula stays text"
    explained = {row["Kolom"] for row in rows(workbook, "Uitleg")}
    assert set(table[0]) <= explained

    everything = await waves.export(wave, tmp_path, everything=True)
    unsent = [row for row in rows(load_workbook(everything.xlsx), "Scholen") if not row["Verzonden"]]
    assert everything.schools == 4 and [row["Centrum"] for row in unsent] == ["GO! CLB Andere"]


@pytest_asyncio.fixture
async def schools_world(tmp_path, connector):
    clock = Clock()
    data_dir = tmp_path / "data"
    write_registry(data_dir, schools_registry())
    running = await start_bot(data_dir, clock=clock, default_wave=False)
    async with aiohttp.ClientSession() as session:
        yield running, TeamsClient(session, running.url, connector), clock
    await running.poolster.outbox.idle()
    await running.stop()


def invited(connector, users) -> set[str]:
    conversations = {c for u in users for c in (u.conversation_id, f"personal-{u.aad_object_id}")}
    return {
        c.conversation_id
        for c in connector.sends()
        if c.card and "Je bent uitgenodigd" in str(c.card) and c.conversation_id in conversations
    }


async def test_poc_launches_a_schools_wave_follows_it_and_exports_it(schools_world, connector, card_validator):
    running, teams, _ = schools_world
    await teams.say(ADMIN, "hallo")
    confirmation = new_card(await teams.say(ADMIN, "nieuwe ronde scholen Voorjaar 2027 tot 30-06-2027"))
    words = card_title(confirmation)
    assert schools_survey().title in words and "**5 scholen** van 2 centra" in words
    assert "6 contactpersonen krijgen een uitnodiging" in words
    launched = await teams.press(ADMIN, confirmation, "Lanceer")
    assert "6 uitnodigingen worden verstuurd" in texts_in(launched)
    await running.poolster.outbox.idle()
    contacts = [u for users in CONTACTS.values() for u in users]
    assert len(invited(connector, contacts)) == 6
    assert not invited(connector, [MO, DIRECTOR]), "the teams are not invited to the schools' survey"
    sara_card = next(
        c.card
        for c in connector.sends()
        if c.card
        and "Je bent uitgenodigd" in str(c.card)
        and c.conversation_id in (CONTACTS["bs-linde"][0].conversation_id, "personal-aad-sara")
    )
    assert "Basisschool De Linde" in str(sara_card), "a contact is invited for their school"

    status = new_card(await teams.say(ADMIN, "status Voorjaar 2027"))
    assert "**0 van 5 scholen verzonden**" in card_title(status)
    assert "Uitgenodigd in Teams: 6 van 6 contactpersonen van de scholen." in card_title(status)
    assert "centrumantwoord" not in str(status.card)
    overview = new_card(await teams.say(ADMIN, "rondes"))
    assert "0 van 5 scholen verzonden" in str(overview.card) and schools_survey().title in str(overview.card)
    remind = new_card(await teams.say(ADMIN, "herinner"))
    assert "Herinner 5 scholen die nog niet verzonden?" in card_title(remind)
    results = new_card(await teams.say(ADMIN, "resultaten"))
    assert "komen er pas als de bevraging afgelopen is" in str(results.card) and "%" not in str(results.card)
    export = new_card(await teams.say(ADMIN, "export")).card
    assert "Er is nog niets verzonden" in str(export)
    _, _, body = await download(teams, export_links(running, export)["Download XLSX"])
    assert load_workbook(io.BytesIO(body)).sheetnames == ["Scholen", "Uitleg"]
    card_validator.assert_all_valid([confirmation.card, status.card, overview.card, remind.card, results.card, export])


async def test_a_director_launches_the_schools_survey_for_their_own_schools_only(schools_world, connector):
    running, teams, _ = schools_world
    await teams.say(DIRECTOR, "hallo")
    confirmation = new_card(await teams.say(DIRECTOR, "bevraag de scholen tot 30-06-2027"))
    words = card_title(confirmation)
    assert "Scholen GO! CLB Demo 2027" in words and "**4 scholen** van 1 centrum (GO! CLB Demo)" in words
    assert [a["title"] for a in confirmation.card["actions"]] == ["Lanceer de ronde", "Annuleer"]
    assert "uitnodigingen worden verstuurd" in texts_in(await teams.press(DIRECTOR, confirmation, "Lanceer"))
    await running.poolster.outbox.idle()
    assert len(invited(connector, [u for s in ("bs-linde", "bs-eik", "bs-beuk", "atheneum") for u in CONTACTS[s]])) == 5
    assert not invited(connector, CONTACTS["lyceum-andere"]), "another centre's school is not asked"
    (wave,) = await running.poolster.services.waves.list()
    assert wave.centre_ids == ("clb-demo",) and wave.questionnaire_id == schools_survey().id

    again = texts_in(await teams.say(DIRECTOR, "bevraag de scholen tot 30-06-2027"))
    assert again.startswith("Je scholen worden al bevraagd in de ronde ‘Scholen GO! CLB Demo 2027’")
    other = texts_in(await teams.say(DIRECTOR, "bevraag de scholen Proef tot 30-06-2027 voor clb-andere"))
    assert "enkel de scholen van je eigen centrum" in other
    assert "directeur" in texts_in(await teams.say(MO, "bevraag de scholen tot 30-06-2027"))
    assert "bevraag de scholen" in texts_in(await teams.say(DIRECTOR, "nieuwe ronde scholen tot 30-06-2027"))
    assert len(await running.poolster.services.waves.list()) == 1


async def test_another_director_cannot_press_a_directors_launch_card(schools_world):
    running, teams, _ = schools_world
    await teams.say(DIRECTOR, "hallo")
    confirmation = new_card(await teams.say(DIRECTOR, "bevraag de scholen tot 30-06-2027"))
    await teams.say(OTHER_DIRECTOR, "hallo")
    refused = await teams.press(OTHER_DIRECTOR, confirmation, "Lanceer")
    assert "POC+" in texts_in(refused)
    (wave,) = await running.poolster.services.waves.list()
    assert wave.status == "draft"


def _centre_with(types: dict[str, str]) -> Centre:
    return Centre.model_validate(
        {
            "id": "clb-demo",
            "name": "GO! CLB Demo",
            "director": {"name": "Dina", "email": "dina@clb.example"},
            "schools": [
                {
                    "id": sid,
                    "name": f"School {sid}",
                    "type": kind,
                    "contacts": [{"name": sid, "email": f"{sid}@s.example"}],
                }
                for sid, kind in types.items()
            ],
        }
    )


def test_the_network_card_speaks_the_scales_and_the_types_words(card_validator):
    q = schools_survey()
    centre = _centre_with({**{f"bao{n}": "bao" for n in range(3)}, **{f"so{n}": "so" for n in range(3)}})
    responses = [
        school_response(
            q,
            wave_id="w",
            centre_id=centre.id,
            school_id=s.id,
            now=Clock().now,
            rating="helemaal" if s.type == "bao" else "helemaal_niet",
        )
        for s in centre.schools
    ]
    view = schools_view(q, [centre], responses, final=True)
    wave = Wave(id="w", name="Scholen", status="closed", created_at=Clock().now, questionnaire_id=q.id)
    card = schools_results_card(wave, view, [])
    card_validator.assert_valid(card)
    shown = json.dumps(card, ensure_ascii=False)
    assert "Deel dat akkoord gaat, per stelling (zonder ‘niet van toepassing’)" in shown
    assert share_note(q.scale("akkoord")) in shown, "what the percentage is, from the scale"
    assert "eerder of helemaal akkoord; niet van toepassing telt niet mee" not in shown
    assert "alle scholen: 50% · basisonderwijs: 100% · secundair onderwijs: 0%" in shown
    assert "100 procentpunten verschil" in shown and "%-punt" not in shown
    assert "bao" not in shown and '"so:' not in shown and " so " not in shown, "no raw type codes"


def test_the_schools_export_is_shuffled_per_export_and_names_a_type_only_where_it_hides_no_school():
    q = schools_survey()
    # 3 bao, 3 so, 1 buso: buso alone would name one school, and bao (the smaller of the others by
    # order) joins it so "andere" is a group of four; so is written as itself.
    types = {**{f"bao{n}": "bao" for n in range(3)}, **{f"so{n}": "so" for n in range(3)}, "buso0": "buso"}
    centre = _centre_with(types)
    registry = Registry.model_validate({**schools_registry(), "centres": [centre.model_dump(mode="json")]})
    wave = Wave(id="w", name="Scholen", status="closed", created_at=Clock().now, questionnaire_id=q.id)
    responses = [
        school_response(q, wave_id="w", centre_id=centre.id, school_id=sid, now=Clock().now, comment=f"Tekst {sid}")
        for sid in types
    ]
    free = next(question for question in q.questions if question.type == "free_text")
    unit = q.units[0]
    orders = set()
    for _ in range(20):
        (table,) = build_tables(q, registry, wave, [], responses)
        names = [column.header for column in table.columns]
        comment_at = names.index(f"{q.words.unit.capitalize()} {unit.number}: {free.short_label}")
        assert [row[0] for row in table.rows] == list(range(1, len(types) + 1)), "numbered after shuffling"
        kinds = {row[comment_at].removeprefix("Tekst "): row[names.index("Schooltype")] for row in table.rows}
        assert kinds == {sid: "secundair onderwijs" if kind == "so" else "andere" for sid, kind in types.items()}
        orders.add(tuple(row[comment_at] for row in table.rows))
    assert len(orders) > 1, "a new order for every export, not one anyone can recompute"
    explained = " ".join(str(cell) for row in codebook([table]).rows for cell in row)
    assert "opnieuw getrokken" in explained and "anders ‘andere’" in explained, "the codebook says what holds"
    assert "ook niet als het doorgegeven wordt" not in explained


async def test_a_school_contact_is_told_truthfully_who_sees_the_schools_answers(schools_world):
    _, teams, _ = schools_world
    said = texts_in(await teams.say(CONTACTS["bs-linde"][0], "mijn gegevens"))
    assert "Je rol: contactpersoon van Basisschool De Linde, een school van GO! CLB Demo." in said
    assert "de contactpersonen van je school" in said
    assert "GO! CLB Demo ziet alleen tellingen over minstens 3 van zijn scholen samen" in said
    assert "pas nadat de bevraging gesloten is" in said
    assert "POC+ (de ondersteuningscel van het netwerk) ziet de antwoorden per school, zonder de naam" in said
    assert "nooit wat één school antwoordde" not in said
    after = " ".join(schools_survey().intro.after.split())
    assert "contactpersonen van je school" in after and "minstens drie scholen samen" in after
    assert "pas nadat de bevraging gesloten is" in after and "POC+" in after and "per school" in after
    assert "nooit wat één school antwoordde" not in after


def test_a_school_contacts_invitation_says_who_asks_and_who_sees_it(card_validator):
    q = schools_survey()
    wave = Wave(id="w", name="Bevraging scholen 2026", status="open", created_at=Clock().now, questionnaire_id=q.id)
    card = invitation_card(q, wave, "Basisschool De Linde", reminder=False, asked_by="GO! CLB Demo")
    card_validator.assert_valid(card)
    said = [e["text"] for e in card["body"] if e.get("type") == "TextBlock"]
    assert "GO! CLB Demo vraagt hoe Basisschool De Linde de samenwerking met het CLB ervaart." in said
    assert any(line.startswith("Eén antwoord per school.") and "POC+" in line for line in said)
    assert not any("— Bevraging scholen 2026 voor" in line for line in said)
