"""Survey waves: one round of the self-scan for some or all centres, with a deadline.

Waves are kept side by side (school year after school year); answers always belong to a wave.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

# Deadlines are days in Belgium: a wave "tot 15-06-2026" accepts answers until that day ends there.
TIMEZONE = ZoneInfo("Europe/Brussels")

WaveStatus = Literal["draft", "open", "closed"]


class Wave(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    deadline: date | None = None
    # Empty means every centre of the registry.
    centre_ids: tuple[str, ...] = ()
    status: WaveStatus = "draft"
    created_at: datetime
    created_by: str = ""
    launched_at: datetime | None = None
    closed_at: datetime | None = None
    # Reminder moments already handled ("7d", "2d", or "manual-<iso time>").
    reminders_done: tuple[str, ...] = ()

    def includes(self, centre_id: str) -> bool:
        return not self.centre_ids or centre_id in self.centre_ids

    @property
    def closes_at(self) -> datetime | None:
        if self.deadline is None:
            return None
        return datetime.combine(self.deadline + timedelta(days=1), time(0, 0), tzinfo=TIMEZONE)

    def accepts_answers(self, now: datetime) -> bool:
        return self.status == "open" and (self.closes_at is None or now < self.closes_at)

    def deadline_text(self) -> str:
        """"deadline 30-06-2027" or "geen deadline", to stand on its own in a line of facts."""
        return f"deadline {date_text(self.deadline)}" if self.deadline else "geen deadline"

    def until_text(self) -> str:
        """The sentence that tells respondents until when they can answer."""
        if self.deadline is None:
            return "Er is geen deadline."
        return f"Invullen kan tot **{date_text(self.deadline)}**."


def date_text(day: date) -> str:
    """A date as Flemish readers write it: 30-06-2027."""
    return day.strftime("%d-%m-%Y")


def wave_id_for(name: str, created_at: datetime) -> str:
    """A readable, stable id: the name as a slug plus the creation date."""
    slug = unicodedata.normalize("NFKD", name)
    slug = "".join(ch for ch in slug if not unicodedata.combining(ch)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", slug).strip("-")[:40] or "ronde"
    return f"{slug}-{created_at.strftime('%Y%m%d%H%M%S')}"


def current_wave_for(waves: list[Wave], centre_id: str, now: datetime) -> Wave | None:
    """The wave a centre's people answer now: the newest open one, else the newest closed one."""
    relevant = sorted(
        (w for w in waves if w.status != "draft" and w.includes(centre_id)),
        key=lambda w: w.launched_at or w.created_at,
        reverse=True,
    )
    open_waves = [w for w in relevant if w.accepts_answers(now)]
    return (open_waves or relevant or [None])[0]


def previous_wave(waves: list[Wave], wave: Wave) -> Wave | None:
    """The launched wave before this one, to show how stadia moved since then."""
    earlier = [
        w for w in waves if w.id != wave.id and w.launched_at and wave.launched_at and w.launched_at < wave.launched_at
    ]
    return max(earlier, key=lambda w: w.launched_at, default=None)
