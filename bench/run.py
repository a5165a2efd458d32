"""`python -m bench`: seed, start the system as `make run` does, measure, compare with the ceilings.

    python -m bench                      # the full run (several minutes)
    python -m bench --smoke              # seconds, small data: checks that the benchmark works
    python -m bench --quick --rate 500   # minutes: the mix and each endpoint alone, for trying a change
    python -m bench --help               # every knob

Order of work (every step bounded in time; all traffic on 127.0.0.1):
 1. seed a data dir (bench.seed) and start the system with the launcher (`python -m launcher run
    --free-ports --quiet`), with SHOP_CUSTOMERS, a bench accounts file and a Redis key prefix of its own;
 2. sign in thousands of customers and the bench agents through POST /api/session;
 3. start the framework ceilings (bench.ceilings) and measure them;
 4. measure the system: the open-loop mix, the case page, each endpoint of the mix alone (its CPU per
    request), cached and uncached order lookups (a second BFF with a 1 ms cache TTL), queue and
    search, and each service's hot gRPC methods;
 5. measure how queue and search grow with the number of cases (support_svc alone, 10k -> 1M);
 6. print the table, check the targets, write bench/results/<timestamp>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import copy
import json
import os
import platform
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import grpc
import httpx
import redis

from bench import report
from bench.loadgen import raise_open_files_limit
from bench.procs import (
    REPO,
    CpuMeter,
    Started,
    background_cpu_percent,
    children_of,
    pids_named,
    start,
    stop_pid,
    wait_grpc,
    wait_http,
)
from bench.scenarios import (
    AGENT_QUEUE,
    AGENT_SEARCH,
    CUSTOMER_CASE_PAGE,
    CUSTOMER_ORDERS,
    MIX,
    Endpoint,
    GrpcCall,
    global_vars,
    growth_calls,
    grpc_calls,
    grpc_plan,
    http_plan,
    served,
)
from bench.seed import BENCH_PASSWORD, SeedSpec, seed
from launcher.system import free_port, grpc_serving

RESULTS = Path(__file__).resolve().parent / "results"
SESSION_COOKIE = "__Host-acme_session"
PROCESS_NAMES = {"bff": "bff", "support_svc": "support", "refund_svc": "refund", "shop_stub": "shop"}


@dataclass(frozen=True)
class Options:
    cases: int = 100_000
    refunds: int = 20_000
    customers: int = 0  # the shop stand-in's generated customers; 0: one per five cases
    rate: float = 1000.0
    connections: int = 5000
    duration_s: float = 60.0
    warmup_s: float = 10.0
    scenario_s: float = 8.0
    scenario_warmup_s: float = 2.0
    closed_connections: int = 64
    page_connections: int = 1000
    # Each endpoint of the mix alone (bff.cost.<endpoint>): its CPU per request at this rate.
    cost_rate: float = 150.0
    cost_connections: int = 1000
    grpc_concurrency: int = 16
    growth: tuple[int, ...] = (10_000, 100_000, 1_000_000)
    growth_s: float = 4.0
    pause_s: float = 0.2  # between two plans of one load-generator process
    # Shares of `rate` tried, in this order, when the mix misses its bar.
    probe_shares: tuple[float, ...] = (0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1)
    probe_s: float = 15.0
    settle_s: float = 5.0
    log_level: str = "INFO"
    profile: bool = False
    # Only the mix (with its probes) and each endpoint alone: no ceilings, no other scenario, no
    # growth table. Minutes instead of ~25, for trying a change; no ratio can be computed.
    quick: bool = False
    smoke: bool = False
    keep_data: bool = False
    data_dir: Path | None = None
    out_dir: Path = RESULTS
    seed: int = 20261204

    @classmethod
    def smoke_test(cls, **overrides: Any) -> Options:
        base = cls(
            cases=600,
            refunds=120,
            customers=80,  # few enough that most have an order to refund and a refund to approve
            rate=100.0,
            connections=100,
            duration_s=1.0,
            warmup_s=0.3,
            scenario_s=0.4,
            scenario_warmup_s=0.1,
            closed_connections=8,
            page_connections=40,
            cost_rate=60.0,
            cost_connections=20,
            grpc_concurrency=4,
            growth=(300,),
            growth_s=0.4,
            pause_s=0.05,
            probe_shares=(),
            settle_s=0.0,
            smoke=True,
        )
        return replace(base, **overrides)


@dataclass
class Sessions:
    customers: list[dict[str, Any]] = field(default_factory=list)  # loadgen users
    agents: list[dict[str, Any]] = field(default_factory=list)
    uncached: list[dict[str, Any]] = field(default_factory=list)  # customers of the uncached BFF

    @property
    def system_users(self) -> list[dict[str, Any]]:
        """Everyone signed in to the system's own BFF."""
        return [*self.customers, *self.agents]


class Bench:
    def __init__(self, options: Options) -> None:
        self.o = options
        self.stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        self.work = options.data_dir or Path(tempfile.mkdtemp(prefix="acme-bench-"))
        self.work.mkdir(parents=True, exist_ok=True)
        self.secret = secrets.token_urlsafe(48)
        self.prefix = f"bench:{self.stamp}:{secrets.token_hex(3)}:"
        self.rng = random.Random(options.seed)
        self.started: list[Started] = []
        self.scenarios: list[dict[str, Any]] = []
        self.fixture: dict[str, Any] = {}
        self.state: dict[str, Any] = {}
        self.pids: dict[str, int] = {}
        self.sessions = Sessions()
        self.vars: dict[str, list[str]] = {}
        self.calls: list[GrpcCall] = []
        self.logs = self.work / "logs"
        self.notes: list[str] = []
        self.profiles: list[str] = []
        self.ceiling_pids: dict[str, int] = {}
        self.passthrough_rps = 1.0
        self.uncached_port = 0
        self.profile_next = False
        self.mix: tuple[Endpoint, ...] = MIX
        self.openapi: dict[str, Any] = {}
        self.not_measured: list[str] = []
        self.profile_rate = options.rate  # the mix's rate, or the last probed rate when it missed
        self.system_overrides: dict[str, str] = {}  # settings on top of the usual ones (restart_with)
        self.seeded_values: tuple[dict[str, list[Any]], list[dict[str, Any]]] | None = None

    # --- the run --------------------------------------------------------------------------------

    async def run(self) -> dict[str, Any]:
        started = time.monotonic()
        meta = self.machine()
        self.say(
            f"machine: {meta['cpu_model']}, {meta['cpus']} CPUs;"
            f" background load {meta['background_cpu_percent']}% of a core"
        )
        system_dir = self.work / "system"
        self.say(f"seeding {self.o.cases:,} cases and {self.o.refunds:,} refunds into {system_dir} ...")
        self.fixture = await asyncio.to_thread(
            seed,
            system_dir,
            SeedSpec(
                cases=self.o.cases, refunds=self.o.refunds, customers=self.o.customers, seed=self.o.seed
            ),
        )
        self.say(f"seeded in {self.fixture['seconds']} s {self.fixture['timings']}")
        self.vars = global_vars(self.fixture, self.rng)
        today = datetime.fromisoformat(self.fixture["now"]).date()
        self.calls = grpc_calls(self.fixture, self.rng, today=today)

        self.keep_seeded_databases()
        # The ceilings need nothing from the system: started meanwhile.
        early = None if self.o.quick else self.start_http_ceilings()
        await self.start_system(system_dir)
        await self.discover_routes()
        await self.sign_in()
        self.keep_seeded_values()
        if early is not None:
            canned = await self.capture_canned()
            ceiling_ports = await self.start_ceilings(canned, early)
            await self.measure_ceilings(ceiling_ports)
            self.stop_ceilings()
        await self.measure_system()
        if self.o.profile:
            await self.profile_mix()
        self.stop_all()
        growth = [] if self.o.quick else await self.measure_growth(today)
        results = {
            "meta": {**meta, "options": self.options_json(), "seed": self.fixture.get("timings")},
            "scenarios": self.scenarios,
            "growth": growth,
            "costs": report.endpoint_costs(self.scenarios, {e.name: e.weight for e in self.mix}),
            "not_measured": self.not_measured,
            "notes": self.notes,
            "profiles": self.profiles,
            "seconds": round(time.monotonic() - started, 1),
        }
        results["targets"] = report.evaluate(results, smoke=self.o.smoke)
        return results

    # --- system ---------------------------------------------------------------------------------

    def base_env(self) -> dict[str, str]:
        return {
            **os.environ,
            "ACME_IDENTITY_SECRET": self.secret,
            "LOG_LEVEL": self.o.log_level,
            "PYTHONUNBUFFERED": "1",
        }

    async def start_system(self, data_dir: Path, *, restart: bool = False) -> None:
        state_file = self.work / "state.json"
        state_file.unlink(missing_ok=True)
        env = {
            **self.base_env(),
            "SHOP_CUSTOMERS": str(self.fixture["shop_customers"]),
            "BFF_ACCOUNTS_FILE": str(data_dir / "bench-accounts.json"),
            "BFF_REDIS_KEY_PREFIX": self.prefix,
            **self.system_overrides,
        }
        if restart:
            self.restore_seeded_data()
        else:
            self.say("starting the system (python -m launcher run --free-ports --quiet) ...")
        launcher = start(
            "launcher",
            [
                "-m",
                "launcher",
                "run",
                "--free-ports",
                "--quiet",
                "--data-dir",
                str(data_dir),
                "--state-file",
                str(state_file),
            ],
            env,
            self.logs,
        )
        self.started.append(launcher)
        deadline = time.monotonic() + 120
        while not state_file.exists():
            if launcher.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the system did not start; see {launcher.log} and {data_dir / 'logs'}")
            await asyncio.sleep(0.2)
        self.state = json.loads(state_file.read_text())
        if not self.state.get("redis_url"):
            self.notes.append("No Redis: the BFF kept sessions and its cache in its own memory.")
        self.pids = {"launcher": launcher.pid}
        for pid, cmdline in children_of(launcher.pid).items():
            for module, name in PROCESS_NAMES.items():
                if f"-m {module}" in cmdline:
                    self.pids[name] = pid
        redis_pids = pids_named("redis-server")
        if redis_pids:
            self.pids["redis"] = redis_pids[0]
        self.say(f"system up: {self.state['bff_url']} ports {self.state['ports']}")

    # Every restart begins from the seeded data: the databases as seeded, and every value a run uses
    # up (refunds to approve, order lines to refund) available again. Otherwise the runs after the
    # first would find those used up and send a lighter mix than the one described (no refund writes).

    def keep_seeded_databases(self) -> None:
        seeded = self.work / "seeded"
        seeded.mkdir(exist_ok=True)
        for database in (self.work / "system").glob("*.db"):
            shutil.copy2(database, seeded / database.name)

    def keep_seeded_values(self) -> None:
        self.seeded_values = copy.deepcopy((self.vars, [u["vars"] for u in self.sessions.system_users]))

    def restore_seeded_data(self) -> None:
        """While the system is stopped: its databases as seeded (the ones it made itself, like the
        payment gateway stand-in's, are dropped), and the load's values as they were after sign-in."""
        system = self.work / "system"
        for stale in [*system.glob("*.db"), *system.glob("*.db-wal"), *system.glob("*.db-shm")]:
            stale.unlink()
        for database in (self.work / "seeded").glob("*.db"):
            shutil.copy2(database, system / database.name)
        if self.seeded_values is not None:
            global_values, user_values = copy.deepcopy(self.seeded_values)
            self.vars = global_values
            for user, values in zip(self.sessions.system_users, user_values, strict=True):
                user["vars"] = values

    async def discover_routes(self) -> None:
        """The mix's endpoints that this BFF serves (older commits lack some routes)."""
        async with httpx.AsyncClient(base_url=self.state["bff_url"], timeout=30) as client:
            response = await client.get("/api/openapi.json")
            response.raise_for_status()
            self.openapi = response.json()
        self.mix = served(MIX, self.openapi)
        self.not_measured = [
            f"{e.name} ({e.method} {e.path}: no such route)" for e in MIX if e not in self.mix
        ]
        if self.not_measured:
            self.say("not in this BFF, left out of the mix: " + "; ".join(self.not_measured))

    def addr(self, name: str) -> str:
        return f"127.0.0.1:{self.state['ports'][name]}"

    async def sign_in(self) -> None:
        """Customers: one session per customer connection (up to the customers with open cases);
        agents and leads: one session each (their connections share it, like browser tabs)."""
        customers = self.fixture["customers"]
        eligible = sorted(c for c, entry in customers.items() if entry["postable"])
        mix = self.mix
        customer_share = sum(e.weight for e in mix if e.role == "customer") / sum(e.weight for e in mix)
        wanted = min(
            len(eligible), max(self.o.closed_connections, int(self.o.connections * customer_share) + 1)
        )
        # Customers with an order line they may still ask a refund for come first (the mix's
        # refund requests need one each); the others after them.
        with_refund = [c for c in eligible if customers[c].get("refund")]
        without = [c for c in eligible if not customers[c].get("refund")]
        self.rng.shuffle(with_refund)
        self.rng.shuffle(without)
        chosen = [*with_refund, *without][:wanted]
        staff = [*self.fixture["agents"], *self.fixture["leads"]]
        began = time.monotonic()
        cookies = await self.sessions_for(self.state["bff_url"], [*chosen, *staff])
        self.sessions.customers = [
            {
                "role": "customer",
                "cookie": cookies[c],
                "vars": {
                    "case": customers[c]["cases"],
                    "postable": customers[c]["postable"],
                    "refund": list(customers[c].get("refund", [])),
                },
            }
            for c in chosen
        ]
        self.sessions.agents = [{"role": "agent", "cookie": cookies[a], "vars": {}} for a in staff]
        self.say(f"signed in {len(cookies):,} users in {time.monotonic() - began:.1f} s")

    async def sessions_for(self, base_url: str, user_ids: list[str], concurrency: int = 16) -> dict[str, str]:
        cookies: dict[str, str] = {}
        queue = list(user_ids)
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:

            async def worker() -> None:
                while queue:
                    user = queue.pop()
                    response = await client.post(
                        "/api/session",
                        json={"email": f"{user}@bench.example", "password": BENCH_PASSWORD},
                        # As the BFF's own page would: the BFF wants its own origin on writes.
                        headers={"X-Requested-By": "acme-ui", "Origin": base_url.rstrip("/")},
                    )
                    if response.status_code != 200:
                        raise RuntimeError(
                            f"sign-in of {user} failed: {response.status_code} {response.text[:200]}"
                        )
                    for header in response.headers.get_list("set-cookie"):
                        name, _, rest = header.partition("=")
                        if name.strip() == SESSION_COOKIE:
                            cookies[user] = f"{SESSION_COOKIE}={rest.split(';', 1)[0]}"

            await asyncio.gather(*(worker() for _ in range(concurrency)))
        return cookies

    async def capture_canned(self) -> dict[str, bytes]:
        """One real answer per gRPC method: what the bare gRPC server will answer (same sizes)."""
        canned: dict[str, bytes] = {}
        for index, call in enumerate(list(self.calls)):
            if call.method in canned:
                continue
            if call.sequential and len(call.requests) > 1:
                # The capture uses up the last request; the load gets the others, each once.
                self.calls[index] = replace(call, requests=call.requests[:-1])
            plan = call.as_plan(self.secret)
            metadata = tuple((k, v) for k, v in plan["metadata"])
            request = call.requests[-1] if call.sequential else call.requests[0]
            async with grpc.aio.insecure_channel(self.addr(call.service)) as channel:
                try:
                    canned[call.method] = await channel.unary_unary(call.method)(
                        request, metadata=metadata, timeout=10
                    )
                except grpc.aio.AioRpcError as exc:
                    raise RuntimeError(
                        f"{call.name} fails against the real service: {exc.code().name} {exc.details()}"
                    ) from exc
        return canned

    # --- ceilings -------------------------------------------------------------------------------

    def start_http_ceilings(self) -> dict[str, Any]:
        """The bare FastAPI app and the passthrough (which reaches the bare gRPC server only when
        called, so that one can start later, once the canned answers are known)."""
        ports = {"http": free_port(), "grpc": free_port(), "passthrough": free_port()}
        env = self.base_env()
        http = start(
            "ceiling-http", ["-m", "bench.ceilings", "http", "--port", str(ports["http"])], env, self.logs
        )
        get_case = next(c for c in self.calls if c.name == "support.GetCase")
        through = start(
            "ceiling-passthrough",
            [
                "-m",
                "bench.ceilings",
                "passthrough",
                "--port",
                str(ports["passthrough"]),
                "--grpc-addr",
                f"127.0.0.1:{ports['grpc']}",
                "--method",
                get_case.method,
                "--request-b64",
                base64.b64encode(get_case.requests[0]).decode(),
            ],
            env,
            self.logs,
        )
        self.started += [http, through]
        return {"ports": ports, "http": http, "passthrough": through}

    async def start_ceilings(self, canned: dict[str, bytes], early: dict[str, Any]) -> dict[str, int]:
        ports: dict[str, int] = early["ports"]
        canned_file = self.work / "canned.json"
        canned_file.write_text(json.dumps({m: base64.b64encode(b).decode() for m, b in canned.items()}))
        bare = start(
            "ceiling-grpc",
            ["-m", "bench.ceilings", "grpc", "--port", str(ports["grpc"]), "--canned", str(canned_file)],
            self.base_env(),
            self.logs,
        )
        self.started.append(bare)
        await wait_http(ports["http"], early["http"])
        await wait_grpc(ports["grpc"], bare)
        await wait_http(ports["passthrough"], early["passthrough"])
        self.ceiling_pids = {
            "ceiling-http": early["http"].pid,
            "ceiling-grpc": bare.pid,
            "ceiling-passthrough": early["passthrough"].pid,
        }
        return ports

    def stop_ceilings(self) -> None:
        for proc in [p for p in self.started if p.name.startswith("ceiling-")]:
            proc.stop()
            self.started.remove(proc)

    def _http(self, name: str, port: int, endpoints: tuple[Any, ...], **kw: Any) -> dict[str, Any]:
        users = kw.pop("users", None) or self.sessions.system_users
        return http_plan(
            name,
            port=port,
            endpoints=endpoints,
            users=users,
            variables=self.vars,
            **kw,
        )

    def _closed(self, name: str, port: int, endpoints: tuple[Any, ...], **kw: Any) -> dict[str, Any]:
        return self._http(
            name,
            port,
            endpoints,
            mode="closed",
            connections=kw.pop("connections", self.o.closed_connections),
            duration_s=self.o.scenario_s,
            warmup_s=self.o.scenario_warmup_s,
            **kw,
        )

    def _open(
        self, name: str, port: int, endpoints: tuple[Any, ...], rate: float, connections: int, **kw: Any
    ) -> dict[str, Any]:
        return self._http(
            name,
            port,
            endpoints,
            mode="open",
            rate=rate,
            connections=connections,
            duration_s=kw.pop("duration_s", self.o.scenario_s),
            warmup_s=kw.pop("warmup_s", self.o.scenario_warmup_s),
            **kw,
        )

    def _mix(self, name: str, port: int) -> dict[str, Any]:
        return self._open(
            name,
            port,
            self.mix,
            self.o.rate,
            self.o.connections,
            duration_s=self.o.duration_s,
            warmup_s=self.o.warmup_s,
        )

    async def measure_ceilings(self, ports: dict[str, int]) -> None:
        pids = {**self.ceiling_pids}
        customers = self.sessions.customers
        self.say("ceilings: closed loop ...")
        first = await self.run_batch(
            "ceilings-closed",
            [
                self._closed("ceiling.http.closed", ports["http"], (CUSTOMER_CASE_PAGE,), users=customers),
                self._closed(
                    "ceiling.passthrough.closed", ports["passthrough"], (CUSTOMER_CASE_PAGE,), users=customers
                ),
            ],
            pids,
        )
        self.passthrough_rps = max(1.0, first[1]["all"]["throughput_rps"])
        self.say("ceilings: open loop (the mix on bare FastAPI, the passthrough at 50% and 75%) ...")
        await self.run_batch(
            "ceilings-open",
            [
                self._mix("ceiling.mix.open", ports["http"]),
                *(
                    self._open(
                        f"ceiling.passthrough.open@{int(share * 100)}%",
                        ports["passthrough"],
                        (CUSTOMER_CASE_PAGE,),
                        round(self.passthrough_rps * share, 1),
                        self.o.page_connections,
                        users=customers,
                    )
                    for share in (0.5, 0.75)
                ),
            ],
            pids,
        )
        self.say("ceilings: bare grpc.aio, one method at a time ...")
        # The bare server answers the same request any number of times: nothing to use up there.
        one_per_method = {call.method: replace(call, sequential=False) for call in reversed(self.calls)}
        target = f"127.0.0.1:{ports['grpc']}"
        await self.run_batch(
            "ceilings-grpc",
            self._grpc_plans(
                [(f"ceiling.grpc.{m.rsplit('/', 1)[1]}", target, c) for m, c in one_per_method.items()]
            ),
            pids,
        )

    def _grpc_plans(
        self,
        named: list[tuple[str, str, GrpcCall]],
        *,
        concurrency: int | None = None,
        duration_s: float | None = None,
        warmup_s: float | None = None,
    ) -> list[dict[str, Any]]:
        """One closed-loop plan per call; in a smoke run, one plan per target with all its calls mixed
        (fewer, longer plans: the same checks in less time), split back into one result per call."""
        settings: dict[str, Any] = {
            "mode": "closed",
            "duration_s": self.o.scenario_s if duration_s is None else duration_s,
            "warmup_s": self.o.scenario_warmup_s if warmup_s is None else warmup_s,
            "concurrency": concurrency or self.o.grpc_concurrency,
        }
        # Requests that can be used once only (sequential) are not spent on a warm-up.
        once = {**settings, "warmup_s": 0.0}
        if not self.o.smoke:
            return [
                grpc_plan(
                    name,
                    target=target,
                    calls=[{**call.as_plan(self.secret), "name": name}],
                    **(once if call.sequential else settings),
                )
                for name, target, call in named
            ]
        targets = list(dict.fromkeys(target for _, target, _ in named))
        return [
            {
                **grpc_plan(
                    f"group:{target}",
                    target=target,
                    calls=[{**c.as_plan(self.secret), "name": n} for n, t, c in named if t == target],
                    **(once if any(c.sequential for _, t, c in named if t == target) else settings),
                ),
                "split": True,
            }
            for target in targets
        ]

    # --- the system -----------------------------------------------------------------------------

    def system_pids(self) -> dict[str, int]:
        return dict(self.pids)

    async def measure_system(self) -> None:
        customers, agents = self.sessions.customers, self.sessions.agents
        self.say(
            f"system: the mix, open loop at {self.o.rate:g} req/s over {self.o.connections:,} connections ..."
        )
        bff = int(self.state["ports"]["bff"])
        mix = (
            await self.run_batch("mix", [self._mix("bff.mix.open", bff)], self.system_pids(), consumes=True)
        )[0]
        if not mix_holds(mix):
            await self.recover(f"the mix at {self.o.rate:g} req/s")
            if self.o.probe_shares:
                self.profile_rate = await self.probe_mix_capacity("bff.mix.open", self.mix)
                # The same mix with no list page shared between staff and no case page kept: what
                # the BFF's sharing and keeping (bff.shared_pages, bff.case_pages) are worth.
                await self.restart_with(UNSHARED, "with no page shared or kept")
                await self.probe_mix_capacity("bff.mix_unshared.open", self.mix)
                await self.restart_with({}, "as configured by default")
        if self.o.quick:
            await self.measure_costs()
            return

        self.say("system: case page (closed loop, then open loop at 50% and 75% of its own rate) ...")
        bff = int(self.state["ports"]["bff"])
        page = (
            await self.run_batch(
                "page-closed",
                [self._closed("bff.case_page.closed", bff, (CUSTOMER_CASE_PAGE,), users=customers)],
                self.system_pids(),
            )
        )[0]
        own_rps = max(1.0, page["all"]["throughput_rps"])
        await self.run_batch(
            "page-open-own",
            [
                self._open(
                    f"bff.case_page.open@{int(share * 100)}%own",
                    bff,
                    (CUSTOMER_CASE_PAGE,),
                    round(own_rps * share, 1),
                    self.o.page_connections,
                    users=customers,
                )
                for share in (0.5, 0.75)
            ],
            self.system_pids(),
        )
        self.say("system: case page at 50% and 75% of the passthrough ceiling's rate ...")
        await self.run_batch(
            "page-open",
            [
                self._open(
                    f"bff.case_page.open@{int(share * 100)}%",
                    bff,
                    (CUSTOMER_CASE_PAGE,),
                    round(self.passthrough_rps * share, 1),
                    self.o.page_connections,
                    users=customers,
                )
                for share in (0.5, 0.75)
            ],
            self.system_pids(),
        )
        if self.passthrough_rps * 0.5 > own_rps:
            await self.recover("the case page above its own capacity")
        await self.measure_costs()

        # Search first: a queue run that overloads support_svc leaves work behind that would slow
        # whatever runs next (abandoned queries still execute), so the system restarts after it.
        self.say("system: search, then queue ...")
        bff = int(self.state["ports"]["bff"])
        search = await self.run_batch(
            "search",
            [self._closed("bff.search.closed", bff, (AGENT_SEARCH,), users=agents)],
            self.system_pids(),
        )
        if not answered_well(search[0]):
            await self.recover("the search closed loop")
        bff = int(self.state["ports"]["bff"])
        queue = await self.run_batch(
            "queue",
            [self._closed("bff.queue.closed", bff, (AGENT_QUEUE,), users=agents)],
            self.system_pids(),
        )
        if not answered_well(queue[0]):
            await self.recover("the queue closed loop")
        # Most of the team's queue and search pages above were shared (bff.shared_pages) and most
        # case pages answered from what was kept (bff.case_pages): the same again with every page
        # fetched, which is what reading a case, listing and searching cost.
        await self.restart_with(UNSHARED, "with no page shared or kept")
        for name, endpoint, users in (
            ("case_page.unkept", CUSTOMER_CASE_PAGE, customers),
            ("search.unshared", AGENT_SEARCH, agents),
            ("queue.unshared", AGENT_QUEUE, agents),
        ):
            bff = int(self.state["ports"]["bff"])
            unshared = await self.run_batch(
                name, [self._closed(f"bff.{name}.closed", bff, (endpoint,), users=users)], self.system_pids()
            )
            if not answered_well(unshared[0]):
                await self.recover(f"the {name} closed loop with no page shared or kept")
        await self.restart_with({}, "as configured by default")
        bff = int(self.state["ports"]["bff"])
        pids = self.system_pids()

        self.say("system: order lookups, cached and uncached (a second BFF with a 1 ms cache TTL) ...")
        uncached = await self.start_uncached_bff()
        uncached_users = self.sessions.uncached
        pids_u = {**pids, "bff-uncached": uncached.pid}
        closed = await self.run_batch(
            "orders-closed",
            [
                self._closed("bff.orders.cached.closed", bff, (CUSTOMER_ORDERS,), users=customers),
                self._closed(
                    "bff.orders.uncached.closed", self.uncached_port, (CUSTOMER_ORDERS,), users=uncached_users
                ),
            ],
            pids_u,
        )
        rate = round(max(1.0, 0.5 * min(r["all"]["throughput_rps"] for r in closed)), 1)
        await self.run_batch(
            "orders-open",
            [
                self._open(
                    "bff.orders.cached.open",
                    bff,
                    (CUSTOMER_ORDERS,),
                    rate,
                    self.o.closed_connections,
                    users=customers,
                ),
                self._open(
                    "bff.orders.uncached.open",
                    self.uncached_port,
                    (CUSTOMER_ORDERS,),
                    rate,
                    self.o.closed_connections,
                    users=uncached_users,
                ),
            ],
            pids_u,
        )
        uncached.stop()
        self.started.remove(uncached)

        self.say("system: direct gRPC, each service's hot methods ...")
        await self.run_batch(
            "grpc",
            self._grpc_plans([(f"grpc.{call.name}", self.addr(call.service), call) for call in self.calls]),
            pids,
        )

    async def measure_costs(self) -> None:
        """Each endpoint of the mix alone, one after the other: its CPU per request, so that the
        table (report.endpoint_costs) can say which endpoints the mix's CPU goes to."""
        self.say(
            f"system: each endpoint of the mix alone, open loop at {self.o.cost_rate:g} req/s"
            f" over up to {self.o.cost_connections:,} connections ..."
        )
        bff = int(self.state["ports"]["bff"])
        plans = []
        for endpoint in self.mix:
            plan = self._cost_plan(endpoint, bff)
            if plan is None:
                note = (
                    f"bff.cost.{endpoint.name}: not measured, nothing left of {', '.join(endpoint.consume)}."
                )
                self.notes.append(note)
                self.say(f"  {note}")
            else:
                plans.append(plan)
        if not plans:
            return
        costs = await self.run_batch("costs", plans, self.system_pids(), consumes=True)
        failed = [r["name"] for r in costs if not answered_well(r)]
        if failed:
            await self.recover(f"the endpoints alone ({', '.join(failed)})")

    def _cost_plan(self, endpoint: Endpoint, port: int) -> dict[str, Any] | None:
        """`endpoint` alone at the cost rate, sent by the users who call it in the mix. One that uses
        values up (Endpoint.consume) runs slower if need be, so that they last the run: a request
        whose value ran out is skipped, not sent, and the run would send less than it says. None
        when nothing is left."""
        users = self.sessions.customers if endpoint.role == "customer" else self.sessions.agents
        rate, connections = self.o.cost_rate, self.o.cost_connections
        sent_s = self.o.scenario_s + self.o.scenario_warmup_s  # the warm-up uses values up too
        for name in endpoint.consume:
            if any(name in u["vars"] for u in users):
                # The users' own values: one connection per user with some left, and connections
                # take requests in turn, so the fewest values among those users bound the rate.
                # Of the users with the most values, as many as use up the most values in all.
                holders = sorted(
                    (u for u in users if u["vars"].get(name)),
                    key=lambda u: len(u["vars"][name]),
                    reverse=True,
                )[:connections]
                if not holders:
                    return None
                counts = [len(u["vars"][name]) for u in holders]
                connections = max(range(1, len(counts) + 1), key=lambda n: n * counts[n - 1])
                users = holders[:connections]
                rate = min(rate, connections * counts[connections - 1] / sent_s)
            else:
                left = len(self.vars.get(name, []))
                if not left:
                    return None
                rate = min(rate, left / sent_s)
        return self._open(f"bff.cost.{endpoint.name}", port, (endpoint,), rate, connections, users=users)

    async def probe_mix_capacity(
        self, name: str, endpoints: tuple[Endpoint, ...], shares: tuple[float, ...] | None = None
    ) -> float:
        """Runs the mix at falling rates until one holds its bar (bounded: one run per share; the
        system is restarted after each run that overloaded it). Returns the last rate tried."""
        rate = self.o.rate
        for share in self.o.probe_shares if shares is None else shares:
            rate = max(1.0, round(self.o.rate * share))
            self.say(f"system: probing {name} at {rate:g} req/s ...")
            probe = self._open(
                f"{name}@{rate:g}",
                int(self.state["ports"]["bff"]),
                endpoints,
                rate,
                self.o.connections,
                duration_s=self.o.probe_s,
                warmup_s=self.o.scenario_warmup_s,
            )
            ran = await self.run_batch(f"{name}-{rate:g}", [probe], self.system_pids(), consumes=True)
            if mix_holds(ran[0]):
                return rate
            await self.recover(f"{name} at {rate:g} req/s")
        return rate

    async def restart_with(self, overrides: dict[str, str], how: str) -> None:
        """Restarts the system with these settings on top of the usual ones (until the next call);
        sessions live in Redis, so everyone stays signed in."""
        self.system_overrides = overrides
        self.say(f"  restarting the system {how} ...")
        self.stop_system()
        await self.start_system(self.work / "system", restart=True)

    async def writes_work(self) -> bool:
        """One internal note through support_svc: does it still accept writes?"""
        call = next(c for c in self.calls if c.name == "support.AddCaseMessage")
        metadata = tuple((k, v) for k, v in call.as_plan(self.secret)["metadata"])
        async with grpc.aio.insecure_channel(self.addr("support")) as channel:
            try:
                await channel.unary_unary(call.method)(call.requests[0], metadata=metadata, timeout=10)
            except grpc.aio.AioRpcError as exc:
                self.say(
                    f"  support_svc refuses a write after the overload: {exc.code().name} {exc.details()}"
                )
                return False
        return True

    async def recover(self, what: str) -> None:
        """After an overload: record whether writes still work, then restart the system so that the
        next scenario does not measure queues, open circuit breakers or a broken process left behind.
        (Not in a smoke run: it checks that the scenarios work, not what they measure.)"""
        if self.o.smoke:
            return
        await asyncio.sleep(self.o.settle_s)
        if not await self.writes_work():
            self.notes.append(
                f"After {what}, support_svc refused every write (INTERNAL) until it was restarted."
            )
        self.say(f"  restarting the system after {what} ...")
        self.stop_system()
        await self.start_system(self.work / "system", restart=True)

    def stop_system(self) -> None:
        """The launcher stops its processes (SIGTERM, each with its grace); any of them still alive
        afterwards (the launcher itself had to be killed) is stopped by pid, so that no process of
        an earlier start keeps using CPU behind the next scenario's back."""
        launcher = next((p for p in self.started if p.name == "launcher"), None)
        if launcher is None:
            return
        launcher.stop(grace_s=90)
        self.started.remove(launcher)
        for name, pid in self.pids.items():
            if name in PROCESS_NAMES.values() and stop_pid(pid, f"-m {_module_of(name)}"):
                self.notes.append(f"{name} (pid {pid}) outlived the launcher's stop and was stopped by pid.")

    async def start_uncached_bff(self) -> Started:
        self.uncached_port = free_port()
        env = {
            **self.base_env(),
            "BFF_PORT": str(self.uncached_port),
            "BFF_SUPPORT_ADDR": self.addr("support"),
            "BFF_REFUND_ADDR": self.addr("refund"),
            "BFF_SHOP_ADDR": self.addr("shop"),
            "BFF_REDIS_URL": self.state.get("redis_url", ""),
            "BFF_STATIC_DIR": str(REPO / "frontend" / "dist"),
            "BFF_ACCOUNTS_FILE": str(self.work / "system" / "bench-accounts.json"),
            # Its own key prefix, so that it never reads the main BFF's cached orders.
            "BFF_REDIS_KEY_PREFIX": f"{self.prefix}uncached:",
            "BFF_ORDER_CACHE_TTL_S": "0.001",
            # Its own origin, which the sign-ins below send (state-changing requests need an allowed one).
            "BFF_ALLOWED_ORIGINS": f"http://127.0.0.1:{self.uncached_port}",
        }
        proc = start("bff-uncached", ["-m", "bff"], env, self.logs)
        self.started.append(proc)
        await wait_http(self.uncached_port, proc)
        chosen = sorted(self.fixture["customers"])[: self.o.closed_connections]
        cookies = await self.sessions_for(f"http://127.0.0.1:{self.uncached_port}", chosen)
        self.sessions.uncached = [{"role": "customer", "cookie": cookies[c], "vars": {}} for c in chosen]
        return proc

    async def profile_mix(self) -> None:
        """The mix once more, with py-spy sampling the BFF and the services (a separate run, so that
        the measured one is not slowed by the profiler), at the rate of the last mix that ran: the
        target rate if it held, else the last probed rate."""
        rate = self.profile_rate
        self.say(f"profiling the mix at {rate:g} req/s with py-spy ...")
        bff = int(self.state["ports"]["bff"])
        self.profile_next = True
        plan = self._open(
            f"profile.bff.mix.open@{rate:g}",
            bff,
            self.mix,
            rate,
            self.o.connections,
            duration_s=min(self.o.duration_s, 30.0),
            warmup_s=self.o.scenario_warmup_s,
        )
        await self.run_batch("profile", [plan], self.system_pids(), record=False, consumes=True)
        self.profile_next = False

    def stop_all(self) -> None:
        self.stop_system()
        for proc in reversed(self.started):
            proc.stop()
        self.started.clear()

    # --- growth ---------------------------------------------------------------------------------

    async def measure_growth(self, today: date) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for size in self.o.growth:
            folder = self.work / f"growth-{size}"
            self.say(f"growth: seeding {size:,} cases (support only) ...")
            began = time.monotonic()
            fixture = await asyncio.to_thread(
                seed, folder, SeedSpec(cases=size, refunds=0, accounts=False, seed=self.o.seed)
            )
            seeded_s = round(time.monotonic() - began, 1)
            port = free_port()
            env = {
                **self.base_env(),
                "SUPPORT_PORT": str(port),
                "SUPPORT_DB_PATH": str(folder / "support.db"),
                "SUPPORT_SHOP_ADDR": "127.0.0.1:9",  # not called by reads
            }
            proc = start(f"support-{size}", ["-m", "support_svc"], env, self.logs)
            self.started.append(proc)
            try:
                deadline = time.monotonic() + 60
                while not await grpc_serving(f"127.0.0.1:{port}"):
                    if proc.proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"support_svc did not start on {size} cases; see {proc.log}")
                    await asyncio.sleep(0.2)
                shapes = growth_calls(fixture)
                plans = self._grpc_plans(
                    [(f"growth.{size}.{call.name}", f"127.0.0.1:{port}", call) for call in shapes],
                    concurrency=1,
                    duration_s=self.o.growth_s,
                    warmup_s=min(1.0, self.o.growth_s / 4),
                )
                results = await self.run_batch(f"growth-{size}", plans, {"support": proc.pid}, record=False)
            finally:
                proc.stop()
                self.started.remove(proc)
            db_mb = round((folder / "support.db").stat().st_size / 2**20, 1)
            by_name = {r["name"]: r for r in results}
            for call in shapes:
                result = by_name[f"growth.{size}.{call.name}"]
                summary = result["all"]
                rows.append(
                    {
                        "cases": size,
                        "query": call.name,
                        "p50_ms": summary["p50_ms"],
                        "p99_ms": summary["p99_ms"],
                        "mean_ms": summary["mean_ms"],
                        "max_ms": summary["max_ms"],
                        "throughput_rps": summary["throughput_rps"],
                        "errors": summary["errors"],
                        "support_cpu_percent": result.get("cpu", {}).get("support"),
                        "db_mb": db_mb,
                        "seed_s": seeded_s,
                    }
                )
            if not self.o.keep_data:
                shutil.rmtree(folder, ignore_errors=True)
        return rows

    # --- running the load generator -------------------------------------------------------------

    async def run_batch(
        self,
        label: str,
        plans: list[dict[str, Any]],
        pids: dict[str, int],
        *,
        record: bool = True,
        consumes: bool = False,
    ) -> list[dict[str, Any]]:
        """Runs plans in one load-generator process. `consumes`: the plans ran against the system, so
        values they used up (refunds approved, order lines refunded) are left out of later plans."""
        plan_file = self.work / f"plan-{label}.json"
        out_file = self.work / f"result-{label}.json"
        plan_file.write_text(json.dumps([{**p, "pause_s": self.o.pause_s} for p in plans]))
        budget = sum(
            float(p["duration_s"]) + float(p["warmup_s"]) + float(p.get("drain_s", 5)) + 15 for p in plans
        )
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.loadgen",
            str(plan_file),
            str(out_file),
            cwd=REPO,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        cpu: dict[str, dict[str, float]] = {}
        output: list[str] = []
        spies: list[asyncio.subprocess.Process] = []

        async def follow() -> None:
            assert proc.stdout is not None
            meter: CpuMeter | None = None
            async for raw in proc.stdout:
                line = raw.decode(errors="replace").rstrip()
                if line.startswith("START "):
                    meter = CpuMeter(pids={**pids, "loadgen": proc.pid})
                    meter.start()
                    if self.profile_next:
                        spies.extend(await self.start_profilers(line[6:], plans[0]))
                elif line.startswith("END ") and meter is not None:
                    cpu[line[4:]] = meter.stop()
                    meter = None
                else:
                    output.append(line)
            await proc.wait()

        try:
            await asyncio.wait_for(follow(), budget)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise RuntimeError(f"the load generator ({label}) overran its {budget:.0f} s budget") from None
        for spy in spies:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(spy.wait(), 30)
        if proc.returncode != 0:
            raise RuntimeError(f"the load generator ({label}) failed:\n" + "\n".join(output[-30:]))
        results: list[dict[str, Any]] = []
        for plan, result in zip(plans, json.loads(out_file.read_text()), strict=True):
            result["cpu"] = cpu.get(result["name"], {})
            if consumes:
                for name, values in (result.get("consumed") or {}).items():
                    self.forget(name, values)
            results += _split(result) if plan.get("split") else [result]
        for result in results:
            if record:
                self.scenarios.append(result)
                self.say(report.one_line(result))
        return results

    def forget(self, name: str, values: list[Any]) -> None:
        """Drops used-up values of a consumable variable from every list that holds it."""
        gone = {json.dumps(v, sort_keys=True) for v in values}
        lists = [self.vars, *(u["vars"] for u in self.sessions.system_users)]
        for holder in lists:
            if name in holder:
                holder[name] = [v for v in holder[name] if json.dumps(v, sort_keys=True) not in gone]

    async def start_profilers(self, name: str, plan: dict[str, Any]) -> list[asyncio.subprocess.Process]:
        spy = Path(sys.executable).parent / "py-spy"
        procs = []
        for target in ("bff", "support", "refund"):
            if target not in self.pids:
                continue
            out = self.o.out_dir / f"{self.stamp}-{target}.txt"
            self.o.out_dir.mkdir(parents=True, exist_ok=True)
            procs.append(
                await asyncio.create_subprocess_exec(
                    str(spy),
                    "record",
                    "--pid",
                    str(self.pids[target]),
                    "--duration",
                    str(int(plan["duration_s"])),
                    "--rate",
                    "100",
                    "--nonblocking",
                    "--format",
                    "raw",
                    "--output",
                    str(out),
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.DEVNULL,
                )
            )
            self.profiles.append(str(out))
        return procs

    # --- bookkeeping ----------------------------------------------------------------------------

    def machine(self) -> dict[str, Any]:
        model = "unknown"
        with contextlib.suppress(OSError):
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        mem_gb = 0.0
        with contextlib.suppress(OSError, ValueError):
            mem_gb = round(int(Path("/proc/meminfo").read_text().split()[1]) / 2**20, 1)
        commit = (
            os.environ.get("BENCH_COMMIT")
            or subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
            ).stdout.strip()
        )
        dirty = bool(
            subprocess.run(
                ["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True, check=False
            ).stdout
        )
        return {
            "timestamp": self.stamp,
            "cpus": len(os.sched_getaffinity(0)),
            "cpu_model": model,
            "memory_gb": mem_gb,
            "kernel": platform.release(),
            "python": platform.python_version(),
            "commit": commit + ("+uncommitted" if dirty else ""),
            "open_files_limit": raise_open_files_limit(),
            "background_cpu_percent": background_cpu_percent(0.5 if self.o.smoke else 3.0),
            "loadavg": os.getloadavg(),
        }

    def options_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in self.o.__dict__.items():
            out[key] = (
                str(value) if isinstance(value, Path) else list(value) if isinstance(value, tuple) else value
            )
        return out

    def say(self, text: str) -> None:
        print(text, flush=True)

    def cleanup(self, *, failed: bool = False) -> None:
        self.stop_all()
        url = self.state.get("redis_url")
        if url:
            with contextlib.suppress(redis.RedisError):
                client = redis.Redis.from_url(url)
                for key in client.scan_iter(match=f"{self.prefix}*", count=1000):
                    client.delete(key)
                client.close()
        if failed:
            print(f"kept for a look: {self.work} (logs in {self.logs})", file=sys.stderr)
        elif not self.o.keep_data and self.o.data_dir is None:
            shutil.rmtree(self.work, ignore_errors=True)


# The BFF sharing no list page between staff (bff.shared_pages) and keeping no case page
# (bff.case_pages): every page is fetched from the services.
UNSHARED = {"BFF_SHARED_PAGE_TTL_S": "0", "BFF_CASE_PAGE_CACHE_SIZE": "0"}


def _module_of(name: str) -> str:
    return next(module for module, short in PROCESS_NAMES.items() if short == name)


def answered_well(result: dict[str, Any]) -> bool:
    """A closed loop that got answers and no errors (otherwise it left an overloaded system)."""
    return bool(result["all"]["ok"] > 0 and result["all"]["errors"] == 0)


def mix_holds(result: dict[str, Any]) -> bool:
    """The mix's bar: no errors, p99 under 100 ms, max under 200 ms."""
    a = result["all"]
    return bool(a["errors"] == 0 and a["p99_ms"] < 100 and a["max_ms"] < 200)


def _split(result: dict[str, Any]) -> list[dict[str, Any]]:
    """A plan of several calls as one result per call (the CPU figures are the plan's, shared)."""
    return [
        {**result, "name": name, "endpoints": {name: summary}, "all": summary, "shared_plan": result["name"]}
        for name, summary in result["endpoints"].items()
    ]


def parse_args(argv: list[str] | None = None) -> Options:
    d = Options()
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--smoke", action="store_true", help="seconds, small data: check that the benchmark works"
    )
    parser.add_argument("--cases", type=int, help=f"cases to seed (default {d.cases:,})")
    parser.add_argument("--refunds", type=int, help=f"refunds to seed (default {d.refunds:,})")
    parser.add_argument("--rate", type=float, help=f"open-loop rate of the mix, req/s (default {d.rate:g})")
    parser.add_argument(
        "--connections", type=int, help=f"keep-alive connections of the mix (default {d.connections:,})"
    )
    parser.add_argument(
        "--duration", type=float, help=f"measured seconds of the mix (default {d.duration_s:g})"
    )
    parser.add_argument("--warmup", type=float, help=f"warm-up seconds of the mix (default {d.warmup_s:g})")
    parser.add_argument(
        "--scenario-seconds",
        type=float,
        help=f"measured seconds of each other scenario (default {d.scenario_s:g})",
    )
    parser.add_argument(
        "--growth",
        help="case counts of the growth table, comma-separated (default 10000,100000,1000000; 'none': skip)",
    )
    parser.add_argument(
        "--log-level", help=f"LOG_LEVEL of the system's processes (default {d.log_level}, as make run)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="run the mix once more under py-spy (bff, support, refund)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="only the mix (and its probes) and each endpoint alone: no ceilings, other scenarios or growth",
    )
    parser.add_argument("--keep-data", action="store_true", help="keep the data dir (databases, logs, plans)")
    parser.add_argument("--data-dir", help="where to seed and keep runtime files (default: a new temp dir)")
    parser.add_argument("--out", help=f"results folder (default {RESULTS})")
    args = parser.parse_args(argv)
    options = Options.smoke_test() if args.smoke else d
    overrides: dict[str, Any] = {}
    for name, key in (
        ("cases", "cases"),
        ("refunds", "refunds"),
        ("rate", "rate"),
        ("connections", "connections"),
        ("duration", "duration_s"),
        ("warmup", "warmup_s"),
        ("scenario_seconds", "scenario_s"),
        ("log_level", "log_level"),
    ):
        value = getattr(args, name)
        if value is not None:
            overrides[key] = value
    if args.growth:
        overrides["growth"] = () if args.growth == "none" else tuple(int(x) for x in args.growth.split(","))
    if args.data_dir:
        overrides["data_dir"] = Path(args.data_dir)
    if args.out:
        overrides["out_dir"] = Path(args.out)
    overrides["profile"] = args.profile
    overrides["quick"] = args.quick
    overrides["keep_data"] = args.keep_data
    return replace(options, **overrides)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    raise_open_files_limit()  # inherited by the launcher and every process of the system
    bench = Bench(options)
    try:
        results = asyncio.run(bench.run())
    except (RuntimeError, OSError) as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        bench.cleanup(failed=True)
        return 1
    except BaseException:
        bench.cleanup(failed=True)
        raise
    bench.cleanup()
    options.out_dir.mkdir(parents=True, exist_ok=True)
    kind = "".join(suffix for on, suffix in ((options.smoke, "-smoke"), (options.quick, "-quick")) if on)
    out = options.out_dir / f"{bench.stamp}{kind}.json"
    out.write_text(json.dumps(results, indent=1))
    print(report.table(results))
    print(f"\nresults: {out}")
    return 0
