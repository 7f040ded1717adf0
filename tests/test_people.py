"""Where Teams reached the bot from is remembered per tenant, and written only when it changes."""

from __future__ import annotations

from bot.people import Endpoint, People
from storage.memory import InMemoryStore
from survey.registry import Registry


async def test_endpoints_are_kept_per_tenant_and_not_rewritten_on_every_turn():
    store = InMemoryStore()
    writes: list[str] = []
    write = store.write

    async def counting_write(changes):
        writes.extend(changes)
        await write(changes)

    store.write = counting_write
    people = People(store, Registry(), ())
    emea, amer = "https://smba.example/emea/", "https://smba.example/amer/"
    for _ in range(50):  # turns from two schools' tenants, interleaved
        await people._remember_endpoint(Endpoint(service_url=emea, tenant_id="school-a"))
        await people._remember_endpoint(Endpoint(service_url=emea, tenant_id="school-b"))
    assert len(writes) == 3, "school-a, school-b and 'any tenant', once each"

    await people._remember_endpoint(Endpoint(service_url=amer, tenant_id="school-b"))
    fresh = People(store, Registry(), ())  # after a restart
    assert (await fresh.endpoint_for("school-b")).service_url == amer
    assert (await fresh.endpoint_for("school-a")).service_url == emea
    assert (await fresh.endpoint_for("")).service_url == amer
    assert await fresh.endpoint_for("school-c") is None
