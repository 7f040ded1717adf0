"""Poolster: the web server that Teams talks to, and the command line for the people who run it.

    python app.py                      start the bot (see README for configuration)
    python -m app export --ronde ID    write a wave's results as CSV and XLSX
    python -m app backup DEST          consistent snapshot of the data folder while the bot runs
    python -m app restore SRC          put a snapshot back (bot stopped)
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import secrets
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

import jwt
from aiohttp import web
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botframework.connector.auth import ServiceClientCredentialsFactory

from bot import maintenance
from bot.auth import install_key_sets
from bot.config import Settings
from bot.connectors import ConnectorClients, reuse_connector_clients
from bot.downloads import DownloadLinks, LinkRefused
from bot.logs import configure_logging
from bot.messenger import Messenger
from bot.outbox import Outbox, OutboxFanout, OutboxItem
from bot.people import People
from bot.rate_limits import Priority, RateLimiter
from bot.reach import Reach
from bot.serialization import use_fast_json_serialization
from bot.summary_cards import SummaryPublisher
from bot.teams_bot import PoolsterBot
from cards import admin as admin_cards
from dialogs.admin import AdminDialog
from dialogs.commands import ADMIN_COMMANDS, DIRECTOR_COMMANDS
from dialogs.context import Actor, Services, utc_now
from dialogs.director import DirectorDialog
from dialogs.privacy import PrivacyDialog
from dialogs.respondent import RespondentDialog
from storage.base import DocumentStore
from storage.embedded import StoreLocked
from storage.factory import open_store
from survey.questionnaire import load_questionnaire
from survey.registry import Centre, load_registry
from survey.waves import Wave

log = logging.getLogger("poolster")
VERSION = (Path(__file__).resolve().parent / "VERSION").read_text().strip()

POOLSTER_KEY: web.AppKey["Poolster"] = web.AppKey("poolster")
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
    admin: AdminDialog
    links: DownloadLinks
    connector_clients: ConnectorClients


async def ensure_default_wave(services: Services, settings: Settings) -> None:
    """Without waves nobody could answer: open one for every centre until POC+ launches its own."""
    if not settings.default_wave or await services.waves.list():
        return
    now = services.clock()
    start_year = now.year if now.month >= 9 else now.year - 1
    wave = Wave(
        id=f"zelfscan-{start_year}-{start_year + 1}",
        name=f"Zelfscan {start_year}-{start_year + 1}",
        status="open",
        created_at=now,
        launched_at=now,
        created_by="poolster",
    )
    if await services.waves.create(wave, wave.id):
        log.info("default wave opened", extra={"wave_id": wave.id})


async def build_poolster(settings: Settings, *, store: DocumentStore | None = None,
                         clock: Callable[[], datetime] = utc_now, signing_keys: list[dict] | None = None,
                         credentials_factory: ServiceClientCredentialsFactory | None = None) -> Poolster:
    """Assemble the bot. signing_keys / credentials_factory replace the Bot Framework's (tests)."""
    # The store works in the loop's default executor (calls to Teams do not: bot/connectors.py):
    # give it room, so a wave's fan-out does not starve users' turns.
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=32, thread_name_prefix="poolster"))
    questionnaire = await asyncio.to_thread(load_questionnaire)
    registry = await asyncio.to_thread(load_registry, settings.registry_path)
    store = store or await open_store(
        settings.store, data_dir=settings.data_dir,
        blob_connection_string=settings.blob_connection_string.get_secret_value(),
        blob_container=settings.blob_container,
    )
    services = Services(questionnaire, registry, store, clock)
    await ensure_default_wave(services, settings)

    install_key_sets(signing_keys)
    authentication = ConfigurationBotFrameworkAuthentication(settings.bot_framework_config(),
                                                             credentials_factory=credentials_factory)
    connector_clients = reuse_connector_clients(authentication)
    use_fast_json_serialization()
    adapter = CloudAdapter(authentication)
    limiter = RateLimiter()
    people = People(store, registry, settings.admins)
    messenger = Messenger(adapter, settings.app_id, limiter, settings.retry_policy)
    respondent = RespondentDialog(services)
    bot = PoolsterBot(settings, people, respondent, limiter)

    async def render_summary(wave: Wave, centre: Centre) -> dict:
        return await director.summary_card(wave, centre)

    reach = Reach(people, messenger, tenant_id=settings.app_tenant_id, default_service_url=settings.default_service_url)
    summaries = SummaryPublisher(services, reach, messenger, render_summary, interval=settings.summary_update_interval)
    services.listener = summaries

    async def send_summary(wave_id: str, centre_id: str, _: Actor) -> None:
        # The director asked for it and is waiting: a reply, not background traffic.
        await summaries.publish(wave_id, centre_id, fresh=True, priority=Priority.INTERACTIVE)

    director = DirectorDialog(services, respondent, send_summary)
    bot.route_commands(DIRECTOR_COMMANDS, director.on_command)
    bot.route_actions({"adopt_own", "centre_start"}, director.on_payload)
    async def contact_details(user_id: str) -> dict | None:
        known = await people.users.get(user_id)
        return known.model_dump() if known else None

    bot.route_commands({"my_data"}, PrivacyDialog(services, contact_details).on_command)

    async def invitation(item: OutboxItem) -> dict:
        wave = await services.waves.get(item.wave_id)
        centre = registry.centre(item.centre_id)
        return admin_cards.invitation_card(questionnaire, wave, centre.name if centre else "",
                                           reminder=item.purpose != "invite")

    outbox = Outbox(services, reach, messenger, invitation)
    links = DownloadLinks(settings.data_dir / "exports", settings.signing_key.get_secret_value(), settings.public_url)
    admin = AdminDialog(services, OutboxFanout(outbox, messenger, people, admin_cards.launch_report_card),
                        settings.data_dir / "exports", links, settings.reminder_days)
    bot.route_commands(ADMIN_COMMANDS, admin.on_command)
    bot.route_actions({"confirm_launch", "cancel_launch"}, admin.on_payload)
    await outbox.resume(full_scan=True)
    await summaries.refresh_all()

    async def on_turn_error(turn_context: TurnContext, error: Exception) -> None:
        log.error("turn failed", exc_info=(type(error), error, error.__traceback__),
                  extra={"conversation_id": turn_context.activity.conversation.id,
                         "activity_id": turn_context.activity.id})
        try:
            await turn_context.send_activity(TURN_ERROR)
        except Exception:  # noqa: BLE001 - Teams itself may be what failed
            log.warning("could not tell the user about the failure")

    adapter.on_turn_error = on_turn_error
    # What exists now (questionnaire, registry, indexes) lives as long as the process: keep it out of
    # the cyclic garbage collector's way, so full collections stay short however large the store is.
    # (No gc.collect() first: start-up leaves little garbage, and a full collection costs 0.7 s here.)
    gc.freeze()
    return Poolster(settings, services, adapter, bot, people, store, messenger, summaries, outbox, admin, links,
                    connector_clients)


def _json_error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def create_app(poolster: Poolster) -> web.Application:
    settings = poolster.settings
    app = web.Application(client_max_size=settings.max_body_bytes)
    app[POOLSTER_KEY] = poolster

    async def messages(request: web.Request) -> web.Response:
        if request.content_type != "application/json":
            return _json_error(415, "Content-Type must be application/json")
        try:
            body = await request.json()
        except web.HTTPRequestEntityTooLarge:
            return _json_error(413, "body too large")
        except (ValueError, UnicodeDecodeError):
            return _json_error(400, "body is not valid JSON")
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            return _json_error(400, "body is not an activity")
        try:
            activity = Activity().deserialize(body)
        except Exception:  # noqa: BLE001 - msrest raises many kinds on odd shapes
            return _json_error(400, "body is not an activity")
        if not activity.conversation or not activity.from_property or not activity.service_url:
            return _json_error(400, "activity lacks conversation, from or serviceUrl")
        try:
            invoke_response = await poolster.adapter.process_activity(
                request.headers.get("Authorization", ""), activity, poolster.bot.on_turn
            )
        except (PermissionError, jwt.PyJWTError):
            return _json_error(401, "unauthorized")
        except Exception:  # noqa: BLE001 - turn errors are handled inside; what escapes is authentication
            log.warning("request refused during authentication", extra={"path": request.path})
            return _json_error(401, "unauthorized")
        if invoke_response:
            return web.json_response(invoke_response.body, status=invoke_response.status)
        return web.Response(status=201)

    async def healthz(_: web.Request) -> web.Response:
        writable = await poolster.store.check_writable()
        return web.json_response({"status": "ok" if writable else "degraded", "store_writable": writable},
                                 status=200 if writable else 503)

    async def version(_: web.Request) -> web.Response:
        return web.json_response({"name": "poolster", "version": VERSION,
                                  "questionnaire": poolster.services.questionnaire.version})

    async def maintenance_backup(request: web.Request) -> web.Response:
        # Only from this machine, and only with the token the bot wrote into its own data folder.
        token = request.app.get(MAINTENANCE_TOKEN)
        if request.remote not in ("127.0.0.1", "::1") or not token or \
                not secrets.compare_digest(request.headers.get(maintenance.HEADER, ""), token):
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
        return web.FileResponse(path, headers={"Content-Disposition": f'attachment; filename="{path.name}"'})

    async def scheduler(app: web.Application):
        async def every_minute() -> None:
            while True:
                try:
                    await poolster.admin.tick()
                    await poolster.outbox.resume()
                    await poolster.connector_clients.refresh_tokens()
                except Exception:  # noqa: BLE001 - the next minute tries again
                    log.exception("scheduled work failed")
                await asyncio.sleep(60)

        task = asyncio.create_task(every_minute())
        yield
        task.cancel()

    app.cleanup_ctx.append(scheduler)
    app.router.add_get("/exports/{token}", download)
    app.router.add_post("/api/messages", messages)
    app.router.add_post("/maintenance/backup", maintenance_backup)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/version", version)

    async def close_store(_: web.Application) -> None:
        await poolster.summaries.stop()
        await poolster.outbox.stop()
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
        raise ValueError(f"poort {settings.port} op {settings.host} is niet beschikbaar ({error.strerror}); "
                         "draait Poolster hier al? Kies een andere met POOLSTER_PORT.") from error
    log.info("poolster started", extra={
        "version": VERSION, "store": poolster.store.describe(), "auth": settings.auth_mode,
        "tenants": ",".join(settings.allowed_tenants) or "any", "port": settings.port,
    })
    print(f"Poolster {VERSION} luistert op http://{settings.host}:{settings.port}/api/messages — "
          f"opslag: {poolster.store.describe()}; authenticatie: {settings.auth_mode}; "
          f"tenants: {', '.join(settings.allowed_tenants) or 'alle'}", file=sys.stderr, flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


async def export_command(settings: Settings, wave_reference: str, destination: Path) -> list[Path]:
    """The export of the Teams `export` command, from the command line of the people who run the bot."""
    try:
        store = await open_store(settings.store, data_dir=settings.data_dir,
                                 blob_connection_string=settings.blob_connection_string.get_secret_value(),
                                 blob_container=settings.blob_container)
    except StoreLocked as error:
        raise maintenance.MaintenanceError(
            "De bot gebruikt de datamap nog: stop hem eerst, of typ *export* in Teams.") from error
    try:
        services = Services(await asyncio.to_thread(load_questionnaire),
                            await asyncio.to_thread(load_registry, settings.registry_path), store)
        waves = await services.waves.list()
        wave = next((w for w in waves if wave_reference in (w.id, w.name)), None)
        if wave is None:
            known = ", ".join(f"{w.id} ({w.name})" for w in waves) or "geen"
            raise maintenance.MaintenanceError(f"Ronde ‘{wave_reference}’ niet gevonden. Rondes: {known}.")
        return await AdminDialog(services, None, destination, None, ()).export_files(wave)
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
    restore_parser = sub.add_parser("restore", help="put a snapshot back (stop the bot first)")
    restore_parser.add_argument("source", type=Path)
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    if args.command in (None, "run"):
        try:
            asyncio.run(serve(settings))
        except KeyboardInterrupt:
            pass
        except (StoreLocked, ValueError) as error:
            # A second process on the same data folder, an invalid registry or questionnaire: say
            # what is wrong, without a stack trace.
            print(f"Poolster start niet: {error}", file=sys.stderr)
            return 1
        return 0
    try:
        if args.command == "backup":
            how = asyncio.run(maintenance.backup(settings.data_dir, args.destination,
                                                 f"http://127.0.0.1:{settings.port}"))
            print(f"Back-up gemaakt in {args.destination} ({how}).")
        elif args.command == "export":
            for path in asyncio.run(export_command(settings, args.ronde, args.uit)):
                print(f"Geschreven: {path}")
        elif args.command == "restore":
            asyncio.run(maintenance.restore(settings.data_dir, args.source))
            print(f"Back-up {args.source} teruggezet in {settings.data_dir}. Start de bot opnieuw.")
    except maintenance.MaintenanceError as error:
        print(f"Mislukt: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
