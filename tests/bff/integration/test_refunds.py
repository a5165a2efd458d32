"""Refunds through the BFF against the real services: quotes, requests on a case, the approvals queue,
decisions, payouts, and what each person sees of a refund."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from prometheus_client import REGISTRY

from tests.bff.helpers import CSRF, ask_refund, client, eventually, open_case, running, sign_in
from tests.bff.integration.conftest import People, Services, bff_settings, start_services

PHONE_CASE = ("ln_2", 1)  # ord_1001: 11.69, approved by policy at once
HEADPHONES = ("ln_1", 1)  # ord_1001: 79.00, waits for an agent
ESPRESSO = ("ln_1", 1)  # ord_1004: 649.00, waits for a lead


async def refund_of(http: httpx.AsyncClient, refund_id: str) -> dict[str, Any]:
    response = await http.get(f"/api/refunds/{refund_id}")
    assert response.status_code == 200, response.text
    refund: dict[str, Any] = response.json()["refund"]
    return refund


async def test_the_quote_tells_what_each_line_can_still_refund_and_only_to_its_owner(people: People) -> None:
    ana, ben, sam = await people("ana"), await people("ben"), await people("sam")
    case = await open_case(ana)
    await ask_refund(ana, case["id"], ("ln_2", 2))

    quote = await ana.get("/api/orders/ord_1001/refund-quote")
    staff = await sam.get("/api/orders/ord_1001/refund-quote")
    bens = await ben.get("/api/orders/ord_1001/refund-quote")
    unknown = await ana.get("/api/orders/ord_9999/refund-quote")
    not_an_id = await ana.get("/api/orders/..%2F..%2Fetc/refund-quote")

    assert quote.status_code == 200, quote.text
    body = quote.json()
    lines = {line["lineId"]: line for line in body["lines"]}
    assert (body["orderId"], body["currency"], body["windowOpen"]) == ("ord_1001", "EUR", True)
    assert body["windowEndsAt"]
    assert lines["ln_2"]["productTitle"] == "Phone case"
    assert (lines["ln_2"]["quantityBought"], lines["ln_2"]["quantityRefundable"]) == (3, 1)
    assert lines["ln_2"]["amountPaid"] == {"amountMinor": 3508, "currency": "EUR"}
    assert lines["ln_1"]["amountRefundable"] == {"amountMinor": 7900, "currency": "EUR"}
    assert staff.json() == body
    assert (bens.status_code, bens.json()["reason"]) == (404, "ORDER_NOT_FOUND")
    assert unknown.status_code == 404
    assert not_an_id.status_code == 404


async def test_a_refund_is_asked_on_the_cases_order_never_on_one_the_browser_names(people: People) -> None:
    ana = await people("ana")
    case = await open_case(ana)

    created = await ask_refund(ana, case["id"], PHONE_CASE, orderId="ord_1005", note="Cracked")

    assert created.status_code == 201, created.text
    refund = created.json()["refund"]
    assert refund["orderId"] == "ord_1001"  # the case's, not Ben's ord_1005 from the body
    assert (refund["caseId"], refund["caseNumber"]) == (case["id"], case["number"])
    assert refund["number"].startswith("R-")
    assert refund["status"] == "approved"
    assert refund["lines"] == [
        {
            "lineId": "ln_2",
            "productTitle": "Phone case",
            "quantity": 1,
            "amount": {"amountMinor": 1169, "currency": "EUR"},
        }
    ]
    assert refund["total"] == {"amountMinor": 1169, "currency": "EUR"}
    assert (refund["reason"], refund["method"], refund["note"]) == ("damaged", "original_payment", "Cracked")
    assert refund["requestedBy"] == {"id": "cus_1001", "name": "Ana Costa", "role": "customer"}
    assert (refund["requiredApproval"], refund["outsideRefundWindow"]) == ("auto", False)
    assert refund["decision"]["outcome"] == "approved"
    assert (refund["decision"]["by"], refund["decision"]["policy"]) == (None, "auto_approve")
    assert refund["failureReason"] is None
    flags = [refund[f] for f in ("canCancel", "canApprove", "canReject", "canRetry")]
    assert flags == [False, False, False, False]


async def test_the_case_page_shows_its_refunds_in_full_without_extra_calls(people: People) -> None:
    ana = await people("ana")
    case = await open_case(ana)
    created = (await ask_refund(ana, case["id"], HEADPHONES)).json()["refund"]

    page = (await ana.get(f"/api/cases/{case['id']}")).json()

    assert [r["id"] for r in page["refunds"]] == [created["id"]]
    shown = page["refunds"][0]
    assert (shown["caseNumber"], shown["lines"][0]["productTitle"]) == (case["number"], "Wireless headphones")
    assert (shown["status"], shown["requiredApproval"], shown["canCancel"]) == (
        "pending_approval",
        "agent",
        True,
    )


async def test_a_refund_above_the_lead_limit_is_approved_by_a_lead_only_and_then_paid(people: People) -> None:
    ana, sam, lee = await people("ana"), await people("sam"), await people("lee")
    case = await open_case(ana, "ord_1004")
    created = (await ask_refund(ana, case["id"], ESPRESSO)).json()["refund"]

    as_agent = await refund_of(sam, created["id"])
    as_lead = await refund_of(lee, created["id"])
    refused = await sam.post(
        f"/api/refunds/{created['id']}/approve", json={"etag": created["etag"]}, headers=CSRF
    )
    approved = await lee.post(
        f"/api/refunds/{created['id']}/approve", json={"etag": created["etag"], "comment": "OK"}, headers=CSRF
    )

    assert (created["status"], created["requiredApproval"]) == ("pending_approval", "lead")
    assert (as_agent["canApprove"], as_agent["canReject"]) == (False, True)
    assert (as_lead["canApprove"], as_lead["canReject"]) == (True, True)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["reason"] == "LEAD_APPROVAL_REQUIRED"
    assert "lead" in refused.json()["detail"]
    assert approved.status_code == 200, approved.text
    decision = approved.json()["refund"]["decision"]
    assert decision["by"] == {"id": "agt_2002", "name": "Lee Moreau", "role": "lead"}
    assert (decision["policy"], decision["comment"]) == ("lead_approval", "OK")

    async def paid() -> bool:
        return bool((await refund_of(ana, created["id"]))["status"] == "refunded")

    await eventually(paid)

    # refund_svc's outbox relay told support_svc: the case's timeline has the refund's events.
    async def on_the_timeline() -> bool:
        timeline = (await ana.get(f"/api/cases/{case['id']}")).json()["timeline"]
        return bool(sum(entry["kind"] == "refund_event" for entry in timeline) >= 4)

    await eventually(on_the_timeline)


async def test_nobody_approves_a_refund_they_asked_for(people: People) -> None:
    ana, sam, kim = await people("ana"), await people("sam"), await people("kim")
    case = await open_case(ana)
    created = await ask_refund(sam, case["id"], HEADPHONES, note="Asked on the phone")
    refund = created.json()["refund"]
    as_kim = await refund_of(kim, refund["id"])

    own = await sam.post(f"/api/refunds/{refund['id']}/approve", json={"etag": refund["etag"]}, headers=CSRF)
    others = await kim.post(
        f"/api/refunds/{refund['id']}/approve", json={"etag": refund["etag"]}, headers=CSRF
    )

    assert created.status_code == 201, created.text
    assert refund["requestedBy"] == {"id": "agt_2001", "name": "Sam Rivera", "role": "agent"}
    assert (refund["canApprove"], as_kim["canApprove"]) == (False, True)
    assert (own.status_code, own.json()["reason"]) == (403, "SELF_APPROVAL_FORBIDDEN")
    assert "someone else" in own.json()["detail"]
    assert others.status_code == 200, others.text


async def test_a_customer_cancels_its_own_waiting_request_and_nobody_else_can(people: People) -> None:
    ana, ben, sam = await people("ana"), await people("ben"), await people("sam")
    case = await open_case(ana)
    refund = (await ask_refund(ana, case["id"], HEADPHONES)).json()["refund"]
    url = f"/api/refunds/{refund['id']}/cancel"

    by_ben = await ben.post(url, json={"etag": refund["etag"]}, headers=CSRF)
    by_staff = await sam.post(url, json={"etag": refund["etag"]}, headers=CSRF)
    stale = await ana.post(url, json={"etag": '"1234"'}, headers=CSRF)
    cancelled = await ana.post(url, json={"etag": refund["etag"]}, headers=CSRF)
    again = await ana.post(url, json={"etag": cancelled.json()["refund"]["etag"]}, headers=CSRF)

    assert refund["canCancel"] is True
    assert (by_ben.status_code, by_ben.json()["reason"]) == (404, "REFUND_NOT_FOUND")
    assert by_staff.status_code == 403
    assert (stale.status_code, stale.json()["reason"]) == (409, "VERSION_CONFLICT")
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["refund"]["status"], cancelled.json()["refund"]["canCancel"]) == (
        "cancelled",
        False,
    )
    assert (again.status_code, again.json()["reason"]) == (412, "INVALID_STATE_TRANSITION")
    assert "refund" in again.json()["detail"]


async def test_a_rejection_needs_a_reason_and_customers_cannot_decide(people: People) -> None:
    ana, sam = await people("ana"), await people("sam")
    case = await open_case(ana)
    refund = (await ask_refund(ana, case["id"], HEADPHONES)).json()["refund"]
    url = f"/api/refunds/{refund['id']}"

    by_customer = [
        await ana.post(f"{url}/{action}", json={"etag": refund["etag"], "reason": "x"}, headers=CSRF)
        for action in ("approve", "reject", "retry")
    ]
    no_reason = await sam.post(f"{url}/reject", json={"etag": refund["etag"], "reason": " "}, headers=CSRF)
    rejected = await sam.post(
        f"{url}/reject", json={"etag": refund["etag"], "reason": "Not covered"}, headers=CSRF
    )
    seen_by_ana = await refund_of(ana, refund["id"])

    assert [r.status_code for r in by_customer] == [403, 403, 403]
    assert {r.json()["reason"] for r in by_customer} == {"STAFF_ONLY"}
    assert no_reason.status_code == 400
    assert [e["field"] for e in no_reason.json()["errors"]] == ["reason"]
    assert rejected.status_code == 200, rejected.text
    assert seen_by_ana["status"] == "rejected"
    assert seen_by_ana["decision"]["comment"] == "Not covered"
    assert seen_by_ana["decision"]["by"]["name"] == "Sam Rivera"


async def test_bad_refund_requests_name_their_fields_and_rules_are_explained(people: People) -> None:
    ana, sam = await people("ana"), await people("sam")
    case = await open_case(ana)
    old_case = await open_case(ana, "ord_1002")  # delivered 60 days ago: outside the refund window

    too_many = await ask_refund(ana, case["id"], ("ln_2", 4))
    not_in_order = await ask_refund(ana, case["id"], ("ln_9", 1))
    zero = await ask_refund(ana, case["id"], ("ln_2", 0))
    bad_reason = await ask_refund(ana, case["id"], PHONE_CASE, reason="because")
    window_closed = await ask_refund(ana, old_case["id"], ("ln_1", 1))
    agent_without_note = await ask_refund(sam, old_case["id"], ("ln_1", 1))
    agent_with_note = await ask_refund(sam, old_case["id"], ("ln_1", 1), note="Courier confirmed the damage")
    listed = (await ana.get("/api/refunds")).json()["refunds"]

    for response, field in [
        (too_many, "lines[0].quantity"),
        (not_in_order, "lines[0].lineId"),
        (zero, "lines[0].quantity"),
        (bad_reason, "reason"),
        (agent_without_note, "note"),
    ]:
        assert response.status_code == 400, response.text
        assert [e["field"] for e in response.json()["errors"]] == [field]
    assert too_many.json()["reason"] == "QUANTITY_NOT_REFUNDABLE"
    assert "more items than can still be refunded" in too_many.json()["detail"]
    assert (window_closed.status_code, window_closed.json()["reason"]) == (412, "REFUND_WINDOW_CLOSED")
    assert "refund" in window_closed.json()["detail"]
    assert agent_with_note.status_code == 201
    assert agent_with_note.json()["refund"]["outsideRefundWindow"] is True
    assert [r["status"] for r in listed] == ["pending_approval"]  # only the agent's, outside the window


async def test_the_same_idempotency_key_makes_one_refund(people: People) -> None:
    ana = await people("ana")
    case = await open_case(ana)
    key = {**CSRF, "Idempotency-Key": "refund-7f3a"}

    first = await ask_refund(ana, case["id"], HEADPHONES, headers=key)
    again = await ask_refund(ana, case["id"], HEADPHONES, headers=key)
    other = await ask_refund(ana, case["id"], PHONE_CASE, headers=key)

    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["refund"]["id"] == again.json()["refund"]["id"]
    assert (other.status_code, other.json()["reason"]) == (409, "REQUEST_ID_REUSED")
    assert len((await ana.get("/api/refunds")).json()["refunds"]) == 1


async def test_customers_list_their_own_and_staff_get_the_approvals_queue(people: People) -> None:
    ana, ben, sam = await people("ana"), await people("ben"), await people("sam")
    first = await open_case(ana)
    second = await open_case(ana, "ord_1004")
    bens_case = await open_case(ben, "ord_1006")
    waiting = (await ask_refund(ana, first["id"], HEADPHONES)).json()["refund"]
    approved = (await ask_refund(ana, first["id"], PHONE_CASE)).json()["refund"]
    lead = (await ask_refund(ana, second["id"], ESPRESSO)).json()["refund"]
    bens = (await ask_refund(ben, bens_case["id"], ("ln_1", 1))).json()["refund"]

    anas = (await ana.get("/api/refunds")).json()
    queue = (await sam.get("/api/refunds", params={"status": "pending_approval"})).json()
    of_case = (await ana.get("/api/refunds", params={"caseId": first["id"]})).json()
    ben_filters_anas_case = (await ben.get("/api/refunds", params={"caseId": first["id"]})).json()
    paged = (await sam.get("/api/refunds", params={"pageSize": 2})).json()
    bad_status = await sam.get("/api/refunds", params={"status": "lost"})

    assert {r["id"] for r in anas["refunds"]} == {waiting["id"], approved["id"], lead["id"]}
    assert [r["id"] for r in queue["refunds"]] == [bens["id"], lead["id"], waiting["id"]]  # newest first
    assert {r["caseNumber"] for r in queue["refunds"]} == {
        first["number"],
        second["number"],
        bens_case["number"],
    }
    assert {r["lines"][0]["productTitle"] for r in queue["refunds"]} == {
        "Wireless headphones",
        "Espresso machine",
        "Office chair",
    }
    assert {r["id"] for r in of_case["refunds"]} == {waiting["id"], approved["id"]}
    assert ben_filters_anas_case["refunds"] == []
    assert len(paged["refunds"]) == 2
    assert paged["nextPageToken"]
    assert bad_status.status_code == 400


def _answered(method: str) -> float:
    """Calls of CaseService's `method` support_svc (in this process) has answered so far."""
    labels = {"method": f"/acme.support.v1.CaseService/{method}", "status": "OK"}
    return REGISTRY.get_sample_value("grpc_server_requests_total", labels) or 0.0


def _case_reads() -> tuple[float, float]:
    return _answered("GetCase"), _answered("BatchGetCases")


async def test_a_bff_that_never_saw_the_case_looks_its_number_up_once(
    services: Services, people: People
) -> None:
    ana = await people("ana")
    case = await open_case(ana)
    other = await open_case(ana, "ord_1004")
    await ask_refund(ana, case["id"], HEADPHONES)
    await ask_refund(ana, case["id"], PHONE_CASE)
    await ask_refund(ana, other["id"], ESPRESSO)

    async with running(bff_settings(services)) as app, client(app) as http:
        await sign_in(http, "sam")
        before = _case_reads()
        first = (await http.get("/api/refunds")).json()["refunds"]
        middle = _case_reads()
        again = (await http.get("/api/refunds")).json()["refunds"]
        after = _case_reads()

    assert [r["caseNumber"] for r in first] == [other["number"], case["number"], case["number"]]
    assert [r["caseNumber"] for r in again] == [r["caseNumber"] for r in first]
    # (GetCase, BatchGetCases): one batch for both distinct cases, then known.
    assert (middle[0] - before[0], middle[1] - before[1]) == (0, 1)
    assert after == middle


async def test_refund_requests_are_rate_limited_per_person(services: Services) -> None:
    limited = bff_settings(services, refund_create_limit=2, refund_create_window_s=60)
    async with running(limited) as app, client(app) as ana, client(app) as ben:
        await sign_in(ana, "ana")
        await sign_in(ben, "ben")
        case = await open_case(ana)
        bens_case = await open_case(ben, "ord_1005")
        first = await ask_refund(ana, case["id"], PHONE_CASE)
        second = await ask_refund(ana, case["id"], PHONE_CASE)
        third = await ask_refund(ana, case["id"], PHONE_CASE)
        bens_first = await ask_refund(ben, bens_case["id"], ("ln_2", 1))

    assert (first.status_code, second.status_code) == (201, 201)
    assert third.status_code == 429
    assert third.json()["reason"] == "TOO_MANY_REFUND_REQUESTS"
    assert 1 <= int(third.headers["retry-after"]) <= 60
    assert bens_first.status_code == 201


async def test_a_failed_payout_is_explained_to_staff_only_and_retried_as_store_credit(tmp_path: Path) -> None:
    async with (
        start_services(tmp_path, gateway_failure_rate=1.0) as services,
        running(bff_settings(services)) as app,
        client(app) as ana,
        client(app) as sam,
    ):
        await sign_in(ana, "ana")
        await sign_in(sam, "sam")
        case = await open_case(ana)
        refund = (await ask_refund(ana, case["id"], PHONE_CASE)).json()["refund"]

        async def failed() -> bool:
            return bool((await refund_of(sam, refund["id"]))["status"] == "failed")

        await eventually(failed)
        for_staff = await refund_of(sam, refund["id"])
        for_customer = await refund_of(ana, refund["id"])
        customer_retry = await ana.post(
            f"/api/refunds/{refund['id']}/retry", json={"etag": for_staff["etag"]}, headers=CSRF
        )
        retried = await sam.post(
            f"/api/refunds/{refund['id']}/retry",
            json={"etag": for_staff["etag"], "method": "store_credit"},
            headers=CSRF,
        )

        async def refunded() -> bool:
            return bool((await refund_of(ana, refund["id"]))["status"] == "refunded")

        await eventually(refunded)

    assert for_staff["failureReason"]
    assert (for_staff["canRetry"], for_customer["canRetry"]) == (True, False)
    assert for_customer["failureReason"] is None
    assert for_staff["failureReason"] not in str(for_customer)
    assert customer_retry.status_code == 403
    assert retried.status_code == 200, retried.text
    assert (retried.json()["refund"]["status"], retried.json()["refund"]["method"]) == (
        "processing",
        "store_credit",
    )
