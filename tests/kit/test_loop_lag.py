"""kit.loop_lag: how late the event loop wakes a task, in a Prometheus histogram."""

from __future__ import annotations

import asyncio
import time

import pytest
from prometheus_client import CollectorRegistry, Histogram

from kit.loop_lag import watch_loop_lag


def _lag_histogram() -> tuple[Histogram, CollectorRegistry]:
    registry = CollectorRegistry()
    return Histogram("lag_seconds", "test", buckets=(0.01, 0.1, 1.0), registry=registry), registry


async def test_a_loop_kept_busy_shows_as_lag() -> None:
    histogram, registry = _lag_histogram()
    watching = asyncio.ensure_future(watch_loop_lag(0.01, histogram=histogram))
    await asyncio.sleep(0.05)  # a few wakes on an idle loop
    time.sleep(0.2)  # noqa: ASYNC251  (on purpose: one long synchronous step, every task waits for it)
    await asyncio.sleep(0.05)
    watching.cancel()
    with pytest.raises(asyncio.CancelledError):
        await watching

    count = registry.get_sample_value("lag_seconds_count") or 0
    total = registry.get_sample_value("lag_seconds_sum") or 0
    within_100ms = registry.get_sample_value("lag_seconds_bucket", {"le": "0.1"}) or 0
    assert count >= 3
    assert total >= 0.15  # the blocked step, less the sleep it overran
    assert count - within_100ms >= 1  # the wake that waited for it
