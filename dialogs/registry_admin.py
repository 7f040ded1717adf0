"""POC+ keeps the registry from Teams: `register` shows its state; a spreadsheet sent in the 1:1 chat
is read, previewed, and applied with *Toepassen*, without a restart.

The preview is stored (per administrator, with a token the card carries), so *Toepassen* applies
exactly the file that was previewed, and only if the registry did not change in between.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from actions.payloads import CancelRegistryImportPayload, CardPayload
from cards import registry_admin as registry_cards
from cards.admin import card_text
from dialogs.commands import Command
from dialogs.context import Actor, Outgoing, PrivateReply, ReplaceSubmitted, Reply, Services
from storage.repository import Repository
from survey.registry import Person, Registry, RegistryFile, registry_document
from survey.registry_import import ImportRefused, diff, parse_registry, summary, write_registry_xlsx

FOR_POC = "Het register is voor POC+ (de beheerders van de zelfscan). Er is niets gewijzigd."
FILES_FOR_POC = "Bestanden verwerk ik niet: stuur je antwoorden via de kaarten van de zelfscan. Typ *help*."
IN_PRIVATE = "Het register en de downloadlink staan in je persoonlijke chat met Poolster."
STALE = (
    "Dit voorbeeld geldt niet meer: er kwam een nieuwer bestand, of het werd al toegepast of geannuleerd. "
    "Stuur het bestand opnieuw voor een nieuw voorbeeld."
)
CHANGED_MEANWHILE = (
    "Het register is intussen gewijzigd, dus dit voorbeeld klopt niet meer; er is niets toegepast. "
    "Stuur het bestand opnieuw, dan zie je wat er nu verandert."
)
MAX_FILE_BYTES = 5 * 1024 * 1024
UNAVAILABLE = {
    "too_large": f"Dit bestand is groter dan {MAX_FILE_BYTES // (1024 * 1024)} MB; een register met één rij per persoon "
    "is veel kleiner. Stuur enkel het register.",
    "unreachable": "Dit bestand kon ik niet ophalen uit Teams. Stuur het opnieuw.",
}


class FileUnavailable(Exception):
    """The bot layer could not fetch a sent file: `reason` is a key of UNAVAILABLE."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class PendingImport(BaseModel):
    """A previewed file, waiting for *Toepassen*."""

    model_config = ConfigDict(extra="forbid")

    token: str
    file_name: str
    registry: dict
    # The registry the preview was made against: applying over another one would surprise.
    base: str
    created_at: datetime


def fingerprint(registry: Registry) -> str:
    return hashlib.sha256(json.dumps(registry_document(registry), sort_keys=True).encode()).hexdigest()


class Reachability(Protocol):
    async def __call__(self, person: Person) -> bool: ...


Fetch = Callable[[int], Awaitable[bytes]]


class RegistryDialog:
    def __init__(
        self,
        services: Services,
        registry_file: RegistryFile,
        use_registry: Callable[[Registry], None],
        reachable: Reachability,
        exports_dir: Path,
        links,
    ):
        self.services = services
        self.registry_file = registry_file
        self.use_registry = use_registry
        self.reachable = reachable
        self.exports_dir = exports_dir
        self.links = links
        self.pending: Repository[PendingImport] = Repository(services.store, "registry-imports", PendingImport)

    # ----- the registry's state ---------------------------------------------------------------------

    async def on_command(self, actor: Actor, command: Command, text: str) -> list[Outgoing]:
        if not actor.is_admin:
            return [Reply(text=FOR_POC)]
        registry = self.services.registry
        unreachable: dict[str, list[str]] = {}
        slots = asyncio.Semaphore(32)

        async def check(centre_name: str, person: Person, school: str | None = None) -> None:
            async with slots:
                if not await self.reachable(person):
                    # A scholengroep contact or a school's: say which.
                    role = school or getattr(person, "role", None)
                    unreachable.setdefault(centre_name, []).append(f"{person.name} ({role})" if role else person.name)

        await asyncio.gather(
            *(check(c.name, p) for c in registry.centres for p in (*c.people, *c.scholengroep_contacts)),
            *(check(c.name, p, s.name) for c in registry.centres for s in c.schools for p in s.contacts),
        )
        ordered = {c.name: sorted(unreachable[c.name]) for c in registry.centres if c.name in unreachable}
        stamp = self.services.clock().strftime("%Y%m%d-%H%M%S")
        self.exports_dir.mkdir(parents=True, exist_ok=True)
        path = self.exports_dir / f"register-{stamp}.xlsx"
        await asyncio.to_thread(write_registry_xlsx, registry, path)
        return [
            PrivateReply(registry_cards.registry_card(registry, ordered, self.links.link(path.name)), notice=IN_PRIVATE)
        ]

    # ----- importing a file -------------------------------------------------------------------------

    async def on_file(self, actor: Actor, file_name: str, fetch: Fetch) -> list[Outgoing]:
        """A file sent in the 1:1 chat: only POC+'s are read, as a registry."""
        if not actor.is_admin:
            return [Reply(text=FILES_FOR_POC)]
        try:
            content = await fetch(MAX_FILE_BYTES)
            new, ignored = await asyncio.to_thread(parse_registry, file_name, content)
        except FileUnavailable as unavailable:
            return [Reply(text=UNAVAILABLE[unavailable.reason])]
        except ImportRefused as refused:
            return [Reply(card=registry_cards.import_refused_card(file_name, refused.problems))]
        current = self.services.registry
        changes = diff(current, new)
        if changes.nothing:
            return [Reply(card=registry_cards.import_preview_card(file_name, current, new, changes, ignored, None))]
        pending = PendingImport(
            token=secrets.token_urlsafe(12),
            file_name=file_name,
            registry=registry_document(new),
            base=fingerprint(current),
            created_at=self.services.clock(),
        )
        await self.pending.put(pending, actor.key)
        return [
            Reply(card=registry_cards.import_preview_card(file_name, current, new, changes, ignored, pending.token))
        ]

    async def on_payload(self, actor: Actor, payload: CardPayload) -> list[Outgoing]:
        if not actor.is_admin:
            return [Reply(text=FOR_POC)]
        pending = await self.pending.get(actor.key)
        if pending is None or pending.token != payload.token:
            return [Reply(text=STALE)]
        if isinstance(payload, CancelRegistryImportPayload):
            await self.pending.delete(actor.key)
            return [
                ReplaceSubmitted(card_text("Geannuleerd: het register is niet gewijzigd.")),
                Reply(text="Geannuleerd; het register blijft zoals het was."),
            ]
        if pending.base != fingerprint(self.services.registry):
            await self.pending.delete(actor.key)
            return [Reply(text=CHANGED_MEANWHILE)]
        new = Registry.model_validate(pending.registry)
        now = self.services.clock()
        await asyncio.to_thread(
            self.registry_file.save,
            new,
            f"Geïmporteerd uit {pending.file_name} in Teams door {actor.name or actor.key} "
            f"op {now:%d-%m-%Y %H:%M} (UTC).",
        )
        self.use_registry(new)
        await self.pending.delete(actor.key)
        return [
            ReplaceSubmitted(card_text(f"✔ Toegepast: het register uit {pending.file_name}")),
            Reply(
                text=f"Het nieuwe register is in gebruik: {summary(new)}. Typ *register* om te zien wie nog "
                "niet bereikbaar is."
            ),
        ]
