"""The real services, started in-process on free ports (real SQLite files, the real shop stand-in),
and the BFF in front of them with real Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from bff.config import Settings
from kit.grpc_server import GrpcServer
from refund_svc.config import Settings as RefundSettings
from refund_svc.server import create_server as create_refund_server
from shop_stub.config import Settings as ShopSettings
from shop_stub.server import create_server as create_shop_server
from support_svc.config import Settings as SupportSettings
from support_svc.server import create_server as create_support_server
from tests.bff.helpers import SECRET, client, eventually, running, settings, sign_in

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


@asynccontextmanager
async def start_services(folder: Path, **refund_overrides: Any) -> AsyncIterator[Services]:
    """The shop stand-in, support_svc and refund_svc, with refund_svc's outbox relay delivering to this
    support_svc. `refund_overrides`: refund_svc settings (e.g. a payment gateway that declines)."""
    async with AsyncExitStack() as stack:
        shop_addr = await _start(stack, *create_shop_server(ShopSettings(port=0)))
        support_addr = await _start(
            stack,
            *create_support_server(
                SupportSettings.model_validate(
                    {
                        "port": 0,
                        "db_path": folder / "support.db",
                        "shop_addr": shop_addr,
                        "identity_secret": SECRET,
                        "grace_s": 0,
                    }
                )
            ),
        )
        refund_settings = {
            "port": 0,
            "db_path": folder / "refund.db",
            "shop_addr": shop_addr,
            "support_addr": support_addr,
            "relay_backoff_max_s": 0.2,
            "gateway_latency_ms": 5,
            "payout_backoff_max_s": 0.2,
            "ACME_IDENTITY_SECRET": SECRET,
        }
        refund_addr = await _start(
            stack, *create_refund_server(RefundSettings.model_validate(refund_settings | refund_overrides))
        )
        yield Services(support_addr=support_addr, refund_addr=refund_addr, shop_addr=shop_addr)


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    async with start_services(tmp_path) as running_services:
        yield running_services


def bff_settings(services: Services, **overrides: Any) -> Settings:
    """The BFF in front of `services`. Live updates end after a moment (httpx's ASGI transport returns
    a response only once it is complete) and refund requests are hardly limited, unless overridden."""
    values: dict[str, Any] = {
        "support_addr": services.support_addr,
        "refund_addr": services.refund_addr,
        "shop_addr": services.shop_addr,
        "rpc_retries": 2,
        "events_max_s": 0.2,
        "refund_create_limit": 1000,
    }
    return settings(**(values | overrides))


@pytest.fixture
async def app(services: Services) -> AsyncIterator[FastAPI]:
    async with running(bff_settings(services)) as application:
        await following_case_changes(application)
        yield application


async def following_case_changes(app: FastAPI) -> None:
    """Waits until the BFF follows support_svc's changes (until then it keeps no case page), so that
    what a test sees does not depend on how fast the stream opened."""
    pages = app.state.bff.case_pages

    async def live() -> bool:
        return bool(pages.live)

    await eventually(live, timeout_s=5)


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
