"""The case page composes three services in one response; outages of Redis or a service are plain problems."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import grpc
from acme.refund.v1 import refund_pb2, refund_service_pb2, refund_service_pb2_grpc

from bff.sessions import COOKIE_NAME
from bff.state import AppState
from kit.identity import Identity, Role, bearer_metadata
from launcher.system import free_port
from tests.bff.helpers import CSRF, SECRET, PrivateRedis, client, eventually, running, settings, sign_in
from tests.bff.integration.conftest import People, Services, bff_settings

CASE = {"orderId": "ord_1001", "category": "damaged_item", "subject": "Broken", "description": "In pieces"}


async def test_the_case_page_carries_the_order_and_the_cases_refunds(
    services: Services, people: People
) -> None:
    ana = await people("ana")
    case = (await ana.post("/api/cases", json=CASE, headers=CSRF)).json()["case"]
    async with grpc.aio.insecure_channel(services.refund_addr) as channel:
        stub = refund_service_pb2_grpc.RefundServiceStub(channel)
        created = await stub.CreateRefund(
            refund_service_pb2.CreateRefundRequest(
                refund=refund_pb2.Refund(
                    case=f"cases/{case['id']}",
                    order_id="ord_1001",
                    lines=[refund_pb2.RefundLine(order_line_id="ln_1", quantity=1)],
                    reason=refund_pb2.REFUND_REASON_DAMAGED,
                    method=refund_pb2.REFUND_METHOD_ORIGINAL_PAYMENT,
                ),
                request_id=str(uuid.uuid4()),
            ),
            metadata=bearer_metadata(SECRET, Identity("cus_1001", Role.CUSTOMER)),
        )

    # Written straight to refund_svc, not through this BFF: the page shows it once refund_svc's relay
    # has told support_svc (a moment later: the relay gathers a commit's events for REFUND_RELAY_GATHER_MS).
    page: dict[str, Any] = {}

    async def shows_the_refund() -> bool:
        page.update((await ana.get(f"/api/cases/{case['id']}")).json())
        return len(page["refunds"]) == 1

    await eventually(shows_the_refund)
    bens_view = await (await people("ben")).get(f"/api/cases/{case['id']}")

    assert page["order"]["id"] == "ord_1001"
    assert [line["id"] for line in page["order"]["lines"]] == ["ln_1", "ln_2"]
    assert len(page["refunds"]) == 1
    refund = page["refunds"][0]
    assert refund["number"] == created.refund.refund_number
    assert refund["total"] == {
        "amountMinor": created.refund.total.amount_minor,
        "currency": created.refund.total.currency_code,
    }
    assert refund["status"] in ("pending_approval", "approved")
    assert bens_view.status_code == 404


async def test_the_case_page_still_loads_when_the_shop_is_down(services: Services, people: People) -> None:
    ana = await people("ana")
    case = (await ana.post("/api/cases", json=CASE, headers=CSRF)).json()["case"]
    config = settings(
        support_addr=services.support_addr,
        refund_addr=services.refund_addr,
        shop_addr=f"127.0.0.1:{free_port()}",
    )
    async with running(config) as app, client(app) as http:
        await sign_in(http, "ana")
        page = await http.get(f"/api/cases/{case['id']}")
        orders = await http.get("/api/orders")

    assert page.status_code == 200
    assert page.json()["order"] is None
    assert page.json()["case"]["id"] == case["id"]
    assert orders.status_code == 503
    assert orders.json()["reason"] == "SERVICE_UNAVAILABLE"
    assert "127.0.0.1" not in orders.text


async def test_with_redis_down_orders_still_load_and_signed_in_calls_fail_closed(services: Services) -> None:
    config = settings(
        redis_url=f"redis://127.0.0.1:{free_port()}/0",
        support_addr=services.support_addr,
        refund_addr=services.refund_addr,
        shop_addr=services.shop_addr,
    )
    async with running(config) as app, client(app) as http:
        state: AppState = app.state.bff
        orders = await state.orders.orders_of(Identity("cus_1001", Role.CUSTOMER), "cus_1001")
        signing_in = await sign_in(http, "ana")
        http.cookies.set(COOKIE_NAME, "a-session-id-from-before-the-outage")
        session = await http.get("/api/session")
        listing = await http.get("/api/orders")
        health = await http.get("/api/health")

    assert {o.order.id for o in orders} == {"ord_1001", "ord_1002", "ord_1003", "ord_1004"}
    for response in (signing_in, session, listing):
        assert response.status_code == 503
        assert response.json()["reason"] == "SESSION_STORE_UNAVAILABLE"
        assert response.headers["retry-after"]
    assert health.status_code == 200


async def test_a_service_that_is_down_is_a_503_problem_not_a_crash(services: Services) -> None:
    config = settings(shop_addr=services.shop_addr)  # support_svc and refund_svc: nothing listens
    async with running(config) as down, client(down) as http:
        await sign_in(http, "ana")
        created = await http.post("/api/cases", json=CASE, headers=CSRF)
        listed = await http.get("/api/cases")

    assert (created.status_code, listed.status_code) == (503, 503)
    assert created.json()["detail"].endswith(".")


async def test_redis_stopped_under_a_running_bff_and_started_again(
    services: Services, private_redis: PrivateRedis
) -> None:
    """A real redis-server stopped while the BFF runs: signed-in calls fail closed with a 503 problem, order
    lookups go to the shop; once it is back, the SAME app signs people in and answers again."""
    # Sessions are not kept in memory here (they are for BFF_SESSION_NEAR_TTL_S by default): every
    # request asks the store, so the outage shows on the first one.
    config = bff_settings(
        services, redis_url=f"redis://127.0.0.1:{private_redis.port}/0", session_near_ttl_s=0
    )
    async with running(config) as app, client(app) as http:
        state: AppState = app.state.bff
        assert (await sign_in(http, "ana")).status_code == 200
        before = await http.get("/api/orders")

        private_redis.stop()
        during = [
            await http.get("/api/orders"),
            await http.get("/api/session"),
            await http.post("/api/cases", json=CASE, headers=CSRF),
            await sign_in(http, "ben"),
        ]
        # Ben's orders were never looked up, so they are in no cache: they can only come from the shop.
        from_the_shop = await state.orders.orders_of(Identity("cus_1002", Role.CUSTOMER), "cus_1002")

        private_redis.start()  # empty: the sessions from before are gone
        deadline = time.monotonic() + 10
        while (again := await sign_in(http, "ana")).status_code == 503:  # the store's cool-down
            assert time.monotonic() < deadline, again.text
            await asyncio.sleep(0.1)
        after = await http.get("/api/orders")

    assert before.status_code == 200
    for response in during:
        assert response.status_code == 503, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["reason"] == "SESSION_STORE_UNAVAILABLE"
        assert int(response.headers["retry-after"]) >= 1
    assert from_the_shop
    assert {o.customer_id for o in from_the_shop} == {"cus_1002"}
    assert again.status_code == 200
    assert after.status_code == 200
    assert after.json() == before.json()
