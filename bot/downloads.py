"""Signed, short-lived download links for export files served by the bot's own web server.

A link names one file and an expiry time, signed with HMAC-SHA256; anything else (another file, a
changed expiry, a forged signature, an expired link, any odd token) is refused. The files live no
longer than their links: the scheduler deletes them once the lifetime is over, and a purge of a
wave's answers deletes its files at once (docs/retention.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from pathlib import Path

from survey.export import XLSX_CONTENT_TYPE, ZIP_CONTENT_TYPE, remove_expired_exports

LIFETIME_SECONDS = 15 * 60
CONTENT_TYPES = {".xlsx": XLSX_CONTENT_TYPE, ".zip": ZIP_CONTENT_TYPE}


class LinkRefused(Exception):
    pass


class DownloadLinks:
    def __init__(self, folder: Path, key: str, base_url: str):
        self.folder = folder
        self._key = (key or secrets.token_urlsafe(32)).encode()
        self.base_url = base_url.rstrip("/")

    def _signature(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()

    def link(self, file_name: str, now: float | None = None) -> str:
        expires = int((time.time() if now is None else now) + LIFETIME_SECONDS)
        payload = base64.urlsafe_b64encode(f"{file_name}|{expires}".encode()).decode().rstrip("=")
        return f"{self.base_url}/exports/{payload}.{self._signature(payload)}"

    def resolve(self, token: str, now: float | None = None) -> Path:
        payload, _, signature = token.rpartition(".")
        # Bytes, not str: compare_digest refuses non-ASCII text with a TypeError.
        if not payload or not hmac.compare_digest(
            signature.encode("utf-8", "surrogatepass"), self._signature(payload).encode()
        ):
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

    def remove_expired(self, now: float | None = None) -> int:
        """Delete the files whose links have all expired (every link lives LIFETIME_SECONDS)."""
        return remove_expired_exports(self.folder, LIFETIME_SECONDS, now)

    @staticmethod
    def content_type(path: Path) -> str:
        return CONTENT_TYPES.get(path.suffix, "application/octet-stream")
