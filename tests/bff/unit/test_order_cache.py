"""Order lookups: cache-aside in real Redis, single-flight, TTL; straight to the shop when Redis is down."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bff import schemas
from bff.orders import OrderLookup, ShopOrder
from bff.store import RedisStore
from kit.identity import Identity, Role
from launcher.system import free_port
from tests.bff.fakes import FakeOrderSource

ANA = Identity("cus_1001", Role.CUSTOMER)


def _order(order_id: str, customer_id: str = "cus_1001") -> ShopOrder:
    euros = schemas.Money(amount_minor=1200, currency="EUR")
    return ShopOrder(
        customer_id=customer_id,
        order=schemas.Order(
            id=order_id,
            placed_at=datetime(2026, 3, 1, tzinfo=UTC),
            delivered_at=None,
            status="paid",
            total=euros,
            lines=[
                schemas.OrderLine(id="ln_1", product_title="Mug", quantity=1, unit_price=euros, paid=euros)
            ],
        ),
    )


async def test_fifty_concurrent_misses_make_one_upstream_call(redis_store: RedisStore, prefix: str) -> None:
    source = FakeOrderSource([_order("ord_1")])
    source.release.clear()  # hold the upstream call open so that every lookup misses meanwhile
    lookup = OrderLookup(source, redis_store, prefix=prefix, ttl_s=60)

    pending = [asyncio.ensure_future(lookup.order(ANA, "ord_1")) for _ in range(50)]
    await asyncio.sleep(0.05)
    source.release.set()
    results = await asyncio.gather(*pending)

    assert source.calls == 1
    assert all(r is not None and r.order.id == "ord_1" for r in results)


async def test_a_cached_order_is_served_from_redis_with_the_ttl(redis_store: RedisStore, prefix: str) -> None:
    source = FakeOrderSource([_order("ord_1")])
    lookup = OrderLookup(source, redis_store, prefix=prefix, ttl_s=30)

    first = await lookup.order(ANA, "ord_1")
    second = await lookup.order(ANA, "ord_1")
    ttl = await redis_store.ttl(lookup.order_key("ord_1"))

    assert source.calls == 1
    assert first == second
    assert ttl is not None
    assert 25 < ttl <= 30


async def test_an_expired_entry_is_fetched_again(redis_store: RedisStore, prefix: str) -> None:
    source = FakeOrderSource([_order("ord_1")])
    lookup = OrderLookup(source, redis_store, prefix=prefix, ttl_s=0.15)

    await lookup.order(ANA, "ord_1")
    await asyncio.sleep(0.25)
    await lookup.order(ANA, "ord_1")

    assert source.calls == 2


async def test_a_customers_list_also_fills_the_single_order_keys(
    redis_store: RedisStore, prefix: str
) -> None:
    source = FakeOrderSource([_order("ord_1"), _order("ord_2"), _order("ord_9", "cus_1002")])
    lookup = OrderLookup(source, redis_store, prefix=prefix, ttl_s=60)

    orders = await lookup.orders_of(ANA, "cus_1001")
    again = await lookup.orders_of(ANA, "cus_1001")
    single = await lookup.order(ANA, "ord_2")

    assert [o.order.id for o in orders] == ["ord_1", "ord_2"] == [o.order.id for o in again]
    assert single is not None
    assert single.customer_id == "cus_1001"
    assert source.calls == 1


async def test_an_unknown_order_is_none_and_not_cached(redis_store: RedisStore, prefix: str) -> None:
    source = FakeOrderSource([])
    lookup = OrderLookup(source, redis_store, prefix=prefix, ttl_s=60)

    assert await lookup.order(ANA, "ord_404") is None
    assert await lookup.order(ANA, "ord_404") is None
    assert source.calls == 2


async def test_with_redis_down_every_lookup_goes_to_the_shop() -> None:
    dead = RedisStore(f"redis://127.0.0.1:{free_port()}/0", timeout_s=0.2)
    source = FakeOrderSource([_order("ord_1")])
    lookup = OrderLookup(source, dead, prefix="x:", ttl_s=60)
    try:
        first = await lookup.order(ANA, "ord_1")
        second = await lookup.orders_of(ANA, "cus_1001")
    finally:
        await dead.close()

    assert first is not None
    assert first.order.id == "ord_1"
    assert [o.order.id for o in second] == ["ord_1"]
    assert source.calls == 2


async def test_an_upstream_failure_reaches_every_waiter_and_is_not_cached(
    redis_store: RedisStore, prefix: str
) -> None:
    source = FakeOrderSource([_order("ord_1")], fail=RuntimeError("shop down"))
    source.release.clear()
    lookup = OrderLookup(source, redis_store, prefix=prefix, ttl_s=60)

    pending = [asyncio.ensure_future(lookup.order(ANA, "ord_1")) for _ in range(5)]
    await asyncio.sleep(0.02)
    source.release.set()
    results = await asyncio.gather(*pending, return_exceptions=True)
    source.fail = None
    recovered = await lookup.order(ANA, "ord_1")

    assert all(isinstance(r, RuntimeError) for r in results)
    assert recovered is not None
    assert source.calls == 2


async def test_a_caller_that_gives_up_does_not_cancel_the_others(
    redis_store: RedisStore, prefix: str
) -> None:
    source = FakeOrderSource([_order("ord_1")])
    source.release.clear()
    lookup = OrderLookup(source, redis_store, prefix=prefix, ttl_s=60)

    impatient = asyncio.ensure_future(lookup.order(ANA, "ord_1"))
    patient = asyncio.ensure_future(lookup.order(ANA, "ord_1"))
    await asyncio.sleep(0.02)
    impatient.cancel()
    source.release.set()

    with pytest.raises(asyncio.CancelledError):
        await impatient
    assert (await patient) is not None
    assert source.calls == 1


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_orders_stay_in_memory_for_the_near_ttl_then_come_from_redis_again(
    redis_store: RedisStore, prefix: str
) -> None:
    source = FakeOrderSource([_order("ord_1"), _order("ord_2")])
    clock = Clock()
    lookup = OrderLookup(source, redis_store, prefix=prefix, ttl_s=60, near_ttl_s=5, clock=clock)

    first = await lookup.order(ANA, "ord_1")  # from the shop, into Redis and memory
    await redis_store.delete(lookup.order_key("ord_1"))
    clock.now += 4.9
    near = await lookup.order(ANA, "ord_1")  # memory: Redis is not asked (the key is gone there)
    clock.now += 0.2
    after = await lookup.order(ANA, "ord_1")  # expired in memory, gone from Redis: the shop again

    assert first is near  # the same object: handed out read-only
    assert after == first
    assert source.calls == 2


async def test_the_near_cache_keeps_at_most_its_size_dropping_the_least_recently_used(
    redis_store: RedisStore, prefix: str
) -> None:
    source = FakeOrderSource([_order(f"ord_{n}") for n in range(4)])
    lookup = OrderLookup(source, redis_store, prefix=prefix, ttl_s=60, near_ttl_s=5, near_size=2)

    for n in range(4):
        await lookup.order(ANA, f"ord_{n}")
    for n in range(4):
        await redis_store.delete(lookup.order_key(f"ord_{n}"))
    for n in (2, 3, 0):
        await lookup.order(ANA, f"ord_{n}")

    assert source.calls == 5  # ord_2 and ord_3 from memory; ord_0 was dropped: the shop again


async def test_a_customers_list_stays_in_memory_too(redis_store: RedisStore, prefix: str) -> None:
    source = FakeOrderSource([_order("ord_1"), _order("ord_2")])
    lookup = OrderLookup(source, redis_store, prefix=prefix, ttl_s=60, near_ttl_s=5)

    first = await lookup.orders_of(ANA, "cus_1001")
    await redis_store.delete(lookup.customer_key("cus_1001"))
    again = await lookup.orders_of(ANA, "cus_1001")

    assert again is first
    assert source.calls == 1


async def test_another_process_keeps_an_order_in_memory_only_until_the_shared_entry_ends(
    redis_store: RedisStore, prefix: str
) -> None:
    source = FakeOrderSource([_order("ord_1")])
    clock = Clock()
    first = OrderLookup(source, redis_store, prefix=prefix, ttl_s=60, near_ttl_s=60, clock=clock)
    second = OrderLookup(source, redis_store, prefix=prefix, ttl_s=60, near_ttl_s=60, clock=clock)

    await first.order(ANA, "ord_1")  # asked of the shop at 1000: shown until 1060 at the latest
    clock.now += 40
    read = await second.order(ANA, "ord_1")  # from Redis, 40 s old
    await redis_store.delete(first.order_key("ord_1"))
    clock.now += 19.9
    kept = await second.order(ANA, "ord_1")  # memory: Redis is not asked (the key is gone there)
    clock.now += 0.2
    again = await second.order(ANA, "ord_1")  # 60.1 s after the shop was asked: the shop again

    assert read is kept
    assert again is not None
    assert again is not read
    assert source.calls == 2


async def test_a_shared_entry_older_than_the_ttl_is_not_taken(redis_store: RedisStore, prefix: str) -> None:
    source = FakeOrderSource([_order("ord_1")])
    clock = Clock()
    writer = OrderLookup(source, redis_store, prefix=prefix, ttl_s=60, clock=clock)
    await writer.order(ANA, "ord_1")  # stamped 1000; Redis keeps it for 60 s of real time
    clock.now += 60.5  # a process whose clock says the entry is past its TTL

    reader = OrderLookup(source, redis_store, prefix=prefix, ttl_s=60, near_ttl_s=60, clock=clock)
    await reader.order(ANA, "ord_1")

    assert source.calls == 2


@pytest.mark.parametrize("entry", [b'{"customer_id": "cus_1001"}', b"soon\n{}", b""])
async def test_an_entry_this_code_cannot_read_is_a_miss(
    redis_store: RedisStore, prefix: str, entry: bytes
) -> None:
    source = FakeOrderSource([_order("ord_1")])
    lookup = OrderLookup(source, redis_store, prefix=prefix, ttl_s=60)
    await redis_store.set(lookup.order_key("ord_1"), entry, 60)

    found = await lookup.order(ANA, "ord_1")
    again = await lookup.order(ANA, "ord_1")  # the shop's answer replaced it

    assert found is not None
    assert found.order.id == "ord_1"
    assert again == found
    assert source.calls == 1
