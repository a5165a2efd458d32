"""The pieces the background loops are made of: wake-ups, pauses, backoff, start and stop."""

from __future__ import annotations

import asyncio
import time

from refund_svc.application.background import BackgroundWork, Wakeup, backoff_s, pause


async def test_a_wakeup_reaches_every_subscriber() -> None:
    wakeup = Wakeup()
    first, second = wakeup.subscribe(), wakeup.subscribe()

    wakeup.notify()

    assert first.is_set()
    assert second.is_set()


async def test_pause_ends_early_on_stop_or_wake() -> None:
    stop, wake = asyncio.Event(), asyncio.Event()
    started = time.monotonic()

    asyncio.get_running_loop().call_later(0.01, wake.set)
    await pause(stop, 5, wake)
    asyncio.get_running_loop().call_later(0.01, stop.set)
    await pause(stop, 5)
    await pause(stop, 5)  # already stopped: returns at once
    await pause(asyncio.Event(), 0.01)  # nothing happens: the time runs out

    assert time.monotonic() - started < 1


def test_backoff_grows_exponentially_up_to_a_ceiling_with_jitter() -> None:
    delays = [backoff_s(n, base_s=0.1, max_s=2.0) for n in range(10)]

    assert 0.05 <= delays[0] <= 0.1
    assert 0.4 <= delays[3] <= 0.8
    assert all(1.0 <= d <= 2.0 for d in delays[5:])
    assert backoff_s(10_000, base_s=0.1, max_s=2.0) <= 2.0


async def test_a_crashed_loop_is_restarted_and_stop_waits_for_every_loop() -> None:
    runs = 0

    async def flaky(stop: asyncio.Event) -> None:
        nonlocal runs
        runs += 1
        if runs == 1:
            raise RuntimeError("boom")
        await stop.wait()

    work = BackgroundWork()
    work.pause_after_crash_s = 0.01
    work.start("flaky", flaky)
    for _ in range(100):
        if runs == 2:
            break
        await asyncio.sleep(0.005)
    await asyncio.wait_for(work.stop(), 5)

    assert runs == 2
    await work.stop()  # twice is fine
