"""Running survey waves: open, launch, remind, close, export, results, and the minute's scheduled work.

One service for every way in: the POC+ dialog in Teams, the bot's once-a-minute scheduler and the
command line. It knows nothing of Teams: what sends invitations and reminders (the outbox, in the
bot layer) is handed in as a `Sender`; the command line, which sends nothing, hands in none.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Literal, Protocol

from dialogs.context import Services
from survey.answers import Response
from survey.export import build_tables, export_file_name, remove_wave_exports, write_csv_zip, write_xlsx
from survey.registry import Person
from survey.summary import intended_stadium
from survey.waves import Wave, WaveCounts, date_text, example_deadline, find_wave, wave_id_for
from storage.repository import Unchanged


class Sender(Protocol):
    """Queues messages for many people and reports back to `notify` (a Teams user id) when done."""

    async def send(self, wave: Wave, purpose: str, people: list[tuple[str, Person]], notify: str | None) -> int: ...

    async def invited(self, wave_id: str) -> dict[str, int] | None:
        """Invitations delivered per centre; None when the wave never had invitations queued."""


class WaveRefused(Exception):
    """What was asked cannot be done; the message says why, in Dutch, and nothing changed."""


@dataclass(frozen=True)
class CentreRow:
    name: str
    people: int
    started: int
    finished: int
    invited: int | None
    centre_answer: Literal["submitted", "started", "none"]


@dataclass(frozen=True)
class Draft:
    wave: Wave
    centre_names: tuple[str, ...]
    people: int
    # Open waves for some of the same centres, with how far they are: the new one would run beside them.
    overlapping: tuple[tuple[Wave, WaveCounts], ...]


@dataclass(frozen=True)
class Launch:
    wave: Wave
    queued: int
    already_launched: bool = False
    closed: tuple[Wave, ...] = ()


@dataclass(frozen=True)
class ExportFiles:
    """An export's two files (iterating gives them, XLSX first) and how many answers they hold."""

    xlsx: Path
    csv_zip: Path
    centre_answers: int
    members: int

    def __iter__(self):
        return iter((self.xlsx, self.csv_zip))


@dataclass(frozen=True)
class Results:
    centres: int
    current: dict[str, Counter]
    intended: dict[str, Counter]
    priorities: Counter
    inspiring: Counter


class WaveService:
    def __init__(self, services: Services, sender: Sender | None, reminder_days: tuple[int, ...] = ()):
        self.services = services
        self.q = services.questionnaire
        self.sender = sender
        self.reminder_days = reminder_days

    # ----- finding waves ------------------------------------------------------------------------

    async def launched(self) -> list[Wave]:
        """Every wave that is or was open, oldest first."""
        waves = [w for w in await self.services.waves.list() if w.status != "draft"]
        return sorted(waves, key=lambda w: w.launched_at or w.created_at)

    async def find(self, reference: str, *, open_only: bool = False) -> Wave | None:
        """The wave named (id or name), or without a name the newest launched one (with `open_only`,
        the newest that is still open: closing or reminding never means a wave already closed)."""
        waves = await self.launched()
        if reference.strip():
            return find_wave(waves, reference)
        if open_only:
            now = self.services.clock()
            waves = [w for w in waves if w.accepts_answers(now)]
        return waves[-1] if waves else None

    def people(self, wave: Wave) -> list[tuple[str, Person]]:
        return [(c.id, p) for c in self.services.registry.centres if wave.includes(c.id) for p in c.people]

    # ----- opening and launching ----------------------------------------------------------------

    async def draft(self, name: str, deadline: date, centre_ids: tuple[str, ...], created_by: str) -> Draft:
        known = {c.id for c in self.services.registry.centres}
        unknown = [c for c in centre_ids if c not in known]
        if unknown:
            which = f"Het centrum ‘{unknown[0]}’ ken" if len(unknown) == 1 else \
                f"De centra {', '.join(f'‘{c}’' for c in unknown)} ken"
            raise WaveRefused(f"{which} ik niet; er is niets aangemaakt. Gebruik de centrum-id's uit het register: "
                              f"{', '.join(sorted(known))}.")
        if find_wave(await self.launched(), name) is not None:
            raise WaveRefused(f"Er is al een ronde ‘{name}’; er is niets aangemaakt. Kies een andere naam, zodat "
                              f"*status {name}* en de andere commando's maar één ronde kunnen bedoelen.")
        now = self.services.clock()
        if deadline <= now.date():
            raise WaveRefused(f"De deadline {date_text(deadline)} ligt niet in de toekomst; er is niets aangemaakt. "
                              f"Kies een datum na vandaag, bijvoorbeeld {date_text(example_deadline(now.date()))}.")
        wave = Wave(id=wave_id_for(name, now), name=name, deadline=deadline, centre_ids=centre_ids,
                    created_at=now, created_by=created_by)
        await self.services.waves.create(wave, wave.id)
        centres = tuple(c.name for c in self.services.registry.centres if wave.includes(c.id))
        overlapping = tuple([(other, await self.counts(other)) for other in await self._overlapping(wave)])
        return Draft(wave, centres, len(self.people(wave)), overlapping)

    async def _overlapping(self, wave: Wave) -> list[Wave]:
        now = self.services.clock()
        centres = [c.id for c in self.services.registry.centres if wave.includes(c.id)]
        return [w for w in await self.launched()
                if w.id != wave.id and w.accepts_answers(now) and any(w.includes(c) for c in centres)]

    async def cancel_draft(self, wave_id: str) -> None:
        wave = await self.services.waves.get(wave_id)
        if wave is not None and wave.status == "draft":
            await self.services.waves.delete(wave.id)

    async def launch(self, wave_id: str, notify: str | None, *, close_others: bool = False) -> Launch:
        now = self.services.clock()

        def launch(current: Wave | None) -> Wave:
            if current is None or current.status != "draft":
                raise Unchanged()
            return current.model_copy(update={"status": "open", "launched_at": now})

        before, wave = await self.services.waves.update((wave_id,), launch)
        if wave is None:
            raise WaveRefused("Die ronde bestaat niet (meer).")
        if wave is before:
            return Launch(wave, 0, already_launched=True)
        closed = []
        if close_others:
            for other in await self._overlapping(wave):
                closed.append(await self.close(other.id) or other)
        queued = await self._sender().send(wave, "invite", self.people(wave), notify)
        return Launch(wave, queued, closed=tuple(closed))

    # ----- reminding and closing ----------------------------------------------------------------

    async def not_finished(self, wave: Wave) -> list[tuple[str, Person]]:
        """Everyone the wave invites who has not submitted yet: who a reminder goes to."""
        result = []
        for centre_id, person in self.people(wave):
            response = await self.services.responses.get(wave.id, centre_id, person.key)
            if response is None or not response.is_submitted:
                result.append((centre_id, person))
        return result

    async def open_for_reminders(self, reference: str) -> Wave:
        wave = await self.find(reference, open_only=True)
        if wave is None or not wave.accepts_answers(self.services.clock()):
            raise WaveRefused("Er is geen open ronde om aan te herinneren." if not reference.strip() else
                              f"‘{reference.strip()}’ is geen open ronde; typ *rondes* voor de lijst.")
        return wave

    async def remind(self, wave_id: str, notify: str | None) -> tuple[Wave, int]:
        wave = await self.services.waves.get(wave_id)
        if wave is None or not wave.accepts_answers(self.services.clock()):
            raise WaveRefused("Die ronde is niet (meer) open: er werd niemand herinnerd.")
        purpose = f"reminder-manual-{self.services.clock().strftime('%Y%m%d%H%M%S')}"
        return wave, await self._sender().send(wave, purpose, await self.not_finished(wave), notify)

    async def close(self, wave_id: str) -> Wave | None:
        now = self.services.clock()

        def close(current: Wave | None) -> Wave:
            if current is None or current.status == "closed":
                raise Unchanged()
            return current.model_copy(update={"status": "closed", "closed_at": now})

        _, after = await self.services.waves.update((wave_id,), close)
        return after

    async def tick(self) -> None:
        """Every minute: close waves at their deadline, send the automatic reminders once each."""
        now = self.services.clock()
        for wave in await self.services.waves.list():
            if wave.status != "open" or wave.closes_at is None:
                continue
            if now >= wave.closes_at:
                await self.close(wave.id)
                continue
            for days in self.reminder_days:
                moment = f"{days}d"
                if moment in wave.reminders_done or now < wave.closes_at - timedelta(days=days):
                    continue

                def mark(current: Wave | None, moment=moment) -> Wave:
                    if current is None or moment in current.reminders_done:
                        raise Unchanged()
                    return current.model_copy(update={"reminders_done": (*current.reminders_done, moment)})

                before, after = await self.services.waves.update((wave.id,), mark)
                if after is not before:
                    await self._sender().send(after, f"reminder-{moment}", await self.not_finished(after), None)

    def _sender(self) -> Sender:
        if self.sender is None:
            raise WaveRefused("Hier wordt niets verstuurd: lanceer en herinner in Teams.")
        return self.sender

    # ----- how far a wave is --------------------------------------------------------------------

    async def centre_rows(self, wave: Wave) -> list[CentreRow]:
        invited = await self.sender.invited(wave.id) if self.sender is not None else None
        rows = []
        for centre in self.services.registry.centres:
            if not wave.includes(centre.id):
                continue
            keys = {p.key for p in centre.people}
            responses = [r for r in await self.services.member_responses(wave.id, centre.id) if r.respondent_id in keys]
            answer = await self.services.centre_answers.get(wave.id, centre.id)
            rows.append(CentreRow(
                name=centre.name, people=len(keys),
                started=sum(1 for r in responses if r.started_at or r.is_submitted),
                finished=sum(1 for r in responses if r.is_submitted),
                invited=None if invited is None else invited.get(centre.id, 0),
                centre_answer=_centre_answer_state(answer)))
        return rows

    async def counts(self, wave: Wave, rows: list[CentreRow] | None = None) -> WaveCounts:
        rows = rows if rows is not None else await self.centre_rows(wave)
        invited = [r.invited for r in rows if r.invited is not None]
        return WaveCounts(
            centres=len(rows), people=sum(r.people for r in rows), started=sum(r.started for r in rows),
            finished=sum(r.finished for r in rows), invited=sum(invited) if invited else None,
            centre_answers_started=sum(r.centre_answer != "none" for r in rows),
            centre_answers_submitted=sum(r.centre_answer == "submitted" for r in rows))

    # ----- results ------------------------------------------------------------------------------

    async def results(self, wave: Wave) -> Results:
        answers = [a for a in await self.services.centre_answers.list(wave.id) if a.is_submitted]
        current = {b.id: Counter() for b in self.q.bouwstenen}
        intended = {b.id: Counter() for b in self.q.bouwstenen}
        for answer in answers:
            for b in self.q.bouwstenen:
                if stadium := answer.choice(b.id, "current_stadium"):
                    current[b.id][stadium] += 1
                if goal := intended_stadium(self.q, answer, b.id):
                    intended[b.id][goal] += 1
        priorities = Counter(b for a in answers if a.closing for b in a.closing.priorities)
        inspiring = Counter(b for a in answers if a.closing for b in a.closing.inspiring_practices)
        return Results(len(answers), current, intended, priorities, inspiring)

    async def export(self, wave: Wave, destination: Path, *, everything: bool = False) -> ExportFiles:
        """The wave's results as an XLSX and a zip of CSVs in `destination`: submitted answers only,
        unless `everything`."""
        centre_answers = await self.services.centre_answers.list(wave.id)
        members = await self.services.responses.list(wave.id)
        tables = build_tables(self.q, self.services.registry, wave, centre_answers, members, everything=everything)
        stamp = self.services.clock().strftime("%Y%m%d-%H%M%S")
        xlsx = destination / export_file_name(wave.id, stamp, "xlsx")
        csv_zip = destination / export_file_name(wave.id, stamp, "zip")
        await asyncio.to_thread(destination.mkdir, parents=True, exist_ok=True)
        await asyncio.to_thread(write_xlsx, tables, xlsx)
        await asyncio.to_thread(write_csv_zip, tables, csv_zip)
        centres, _, members = tables
        return ExportFiles(xlsx, csv_zip, centre_answers=centres.responses, members=members.responses)

    async def purge(self, wave: Wave, exports_dir: Path) -> int:
        """Delete a closed wave's member-level answers, and its export files, which hold the same
        answers (so no link serves them any more); the centres' answers stay."""
        if wave.status != "closed":
            raise WaveRefused("Antwoorden per persoon verwijder je pas na het sluiten en exporteren van een ronde: "
                              "*verwijder antwoorden [ronde]*.")
        keys = await self.services.store.keys_with_prefix(self.services.responses.key(wave.id) + "/")
        await self.services.store.delete(keys)
        await asyncio.to_thread(remove_wave_exports, exports_dir, wave.id)
        return len(keys)


def _centre_answer_state(answer: Response | None) -> Literal["submitted", "started", "none"]:
    if answer is None:
        return "none"
    if answer.is_submitted:
        return "submitted"
    return "started" if answer.answers or answer.started_at else "none"
