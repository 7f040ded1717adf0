"""Run the real aiohttp app in-process against a data folder, and restart it on the same folder."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml
from aiohttp import web

from app import Poolster, build_poolster, create_app
from bot.config import Settings
from survey.waves import Wave, wave_id_for
from tests.support.loopback import serve_on_loopback
from tests.support.teams import TENANT, TeamsUser

DIRECTOR = TeamsUser("Dina Directeur", "dina.directeur@clb-demo.example", "aad-dina")
MEMBERS = (
    TeamsUser("Mo Medewerker", "mo.medewerker@clb-demo.example", "aad-mo"),
    TeamsUser("Lea Lid", "lea.lid@clb-demo.example", "aad-lea"),
    TeamsUser("Sam Stafmedewerker", "sam.staf@clb-demo.example", "aad-sam"),
)
OTHER_DIRECTOR = TeamsUser("Xavier Xander", "xavier@clb-andere.example", "aad-xavier")
OTHER_MEMBER = TeamsUser("Yara Yilmaz", "yara@clb-andere.example", "aad-yara")
STRANGER = TeamsUser("Otto Onbekend", "otto@elders.example", "aad-otto")
ADMIN = TeamsUser("Pieter Poc", "pieter.poc@poolster.example", "aad-pieter")
# Contact persons of clb-demo's schools (in `registry_with_schools`): two of De Linde, one of the atheneum.
SCHOOL_CONTACTS = (
    TeamsUser("Sara Schoolhoofd", "sara@bs-delinde.example", "aad-sara"),
    TeamsUser("Tom Zorgleraar", "tom@bs-delinde.example", "aad-tom"),
    TeamsUser("Ilse Ingels", "ilse@atheneum-demo.example", "aad-ilse"),
)
EVERYONE = (DIRECTOR, *MEMBERS, OTHER_DIRECTOR, OTHER_MEMBER, STRANGER, ADMIN, *SCHOOL_CONTACTS)


def person(user: TeamsUser) -> dict:
    return {"name": user.name, "email": user.email, "aad_object_id": user.aad_object_id}


def registry_document() -> dict:
    return {
        "centres": [
            {
                "id": "clb-demo",
                "name": "GO! CLB Demo",
                "director": person(DIRECTOR),
                "members": [person(member) for member in MEMBERS],
            },
            {
                "id": "clb-andere",
                "name": "GO! CLB Andere",
                "director": person(OTHER_DIRECTOR),
                "members": [person(OTHER_MEMBER)],
            },
        ]
    }


def registry_with_schools() -> dict:
    """The registry with schools for clb-demo, each with its contact persons."""
    document = registry_document()
    sara, tom, ilse = SCHOOL_CONTACTS
    document["centres"][0]["schools"] = [
        {"id": "bs-de-linde", "name": "Basisschool De Linde", "type": "bao", "contacts": [person(sara), person(tom)]},
        {"id": "atheneum-demo", "name": "Atheneum Demo", "type": "so", "contacts": [person(ilse)]},
    ]
    return document


async def open_schools_wave(services, *, name: str = "Bevraging scholen 2026", centre_ids: tuple[str, ...] = ()):
    """Open a wave of the schools' survey, as POC+ launches one (the content's current version)."""
    questionnaire = services.catalog.for_respondents("schools")[0]
    now = services.clock()
    wave = Wave(
        id=wave_id_for(name, now),
        name=name,
        status="open",
        created_at=now,
        launched_at=now,
        centre_ids=centre_ids,
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
        created_by="test",
    )
    await services.waves.create(wave, wave.id)
    return wave


def write_registry(data_dir: Path, document: dict | None = None) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "centres.yaml").write_text(
        yaml.safe_dump(document or registry_document(), allow_unicode=True), encoding="utf-8"
    )


@dataclass
class RunningBot:
    poolster: Poolster
    runner: web.AppRunner
    url: str

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start_bot(
    data_dir: Path,
    *,
    store: str = "embedded",
    clock: Callable[[], datetime] | None = None,
    build: dict | None = None,
    **overrides,
) -> RunningBot:
    """Start the app on a free port; overrides go to Settings, build to build_poolster."""
    settings = Settings(
        **{
            "data_dir": data_dir,
            "store": store,
            "allowed_tenants": (TENANT,),
            "admins": (ADMIN.email,),
            "summary_update_interval": 0.2,
            "teams_call_timeout": 1.0,
            "teams_call_attempts": 4,
            **overrides,
        }
    )
    kwargs = {"clock": clock} if clock else {}
    poolster = await build_poolster(settings, **kwargs, **(build or {}))
    runner, url = await serve_on_loopback(create_app(poolster))
    return RunningBot(poolster, runner, url)
