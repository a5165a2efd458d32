"""The leads' dashboard from both services, and what operators use: liveness, readiness, metrics."""

from __future__ import annotations

from datetime import datetime, timedelta

from prometheus_client import REGISTRY

from launcher.system import free_port
from tests.bff.helpers import CSRF, ask_refund, client, eventually, open_case, running
from tests.bff.integration.conftest import People, Services, bff_settings


async def test_the_dashboard_adds_refund_numbers_to_the_case_numbers(people: People) -> None:
    ana, sam, lee = await people("ana"), await people("sam"), await people("lee")
    first = await open_case(ana)
    second = await open_case(ana, "ord_1004")
    await sam.post(f"/api/cases/{first['id']}/messages", json={"body": "Looking"}, headers=CSRF)
    await ask_refund(ana, second["id"], ("ln_1", 1))  # 649.00: waits for a lead
    # 9.02 (one of four tablets): paid at once; the case stays open for the other refund.
    small = (await ask_refund(ana, second["id"], ("ln_2", 1))).json()["refund"]

    async def paid() -> bool:
        return bool((await ana.get(f"/api/refunds/{small['id']}")).json()["refund"]["status"] == "refunded")

    await eventually(paid)
    response = await lee.get("/api/dashboard")

    assert response.status_code == 200, response.text
    board = response.json()
    period = datetime.fromisoformat(board["to"]) - datetime.fromisoformat(board["from"])
    assert abs(period - timedelta(days=30)) < timedelta(seconds=1)
    assert {s["status"]: s["count"] for s in board["openByStatus"]} == {
        "open": 1,
        "in_progress": 1,
        "waiting_on_customer": 0,
    }
    assert (board["casesOpened"], board["casesResolved"]) == (2, 0)
    assert board["medianFirstResponseSeconds"] is not None
    assert (board["breachedOpen"], board["breachedInPeriod"]) == (0, 0)
    assert board["refunds"] == {
        "pendingCount": 1,
        "pending": [{"amountMinor": 64900, "currency": "EUR"}],
        "refundedCount": 1,
        "refunded": [{"amountMinor": 902, "currency": "EUR"}],
    }


async def test_the_dashboards_period_is_checked_and_times_without_offset_are_utc(people: People) -> None:
    lee = await people("lee")

    earlier = await lee.get(
        "/api/dashboard", params={"from": "2020-01-01T00:00:00", "to": "2020-02-01T00:00:00"}
    )
    backwards = await lee.get(
        "/api/dashboard", params={"from": "2020-02-01T00:00:00Z", "to": "2020-01-01T00:00:00Z"}
    )
    not_a_time = await lee.get("/api/dashboard", params={"from": "last tuesday"})
    off_the_calendar = await lee.get("/api/dashboard", params={"from": "0001-01-01T00:00:00+01:00"})

    assert earlier.status_code == 200, earlier.text
    assert (earlier.json()["from"], earlier.json()["to"]) == ("2020-01-01T00:00:00Z", "2020-02-01T00:00:00Z")
    assert earlier.json()["casesOpened"] == 0
    for response, field in [(backwards, "to"), (not_a_time, "from"), (off_the_calendar, "from")]:
        assert response.status_code == 400, response.text
        assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_liveness_and_readiness_need_no_session(people: People) -> None:
    anonymous = await people("anonymous")

    alive = await anonymous.get("/healthz")
    ready = await anonymous.get("/readyz")

    assert (alive.status_code, alive.json()) == (200, {"status": "ok"})
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "checks": {"support": "ok", "refund": "ok", "shop": "ok", "redis": "ok"},
    }


async def test_readiness_names_what_is_not_ready(services: Services) -> None:
    config = bff_settings(
        services,
        refund_addr=f"127.0.0.1:{free_port()}",
        redis_url=f"redis://127.0.0.1:{free_port()}/0",
        readiness_timeout_s=0.5,
    )
    async with running(config) as app, client(app) as http:
        alive = await http.get("/healthz")
        ready = await http.get("/readyz")

    assert alive.status_code == 200
    assert ready.status_code == 503
    assert ready.headers["content-type"] == "application/problem+json"
    problem = ready.json()
    assert problem["reason"] == "NOT_READY"
    assert problem["checks"] == {"support": "ok", "refund": "failed", "shop": "ok", "redis": "failed"}
    assert problem["detail"] == "Not ready: refund, redis."


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_metrics_count_requests_by_route_template_and_status_and_the_order_cache(
    people: People,
) -> None:
    ana = await people("ana")
    case = await open_case(ana)
    page = {"method": "GET", "route": "/api/cases/{caseId}", "status": "200"}
    before = {
        "requests": _sample("http_server_requests_total", **page),
        "slow": _sample("http_server_request_duration_seconds_count", **page),
        "miss": _sample("bff_order_cache_lookups_total", lookup="order", result="miss"),
        "hit": _sample("bff_order_cache_lookups_total", lookup="order", result="hit"),
    }

    kept_before = _sample("bff_case_pages_total", outcome="kept")
    await ana.get(f"/api/cases/{case['id']}")  # the order: a miss, then cached
    await ana.get(f"/api/cases/{case['id']}")  # the page: kept (bff.case_pages)
    await (await people("sam")).get(f"/api/cases/{case['id']}")  # staff's view: read, the order cached
    scraped = await (await people("anonymous")).get("/metrics")

    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    text = scraped.text
    assert 'http_server_requests_total{method="GET",route="/api/cases/{caseId}",status="200"}' in text
    buckets = [
        line for line in text.splitlines() if line.startswith("http_server_request_duration_seconds_bucket")
    ]
    assert any(
        'route="/api/cases/{caseId}"' in b and 'status="200"' in b and 'le="0.1"' in b for b in buckets
    )
    assert "bff_order_cache_lookups_total" in text
    assert f"/api/cases/{case['id']}" not in text  # route templates only, never ids
    assert _sample("http_server_requests_total", **page) - before["requests"] == 3
    assert _sample("http_server_request_duration_seconds_count", **page) - before["slow"] == 3
    assert "bff_case_pages_total" in text
    assert _sample("bff_case_pages_total", outcome="kept") - kept_before == 1
    assert _sample("bff_order_cache_lookups_total", lookup="order", result="miss") - before["miss"] >= 1
    assert _sample("bff_order_cache_lookups_total", lookup="order", result="hit") - before["hit"] >= 1
