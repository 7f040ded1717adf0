"""POC+ runs survey waves by message: open, launch, status, reminders, close, export, results.

Only administrators (Settings.admins) may; everyone else is told politely and nothing happens.
What a command does is the wave service's; this dialog asks first where that matters (a launch
beside an open wave, a reminder to many people) and turns the outcome into cards.
"""

from __future__ import annotations

from pathlib import Path

from actions.payloads import (
    CancelLaunchPayload,
    CancelRemindPayload,
    CardPayload,
    ConfirmLaunchPayload,
    ConfirmRemindPayload,
)
from cards import admin as admin_cards
from cards.common import count
from dialogs.commands import Command, CommandError, export_scope, parse_new_wave
from dialogs.context import Actor, Outgoing, PrivateReply, ReplaceSubmitted, Reply, Services
from dialogs.wave_service import Launch, SchoolResults, WaveRefused, WaveService
from survey.waves import Wave

LINKS_IN_PRIVATE = (
    "De downloadlinks staan in je persoonlijke chat met Poolster: ze geven toegang tot de "
    "antwoorden van iedereen, dus ze horen niet in een kanaal."
)
FOR_POC = "Dat commando is voor de beheerders van Poolster (POC+). Er is niets gewijzigd."
# Reports go to the 1:1 chat, also when POC+ asked in the community channel.
REPORT_FOLLOWS = "Je krijgt een rapport in je persoonlijke chat met Poolster zodra ze verstuurd zijn."
FOR_DIRECTOR = (
    "Rondes starten is voor POC+. Als directeur bevraag je de scholen van je centrum: typ *bevraag de "
    "scholen tot dd-mm-jjjj*."
)
NO_WAVE = "Er is nog geen ronde. Start er een met *nieuwe ronde*; typ *help* voor de schrijfwijze."


class AdminDialog:
    def __init__(self, services: Services, waves: WaveService, exports_dir: Path, links):
        self.services = services
        self.waves = waves
        self.exports_dir = exports_dir
        self.links = links

    # ----- routing ------------------------------------------------------------------------------

    async def on_command(self, actor: Actor, command: Command, text: str) -> list[Outgoing]:
        if not actor.is_admin:
            if command.name == "new_wave" and actor.membership is not None and actor.membership.role == "director":
                return [Reply(text=FOR_DIRECTOR)]
            return [Reply(text=FOR_POC)]
        handlers = {
            "new_wave": self._new_wave,
            "waves": self._list_waves,
            "status": self._status,
            "remind": self._remind,
            "close_wave": self._close,
            "export": self._export,
            "results": self._results,
            "purge": self._purge,
        }
        try:
            return await handlers[command.name](actor, command.argument)
        except WaveRefused as refusal:
            return [Reply(text=str(refusal))]

    async def on_payload(self, actor: Actor, payload: CardPayload) -> list[Outgoing]:
        if not actor.is_admin:
            return [Reply(text=FOR_POC)]
        try:
            if isinstance(payload, ConfirmLaunchPayload):
                return await self._launch(actor, payload.wave or "", payload.close_others)
            if isinstance(payload, CancelLaunchPayload):
                await self.waves.cancel_draft(payload.wave or "")
                return [
                    ReplaceSubmitted(admin_cards.card_text("Geannuleerd: de ronde is niet gelanceerd.")),
                    Reply(text="Geannuleerd; er werd niemand uitgenodigd."),
                ]
            if isinstance(payload, ConfirmRemindPayload):
                wave, queued = await self.waves.remind(payload.wave or "", actor.user_id)
                who = (
                    count(queued, "contactpersoon krijgt", "contactpersonen krijgen")
                    if self.waves.for_schools(wave)
                    else count(queued, "persoon krijgt", "personen krijgen")
                )
                return [
                    ReplaceSubmitted(admin_cards.card_text(f"✔ Herinnering verstuurd: {wave.name}")),
                    Reply(text=f"{who} een herinnering. {REPORT_FOLLOWS}"),
                ]
            if isinstance(payload, CancelRemindPayload):
                return [
                    ReplaceSubmitted(admin_cards.card_text("Geannuleerd: er is geen herinnering verstuurd.")),
                    Reply(text="Geannuleerd; niemand kreeg een herinnering."),
                ]
        except WaveRefused as refusal:
            return [Reply(text=str(refusal))]
        return [Reply(text=FOR_POC)]

    async def _wave(self, argument: str) -> Wave:
        wave = await self.waves.find(argument)
        if wave is None:
            raise WaveRefused(
                NO_WAVE
                if not argument.strip()
                else f"Een ronde ‘{argument.strip()}’ ken ik niet; typ *rondes* voor de lijst."
            )
        return wave

    # ----- opening and launching ----------------------------------------------------------------

    async def _new_wave(self, actor: Actor, argument: str) -> list[Outgoing]:
        try:
            request = parse_new_wave(argument, self.services.clock().date(), self.waves.command_words())
        except CommandError as error:
            return [Reply(text=str(error))]
        questionnaire, name = self.waves.questionnaire_named(request.name, request.deadline)
        draft = await self.waves.draft(name, request.deadline, request.centre_ids, actor.key, questionnaire)
        return [
            Reply(
                card=admin_cards.launch_card(
                    draft.wave,
                    draft.questionnaire,
                    draft.centre_names,
                    draft.respondents,
                    draft.invitees,
                    draft.overlapping,
                )
            )
        ]

    async def _launch(self, actor: Actor, wave_id: str, close_others: bool) -> list[Outgoing]:
        return launched_replies(await self.waves.launch(wave_id, actor.user_id, close_others=close_others))

    # ----- following a wave ---------------------------------------------------------------------

    async def _list_waves(self, actor: Actor, argument: str) -> list[Outgoing]:
        entries = [
            (wave, await self.waves.counts(wave), self.services.questionnaire_of(wave).title)
            for wave in await self.waves.launched()
        ]
        return [Reply(card=admin_cards.waves_card(entries, self.services.clock()))]

    async def _status(self, actor: Actor, argument: str) -> list[Outgoing]:
        wave = await self._wave(argument)
        rows = await self.waves.centre_rows(wave)
        return [
            Reply(
                card=admin_cards.status_card(
                    wave, self.services.questionnaire_of(wave), rows, await self.waves.counts(wave, rows)
                )
            )
        ]

    async def _remind(self, actor: Actor, argument: str) -> list[Outgoing]:
        wave = await self.waves.open_for_reminders(argument)
        people = len(await self.waves.not_finished(wave))
        if not people:
            everyone = "Elke school" if self.waves.for_schools(wave) else "Iedereen"
            return [Reply(text=f"{everyone} van ‘{wave.name}’ heeft al verzonden: er is niemand om te herinneren.")]
        schools = await self.waves.schools_not_finished(wave) if self.waves.for_schools(wave) else None
        return [Reply(card=admin_cards.remind_confirm_card(wave, people, schools))]

    async def _close(self, actor: Actor, argument: str) -> list[Outgoing]:
        wave = await self._wave(argument) if argument.strip() else await self.waves.find("", open_only=True)
        if wave is None:  # without a name: the newest open wave, never one already closed
            raise WaveRefused(
                "Er is geen open ronde om te sluiten; typ *rondes* voor de lijst."
                if await self.waves.launched()
                else NO_WAVE
            )
        if wave.status == "closed":
            return [Reply(text=f"De ronde ‘{wave.name}’ was al gesloten.")]
        await self.waves.close(wave.id)
        return [
            Reply(
                text=f"De ronde ‘{wave.name}’ is gesloten: de antwoorden liggen vast, de resultaten blijven "
                f"leesbaar. Typ *export {wave.name}* voor de bestanden."
            )
        ]

    # ----- results ------------------------------------------------------------------------------

    async def _export(self, actor: Actor, argument: str) -> list[Outgoing]:
        everything, argument = export_scope(argument)
        wave = await self._wave(argument)
        files = await self.waves.export(wave, self.exports_dir, everything=everything)
        links = {
            "Download XLSX": self.links.link(files.xlsx.name),
            "Download CSV (zip)": self.links.link(files.csv_zip.name),
        }
        schools = files.schools if self.waves.for_schools(wave) else None
        return [
            PrivateReply(
                admin_cards.export_card(
                    wave, links, files.centre_answers, files.members, everything=everything, schools=schools
                ),
                notice=LINKS_IN_PRIVATE,
            )
        ]

    async def _results(self, actor: Actor, argument: str) -> list[Outgoing]:
        wave = await self._wave(argument)
        r = await self.waves.results(wave)
        if isinstance(r, SchoolResults):
            return [Reply(card=admin_cards.schools_results_card(wave, r.view, list(r.per_centre)))]
        return [
            Reply(
                card=admin_cards.results_card(
                    r.questionnaire,
                    wave,
                    r.centres,
                    [(lv.question, lv.scale, lv.per_unit) for lv in r.levels],
                    list(r.choices),
                )
            )
        ]

    async def _purge(self, actor: Actor, argument: str) -> list[Outgoing]:
        if not argument.strip():
            raise WaveRefused("Zeg welke ronde: *verwijder antwoorden [ronde]* (pas na het sluiten en exporteren).")
        wave = await self._wave(argument)
        deleted = await self.waves.purge(wave, self.exports_dir)
        if not deleted:
            return [
                Reply(
                    text=f"Van ‘{wave.name}’ waren er geen antwoorden per persoon (meer); de exportbestanden "
                    "van die ronde zijn gewist, de antwoorden van de centra blijven bewaard."
                )
            ]
        return [
            Reply(
                text=f"De antwoorden van {count(deleted, 'persoon', 'personen')} in ‘{wave.name}’ zijn "
                "verwijderd, net als de exportbestanden van die ronde; de antwoorden van de centra "
                "blijven bewaard."
            )
        ]


def launched_replies(launch: Launch) -> list[Outgoing]:
    """What POC+ or a director hears when their confirmed wave went out."""
    wave = launch.wave
    if launch.already_launched:
        return [Reply(text=f"De ronde ‘{wave.name}’ was al gelanceerd.")]
    closed = "".join(
        f" De ronde ‘{other.name}’ is gesloten; wat daar werd ingevuld, blijft bewaard." for other in launch.closed
    )
    return [
        ReplaceSubmitted(admin_cards.card_text(f"✔ Gelanceerd: {wave.name}")),
        Reply(
            text=f"De ronde ‘{wave.name}’ is gelanceerd: "
            f"{count(launch.queued, 'uitnodiging wordt', 'uitnodigingen worden')} verstuurd. "
            f"{REPORT_FOLLOWS}{closed}"
        ),
    ]
