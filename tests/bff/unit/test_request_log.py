"""One log event per request: method, path template, status, duration, request id; nothing secret."""

from __future__ import annotations

import pytest
import structlog
from structlog.testing import capture_logs

from bff import middleware
from tests.bff.helpers import CSRF, client, memory_store, running, settings


async def test_each_request_logs_one_event_without_bodies_cookies_or_query(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with capture_logs() as logs:
        monkeypatch.setattr(middleware, "log", structlog.get_logger("bff.http"))
        async with running(settings(redis_url=""), store_factory=memory_store) as app, client(app) as http:
            await http.post(
                "/api/session", json={"email": "ana@example.com", "password": "demo-password"}, headers=CSRF
            )
            await http.get("/api/cases/abc123?q=my+secret+search", headers={"X-Request-Id": "rid-00000001"})

    requests = [e for e in logs if e["event"] == "request"]
    assert [(e["method"], e["path"], e["status"]) for e in requests] == [
        ("POST", "/api/session", 200),
        ("GET", "/api/cases/{caseId}", 503),  # support_svc is not running here
    ]
    assert all(isinstance(e["duration_ms"], float) for e in requests)
    text = repr(logs)
    for secret in ("demo-password", "acme_session", "my secret search", "abc123", "Bearer"):
        assert secret not in text
