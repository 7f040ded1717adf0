"""The registry as POC+ keeps it: a spreadsheet read with row-numbered Dutch problems, a preview of
what changes, applied atomically and without a restart; an empty or missing registry is refused."""

from __future__ import annotations

import gc
import inspect
import io
import os
import subprocess
import sys

import pytest
import yaml
from openpyxl import Workbook, load_workbook

from survey.registry import NO_REGISTRY, Registry, RegistryError, load_registry, save_registry
from survey.registry_import import ImportRefused, diff, parse_registry, registry_rows
from tests.support.harness import ADMIN, DIRECTOR, MEMBERS, OTHER_MEMBER, STRANGER, registry_document, write_registry
from tests.support.process import ROOT
from tests.support.scripts import new_card, start
from tests.support.teams import cards_in, iter_elements, texts_in

MO, LEA, SAM = MEMBERS
HEADER = ("Centrum-id", "Centrum", "Naam", "E-mail", "Rol", "Azure AD-id", "Scholengroep")


def current_rows() -> list[tuple]:
    """The test registry as the spreadsheet POC+ would keep (without its header)."""
    return [tuple(row) for row in registry_rows(Registry.model_validate(registry_document()))[1:]]


def xlsx(rows: list[tuple], header: tuple = HEADER) -> bytes:
    workbook = Workbook()
    for row in (header, *rows):
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def problems_of(name: str, content: bytes) -> list[str]:
    with pytest.raises(ImportRefused) as refused:
        parse_registry(name, content)
    return refused.value.problems


# ----- reading ------------------------------------------------------------------------------------


def test_a_spreadsheet_becomes_the_registry_with_scholengroep_contacts():
    rows = [
        *current_rows(),
        ("clb-demo", "GO! CLB Demo", "Ada Algemeen", "ada@sg.example", "AD", "", "SG Demo"),
        ("clb-demo", "", "Cor Codi", "cor@sg.example", "codi", "", ""),
        ("clb-andere", "GO! CLB Andere", "Ada Algemeen", "ada@sg.example", "DICO", "", ""),
    ]
    registry, ignored = parse_registry("register.xlsx", xlsx(rows))
    demo = registry.centre("clb-demo")
    assert demo.director.email == DIRECTOR.email and [m.email for m in demo.members] == [m.email for m in MEMBERS]
    assert demo.scholengroep == "SG Demo" and [(c.name, c.role) for c in demo.scholengroep_contacts] == [
        ("Ada Algemeen", "AD"),
        ("Cor Codi", "CODI"),
    ]
    assert registry.centre("clb-andere").scholengroep_contacts[0].role == "DICO", "a contact may serve several centres"
    assert registry.find(OTHER_MEMBER.aad_object_id).centre.id == "clb-andere"
    assert registry.find("ada@sg.example") is None, "contacts do not answer"
    assert ignored == []


def test_headers_are_recognised_in_any_order_and_spelling_and_extra_columns_are_named():
    header = ("ROL", "e-mailadres", "Naam", "centrumnaam", "Centrum ID", "Opmerking")
    rows = [("Directeur", "d@x.example", "D", "CLB X", "clb-x", "nieuw"), ("LID", "m@x.example", "M", "", "CLB-X", "")]
    registry, ignored = parse_registry("x.xlsx", xlsx(rows, header))
    assert registry.centre("clb-x").name == "CLB X" and len(registry.centre("clb-x").people) == 2
    assert ignored == ["Opmerking"]


def test_every_mistake_is_named_with_its_row_in_dutch():
    rows = [
        *current_rows(),  # rows 2-7
        ("clb-demo", "GO! CLB Demo", "Zonder Adres", "", "lid", "", ""),  # 8
        ("clb-demo", "GO! CLB Demo", "Fout Adres", "geen-adres", "lid", "", ""),  # 9
        ("clb-demo", "GO! CLB Demo", "Nog Een Baas", "baas@x.example", "directeur", "", ""),  # 10
        ("clb-demo", "GO! CLB Demo", "Dubbel", MO.email, "lid", "", ""),  # 11
        ("CLB Demo!", "GO! CLB Demo", "Rare Code", "r@x.example", "lid", "", ""),  # 12
        ("clb-demo", "GO! CLB Demo", "Rolloos", "rol@x.example", "chef", "", ""),  # 13
        ("clb-demo", "Andere Naam", "", "n@x.example", "lid", "", ""),  # 14
        ("clb-leeg", "GO! CLB Leeg", "Enkel Lid", "lid@leeg.example", "lid", "", ""),
    ]  # 15
    problems = problems_of("register.xlsx", xlsx(rows))
    assert "Rij 8: e-mailadres ontbreekt." in problems
    assert "Rij 9: ‘geen-adres’ is geen geldig e-mailadres." in problems
    assert "Rij 10: centrum ‘clb-demo’ heeft al een directeur (rij 2); een centrum heeft er één." in problems
    assert f"Rij 11: {MO.email} staat ook in rij 3; iemand hoort bij één centrum en heeft er één rol." in problems
    assert any(p.startswith("Rij 12: centrum-id ‘clb demo!’ mag enkel kleine letters") for p in problems)
    assert "Rij 13: rol ‘chef’ ken ik niet; kies lid, directeur, AD, CODI, DICO of school." in problems
    assert "Rij 14: naam ontbreekt." in problems
    assert any(p.startswith("Centrum ‘clb-leeg’ (vanaf rij 15): er is geen directeur") for p in problems)


def test_a_centre_named_twice_differently_is_refused():
    rows = current_rows()
    rows[1] = (*rows[1][:1], "GO! CLB Demo Oost", *rows[1][2:])
    assert problems_of("r.xlsx", xlsx(rows)) == [
        "Rij 3: centrum ‘clb-demo’ heet hier ‘GO! CLB Demo Oost’, maar in rij 2 ‘GO! CLB Demo’."
    ]


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("register.xls", b"\xd0\xcf\x11\xe0", "is geen Excel-bestand (.xlsx) of CSV-bestand"),
        ("register.xlsx", b"PK\x03\x04 kapot", "kan ik niet openen"),
        ("register.xlsx", xlsx([], header=()), "Het bestand is leeg"),
        ("register.xlsx", xlsx([]), "Het bestand bevat geen personen"),
        ("register.xlsx", xlsx([("clb-x", "X", "D", "d@x.example")], HEADER[:4]), "Rij 1: de kolom ‘rol’ ontbreekt"),
    ],
)
def test_files_that_are_not_a_registry_are_refused_with_a_reason(name, content, expected):
    assert expected in problems_of(name, content)[0]


def test_csv_from_excel_with_semicolons_and_windows_encoding():
    text = (
        "centrum-id;centrum;naam;e-mail;rol\nclb-x;CLB Zeeën;Dé Directeur;d@x.example;directeur\n"
        "clb-x;CLB Zeeën;;m@x.example;lid\n"
    )
    assert problems_of("register.csv", text.encode("cp1252")) == ["Rij 3: naam ontbreekt."]
    registry, _ = parse_registry("register.csv", text.replace(";;", ";Mia;").encode("utf-8-sig"))
    assert registry.centre("clb-x").name == "CLB Zeeën" and registry.centre("clb-x").director.name == "Dé Directeur"


def test_many_problems_are_capped_with_a_count():
    rows = [("clb-x", "X", f"P{n}", "", "lid", "", "") for n in range(40)]
    problems = problems_of("r.xlsx", xlsx(rows))
    assert len(problems) == 21 and problems[-1] == "… en nog 20 problemen."


def test_cards_stay_small_for_a_large_registry_and_a_file_full_of_mistakes(card_validator):
    from cards.registry_admin import import_preview_card, import_refused_card, registry_card

    rows = [
        (
            f"clb-{c}",
            f"GO! CLB {c} " + "x" * 100,
            f"Persoon {c}-{p} " + "y" * 100,
            f"p{c}-{p}@clb.example",
            "directeur" if p == 0 else "lid",
            "",
            "",
        )
        for c in range(60)
        for p in range(50)
    ]
    new, _ = parse_registry("groot.xlsx", xlsx(rows, HEADER))
    old = Registry.model_validate(registry_document())
    preview = import_preview_card("groot.xlsx", old, new, diff(old, new), [f"Kolom {n}" * 20 for n in range(50)], "t")
    card_validator.assert_valid(preview)
    unreachable = {centre.name: [p.name for p in centre.people] for centre in new.centres}
    card_validator.assert_valid(registry_card(new, unreachable, "https://poolster.example/exports/x"))
    runaway = [("clb-x", "X", "N", "z" * 5000 + "@", "baas" * 500, "", "")] * 30
    refused = import_refused_card("fout.xlsx", problems_of("fout.xlsx", xlsx(runaway)))
    card_validator.assert_valid(refused)
    assert "te lang" in str(refused)


# ----- what changes -----------------------------------------------------------------------------


def test_the_diff_names_who_is_added_removed_moved_and_changes_role():
    old = Registry.model_validate(registry_document())
    rows = [row for row in current_rows() if row[3] != SAM.email]
    rows = [("clb-andere", "GO! CLB Andere", *row[2:]) if row[3] == LEA.email else row for row in rows]
    rows = [(*row[:4], "lid", *row[5:]) if row[3] == DIRECTOR.email else row for row in rows]
    rows = [(*row[:4], "directeur", *row[5:]) if row[3] == MO.email else row for row in rows]
    rows.append(("clb-nieuw", "GO! CLB Nieuw", STRANGER.name, STRANGER.email, "directeur", "", ""))
    new, _ = parse_registry("r.xlsx", xlsx(rows))
    changes = diff(old, new)
    assert changes.centres_added == ["GO! CLB Nieuw (clb-nieuw)"]
    assert [(p.name, p.centre) for p in changes.people_added] == [(STRANGER.name, "GO! CLB Nieuw")]
    assert [(p.name, p.detail) for p in changes.people_removed] == [(SAM.name, "lid")]
    assert [(p.name, p.centre, p.detail) for p in changes.people_moved] == [
        (LEA.name, "GO! CLB Andere", "van GO! CLB Demo")
    ]
    assert {(p.name, p.detail) for p in changes.roles_changed} == {
        (DIRECTOR.name, "directeur → lid"),
        (MO.name, "lid → directeur"),
    }
    assert diff(old, old).nothing


# ----- storing ----------------------------------------------------------------------------------


def test_the_registry_is_written_atomically_and_the_previous_one_kept(tmp_path, monkeypatch):
    write_registry(tmp_path)
    path = tmp_path / "centres.yaml"
    before = path.read_text()
    new, _ = parse_registry("r.xlsx", xlsx(current_rows()[:3]))

    def crash(*_):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        save_registry(path, new)
    assert path.read_text() == before and sorted(p.name for p in tmp_path.iterdir()) == [
        "centres.yaml",
        "centres.yaml.vorige",
    ], "no temporary file left, the registry untouched"
    monkeypatch.undo()
    save_registry(path, new, "Geïmporteerd uit r.xlsx")
    assert load_registry(path) == new and path.read_text().startswith("# Geïmporteerd uit r.xlsx\n")
    assert (tmp_path / "centres.yaml.vorige").read_text() == before


@pytest.mark.parametrize("content", [None, "", "centres: []\n", "# niets\n"])
def test_a_missing_or_empty_registry_is_refused(tmp_path, content):
    path = tmp_path / "centres.yaml"
    if content is not None:
        path.write_text(content)
    with pytest.raises(RegistryError, match="ontbreekt" if content is None else "is leeg"):
        load_registry(path)
    assert load_registry(path, required=False) == Registry()


def test_an_unreadable_registry_is_refused_in_dutch(tmp_path):
    (tmp_path / "centres.yaml").write_bytes(b"centres:\n  - id: \xff\xfe\n")
    with pytest.raises(RegistryError, match="kan ik niet lezen: geen UTF-8-tekst"):
        load_registry(tmp_path / "centres.yaml")
    (tmp_path / "centres.yaml").unlink()
    (tmp_path / "centres.yaml").mkdir()
    with pytest.raises(RegistryError, match="kan ik niet lezen"):
        load_registry(tmp_path / "centres.yaml")


@pytest.mark.parametrize("content", [None, "centres: []\n"])
def test_the_bot_does_not_start_without_a_registry(tmp_path, content):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    if content is not None:
        (data_dir / "centres.yaml").write_text(content)
    result = subprocess.run(
        [sys.executable, "app.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "POOLSTER_DATA_DIR": str(data_dir), "POOLSTER_PORT": "0"},
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "Poolster start niet: Het register van centra" in result.stderr and "register import" in result.stderr
    assert NO_REGISTRY.split("{")[0] in result.stderr


def run_cli(data_dir, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app", "register", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "POOLSTER_DATA_DIR": str(data_dir)},
    )


def test_the_command_line_previews_then_applies(tmp_path):
    data_dir = tmp_path / "data"
    write_registry(data_dir)
    before = (data_dir / "centres.yaml").read_text()
    wrong = tmp_path / "register.xlsx"
    wrong.write_bytes(xlsx([*current_rows(), ("clb-demo", "GO! CLB Demo", "Otto", "", "lid", "", "")]))
    result = run_cli(data_dir, "import", str(wrong), "--toepassen")
    assert result.returncode == 1 and "Rij 8: e-mailadres ontbreekt." in result.stderr
    assert "Traceback" not in result.stderr

    right = tmp_path / "register.xlsx"
    right.write_bytes(xlsx([*current_rows(), ("clb-demo", "GO! CLB Demo", "Otto", STRANGER.email, "lid", "", "")]))
    preview = run_cli(data_dir, "import", str(right))
    assert preview.returncode == 0 and "Nieuwe personen: 1 — Otto (GO! CLB Demo, lid)" in preview.stdout
    assert "er is niets gewijzigd" in preview.stdout and (data_dir / "centres.yaml").read_text() == before
    applied = run_cli(data_dir, "import", str(right), "--toepassen")
    assert applied.returncode == 0 and "Toegepast" in applied.stdout
    assert load_registry(data_dir / "centres.yaml").find(STRANGER.email).centre.id == "clb-demo"

    # Round trip: the registry as a spreadsheet imports as exactly itself.
    exported = tmp_path / "huidig.xlsx"
    assert run_cli(data_dir, "export", str(exported)).returncode == 0
    assert parse_registry(exported.name, exported.read_bytes())[0] == load_registry(data_dir / "centres.yaml")
    assert load_workbook(exported).active["A1"].value == "centrum-id"


def test_a_fresh_data_folder_gets_its_registry_from_the_command_line(tmp_path):
    data_dir = tmp_path / "nieuw"
    source = tmp_path / "register.csv"
    source.write_text("centrum-id,centrum,naam,e-mail,rol\nclb-x,CLB X,D,d@x.example,directeur\n")
    result = run_cli(data_dir, "import", str(source), "--toepassen")
    assert result.returncode == 0, result.stderr
    assert load_registry(data_dir / "centres.yaml").centre("clb-x").director.email == "d@x.example"


# ----- in Teams, without a restart ---------------------------------------------------------------


async def send_file(teams, user, name: str, content: bytes):
    attachment = teams.connector.file_attachment(name, content)
    before = len(teams.connector.calls)
    activity = teams.activity(user, attachments=[attachment])
    assert await teams.post(activity) in (200, 201)
    return teams._replies(before, activity)


async def test_poc_imports_the_registry_in_teams_and_it_applies_without_a_restart(bot, teams, connector):
    poolster = bot.poolster
    old_registry = poolster.services.registry
    await teams.say(ADMIN, "hallo")
    status = new_card(await teams.say(ADMIN, "register")).card
    assert "Centra" in str(status) and "Nog niet bereikbaar" in str(status)
    everyone = sum(len(c.people) + len(c.scholengroep_contacts) for c in old_registry.centres)
    facts = {f["title"]: f["value"] for e in iter_elements(status) if e.get("type") == "FactSet" for f in e["facts"]}
    assert facts["Nog niet bereikbaar"].endswith(f" van {everyone}"), "counted out of everyone listed above it"
    assert SAM.name not in str(status), "Sam has an Azure AD id: the bot can open a chat with him"
    assert "Download het register (Excel)" in str(status)

    # Otto is not registered yet.
    assert "Start" not in str(cards_in(await teams.say(STRANGER, "hallo")))

    rows = [row for row in current_rows() if row[3] != SAM.email]
    mistake = [*rows, ("clb-demo", "GO! CLB Demo", STRANGER.name, "", "lid", "", "")]
    refused = new_card(await send_file(teams, ADMIN, "register.xlsx", xlsx(mistake))).card
    assert "Rij 7: e-mailadres ontbreekt." in str(refused) and "er is niets gewijzigd" in str(refused)
    assert poolster.services.registry is old_registry

    fixed = [
        *rows,
        ("clb-demo", "GO! CLB Demo", STRANGER.name, STRANGER.email, "lid", "", "SG Demo"),
        ("clb-demo", "GO! CLB Demo", "Ada Algemeen", "ada@sg.example", "AD", "", ""),
    ]
    preview = new_card(await send_file(teams, ADMIN, "register-v2.xlsx", xlsx(fixed)))
    text = str(preview.card)
    assert "Nieuwe personen: 1" in text and STRANGER.name in text and "Verwijderd: 1" in text and SAM.name in text
    assert "er is nog niets gewijzigd" in text and poolster.services.registry is old_registry

    calls = await teams.press(ADMIN, preview, "Toepassen")
    assert "Het nieuwe register is in gebruik" in texts_in(calls)
    assert any(c.method == "PUT" and "Toegepast" in str(c.card) for c in calls), "the preview's buttons are gone"
    # Without a restart: Otto can start, Sam is told he is not registered, the file holds the new registry.
    assert "Bouwsteen 1" in str((await start(teams, STRANGER)).card)
    assert "Start" not in str(cards_in(await teams.say(SAM, "hallo")))
    assert load_registry(poolster.settings.registry_path) == poolster.services.registry
    assert poolster.services.registry.centre("clb-demo").scholengroep_contacts[0].name == "Ada Algemeen"
    status = new_card(await teams.say(ADMIN, "register")).card
    assert "Ada Algemeen (AD)" in str(status), "a contact without a chat or Azure AD id cannot be reached"
    assert STRANGER.name not in str(status), "Otto talked to the bot: reachable, although without Azure AD id"
    assert "Dit voorbeeld geldt niet meer" in texts_in(await teams.press(ADMIN, preview, "Toepassen"))

    # Nothing holds the old registry any more: every holder sees the new one.
    gc.unfreeze()  # the bot froze what it built at start; referrers are only found among unfrozen objects
    assert [r for r in gc.get_referrers(old_registry) if not inspect.isframe(r)] == []


async def test_only_poc_may_import_or_see_the_registry(bot, teams):
    assert "voor POC+" in texts_in(await teams.say(MO, "register"))
    calls = await send_file(teams, MO, "register.xlsx", xlsx(current_rows()[:1]))
    assert "Bestanden verwerk ik niet" in texts_in(calls) and teams.connector.file_downloads == []
    assert bot.poolster.services.registry.centre("clb-demo").members


async def test_a_preview_is_not_applied_over_a_registry_that_changed_meanwhile(bot, teams):
    await teams.say(ADMIN, "hallo")
    preview = new_card(await send_file(teams, ADMIN, "a.xlsx", xlsx(current_rows()[:-1])))
    other = Registry.model_validate(registry_document())
    bot.poolster.use_registry(other.model_copy(update={"centres": other.centres[:1]}))
    assert "intussen gewijzigd" in texts_in(await teams.press(ADMIN, preview, "Toepassen"))
    assert len(bot.poolster.services.registry.centres) == 1


async def test_the_running_bot_takes_over_a_registry_written_by_the_command_line(bot, teams):
    poolster = bot.poolster
    path = poolster.settings.registry_path
    document = registry_document()
    document["centres"][0]["members"].append({"name": STRANGER.name, "email": STRANGER.email})
    path.write_text(yaml.safe_dump(document, allow_unicode=True))
    await poolster.reload_registry_if_changed()
    assert poolster.people.registry.find(STRANGER.email).centre.id == "clb-demo"
    # A damaged file is not taken over: the bot keeps serving with the registry it has.
    path.write_text("centres: []\n")
    await poolster.reload_registry_if_changed()
    assert poolster.services.registry.find(STRANGER.email) is not None
    assert "Bouwsteen 1" in str((await start(teams, STRANGER)).card)


async def test_the_registry_asked_in_a_channel_goes_to_the_personal_chat(bot, teams, connector):
    await teams.say(ADMIN, "hallo")
    calls = await teams.say(
        ADMIN, "@Poolster register", conversation_id="19:community@thread.tacv2", conversation_type="channel"
    )
    assert "persoonlijke chat" in texts_in(calls) and not cards_in(calls)
    assert "Register van centra" in str(new_card(connector.sends(ADMIN.conversation_id)).card)
