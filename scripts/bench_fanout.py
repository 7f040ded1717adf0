"""Wave fan-out: invite N people through a fake connector that enforces Teams' limits.

The connector answers 429 + Retry-After when the app exceeds 50 requests a second or a chat 7 a
second, and fails 2% of the calls with a 500. Measured: time to deliver all against the floor the
limit allows, duplicates and losses. Three cases: people the bot has met (their 1:1 chat is known, as
after the app was installed for them: one request each, floor N / 50 s), people it never met (the
chat must be opened first: two requests each, floor 2N / 50 s), and people it never met, known by
e-mail only, for whom Poolster is not installed: through the fake Graph, which enforces Microsoft's
published limits for Teams calls (30 a second per app and tenant for POST and for GET on installedApps,
429 with Retry-After 1 s beyond) and fails 2% of its calls with a 503 — a look-up, an install, the
listing of the installation and its chat (two GETs), then the send: floor max(2N / 30, N / 50) s.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from datetime import date, datetime, timezone
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference

from bot.people import KnownUser
from survey.waves import Wave
from tests.support.fake_connector import FakeConnector
from tests.support.fake_graph import CATALOG_APP_ID, FakeGraph
from tests.support.harness import start_bot
from tests.support.teams import BOT_ID


async def remember(poolster, people, service_url: str) -> None:
    """As if each person had the app installed: the bot knows their 1:1 chat."""
    for _, person in people:
        user_id = f"29:{person.aad_object_id}"
        reference = ConversationReference(
            channel_id="msteams",
            service_url=service_url,
            bot=ChannelAccount(id=BOT_ID, name="Poolster"),
            user=ChannelAccount(id=user_id, aad_object_id=person.aad_object_id),
            conversation=ConversationAccount(
                id=f"personal-{person.aad_object_id}", conversation_type="personal", tenant_id="tenant-bench"
            ),
        )
        await poolster.people.save_user(
            KnownUser(
                user_id=user_id,
                aad_object_id=person.aad_object_id,
                email=person.email,
                tenant_id="tenant-bench",
                service_url=service_url,
                personal_reference=reference.serialize(),
            )
        )


def write_registry(data_dir: Path, recipients: int, *, with_ids: bool) -> None:
    def person(name: str, key: str) -> dict:
        return {"name": name, "email": f"{key}@c.example", **({"aad_object_id": f"aad-{key}"} if with_ids else {})}

    centres = [
        {
            "id": f"centrum-{c}",
            "name": f"Centrum {c}",
            "director": person("Directeur", f"d{c}"),
            "members": [person(f"Lid {c}-{m}", f"l{c}-{m}") for m in range(9)],
        }
        for c in range((recipients + 9) // 10)
    ]
    (data_dir / "centres.yaml").write_text(yaml.safe_dump({"centres": centres}))


async def bench_fanout(recipients: int, *, met_before: bool, via_graph: bool = False) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        data_dir.mkdir()
        write_registry(data_dir, recipients, with_ids=not via_graph)
        connector = FakeConnector()
        connector.enforce_limits = True
        connector.random_failure_rate = 0.02
        connector.retry_after_seconds = 1
        await connector.start()
        graph = FakeGraph(connector) if via_graph else None
        settings = {}
        if graph is not None:
            await graph.start()
            graph.enforce_limits = True
            graph.random_failure_rate = 0.02
            connector.installed = set()
            settings = {"use_graph": True, "catalog_app_id": CATALOG_APP_ID, "graph_endpoint": graph.url}
        running = await start_bot(
            data_dir,
            default_wave=False,
            allowed_tenants=(),
            default_service_url=connector.url,
            app_tenant_id="tenant-bench",
            **settings,
        )
        try:
            poolster = running.poolster
            now = datetime.now(timezone.utc)
            wave = Wave(
                id="bench", name="Bench", deadline=date(2099, 1, 1), status="open", created_at=now, launched_at=now
            )
            await poolster.services.waves.put(wave, wave.id)
            people = [(c.id, p) for c in poolster.services.registry.centres for p in c.people][:recipients]
            if graph is not None:
                for _, person in people:
                    graph.add_user(f"aad-{person.email.split('@')[0]}", person.email)
            if met_before:
                await remember(poolster, people, connector.url)
            started = time.perf_counter()
            await poolster.outbox.enqueue(wave.id, "invite", people, send=True)
            await poolster.outbox.drain(wave.id)
            elapsed = time.perf_counter() - started
        finally:
            await running.stop()
            await connector.stop()
            if graph is not None:
                await graph.stop()
        delivered = Counter(c.conversation_id for c in connector.sends())
        if via_graph:
            floor = max(2 * recipients / graph.teams_limit, recipients / connector.per_app_limit)
        else:
            floor = recipients * (1 if met_before else 2) / connector.per_app_limit
        rejected = [s for _, s in connector.rejections] + ([r.status for r in graph.requests] if graph else [])
        return {
            "recipients": recipients,
            "met_before": "no, via Graph" if via_graph else "yes" if met_before else "no",
            "seconds": elapsed,
            "floor_s": floor,
            "ratio": elapsed / floor,
            "delivered": len(delivered),
            "duplicates": sum(n - 1 for n in delivered.values() if n > 1),
            "lost": recipients - len(delivered),
            "429s": rejected.count(429),
            "5xx": sum(1 for status in rejected if status >= 500),
        }
