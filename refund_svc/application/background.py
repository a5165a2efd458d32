"""Running the background loops of refund_svc (payouts, the outbox relay, housekeeping).

Loops stop between units of work: on stop, the unit in flight (a payout, a delivery) finishes and
its outcome is stored before the loop returns, so that nothing is left half done by a shutdown.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable

from kit.logs import get_logger

log = get_logger("refund_svc.background")


class Wakeup:
    """Tells the loops that a transaction committed work for them, so that they need not poll fast.

    Each loop subscribes once and gets its own event (one shared event would wake only one loop).
    """

    def __init__(self) -> None:
        self._events: list[asyncio.Event] = []

    def subscribe(self) -> asyncio.Event:
        event = asyncio.Event()
        self._events.append(event)
        return event

    def notify(self) -> None:
        for event in self._events:
            event.set()


async def pause(stop: asyncio.Event, seconds: float, wake: asyncio.Event | None = None) -> None:
    """Sleeps up to `seconds`, less if `stop` (or `wake`) is set meanwhile."""
    waiters = [asyncio.ensure_future(stop.wait())]
    if wake is not None:
        waiters.append(asyncio.ensure_future(wake.wait()))
    try:
        await asyncio.wait(waiters, timeout=max(seconds, 0.0), return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


def backoff_s(failures: int, *, base_s: float, max_s: float) -> float:
    """Exponential, capped, with jitter so that many waiters do not retry in step."""
    ceiling = min(max_s, base_s * 2 ** min(failures, 30))
    return random.uniform(ceiling / 2, ceiling)


class BackgroundWork:
    """The loops of one process: started after start-up, stopped (and awaited) before shutdown."""

    pause_after_crash_s = 1.0

    def __init__(self) -> None:
        self.stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self, name: str, loop: Callable[[asyncio.Event], Awaitable[None]]) -> None:
        self._tasks.append(asyncio.create_task(self._guarded(name, loop), name=name))

    async def _guarded(self, name: str, loop: Callable[[asyncio.Event], Awaitable[None]]) -> None:
        # A loop that crashes must not take the process down silently, nor spin: log, wait, go on.
        while not self.stopping.is_set():
            try:
                await loop(self.stopping)
            except Exception:
                log.exception("background loop crashed; restarting it", loop=name)
                await pause(self.stopping, self.pause_after_crash_s)

    async def stop(self) -> None:
        self.stopping.set()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
