"""CSRF and Origin rules, JSON only, security headers on every response, request ids, no leaks on 500."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.types import Message, Receive, Scope, Send

from bff.middleware import FrontDoorMiddleware
from bff.sessions import COOKIE_NAME
from tests.bff.helpers import CSRF, client, memory_store, running, settings, sign_in

SIGN_IN = {"email": "ana@example.com", "password": "demo-password"}
HEADER_ONLY = {"X-Requested-By": "acme-ui"}  # the custom header without any origin


async def _boom() -> None:
    raise RuntimeError("secret internal detail: /srv/db password=hunter2")


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    static = tmp_path / "dist"
    (static / "assets").mkdir(parents=True)
    (static / "index.html").write_text("<!doctype html><title>Acme</title>")
    (static / "assets" / "app-1a2b.js").write_text("console.log(1)")
    async with running(settings(static_dir=static, redis_url=""), store_factory=memory_store) as application:
        # A route that fails unexpectedly, placed before the frontend's catch-all route.
        application.router.routes.insert(0, APIRoute("/api/boom", _boom, methods=["GET"]))
        yield application


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client(app) as c:
        yield c


def _assert_security_headers(response: httpx.Response) -> None:
    csp = response.headers["content-security-policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "object-src 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert "camera=()" in response.headers["permissions-policy"]
    assert re.fullmatch(r"[A-Za-z0-9._:-]{8,128}", response.headers["x-request-id"])
    assert "strict-transport-security" not in response.headers  # plain http here


async def test_security_headers_are_on_success_client_error_server_error_and_static(
    http: httpx.AsyncClient,
) -> None:
    ok = await http.get("/api/health")
    unauthorised = await http.get("/api/session")
    not_found = await http.get("/api/nothing-here")
    crashed = await http.get("/api/boom")
    index = await http.get("/cases/123")
    asset = await http.get("/assets/app-1a2b.js")
    refused = await http.post("/api/session", json=SIGN_IN)

    for response in (ok, unauthorised, not_found, crashed, index, asset, refused):
        _assert_security_headers(response)
    assert [r.status_code for r in (ok, unauthorised, not_found, crashed, index, asset, refused)] == [
        200,
        401,
        404,
        500,
        200,
        200,
        403,
    ]
    for api in (ok, unauthorised, not_found, crashed, refused):
        assert api.headers["cache-control"] == "no-store"
    assert index.headers["cache-control"] == "no-cache"
    assert "immutable" in asset.headers["cache-control"]


async def test_an_unexpected_error_is_a_generic_problem_without_internals(http: httpx.AsyncClient) -> None:
    response = await http.get("/api/boom", headers={"X-Request-Id": "trace-me-12345"})

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"] == "trace-me-12345"
    body = response.json()
    assert body == {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "Something went wrong on our side. Please try again.",
        "reason": "INTERNAL",
    }
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text


async def test_a_sane_request_id_is_kept_and_anything_else_replaced(http: httpx.AsyncClient) -> None:
    kept = await http.get("/api/health", headers={"X-Request-Id": "abc-123-def-456"})
    replaced = await http.get("/api/health", headers={"X-Request-Id": "<script>alert(1)</script>"})
    fresh = await http.get("/api/health")

    assert kept.headers["x-request-id"] == "abc-123-def-456"
    assert replaced.headers["x-request-id"] != "<script>alert(1)</script>"
    assert fresh.headers["x-request-id"] != replaced.headers["x-request-id"]


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "CSRF_HEADER_MISSING"),
        ({"X-Requested-By": "someone-else"}, "CSRF_HEADER_MISSING"),
        ({**CSRF, "Origin": "https://evil.example"}, "ORIGIN_NOT_ALLOWED"),
        ({**CSRF, "Origin": "null"}, "ORIGIN_NOT_ALLOWED"),
        ({**HEADER_ONLY, "Referer": "https://evil.example/page"}, "ORIGIN_NOT_ALLOWED"),
        ({**CSRF, "Sec-Fetch-Site": "cross-site"}, "CROSS_SITE_REQUEST"),
        (HEADER_ONLY, "ORIGIN_MISSING"),
        ({**HEADER_ONLY, "Sec-Fetch-Site": "same-site"}, "ORIGIN_MISSING"),
        ({**HEADER_ONLY, "Sec-Fetch-Site": "none"}, "ORIGIN_MISSING"),
    ],
)
async def test_state_changing_requests_need_the_header_and_an_allowed_origin(
    http: httpx.AsyncClient, headers: dict[str, str], reason: str
) -> None:
    response = await http.post("/api/session", json=SIGN_IN, headers=headers)

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["reason"] == reason
    assert COOKIE_NAME not in response.headers.get("set-cookie", "")


async def test_a_request_without_origin_is_refused_with_a_reason_naming_it(http: httpx.AsyncClient) -> None:
    # The custom header alone is not enough: it says nothing about which page sent the request.
    response = await http.post("/api/session", json=SIGN_IN, headers=HEADER_ONLY)
    sign_out = await http.delete("/api/session", headers=HEADER_ONLY)

    assert (response.status_code, sign_out.status_code) == (403, 403)
    assert response.json()["reason"] == "ORIGIN_MISSING"
    assert "Origin" in response.json()["detail"]


@pytest.mark.parametrize(
    "headers",
    [
        {**HEADER_ONLY, "Referer": "http://localhost:5173/cases/1"},
        {**HEADER_ONLY, "Sec-Fetch-Site": "same-origin"},
    ],
)
async def test_without_origin_an_allowed_referer_or_a_same_origin_fetch_is_enough(
    http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await http.post("/api/session", json=SIGN_IN, headers=headers)

    assert response.status_code == 200


@pytest.mark.parametrize(
    "origin",
    ["http://127.0.0.1:8000", "http://localhost:8000", "http://localhost:5173", "http://127.0.0.1:5173"],
)
async def test_the_apps_own_origins_are_allowed(http: httpx.AsyncClient, origin: str) -> None:
    response = await http.post("/api/session", json=SIGN_IN, headers={**CSRF, "Origin": origin})

    assert response.status_code == 200


async def test_only_json_bodies_are_accepted(http: httpx.AsyncClient) -> None:
    form = await http.post("/api/session", data=SIGN_IN, headers=CSRF)
    text = await http.post("/api/session", content=b"{}", headers={**CSRF, "Content-Type": "text/plain"})
    json_with_charset = await http.post(
        "/api/session",
        content=b'{"email":"ana@example.com","password":"demo-password"}',
        headers={**CSRF, "Content-Type": "application/json; charset=utf-8"},
    )

    assert (form.status_code, text.status_code) == (415, 415)
    assert form.json()["reason"] == "UNSUPPORTED_MEDIA_TYPE"
    assert json_with_charset.status_code == 200


async def test_sign_out_needs_the_csrf_header_but_no_body(http: httpx.AsyncClient) -> None:
    await sign_in(http, "ana")
    without = await http.delete("/api/session")
    with_header = await http.delete("/api/session", headers=CSRF)

    assert without.status_code == 403
    assert with_header.status_code == 204


async def test_oversized_bodies_are_refused(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/api/session", json={"email": "a@example.com", "password": "x" * 100_000}, headers=CSRF
    )

    assert response.status_code == 413


async def test_a_body_that_is_not_json_is_a_400_problem(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/api/session", content=b"{not json", headers={**CSRF, "Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["reason"] == "INVALID_JSON"


async def test_unknown_client_routes_get_index_html_and_missing_files_a_404(http: httpx.AsyncClient) -> None:
    route = await http.get("/agent/queue")
    missing = await http.get("/assets/gone-123.js")
    traversal = await http.get("/assets/..%2f..%2fetc%2fpasswd")

    assert route.status_code == 200
    assert "<title>Acme</title>" in route.text
    assert missing.status_code == 404
    assert "root:" not in traversal.text


async def test_without_a_built_frontend_the_root_says_so_in_plain_text() -> None:
    async with running(settings(redis_url=""), store_factory=memory_store) as app, client(app) as http:
        root = await http.get("/")
        deep = await http.get("/cases/1")

    assert root.status_code == 200
    assert root.headers["content-type"].startswith("text/plain")
    assert "not built" in root.text
    assert deep.status_code == 404
    _assert_security_headers(root)


async def test_text_no_encoder_could_send_on_is_a_400_naming_the_field(http: httpx.AsyncClient) -> None:
    await sign_in(http, "ana")
    case = (
        b'{"orderId": "ord_1001", "category": "other", "subject": "s", "description": "d", "orderLineIds": '
    )
    quantity = b'{"lines": [{"lineId": "ln_1", "quantity": 4294967296}], "reason": "damaged"}'

    lone_surrogate = await http.post(
        "/api/cases", content=case + b'["\\udc00"]}', headers={**CSRF, "Content-Type": "application/json"}
    )
    beyond_32_bits = await http.get("/api/cases", params={"pageSize": 2**40})
    too_many = await http.post(
        "/api/cases/10001/refunds", content=quantity, headers={**CSRF, "Content-Type": "application/json"}
    )

    assert lone_surrogate.status_code == 400
    assert [e["field"] for e in lone_surrogate.json()["errors"]] == ["orderLineIds"]
    assert beyond_32_bits.status_code == 400
    assert [e["field"] for e in beyond_32_bits.json()["errors"]] == ["pageSize"]
    assert too_many.status_code == 400
    assert [e["field"] for e in too_many.json()["errors"]] == ["lines[0].quantity"]


async def test_past_its_bound_on_work_in_flight_the_front_door_sheds_api_requests() -> None:
    """Overload: requests past `max_in_flight` are answered 503 at once, not queued until they time
    out; streams, health and static files are not counted, and capacity comes back when work ends."""
    release, both_working, streaming_now = asyncio.Event(), asyncio.Event(), asyncio.Event()
    entered: list[str] = []

    async def slow(name: str) -> dict[str, str]:
        entered.append(name)
        if len(entered) == 2:
            both_working.set()
        await release.wait()
        return {"done": name}

    async def stream() -> dict[str, str]:
        streaming_now.set()
        await release.wait()
        return {"stream": "ended"}

    config = settings(redis_url="", max_in_flight=2)
    async with running(config, store_factory=memory_store) as application:
        application.router.routes.insert(0, APIRoute("/api/slow/{name}", slow, methods=["GET"]))
        application.router.routes.insert(0, APIRoute("/api/slow/{name}/events", stream, methods=["GET"]))
        async with client(application) as http, asyncio.timeout(10):
            streaming = asyncio.create_task(http.get("/api/slow/a/events"))
            await streaming_now.wait()  # a stream in flight takes no place
            working = [asyncio.create_task(http.get(f"/api/slow/{n}")) for n in ("a", "b")]
            await both_working.wait()

            busy = await http.get("/api/slow/c")
            assert busy.status_code == 503
            assert busy.headers["content-type"].startswith("application/problem+json")
            assert busy.headers["retry-after"] == "1"
            assert busy.json()["reason"] == "SERVER_BUSY"
            _assert_security_headers(busy)
            assert entered == ["a", "b"]  # the shed request never reached its route
            assert (await http.get("/healthz")).status_code == 200

            release.set()
            assert [r.status_code for r in await asyncio.gather(*working, streaming)] == [200, 200, 200]
            assert (await http.get("/api/slow/d")).json() == {"done": "d"}


async def test_a_browsers_change_is_told_before_its_answer_starts() -> None:
    """bff.shared_pages relies on it: the browser's next request must already find the change noted."""
    told: list[str] = []
    sent: list[tuple[str, list[str]]] = []

    async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    front_door = FrontDoorMiddleware(
        endpoint, allowed_origins=["http://testserver"], max_body_bytes=1000, on_change=told.append
    )

    async def outer_send(message: Message) -> None:
        sent.append((str(message["type"]), list(told)))

    async def receive() -> Message:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    def request(method: str, cookie: str | None) -> Scope:
        headers = [
            (b"content-type", b"application/json"),
            (b"x-requested-by", b"acme-ui"),
            (b"origin", b"http://testserver"),
        ]
        if cookie:
            headers.append((b"cookie", f"other=1; {COOKIE_NAME}={cookie}".encode()))
        return {"type": "http", "method": method, "path": "/api/cases/1/assign", "headers": headers}

    await front_door(request("POST", "session-1"), receive, outer_send)
    assert sent[0] == ("http.response.start", ["session-1"])

    # Reads, and requests without a session, change nothing anyone kept.
    await front_door(request("GET", "session-2"), receive, outer_send)
    await front_door(request("POST", None), receive, outer_send)
    assert told == ["session-1"]
