"""Build the Teams app package: build/poolster-teams-app.zip with manifest.json, color.png, outline.png.

    make package
    .venv/bin/python scripts/package_app.py [--app-id GUID] [--bot-id GUID] [--domain HOST] [--out ZIP]

Configuration (a flag overrides its environment variable):

- POOLSTER_TEAMS_APP_ID (--app-id): the Teams app's own id, a GUID that stays the same for every version
  of the app. Default: the demo id DEMO_TEAMS_APP_ID below; make one per deployment (e.g. `uuidgen`).
- MicrosoftAppId (--bot-id): the bot's Microsoft App ID (Entra app registration), the same variable the
  bot itself reads (bot/config.py). Default: the demo id DEMO_BOT_ID below, which no real bot has.
- POOLSTER_DOMAIN (--domain): the host name the bot is served on, e.g. poolster.example.org (no https://,
  no path). Default: poolster.example.org. It goes into validDomains, and the developer's website, privacy
  and terms-of-use links are https://<domain>/, https://<domain>/privacy and
  https://<domain>/gebruiksvoorwaarden. Poolster does not serve those pages itself: publish them on that
  domain (or a proxy in front of the bot) before the app goes to the organisation's app catalogue.

- POOLSTER_GRAPH (--graph / --no-graph): whether the bot uses Microsoft Graph to install itself for
  people (the same variable the bot reads). Then the manifest carries `webApplicationInfo` with the bot's
  app registration id: Teams lets an app install *itself* for a user
  (TeamsAppInstallation.ReadWriteSelfForUser.All) only when that id is the one calling Graph. Without
  Graph the block is left out.

The app version is the repository's VERSION file. The manifest is appPackage/manifest.template.json with
its {{APP_ID}}, {{BOT_ID}}, {{DOMAIN}} and {{VERSION}} placeholders filled in. It is validated against the
official Teams schema v1.22 (from the npm package @microsoft/app-manifest in tools/teams-manifest, installed
by `make install`) plus the limits Teams enforces beyond the schema (command titles <= 32 characters,
descriptions <= 128). The icons are checked too: color.png 192x192, outline.png 32x32 white on transparent.
On any problem the build stops with a short message and exit status 1; nothing is written.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP_PACKAGE = ROOT / "appPackage"
TEMPLATE = APP_PACKAGE / "manifest.template.json"
VERSION_FILE = ROOT / "VERSION"
SCHEMA_PATH = (
    ROOT
    / "tools/teams-manifest/node_modules/@microsoft/app-manifest/build/json-schemas/teams/v1.22"
    / "MicrosoftTeams.schema.json"
)
DEFAULT_OUT = ROOT / "build" / "poolster-teams-app.zip"

# Demo ids for local builds only: replace them for a real deployment.
DEMO_TEAMS_APP_ID = "5b0c6f2e-8a51-4c4e-9d3a-7f1e2b6c9a01"
DEMO_BOT_ID = "d3a7e9c4-1f62-4b8d-a5e0-3c9b8f7a6d12"
DEFAULT_DOMAIN = "poolster.example.org"

# Limits Teams enforces on bot commands (stricter than the JSON schema).
MAX_COMMAND_TITLE = 32
MAX_COMMAND_DESCRIPTION = 128

GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
HOSTNAME = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
ICONS = {"color.png": (192, 192), "outline.png": (32, 32)}


class PackageError(ValueError):
    """The package cannot be built; `problems` lists why."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


# ----- inputs ----------------------------------------------------------------------------------------


def check_inputs(app_id: str, bot_id: str, domain: str) -> list[str]:
    problems = []
    if not GUID.match(app_id or ""):
        problems.append(f"Teams app id {app_id!r} is not a GUID (POOLSTER_TEAMS_APP_ID / --app-id)")
    if not GUID.match(bot_id or ""):
        problems.append(f"bot id {bot_id!r} is not a GUID (MicrosoftAppId / --bot-id)")
    if not HOSTNAME.match(domain or ""):
        problems.append(
            f"domain {domain!r} is not a host name like poolster.example.org "
            "(no https://, path or port; POOLSTER_DOMAIN / --domain)"
        )
    return problems


def read_version() -> str:
    return VERSION_FILE.read_text(encoding="utf-8").strip()


def render_manifest(app_id: str, bot_id: str, domain: str, version: str | None = None, *, graph: bool = False) -> dict:
    """The template with its placeholders filled in (in the parsed JSON, so no value can break the JSON);
    `webApplicationInfo` only when the bot uses Graph."""
    values = {
        "{{APP_ID}}": app_id,
        "{{BOT_ID}}": bot_id,
        "{{DOMAIN}}": domain,
        "{{VERSION}}": read_version() if version is None else version,
    }

    def fill(node):
        if isinstance(node, dict):
            return {key: fill(value) for key, value in node.items()}
        if isinstance(node, list):
            return [fill(value) for value in node]
        if isinstance(node, str):
            for placeholder, value in values.items():
                node = node.replace(placeholder, value)
        return node

    manifest = fill(json.loads(TEMPLATE.read_text(encoding="utf-8")))
    if not graph:
        del manifest["webApplicationInfo"]
    return manifest


# ----- validation ------------------------------------------------------------------------------------


def load_schema() -> dict:
    if not SCHEMA_PATH.is_file():
        raise PackageError([f"Teams manifest schema not found at {SCHEMA_PATH.relative_to(ROOT)}; run `make install`"])
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate_manifest(manifest: dict) -> list[str]:
    """Every problem with the manifest: the official schema, then the limits Teams adds. Empty = valid."""
    from jsonschema import Draft7Validator, FormatChecker

    # The schema declares draft-04 but uses `const` (draft 6+); draft 7 reads it as intended.
    validator = Draft7Validator(load_schema(), format_checker=FormatChecker())
    problems = [
        f"{error.json_path}: {_message(error)}"
        for error in sorted(validator.iter_errors(manifest), key=lambda e: list(map(str, e.absolute_path)))
    ]

    if not SEMVER.match(str(manifest.get("version", ""))):
        problems.append(f"$.version: {manifest.get('version')!r} is not a version like 1.2.3")
    for path, value in _strings(manifest, "$"):
        if "{{" in value or "}}" in value:
            problems.append(f"{path}: placeholder left unfilled: {value!r}")
    for b, bot in enumerate(manifest.get("bots") or []):
        seen_scopes: set[str] = set()
        for c, command_list in enumerate(bot.get("commandLists") or []):
            scopes = set(command_list.get("scopes") or [])
            if scopes & seen_scopes:
                problems.append(f"$.bots[{b}].commandLists[{c}]: scope listed in more than one command list")
            seen_scopes |= scopes
            titles = [command.get("title", "") for command in command_list.get("commands") or []]
            if len(set(titles)) != len(titles):
                problems.append(f"$.bots[{b}].commandLists[{c}]: duplicate command titles")
            for n, command in enumerate(command_list.get("commands") or []):
                where = f"$.bots[{b}].commandLists[{c}].commands[{n}]"
                if len(command.get("title", "")) > MAX_COMMAND_TITLE:
                    problems.append(f"{where}.title: longer than {MAX_COMMAND_TITLE} characters")
                if len(command.get("description", "")) > MAX_COMMAND_DESCRIPTION:
                    problems.append(f"{where}.description: longer than {MAX_COMMAND_DESCRIPTION} characters")
    return problems


def _message(error) -> str:
    """The schema error, short: jsonschema quotes the whole offending value, which may be a long list."""
    if error.validator == "maxItems":
        return f"{len(error.instance)} items, at most {error.validator_value} allowed"
    if error.validator == "maxLength":
        return f"{len(error.instance)} characters, at most {error.validator_value} allowed"
    return error.message if len(error.message) <= 200 else error.message[:197] + "..."


def _strings(node, path: str):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, f"{path}[{index}]")
    elif isinstance(node, str):
        yield path, node


def check_icons(folder: Path = APP_PACKAGE) -> list[str]:
    """color.png 192x192; outline.png 32x32, transparent background and only white pixels."""
    from PIL import Image

    problems = []
    for name, size in ICONS.items():
        path = folder / name
        if not path.is_file():
            problems.append(f"{name}: missing (run scripts/make_icons.py)")
            continue
        with Image.open(path) as image:
            if image.format != "PNG":
                problems.append(f"{name}: not a PNG")
            if image.size != size:
                problems.append(f"{name}: {image.size[0]}x{image.size[1]}, must be {size[0]}x{size[1]}")
            if name == "outline.png":
                rgba = image.convert("RGBA")
                raw = rgba.tobytes()
                pixels = [tuple(raw[i : i + 4]) for i in range(0, len(raw), 4)]
                if image.mode not in ("RGBA", "LA") and "transparency" not in image.info:
                    problems.append("outline.png: has no transparency")
                elif any(alpha and (r, g, b) != (255, 255, 255) for r, g, b, alpha in pixels):
                    problems.append("outline.png: may only contain white (and transparent) pixels")
                corners = [
                    rgba.getpixel(xy) for xy in ((0, 0), (size[0] - 1, 0), (0, size[1] - 1), (size[0] - 1, size[1] - 1))
                ]
                if any(pixel[3] for pixel in corners):
                    problems.append("outline.png: background must be transparent")
    return problems


# ----- build -----------------------------------------------------------------------------------------


def build_package(app_id: str, bot_id: str, domain: str, out: Path | str = DEFAULT_OUT, *, graph: bool = False) -> Path:
    """Validate everything, then write the zip; raises PackageError (and writes nothing) on any problem."""
    domain = (domain or "").strip().lower()
    problems = check_inputs(app_id, bot_id, domain)
    if problems:
        raise PackageError(problems)
    manifest = render_manifest(app_id, bot_id, domain, graph=graph)
    problems = validate_manifest(manifest) + check_icons()
    if problems:
        raise PackageError(problems)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        files = {"manifest.json": (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")}
        files.update({name: (APP_PACKAGE / name).read_bytes() for name in ICONS})
        for name, data in files.items():
            # A fixed timestamp: the same inputs give the same zip.
            archive.writestr(
                zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data, compress_type=zipfile.ZIP_DEFLATED
            )
    out.write_bytes(buffer.getvalue())
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the Poolster Teams app package (manifest + icons).")
    parser.add_argument(
        "--app-id",
        default=os.environ.get("POOLSTER_TEAMS_APP_ID") or DEMO_TEAMS_APP_ID,
        help="Teams app id (GUID); default $POOLSTER_TEAMS_APP_ID or a demo id",
    )
    parser.add_argument(
        "--bot-id",
        default=os.environ.get("MicrosoftAppId") or DEMO_BOT_ID,  # noqa: SIM112 - the Bot Framework's own name
        help="the bot's Microsoft App ID (GUID); default $MicrosoftAppId or a demo id",
    )
    parser.add_argument(
        "--domain",
        default=os.environ.get("POOLSTER_DOMAIN") or DEFAULT_DOMAIN,
        help=f"host name of the bot; default $POOLSTER_DOMAIN or {DEFAULT_DOMAIN}",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="zip to write (default %(default)s)")
    parser.add_argument(
        "--graph",
        action=argparse.BooleanOptionalAction,
        default=os.environ.get("POOLSTER_GRAPH", "").lower() in ("1", "true", "ja", "on"),
        help="the bot uses Microsoft Graph (webApplicationInfo); default $POOLSTER_GRAPH",
    )
    args = parser.parse_args(argv)
    try:
        out = build_package(args.app_id, args.bot_id, args.domain, args.out, graph=args.graph)
    except PackageError as error:
        print("Teams app package NOT built:", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    for value, demo, variable in (
        (args.app_id, DEMO_TEAMS_APP_ID, "POOLSTER_TEAMS_APP_ID"),
        (args.bot_id, DEMO_BOT_ID, "MicrosoftAppId"),
    ):
        if value == demo:
            print(f"Note: demo id {demo} used; set {variable} for a real deployment.", file=sys.stderr)
    print(
        f"Wrote {out} (version {read_version()}, app id {args.app_id}, bot id {args.bot_id}, "
        f"domain {args.domain.lower()}{', with Microsoft Graph' if args.graph else ''})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
