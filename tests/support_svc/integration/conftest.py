"""Fixtures: a real support_svc (grpc.aio on port 0, SQLite in tmp_path) next to a tiny in-process shop.

The clock is a FixedClock, so SLA and reopen-window behaviour can be driven by the tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
from acme.shop.v1 import order_service_pb2_grpc

from support_svc.server import create_server
from tests.support_svc.fakes import FixedClock
from tests.support_svc.integration.harness import FakeOrderService, SupportHarness, support_settings


@pytest.fixture
async def shop() -> AsyncIterator[tuple[FakeOrderService, int]]:
    server = grpc.aio.server()
    servicer = FakeOrderService()
    order_service_pb2_grpc.add_OrderServiceServicer_to_server(servicer, server)  # type: ignore[no-untyped-call]
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    yield servicer, port
    await server.stop(None)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
async def support(
    tmp_path: Path, shop: tuple[FakeOrderService, int], clock: FixedClock
) -> AsyncIterator[SupportHarness]:
    servicer, shop_port = shop
    server, startup, shutdown = create_server(support_settings(tmp_path, shop_port), clock=clock)
    await server.start(startup)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        yield SupportHarness(server, channel, clock, servicer)
    await server.stop()
    await shutdown()
