"""Poolster: the web server that Teams talks to, and the command line for the people who run it.

python app.py                      start the bot (see README for configuration)
python -m app export --ronde ID    write a wave's results as CSV and XLSX
python -m app rapport --ronde ID --centrum ID   a centre's report of a wave as PDF
python -m app backup DEST          consistent snapshot of the data folder while the bot runs
python -m app restore SRC          put a snapshot back (bot stopped)
python -m app register import FILE [--toepassen]   preview (and apply) a registry from XLSX/CSV
python -m app register export FILE.xlsx            the current registry as a spreadsheet
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import secrets
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import jwt
from aiohttp import web
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, ActivityTypes
from botframework.connector.auth import ServiceClientCredentialsFactory
from pydantic import ValidationError

from actions.payloads import ADMIN_ACTIONS, CardPayload
from bot import inbound, maintenance
from bot.auth import TokenGate, install_key_sets
from bot.config import Settings
from bot.connectors import ConnectorClients, reuse_connector_clients
from bot.downloads import DownloadLinks, LinkRefused
from bot.graph import Graph, MsalTokens
from bot.logs import configure_logging
from bot.messenger import Messenger
from bot.outbox import Outbox, OutboxFanout, OutboxItem
from bot.people import People
from bot.rate_limits import Priority, RateLimiter
from bot.reach import Reach
from bot.report_links import ReportLinks
from bot.scholengroep import ScholengroepNotifier
from bot.serialization import classify_error_pages_by_status, use_fast_json_serialization
from bot.summary_cards import SummaryPublisher
from bot.teams_bot import PoolsterBot, Routes
from cards import admin as admin_cards
from dialogs.admin import AdminDialog
from dialogs.commands import ADMIN_COMMANDS, DIRECTOR_COMMANDS, REPORT_COMMANDS
from dialogs.context import Actor, Outgoing, ResponseListeners, Services, utc_now
from dialogs.director import DirectorDialog, TeamView, report_input
from dialogs.privacy import PrivacyDialog
from dialogs.registry_admin import RegistryDialog
from dialogs.respondent import RespondentDialog
from dialogs.school_waves import SchoolWavesDialog
from dialogs.wave_service import ExportFiles, WaveService
from reports.render import file_name, render_pdf
from storage.base import DocumentStore
from storage.embedded import CorruptStore, StoreLocked
from storage.factory import open_store
from survey.questionnaire import UnknownQuestionnaire, load_catalog
from survey.registry import Person, Registry, RegistryError, RegistryFile, load_registry
from survey.registry_import import ImportRefused, parse_registry, preview_text, summary, write_registry_xlsx
from survey.waves import Wave, find_wave

log = logging.getLogger("poolster")
VERSION = (Path(__file__).resolve().parent / "VERSION").read_text().strip()

POOLSTER_KEY: web.AppKey[Poolster] = web.AppKey("poolster")
MAINTENANCE_TOKEN: web.AppKey[str] = web.AppKey("maintenance_token")

TURN_ERROR = "Sorry, er ging iets mis bij het verwerken van je bericht. Je eerder bewaarde antwoorden zijn veilig. Probeer het opnieuw of typ *help*."


@dataclass
class Poolster:
    """Everything the running bot is made of; tests reach in through app["poolster"]."""

    settings: Settings
    services: Services
    adapter: CloudAdapter
    bot: PoolsterBot
    people: People
    store: DocumentStore
    messenger: Messenger
    summaries: SummaryPublisher
    outbox: Outbox
    fanout: OutboxFanout
    waves: WaveService
    admin: AdminDialog
    links: DownloadLinks
    connector_clients: ConnectorClients
    reach: Reach
    registry_file: RegistryFile
    report_links: ReportLinks
    scholengroep: ScholengroepNotifier

    def use_registry(self, registry: Registry) -> None:
        use_registry(self.services, self.people, registry)

    async def reload_registry_if_changed(self) -> None:
        if not self.registry_file.changed():
            return
        try:
            registry = await asyncio.to_thread(self.registry_file.load)
        except RegistryError as error:
            log.error(
                "registry file changed but is not valid; the previous registry stays in use",
                extra={"reason": str(error)[:500]},
            )
            return
        self.use_registry(registry)


def use_registry(services: Services, people: People, registry: Registry) -> None:
    """Swap the registry everywhere at once, without a restart. Its holders are Services (read by
    every dialog, the outbox, the summary cards and the scheduler) and People (who is talking);
    everything else reads it through these two, never keeps its own copy."""
    services.registry = registry
    people.registry = registry
    log.info("registry in use", extra={"centres": len(registry.centres)})


async def ensure_default_wave(services: Services, settings: Settings) -> None:
    """Without waves nobody could answer: open one for every centre until POC+ launches its own."""
    if not settings.default_wave or await services.waves.list():
        return
    now = services.clock()
    start_year = now.year if now.month >= 9 else now.year - 1
    # The default wave runs the questionnaire a centre's team answers (the self-scan).
    questionnaire = services.catalog.for_respondents("team")[0]
    wave = Wave(
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
        id=f"zelfscan-{start_year}-{start_year + 1}",
        name=f"Zelfscan {start_year}-{start_year + 1}",
        status="open",
        created_at=now,
        launched_at=now,
        created_by="poolster",
    )
    if await services.waves.create(wave, wave.id):
        log.info("default wave opened", extra={"wave_id": wave.id})


async def check_waves_readable(services: Services) -> None:
    """Every wave's questionnaire version must still be in the content folder: its answers are read with it."""
    for wave in await services.waves.list():
        try:
            services.questionnaire_of(wave)
        except UnknownQuestionnaire as missing:
            raise ValueError(
                f"ronde ‘{wave.name}’ ({wave.id}) gebruikt {missing}. Zet dat bestand terug in "
                "content/questionnaires/ (een nieuwe versie is een nieuw bestand)."
            ) from None


async def build_poolster(
    settings: Settings,
    *,
    store: DocumentStore | None = None,
    clock: Callable[[], datetime] = utc_now,
    signing_keys: list[dict] | None = None,
    credentials_factory: ServiceClientCredentialsFactory | None = None,
) -> Poolster:
    """Assemble the bot. signing_keys / credentials_factory replace the Bot Framework's (tests)."""
    # The store works in the loop's default executor (calls to Teams do not: bot/connectors.py):
    # give it room, so a wave's fan-out does not starve users' turns.
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=32, thread_name_prefix="poolster"))
    catalog = await asyncio.to_thread(load_catalog, settings.content_dir)
    registry_file = RegistryFile(settings.registry_path)
    registry = await asyncio.to_thread(registry_file.load)
    store = store or await open_store(
        settings.store,
        data_dir=settings.data_dir,
        blob_connection_string=settings.blob_connection_string.get_secret_value(),
        blob_container=settings.blob_container,
    )
    services = Services(catalog, registry, store, clock)
    await ensure_default_wave(services, settings)
    await check_waves_readable(services)

    install_key_sets(signing_keys)
    authentication = ConfigurationBotFrameworkAuthentication(
        settings.bot_framework_config(), credentials_factory=credentials_factory
    )
    connector_clients = reuse_connector_clients(authentication)
    use_fast_json_serialization()
    classify_error_pages_by_status()
    adapter = CloudAdapter(authentication)
    limiter = RateLimiter()
    people = People(store, registry, settings.admins)
    messenger = Messenger(adapter, settings.app_id, limiter, settings.retry_policy)
    reach = Reach(
        people,
        messenger,
        store,
        clock,
        tenant_id=settings.app_tenant_id,
        default_service_url=settings.default_service_url,
        graph=open_graph(settings),
    )
    # Built in the order they need each other, each once: what the director sees, who is told of a
    # changed response (the live card, the scholengroep), then the dialogs, then the bot.
    team_view = TeamView(services)
    summaries = SummaryPublisher(
        services, reach, messenger, team_view.summary_card, interval=settings.summary_update_interval
    )
    scholengroep = ScholengroepNotifier(
        services, reach, messenger, team_view.scholengroep_card, team_view.notices, summaries.schedule
    )
    listener = ResponseListeners(summaries, scholengroep)
    respondent = RespondentDialog(services, listener, team_view)

    async def send_summary(wave_id: str, centre_id: str, _: Actor) -> None:
        # The director asked for it and is waiting: a reply, not background traffic.
        await summaries.publish(wave_id, centre_id, fresh=True, priority=Priority.INTERACTIVE)

    report_links = ReportLinks(
        settings.data_dir / "reports", settings.signing_key.get_secret_value(), settings.public_url
    )
    director = DirectorDialog(services, team_view, respondent, listener, send_summary, report_links)

    async def contact_details(user_id: str) -> dict | None:
        known = await people.users.get(user_id)
        return known.model_dump() if known else None

    async def invitation(item: OutboxItem) -> dict:
        wave = await services.waves.get(item.wave_id)
        centre = services.registry.centre(item.centre_id)
        # A school's contact is invited for the school; everyone else for their centre.
        contact = services.registry.school_contact(item.person_key)
        for_whom = contact.school.name if contact else centre.name if centre else ""
        return admin_cards.invitation_card(
            services.questionnaire_of(wave),
            wave,
            for_whom,
            reminder=item.purpose != "invite",
            asked_by=contact.centre.name if contact else None,
        )

    outbox = Outbox(services, reach, invitation)
    links = DownloadLinks(settings.data_dir / "exports", settings.signing_key.get_secret_value(), settings.public_url)
    fanout = OutboxFanout(outbox, messenger, people, admin_cards.send_report_card)
    waves = WaveService(services, fanout, settings.reminder_days)
    admin = AdminDialog(services, waves, settings.data_dir / "exports", links)
    school_waves = SchoolWavesDialog(services, waves)

    async def launch_buttons(actor: Actor, payload: CardPayload) -> list[Outgoing]:
        # A director confirms the schools' wave they asked for on the same card as POC+.
        return await (admin if actor.is_admin else school_waves).on_payload(actor, payload)

    async def reachable(person: Person) -> bool:
        # As Reach sees it: with Graph an e-mail address is enough; without it, a chat can be opened with
        # anyone the bot met or whose Azure AD id it has.
        return settings.use_graph or bool(person.aad_object_id) or await people.find_user(person.email) is not None

    registry_dialog = RegistryDialog(
        services,
        registry_file,
        lambda new: use_registry(services, people, new),
        reachable,
        settings.data_dir / "exports",
        links,
    )
    routes = Routes.of(
        commands=[
            (DIRECTOR_COMMANDS | REPORT_COMMANDS, director.on_command),
            ({"my_data"}, PrivacyDialog(services, contact_details).on_command),
            (ADMIN_COMMANDS, admin.on_command),
            ({"school_wave"}, school_waves.on_command),
            ({"registry"}, registry_dialog.on_command),
        ],
        actions=[
            ({"adopt_own", "centre_start", "report"}, director.on_payload),
            (ADMIN_ACTIONS, launch_buttons),
            ({"apply_registry_import", "cancel_registry_import"}, registry_dialog.on_payload),
        ],
        file=registry_dialog.on_file,
    )
    bot = PoolsterBot(settings, people, respondent, limiter, messenger, routes)
    await outbox.resume(full_scan=True)
    await summaries.refresh_all()
    await scholengroep.resume()

    async def on_turn_error(turn_context: TurnContext, error: Exception) -> None:
        log.error(
            "turn failed",
            exc_info=(type(error), error, error.__traceback__),
            extra={"conversation_id": turn_context.activity.conversation.id, "activity_id": turn_context.activity.id},
        )
        try:
            await turn_context.send_activity(TURN_ERROR)
        except Exception:
            log.warning("could not tell the user about the failure")
        if turn_context.activity.type == ActivityTypes.invoke:
            # Without an invoke response botbuilder answers 501; the user has the apology above.
            await turn_context.send_activity(
                Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=200, body={}))
            )

    # botbuilder takes its turn-error handler as an attribute of the adapter, not in the constructor.
    adapter.on_turn_error = on_turn_error
    # What exists now (questionnaire, registry, indexes) lives as long as the process: keep it out of
    # the cyclic garbage collector's way, so full collections stay short however large the store is.
    # (No gc.collect() first: start-up leaves little garbage, and a full collection costs 0.7 s here.)
    gc.freeze()
    poolster = Poolster(
        settings,
        services,
        adapter,
        bot,
        people,
        store,
        messenger,
        summaries,
        outbox,
        fanout,
        waves,
        admin,
        links,
        connector_clients,
        reach,
        registry_file,
        report_links,
        scholengroep,
    )
    return poolster


def open_graph(settings: Settings) -> Graph | None:
    """Microsoft Graph when configured; its tokens are the bot's own app registration's (none without an app id)."""
    if not settings.use_graph:
        return None
    tokens = MsalTokens(settings.app_id, settings.app_password, settings.app_tenant_id) if settings.app_id else None
    return Graph(
        settings.graph_endpoint,
        tokens=tokens,
        catalog_app_id=settings.catalog_app_id,
        teams_rate=settings.graph_teams_rate,
        policy=settings.retry_policy,
    )


def _json_error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def create_app(poolster: Poolster) -> web.Application:
    settings = poolster.settings
    # No automatic decompression: Teams posts plain JSON, and a body that claims gzip is refused unread
    # (bot/inbound.py) instead of failing inside aiohttp's parser.
    app = web.Application(client_max_size=settings.max_body_bytes, handler_args={"auto_decompress": False})
    app[POOLSTER_KEY] = poolster
    token_gate = TokenGate(settings.app_id)

    async def messages(request: web.Request) -> web.Response:
        # Cheapest first, and nothing of the body before the token: a malformed or unauthenticated
        # request is answered with a 4xx before any work (bot/inbound.py, bot/auth.py).
        try:
            inbound.check_headers(request, settings.max_body_bytes)
            await token_gate.admit(request.headers.get("Authorization", ""))
            activity = inbound.activity_from(await inbound.read_body(request))
        except inbound.Refused as refusal:
            log.info("request refused", extra={"status": refusal.status, "reason": refusal.reason})
            return _json_error(refusal.status, refusal.reason)
        except PermissionError as refusal:
            log.info("request refused", extra={"status": 401, "reason": str(refusal)})
            return _json_error(401, "unauthorized")
        try:
            invoke_response = await poolster.adapter.process_activity(
                request.headers.get("Authorization", ""), activity, poolster.bot.on_turn
            )
        except (PermissionError, jwt.PyJWTError):
            return _json_error(401, "unauthorized")
        except Exception:
            log.warning("request refused during authentication", extra={"path": request.path})
            return _json_error(401, "unauthorized")
        if invoke_response:
            return web.json_response(invoke_response.body, status=invoke_response.status)
        return web.Response(status=201)

    async def healthz(_: web.Request) -> web.Response:
        writable = await poolster.store.check_writable()
        return web.json_response(
            {"status": "ok" if writable else "degraded", "store_writable": writable}, status=200 if writable else 503
        )

    async def version(_: web.Request) -> web.Response:
        return web.json_response(
            {
                "name": "poolster",
                "version": VERSION,
                "questionnaires": {
                    q.id: q.version for q in map(poolster.services.catalog.current, poolster.services.catalog.ids)
                },
            }
        )

    async def maintenance_backup(request: web.Request) -> web.Response:
        # Only from this machine, and only with the token the bot wrote into its own data folder.
        token = request.app.get(MAINTENANCE_TOKEN)
        if (
            request.remote not in ("127.0.0.1", "::1")
            or not token
            or not secrets.compare_digest(request.headers.get(maintenance.HEADER, ""), token)
        ):
            return _json_error(403, "forbidden")
        try:
            destination = Path((await request.json())["destination"])
        except (ValueError, KeyError, TypeError):
            return _json_error(400, "destination missing")
        await poolster.store.snapshot(destination)
        log.info("backup made", extra={"path": str(destination)})
        return web.json_response({"status": "ok"})

    async def download(request: web.Request) -> web.Response:
        try:
            path = poolster.links.resolve(request.match_info["token"])
        except LinkRefused as refusal:
            return web.Response(status=403, text=str(refusal), content_type="text/plain", charset="utf-8")
        return web.FileResponse(
            path,
            headers={
                "Content-Disposition": f'attachment; filename="{path.name}"',
                "Content-Type": DownloadLinks.content_type(path),
            },
        )

    async def report_download(request: web.Request) -> web.Response:
        try:
            path = poolster.report_links.resolve(request.match_info["token"])
        except LinkRefused:
            return web.Response(
                status=403,
                text="Deze link naar het rapport werkt niet (meer). Typ *rapport* in Teams voor een nieuwe.",
                content_type="text/plain",
                charset="utf-8",
            )
        return web.FileResponse(
            path, headers={"Content-Type": "application/pdf", "Content-Disposition": f'inline; filename="{path.name}"'}
        )

    async def scheduler(app: web.Application):
        async def every_minute() -> None:
            while True:
                try:
                    await poolster.reload_registry_if_changed()
                    await poolster.waves.tick()
                    await asyncio.to_thread(poolster.links.remove_expired)
                    await poolster.outbox.resume()
                    # Reports owed for sends that ended while no drain of this process watched them.
                    await poolster.fanout.deliver_owed_reports()
                    await poolster.connector_clients.refresh_tokens()
                except Exception:
                    log.exception("scheduled work failed")
                await asyncio.sleep(60)

        task = asyncio.create_task(every_minute())
        yield
        task.cancel()

    app.cleanup_ctx.append(scheduler)
    app.router.add_get("/exports/{token}", download)
    app.router.add_get("/reports/{token}", report_download)
    app.router.add_post("/api/messages", messages)
    app.router.add_post("/maintenance/backup", maintenance_backup)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/version", version)

    async def close_store(_: web.Application) -> None:
        await poolster.summaries.stop()
        await poolster.scholengroep.stop()
        await poolster.outbox.stop()
        if poolster.reach.graph is not None:
            await poolster.reach.graph.close()
        await poolster.store.close()
        await poolster.connector_clients.close()

    app.on_cleanup.append(close_store)
    return app


async def serve(settings: Settings) -> None:
    poolster = await build_poolster(settings)
    app = create_app(poolster)
    if settings.store == "embedded":
        app[MAINTENANCE_TOKEN] = await asyncio.to_thread(maintenance.write_token, settings.data_dir)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    try:
        await site.start()
    except OSError as error:
        await runner.cleanup()  # closes the store, so the data folder is free again
        raise ValueError(
            f"poort {settings.port} op {settings.host} is niet beschikbaar ({error.strerror}); "
            "draait Poolster hier al? Kies een andere met POOLSTER_PORT."
        ) from error
    log.info(
        "poolster started",
        extra={
            "version": VERSION,
            "store": poolster.store.describe(),
            "auth": settings.auth_mode,
            "tenants": ",".join(settings.allowed_tenants) or "any",
            "port": settings.port,
            "graph": settings.graph_mode,
        },
    )
    print(
        f"Poolster {VERSION} luistert op http://{settings.host}:{settings.port}/api/messages — "
        f"opslag: {poolster.store.describe()}; authenticatie: {settings.auth_mode}; "
        f"tenants: {', '.join(settings.allowed_tenants) or 'alle'}",
        file=sys.stderr,
        flush=True,
    )
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


async def _offline_store(settings: Settings, teams_command: str) -> DocumentStore:
    """The store for a command line job; the embedded store refuses while the bot runs."""
    try:
        return await open_store(
            settings.store,
            data_dir=settings.data_dir,
            blob_connection_string=settings.blob_connection_string.get_secret_value(),
            blob_container=settings.blob_container,
        )
    except StoreLocked as error:
        raise maintenance.MaintenanceError(
            f"De bot gebruikt de datamap nog: stop hem eerst, of typ *{teams_command}* in Teams."
        ) from error


async def _wave(services: Services, wave_reference: str) -> Wave:
    waves = await services.waves.list()
    wave = find_wave(waves, wave_reference)
    if wave is None:
        known = ", ".join(f"{w.id} ({w.name})" for w in waves if w.status != "draft") or "geen"
        raise maintenance.MaintenanceError(f"Ronde ‘{wave_reference}’ niet gevonden. Rondes: {known}.")
    return wave


async def export_command(
    settings: Settings, wave_reference: str, destination: Path, everything: bool = False
) -> ExportFiles:
    """The export of the Teams `export` command, from the command line of the people who run the bot."""
    store = await _offline_store(settings, "export")
    try:
        services = Services(
            await asyncio.to_thread(load_catalog, settings.content_dir),
            await asyncio.to_thread(load_registry, settings.registry_path),
            store,
        )
        wave = await _wave(services, wave_reference)
        # The command line sends nothing: a wave service without a sender.
        return await WaveService(services, None).export(wave, destination, everything=everything)
    finally:
        await store.close()


async def register_import_command(settings: Settings, source: Path, apply: bool) -> str:
    """Preview a registry from a spreadsheet and, with `apply`, make it the registry. A running bot
    on the same data folder takes it over within a minute, without a restart."""
    try:
        content = await asyncio.to_thread(source.read_bytes)
    except OSError as error:
        raise maintenance.MaintenanceError(f"Het bestand {source} kan ik niet lezen ({error.strerror}).") from error
    try:
        new, ignored = await asyncio.to_thread(parse_registry, source.name, content)
    except ImportRefused as refused:
        raise maintenance.MaintenanceError(
            "het register is niet ingelezen; er is niets gewijzigd.\n" + "\n".join(f"  {p}" for p in refused.problems)
        ) from refused
    try:
        current = await asyncio.to_thread(load_registry, settings.registry_path, required=False)
        note = ""
    except RegistryError:
        current, note = Registry(), "Het huidige register is niet geldig; de import vervangt het volledig.\n"
    preview = note + preview_text(current, new, ignored)
    if not apply:
        return preview + "\n\nDit is een voorbeeld: er is niets gewijzigd. Voeg --toepassen toe om het toe te passen."
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(
        RegistryFile(settings.registry_path).save,
        new,
        f"Geïmporteerd uit {source.name} op {utc_now():%d-%m-%Y %H:%M} (UTC).",
    )
    return (
        preview + f"\n\nToegepast: het register heeft nu {summary(new)}. Een bot die draait, neemt het "
        "binnen een minuut over, zonder herstart."
    )


async def report_command(settings: Settings, wave_reference: str, centre_id: str, destination: Path) -> Path:
    """A centre's report of a wave as a PDF file, as directors and the scholengroep get it in Teams."""
    store = await _offline_store(settings, "rapport")
    try:
        services = Services(
            await asyncio.to_thread(load_catalog, settings.content_dir),
            await asyncio.to_thread(load_registry, settings.registry_path),
            store,
        )
        wave = await _wave(services, wave_reference)
        centre = services.registry.centre(centre_id)
        if centre is None:
            known = ", ".join(c.id for c in services.registry.centres) or "geen"
            raise maintenance.MaintenanceError(f"Centrum ‘{centre_id}’ staat niet in het register. Centra: {known}.")
        data = await report_input(services, wave, centre)
        if data is None:
            raise maintenance.MaintenanceError(
                f"{centre.name} heeft het antwoord van het centrum voor ‘{wave.name}’ nog niet verzonden."
            )
        pdf = await asyncio.to_thread(render_pdf, data)
        path = destination / file_name(wave, centre)
        await asyncio.to_thread(destination.mkdir, parents=True, exist_ok=True)
        await asyncio.to_thread(path.write_bytes, pdf)
        return path
    finally:
        await store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app", description="Poolster, de zelfscan-bot voor Teams")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="start the bot (default)")
    backup_parser = sub.add_parser("backup", help="consistent snapshot of the data folder (also while the bot runs)")
    backup_parser.add_argument("destination", type=Path)
    export_parser = sub.add_parser("export", help="a wave's results as XLSX and CSV (stop the bot first)")
    export_parser.add_argument("--ronde", required=True, help="the wave's id or name")
    export_parser.add_argument("--uit", type=Path, default=Path("."), help="folder for the files")
    export_parser.add_argument("--alles", action="store_true", help="also answers that were not submitted")
    report_parser = sub.add_parser("rapport", help="a centre's report of a wave as PDF (stop the bot first)")
    report_parser.add_argument("--ronde", required=True, help="the wave's id or name")
    report_parser.add_argument("--centrum", required=True, help="the centre's id (as in centres.yaml)")
    report_parser.add_argument("--uit", type=Path, default=Path("."), help="folder for the file")
    restore_parser = sub.add_parser("restore", help="put a snapshot back (stop the bot first)")
    restore_parser.add_argument("source", type=Path)
    register_parser = sub.add_parser("register", help="the registry of centres: import from XLSX/CSV, export")
    register_sub = register_parser.add_subparsers(dest="register_command", required=True)
    import_parser = register_sub.add_parser("import", help="preview a registry from an XLSX or CSV file")
    import_parser.add_argument("file", type=Path)
    import_parser.add_argument("--toepassen", action="store_true", help="apply it (without: only the preview)")
    register_export = register_sub.add_parser("export", help="the current registry as an XLSX to edit")
    register_export.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'instelling'}: {e['msg'].removeprefix('Value error, ')}"
            for e in error.errors()
        )
        print(f"Poolster start niet: de configuratie klopt niet ({problems}).", file=sys.stderr)
        return 1
    configure_logging(settings.log_level)
    if args.command in (None, "run"):
        try:
            asyncio.run(serve(settings))
        except KeyboardInterrupt:
            pass
        except (StoreLocked, CorruptStore, ValueError) as error:
            # A second process on the same data folder, a damaged store file, an invalid registry or
            # questionnaire: say what is wrong, without a stack trace.
            print(f"Poolster start niet: {error}", file=sys.stderr)
            return 1
        return 0
    try:
        if args.command == "backup":
            how = asyncio.run(
                maintenance.backup(settings.data_dir, args.destination, f"http://127.0.0.1:{settings.port}")
            )
            print(f"Back-up gemaakt in {args.destination} ({how}).")
        elif args.command == "export":
            for path in asyncio.run(export_command(settings, args.ronde, args.uit, args.alles)):
                print(f"Geschreven: {path}")
        elif args.command == "register" and args.register_command == "import":
            print(asyncio.run(register_import_command(settings, args.file, args.toepassen)))
        elif args.command == "register":
            write_registry_xlsx(load_registry(settings.registry_path), args.file)
            print(f"Geschreven: {args.file} (het register, één rij per persoon; pas het aan en importeer het).")
        elif args.command == "rapport":
            print(f"Geschreven: {asyncio.run(report_command(settings, args.ronde, args.centrum, args.uit))}")
        elif args.command == "restore":
            asyncio.run(maintenance.restore(settings.data_dir, args.source))
            print(f"Back-up {args.source} teruggezet in {settings.data_dir}. Start de bot opnieuw.")
    except (maintenance.MaintenanceError, CorruptStore, RegistryError) as error:
        print(f"Mislukt: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
