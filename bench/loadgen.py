"""The load generator: its own process, one event loop (uvloop), driven by a JSON plan.

    python -m bench.loadgen PLAN.json RESULT.json     (PLAN: one plan, or a list run in turn)

HTTP/1.1 (plan "kind": "http"): raw asyncio protocols over keep-alive connections, responses parsed
by httptools; no client library in the way.
- open loop ("mode": "open"): request k is due at start + k / rate, whatever happened before. It goes
  to the next connection of the role its endpoint needs (round robin); a connection that is still
  busy queues it. Latency runs from the DUE time to the last byte of the answer, so a stalled server
  cannot hide its stall by slowing the generator down (no coordinated omission).
- closed loop ("mode": "closed"): each connection sends its next request as soon as the previous
  answer arrives; latency runs from the send. This measures throughput ceilings.

gRPC (plan "kind": "grpc"): unary calls on grpc.aio channels with pre-serialised requests (bytes in,
bytes out: the generator spends nothing on protobuf), open or closed loop as above.

Only the window after the warm-up counts. The result holds every endpoint's throughput, p50/p95/p99/
max and errors, plus the generator's own health: how late the scheduler fired (scheduler lag) and
how much CPU it used, so a saturated generator is visible instead of silently skewing the figures.
"""

from __future__ import annotations

import asyncio
import base64
import bisect
import contextlib
import gc
import itertools
import json
import random
import re
import resource
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import grpc
import httptools
import uvloop

from bench.stats import EndpointSamples, Recorder

CONNECT_BATCH = 256
# The BFF turning a request away past its bound on work in flight (bff/admission.py): counted as
# "shed", apart from 503s that say something is down.
SHED, SHED_REASON = "shed", b'"SERVER_BUSY"'
MAX_RETRY_AFTER_S = 5.0  # a closed-loop connection told to come back later waits at most this
now = time.perf_counter


def raise_open_files_limit() -> int:
    """Soft limit up to the hard limit (5,000 sockets need more than the usual 1,024)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else 1_048_576
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Window:
    """Which requests count: due (open loop) or sent (closed loop) inside [start, end)."""

    def __init__(self, start: float, end: float) -> None:
        self.start = start
        self.end = end

    def counts(self, moment: float) -> bool:
        return self.start <= moment < self.end


def mark_window(name: str, window: Window) -> None:
    """Tells the parent (on stdout) when the counted window starts and ends, to sample CPU then."""
    loop = asyncio.get_running_loop()

    def say(what: str) -> None:
        print(f"{what} {name}", flush=True)

    loop.call_later(max(0.0, window.start - now()), say, "START")
    loop.call_later(max(0.0, window.end - now()), say, "END")


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- HTTP -----------------------------------------------------------------------------------------


class NothingLeft(Exception):
    """A consumable variable has no value left: the request is skipped, not sent."""


class Template:
    """A path or body with {name} or {name.field} placeholders (identifiers only, so JSON braces
    stay literal). Values come from the user's vars first, then the plan's; within one request a
    name always stands for the same value (so {refund.case} and {refund.body} belong together)."""

    PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?\}")

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[str | tuple[str, str | None]] = []
        position = 0
        for match in self.PLACEHOLDER.finditer(text):
            self.tokens.append(text[position : match.start()])
            self.tokens.append((match[1], match[2]))
            position = match.end()
        self.tokens.append(text[position:])

    @property
    def names(self) -> list[str]:
        return [t[0] for t in self.tokens if isinstance(t, tuple)]

    def fill(self, pick: Callable[[str], Any]) -> str:
        if len(self.tokens) == 1:
            return self.text
        out = []
        for token in self.tokens:
            if isinstance(token, str):
                out.append(token)
            else:
                value = pick(token[0])
                out.append(str(value[token[1]] if token[1] else value))
        return "".join(out)


@dataclass
class HttpEndpoint:
    index: int
    name: str
    role: str
    weight: float
    method: str
    path: Template
    body: Template | None
    headers: bytes
    samples: EndpointSamples = field(default_factory=EndpointSamples)


@dataclass
class User:
    role: str
    header: bytes  # the Cookie header line (or nothing)
    vars: dict[str, list[Any]]


class HttpConnection(asyncio.Protocol):
    """One keep-alive connection: one request in flight at a time, later ones queued in order."""

    def __init__(self, gen: HttpLoad, user: User) -> None:
        self.gen = gen
        self.user = user
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.pending: deque[tuple[HttpEndpoint, float]] = deque()  # (endpoint, due)
        self.inflight: tuple[HttpEndpoint, float, float] | None = None  # (endpoint, due, sent)
        self.lost = asyncio.get_running_loop().create_future()
        self.retry_after_s = 0.0  # of the answer being read
        self.error_body = b""  # of the answer being read, when it is a 503

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but they are transports.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self._fail("bad_response")
            if self.transport is not None:
                self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self._fail("disconnected")
        if not self.lost.done():
            self.lost.set_result(None)
        self.gen.connection_lost(self)

    # httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == b"retry-after" and value.isdigit():
            self.retry_after_s = min(float(value), MAX_RETRY_AFTER_S)

    def on_body(self, body: bytes) -> None:
        # Only a 503's body is kept (a few hundred bytes, and rare): it says whether the BFF shed the
        # request (SERVER_BUSY) or could not serve it.
        if self.parser.get_status_code() == 503 and len(self.error_body) < 4096:
            self.error_body += body

    def on_message_complete(self) -> None:
        finished = now()
        if self.inflight is None:
            return
        endpoint, due, sent = self.inflight
        self.inflight = None
        status = self.parser.get_status_code()
        shed = status == 503 and SHED_REASON in self.error_body
        self.error_body = b""
        self.gen.answered(endpoint, status, due, sent, finished, kind=SHED if shed else None)
        wait_s, self.retry_after_s = self.retry_after_s, 0.0
        self.gen.idle(self, wait_s)

    # sending
    @property
    def busy(self) -> bool:
        return self.inflight is not None

    def enqueue(self, endpoint: HttpEndpoint, due: float) -> None:
        if self.inflight is None and self.transport is not None:
            self.send(endpoint, due)
        else:
            self.pending.append((endpoint, due))

    def send_next_pending(self) -> bool:
        while self.pending and self.inflight is None and self.transport is not None:
            endpoint, due = self.pending.popleft()
            if self.send(endpoint, due):
                return True
        return False

    def send(self, endpoint: HttpEndpoint, due: float) -> bool:
        """Sends one request; False when it had to be skipped (a consumable value ran out)."""
        assert self.transport is not None
        data = self.gen.request_bytes(endpoint, self.user)
        if data is None:
            self.gen.skipped(endpoint)
            return False
        self.transport.write(data)
        self.inflight = (endpoint, due, now())
        return True

    def _fail(self, kind: str) -> None:
        if self.inflight is not None:
            endpoint, due, sent = self.inflight
            self.inflight = None
            self.gen.unanswered(endpoint, kind, due, sent)


class HttpLoad:
    def __init__(self, plan: dict[str, Any]) -> None:
        self.plan = plan
        self.host: str = plan.get("host", "127.0.0.1")
        self.port: int = int(plan["port"])
        self.mode: str = plan["mode"]
        self.rng = random.Random(plan.get("seed", 1))
        self.vars: dict[str, list[Any]] = plan.get("vars", {})
        # Values of these names are used once each (refunds to approve, orders to refund): drawn
        # without replacement, reported back in the result so that later runs leave them out.
        self.consume: frozenset[str] = frozenset(plan.get("consume", []))
        self.consumed: dict[str, list[Any]] = {name: [] for name in self.consume}
        self.skips: dict[str, int] = {}
        self.endpoints = [
            HttpEndpoint(
                index=i,
                name=e["name"],
                role=e.get("role", "any"),
                weight=float(e.get("weight", 1)),
                method=e.get("method", "GET"),
                path=Template(e["path"]),
                body=Template(e["body"]) if e.get("body") is not None else None,
                headers="".join(f"{k}: {v}\r\n" for k, v in e.get("headers", {}).items()).encode(),
            )
            for i, e in enumerate(plan["endpoints"])
        ]
        self.users = [
            User(
                role=u.get("role", "any"),
                header=f"Cookie: {u['cookie']}\r\n".encode() if u.get("cookie") else b"",
                vars=u.get("vars", {}),
            )
            for u in plan["users"]
        ]
        self.host_header = f"Host: {self.host}:{self.port}\r\n".encode()
        # Requests with a body change state: the BFF wants its own origin on them, as its page sends.
        self.origin_header = f"Origin: http://{self.host}:{self.port}\r\n".encode()
        self.window = Window(0.0, 0.0)
        self.sending = True
        self.connections: list[HttpConnection] = []
        self.by_role: dict[str, list[HttpConnection]] = {}
        self.cursor: dict[str, int] = {}
        self.role_endpoints: dict[str, tuple[list[HttpEndpoint], list[float]]] = {}
        self.connect_errors: dict[str, int] = {}
        self.reconnects = 0
        self.scheduler_lag = EndpointSamples()
        self.outstanding = 0  # requests sent or queued and not yet answered or failed
        self.drained = asyncio.Event()
        self.tasks: set[asyncio.Future[None]] = set()

    # --- requests --------------------------------------------------------------------------------

    def _draw(self, user: User, name: str) -> Any:
        pool = user.vars[name] if name in user.vars else self.vars.get(name)
        if name in self.consume:
            if not pool:
                raise NothingLeft(name)
            value = pool.pop(self.rng.randrange(len(pool)))
            self.consumed[name].append(value)
            return value
        if not pool:
            raise KeyError(f"no values for {name!r}")
        return pool[self.rng.randrange(len(pool))]

    def request_bytes(self, endpoint: HttpEndpoint, user: User) -> bytes | None:
        picked: dict[str, Any] = {}

        def pick(name: str) -> Any:
            if name not in picked:
                picked[name] = self._draw(user, name)
            return picked[name]

        try:
            path = endpoint.path.fill(pick)
            body = endpoint.body.fill(pick).encode() if endpoint.body is not None else None
        except NothingLeft:
            return None
        head = f"{endpoint.method} {path} HTTP/1.1\r\n".encode() + self.host_header + user.header
        if body is None:
            return head + endpoint.headers + b"\r\n"
        return (
            head
            + endpoint.headers
            + self.origin_header
            + b"Content-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
            + body
        )

    def skipped(self, endpoint: HttpEndpoint) -> None:
        self.skips[endpoint.name] = self.skips.get(endpoint.name, 0) + 1
        self._settled()

    # --- results ---------------------------------------------------------------------------------

    def _counted(self, due: float, sent: float) -> bool:
        return self.window.counts(due if self.mode == "open" else sent)

    def answered(
        self,
        endpoint: HttpEndpoint,
        status: int,
        due: float,
        sent: float,
        finished: float,
        kind: str | None = None,
    ) -> None:
        self._settled()
        if not self._counted(due, sent) or (self.mode == "closed" and finished > self.window.end):
            return
        latency = finished - (due if self.mode == "open" else sent)
        if 200 <= status < 400:
            endpoint.samples.ok(latency, str(status))
        else:
            endpoint.samples.failed(kind or str(status), latency)

    def unanswered(self, endpoint: HttpEndpoint, kind: str, due: float, sent: float) -> None:
        self._settled()
        if self._counted(due, sent):
            endpoint.samples.failed(kind)

    def _settled(self) -> None:
        self.outstanding -= 1
        if self.outstanding <= 0 and not self.sending:
            self.drained.set()

    def idle(self, conn: HttpConnection, retry_after_s: float = 0.0) -> None:
        if conn.send_next_pending():
            return
        if self.mode == "closed" and self.sending:
            if retry_after_s > 0:
                # As a browser's client would: a request shed with Retry-After is not sent again at
                # once (a closed loop that did would only measure how fast the BFF says busy).
                asyncio.get_running_loop().call_later(retry_after_s, self._closed_loop_resume, conn)
            else:
                self._closed_loop_next(conn)

    def _closed_loop_resume(self, conn: HttpConnection) -> None:
        if self.sending and conn in self.connections and not conn.busy:
            self._closed_loop_next(conn)

    def connection_lost(self, conn: HttpConnection) -> None:
        if not self.sending:
            for endpoint, due in conn.pending:
                self.unanswered(endpoint, "disconnected", due, due)
            conn.pending.clear()
            return
        self.reconnects += 1
        task = asyncio.ensure_future(self._reconnect(conn))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _reconnect(self, old: HttpConnection) -> None:
        loop = asyncio.get_running_loop()
        try:
            _, conn = await loop.create_connection(
                lambda: HttpConnection(self, old.user), self.host, self.port
            )
        except OSError as exc:
            kind = f"connect:{type(exc).__name__}"
            self.connect_errors[kind] = self.connect_errors.get(kind, 0) + 1
            for endpoint, due in old.pending:
                self.unanswered(endpoint, kind, due, due)
            old.pending.clear()
            return
        conn.pending = old.pending
        index = self.connections.index(old)
        self.connections[index] = conn
        role_list = self.by_role[old.user.role]
        role_list[role_list.index(old)] = conn
        if not conn.send_next_pending() and self.mode == "closed" and self.sending:
            self._closed_loop_next(conn)

    # --- connections -----------------------------------------------------------------------------

    def _users_for_connections(self, count: int) -> list[User]:
        """Connections per role in proportion to the role's share of the mix; users cycle within a role."""
        weight_by_role: dict[str, float] = {}
        for e in self.endpoints:
            weight_by_role[e.role] = weight_by_role.get(e.role, 0.0) + e.weight
        users_by_role: dict[str, list[User]] = {}
        for user in self.users:
            users_by_role.setdefault(user.role, []).append(user)
        roles = [role for role in weight_by_role if role in users_by_role or role == "any"]
        missing = set(weight_by_role) - set(roles)
        if missing:
            raise ValueError(f"no users for roles {sorted(missing)}")
        total = sum(weight_by_role[r] for r in roles)
        shares = {r: max(1, round(count * weight_by_role[r] / total)) for r in roles}
        assigned: list[User] = []
        for role in roles:
            pool = users_by_role.get(role) or self.users
            assigned += [pool[i % len(pool)] for i in range(shares[role])]
        return assigned

    async def open_connections(self, count: int) -> None:
        loop = asyncio.get_running_loop()
        users = self._users_for_connections(count)

        async def connect(user: User) -> HttpConnection | None:
            try:
                _, conn = await loop.create_connection(
                    lambda: HttpConnection(self, user), self.host, self.port
                )
            except OSError as exc:
                kind = f"connect:{type(exc).__name__}"
                self.connect_errors[kind] = self.connect_errors.get(kind, 0) + 1
                return None
            return conn

        for start in range(0, len(users), CONNECT_BATCH):
            batch = await asyncio.gather(*(connect(u) for u in users[start : start + CONNECT_BATCH]))
            self.connections += [c for c in batch if c is not None]
        for conn in self.connections:
            self.by_role.setdefault(conn.user.role, []).append(conn)
        if not self.connections:
            raise RuntimeError(
                f"could not open any connection to {self.host}:{self.port}: {self.connect_errors}"
            )
        for role in self.by_role:
            self.cursor[role] = 0
            eps = [e for e in self.endpoints if e.role in (role, "any")]
            self.role_endpoints[role] = (eps, list(itertools.accumulate(e.weight for e in eps)))

    def _next_connection(self, role: str) -> HttpConnection:
        conns = self.by_role.get(role)
        if not conns:
            return self.connections[self.rng.randrange(len(self.connections))]
        index = self.cursor[role] % len(conns)
        self.cursor[role] = index + 1
        return conns[index]

    def _closed_loop_next(self, conn: HttpConnection) -> None:
        endpoints, cumulative = self.role_endpoints[conn.user.role]
        choice = bisect.bisect(cumulative, self.rng.random() * cumulative[-1])
        self.outstanding += 1
        conn.enqueue(endpoints[min(choice, len(endpoints) - 1)], now())

    # --- running ---------------------------------------------------------------------------------

    async def run(self) -> dict[str, Any]:
        plan = self.plan
        await self.open_connections(int(plan["connections"]))
        duration = float(plan["duration_s"])
        warmup = float(plan.get("warmup_s", 0))
        drain = float(plan.get("drain_s", 5))
        gc.collect()
        gc.freeze()
        gc.disable()  # the generator's own pauses would show up as server latency
        start = now() + 0.05
        self.window = Window(start + warmup, start + warmup + duration)
        mark_window(plan.get("name", "http"), self.window)
        cpu_before = 0.0
        if self.mode == "open":
            cpu_before = await self._open_loop(start, float(plan["rate"]))
        else:
            cpu_before = await self._closed_loop(start)
        cpu_used = cpu_seconds() - cpu_before
        self.sending = False
        if self.outstanding > 0:
            self.drained.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.drained.wait(), drain)
        unanswered = self._abandon()
        for conn in self.connections:
            if conn.transport is not None:
                conn.transport.close()
        gc.enable()
        window_s = duration
        result = Recorder()
        result.endpoints = {e.name: e.samples for e in self.endpoints}
        return {
            "kind": "http",
            "mode": self.mode,
            "rate": plan.get("rate"),
            "window_s": window_s,
            "connections": {
                "requested": int(plan["connections"]),
                "opened": len(self.connections),
                "connect_errors": self.connect_errors,
                "reconnects": self.reconnects,
            },
            "unanswered_at_end": unanswered,
            "skipped_nothing_left": self.skips,
            "consumed": self.consumed,
            "generator": {
                "cpu_percent": round(100 * cpu_used / (duration + warmup), 1),
                "scheduler_lag": self.scheduler_lag.summary(window_s),
            },
            **result.summary(window_s),
        }

    def _abandon(self) -> int:
        """Requests still unanswered after the drain: timeouts, if they were due inside the window."""
        count = 0
        for conn in self.connections:
            if conn.inflight is not None:
                endpoint, due, sent = conn.inflight
                if self._counted(due, sent):
                    endpoint.samples.failed("timeout")
                count += 1
                conn.inflight = None
            for endpoint, due in conn.pending:
                if self._counted(due, due):
                    endpoint.samples.failed("timeout")
                count += 1
            conn.pending.clear()
        return count

    async def _open_loop(self, start: float, rate: float) -> float:
        duration = float(self.plan["duration_s"]) + float(self.plan.get("warmup_s", 0))
        total = int(rate * duration)
        interval = 1.0 / rate
        weights = [e.weight for e in self.endpoints]
        schedule = self.rng.choices(range(len(self.endpoints)), weights=weights, k=total)
        await asyncio.sleep(max(0.0, start - now()))
        cpu_before = cpu_seconds()
        k = 0
        while k < total:
            current = now()
            while k < total:
                due = start + k * interval
                if due > current:
                    break
                endpoint = self.endpoints[schedule[k]]
                if self.window.counts(due):
                    self.scheduler_lag.ok(current - due, "lag")
                self.outstanding += 1
                self._next_connection(endpoint.role).enqueue(endpoint, due)
                k += 1
            if k < total:
                await asyncio.sleep(max(0.0, start + k * interval - now()))
        return cpu_before

    async def _closed_loop(self, start: float) -> float:
        await asyncio.sleep(max(0.0, start - now()))
        cpu_before = cpu_seconds()
        for conn in self.connections:
            self._closed_loop_next(conn)
        await asyncio.sleep(max(0.0, self.window.end - now()))
        return cpu_before


# --- gRPC -----------------------------------------------------------------------------------------


@dataclass
class GrpcCall:
    name: str
    method: str
    weight: float
    metadata: tuple[tuple[str, str], ...]
    requests: list[bytes]
    sequential: bool = False  # each request once, in order (creates with unique idempotency keys)
    samples: EndpointSamples = field(default_factory=EndpointSamples)
    used: int = 0

    @property
    def exhausted(self) -> bool:
        """A sequential call whose requests were all sent (each may be sent once only)."""
        return self.sequential and self.used >= len(self.requests)

    def next_request(self, rng: random.Random) -> bytes:
        if self.sequential:
            self.used += 1
            return self.requests[min(self.used, len(self.requests)) - 1]
        return self.requests[rng.randrange(len(self.requests))]


class GrpcLoad:
    def __init__(self, plan: dict[str, Any]) -> None:
        self.plan = plan
        self.mode: str = plan["mode"]
        self.rng = random.Random(plan.get("seed", 1))
        self.calls = [
            GrpcCall(
                name=c["name"],
                method=c["method"],
                weight=float(c.get("weight", 1)),
                metadata=tuple((str(k), str(v)) for k, v in c.get("metadata", [])),
                requests=[base64.b64decode(r) for r in c["requests_b64"]],
                sequential=bool(c.get("sequential", False)),
            )
            for c in plan["calls"]
        ]
        self.cumulative = list(itertools.accumulate(c.weight for c in self.calls))
        self.timeout = float(plan.get("timeout_s", 5.0))
        self.window = Window(0.0, 0.0)
        self.scheduler_lag = EndpointSamples()
        self.sending = True
        self.exhausted = False  # every sequential request was sent before the window ended

    def _choose(self) -> GrpcCall | None:
        """A call by weight, skipping the exhausted ones; None when every call is exhausted."""
        for _ in range(100):
            index = bisect.bisect(self.cumulative, self.rng.random() * self.cumulative[-1])
            call = self.calls[min(index, len(self.calls) - 1)]
            if not call.exhausted:
                return call
        return next((c for c in self.calls if not c.exhausted), None)

    async def run(self) -> dict[str, Any]:
        plan = self.plan
        channels = [
            grpc.aio.insecure_channel(plan["target"], options=[("grpc.use_local_subchannel_pool", 1)])
            for _ in range(int(plan.get("channels", 1)))
        ]
        for channel in channels:
            await asyncio.wait_for(channel.channel_ready(), 10)
        # Raw bytes both ways: no serializer, no deserializer.
        stubs = [{c.method: ch.unary_unary(c.method) for c in self.calls} for ch in channels]
        duration = float(plan["duration_s"])
        warmup = float(plan.get("warmup_s", 0))
        gc.collect()
        gc.freeze()
        gc.disable()
        start = now() + 0.05
        self.window = Window(start + warmup, start + warmup + duration)
        mark_window(plan.get("name", "grpc"), self.window)
        inflight: set[asyncio.Future[None]] = set()  # calls (open loop) or workers (closed loop)

        async def fire(stub: Any, call: GrpcCall, request: bytes, due: float) -> None:
            sent = now()
            try:
                await stub(request, metadata=call.metadata, timeout=self.timeout)
            except grpc.aio.AioRpcError as exc:
                finished = now()
                if self._counted(due, sent, finished):
                    call.samples.failed(exc.code().name, finished - (due if self.mode == "open" else sent))
                return
            finished = now()
            if self._counted(due, sent, finished):
                call.samples.ok(finished - (due if self.mode == "open" else sent), "OK")

        await asyncio.sleep(max(0.0, start - now()))
        cpu_before = cpu_seconds()
        if self.mode == "open":
            rate = float(plan["rate"])
            total = int(rate * (duration + warmup))
            k = 0
            while k < total:
                current = now()
                while k < total and start + k / rate <= current:
                    due = start + k / rate
                    if self.window.counts(due):
                        self.scheduler_lag.ok(current - due, "lag")
                    call = self._choose()
                    if call is None:
                        self.exhausted = True
                        k = total
                        break
                    request = call.next_request(self.rng)
                    task = asyncio.ensure_future(fire(stubs[k % len(stubs)][call.method], call, request, due))
                    inflight.add(task)
                    task.add_done_callback(inflight.discard)
                    k += 1
                if k < total:
                    await asyncio.sleep(max(0.0, start + k / rate - now()))
        else:

            async def worker(index: int) -> None:
                table = stubs[index % len(stubs)]
                while now() < self.window.end:
                    call = self._choose()
                    if call is None:
                        self.exhausted = True
                        return
                    await fire(table[call.method], call, call.next_request(self.rng), now())

            workers = [asyncio.ensure_future(worker(i)) for i in range(int(plan.get("concurrency", 8)))]
            inflight.update(workers)
            await asyncio.sleep(max(0.0, self.window.end - now()))
        cpu_used = cpu_seconds() - cpu_before
        self.sending = False
        if inflight:
            await asyncio.wait(inflight, timeout=float(plan.get("drain_s", 5)))
        for pending in inflight:
            pending.cancel()
        gc.enable()
        for channel in channels:
            await channel.close()
        result = Recorder()
        result.endpoints = {c.name: c.samples for c in self.calls}
        return {
            "kind": "grpc",
            "mode": self.mode,
            "rate": plan.get("rate"),
            "concurrency": plan.get("concurrency"),
            "window_s": duration,
            "requests_ran_out": self.exhausted,
            "generator": {
                "cpu_percent": round(100 * cpu_used / (duration + warmup), 1),
                "scheduler_lag": self.scheduler_lag.summary(duration),
            },
            **result.summary(duration),
        }

    def _counted(self, due: float, sent: float, finished: float) -> bool:
        if self.mode == "open":
            return self.window.counts(due)
        return self.window.counts(sent) and finished <= self.window.end


# --- entry point ----------------------------------------------------------------------------------


async def run_plan(plan: dict[str, Any]) -> dict[str, Any]:
    if plan["kind"] == "http":
        result = await HttpLoad(plan).run()
    elif plan["kind"] == "grpc":
        result = await GrpcLoad(plan).run()
    else:
        raise ValueError(f"unknown plan kind {plan['kind']!r}")
    return {"name": plan.get("name", ""), **result}


async def run_plans(plans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Plans one after the other in this one process (start-up costs paid once)."""
    results = []
    for plan in plans:
        results.append(await run_plan(plan))
        await asyncio.sleep(float(plan.get("pause_s", 0.2)))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print("usage: python -m bench.loadgen PLAN.json RESULT.json", file=sys.stderr)
        return 2
    raise_open_files_limit()
    loaded = json.loads(Path(args[0]).read_text())
    plans = loaded if isinstance(loaded, list) else [loaded]
    results = uvloop.run(run_plans(plans))
    Path(args[1]).write_text(json.dumps(results if isinstance(loaded, list) else results[0], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
