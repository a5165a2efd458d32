"""Idempotency keys are forgotten after their TTL (never before 24 hours), in small batches."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from refund_svc.application.housekeeping import ForgetOldIdempotencyKeys
from refund_svc.application.ports import IdempotencyRecord
from tests.refund_svc.fakes import NOW, FakeSystem, FakeUnitOfWork


def keys_aged(system: FakeSystem, *hours: int) -> None:
    for i, age in enumerate(hours):
        record = IdempotencyRecord("cus_1", f"k{i}", "f", "r", NOW - timedelta(hours=age))
        system.store.keys[(record.scope, record.request_id)] = record


def forget(system: FakeSystem, ttl_h: int = 48, batch_size: int = 500) -> ForgetOldIdempotencyKeys:
    return ForgetOldIdempotencyKeys(
        unit_of_work=lambda: FakeUnitOfWork(system.store),
        clock=system.clock,
        ttl=timedelta(hours=ttl_h),
        batch_size=batch_size,
    )


async def test_keys_older_than_the_ttl_are_forgotten_in_batches() -> None:
    system = FakeSystem()
    keys_aged(system, 1, 47, 49, 50, 100, 1000)

    forgotten = await forget(system, batch_size=2).execute()

    assert forgotten == 4
    assert sorted(k for _, k in system.store.keys) == ["k0", "k1"]
    assert system.store.commits == 3  # 2 + 2 + 0: no transaction holds the writer long


def test_keys_are_kept_at_least_24_hours() -> None:
    with pytest.raises(ValueError, match="24 hours"):
        forget(FakeSystem(), ttl_h=23)


async def test_the_loop_cleans_up_at_once_and_then_every_interval() -> None:
    system = FakeSystem()
    keys_aged(system, 72)
    stop = asyncio.Event()
    loop = asyncio.create_task(forget(system).run(stop, every_s=0.01))

    await asyncio.sleep(0.005)
    assert system.store.keys == {}
    keys_aged(system, 72)
    await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(loop, 5)

    assert system.store.keys == {}
