"""The BFF measures how late its event loop runs what is due (kit.loop_lag), served at /metrics."""

from __future__ import annotations

import asyncio
import time

from prometheus_client import REGISTRY

from tests.bff.helpers import client, running, settings


async def test_the_app_measures_how_late_its_event_loop_runs_while_it_runs() -> None:
    before = REGISTRY.get_sample_value("asyncio_event_loop_lag_seconds_count") or 0
    async with running(settings()) as app, client(app) as http:
        deadline = time.monotonic() + 5
        while (REGISTRY.get_sample_value("asyncio_event_loop_lag_seconds_count") or 0) <= before:
            assert time.monotonic() < deadline, "no lag measured while the app ran"
            await asyncio.sleep(0.05)
        scraped = await http.get("/metrics")

    assert "asyncio_event_loop_lag_seconds_bucket" in scraped.text
