"""Real servers for integration tests: the shop stand-in and refund_svc on free ports, real SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from acme.refund.v1 import refund_service_pb2_grpc

from shop_stub.config import Settings as ShopSettings
from shop_stub.server import create_server as create_shop_server
from tests.refund_svc.integration.servers import RunningRefunds, refund_settings, start_refunds, stop_refunds


@pytest.fixture
async def shop_address() -> AsyncIterator[str]:
    """The real shop stand-in, its dates relative to today like in the demo."""
    server, startup, _ = create_shop_server(ShopSettings(port=0), today=datetime.now(UTC).date())
    await server.start(startup)
    try:
        yield f"127.0.0.1:{server.port}"
    finally:
        await server.stop()


@pytest.fixture
async def refunds(tmp_path: Path, shop_address: str) -> AsyncIterator[RunningRefunds]:
    running = await start_refunds(refund_settings(tmp_path / "refund.db", shop_address))
    try:
        yield running
    finally:
        await stop_refunds(running)


@pytest.fixture
async def stub(refunds: RunningRefunds) -> AsyncIterator[refund_service_pb2_grpc.RefundServiceStub]:
    async with refunds.channel() as channel:
        yield refund_service_pb2_grpc.RefundServiceStub(channel)
