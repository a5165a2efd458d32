"""How every gRPC service process runs: logs, tracing, uvloop, a frozen heap, its event loop's lag
measured (kit.loop_lag), graceful stop.

Each `__main__` builds its settings and its server, then hands them to `run_service`, so that
all processes behave alike in production (see the README's production layout).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Awaitable, Callable

import uvloop

from kit import logs, tracing
from kit.grpc_server import GrpcServer, run_until_signalled
from kit.loop_lag import watch_loop_lag

Hook = Callable[[], Awaitable[None]] | None


def run_service(
    name: str,
    build: Callable[[], tuple[GrpcServer, Hook, Hook]],
    *,
    log_level: str = "INFO",
    otlp_endpoint: str | None = None,
    metrics_port: int | None = None,
) -> None:
    logs.configure(name, log_level, batched=True)  # one write per batch of per-call lines
    tracing.configure(name, otlp_endpoint)

    async def serve() -> None:
        server, startup, shutdown = build()
        if metrics_port is not None:
            server.metrics_port = metrics_port

        async def started() -> None:
            if startup is not None:
                await startup()
            # What is alive now lives as long as the process: move it out of the collector's
            # sight, so that full collections stay short with thousands of connections open.
            gc.collect()
            gc.freeze()

        lag = asyncio.create_task(watch_loop_lag(), name="loop-lag")
        try:
            await run_until_signalled(server, started, shutdown)
        finally:
            lag.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await lag
            tracing.shutdown()

    uvloop.run(serve())  # log lines still batched are written at exit (kit.logs)
