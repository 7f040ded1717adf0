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
from storage.repository import Unchanged
from survey.answers import Response, intended_level
from survey.export import (
    CENTRES_TABLE,
    MEMBERS_TABLE,
    SCHOOLS_TABLE,
    build_tables,
    export_file_name,
    remove_wave_exports,
    write_csv_zip,
    write_xlsx,
)
from survey.questionnaire import Question, Questionnaire, Scale
from survey.registry import Centre, Person
from survey.school_view import SchoolsView, is_final, schools_view
from survey.waves import Wave, WaveCounts, date_text, example_deadline, find_wave, wave_id_for


class Sender(Protocol):
    """Queues messages for many people and reports back to `notify` (a Teams user id) when done."""

    async def send(self, wave: Wave, purpose: str, people: list[tuple[str, Person]], notify: str | None) -> int: ...

    async def invited(self, wave_id: str) -> dict[str, int] | None:
        """Invitations delivered per centre; None when the wave never had invitations queued."""


class WaveRefused(Exception):
    """What was asked cannot be done; the message says why, in Dutch, and nothing changed."""


@dataclass(frozen=True)
class CentreRow:
    """How far one centre is in a wave. In a schools' wave the respondents are its schools (a school
    answers once, whichever of its contacts fills it in) and there is no centre answer."""

    name: str
    people: int
    started: int
    finished: int
    invited: int | None
    centre_answer: Literal["submitted", "started", "none"]
    # Who the invitations go to: the people themselves, or the schools' contacts.
    invitees: int = 0


@dataclass(frozen=True)
class Draft:
    wave: Wave
    questionnaire: Questionnaire
    centre_names: tuple[str, ...]
    # Who answers (people, or schools) and how many invitations go out (to people, or schools' contacts).
    respondents: int
    invitees: int
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
    schools: int = 0

    def __iter__(self):
        return iter((self.xlsx, self.csv_zip))


@dataclass(frozen=True)
class LevelCounts:
    """For a level (or an intended level) question: per unit, how many centres chose each level."""

    question: Question
    scale: Scale
    per_unit: dict[str, Counter]


@dataclass(frozen=True)
class Results:
    """A team wave's network picture, from the centres' submitted answers."""

    questionnaire: Questionnaire
    centres: int
    levels: tuple[LevelCounts, ...]
    # Final ordered choices (priorities, inspiring practices): how many centres chose each unit.
    choices: tuple[tuple[Question, Counter], ...]


@dataclass(frozen=True)
class SchoolResults:
    """A schools' wave's network picture: the schools' view over every centre, and per centre only
    how many of its schools answered (centre name, answered, schools)."""

    view: SchoolsView
    per_centre: tuple[tuple[str, int, int], ...]


def level_counts(q: Questionnaire, answers: list[Response]) -> tuple[LevelCounts, ...]:
    """Today's and the intended levels per unit, for every level and target_level question."""
    result = []
    for question in (*q.questions_for("level"), *q.questions_for("target_level")):
        level_question = question if question.summary == "level" else q.question(question.relative_to or "")
        scale = q.scale_of(level_question)
        assert scale is not None  # a level question has a scale, checked at load
        per_unit = {u.id: Counter() for u in q.units}
        for answer in answers:
            for unit in q.units:
                level = (
                    answer.choice(unit.id, question.id)
                    if question is level_question
                    else intended_level(question, answer, unit.id)
                )
                if level:
                    per_unit[unit.id][level] += 1
        result.append(LevelCounts(question, scale, per_unit))
    return tuple(result)


def final_choice_counts(q: Questionnaire, answers: list[Response]) -> tuple[tuple[Question, Counter], ...]:
    """For every final ordered choice, how many answers chose each unit (in any slot)."""
    return tuple(
        (question, Counter(u for a in answers if (given := a.final_answer(question.id)) for u in given.choices))
        for question in q.final.questions
        if question.type == "ordered_choice"
    )


class WaveService:
    def __init__(self, services: Services, sender: Sender | None, reminder_days: tuple[int, ...] = ()):
        self.services = services
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

    def for_schools(self, wave: Wave) -> bool:
        return self.services.questionnaire_of(wave).respondents == "schools"

    def centres(self, wave: Wave) -> list[Centre]:
        return [c for c in self.services.registry.centres if wave.includes(c.id)]

    def people(self, wave: Wave) -> list[tuple[str, Person]]:
        """Who the wave's invitations go to: the centres' people, or in a schools' wave the contacts
        of the centres' schools (each reached like anybody, by e-mail or Azure AD id)."""
        if self.for_schools(wave):
            return [(c.id, p) for c in self.centres(wave) for school in c.schools for p in school.contacts]
        return [(c.id, p) for c in self.centres(wave) for p in c.people]

    def command_words(self) -> tuple[str, ...]:
        """The words that launch a questionnaire other than the team's (*nieuwe ronde scholen ...*)."""
        return tuple(
            q.command_word for q in map(self.services.catalog.current, self.services.catalog.ids) if q.command_word
        )

    def questionnaire_named(self, name: str, deadline: date) -> tuple[Questionnaire, str]:
        """What a new wave runs, and its name: a name that opens with a questionnaire's command word
        ("scholen Voorjaar 2027") runs that questionnaire (the word alone: named after it and the
        deadline's year, "Scholen 2027"), any other the team's (the self-scan)."""
        word, _, rest = name.partition(" ")
        found = self.services.catalog.by_command_word(word)
        if found is not None:
            return found, rest.strip() or f"{word.capitalize()} {deadline.year}"
        return self.services.catalog.for_respondents("team")[0], name

    # ----- opening and launching ----------------------------------------------------------------

    async def draft(
        self, name: str, deadline: date, centre_ids: tuple[str, ...], created_by: str, questionnaire: Questionnaire
    ) -> Draft:
        """A wave not launched yet, running the current version of `questionnaire`."""
        known = {c.id for c in self.services.registry.centres}
        unknown = [c for c in centre_ids if c not in known]
        if unknown:
            which = (
                f"Het centrum ‘{unknown[0]}’ ken"
                if len(unknown) == 1
                else f"De centra {', '.join(f'‘{c}’' for c in unknown)} ken"
            )
            raise WaveRefused(
                f"{which} ik niet; er is niets aangemaakt. Gebruik de centrum-id's uit het register: "
                f"{', '.join(sorted(known))}."
            )
        if find_wave(await self.launched(), name) is not None:
            raise WaveRefused(
                f"Er is al een ronde ‘{name}’; er is niets aangemaakt. Kies een andere naam, zodat "
                f"*status {name}* en de andere commando's maar één ronde kunnen bedoelen."
            )
        now = self.services.clock()
        if deadline <= now.date():
            raise WaveRefused(
                f"De deadline {date_text(deadline)} ligt niet in de toekomst; er is niets aangemaakt. "
                f"Kies een datum na vandaag, bijvoorbeeld {date_text(example_deadline(now.date()))}."
            )
        wave = Wave(
            id=wave_id_for(name, now),
            name=name,
            deadline=deadline,
            centre_ids=centre_ids,
            created_at=now,
            created_by=created_by,
            questionnaire_id=questionnaire.id,
            questionnaire_version=questionnaire.version,
        )
        centres = self.centres(wave)
        if questionnaire.respondents == "schools" and not any(c.schools for c in centres):
            raise WaveRefused(
                f"{'Dit centrum heeft' if len(centres) == 1 else 'Deze centra hebben'} nog geen scholen "
                "in het register; er is niets aangemaakt. POC+ zet de scholen en hun contactpersonen in het "
                "register (met *register*); daarna kan de bevraging starten."
            )
        await self.services.waves.create(wave, wave.id)
        overlapping = tuple([(other, await self.counts(other)) for other in await self._overlapping(wave)])
        respondents = sum(len(c.schools) if questionnaire.respondents == "schools" else len(c.people) for c in centres)
        return Draft(
            wave, questionnaire, tuple(c.name for c in centres), respondents, len(self.people(wave)), overlapping
        )

    async def _overlapping(self, wave: Wave) -> list[Wave]:
        """The open waves of the same questionnaire for some of the same centres (a schools' wave
        runs beside a self-scan without either being in the way)."""
        now = self.services.clock()
        centres = [c.id for c in self.centres(wave)]
        return [
            w
            for w in await self.launched()
            if w.id != wave.id
            and w.questionnaire_id == wave.questionnaire_id
            and w.accepts_answers(now)
            and any(w.includes(c) for c in centres)
        ]

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
        """Everyone the wave invites who has not submitted yet: who a reminder goes to. In a schools'
        wave: the contacts of the schools that have not submitted (one contact's answer is the school's)."""
        result = []
        if self.for_schools(wave):
            for centre in self.centres(wave):
                for school in centre.schools:
                    response = await self.services.responses.get(wave.id, centre.id, school.id)
                    if response is None or not response.is_submitted:
                        result.extend((centre.id, person) for person in school.contacts)
            return result
        for centre_id, person in self.people(wave):
            response = await self.services.responses.get(wave.id, centre_id, person.key)
            if response is None or not response.is_submitted:
                result.append((centre_id, person))
        return result

    async def schools_not_finished(self, wave: Wave) -> int:
        """How many schools of a schools' wave have not submitted yet."""
        return sum(row.people - row.finished for row in await self.centre_rows(wave))

    async def open_for_reminders(self, reference: str) -> Wave:
        wave = await self.find(reference, open_only=True)
        if wave is None or not wave.accepts_answers(self.services.clock()):
            raise WaveRefused(
                "Er is geen open ronde om aan te herinneren."
                if not reference.strip()
                else f"‘{reference.strip()}’ is geen open ronde; typ *rondes* voor de lijst."
            )
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
        schools = self.for_schools(wave)
        rows = []
        for centre in self.centres(wave):
            # Only who the registry lists now counts: a school or person removed since is not "missing".
            keys = {s.id for s in centre.schools} if schools else {p.key for p in centre.people}
            responses = [r for r in await self.services.member_responses(wave.id, centre.id) if r.respondent_id in keys]
            answer = None if schools else await self.services.centre_answers.get(wave.id, centre.id)
            rows.append(
                CentreRow(
                    name=centre.name,
                    people=len(keys),
                    started=sum(1 for r in responses if r.started_at or r.is_submitted),
                    finished=sum(1 for r in responses if r.is_submitted),
                    invited=None if invited is None else invited.get(centre.id, 0),
                    centre_answer=_centre_answer_state(answer),
                    invitees=sum(len(s.contacts) for s in centre.schools) if schools else len(keys),
                )
            )
        return rows

    async def counts(self, wave: Wave, rows: list[CentreRow] | None = None) -> WaveCounts:
        rows = rows if rows is not None else await self.centre_rows(wave)
        invited = [r.invited for r in rows if r.invited is not None]
        return WaveCounts(
            centres=len(rows),
            people=sum(r.people for r in rows),
            started=sum(r.started for r in rows),
            finished=sum(r.finished for r in rows),
            invited=sum(invited) if invited else None,
            centre_answers_started=sum(r.centre_answer != "none" for r in rows),
            centre_answers_submitted=sum(r.centre_answer == "submitted" for r in rows),
            respondents=self.services.questionnaire_of(wave).respondents,
            invitees=sum(r.invitees for r in rows),
        )

    # ----- results ------------------------------------------------------------------------------

    async def results(self, wave: Wave) -> Results | SchoolResults:
        """The network picture: the centres' submitted answers, or in a schools' wave the schools'
        view over all its centres (per centre only how many schools answered)."""
        q = self.services.questionnaire_of(wave)
        if q.respondents == "schools":
            centres = self.centres(wave)
            responses = [r for r in await self.services.responses.list(wave.id) if r.kind == "school"]
            per_centre = tuple((row.name, row.finished, row.people) for row in await self.centre_rows(wave))
            final = is_final(wave, self.services.clock())  # while open, only how many schools answered
            return SchoolResults(schools_view(q, centres, responses, final=final), per_centre)
        answers = [a for a in await self.services.centre_answers.list(wave.id) if a.is_submitted]
        return Results(q, len(answers), level_counts(q, answers), final_choice_counts(q, answers))

    async def export(self, wave: Wave, destination: Path, *, everything: bool = False) -> ExportFiles:
        """The wave's results as an XLSX and a zip of CSVs in `destination`: submitted answers only,
        unless `everything`."""
        centre_answers = await self.services.centre_answers.list(wave.id)
        members = await self.services.responses.list(wave.id)
        q = self.services.questionnaire_of(wave)
        tables = build_tables(q, self.services.registry, wave, centre_answers, members, everything=everything)
        stamp = self.services.clock().strftime("%Y%m%d-%H%M%S")
        xlsx = destination / export_file_name(wave.id, stamp, "xlsx")
        csv_zip = destination / export_file_name(wave.id, stamp, "zip")
        await asyncio.to_thread(destination.mkdir, parents=True, exist_ok=True)
        await asyncio.to_thread(write_xlsx, tables, xlsx)
        await asyncio.to_thread(write_csv_zip, tables, csv_zip)
        held = {table.name: table.responses for table in tables}
        return ExportFiles(
            xlsx,
            csv_zip,
            centre_answers=held.get(CENTRES_TABLE, 0),
            members=held.get(MEMBERS_TABLE, 0),
            schools=held.get(SCHOOLS_TABLE, 0),
        )

    async def purge(self, wave: Wave, exports_dir: Path) -> int:
        """Delete a closed wave's member-level answers, and its export files, which hold the same
        answers (so no link serves them any more); the centres' answers stay."""
        if wave.status != "closed":
            raise WaveRefused(
                "Antwoorden per persoon verwijder je pas na het sluiten en exporteren van een ronde: "
                "*verwijder antwoorden [ronde]*."
            )
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
