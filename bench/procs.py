"""Processes the benchmark starts and stops, and CPU accounting from /proc.

Every process started here is started by this module and stopped by pid (SIGTERM, then SIGKILL
after a grace), never by name. CPU is read from /proc/<pid>/stat (utime + stime) and /proc/stat,
so each scenario can say how much CPU each process used and how much went to processes that are
not part of the benchmark at all (a busy machine is visible in the results, not hidden in them).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import grpc

REPO = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_s(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime (fields 14, 15)


def machine_cpu_s() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


def children_of(pid: int) -> dict[int, str]:
    """Direct children of `pid`: {pid: command line}."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                found[int(entry.name)] = (
                    (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
                )
        except (OSError, ValueError, IndexError):
            continue
    return found


def stop_pid(pid: int, expected_cmdline: str, grace_s: float = 10.0) -> bool:
    """SIGTERM, then SIGKILL after the grace, to `pid` if it is still the process we started (its
    command line contains `expected_cmdline`). Returns whether it was still running."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return False
    if expected_cmdline not in cmdline:
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
            time.sleep(0.1)
        if Path(f"/proc/{pid}").exists():
            os.kill(pid, signal.SIGKILL)
    return True


def pids_named(name: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() == name:
                    pids.append(int(entry.name))
    return pids


@dataclass
class CpuMeter:
    """CPU used by named processes between start() and stop(), as percent of one core."""

    pids: dict[str, int] = field(default_factory=dict)
    _start: dict[str, float] = field(default_factory=dict)
    _machine: tuple[float, float] = (0.0, 0.0)
    _wall: float = 0.0

    def start(self) -> None:
        self._wall = time.monotonic()
        self._machine = machine_cpu_s()
        self._start = {
            name: cpu for name, pid in self.pids.items() if (cpu := process_cpu_s(pid)) is not None
        }

    def stop(self) -> dict[str, float]:
        wall = time.monotonic() - self._wall
        busy0, total0 = self._machine
        busy1, total1 = machine_cpu_s()
        result: dict[str, float] = {}
        ours = 0.0
        for name, pid in self.pids.items():
            cpu = process_cpu_s(pid)
            if cpu is None or name not in self._start:
                continue
            used = cpu - self._start[name]
            ours += used
            result[name] = round(100 * used / wall, 1) if wall > 0 else 0.0
        cores = (total1 - total0) / wall if wall > 0 else 1.0
        result["machine_busy"] = round(100 * (busy1 - busy0) / wall, 1) if wall > 0 else 0.0
        result["outside_benchmark"] = (
            round(max(0.0, 100 * ((busy1 - busy0) - ours) / wall), 1) if wall else 0.0
        )
        result["cores"] = round(cores, 2)
        return result


def background_cpu_percent(seconds: float = 2.0) -> float:
    """How busy the machine is before we start (percent of one core)."""
    busy0, _ = machine_cpu_s()
    time.sleep(seconds)
    busy1, _ = machine_cpu_s()
    return round(100 * (busy1 - busy0) / seconds, 1)


@dataclass
class Started:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self, grace_s: float = 15.0) -> None:
        if self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(grace_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def start(name: str, args: list[str], env: Mapping[str, str], log_dir: Path) -> Started:
    """`python <args>` in the repo, its output into log_dir/<name>.log."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"{name}.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, *args],
            cwd=REPO,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # our Ctrl-C does not reach it; we stop it ourselves
        )
    return Started(name, proc, log)


async def wait_http(port: int, started: Started, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if started.proc.poll() is not None:
            raise RuntimeError(f"{started.name} exited with {started.proc.returncode}; see {started.log}")
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.write(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        await writer.drain()
        line = await reader.readline()
        writer.close()
        if line.startswith(b"HTTP/1.1"):
            return
        await asyncio.sleep(0.1)
    raise RuntimeError(
        f"{started.name} did not answer on port {port} within {timeout_s:.0f} s; see {started.log}"
    )


async def wait_grpc(port: int, started: Started, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        while time.monotonic() < deadline:
            if started.proc.poll() is not None:
                raise RuntimeError(f"{started.name} exited with {started.proc.returncode}; see {started.log}")
            try:
                await asyncio.wait_for(channel.channel_ready(), 0.5)
                return
            except TimeoutError:
                continue
    raise RuntimeError(
        f"{started.name} did not serve gRPC on port {port} within {timeout_s:.0f} s; see {started.log}"
    )
