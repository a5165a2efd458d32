"""Shared helpers of the BFF tests: settings, an app with its lifespan running, signed-in clients."""

from __future__ import annotations

import asyncio
import ipaddress
import shutil
import socket
import subprocess
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from http.cookiejar import Cookie, CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import uvicorn
from fastapi import FastAPI

from bff.accounts import UserDirectory
from bff.config import Settings
from bff.main import create_app
from bff.one_write import OneWriteHttpToolsProtocol
from bff.store import KeyValueStore, MemoryStore, RedisStore
from launcher.system import free_port
from tests.bff.fakes import demo_directory

SECRET = "test-identity-secret-" + "k" * 24
REDIS_URL = "redis://127.0.0.1:6379/0"
PASSWORD = "demo-password"
BASE_URL = "http://127.0.0.1:8000"
# What the app's own page sends on every state-changing request: the custom header and its Origin.
CSRF = {"X-Requested-By": "acme-ui", "Origin": BASE_URL}
EMAILS = {
    "ana": "ana@example.com",
    "ben": "ben@example.com",
    "sam": "sam@example.com",
    "kim": "kim@example.com",
    "lee": "lee@example.com",
}


class BrowserCookiePolicy(DefaultCookiePolicy):
    """Sends Secure cookies where browsers do: over TLS, and to loopback hosts over plain http too (a
    secure context). Python's default policy would keep the BFF's __Host- cookie off http://127.0.0.1."""

    def return_ok_secure(self, cookie: Cookie, request: urllib.request.Request) -> bool:
        host = urlsplit(request.get_full_url()).hostname or ""
        return super().return_ok_secure(cookie, request) or _is_loopback(host)


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def browser_client(**kwargs: Any) -> httpx.AsyncClient:
    """An httpx client that sends cookies as browsers do (see BrowserCookiePolicy). httpx copies the
    client's cookies into a jar with the default policy for each request, so a request hook sets the
    Cookie header from the client's own jar instead."""
    jar = CookieJar(policy=BrowserCookiePolicy())
    cookies = httpx.Cookies(jar)  # wraps this jar (an httpx.Cookies would be copied)

    async def send_cookies(request: httpx.Request) -> None:
        request.headers.pop("cookie", None)
        cookies.set_cookie_header(request)

    return httpx.AsyncClient(cookies=jar, event_hooks={"request": [send_cookies]}, **kwargs)


class PrivateRedis:
    """A private redis-server, so that a test may stop and restart it (never the shared one)."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        assert binary is not None, "redis-server must be installed for the BFF tests"
        self.binary = binary
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.02)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(5)
            self.process = None


def unique_prefix() -> str:
    return f"test:bff:{uuid.uuid4().hex[:12]}:"


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "identity_secret": SECRET,
        "redis_url": REDIS_URL,
        "redis_key_prefix": unique_prefix(),
        # Nothing listens there unless a test says otherwise: calls fail fast with UNAVAILABLE.
        "support_addr": f"127.0.0.1:{free_port()}",
        "refund_addr": f"127.0.0.1:{free_port()}",
        "shop_addr": f"127.0.0.1:{free_port()}",
        "rpc_retries": 0,
        "static_dir": Path("/nonexistent-static-dir"),
    }
    values.update(overrides)
    return Settings(**values)


@asynccontextmanager
async def running(
    config: Settings,
    *,
    directory: UserDirectory | None = None,
    store_factory: Callable[[Settings], KeyValueStore] | None = None,
) -> AsyncIterator[FastAPI]:
    """The app with its lifespan running (httpx's ASGITransport does not run lifespans)."""
    kwargs: dict[str, Any] = {"directory": directory or demo_directory()}
    if store_factory is not None:
        kwargs["store_factory"] = store_factory
    app = create_app(config, **kwargs)
    async with app.router.lifespan_context(app):
        try:
            yield app
        finally:
            if config.redis_url:
                await delete_prefix(config.redis_key_prefix)


def memory_store(_: Settings) -> KeyValueStore:
    return MemoryStore()


@asynccontextmanager
async def client(app: FastAPI, base_url: str = BASE_URL) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with browser_client(transport=transport, base_url=base_url) as http:
        yield http


async def sign_in(http: httpx.AsyncClient, who: str, password: str = PASSWORD) -> httpx.Response:
    return await http.post("/api/session", json={"email": EMAILS[who], "password": password}, headers=CSRF)


async def delete_prefix(prefix: str) -> None:
    store = RedisStore(REDIS_URL)
    try:
        redis = store._redis
        keys = [key async for key in redis.scan_iter(match=f"{prefix}*", count=500)]
        if keys:
            await redis.delete(*keys)
    finally:
        await store.close()


async def open_case(http: httpx.AsyncClient, order_id: str = "ord_1001", **changes: Any) -> dict[str, Any]:
    """Opens a case through the BFF and returns it (fails the test when it cannot)."""
    body = {"orderId": order_id, "category": "damaged_item", "subject": "Broken", "description": "In pieces"}
    response = await http.post("/api/cases", json=body | changes, headers=CSRF)
    assert response.status_code == 201, response.text
    case: dict[str, Any] = response.json()["case"]
    return case


async def ask_refund(
    http: httpx.AsyncClient,
    case_id: str,
    *lines: tuple[str, int],
    headers: dict[str, str] | None = None,
    **changes: Any,
) -> httpx.Response:
    """POST /api/cases/{case_id}/refunds for `lines` ((line id, quantity), ...), reason "damaged"."""
    body = {"lines": [{"lineId": line, "quantity": qty} for line, qty in lines], "reason": "damaged"}
    return await http.post(f"/api/cases/{case_id}/refunds", json=body | changes, headers=headers or CSRF)


async def eventually(check: Callable[[], Awaitable[bool]], timeout_s: float = 10.0) -> None:
    """Waits until `check()` holds (refund_svc pays and tells support_svc in the background)."""
    deadline = time.monotonic() + timeout_s
    while not await check():
        assert time.monotonic() < deadline, f"still not true after {timeout_s} s"
        await asyncio.sleep(0.05)


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[str]:
    """The app (its lifespan already running) on a real loopback port under uvicorn, for what httpx's
    ASGI transport cannot do: it hands out a response only once it is complete. Served with the BFF's
    own HTTP protocol (bff.one_write), as `python -m bff` serves it."""
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        http=OneWriteHttpToolsProtocol,
        lifespan="off",
        log_config=None,
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(5):
            while not server.started:
                assert not task.done(), "uvicorn did not start"
                await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
