"""The centre's report behind a signed, short-lived link, like the exports: the same signing and
lifetime (bot/downloads.py), its own folder and its own route (/reports/<signed>)."""

from __future__ import annotations

import asyncio
import os
import secrets

from bot.downloads import LIFETIME_SECONDS, DownloadLinks


class ReportLinks(DownloadLinks):
    minutes = LIFETIME_SECONDS // 60

    def link(self, file_name: str, now: float | None = None) -> str:
        signed = super().link(file_name, now).rpartition("/")[2]
        return f"{self.base_url}/reports/{signed}"

    async def publish(self, name: str, content: bytes) -> str:
        """Write the rendered report (replacing an older one) and return a fresh link to it."""
        await asyncio.to_thread(self._write, name, content)
        return self.link(name)

    def _write(self, name: str, content: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        # Two requests for the same report may write at once: each its own temporary file.
        temporary = self.folder / f".{name}.tmp-{secrets.token_hex(8)}"
        temporary.write_bytes(content)
        os.replace(temporary, self.folder / name)
