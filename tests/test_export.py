"""POC+'s export: Dutch, typed, explained columns; no live formulas; links only in the 1:1 chat,
never outliving a purge or their lifetime; odd download paths get a 4xx."""

from __future__ import annotations

import csv
import io
import os
import shutil
import time
import zipfile
from datetime import date, datetime, timezone

import pytest
from openpyxl import load_workbook

from bot.downloads import LIFETIME_SECONDS, DownloadLinks
from dialogs.context import Services
from dialogs.wave_service import WaveService
from storage.memory import InMemoryStore
from survey.answers import QuestionAnswer, Response
from survey.export import build_tables, codebook, write_csv_zip, write_xlsx
from survey.questionnaire import CONTENT_DIR, load_catalog
from survey.registry import Registry
from survey.waves import Wave
from tests.support.content import self_scan
from tests.support.harness import ADMIN, MEMBERS, registry_document
from tests.support.responses import filled_response
from tests.support.scripts import CLOSING, CONTEXT, answer_bouwstenen, new_card, start
from tests.support.teams import cards_in, texts_in

MO, LEA, SAM = MEMBERS
HYPERLINK = '=HYPERLINK("https://evil.example","klik")'
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHANNEL = "19:community@thread.tacv2"


async def submit_survey(teams, user, context=CONTEXT) -> None:
    overview = await answer_bouwstenen(teams, user, await start(teams, user), 11, context=context)
    closing = new_card(await teams.press(user, overview, "slotvragen"))
    confirm = new_card(await teams.press(user, closing, "verzenden", CLOSING))
    await teams.press(user, confirm, "Definitief verzenden")


def export_links(bot, card) -> dict[str, str]:
    # The links name the configured public URL; the test's bot listens on a random port.
    return {
        a["title"]: a["url"].replace(bot.poolster.settings.public_url, bot.url)
        for a in card["actions"]
        if a["type"] == "Action.OpenUrl"
    }


async def download(teams, url) -> tuple[int, str, bytes]:
    async with teams.session.get(url) as response:
        return response.status, response.headers.get("Content-Type", ""), await response.read()


def rows(workbook, sheet) -> list[dict]:
    values = list(workbook[sheet].iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=False)) for row in values[1:]]


async def test_the_export_opens_well_in_excel_and_holds_no_live_formula(bot, teams):
    await submit_survey(
        teams,
        MO,
        {**CONTEXT, "deliberate_choice_explanation": HYPERLINK, "differences_other": "@SUM(1+1)*cmd|' /C calc'!A0"},
    )
    await answer_bouwstenen(teams, LEA, await start(teams, LEA), 1)  # halfway, never submitted
    await teams.say(ADMIN, "hallo")
    card = new_card(await teams.say(ADMIN, "export")).card
    assert "export alles" in str(card)
    assert "**Erin:** 0 centrumantwoorden en de antwoorden van 1 lid." in str(card), "Lea is not in it"
    links = export_links(bot, card)

    status, content_type, body = await download(teams, links["Download XLSX"])
    assert status == 200 and content_type == XLSX
    workbook = load_workbook(io.BytesIO(body))
    assert workbook.sheetnames == ["Centra", "Slotvragen", "Leden", "Uitleg"]
    members = rows(workbook, "Leden")
    assert len(members) == 11 and {row["Respondent"] for row in members} == {MO.email}, "only submitted answers"
    first = members[0]
    assert first["Naam"] == MO.name and first["Bouwsteen nr."] == 1 and first["Centrum"] == "GO! CLB Demo"
    assert first["Huidig stadium"] == "Planmatig" and first["Huidig stadium (1-4)"] == 2
    assert first["Gewenst stadium"] == "Geïntegreerd" and first["Gewenst stadium (1-4)"] == 3
    assert first["Hefbomen: gelinkt aan missie-visie-strategie, kernprocessen en leiderschap"] is True
    assert first["Verschillen: anders, namelijk"] == "@SUM(1+1)*cmd|' /C calc'!A0"
    assert isinstance(first["Verzonden op"], datetime) and isinstance(first["Laatst gewijzigd op"], datetime)
    header = [cell.value for cell in workbook["Leden"][1]]
    assert not [h for h in header if "_" in h or h != h.strip()], "no English ids as headers"
    assert len(set(header)) == len(header)

    # The toelichting is text, not a formula, also in the file's XML.
    column = header.index("Welbewuste keuze: toelichting") + 1
    cell = workbook["Leden"].cell(row=2, column=column)
    assert cell.value == HYPERLINK and cell.data_type == "s" and cell.quotePrefix
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert not [name for name in archive.namelist() if "<f>" in archive.read(name).decode("utf-8", "ignore")]

    # The codebook explains every column of every sheet.
    explained = {(row["Blad"], row["Kolom"]) for row in rows(workbook, "Uitleg")}
    for sheet in ("Centra", "Slotvragen", "Leden"):
        for heading in (cell.value for cell in workbook[sheet][1]):
            assert (sheet, heading) in explained, heading
    assert all(row["Betekenis"] and row["Waarden"] for row in rows(workbook, "Uitleg"))

    closing = rows(workbook, "Slotvragen")
    assert [row["Respondent"] for row in closing] == [MO.email], "no empty row for Lea, who never submitted"
    assert closing[0]["Prioriteit 1"] == "Sterk teamwerk" and closing[0]["Prioriteit 4"] is None
    assert closing[0]["Inspirerende praktijken: nog niet op dat punt"] is False

    status, content_type, body = await download(teams, links["Download CSV (zip)"])
    assert status == 200 and content_type == "application/zip"
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert sorted(archive.namelist()) == ["centra.csv", "leden.csv", "slotvragen.csv", "uitleg.csv"]
        table = list(csv.DictReader(io.StringIO(archive.read("leden.csv").decode("utf-8-sig")), delimiter=";"))
    assert table[0]["Welbewuste keuze: toelichting"] == "'" + HYPERLINK
    assert table[0]["Verschillen: anders, namelijk"].startswith("'@")
    assert (
        table[0]["Bouwsteen nr."] == "1"
        and table[0]["Knelpunten: gelinkt aan missie-visie-strategie, kernprocessen en leiderschap"] == "nee"
    )


async def test_export_alles_also_holds_unsubmitted_answers(bot, teams):
    await answer_bouwstenen(teams, LEA, await start(teams, LEA), 1)
    await teams.say(ADMIN, "hallo")
    card = new_card(await teams.say(ADMIN, "export alles")).card
    assert "ook die nog niet verzonden zijn" in str(card)
    assert "**Erin:** 0 centrumantwoorden en de antwoorden van 1 lid." in str(card)
    _, _, body = await download(teams, export_links(bot, card)["Download XLSX"])
    workbook = load_workbook(io.BytesIO(body))
    members = rows(workbook, "Leden")
    assert {row["Respondent"] for row in members} == {LEA.email}
    assert members[0]["Huidig stadium"] == "Planmatig" and members[0]["Verzonden op"] is None
    assert members[1]["Huidig stadium"] is None, "bouwsteen 2 was not answered"
    assert rows(workbook, "Slotvragen") == [], "Lea gave no closing answers"


async def test_an_export_with_nothing_submitted_says_so_before_anyone_opens_it(bot, teams):
    await answer_bouwstenen(teams, LEA, await start(teams, LEA), 1)
    await teams.say(ADMIN, "hallo")
    card = new_card(await teams.say(ADMIN, "export")).card
    assert "**Er is nog niets verzonden:** de bestanden hebben enkel de kolomkoppen." in str(card)
    assert "Typ *export alles*" in str(card)


def test_the_codebook_says_how_excel_shows_a_yes_or_no(tmp_path):
    """Yes/no cells are real booleans in the XLSX (Excel shows WAAR/ONWAAR), ja/nee in the CSV."""
    q = self_scan()
    wave = Wave(id="a", name="A", created_at=datetime(2026, 11, 24, tzinfo=timezone.utc))
    tables = build_tables(q, Registry.model_validate(registry_document()), wave, [], [])
    yes_no = [row for row in codebook(tables).rows if row[3].startswith("ja/nee")]
    assert yes_no and all("WAAR/ONWAAR" in row[3] for row in yes_no)


def test_columns_are_the_same_in_every_wave_whatever_was_answered(tmp_path):
    q = self_scan()
    registry = Registry.model_validate(registry_document())
    now = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
    full = Response(
        wave_id="a",
        centre_id="clb-demo",
        respondent_id="mo",
        submitted_at=now,
        answers={"visie": {"hefbomen": QuestionAnswer(choices=("missie_visie",))}},
        closing={
            "priorities": {"choices": ["teamwerk", "plg", "behartiger"]},
            "inspiring_practices": {"declined": True},
        },
    )
    headers = []
    for wave_id, responses in (("a", [full]), ("b", [])):
        wave = Wave(id=wave_id, name=wave_id, created_at=now)
        headers.append([table.header for table in build_tables(q, registry, wave, responses, responses)])
    assert headers[0] == headers[1]


def test_every_formula_start_is_neutralised_in_both_formats(tmp_path):
    q = self_scan()
    registry = Registry.model_validate(registry_document())
    now = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
    dangerous = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"]
    tables = []
    for n, text in enumerate(dangerous):
        answers = {"visie": {"deliberate_choice": QuestionAnswer(choices=("combinatie",), explanation=text)}}
        tables.append(
            Response(
                wave_id="a",
                centre_id="clb-demo",
                respondent_id=f"p{n}",
                respondent_name=text,
                submitted_at=now,
                answers=answers,
            )
        )
    wave = Wave(id="a", name="=ronde", created_at=now)
    built = build_tables(q, registry, wave, [], tables)
    write_xlsx(built, tmp_path / "x.xlsx")
    write_csv_zip(built, tmp_path / "x.zip")
    sheet = load_workbook(tmp_path / "x.xlsx")["Leden"]
    texts = [
        cell
        for row in sheet.iter_rows(min_row=2)
        for cell in row
        if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@", "\t", "\r"))
    ]
    assert len(texts) >= 3 * len(dangerous)
    assert all(cell.data_type == "s" for cell in texts)
    with zipfile.ZipFile(tmp_path / "x.zip") as archive:
        lines = list(csv.reader(io.StringIO(archive.read("leden.csv").decode("utf-8-sig"), newline=""), delimiter=";"))
    cells = [cell for line in lines[1:] for cell in line]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert {"'" + text for text in dangerous} <= set(cells)


async def test_links_asked_in_a_channel_go_to_the_personal_chat(bot, teams, connector):
    await teams.say(ADMIN, "hallo")
    calls = await teams.say(ADMIN, "@Poolster export", conversation_id=CHANNEL, conversation_type="channel")
    assert "persoonlijke chat" in texts_in(calls)
    assert not cards_in(calls) and "/exports/" not in str(
        [c.body for c in connector.calls if c.conversation_id == CHANNEL]
    )
    private = new_card(connector.sends(ADMIN.conversation_id))
    status, content_type, _ = await download(teams, export_links(bot, private.card)["Download XLSX"])
    assert status == 200 and content_type == XLSX


async def test_links_asked_in_a_channel_by_someone_never_met_open_a_personal_chat(bot, teams, connector):
    calls = await teams.say(ADMIN, "@Poolster export", conversation_id=CHANNEL, conversation_type="channel")
    assert "persoonlijke chat" in texts_in(calls) and not cards_in(calls)
    assert connector.created(), "the 1:1 chat was opened"
    private = [c for c in connector.sends() if c.card and "/exports/" in str(c.card)]
    assert private and all(c.conversation_id != CHANNEL for c in private)


async def test_a_purge_deletes_the_exports_and_their_links_stop_working(bot, teams):
    await submit_survey(teams, MO)
    await teams.say(ADMIN, "hallo")
    await teams.say(ADMIN, "sluit ronde")
    links = export_links(bot, new_card(await teams.say(ADMIN, "export")).card)
    assert (await download(teams, links["Download XLSX"]))[0] == 200
    exports = bot.poolster.settings.data_dir / "exports"
    other = exports / "andere-ronde-20261124-100000.xlsx"
    other.write_bytes(b"another wave's export")
    wave = (await bot.poolster.services.waves.list())[0]
    assert "exportbestanden" in texts_in(await teams.say(ADMIN, f"verwijder antwoorden {wave.name}"))
    for url in links.values():
        status, _, body = await download(teams, url)
        assert status == 403 and "bestaat niet" in body.decode()
    assert [path.name for path in exports.iterdir()] == [other.name]


async def test_export_files_are_deleted_when_their_links_expire(bot, teams):
    await teams.say(ADMIN, "hallo")
    links = export_links(bot, new_card(await teams.say(ADMIN, "export")).card)
    poolster = bot.poolster
    exports = poolster.settings.data_dir / "exports"
    assert len(list(exports.iterdir())) == 2
    assert poolster.links.remove_expired() == 0, "fresh files stay while their links work"
    assert poolster.links.remove_expired(now=time.time() + LIFETIME_SECONDS + 5) == 2
    assert list(exports.iterdir()) == []
    assert (await download(teams, links["Download XLSX"]))[0] == 403


def test_only_export_files_are_swept(tmp_path):
    links = DownloadLinks(tmp_path, "key", "http://x")
    old = time.time() - LIFETIME_SECONDS - 60
    for name in ("ronde-20261124-100000.xlsx", "ronde-20261124-100000-csv.zip", "notities.txt"):
        (tmp_path / name).write_text("x")
        os.utime(tmp_path / name, (old, old))
    (tmp_path / "ronde-20261124-110000.xlsx").write_text("new")
    assert links.remove_expired() == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notities.txt", "ronde-20261124-110000.xlsx"]


@pytest.mark.parametrize(
    "path",
    [
        "/exports/x.%C3%A9",
        "/exports/%C3%A9.%C3%A9",
        "/exports/%ED%A0%80.abc",
        "/exports/x.%00",
        "/exports/.",
        "/exports/..%2F..%2Fcentres.yaml",
        "/exports/" + "a" * 5000 + ".b",
        "/exports/abc",
        "/exports/a.b.c",
        "/exports/%FF%FE.%FF",
        "/exports/",
        "/exports",
    ],
)
async def test_odd_download_paths_get_a_4xx_never_a_500(bot, teams, path):
    async with teams.session.get(bot.url + path) as response:
        assert 400 <= response.status < 500, (path, response.status)


async def test_an_old_wave_keeps_its_columns_after_a_new_version_and_a_new_wave_has_the_new_one(tmp_path):
    """Content 2026-1 adds a question: 2025-1's answers stay exportable with 2025-1's columns."""
    source = CONTENT_DIR / "poolster-clb-2025-1.yaml"
    before = tmp_path / "voor"
    after = tmp_path / "na"
    for folder in (before, after):
        folder.mkdir()
        shutil.copy(source, folder / source.name)
    page = '    questions: ["deliberate_choice", "hefbomen", "knelpunten", "differences"]'
    text = source.read_text(encoding="utf-8")
    assert page in text and "\npages:\n" in text
    newer = (
        text.replace('version: "2025-1"', 'version: "2026-1"')
        .replace("released: 2025-09-01", "released: 2026-09-01")
        .replace(page, page[:-1] + ', "next_step"]')
        .replace(
            "\npages:\n",
            '\n  - id: "next_step"\n    type: "free_text"\n    short_label: "Volgende stap"\n'
            '    text: "Wat is onze volgende stap voor {unit}?"\n    required: false\n'
            '    summary: "texts"\npages:\n',
        )
    )
    (after / "poolster-clb-2026-1.yaml").write_text(newer, encoding="utf-8")
    now = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
    registry = Registry.model_validate(registry_document())
    old_catalog, new_catalog = load_catalog(before), load_catalog(after)
    old_q = old_catalog.current("poolster-clb")
    old_wave = Wave(
        id="oud",
        name="Zelfscan 2026",
        status="closed",
        created_at=now,
        questionnaire_id=old_q.id,
        questionnaire_version=old_q.version,
    )
    answered = filled_response(old_q, wave_id="oud", centre_id="clb-demo", respondent_id=MO.email, now=now)
    headers_then = [t.header for t in build_tables(old_q, registry, old_wave, [], [answered])]

    services = Services(new_catalog, registry, InMemoryStore(), lambda: now)
    await services.waves.put(old_wave, old_wave.id)
    await services.responses.put(answered, "oud", "clb-demo", MO.email)
    waves = WaveService(services, None)
    old_export = load_workbook((await waves.export(old_wave, tmp_path / "exports")).xlsx)
    assert [[c.value for c in old_export[t][1]] for t in ("Centra", "Slotvragen", "Leden")] == [
        list(h) for h in headers_then
    ], "the old wave keeps 2025-1's columns"
    assert rows(old_export, "Leden")[0]["Huidig stadium"] == "Planmatig"

    questionnaire, name = waves.questionnaire_named("Zelfscan 2027", date(2027, 6, 30))
    new_wave = (await waves.draft(name, date(2027, 6, 30), (), "poc", questionnaire)).wave
    assert (new_wave.questionnaire_id, new_wave.questionnaire_version) == ("poolster-clb", "2026-1")
    new_q = services.questionnaire_of(new_wave)
    given = filled_response(
        new_q,
        wave_id=new_wave.id,
        centre_id="clb-demo",
        respondent_id=MO.email,
        now=now,
        context={"next_step": "Een werkgroep starten"},
    )
    await services.responses.put(given, new_wave.id, "clb-demo", MO.email)
    new_export = load_workbook((await waves.export(new_wave, tmp_path / "exports")).xlsx)
    members = rows(new_export, "Leden")
    assert members[0]["Volgende stap"] == "Een werkgroep starten"
    assert "Volgende stap" not in headers_then[2]
    assert ("Leden", "Volgende stap") in {(row["Blad"], row["Kolom"]) for row in rows(new_export, "Uitleg")}
