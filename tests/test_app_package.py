"""The Teams app package: schema-valid manifest, icons Teams accepts, commands the bot really understands."""

from __future__ import annotations

import copy
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from dialogs.commands import ADMIN_COMMANDS, parse_command
from scripts import package_app
from scripts.package_app import PackageError, build_package, check_icons, main, render_manifest, validate_manifest

APP_ID = "11111111-2222-4333-8444-555555555555"
BOT_ID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
DOMAIN = "poolster.test.example"
ROOT = Path(__file__).resolve().parents[1]

# Every command title in the manifest -> the command the bot's parser must read it as.
INTENDED = {
    "help": "help",
    "verder": "resume",
    "voortgang": "progress",
    "overzicht": "overview",
    "wijzig": "edit",
    "pauze": "pause",
    "mijn gegevens": "my_data",
    "team": "team",
    "centrum": "centre_answer",
    "nieuwe ronde": "new_wave",
    "rondes": "waves",
    "status": "status",
    "herinner": "remind",
    "sluit ronde": "close_wave",
    "export": "export",
    "resultaten": "results",
    "register": "registry",
}


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> dict[str, bytes]:
    out = build_package(APP_ID, BOT_ID, DOMAIN, tmp_path_factory.mktemp("pkg") / "app.zip")
    with zipfile.ZipFile(out) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


@pytest.fixture(scope="module")
def manifest(package) -> dict:
    return json.loads(package["manifest.json"].decode("utf-8"))


def command_lists(manifest: dict) -> dict[str, list[dict]]:
    return {
        scope: command_list["commands"]
        for command_list in manifest["bots"][0]["commandLists"]
        for scope in command_list["scopes"]
    }


# ----- the package -----------------------------------------------------------------------------------


def test_zip_holds_exactly_the_manifest_and_the_icons_at_its_root(package):
    assert sorted(package) == ["color.png", "manifest.json", "outline.png"]


def test_manifest_is_valid_against_the_official_schema(manifest):
    assert validate_manifest(manifest) == []
    assert manifest["$schema"] == "https://developer.microsoft.com/json-schemas/teams/v1.22/MicrosoftTeams.schema.json"
    assert manifest["manifestVersion"] == "1.22"


def test_ids_version_and_domain_are_filled_in(manifest, package):
    assert manifest["id"] == APP_ID
    assert manifest["bots"][0]["botId"] == BOT_ID
    assert manifest["version"] == (ROOT / "VERSION").read_text().strip()
    assert DOMAIN in manifest["validDomains"]
    for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        assert manifest["developer"][key].startswith(f"https://{DOMAIN}/")
    assert b"{{" not in package["manifest.json"]


def test_dutch_names_and_bot_settings(manifest):
    assert manifest["localizationInfo"]["defaultLanguageTag"] == "nl-BE"
    assert manifest["name"] == {"short": "Poolster", "full": "Poolster – GO! poolster-CLB in beeld"}
    assert "bouwsteen" in manifest["description"]["short"]
    bot = manifest["bots"][0]
    assert len(manifest["bots"]) == 1
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    # Files: POC+ sends the registry as a spreadsheet in the 1:1 chat.
    assert bot["supportsFiles"] is True and bot["isNotificationOnly"] is False
    assert manifest["permissions"] == ["identity", "messageTeamMembers"]


def test_with_graph_the_manifest_names_the_app_that_installs_itself(tmp_path, monkeypatch, manifest):
    assert "webApplicationInfo" not in manifest, "without Graph the manifest asks for nothing more"
    with_graph = build_package(APP_ID, BOT_ID, DOMAIN, tmp_path / "graph.zip", graph=True)
    graph_manifest = json.loads(zipfile.ZipFile(with_graph).read("manifest.json"))
    assert validate_manifest(graph_manifest) == []
    # TeamsAppInstallation.ReadWriteSelfForUser.All: "self" is the app whose registration calls Graph.
    assert graph_manifest["webApplicationInfo"] == {"id": BOT_ID}
    monkeypatch.setenv("POOLSTER_GRAPH", "true")
    out = tmp_path / "env.zip"
    assert main(["--app-id", APP_ID, "--bot-id", BOT_ID, "--domain", DOMAIN, "--out", str(out)]) == 0
    assert "webApplicationInfo" in json.loads(zipfile.ZipFile(out).read("manifest.json"))
    assert main(["--app-id", APP_ID, "--bot-id", BOT_ID, "--domain", DOMAIN, "--out", str(out), "--no-graph"]) == 0
    assert "webApplicationInfo" not in json.loads(zipfile.ZipFile(out).read("manifest.json"))


def test_every_listed_command_is_understood_by_the_bot_as_intended(manifest):
    lists = command_lists(manifest)
    assert set(lists) == {"personal", "team", "groupChat"}
    for scope, commands in lists.items():
        for command in commands:
            title = command["title"]
            assert title in INTENDED, f"{title!r} ({scope}): add it to INTENDED with the command it means"
            parsed = parse_command(title)
            assert parsed is not None and parsed.name == INTENDED[title], (scope, title, parsed)
            assert parsed.argument == ""


def test_personal_list_covers_the_survey_commands(manifest):
    titles = [command["title"] for command in command_lists(manifest)["personal"]]
    for title in ("help", "verder", "voortgang", "overzicht", "wijzig", "pauze", "mijn gegevens"):
        assert title in titles


def test_channel_lists_only_offer_what_works_in_a_channel(manifest):
    """In a channel or group chat only help and the POC+ commands do something (bot/teams_bot.py)."""
    lists = command_lists(manifest)
    assert lists["team"] == lists["groupChat"]
    names = {INTENDED[command["title"]] for command in lists["team"]}
    assert "help" in names
    assert names - {"help"} <= ADMIN_COMMANDS
    assert {"new_wave", "status", "remind"} <= names


def test_the_channel_menu_offers_what_poc_needs_and_no_date_that_goes_stale(manifest):
    """POC+ runs a wave from the community channel: every step is in the menu; a fixed example date
    in a description would lie in the past one day (the help text computes its own)."""
    team = {INTENDED[command["title"]] for command in command_lists(manifest)["team"]}
    assert {"new_wave", "waves", "status", "remind", "close_wave", "results", "export", "registry"} <= team
    for commands in command_lists(manifest).values():
        for command in commands:
            assert not re.search(r"\d{1,2}-\d{1,2}-\d{4}", command["description"]), command


def test_command_titles_and_descriptions_fit_teams_limits(manifest):
    for commands in command_lists(manifest).values():
        assert 1 <= len(commands) <= 10
        for command in commands:
            assert 0 < len(command["title"]) <= 32
            assert 0 < len(command["description"]) <= 128


def test_icons_have_the_sizes_and_colours_teams_requires(package):
    colour = Image.open(io.BytesIO(package["color.png"]))
    assert colour.format == "PNG" and colour.size == (192, 192)
    assert colour.convert("RGBA").getpixel((0, 0))[3] == 255  # full bleed
    outline = Image.open(io.BytesIO(package["outline.png"]))
    assert outline.format == "PNG" and outline.size == (32, 32)
    raw = outline.convert("RGBA").tobytes()
    pixels = [tuple(raw[i : i + 4]) for i in range(0, len(raw), 4)]
    assert all(p[3] == 0 or p[:3] == (255, 255, 255) for p in pixels)  # white, varying only in alpha
    assert sum(1 for p in pixels if p[3] == 0) > 32 * 32 / 3  # a transparent background
    assert sum(1 for p in pixels if p[3] == 255) > 50  # and a visible symbol
    assert all(outline.convert("RGBA").getpixel(xy)[3] == 0 for xy in ((0, 0), (31, 0), (0, 31), (31, 31)))
    assert check_icons() == []


def test_same_inputs_give_the_same_zip(tmp_path):
    first = build_package(APP_ID, BOT_ID, DOMAIN, tmp_path / "a.zip").read_bytes()
    assert build_package(APP_ID, BOT_ID, DOMAIN, tmp_path / "b.zip").read_bytes() == first


# ----- refusals --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "app_id, bot_id, domain",
    [
        ("not-a-guid", BOT_ID, DOMAIN),
        (APP_ID, "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeee", DOMAIN),  # one digit short
        (APP_ID, "", DOMAIN),
        (APP_ID, BOT_ID, "https://poolster.example.org/"),
        (APP_ID, BOT_ID, ""),
    ],
)
def test_build_refuses_bad_ids_or_domain_and_writes_nothing(tmp_path, app_id, bot_id, domain):
    out = tmp_path / "app.zip"
    with pytest.raises(PackageError) as refused:
        build_package(app_id, bot_id, domain, out)
    assert refused.value.problems
    assert not out.exists()


def test_command_line_exits_non_zero_with_a_clear_message(tmp_path, capsys):
    out = tmp_path / "app.zip"
    assert main(["--app-id", "x", "--bot-id", BOT_ID, "--domain", DOMAIN, "--out", str(out)]) == 1
    assert "not a GUID" in capsys.readouterr().err
    assert not out.exists()
    assert main(["--app-id", APP_ID, "--bot-id", BOT_ID, "--domain", DOMAIN, "--out", str(out)]) == 0
    assert zipfile.ZipFile(out).namelist() == ["manifest.json", "color.png", "outline.png"]


def test_flags_override_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("POOLSTER_TEAMS_APP_ID", "bad")
    monkeypatch.setenv("MicrosoftAppId", BOT_ID)
    monkeypatch.setenv("POOLSTER_DOMAIN", "env.example.org")
    out = tmp_path / "app.zip"
    assert main(["--app-id", APP_ID, "--out", str(out)]) == 0
    manifest = json.loads(zipfile.ZipFile(out).read("manifest.json"))
    assert manifest["id"] == APP_ID and manifest["bots"][0]["botId"] == BOT_ID
    assert manifest["validDomains"] == ["env.example.org"]


def _valid() -> dict:
    return render_manifest(APP_ID, BOT_ID, DOMAIN)


def test_schema_is_really_applied():
    """Proof validate_manifest is no no-op: each of these only the official schema rejects."""
    cases = []
    manifest = _valid()
    del manifest["bots"][0]["botId"]
    cases.append(manifest)
    manifest = _valid()
    manifest["bots"][0]["botId"] = "not-a-guid"
    cases.append(manifest)
    manifest = _valid()
    manifest["manifestVersion"] = "1.21"
    cases.append(manifest)
    manifest = _valid()
    manifest["accentColor"] = "teal"
    cases.append(manifest)
    manifest = _valid()
    manifest["bots"][0]["scopes"] = ["personal", "everywhere"]
    cases.append(manifest)
    manifest = _valid()
    manifest["developer"]["name"] = "x" * 33
    cases.append(manifest)
    manifest = _valid()
    manifest["unknownField"] = True
    cases.append(manifest)
    manifest = _valid()
    del manifest["icons"]
    cases.append(manifest)
    for broken in cases:
        assert validate_manifest(broken), broken


def test_missing_bot_id_is_reported_at_its_place():
    manifest = _valid()
    del manifest["bots"][0]["botId"]
    problems = validate_manifest(manifest)
    assert any("bots[0]" in problem and "botId" in problem for problem in problems), problems


def test_more_than_ten_commands_is_rejected():
    manifest = _valid()
    commands = manifest["bots"][0]["commandLists"][0]["commands"]
    commands += [{"title": f"extra {n}", "description": "te veel"} for n in range(11 - len(commands))]
    assert len(commands) == 11
    assert any("commands" in problem for problem in validate_manifest(manifest))


def test_teams_limits_beyond_the_schema_are_checked():
    manifest = _valid()
    command = manifest["bots"][0]["commandLists"][0]["commands"][0]
    command["title"] = "t" * 33
    command["description"] = "d" * 129
    manifest["version"] = "1.0"
    problems = validate_manifest(manifest)
    assert any("title" in p for p in problems) and any("description" in p for p in problems)
    assert any("version" in p for p in problems)


def test_build_refuses_a_broken_template(tmp_path, monkeypatch):
    template = json.loads(package_app.TEMPLATE.read_text(encoding="utf-8"))
    broken = copy.deepcopy(template)
    del broken["bots"][0]["botId"]
    path = tmp_path / "manifest.template.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    monkeypatch.setattr(package_app, "TEMPLATE", path)
    out = tmp_path / "app.zip"
    with pytest.raises(PackageError) as refused:
        build_package(APP_ID, BOT_ID, DOMAIN, out)
    assert any("botId" in problem for problem in refused.value.problems)
    assert not out.exists()


def test_missing_schema_says_to_run_make_install(tmp_path, monkeypatch):
    monkeypatch.setattr(package_app, "SCHEMA_PATH", package_app.ROOT / "tools" / "nowhere" / "schema.json")
    with pytest.raises(PackageError, match="make install"):
        validate_manifest(_valid())


def test_icon_check_rejects_coloured_or_opaque_outline_and_wrong_sizes(tmp_path):
    Image.new("RGB", (192, 192), (14, 90, 110)).save(tmp_path / "color.png")
    outline = Image.new("RGBA", (32, 32), (255, 255, 255, 0))
    outline.putpixel((16, 16), (255, 0, 0, 255))
    outline.save(tmp_path / "outline.png")
    assert any("white" in p for p in check_icons(tmp_path))
    Image.new("RGB", (32, 32), (255, 255, 255)).save(tmp_path / "outline.png")
    assert any("transparen" in p for p in check_icons(tmp_path))
    Image.new("RGB", (100, 100), (0, 0, 0)).save(tmp_path / "color.png")
    Image.new("RGBA", (32, 32), (255, 255, 255, 0)).save(tmp_path / "outline.png")
    assert check_icons(tmp_path) == ["color.png: 100x100, must be 192x192"]


def test_committed_icons_are_what_make_icons_draws():
    from scripts import make_icons

    assert make_icons.colour_icon().tobytes() == Image.open(ROOT / "appPackage/color.png").convert("RGB").tobytes()
    assert make_icons.outline_icon().tobytes() == Image.open(ROOT / "appPackage/outline.png").convert("RGBA").tobytes()
    template = json.loads((ROOT / "appPackage/manifest.template.json").read_text(encoding="utf-8"))
    assert template["accentColor"].lower() == "#{:02x}{:02x}{:02x}".format(*make_icons.BRAND)
