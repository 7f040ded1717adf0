"""Serve an aiohttp app on a free port of 127.0.0.1, for the bot and the fake services of the tests."""

from __future__ import annotations

from aiohttp import web


async def serve_on_loopback(app: web.Application, **runner_options) -> tuple[web.AppRunner, str]:
    """Start `app`; returns its runner (clean it up to stop) and its base URL, http://127.0.0.1:<port>."""
    runner = web.AppRunner(app, access_log=None, **runner_options)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, f"http://127.0.0.1:{port}"
