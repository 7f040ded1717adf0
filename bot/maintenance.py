"""Backup and restore of the data folder, for the people who run the bot.

A backup is a consistent snapshot made while the bot runs: the running bot owns the store (it holds
the data folder's lock), so the command asks it, over loopback, to copy the store while it holds its
own locks. The request is authorised by a random token that the bot writes into the data folder
at start (only someone who can read the data folder can ask). When no bot runs, the command opens
the store itself. Restoring needs the bot stopped.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
from pathlib import Path

import aiohttp

from storage.embedded import EmbeddedStorage, StoreLocked

TOKEN_FILE = ".maintenance-token"
HEADER = "X-Poolster-Maintenance"


class MaintenanceError(Exception):
    """A backup or restore could not be done; the message says why, in Dutch."""


def write_token(data_dir: Path) -> str:
    token = secrets.token_urlsafe(32)
    path = data_dir / TOKEN_FILE
    path.write_text(token, encoding="utf-8")
    path.chmod(0o600)
    return token


def read_token(data_dir: Path) -> str | None:
    path = data_dir / TOKEN_FILE
    return path.read_text(encoding="utf-8").strip() if path.exists() else None


async def backup(data_dir: Path, dest: Path, bot_url: str) -> str:
    """Snapshot the store and the registry into dest; returns how it was made."""
    if dest.exists() and any(dest.iterdir()):
        raise MaintenanceError(f"De doelmap {dest} bestaat al en is niet leeg.")
    dest.mkdir(parents=True, exist_ok=True)
    try:
        store = await EmbeddedStorage.open(data_dir)
    except StoreLocked:
        await _ask_running_bot(data_dir, dest, bot_url)
        how = "door de draaiende bot"
    else:
        try:
            await store.snapshot(dest)
        finally:
            await store.close()
        how = "rechtstreeks (de bot draaide niet)"
    registry = data_dir / "centres.yaml"
    if registry.exists():
        await asyncio.to_thread(shutil.copy2, registry, dest / "centres.yaml")
    return how


async def _ask_running_bot(data_dir: Path, dest: Path, bot_url: str) -> None:
    token = read_token(data_dir)
    if not token:
        raise MaintenanceError("De datamap is in gebruik, maar de bot heeft geen onderhoudssleutel geschreven.")
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=300)) as session,
            session.post(
                f"{bot_url.rstrip('/')}/maintenance/backup",
                json={"destination": str(dest.resolve())},
                headers={HEADER: token},
            ) as response,
        ):
            if response.status != 200:
                raise MaintenanceError(f"De bot weigerde de back-up (HTTP {response.status}).")
    except aiohttp.ClientError as error:
        raise MaintenanceError(f"De bot op {bot_url} is niet bereikbaar: {type(error).__name__}.") from error


async def restore(data_dir: Path, source: Path) -> None:
    """Put a snapshot back. The bot must be stopped; the current store is kept aside, not deleted."""
    snapshot = source / "store"
    if not snapshot.is_dir():
        raise MaintenanceError(f"{source} is geen back-up van Poolster (de map 'store' ontbreekt).")
    # Prove the snapshot opens before touching anything.
    check = await EmbeddedStorage.open(source)
    await check.close()
    try:
        current = await EmbeddedStorage.open(data_dir)
    except StoreLocked as error:
        raise MaintenanceError("Stop de bot eerst: de datamap is nog in gebruik.") from error
    await current.close()
    live = data_dir / "store"
    aside = data_dir / f"store.before-restore-{secrets.token_hex(4)}"
    if live.exists():
        await asyncio.to_thread(live.rename, aside)
    await asyncio.to_thread(shutil.copytree, snapshot, live)
    if (source / "centres.yaml").exists():
        await asyncio.to_thread(shutil.copy2, source / "centres.yaml", data_dir / "centres.yaml")
