"""The supervisor's policies, without the real system: the restart budget per time window (with a
fake clock and stand-in processes that crash at once), and how `stop` reports each exit (with tiny
real child processes)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest

from launcher import system
from launcher.system import Layout, ProcessExit, RestartBudget, Supervisor


def test_the_budget_refuses_a_restart_past_its_window_limit_and_recovers_when_the_window_passes() -> None:
    budget = RestartBudget(max_restarts=3, window_s=60)
    assert [budget.take(t) for t in (0, 1, 2)] == [True, True, True]
    assert not budget.take(30)  # a 4th within 60 s
    assert budget.recent(30) == 3
    assert budget.take(60.5)  # the restart at 0 s has left the window
    assert not budget.take(60.9)  # those at 1 s and 2 s are still within it
    assert budget.take(62.5)


@pytest.mark.parametrize(("max_restarts", "window_s"), [(0, 60), (5, 0), (5, -1)])
def test_a_budget_that_allows_nothing_is_refused_by_name(max_restarts: int, window_s: float) -> None:
    with pytest.raises(ValueError, match="max_restarts >= 1 and window_s > 0"):
        RestartBudget(max_restarts, window_s)


class CrashedProcess:
    """Stands in for an asyncio subprocess that has already exited with an error."""

    pid = 0
    returncode = 1


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def crashing_supervisor(
    tmp_path: Path, clock: Clock, seconds_between_crashes: list[float], stop: asyncio.Event
) -> Supervisor:
    """A supervisor of one process, "shop", that crashes as soon as it starts; before each restart
    the clock moves on by the next of `seconds_between_crashes`; when they run out, `stop` is set."""
    layout = Layout(data_dir=tmp_path, ports={}, redis_url="", identity_secret="x" * 48)
    sup = Supervisor(layout, echo=lambda name, line: None, max_restarts=5, restart_window_s=60, clock=clock)
    sup.procs["shop"] = CrashedProcess()  # type: ignore[assignment]
    gaps = iter(seconds_between_crashes)

    async def spawn(name: str) -> None:
        sup.procs[name] = CrashedProcess()  # type: ignore[assignment]
        gap = next(gaps, None)
        if gap is None:
            stop.set()
        else:
            clock.now += gap

    sup._spawn = spawn  # type: ignore[method-assign]
    return sup


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(system, "MAX_BACKOFF_S", 0.0)
    monkeypatch.setattr(system, "WATCH_POLL_S", 0.001)


async def test_a_process_crashing_now_and_then_is_restarted_for_as_long_as_it_takes(tmp_path: Path) -> None:
    clock, stop = Clock(), asyncio.Event()
    # Twelve crashes in all, never more than 3 within a minute: far past 5 in total.
    sup = crashing_supervisor(tmp_path, clock, [25.0] * 11, stop)
    async with asyncio.timeout(10):
        await sup.watch(stop)  # returns when the crashes run out
    assert sup.gave_up is None
    assert sup.restarts["shop"] == 12


async def test_a_process_crashing_faster_than_its_budget_is_given_up_and_the_system_stops(
    tmp_path: Path,
) -> None:
    clock, stop = Clock(), asyncio.Event()
    sup = crashing_supervisor(tmp_path, clock, [1.0] * 12, stop)
    async with asyncio.timeout(10):
        await sup.watch(stop)  # returns once it gives up
    assert stop.is_set()
    assert sup.gave_up == "shop"
    assert sup.restarts["shop"] == 5


CHILD = """
import signal, sys, time
{handler}
print("ready", flush=True)
time.sleep(30)
"""
STOPS_CLEANLY = "signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))"
IGNORES_SIGTERM = "signal.signal(signal.SIGTERM, signal.SIG_IGN)"
DIES_OF_SIGTERM = ""  # the default action: killed by the signal, no clean exit


async def child(handler: str) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CHILD.format(handler=handler), stdout=asyncio.subprocess.PIPE
    )
    assert proc.stdout is not None
    assert await asyncio.wait_for(proc.stdout.readline(), 10) == b"ready\n"  # its handler is set
    return proc


async def stop_children(tmp_path: Path, **handlers: str) -> tuple[bool, dict[str, ProcessExit]]:
    layout = Layout(data_dir=tmp_path, ports={}, redis_url="", identity_secret="x" * 48)
    sup = Supervisor(layout, echo=lambda name, line: None)
    procs: dict[str, Any] = {name: await child(handler) for name, handler in handlers.items()}
    sup.procs.update(procs)
    clean = await sup.stop(grace_s=1.0)
    return clean, sup.exits


async def test_stop_is_clean_when_every_process_exits_0_within_the_grace(tmp_path: Path) -> None:
    clean, exits = await stop_children(tmp_path, shop=STOPS_CLEANLY, bff=STOPS_CLEANLY)
    assert clean
    assert exits == {"shop": ProcessExit(0, killed=False), "bff": ProcessExit(0, killed=False)}


async def test_stop_records_a_process_killed_after_the_grace_and_one_that_died_of_the_signal(
    tmp_path: Path,
) -> None:
    clean, exits = await stop_children(
        tmp_path, shop=STOPS_CLEANLY, support=IGNORES_SIGTERM, bff=DIES_OF_SIGTERM
    )
    assert not clean
    assert exits["shop"] == ProcessExit(0, killed=False)
    assert exits["support"] == ProcessExit(-9, killed=True)
    assert exits["bff"] == ProcessExit(-15, killed=False)
    assert not exits["bff"].clean
