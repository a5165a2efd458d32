"""The real services, started in-process on free ports (real SQLite files, the real shop stand-in),
and the BFF in front of them with real Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from kit.grpc_server import GrpcServer
from refund_svc.config import Settings as RefundSettings
from refund_svc.server import create_server as create_refund_server
from shop_stub.config import Settings as ShopSettings
from shop_stub.server import create_server as create_shop_server
from support_svc.config import Settings as SupportSettings
from support_svc.server import create_server as create_support_server
from tests.bff.helpers import SECRET, client, running, settings, sign_in

pytestmark = pytest.mark.integration

Hook = Callable[[], Awaitable[None]] | None


@dataclass(frozen=True, slots=True)
class Services:
    support_addr: str
    refund_addr: str
    shop_addr: str


async def _start(stack: AsyncExitStack, server: GrpcServer, startup: Hook, shutdown: Hook) -> str:
    await server.start(startup)

    async def stop() -> None:
        await server.stop()
        if shutdown is not None:
            await shutdown()

    stack.push_async_callback(stop)
    return f"127.0.0.1:{server.port}"


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    async with AsyncExitStack() as stack:
        shop_addr = await _start(stack, *create_shop_server(ShopSettings(port=0)))
        support_addr = await _start(
            stack,
            *create_support_server(
                SupportSettings.model_validate(
                    {
                        "port": 0,
                        "db_path": tmp_path / "support.db",
                        "shop_addr": shop_addr,
                        "identity_secret": SECRET,
                        "grace_s": 0,
                    }
                )
            ),
        )
        refund_addr = await _start(
            stack,
            *create_refund_server(
                RefundSettings.model_validate(
                    {
                        "port": 0,
                        "db_path": tmp_path / "refund.db",
                        "shop_addr": shop_addr,
                        "ACME_IDENTITY_SECRET": SECRET,
                    }
                )
            ),
        )
        yield Services(support_addr=support_addr, refund_addr=refund_addr, shop_addr=shop_addr)


@pytest.fixture
async def app(services: Services) -> AsyncIterator[FastAPI]:
    config = settings(
        support_addr=services.support_addr,
        refund_addr=services.refund_addr,
        shop_addr=services.shop_addr,
        rpc_retries=2,
    )
    async with running(config) as application:
        yield application


class People:
    """One signed-in browser (its own cookie jar) per demo person, plus an anonymous one."""

    def __init__(self, app: FastAPI, stack: AsyncExitStack) -> None:
        self._app = app
        self._stack = stack
        self._clients: dict[str, httpx.AsyncClient] = {}

    async def __call__(self, who: str) -> httpx.AsyncClient:
        if who not in self._clients:
            http = await self._stack.enter_async_context(client(self._app))
            if who != "anonymous":
                response = await sign_in(http, who)
                assert response.status_code == 200, response.text
            self._clients[who] = http
        return self._clients[who]


@pytest.fixture
async def people(app: FastAPI) -> AsyncIterator[People]:
    async with AsyncExitStack() as stack:
        yield People(app, stack)
