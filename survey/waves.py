"""Survey waves: one round of a questionnaire (the self-scan, the schools' survey) for some or all
centres, with a deadline.

Waves are kept side by side (school year after school year); answers always belong to a wave.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from survey.questionnaire import SELF_SCAN_FIRST_VERSION, SELF_SCAN_ID, RespondentKind

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
    # The questionnaire version the wave runs, fixed when it is created; waves stored before
    # waves named one ran the self-scan's first version.
    questionnaire_id: str = SELF_SCAN_ID
    questionnaire_version: str = SELF_SCAN_FIRST_VERSION

    def includes(self, centre_id: str) -> bool:
        return not self.centre_ids or centre_id in self.centre_ids

    def runs(self, questionnaire_ids: Collection[str] | None) -> bool:
        """Whether the wave runs one of these questionnaires (None: any)."""
        return questionnaire_ids is None or self.questionnaire_id in questionnaire_ids

    @property
    def closes_at(self) -> datetime | None:
        if self.deadline is None:
            return None
        return datetime.combine(self.deadline + timedelta(days=1), time(0, 0), tzinfo=TIMEZONE)

    def accepts_answers(self, now: datetime) -> bool:
        return self.status == "open" and (self.closes_at is None or now < self.closes_at)

    def deadline_text(self) -> str:
        """ "deadline 30-06-2027" or "geen deadline", to stand on its own in a line of facts."""
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


def current_wave_for(
    waves: list[Wave], centre_id: str, now: datetime, questionnaire_ids: Collection[str] | None = None
) -> Wave | None:
    """The wave a centre's people answer now: the newest open one, else the newest closed one.

    `questionnaire_ids` keeps only the waves of the questionnaires this respondent answers (a
    centre's team the self-scan, its schools the schools' survey)."""
    relevant = sorted(
        (w for w in waves if w.status != "draft" and w.includes(centre_id) and w.runs(questionnaire_ids)),
        key=lambda w: w.launched_at or w.created_at,
        reverse=True,
    )
    open_waves = [w for w in relevant if w.accepts_answers(now)]
    return next(iter(open_waves or relevant), None)


def previous_wave(waves: list[Wave], wave: Wave) -> Wave | None:
    """The launched wave before this one, to show how stadia moved since then."""
    earlier = [
        w for w in waves if w.id != wave.id and w.launched_at and wave.launched_at and w.launched_at < wave.launched_at
    ]
    return max(earlier, key=lambda w: w.launched_at or w.created_at, default=None)


def open_waves_for(
    waves: list[Wave], centre_id: str, now: datetime, questionnaire_ids: Collection[str] | None = None
) -> list[Wave]:
    """The waves a centre's people can answer in now, newest first (two may run side by side)."""
    return sorted(
        (w for w in waves if w.includes(centre_id) and w.accepts_answers(now) and w.runs(questionnaire_ids)),
        key=lambda w: w.launched_at or w.created_at,
        reverse=True,
    )


def find_wave(waves: list[Wave], reference: str) -> Wave | None:
    """A launched wave by id or name as typed (case and accents forgiven); None when nothing matches."""
    wanted = _plain(reference)
    return next(
        (w for w in waves if w.status != "draft" and (w.id == reference.strip() or _plain(w.name) == wanted)), None
    )


def _plain(value: str) -> str:
    value = unicodedata.normalize("NFKD", value)
    return " ".join("".join(ch for ch in value if not unicodedata.combining(ch)).lower().strip(" '\"‘’“”").split())


def example_deadline(today: date) -> date:
    """A deadline to show in examples: the next 30 June at least a month away, so always in the future."""
    candidate = date(today.year, 6, 30)
    return candidate if candidate - today >= timedelta(days=30) else date(today.year + 1, 6, 30)


@dataclass(frozen=True)
class WaveCounts:
    """How far a wave is, counted over the respondents of the registry it invites (never anyone else).

    In a team wave the respondents are people; in a schools' wave (`respondents == "schools"`) they
    are schools, `people` counts schools and the invitations go to their `invitees` (contacts).
    `invited` is None when no invitations were sent for the wave at all (the default wave opens by
    itself and invites nobody), so a status never says "0 uitgenodigd" next to "5 gestart".
    """

    centres: int
    people: int
    started: int
    finished: int
    invited: int | None = None
    centre_answers_started: int = 0
    centre_answers_submitted: int = 0
    respondents: RespondentKind = "team"
    # Who invitations go to: the people themselves, or the schools' contacts.
    invitees: int = 0

    @property
    def busy(self) -> int:
        return self.started - self.finished

    @property
    def not_started(self) -> int:
        return self.people - self.started


@dataclass(frozen=True)
class NotReachedGroup:
    code: str
    title: str
    advice: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class SendReport:
    """What became of a launch's invitations or a reminder, for the POC+ who started it."""

    kind: Literal["launch", "reminder"]
    total: int
    sent: int
    pending: int
    not_reached: tuple[NotReachedGroup, ...] = ()
    # People queued for but no longer in the registry: not sent, nothing to do about it.
    left_registry: int = 0

    @property
    def failed(self) -> int:
        return sum(len(group.names) for group in self.not_reached) + self.left_registry
