"""The processes of the system, started in dependency order, watched, and stopped cleanly.

Each process is `python -m <package>` configured only by environment variables, as in production
(see the README's production layout). A process that dies unexpectedly is restarted with a
backoff, within a restart budget per time window; Ctrl-C or SIGTERM stops every process with
SIGTERM, so each shuts down gracefully, and `stop` tells whether every one did.

The launcher's own events are JSON lines (kit.logs) on stdout, like the children's, which it
passes through as they are.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import secrets
import signal
import socket
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from kit.logs import get_logger

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PORTS = {
    "support": 50051,
    "refund": 50052,
    "shop": 50053,
    "bff": 8000,
    # Prometheus metrics of the gRPC processes (the BFF serves its own at /metrics).
    "support_metrics": 9151,
    "refund_metrics": 9152,
    "shop_metrics": 9153,
}
START_TIMEOUT_S = 60.0
# A process that exits more often than this is given up on (then the whole system stops); one that
# crashes now and then over a long `make run` keeps being restarted.
MAX_RESTARTS = 5
RESTART_WINDOW_S = 60.0
MAX_BACKOFF_S = 8.0
WATCH_POLL_S = 0.5

log = get_logger("launcher")


def free_port() -> int:
    """A loopback port where nothing listens, for a server about to start there.

    It is drawn from below the kernel's range for outgoing connections: a port from bind(0) comes
    out of that range, so any client connecting meanwhile could take it as its source port before
    the server binds it (seen once in `make test`). Never the same port twice in one process.
    """
    first_outgoing, _ = _outgoing_port_range()
    low = 10_000 if first_outgoing > 12_000 else 1_024
    for _ in range(1_000):
        port = random.randrange(low, first_outgoing)
        if port in _ports_handed_out:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _ports_handed_out.add(port)
        return port
    raise RuntimeError(f"no free port found between {low} and {first_outgoing}")


_ports_handed_out: set[int] = set()


def _outgoing_port_range() -> tuple[int, int]:
    try:
        first, last = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(first), int(last)
    except (OSError, ValueError):
        return 32_768, 60_999  # Linux's default


@dataclass
class Layout:
    """Where everything listens and keeps its files."""

    data_dir: Path
    ports: dict[str, int]
    redis_url: str
    identity_secret: str
    static_dir: Path = REPO / "frontend" / "dist"
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def bff_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['bff']}"

    def addr(self, name: str) -> str:
        return f"127.0.0.1:{self.ports[name]}"

    def env_for(self, name: str) -> dict[str, str]:
        env = {
            **os.environ,
            "ACME_IDENTITY_SECRET": self.identity_secret,
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }
        if name == "shop":
            env["SHOP_PORT"] = str(self.ports["shop"])
            env["SHOP_METRICS_PORT"] = str(self.ports["shop_metrics"])
        elif name == "support":
            env |= {
                "SUPPORT_PORT": str(self.ports["support"]),
                "SUPPORT_DB_PATH": str(self.data_dir / "support.db"),
                "SUPPORT_SHOP_ADDR": self.addr("shop"),
                "SUPPORT_REFUND_ADDR": self.addr("refund"),
                "SUPPORT_METRICS_PORT": str(self.ports["support_metrics"]),
            }
        elif name == "refund":
            env |= {
                "REFUND_PORT": str(self.ports["refund"]),
                "REFUND_DB_PATH": str(self.data_dir / "refund.db"),
                "REFUND_SHOP_ADDR": self.addr("shop"),
                "REFUND_SUPPORT_ADDR": self.addr("support"),
                "REFUND_METRICS_PORT": str(self.ports["refund_metrics"]),
            }
        elif name == "bff":
            env |= {
                "BFF_PORT": str(self.ports["bff"]),
                "BFF_SUPPORT_ADDR": self.addr("support"),
                "BFF_REFUND_ADDR": self.addr("refund"),
                "BFF_SHOP_ADDR": self.addr("shop"),
                "BFF_REDIS_URL": self.redis_url,
                "BFF_STATIC_DIR": str(self.static_dir),
                # The UI is served by the BFF itself (same origin), or by Vite's dev server on 5173.
                "BFF_ALLOWED_ORIGINS": ",".join(
                    f"http://{host}:{port}"
                    for host in ("127.0.0.1", "localhost")
                    for port in (self.ports["bff"], 5173)
                ),
            }
        return env

    def to_json(self) -> str:
        return json.dumps(
            {
                "bff_url": self.bff_url,
                "ports": self.ports,
                "data_dir": str(self.data_dir),
                "redis_url": self.redis_url,
            },
            indent=2,
        )


# Start order: the shop first (everyone reads orders), then the services, then the BFF.
PROCESSES: dict[str, str] = {
    "shop": "shop_stub",
    "support": "support_svc",
    "refund": "refund_svc",
    "bff": "bff",
}

# Processes in one stage start together; a stage starts once the one before it is ready.
START_STAGES: tuple[tuple[str, ...], ...] = (("shop",), ("support", "refund"), ("bff",))


async def grpc_serving(addr: str) -> bool:
    try:
        async with grpc.aio.insecure_channel(addr) as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            reply = await stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=1.0)
            return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)
    except grpc.aio.AioRpcError:
        return False


async def http_ready(url: str) -> bool:
    host, _, port = url.removeprefix("http://").partition(":")
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), 1.0)
    except (OSError, TimeoutError):
        return False
    try:
        writer.write(f"GET /api/health HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 2.0)
        return b" 200 " in status_line
    except (OSError, TimeoutError):
        return False
    finally:
        writer.close()


class RestartBudget:
    """At most `max_restarts` restarts within any `window_s` seconds."""

    def __init__(self, max_restarts: int = MAX_RESTARTS, window_s: float = RESTART_WINDOW_S) -> None:
        if max_restarts < 1 or window_s <= 0:
            raise ValueError(
                f"a restart budget needs max_restarts >= 1 and window_s > 0, got {max_restarts}, {window_s}"
            )
        self.max_restarts = max_restarts
        self.window_s = window_s
        self._times: deque[float] = deque()

    def recent(self, now: float) -> int:
        """How many restarts fall within the window ending at `now`."""
        while self._times and self._times[0] <= now - self.window_s:
            self._times.popleft()
        return len(self._times)

    def take(self, now: float) -> bool:
        """Spends one restart at `now`; false (nothing spent) when the window's budget is used up."""
        if self.recent(now) >= self.max_restarts:
            return False
        self._times.append(now)
        return True


@dataclass(frozen=True)
class ProcessExit:
    """How a process ended when the supervisor stopped it."""

    returncode: int | None
    killed: bool  # still running after the grace, so SIGKILLed

    @property
    def clean(self) -> bool:
        return not self.killed and self.returncode == 0


def echo_child_line(name: str, line: str) -> None:
    """A child's JSON log line as it is (it names its service); anything else (a traceback printed
    before its logging was set up) wrapped as a launcher event."""
    if line.startswith("{"):
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
    elif line:
        log.info("output", process=name, line=line)


class Supervisor:
    """Starts the processes, restarts one that dies, and stops them all on request."""

    def __init__(
        self,
        layout: Layout,
        echo: Callable[[str, str], None] | None = None,
        *,
        tee: bool = True,
        max_restarts: int = MAX_RESTARTS,
        restart_window_s: float = RESTART_WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.layout = layout
        self.echo = echo or echo_child_line
        # tee: each child's lines pass through this process (to its log file and to `echo`). Without,
        # a child writes its log file itself: nothing per log line is spent here (--quiet, the bench).
        self.tee = tee
        self.clock = clock
        self.procs: dict[str, asyncio.subprocess.Process] = {}
        self._pumps: list[asyncio.Task[None]] = []
        self._stopping = False
        self.restarts: dict[str, int] = dict.fromkeys(PROCESSES, 0)
        self.budgets = {name: RestartBudget(max_restarts, restart_window_s) for name in PROCESSES}
        self.gave_up: str | None = None
        self.exits: dict[str, ProcessExit] = {}
        self.log_dir = layout.data_dir / "logs"

    async def _spawn(self, name: str) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with (self.log_dir / f"{name}.log").open("ab") as log_file:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                PROCESSES[name],
                cwd=REPO,
                env=self.layout.env_for(name),
                stdout=asyncio.subprocess.PIPE if self.tee else log_file,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C in the terminal reaches us only; we stop children ourselves
            )
        self.procs[name] = proc
        if self.tee:
            self._pumps.append(asyncio.create_task(self._pump(name, proc)))

    async def _pump(self, name: str, proc: asyncio.subprocess.Process) -> None:
        assert proc.stdout is not None
        with (self.log_dir / f"{name}.log").open("ab") as log_file:
            async for raw in proc.stdout:
                log_file.write(raw)
                log_file.flush()
                self.echo(name, raw.decode(errors="replace").rstrip())

    async def _wait_ready(self, name: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            proc = self.procs[name]
            if proc.returncode is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode} while starting; see {self.log_dir}")
            ready = (
                await http_ready(self.layout.bff_url)
                if name == "bff"
                else await grpc_serving(self.layout.addr(name))
            )
            if ready:
                return
            await asyncio.sleep(0.2)
        raise RuntimeError(f"{name} did not become ready within {START_TIMEOUT_S:.0f} s; see {self.log_dir}")

    async def start(self) -> None:
        self.layout.data_dir.mkdir(parents=True, exist_ok=True)
        for stage in START_STAGES:
            for name in stage:
                await self._spawn(name)
                log.info("process started", process=name, pid=self.procs[name].pid)
            await asyncio.gather(*(self._wait_ready(name) for name in stage))
            log.info("processes ready", processes=list(stage))

    async def watch(self, stop: asyncio.Event) -> None:
        """Restarts a process that exits on its own, with a backoff, until `stop` is set; gives up
        (and sets `stop`) on one that used up its restart budget."""
        while not stop.is_set():
            for name, proc in list(self.procs.items()):
                if proc.returncode is None or self._stopping:
                    continue
                budget = self.budgets[name]
                if not budget.take(self.clock()):
                    self.gave_up = name
                    log.error(
                        "process keeps failing; giving up",
                        process=name,
                        returncode=proc.returncode,
                        restarts_in_window=budget.max_restarts,
                        window_s=budget.window_s,
                        log_file=str(self.log_dir / f"{name}.log"),
                    )
                    stop.set()
                    break
                self.restarts[name] += 1
                # The backoff grows with the restarts in the window, and shrinks again once it passes.
                delay = min(2 ** budget.recent(self.clock()) / 4, MAX_BACKOFF_S)
                log.warning(
                    "process exited; restarting", process=name, returncode=proc.returncode, delay_s=delay
                )
                await asyncio.sleep(delay)
                await self._spawn(name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), WATCH_POLL_S)

    async def stop(self, grace_s: float = 15.0) -> bool:
        """SIGTERM to every process in reverse order, SIGKILL to any still running after the grace.
        Records how each ended in `exits`; true when every one exited 0 within the grace."""
        self._stopping = True
        for name in reversed(list(self.procs)):
            proc = self.procs[name]
            killed = False
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(proc.wait(), grace_s)
                except TimeoutError:
                    log.error(
                        "process did not stop within the grace; killing it", process=name, grace_s=grace_s
                    )
                    proc.kill()
                    await proc.wait()
                    killed = True
            self.exits[name] = ProcessExit(proc.returncode, killed)
        for pump in self._pumps:
            pump.cancel()
        unclean = {name: ended.returncode for name, ended in self.exits.items() if not ended.clean}
        if unclean:
            log.error("processes did not stop cleanly", returncodes=unclean)
        return not unclean


def new_secret() -> str:
    return secrets.token_urlsafe(48)
