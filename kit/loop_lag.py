"""How late each process's event loop runs what is due, as a Prometheus histogram.

A task asks to sleep `every_s` and measures how much later it woke: for that long the loop was busy
with other work (requests, a long synchronous step, a garbage collection), and every request that
came in meanwhile waited as long. In a process that is one event loop this is where tail latency
shows first: at the BFF's p99 a case page spent well under a millisecond in the services it called,
and the rest waiting for its own loop (bench/README.md).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from prometheus_client import Histogram

EVENT_LOOP_LAG = Histogram(
    "asyncio_event_loop_lag_seconds",
    "How much later than asked the event loop woke a task: how long it was busy with other work",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)


async def watch_loop_lag(
    every_s: float = 0.25,
    *,
    histogram: Histogram = EVENT_LOOP_LAG,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Runs until cancelled (a task of the process's lifespan)."""
    while True:
        asked = clock()
        await asyncio.sleep(every_s)
        histogram.observe(max(0.0, clock() - asked - every_s))
