"""Run the real aiohttp app in-process against a data folder, and restart it on the same folder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

import yaml
from aiohttp import web

from app import Poolster, build_poolster, create_app
from bot.config import Settings
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
EVERYONE = (DIRECTOR, *MEMBERS, OTHER_DIRECTOR, OTHER_MEMBER, STRANGER, ADMIN)


def registry_document() -> dict:
    def person(user: TeamsUser) -> dict:
        return {"name": user.name, "email": user.email, "aad_object_id": user.aad_object_id}

    return {
        "centres": [
            {"id": "clb-demo", "name": "GO! CLB Demo", "director": person(DIRECTOR),
             "members": [person(member) for member in MEMBERS]},
            {"id": "clb-andere", "name": "GO! CLB Andere", "director": person(OTHER_DIRECTOR),
             "members": [person(OTHER_MEMBER)]},
        ]
    }


def write_registry(data_dir: Path, document: dict | None = None) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "centres.yaml").write_text(yaml.safe_dump(document or registry_document(), allow_unicode=True),
                                           encoding="utf-8")


@dataclass
class RunningBot:
    poolster: Poolster
    runner: web.AppRunner
    url: str

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start_bot(data_dir: Path, *, store: str = "embedded", clock: Callable[[], datetime] | None = None,
                    build: dict | None = None, **overrides) -> RunningBot:
    """Start the app on a free port; overrides go to Settings, build to build_poolster."""
    settings = Settings(**{
        "data_dir": data_dir, "store": store, "allowed_tenants": (TENANT,), "admins": (ADMIN.email,),
        "summary_update_interval": 0.2, "teams_call_timeout": 1.0, "teams_call_attempts": 4, **overrides,
    })
    kwargs = {"clock": clock} if clock else {}
    poolster = await build_poolster(settings, **kwargs, **(build or {}))
    runner, url = await serve_on_loopback(create_app(poolster))
    return RunningBot(poolster, runner, url)
