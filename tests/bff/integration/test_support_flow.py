"""The support workflow through the BFF against the real services, real SQLite and real Redis."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.bff.helpers import CSRF, client, running, settings, sign_in
from tests.bff.integration.conftest import People, Services

NEW_CASE = {
    "orderId": "ord_1001",
    "category": "damaged_item",
    "subject": "The mug arrived broken",
    "description": "The handle came off in the box.",
    "orderLineIds": ["ln_1"],
}


async def open_case(http: httpx.AsyncClient, **changes: Any) -> httpx.Response:
    return await http.post("/api/cases", json={**NEW_CASE, **changes}, headers=CSRF)


async def test_ana_lists_her_orders_opens_a_case_and_finds_it(people: People) -> None:
    ana = await people("ana")

    orders = await ana.get("/api/orders")
    created = await open_case(ana)
    listed = await ana.get("/api/cases")
    page = await ana.get(f"/api/cases/{created.json()['case']['id']}")

    assert orders.status_code == 200
    order_ids = [o["id"] for o in orders.json()["orders"]]
    assert {"ord_1001", "ord_1002", "ord_1003", "ord_1004"} == set(order_ids)
    first = next(o for o in orders.json()["orders"] if o["id"] == "ord_1001")
    assert first["lines"][0]["unitPrice"]["currency"] == "EUR"
    assert isinstance(first["total"]["amountMinor"], int)

    assert created.status_code == 201, created.text
    case = created.json()["case"]
    assert case["number"].startswith("C-")
    assert (case["orderId"], case["status"], case["subject"]) == ("ord_1001", "open", NEW_CASE["subject"])
    assert case["orderLineIds"] == ["ln_1"]
    assert case["assignee"] is None
    assert case["etag"]

    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()["cases"]] == [case["id"]]
    assert listed.json()["nextPageToken"] is None

    assert page.status_code == 200, page.text
    body = page.json()
    assert body["case"]["id"] == case["id"]
    assert body["order"]["id"] == "ord_1001"
    assert body["refunds"] == []
    assert body["timeline"][0]["kind"] == "opened"
    assert body["timeline"][0]["actor"]["name"] == "Ana Costa"


async def test_bad_fields_are_named_and_change_nothing(people: People) -> None:
    ana = await people("ana")

    empty_subject = await open_case(ana, subject="")
    unknown_order = await open_case(ana, orderId="ord_9999")
    bens_order = await open_case(ana, orderId="ord_1005")
    bad_category = await open_case(ana, category="broken")
    listed = await ana.get("/api/cases")
    # the customer's list is scoped to her: the whole queue, as an agent sees it, must be empty too
    queue = await (await people("sam")).get("/api/cases")

    for response, field in [
        (empty_subject, "subject"),
        (unknown_order, "orderId"),
        (bens_order, "orderId"),
        (bad_category, "category"),
    ]:
        assert response.status_code == 400, response.text
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert field in [e["field"] for e in problem["errors"]]
        assert problem["detail"]
    assert listed.json()["cases"] == []
    assert queue.status_code == 200, queue.text
    assert queue.json()["cases"] == []


async def test_ben_cannot_see_or_touch_anas_case(people: People) -> None:
    ana, ben = await people("ana"), await people("ben")
    case = (await open_case(ana)).json()["case"]

    read = await ben.get(f"/api/cases/{case['id']}")
    reply = await ben.post(f"/api/cases/{case['id']}/messages", json={"body": "hi"}, headers=CSRF)
    close = await ben.post(
        f"/api/cases/{case['id']}/status", json={"action": "close", "etag": case["etag"]}, headers=CSRF
    )
    listed = await ben.get("/api/cases")

    assert (read.status_code, reply.status_code, close.status_code) == (404, 404, 404)
    assert read.json()["reason"] == "CASE_NOT_FOUND"
    assert listed.json()["cases"] == []


async def test_an_internal_note_never_reaches_the_customer(people: People) -> None:
    ana, sam = await people("ana"), await people("sam")
    case = (await open_case(ana)).json()["case"]

    note = await sam.post(
        f"/api/cases/{case['id']}/messages",
        json={"body": "Customer sounds upset; check courier Zanzibarco", "internal": True},
        headers=CSRF,
    )
    reply = await sam.post(
        f"/api/cases/{case['id']}/messages", json={"body": "Sorry about that!"}, headers=CSRF
    )
    customers_page = (await ana.get(f"/api/cases/{case['id']}")).json()
    agents_page = (await sam.get(f"/api/cases/{case['id']}")).json()
    # search over messages must not let a customer find what only a note says (the word is the note's alone)
    customers_search = await ana.get("/api/cases", params={"q": "Zanzibarco"})
    agents_search = await sam.get("/api/cases", params={"q": "Zanzibarco"})

    assert note.status_code == reply.status_code == 201
    assert note.json()["message"]["internal"] is True
    assert note.json()["message"]["author"] == {"id": "agt_2001", "name": "Sam Rivera", "role": "agent"}
    assert [m["body"] for m in customers_page["messages"]] == [
        m["body"] for m in agents_page["messages"] if not m["internal"]
    ]
    assert "Customer sounds upset" not in str(customers_page)
    assert customers_search.status_code == 200, customers_search.text
    assert customers_search.json()["cases"] == []
    assert [c["id"] for c in agents_search.json()["cases"]] == [case["id"]]  # the word is searchable
    assert all(not entry["internal"] for entry in customers_page["timeline"])
    assert any(m["internal"] for m in agents_page["messages"])
    assert customers_page["case"]["status"] == "in_progress"  # the agent's reply started work


async def test_two_agents_changing_the_same_version_one_wins_one_gets_409(people: People) -> None:
    ana, sam, kim = await people("ana"), await people("sam"), await people("kim")
    case = (await open_case(ana)).json()["case"]
    url = f"/api/cases/{case['id']}"
    changes = {"priority": "urgent", "category": "wrong_item"}  # one field each, so both can be kept

    by_priority, by_category = await asyncio.gather(
        sam.patch(url, json={"etag": case["etag"], "priority": changes["priority"]}, headers=CSRF),
        kim.patch(url, json={"etag": case["etag"], "category": changes["category"]}, headers=CSRF),
    )
    assert sorted([by_priority.status_code, by_category.status_code]) == [200, 409]
    outcomes = {"priority": (sam, by_priority), "category": (kim, by_category)}
    (won,) = [field for field, (_, r) in outcomes.items() if r.status_code == 200]
    (lost,) = [field for field, (_, r) in outcomes.items() if r.status_code == 409]
    loser, refused = outcomes[lost]
    assert refused.headers["content-type"] == "application/problem+json"
    assert "Reload" in refused.json()["detail"]

    # What is stored is the winner's change alone.
    stored = (await loser.get(url)).json()["case"]
    assert (stored[won], stored[lost]) == (changes[won], case[lost])

    # The loser reloads, re-applies with the fresh etag, and both changes are there.
    retried = await loser.patch(url, json={"etag": stored["etag"], lost: changes[lost]}, headers=CSRF)
    final = (await sam.get(url)).json()["case"]
    assert retried.status_code == 200, retried.text
    assert (final["priority"], final["category"]) == (changes["priority"], changes["category"])
    assert final == retried.json()["case"]
    assert len({case["etag"], stored["etag"], final["etag"]}) == 3  # two changes, two new versions


async def test_the_status_workflow_with_etags_and_refused_transitions(people: People) -> None:
    ana, sam = await people("ana"), await people("sam")
    case = (await open_case(ana)).json()["case"]
    url = f"/api/cases/{case['id']}"

    assigned = await sam.post(
        f"{url}/assign", json={"assigneeId": "agt_2001", "etag": case["etag"]}, headers=CSRF
    )
    stale = await sam.post(f"{url}/status", json={"action": "wait", "etag": case["etag"]}, headers=CSRF)
    etag = assigned.json()["case"]["etag"]
    not_allowed = await ana.post(f"{url}/status", json={"action": "close", "etag": etag}, headers=CSRF)
    customer_cannot_resolve = await ana.post(
        f"{url}/status", json={"action": "resolve", "etag": etag}, headers=CSRF
    )
    answered = await sam.post(f"{url}/messages", json={"body": "We are sending a new one."}, headers=CSRF)
    etag = answered.json()["case"]["etag"]
    resolved = await sam.post(f"{url}/status", json={"action": "resolve", "etag": etag}, headers=CSRF)
    reopened = await ana.post(
        f"{url}/status", json={"action": "reopen", "etag": resolved.json()["case"]["etag"]}, headers=CSRF
    )

    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["case"]["assignee"] == {"id": "agt_2001", "name": "Sam Rivera"}
    assert stale.status_code == 409
    assert not_allowed.status_code == 412, not_allowed.text
    assert customer_cannot_resolve.status_code == 403
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["case"]["status"] == "resolved"
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["case"]["status"] != "resolved"


async def test_a_retried_create_with_the_same_idempotency_key_creates_one_case(people: People) -> None:
    ana = await people("ana")
    key = {**CSRF, "Idempotency-Key": "create-case-7f3a"}

    first = await ana.post("/api/cases", json=NEW_CASE, headers=key)
    again = await ana.post("/api/cases", json=NEW_CASE, headers=key)
    listed = await ana.get("/api/cases")

    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["case"]["id"] == again.json()["case"]["id"]
    assert len(listed.json()["cases"]) == 1


async def test_the_queue_filters_reach_the_service_and_customers_cannot_use_staff_filters(
    people: People,
) -> None:
    ana, lee = await people("ana"), await people("lee")
    await open_case(ana)
    await open_case(ana, orderId="ord_1004", category="billing", subject="Charged twice")

    billing = await lee.get("/api/cases", params={"category": "billing", "status": ["open", "in_progress"]})
    unassigned = await lee.get("/api/cases", params={"assignee": "unassigned", "sort": "oldest"})
    search = await lee.get("/api/cases", params={"q": "charged"})
    customer_filter = await ana.get("/api/cases", params={"assignee": "unassigned"})
    bad_page_size = await lee.get("/api/cases", params={"pageSize": -1})

    assert [c["subject"] for c in billing.json()["cases"]] == ["Charged twice"]
    assert [c["subject"] for c in unassigned.json()["cases"]] == [NEW_CASE["subject"], "Charged twice"]
    assert [c["subject"] for c in search.json()["cases"]] == ["Charged twice"]
    assert customer_filter.status_code == 403
    assert bad_page_size.status_code == 400
    assert [e["field"] for e in bad_page_size.json()["errors"]] == ["pageSize"]


async def test_agents_see_the_team_by_name(people: People) -> None:
    sam = await people("sam")

    response = await sam.get("/api/agents")

    assert response.json() == {
        "agents": [
            {"id": "agt_2003", "name": "Kim Park"},
            {"id": "agt_2002", "name": "Lee Moreau"},
            {"id": "agt_2001", "name": "Sam Rivera"},
        ]
    }


async def test_a_reply_to_a_closed_case_opens_a_follow_up_that_names_the_old_one(
    people: People, services: Services
) -> None:
    ana, sam = await people("ana"), await people("sam")
    case = (await open_case(ana)).json()["case"]
    url = f"/api/cases/{case['id']}"
    answered = (await sam.post(f"{url}/messages", json={"body": "Replaced."}, headers=CSRF)).json()["case"]
    resolved = await sam.post(
        f"{url}/status", json={"action": "resolve", "etag": answered["etag"]}, headers=CSRF
    )
    closed = await ana.post(
        f"{url}/status", json={"action": "close", "etag": resolved.json()["case"]["etag"]}, headers=CSRF
    )

    reply = await ana.post(f"{url}/messages", json={"body": "The new one is broken too."}, headers=CSRF)
    follow_up = reply.json()["case"]
    page = (await ana.get(f"/api/cases/{follow_up['id']}")).json()
    listed = (await ana.get("/api/cases")).json()["cases"]

    assert closed.status_code == 200, closed.text
    assert reply.status_code == 201, reply.text
    assert follow_up["id"] != case["id"]
    assert follow_up["previousCaseNumber"] == case["number"]
    assert page["case"]["previousCaseNumber"] == case["number"]
    assert {c["id"]: c["previousCaseNumber"] for c in listed} == {
        case["id"]: None,
        follow_up["id"]: case["number"],
    }

    # A BFF process that never saw the old case asks support_svc for its number.
    fresh = settings(
        support_addr=services.support_addr, refund_addr=services.refund_addr, shop_addr=services.shop_addr
    )
    async with running(fresh) as app, client(app) as http:
        await sign_in(http, "ana")
        fresh_page = (await http.get(f"/api/cases/{follow_up['id']}")).json()
    assert fresh_page["case"]["previousCaseNumber"] == case["number"]
