"""One request followed across processes' worth of code in this process: the trace from the browser's
traceparent through the BFF into support_svc's and refund_svc's server spans, and the request id from
the HTTP request through the BFF's and the service's JSON log lines to the response header."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator

import orjson
import pytest
from fastapi import FastAPI
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from bff.sessions import COOKIE_NAME as SESSION_COOKIE
from kit import tracing
from tests.bff.helpers import CSRF, PASSWORD, ask_refund, open_case, running
from tests.bff.integration.conftest import People, Services, bff_settings, following_case_changes
from tests.kit.log_capture import json_lines_on_stdout

BROWSER_TRACE = 0x0AF7651916CD43DD8448EB211C80319C
BROWSER_SPAN = 0xB7AD6B7169203331
TRACEPARENT = f"00-{BROWSER_TRACE:032x}-{BROWSER_SPAN:016x}-01"


@pytest.fixture
async def app(services: Services) -> AsyncIterator[FastAPI]:
    # Sessions read from Redis on every request (not kept in memory), so that the traced page makes
    # Redis calls of its own.
    async with running(bff_settings(services, session_near_ttl_s=0)) as application:
        await following_case_changes(application)
        yield application


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    assert tracing.configure("bff-test", exporter=exporter)
    yield exporter
    tracing.shutdown()


def _one(spans: list[ReadableSpan], name: str, kind: SpanKind) -> ReadableSpan:
    found = [s for s in spans if s.name == name and s.kind == kind]
    assert len(found) == 1, [(s.name, s.kind) for s in spans]
    return found[0]


async def test_one_trace_spans_the_browser_the_bff_and_the_services(
    app: FastAPI, people: People, spans: InMemorySpanExporter
) -> None:
    ana = await people("ana")
    case = await open_case(ana)
    # A case with a refund: its page asks refund_svc too (a case with none does not).
    assert (await ask_refund(ana, case["id"], ("ln_1", 1))).status_code == 201
    spans.clear()

    page = await ana.get(f"/api/cases/{case['id']}", headers={"traceparent": TRACEPARENT})

    assert page.status_code == 200
    finished = list(spans.get_finished_spans())
    http = _one(finished, "GET /api/cases/{caseId}", SpanKind.SERVER)
    get_case = _one(finished, "acme.support.v1.GetCase", SpanKind.CLIENT)
    support = _one(finished, "/acme.support.v1.CaseService/GetCase", SpanKind.SERVER)
    refunds = _one(finished, "/acme.refund.v1.RefundService/ListRefunds", SpanKind.SERVER)
    redis = [s for s in finished if s.name.startswith("redis ")]

    # The BFF continues the browser's trace...
    assert http.context.trace_id == BROWSER_TRACE
    assert http.parent is not None
    assert http.parent.span_id == BROWSER_SPAN
    assert http.attributes is not None
    assert http.attributes["http.route"] == "/api/cases/{caseId}"
    assert http.attributes["http.response.status_code"] == 200
    # ...into its call, whose span is the parent of support_svc's own server span.
    assert get_case.parent is not None
    assert get_case.parent.span_id == http.context.span_id
    assert support.parent is not None
    assert support.parent.span_id == get_case.context.span_id
    assert {support.context.trace_id, refunds.context.trace_id} == {BROWSER_TRACE}
    # Redis (the session, the order cache) inside the request's span.
    assert redis
    assert all(s.parent is not None and s.context.trace_id == BROWSER_TRACE for s in redis)
    assert all(case["id"] not in str(s.attributes) for s in redis)
    # support_svc's reads of SQLite inside its server span, named by statement kind, without values.
    sqlite = [s for s in finished if s.parent is not None and s.parent.span_id == support.context.span_id]
    assert sqlite, [(s.name, s.parent) for s in finished]
    assert {s.name for s in sqlite} == {"sqlite SELECT"}
    assert all((s.attributes or {}).get("db.system") == "sqlite" for s in sqlite)
    assert all(s.kind == SpanKind.CLIENT and s.context.trace_id == BROWSER_TRACE for s in sqlite)
    assert all(case["id"] not in str(s.attributes) for s in sqlite)


async def test_without_a_traceparent_each_request_starts_its_own_trace(
    app: FastAPI, people: People, spans: InMemorySpanExporter
) -> None:
    ana = await people("ana")
    spans.clear()

    await ana.get("/api/cases")
    await ana.get("/api/cases")

    roots = [
        s for s in spans.get_finished_spans() if s.kind == SpanKind.SERVER and s.name == "GET /api/cases"
    ]
    assert len(roots) == 2
    assert roots[0].context.trace_id != roots[1].context.trace_id
    assert all(s.parent is None for s in roots)


@pytest.fixture
def json_logs() -> Iterator[None]:
    with json_lines_on_stdout("acme"):
        yield


async def test_one_request_id_from_the_browser_through_both_log_lines_to_the_response(
    app: FastAPI, people: People, json_logs: None, capsys: pytest.CaptureFixture[str]
) -> None:
    ana = await people("ana")
    capsys.readouterr()
    request_id = "req-trace-0001"

    created = await ana.post(
        "/api/cases",
        json={"orderId": "ord_1001", "category": "other", "subject": "Hi", "description": "Help"},
        headers={**CSRF, "X-Request-Id": request_id},
    )
    other = await ana.get("/api/cases")

    lines = [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]
    bff = [e for e in lines if e.get("event") == "request" and e.get("path") == "/api/cases"]
    service = [e for e in lines if e.get("event") == "rpc" and e.get("method", "").endswith("/CreateCase")]
    assert created.status_code == 201
    assert created.headers["x-request-id"] == request_id
    assert [(e["method"], e["status"], e["request_id"]) for e in bff] == [
        ("POST", 201, request_id),
        ("GET", 200, other.headers["x-request-id"]),
    ]
    assert [e["request_id"] for e in service] == [request_id]
    assert other.headers["x-request-id"] != request_id  # a request without one gets a new one


async def test_logs_of_the_bff_and_the_services_are_json_with_request_ids_and_no_secrets(
    app: FastAPI, people: People, json_logs: None, capsys: pytest.CaptureFixture[str]
) -> None:
    subject = "Zebra-subject-7431 lost parcel"
    description = "Quokka-description-9182 never arrived"
    message = "Narwhal-message-5527 any news?"
    ana = await people("ana")  # signs in: the password goes by too
    case = await open_case(ana, subject=subject, description=description)
    posted = await ana.post(
        f"/api/cases/{case['id']}/messages",
        json={"body": message},
        headers={**CSRF, "X-Request-Id": "req-secret-0001"},
    )
    page = await ana.get(f"/api/cases/{case['id']}")
    await ana.get("/api/cases", headers={"Authorization": "Bearer not-for-the-logs"})

    assert posted.status_code == 201, posted.text
    assert page.status_code == 200
    cookie = ana.cookies.get(SESSION_COOKIE)
    assert cookie
    out = capsys.readouterr().out
    entries = [orjson.loads(line) for line in out.splitlines()]  # every line is one JSON object
    assert all({"level", "timestamp", "event", "request_id"} <= e.keys() for e in entries), entries
    assert any(e.get("logger") == "httpx" for e in entries)  # the standard library's lines: JSON too
    requests = [e for e in entries if e["event"] == "request"]
    calls = [e for e in entries if e["event"] == "rpc"]
    assert requests
    assert calls
    # Each request's and each call's line carries a request id, the one the browser sent if it did.
    assert all(e["request_id"] not in ("", "-") for e in requests + calls)
    assert [e["request_id"] for e in calls if e["method"].endswith("/AddCaseMessage")] == ["req-secret-0001"]
    # Nothing secret or personal in any line of any process: not the case's text, not the message,
    # not the password, the session cookie, a bearer header or an identity token (a JWT).
    for secret in (subject, description, message, PASSWORD, cookie, "Bearer", "not-for-the-logs"):
        assert secret not in out, secret
    assert not re.search(r"eyJ[\w-]+\.[\w-]+\.[\w-]+", out), "an identity token was logged"
