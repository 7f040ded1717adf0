"""The director's side, and the scholengroep's: the team's live picture, recording the centre's
answer, and the centre's report.

The centre's answer reuses the respondent flow with subject "centre"; this dialog adds what the
director sees on top of each card (the team's answers, the majority, what is left open), the banner
that tells the centre's answer from the director's own, which of the two the typed commands act on
(the director's *focus*), and the shortcut for a centre whose director answered alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from actions.payloads import AdoptOwnPayload, CardPayload, CentreStartPayload, ReportPayload
from cards import director as director_cards
from cards import schools as schools_cards
from dialogs.commands import Command
from dialogs.context import Actor, Outgoing, ReplaceSubmitted, Reply, ResponseListener, Services
from dialogs.respondent import Refused, RespondentDialog, Subject
from reports.render import ReportInput, file_name, render_pdf
from storage.repository import Repository, Unchanged
from survey import progress as flow
from survey.answers import Response
from survey.consolidation import propose, proposed_closing_inputs, proposed_inputs
from survey.questionnaire import RespondentKind
from survey.registry import Centre
from survey.school_view import SchoolsView, is_final, schools_view
from survey.summary import TeamSummary, summarise
from survey.waves import Wave, previous_wave

ONLY_DIRECTORS = "Dit is voor de directeur van een centrum."
NOT_YOUR_REPORT = "Dit rapport is enkel voor de directeur van het centrum en de contactpersonen van zijn scholengroep."
NO_REPORT_YET = "Het rapport van {centre} komt er zodra het antwoord van het centrum verzonden is."

Focus = Literal["self", "centre"]


class FocusRecord(BaseModel):
    """Which survey a director's typed commands act on: their own answers or the centre's answer."""

    model_config = ConfigDict(extra="forbid")

    wave_id: str
    kind: Focus


class ScholengroepNotice(BaseModel):
    """A scholengroep contact received the centre's results of a wave (sent once)."""

    model_config = ConfigDict(extra="forbid")

    wave_id: str
    centre_id: str
    contact_key: str
    name: str
    role: str
    sent_at: datetime


class ReportFiles(Protocol):
    """Where a rendered report goes and the short-lived link to it (bot layer)."""

    minutes: int

    async def publish(self, name: str, content: bytes) -> str: ...


def is_team_wave(services: Services, wave: Wave) -> bool:
    """A wave of the self-scan, answered by the centre's team (not by its schools)."""
    return services.questionnaire_of(wave).respondents == "team"


def answered_by(services: Services, kind: RespondentKind) -> frozenset[str]:
    """The questionnaires this kind of respondent answers: a centre's team, or its schools."""
    return frozenset(q.id for q in services.catalog.for_respondents(kind))


async def schools_wave(services: Services, centre: Centre, self_scan: Wave | None = None) -> Wave | None:
    """The schools' survey a centre's schools answer now (or answered last), if one ran for it.

    With `self_scan`, the one that belongs to that wave of the self-scan (its report): the newest
    schools' wave for the centre launched before the self-scan wave closed, or before now while it is
    open, so an old self-scan's report never shows a newer schools' wave."""
    ids = answered_by(services, "schools")
    if not ids:
        return None
    if self_scan is None:
        return await services.current_wave(centre.id, ids)
    now = services.clock()
    # When the self-scan wave stopped taking answers: closed, or its deadline passed, whichever came first.
    ends = [t for t in (self_scan.closed_at, self_scan.closes_at) if t is not None]
    end = now if self_scan.accepts_answers(now) or not ends else min(ends)
    candidates = [
        w
        for w in await services.waves.list()
        if w.runs(ids) and w.includes(centre.id) and w.launched_at is not None and w.launched_at < end
    ]
    return max(candidates, key=lambda w: w.launched_at or w.created_at, default=None)


async def centre_schools_view(services: Services, wave: Wave, centre: Centre) -> SchoolsView:
    """What this centre's schools said in a wave, counted; never per school (survey.school_view)."""
    responses = [
        r for r in await services.responses.list(wave.id, centre.id) if r.kind == "school" and r.centre_id == centre.id
    ]
    return schools_view(services.questionnaire_of(wave), [centre], responses, final=is_final(wave, services.clock()))


async def report_input(services: Services, wave: Wave, centre: Centre) -> ReportInput | None:
    """Everything the report of a centre and wave shows; None until the centre's answer is sent."""
    answer = await services.centre_answers.get(wave.id, centre.id)
    if answer is None or not answer.is_submitted:
        return None
    q = services.questionnaire_of(wave)
    team = summarise(q, centre, await services.member_responses(wave.id, centre.id))
    earlier = previous_wave(await services.waves.list(), wave)
    previous_answer = await services.centre_answers.get(earlier.id, centre.id) if earlier else None
    if previous_answer is not None and not previous_answer.is_submitted:
        previous_answer = None
    network = tuple(await services.centre_answers.list(wave.id))
    schools = await schools_wave(services, centre, wave)
    return ReportInput(
        q,
        centre,
        wave,
        answer,
        team,
        earlier if previous_answer else None,
        previous_answer,
        network,
        services.clock(),
        await centre_schools_view(services, schools, centre) if schools else None,
        schools,
    )


class TeamView:
    """What the director and the scholengroep see of a centre's team: the live summary card, the
    scholengroep's card, the team's proposal on the centre's answer, the director's focus. Built
    before the dialogs that show it (the respondent's flow and the director's dialog)."""

    def __init__(self, services: Services):
        self.services = services
        self.focus_records: Repository[FocusRecord] = Repository(services.store, "director-focus", FocusRecord)
        self.notices: Repository[ScholengroepNotice] = Repository(
            services.store, "scholengroep-notices", ScholengroepNotice
        )

    # ----- what the director sees ------------------------------------------------------------

    def names(self, centre: Centre) -> dict[str, str]:
        return {person.key: person.name for person in centre.people}

    async def team(self, wave: Wave, centre: Centre) -> tuple[list[Response], TeamSummary]:
        responses = await self.services.member_responses(wave.id, centre.id)
        return responses, summarise(self.services.questionnaire_of(wave), centre, responses)

    async def summary_card(self, wave: Wave, centre: Centre) -> dict:
        _, summary = await self.team(wave, centre)
        earlier = previous_wave(await self.services.waves.list(), wave)
        previous_answer = await self.services.centre_answers.get(earlier.id, centre.id) if earlier else None
        centre_answer = await self.services.centre_answers.get(wave.id, centre.id)
        informed = tuple(f"{n.name} ({n.role})" for n in await self.notices.list(wave.id, centre.id))
        schools = await schools_wave(self.services, centre, wave)
        view = await centre_schools_view(self.services, schools, centre) if schools else None
        return director_cards.summary_card(
            self.services.questionnaire_of(wave),
            summary,
            wave,
            centre_answer=centre_answer,
            previous_answer=previous_answer if previous_answer and previous_answer.is_submitted else None,
            previous_wave=earlier,
            now=self.services.clock(),
            scholengroep_informed=informed,
            schools=(view.answered, view.invited) if view else None,
        )

    async def scholengroep_card(self, wave: Wave, centre: Centre, answer: Response) -> dict:
        _, team = await self.team(wave, centre)
        return director_cards.scholengroep_card(self.services.questionnaire_of(wave), centre, wave, answer, team)

    # ----- CentreView: what the respondent flow asks of the centre's answer ----------------------

    async def page_view(
        self, wave_id: str, centre: Centre, response: Response, unit_id: str, page: str
    ) -> tuple[dict[str, str] | None, list[dict]]:
        q = self.services.questionnaire_of(response)
        responses = await self.services.member_responses(wave_id, centre.id)
        proposals = propose(q, unit_id, responses, self.names(centre))
        values = None if response.is_page_answered(q, unit_id, page) else proposed_inputs(q, proposals, page)
        return values, director_cards.team_view(q, unit_id, page, proposals)

    async def closing_values(self, wave_id: str, centre: Centre) -> dict[str, str]:
        wave = await self.services.waves.get(wave_id)
        if wave is None:
            return {}
        return proposed_closing_inputs(
            self.services.questionnaire_of(wave), await self.services.member_responses(wave_id, centre.id)
        )

    def banner(self, subject: Subject) -> dict:
        return director_cards.centre_banner(subject.membership.centre.name)

    async def focus(self, actor: Actor, wave_id: str) -> Focus:
        record = await self.focus_records.get(actor.key)
        if record is None or record.wave_id != wave_id or record.kind != "centre" or actor.membership is None:
            return "self"
        # Once the centre's answer is sent there is nothing left to do in it: typed commands are the
        # director's own again (`centrum` still shows the sent answer with its report).
        answer = await self.services.centre_answers.get(wave_id, actor.membership.centre.id)
        return "self" if answer is not None and answer.is_submitted else "centre"

    async def remember_focus(self, actor: Actor, wave_id: str, kind: Focus) -> None:
        def change(current: FocusRecord | None) -> FocusRecord:
            if current is not None and current.wave_id == wave_id and current.kind == kind:
                raise Unchanged()
            return FocusRecord(wave_id=wave_id, kind=kind)

        await self.focus_records.update((actor.key,), change)

    # ----- a scholengroep contact who talks to the bot --------------------------------------

    async def contact_intro(self, actor: Actor) -> list[Outgoing] | None:
        """The greeting for a scholengroep contact outside any policy team; None for anyone else."""
        pairs = self.services.registry.contact_centres(actor.aad_object_id, actor.email)
        if actor.membership is not None or not pairs:
            return None
        states = []
        for centre, _ in pairs:
            wave = await self.services.current_wave(centre.id, answered_by(self.services, "team"))
            states.append((centre, await self.services.centre_answers.get(wave.id, centre.id) if wave else None))
        return [Reply(card=director_cards.contact_intro_card(states))]


class DirectorDialog:
    def __init__(
        self,
        services: Services,
        view: TeamView,
        respondent: RespondentDialog,
        listener: ResponseListener,
        send_summary: Callable[[str, str, Actor], Awaitable[None]],
        report_files: ReportFiles | None,
    ):
        self.services = services
        self.view = view
        self.respondent = respondent
        # Told when the director adopts their own answers as the centre's (the live card shows it).
        self.listener = listener
        # Sends a fresh summary card to the director and makes it the one kept up to date.
        self.send_summary = send_summary
        self.report_files = report_files

    # ----- commands and buttons -------------------------------------------------------------

    async def on_command(self, actor: Actor, command: Command, text: str) -> list[Outgoing]:
        if command.name != "report" and (greeting := await self.view.contact_intro(actor)) is not None:
            # A scholengroep contact is in no policy team: what they can do, not "ask POC+ to add you".
            return greeting
        if command.name == "team":
            return await self._team(actor)
        if command.name == "own_answers":
            return await self._own_answers(actor)
        if command.name == "report":
            return await self._reports(actor)
        if command.name == "schools":
            return await self._schools(actor)
        return await self._centre_answer(actor)

    async def on_payload(self, actor: Actor, payload: CardPayload) -> list[Outgoing]:
        if isinstance(payload, AdoptOwnPayload):
            return await self._adopt_own(actor, payload)
        if isinstance(payload, CentreStartPayload):
            return await self._centre_answer(actor, payload.centre, payload.wave)
        if isinstance(payload, ReportPayload):
            return await self._report_for(actor, payload.centre, payload.wave)
        return [Reply(text=ONLY_DIRECTORS)]

    async def _team(self, actor: Actor) -> list[Outgoing]:
        try:
            subject = await self.respondent.subject(actor, "centre")
        except Refused as refusal:
            return [Reply(text=str(refusal))]
        # Two waves open side by side: the team's picture of each (every card names its wave); a
        # schools' wave has no team to picture (`scholen` shows what the schools said).
        for wave in subject.open_waves or (subject.wave,):
            if is_team_wave(self.services, wave):
                await self.send_summary(wave.id, subject.membership.centre.id, actor)
        return []

    async def _schools(self, actor: Actor) -> list[Outgoing]:
        """The schools' view of the director's own centre: counted per statement, never per school."""
        if actor.membership is None or actor.membership.role != "director":
            return [Reply(text="Het beeld van de scholen is voor de directeur van het centrum.")]
        centre = actor.membership.centre
        if not centre.schools:
            return [
                Reply(
                    text=f"Er staan nog geen scholen van {centre.name} in het register. POC+ voegt ze toe; "
                    "daarna kunnen ze de bevraging van de scholen invullen."
                )
            ]
        wave = await schools_wave(self.services, centre)
        if wave is None:
            return [
                Reply(
                    text=f"Er liep nog geen bevraging van de scholen voor {centre.name}. Zodra die loopt, zie je "
                    "hier wat de scholen over de samenwerking met je centrum zeggen."
                )
            ]
        view = await centre_schools_view(self.services, wave, centre)
        return [Reply(card=schools_cards.schools_card(view, centre, wave, self.services.clock()))]

    async def _own_answers(self, actor: Actor) -> list[Outgoing]:
        if actor.membership is not None and actor.membership.role != "director":
            # A member only has their own answers: the intro card says where they are.
            return await self.respondent.intro(actor)
        try:
            subject = await self.respondent.subject(actor, "centre")
        except Refused as refusal:
            return [Reply(text=str(refusal))]
        await self.view.remember_focus(actor, subject.wave.id, "self")
        own = await self.respondent.load(await self.respondent.subject(actor))
        switched = Reply(
            text="Je werkt nu aan je eigen antwoorden. Typ *centrum* om terug te gaan naar het antwoord "
            "van het centrum."
        )
        if own.started_at is None:
            # Switching is not starting: the intro card lets the director start when they want.
            return [switched, *await self.respondent.intro(actor)]
        return [switched, *await self.respondent.start_subject(await self.respondent.subject(actor))]

    async def _centre_answer(
        self, actor: Actor, centre_id: str | None = None, wave_id: str | None = None
    ) -> list[Outgoing]:
        try:
            subject = await self.respondent.subject(actor, "centre", centre_id, wave_id)
        except Refused as refusal:
            return [Reply(text=str(refusal))]
        if wave_id is None:
            # Typed `centrum` while two waves run: the director chooses which centre answer.
            chosen = await self.respondent.choose_wave(subject, "resume")
            if isinstance(chosen, dict):
                return [Reply(card=chosen)]
            subject = chosen
        centre = subject.membership.centre
        responses, summary = await self.view.team(subject.wave, centre)
        others = [r for r in responses if r.respondent_id != subject.membership.person.key and r.answers]
        own = next((r for r in responses if r.respondent_id == subject.membership.person.key), None)
        centre_answer = await self.services.centre_answers.get(subject.wave.id, centre.id)
        if centre_answer is not None and centre_answer.is_submitted:
            return [
                Reply(
                    card=director_cards.already_sent_card(
                        self.services.questionnaire_of(subject.wave), centre, subject.wave, centre_answer
                    )
                )
            ]
        if not others and own is not None and own.is_submitted and centre_answer is None:
            return [Reply(card=director_cards.adopt_own_card(centre, subject.wave))]
        await self.view.remember_focus(actor, subject.wave.id, "centre")
        intro = Reply(
            text=(
                f"Je vult nu het antwoord van {centre.name} in; typ *eigen* om naar je eigen antwoorden te gaan. Bij elke "
                f"vraag zie je wat je teamleden antwoordden: wat een meerderheid koos, staat al ingevuld, de rest kies je "
                f"zelf. {summary.finished} van {len(summary.members)} teamleden verzonden hun antwoorden."
            )
        )
        return [intro, *self.respondent.marked(subject, await self.respondent.start_subject(subject))]

    async def _adopt_own(self, actor: Actor, payload: AdoptOwnPayload) -> list[Outgoing]:
        try:
            subject = await self.respondent.subject(actor, "centre", payload.centre, payload.wave)
        except Refused as refusal:
            return [Reply(text=str(refusal))]
        own = await self.services.responses.get(
            subject.wave.id, subject.membership.centre.id, subject.membership.person.key
        )
        if own is None or not own.is_submitted:
            return [
                Reply(
                    text="Verzend eerst je eigen antwoorden; daarna kan je ze als antwoord van het centrum gebruiken."
                )
            ]
        now = self.services.clock()

        def adopt(current: Response | None) -> Response:
            if current is not None and current.is_submitted:
                raise Unchanged()
            centre_answer = subject.empty_response().model_copy(
                update={"answers": own.answers, "closing": own.closing, "started_at": now}
            )
            return flow.submit(self.services.questionnaire_of(subject.wave), centre_answer, now)

        before, after = await subject.repository.update(subject.parts, adopt)
        if after is before:
            return [Reply(text="Het antwoord van het centrum was al verzonden.")]
        await self.listener.response_changed(after)
        return [
            ReplaceSubmitted(director_cards.adopted_card(subject.membership.centre)),
            Reply(text=f"Je antwoorden zijn verzonden als het antwoord van {subject.membership.centre.name}."),
        ]

    # ----- the report --------------------------------------------------------------------------

    def _report_centres(self, actor: Actor) -> list[Centre]:
        """The centres whose report this person may read: their own as director, those they follow."""
        centres = [actor.membership.centre] if actor.membership and actor.membership.role == "director" else []
        for centre, _ in self.services.registry.contact_centres(actor.aad_object_id, actor.email):
            if centre not in centres:
                centres.append(centre)
        return centres

    async def _reports(self, actor: Actor) -> list[Outgoing]:
        centres = self._report_centres(actor)
        if not centres:
            return [Reply(text=NOT_YOUR_REPORT)]
        replies: list[Outgoing] = []
        for centre in centres:
            wave = await self.services.current_wave(centre.id, answered_by(self.services, "team"))
            if wave is None:
                replies.append(Reply(text=f"Er loopt geen bevraging voor {centre.name}."))
                continue
            replies += await self._report(wave, centre)
        return replies

    async def _report_for(self, actor: Actor, centre_id: str | None, wave_id: str | None) -> list[Outgoing]:
        centre = next((c for c in self._report_centres(actor) if c.id == centre_id), None)
        wave = await self.services.waves.get(wave_id) if wave_id else None
        if centre is None or wave is None or not wave.includes(centre.id):
            return [Reply(text=NOT_YOUR_REPORT)]
        return await self._report(wave, centre)

    async def _report(self, wave: Wave, centre: Centre) -> list[Outgoing]:
        data = await report_input(self.services, wave, centre)
        if data is None:
            return [Reply(text=NO_REPORT_YET.format(centre=centre.name))]
        # Rendering takes a second or two of CPU: never on the event loop.
        pdf = await asyncio.to_thread(render_pdf, data)
        url = await self.report_files.publish(file_name(wave, centre), pdf)
        return [Reply(card=director_cards.report_link_card(centre, wave, url, self.report_files.minutes))]
