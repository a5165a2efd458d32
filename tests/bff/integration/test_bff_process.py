"""`python -m bff` as a process stops gracefully on SIGTERM: it stops taking connections, finishes the
request in flight (here a readiness check held up by a slow gRPC dependency) and exits 0 within its
grace. The dependency is a stand-in: a real gRPC health server on loopback that answers when told."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from bff.__main__ import SHUTDOWN_GRACE_S
from launcher.system import free_port
from tests.bff.helpers import REDIS_URL, SECRET, unique_prefix

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]


@dataclass
class SlowHealth(health_pb2_grpc.HealthServicer):
    """Answers SERVING, but only once `release` is set; `arrived` tells that a check is waiting."""

    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def Check(
        self, request: health_pb2.HealthCheckRequest, context: grpc.aio.ServicerContext[object, object]
    ) -> health_pb2.HealthCheckResponse:
        self.arrived.set()
        await self.release.wait()
        return health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING)


@pytest.fixture
async def slow_dependency() -> AsyncIterator[tuple[str, SlowHealth]]:
    server = grpc.aio.server()
    health = SlowHealth()
    health_pb2_grpc.add_HealthServicer_to_server(health, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    yield f"127.0.0.1:{port}", health
    health.release.set()
    await server.stop(None)


@pytest.fixture
async def bff_process(
    slow_dependency: tuple[str, SlowHealth], tmp_path: Path
) -> AsyncIterator[tuple[asyncio.subprocess.Process, str]]:
    address, _ = slow_dependency
    port = free_port()
    env = {
        **os.environ,
        "ACME_IDENTITY_SECRET": SECRET,
        "BFF_HOST": "127.0.0.1",
        "BFF_PORT": str(port),
        "BFF_SUPPORT_ADDR": address,
        "BFF_REFUND_ADDR": address,
        "BFF_SHOP_ADDR": address,
        "BFF_REDIS_URL": REDIS_URL,
        "BFF_REDIS_KEY_PREFIX": unique_prefix(),
        "BFF_STATIC_DIR": str(tmp_path / "no-static-files"),
        "BFF_READINESS_TIMEOUT_S": "30",  # the stand-in decides when the check answers
        "PYTHONUNBUFFERED": "1",
    }
    with (tmp_path / "bff.log").open("wb") as log:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bff", cwd=REPO, env=env, stdout=log, stderr=asyncio.subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"
        try:
            async with asyncio.timeout(30), httpx.AsyncClient() as http:
                while True:
                    assert proc.returncode is None, (tmp_path / "bff.log").read_text()
                    try:
                        if (await http.get(f"{url}/api/health")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.1)
            yield proc, url
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()


async def refuses_connections(url: str) -> bool:
    try:
        async with httpx.AsyncClient() as fresh:  # a new connection, not a kept-alive one
            await fresh.get(f"{url}/api/health", timeout=1)
    except httpx.ConnectError:
        return True
    except (httpx.RemoteProtocolError, httpx.ReadError):
        # The kernel may still complete a connect that raced the closing of the listening socket:
        # the stopping server then drops it unanswered (a closed or a reset connection). Not taken
        # either.
        return True
    return False


async def test_sigterm_finishes_the_request_in_flight_then_exits_0_within_the_grace(
    bff_process: tuple[asyncio.subprocess.Process, str], slow_dependency: tuple[str, SlowHealth]
) -> None:
    proc, url = bff_process
    _, dependency = slow_dependency
    async with httpx.AsyncClient(timeout=30) as http:
        in_flight = asyncio.create_task(http.get(f"{url}/readyz"))
        await asyncio.wait_for(dependency.arrived.wait(), 10)  # the BFF is waiting on the dependency

        proc.send_signal(signal.SIGTERM)
        stopping_since = time.monotonic()
        async with asyncio.timeout(SHUTDOWN_GRACE_S):
            while True:
                if await refuses_connections(url):  # it has stopped taking new connections
                    break
                await asyncio.sleep(0.05)
        assert not in_flight.done()
        assert proc.returncode is None  # still finishing the request in flight

        dependency.release.set()
        response = await in_flight

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ready"
    assert await asyncio.wait_for(proc.wait(), SHUTDOWN_GRACE_S + 5) == 0
    assert time.monotonic() - stopping_since < SHUTDOWN_GRACE_S + 5
