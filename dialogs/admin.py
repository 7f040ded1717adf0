"""POC+ runs survey waves by message: launch, status, reminders, close, export, results.

Only administrators (Settings.admins) may; everyone else is told politely and nothing happens.
Sending goes through the outbox of the bot layer, handed in as `Fanout`.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Protocol

from cards import admin as admin_cards
from dialogs.commands import Command, CommandError, export_scope, normalise, parse_new_wave
from dialogs.context import Actor, Outgoing, PrivateReply, ReplaceSubmitted, Reply, Services
from dialogs.payloads import CancelLaunchPayload, CardPayload, ConfirmLaunchPayload
from survey.export import build_tables, export_file_name, remove_wave_exports, write_csv_zip, write_xlsx
from survey.registry import Person
from survey.summary import intended_stadium
from survey.waves import Wave, wave_id_for
from storage.repository import Unchanged

LINKS_IN_PRIVATE = ("De downloadlinks staan in je persoonlijke chat met Poolster: ze geven toegang tot de "
                    "antwoorden van iedereen, dus ze horen niet in een kanaal.")
FOR_POC = "Dit commando is voor POC+ (de beheerders van de zelfscan). Er is niets gewijzigd."


class Fanout(Protocol):
    async def send(self, wave: Wave, purpose: str, people: list[tuple[str, Person]], notify: Actor | None) -> int: ...

    async def delivered(self, wave_id: str) -> dict[str, int]:
        """Invitations delivered per centre."""


class AdminDialog:
    def __init__(self, services: Services, fanout: Fanout, exports_dir: Path, links, reminder_days: tuple[int, ...]):
        self.services = services
        self.q = services.questionnaire
        self.fanout = fanout
        self.exports_dir = exports_dir
        self.links = links
        self.reminder_days = reminder_days

    # ----- routing ------------------------------------------------------------------------------

    async def on_command(self, actor: Actor, command: Command, text: str) -> list[Outgoing]:
        if not actor.is_admin:
            return [Reply(text=FOR_POC)]
        handlers = {"new_wave": self._new_wave, "status": self._status, "remind": self._remind,
                    "close_wave": self._close, "export": self._export, "results": self._results,
                    "purge": self._purge}
        return await handlers[command.name](actor, command.argument)

    async def on_payload(self, actor: Actor, payload: CardPayload) -> list[Outgoing]:
        if not actor.is_admin:
            return [Reply(text=FOR_POC)]
        if isinstance(payload, ConfirmLaunchPayload):
            return await self._launch(actor, payload.wave)
        if isinstance(payload, CancelLaunchPayload):
            wave = await self.services.waves.get(payload.wave or "")
            if wave is not None and wave.status == "draft":
                await self.services.waves.delete(wave.id)
            return [ReplaceSubmitted(admin_cards.card_text("Geannuleerd: de ronde is niet gelanceerd.")),
                    Reply(text="Geannuleerd; er werd niemand uitgenodigd.")]
        return [Reply(text=FOR_POC)]

    # ----- waves --------------------------------------------------------------------------------

    def _people(self, wave: Wave) -> list[tuple[str, Person]]:
        return [(c.id, p) for c in self.services.registry.centres if wave.includes(c.id) for p in c.people]

    async def _find_wave(self, argument: str) -> Wave | None:
        waves = [w for w in await self.services.waves.list() if w.status != "draft"]
        wanted = normalise(argument)
        if wanted:
            return next((w for w in waves if w.id == argument.strip() or normalise(w.name) == wanted), None)
        return max(waves, key=lambda w: w.launched_at or w.created_at, default=None)

    async def _new_wave(self, actor: Actor, argument: str) -> list[Outgoing]:
        try:
            request = parse_new_wave(argument)
        except CommandError as error:
            return [Reply(text=str(error))]
        known = {c.id for c in self.services.registry.centres}
        unknown = [c for c in request.centre_ids if c not in known]
        if unknown:
            return [Reply(text=f"Deze centra ken ik niet: {', '.join(unknown)}. Bekende centra: {', '.join(sorted(known))}.")]
        now = self.services.clock()
        if request.deadline <= now.date():
            return [Reply(text="De deadline moet in de toekomst liggen.")]
        wave = Wave(id=wave_id_for(request.name, now), name=request.name, deadline=request.deadline,
                    centre_ids=request.centre_ids, created_at=now, created_by=actor.key)
        await self.services.waves.create(wave, wave.id)
        centres = [c.name for c in self.services.registry.centres if wave.includes(c.id)]
        return [Reply(card=admin_cards.launch_card(wave, centres, len(self._people(wave))))]

    async def _launch(self, actor: Actor, wave_id: str | None) -> list[Outgoing]:
        now = self.services.clock()

        def launch(current: Wave | None) -> Wave:
            if current is None or current.status != "draft":
                raise Unchanged()
            return current.model_copy(update={"status": "open", "launched_at": now})

        before, wave = await self.services.waves.update((wave_id or "",), launch)
        if wave is None:
            return [Reply(text="Die ronde bestaat niet (meer).")]
        if wave is before:
            return [Reply(text=f"De ronde ‘{wave.name}’ was al gelanceerd.")]
        queued = await self.fanout.send(wave, "invite", self._people(wave), actor)
        return [ReplaceSubmitted(admin_cards.card_text(f"✔ Gelanceerd: {wave.name}")),
                Reply(text=f"De ronde ‘{wave.name}’ is gelanceerd: {queued} uitnodigingen worden verstuurd. "
                           "Je krijgt een rapport zodra ze verstuurd zijn.")]

    async def _status(self, actor: Actor, argument: str) -> list[Outgoing]:
        wave = await self._find_wave(argument)
        if wave is None:
            return [Reply(text="Er is nog geen ronde.")]
        invited = await self.fanout.delivered(wave.id)
        rows = []
        for centre in self.services.registry.centres:
            if not wave.includes(centre.id):
                continue
            responses = await self.services.member_responses(wave.id, centre.id)
            centre_answer = await self.services.centre_answers.get(wave.id, centre.id)
            rows.append({"name": centre.name, "members": len(centre.people),
                         "invited": invited.get(centre.id, 0),
                         "started": sum(1 for r in responses if r.started_at),
                         "finished": sum(1 for r in responses if r.is_submitted),
                         "centre_submitted": bool(centre_answer and centre_answer.is_submitted)})
        return [Reply(card=admin_cards.status_card(wave, rows))]

    async def _not_finished(self, wave: Wave) -> list[tuple[str, Person]]:
        result = []
        for centre_id, person in self._people(wave):
            response = await self.services.responses.get(wave.id, centre_id, person.key)
            if response is None or not response.is_submitted:
                result.append((centre_id, person))
        return result

    async def _remind(self, actor: Actor, argument: str) -> list[Outgoing]:
        wave = await self._find_wave(argument)
        if wave is None or not wave.accepts_answers(self.services.clock()):
            return [Reply(text="Er is geen open ronde om aan te herinneren.")]
        people = await self._not_finished(wave)
        purpose = f"reminder-manual-{self.services.clock().strftime('%Y%m%d%H%M%S')}"
        queued = await self.fanout.send(wave, purpose, people, actor)
        return [Reply(text=f"{queued} personen die nog niet klaar zijn, krijgen een herinnering.")]

    async def _close(self, actor: Actor, argument: str) -> list[Outgoing]:
        wave = await self._find_wave(argument)
        if wave is None:
            return [Reply(text="Er is geen ronde om te sluiten.")]
        await self.close(wave.id)
        return [Reply(text=f"De ronde ‘{wave.name}’ is gesloten: antwoorden liggen vast, de resultaten blijven leesbaar.")]

    async def close(self, wave_id: str) -> None:
        now = self.services.clock()

        def close(current: Wave | None) -> Wave:
            if current is None or current.status == "closed":
                raise Unchanged()
            return current.model_copy(update={"status": "closed", "closed_at": now})

        await self.services.waves.update((wave_id,), close)

    async def tick(self) -> None:
        """Called every minute: close waves at their deadline, send the automatic reminders."""
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
                    await self.fanout.send(after, f"reminder-{moment}", await self._not_finished(after), None)

    # ----- results ------------------------------------------------------------------------------

    async def export_files(self, wave: Wave, *, everything: bool = False) -> list[Path]:
        centre_answers = await self.services.centre_answers.list(wave.id)
        members = await self.services.responses.list(wave.id)
        tables = build_tables(self.q, self.services.registry, wave, centre_answers, members, everything=everything)
        stamp = self.services.clock().strftime("%Y%m%d-%H%M%S")
        self.exports_dir.mkdir(parents=True, exist_ok=True)
        xlsx = self.exports_dir / export_file_name(wave.id, stamp, "xlsx")
        csv_zip = self.exports_dir / export_file_name(wave.id, stamp, "zip")
        await asyncio.to_thread(write_xlsx, tables, xlsx)
        await asyncio.to_thread(write_csv_zip, tables, csv_zip)
        return [xlsx, csv_zip]

    async def _export(self, actor: Actor, argument: str) -> list[Outgoing]:
        everything, argument = export_scope(argument)
        wave = await self._find_wave(argument)
        if wave is None:
            return [Reply(text="Er is nog geen ronde om te exporteren.")]
        xlsx, csv_zip = await self.export_files(wave, everything=everything)
        links = {"Download XLSX": self.links.link(xlsx.name), "Download CSV (zip)": self.links.link(csv_zip.name)}
        return [PrivateReply(admin_cards.export_card(wave, links, everything=everything), notice=LINKS_IN_PRIVATE)]

    async def _results(self, actor: Actor, argument: str) -> list[Outgoing]:
        wave = await self._find_wave(argument)
        if wave is None:
            return [Reply(text="Er is nog geen ronde.")]
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
        return [Reply(card=admin_cards.results_card(self.q, wave, current, intended, len(answers), priorities,
                                                    inspiring))]

    async def _purge(self, actor: Actor, argument: str) -> list[Outgoing]:
        wave = await self._find_wave(argument)
        if wave is None or wave.status != "closed":
            return [Reply(text="Antwoorden per persoon verwijder je pas na het sluiten en exporteren van een ronde: "
                               "*verwijder antwoorden <ronde>*.")]
        keys = await self.services.store.keys_with_prefix(self.services.responses.key(wave.id) + "/")
        await self.services.store.delete(keys)
        # The exports hold the same answers: their files go too, so no link serves them any more.
        await asyncio.to_thread(remove_wave_exports, self.exports_dir, wave.id)
        return [Reply(text=f"{len(keys)} antwoorden per persoon van ‘{wave.name}’ zijn verwijderd, net als de "
                           "exportbestanden van die ronde; de antwoorden van de centra blijven bewaard.")]
