"""Signed, short-lived download links for export files served by the bot's own web server.

A link names one file and an expiry time, signed with HMAC-SHA256; anything else (another file, a
changed expiry, a forged signature, an expired link) is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from pathlib import Path

LIFETIME_SECONDS = 15 * 60


class LinkRefused(Exception):
    pass


class DownloadLinks:
    def __init__(self, folder: Path, key: str, base_url: str):
        self.folder = folder
        self._key = (key or secrets.token_urlsafe(32)).encode()
        self.base_url = base_url.rstrip("/")

    def _signature(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode(), hashlib.sha256).hexdigest()

    def link(self, file_name: str, now: float | None = None) -> str:
        expires = int((time.time() if now is None else now) + LIFETIME_SECONDS)
        payload = base64.urlsafe_b64encode(f"{file_name}|{expires}".encode()).decode().rstrip("=")
        return f"{self.base_url}/exports/{payload}.{self._signature(payload)}"

    def resolve(self, token: str, now: float | None = None) -> Path:
        payload, _, signature = token.rpartition(".")
        if not payload or not hmac.compare_digest(signature, self._signature(payload)):
            raise LinkRefused("Deze downloadlink is niet geldig.")
        try:
            name, _, expires = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode().rpartition("|")
            expired = int(expires) < (time.time() if now is None else now)
        except ValueError as error:
            raise LinkRefused("Deze downloadlink is niet geldig.") from error
        if expired:
            raise LinkRefused("Deze downloadlink is verlopen. Typ *export* voor een nieuwe.")
        path = (self.folder / name).resolve()
        if path.parent != self.folder.resolve() or not path.is_file():
            raise LinkRefused("Dit bestand bestaat niet (meer).")
        return path
