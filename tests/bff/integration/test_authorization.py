"""Who may do what, for every endpoint in the OpenAPI document (a new endpoint cannot escape), and the
CSRF guard on every state-changing endpoint."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.bff.helpers import CSRF, EMAILS, PASSWORD, ask_refund, eventually, open_case, sign_in
from tests.bff.integration.conftest import People

ROLES = ("anonymous", "ana", "ben", "sam", "lee")
OK, CREATED, NO_CONTENT = {200}, {201}, {204}
UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD, NOT_NOW = {401}, {403}, {404}, {400}, {412}
STATE_CHANGING = {"post", "put", "patch", "delete"}
# Ana's refunds the matrix acts on: (case key, line, quantity).
REFUNDS = {
    "waiting": ("ord_1001", "ln_1", 1),  # 79.00: waits for an agent (read, cancelled by Ana, not retried)
    "lead": ("ord_1004", "ln_1", 1),  # 649.00: waits for a lead (an agent may not approve it)
    "to_reject": ("ord_1003", "ln_1", 1),  # 89.95: waits; asked again whenever it was decided
}


@dataclass
class World:
    """Ana's cases (one per order) and refunds, and their current etags (changes move them on)."""

    people: People
    cases: dict[str, str]  # order id -> Ana's case on it
    refunds: dict[str, str]  # REFUNDS key -> refund id

    @property
    def case_id(self) -> str:
        return self.cases["ord_1001"]

    @classmethod
    async def build(cls, people: People) -> World:
        ana = await people("ana")
        cases = {order: (await open_case(ana, order))["id"] for order in ("ord_1001", "ord_1003", "ord_1004")}
        world = cls(people, cases, {})
        for key in REFUNDS:
            await world.ask(key)

        async def on_every_timeline() -> bool:
            # Each refund's event reaches its case in the background and moves the case's etag on:
            # the matrix starts once that is done, so that the etags it reads stay current.
            pages = [(await ana.get(f"/api/cases/{case_id}")).json() for case_id in cases.values()]
            return all(any(e["kind"] == "refund_event" for e in page["timeline"]) for page in pages)

        await eventually(on_every_timeline)
        return world

    async def ask(self, key: str) -> str:
        order, line, quantity = REFUNDS[key]
        response = await ask_refund(await self.people("ana"), self.cases[order], (line, quantity))
        assert response.status_code == 201, response.text
        self.refunds[key] = response.json()["refund"]["id"]
        return self.refunds[key]

    async def etag(self) -> str:
        lee = await self.people("lee")
        response = await lee.get(f"/api/cases/{self.case_id}")
        return str(response.json()["case"]["etag"])

    async def refund(self, key: str) -> dict[str, Any]:
        lee = await self.people("lee")
        refund: dict[str, Any] = (await lee.get(f"/api/refunds/{self.refunds[key]}")).json()["refund"]
        return refund

    async def waiting(self, key: str) -> dict[str, Any]:
        """The refund, asked for again when the last one was decided."""
        refund = await self.refund(key)
        if refund["status"] != "pending_approval":
            await self.ask(key)
            refund = await self.refund(key)
        return refund


Call = Callable[[httpx.AsyncClient, World, str], Awaitable[httpx.Response]]


async def _sign_in(http: httpx.AsyncClient, world: World, who: str) -> httpx.Response:
    email = EMAILS.get(who, "nobody@example.com")
    return await http.post("/api/session", json={"email": email, "password": PASSWORD}, headers=CSRF)


async def _decide(
    http: httpx.AsyncClient, world: World, key: str, action: str, **body: Any
) -> httpx.Response:
    refund = await world.refund(key)
    url = f"/api/refunds/{refund['id']}/{action}"
    return await http.post(url, json={"etag": refund["etag"], **body}, headers=CSRF)


async def _reject(http: httpx.AsyncClient, world: World, who: str) -> httpx.Response:
    refund = await world.waiting("to_reject")
    url = f"/api/refunds/{refund['id']}/reject"
    return await http.post(url, json={"etag": refund["etag"], "reason": f"By {who}"}, headers=CSRF)


async def _status(http: httpx.AsyncClient, world: World, who: str) -> httpx.Response:
    # Customers may only close or reopen (here: refused by the state, 412, after passing the role gate);
    # staff may move work along.
    action = "close" if who in ("ana", "ben", "anonymous") else "wait"
    if who == "lee":
        action = "work"  # sam set it waiting just before
    body = {"action": action, "etag": await world.etag()}
    return await http.post(f"/api/cases/{world.case_id}/status", json=body, headers=CSRF)


# operationId -> (how to call it, the statuses each role may get). Ana owns the case; Ben must get
# nothing of hers; staff reach everything; anonymous nothing but health and sign-in.
MATRIX: dict[str, tuple[Call, dict[str, set[int]]]] = {
    "signIn": (_sign_in, {"anonymous": UNAUTHENTICATED, "ana": OK, "ben": OK, "sam": OK, "lee": OK}),
    "getSession": (
        lambda h, w, who: h.get("/api/session"),
        {"anonymous": UNAUTHENTICATED, "ana": OK, "ben": OK, "sam": OK, "lee": OK},
    ),
    "getHealth": (lambda h, w, who: h.get("/api/health"), dict.fromkeys(ROLES, OK)),
    "listOrders": (
        lambda h, w, who: h.get("/api/orders"),
        {"anonymous": UNAUTHENTICATED, "ana": OK, "ben": OK, "sam": FORBIDDEN, "lee": FORBIDDEN},
    ),
    "createCase": (
        lambda h, w, who: h.post(
            "/api/cases",
            json={"orderId": "ord_1001", "category": "other", "subject": "Hi", "description": "Help"},
            headers=CSRF,
        ),
        # Ben names Ana's order: the service refuses it as a bad orderId.
        {"anonymous": UNAUTHENTICATED, "ana": CREATED, "ben": BAD, "sam": FORBIDDEN, "lee": FORBIDDEN},
    ),
    "listCases": (
        lambda h, w, who: h.get("/api/cases"),
        {"anonymous": UNAUTHENTICATED, "ana": OK, "ben": OK, "sam": OK, "lee": OK},
    ),
    "getCase": (
        lambda h, w, who: h.get(f"/api/cases/{w.case_id}"),
        {"anonymous": UNAUTHENTICATED, "ana": OK, "ben": NOT_FOUND, "sam": OK, "lee": OK},
    ),
    "addCaseMessage": (
        lambda h, w, who: h.post(
            f"/api/cases/{w.case_id}/messages", json={"body": f"From {who}"}, headers=CSRF
        ),
        {"anonymous": UNAUTHENTICATED, "ana": CREATED, "ben": NOT_FOUND, "sam": CREATED, "lee": CREATED},
    ),
    "assignCase": (
        lambda h, w, who: _with_etag(
            h, w, f"/api/cases/{w.case_id}/assign", {"assigneeId": "agt_2001"}, method="POST"
        ),
        {"anonymous": UNAUTHENTICATED, "ana": FORBIDDEN, "ben": FORBIDDEN, "sam": OK, "lee": OK},
    ),
    "updateCase": (
        lambda h, w, who: _with_etag(h, w, f"/api/cases/{w.case_id}", {"priority": "high"}, method="PATCH"),
        {"anonymous": UNAUTHENTICATED, "ana": FORBIDDEN, "ben": FORBIDDEN, "sam": OK, "lee": OK},
    ),
    "changeCaseStatus": (
        _status,
        {"anonymous": UNAUTHENTICATED, "ana": {412}, "ben": NOT_FOUND, "sam": OK, "lee": OK},
    ),
    "listAgents": (
        lambda h, w, who: h.get("/api/agents"),
        {"anonymous": UNAUTHENTICATED, "ana": FORBIDDEN, "ben": FORBIDDEN, "sam": OK, "lee": OK},
    ),
    "watchCase": (
        lambda h, w, who: h.get(f"/api/cases/{w.case_id}/events"),
        {"anonymous": UNAUTHENTICATED, "ana": OK, "ben": NOT_FOUND, "sam": OK, "lee": OK},
    ),
    "quoteRefund": (
        lambda h, w, who: h.get("/api/orders/ord_1001/refund-quote"),
        {"anonymous": UNAUTHENTICATED, "ana": OK, "ben": NOT_FOUND, "sam": OK, "lee": OK},
    ),
    "createRefund": (
        # Ana's case: Ben cannot even see it; staff may ask on a customer's behalf.
        lambda h, w, who: ask_refund(h, w.case_id, ("ln_2", 1)),
        {"anonymous": UNAUTHENTICATED, "ana": CREATED, "ben": NOT_FOUND, "sam": CREATED, "lee": CREATED},
    ),
    "listRefunds": (
        lambda h, w, who: h.get("/api/refunds"),
        {"anonymous": UNAUTHENTICATED, "ana": OK, "ben": OK, "sam": OK, "lee": OK},
    ),
    "getRefund": (
        lambda h, w, who: h.get(f"/api/refunds/{w.refunds['waiting']}"),
        {"anonymous": UNAUTHENTICATED, "ana": OK, "ben": NOT_FOUND, "sam": OK, "lee": OK},
    ),
    "approveRefund": (
        # Above the lead limit: an agent may not approve it, a lead may.
        lambda h, w, who: _decide(h, w, "lead", "approve"),
        {"anonymous": UNAUTHENTICATED, "ana": FORBIDDEN, "ben": FORBIDDEN, "sam": FORBIDDEN, "lee": OK},
    ),
    "rejectRefund": (
        _reject,
        {"anonymous": UNAUTHENTICATED, "ana": FORBIDDEN, "ben": FORBIDDEN, "sam": OK, "lee": OK},
    ),
    "retryRefund": (
        # Customers are refused by role; staff reach refund_svc, which refuses a refund that has not failed.
        lambda h, w, who: _decide(h, w, "waiting", "retry"),
        {"anonymous": UNAUTHENTICATED, "ana": FORBIDDEN, "ben": FORBIDDEN, "sam": NOT_NOW, "lee": NOT_NOW},
    ),
    "cancelRefund": (
        # Only the customer who gets the money; Ben cannot see Ana's refund at all.
        lambda h, w, who: _decide(h, w, "waiting", "cancel"),
        {"anonymous": UNAUTHENTICATED, "ana": OK, "ben": NOT_FOUND, "sam": FORBIDDEN, "lee": FORBIDDEN},
    ),
    "getDashboard": (
        lambda h, w, who: h.get("/api/dashboard"),
        {"anonymous": UNAUTHENTICATED, "ana": FORBIDDEN, "ben": FORBIDDEN, "sam": FORBIDDEN, "lee": OK},
    ),
    "getLiveness": (lambda h, w, who: h.get("/healthz"), dict.fromkeys(ROLES, OK)),
    "getReadiness": (lambda h, w, who: h.get("/readyz"), dict.fromkeys(ROLES, OK)),
    "getMetrics": (lambda h, w, who: h.get("/metrics"), dict.fromkeys(ROLES, OK)),
    "signOut": (lambda h, w, who: h.delete("/api/session", headers=CSRF), dict.fromkeys(ROLES, NO_CONTENT)),
}
# Signing out ends the session the other checks use: it goes last.
ORDER = [op for op in MATRIX if op != "signOut"] + ["signOut"]


async def _with_etag(
    http: httpx.AsyncClient, world: World, url: str, body: dict[str, Any], *, method: str
) -> httpx.Response:
    return await http.request(method, url, json={**body, "etag": await world.etag()}, headers=CSRF)


def _operations(app: FastAPI) -> dict[str, tuple[str, str]]:
    return {
        op["operationId"]: (method, path)
        for path, item in app.openapi()["paths"].items()
        for method, op in item.items()
    }


def test_the_matrix_covers_every_endpoint_in_the_openapi_document(app: FastAPI) -> None:
    assert set(_operations(app)) == set(MATRIX)


async def test_every_role_gets_exactly_what_it_may(app: FastAPI, people: People) -> None:
    ana = await people("ana")
    world = await World.build(people)

    outcomes: dict[tuple[str, str], int] = {}
    for operation in ORDER:
        call, _ = MATRIX[operation]
        for who in ROLES:
            http = await people(who)
            response = await call(http, world, who)
            outcomes[(operation, who)] = response.status_code
            if response.status_code >= 400:
                assert response.headers["content-type"] == "application/problem+json"

    wrong = {key: status for key, status in outcomes.items() if status not in MATRIX[key[0]][1][key[1]]}
    assert wrong == {}

    # Signed in again (the matrix ended with sign-out): Ben's list never has Ana's case, and her page
    # has nothing Ben tried to add.
    ben = await people("ben")
    assert (await sign_in(ben, "ben")).status_code == 200
    assert (await sign_in(ana, "ana")).status_code == 200
    assert (await sign_in(await people("lee"), "lee")).status_code == 200
    assert world.case_id not in [c["id"] for c in (await ben.get("/api/cases")).json()["cases"]]
    messages = (await ana.get(f"/api/cases/{world.case_id}")).json()["messages"]
    assert "From ben" not in [m["body"] for m in messages]
    assert "From ana" in [m["body"] for m in messages]
    assert (await ben.get("/api/refunds")).json()["refunds"] == []
    bens_orders, anas_orders = await ben.get("/api/orders"), await ana.get("/api/orders")
    assert bens_orders.status_code == anas_orders.status_code == 200
    anas_ids = {o["id"] for o in anas_orders.json()["orders"]}
    assert anas_ids  # so that the next line tests something
    assert anas_ids.isdisjoint(o["id"] for o in bens_orders.json()["orders"])
    assert (await world.refund("waiting"))["status"] == "cancelled"  # by Ana, and by nobody else
    assert (await world.refund("lead"))["decision"]["by"]["id"] == "agt_2002"
    asked = [
        r for r in (await ana.get("/api/refunds")).json()["refunds"] if r["lines"][0]["lineId"] == "ln_2"
    ]
    assert sorted(r["requestedBy"]["id"] for r in asked) == ["agt_2001", "agt_2002", "cus_1001"]


@pytest.mark.parametrize("who", ["sam", "lee"])
async def test_nobody_approves_their_own_request(people: People, who: str) -> None:
    ana, staff = await people("ana"), await people(who)
    case = await open_case(ana, "ord_1004")
    asked = (await ask_refund(staff, case["id"], ("ln_1", 1), note="On the phone")).json()["refund"]

    approved = await staff.post(
        f"/api/refunds/{asked['id']}/approve", json={"etag": asked["etag"]}, headers=CSRF
    )

    assert asked["canApprove"] is False
    assert (approved.status_code, approved.json()["reason"]) == (403, "SELF_APPROVAL_FORBIDDEN")


async def test_an_agent_is_told_a_lead_must_approve_and_customers_cannot_see_the_dashboard(
    people: People,
) -> None:
    ana, sam = await people("ana"), await people("sam")
    case = await open_case(ana, "ord_1004")
    asked = (await ask_refund(ana, case["id"], ("ln_1", 1))).json()["refund"]

    approved = await sam.post(
        f"/api/refunds/{asked['id']}/approve", json={"etag": asked["etag"]}, headers=CSRF
    )
    dashboard = await ana.get("/api/dashboard")
    agents_dashboard = await sam.get("/api/dashboard")

    assert (approved.status_code, approved.json()["reason"]) == (403, "LEAD_APPROVAL_REQUIRED")
    assert (dashboard.status_code, dashboard.json()["reason"]) == (403, "LEAD_ONLY")
    assert agents_dashboard.status_code == 403


async def test_customers_cannot_use_staff_only_variants(people: People) -> None:
    ana = await people("ana")
    case = (
        await ana.post(
            "/api/cases",
            json={"orderId": "ord_1001", "category": "other", "subject": "Hi", "description": "Help"},
            headers=CSRF,
        )
    ).json()["case"]

    note = await ana.post(
        f"/api/cases/{case['id']}/messages", json={"body": "psst", "internal": True}, headers=CSRF
    )
    resolve = await ana.post(
        f"/api/cases/{case['id']}/status", json={"action": "resolve", "etag": case["etag"]}, headers=CSRF
    )
    breached = await ana.get("/api/cases", params={"breached": "true"})

    assert (note.status_code, resolve.status_code, breached.status_code) == (403, 403, 403)


def _fill(path: str, case_id: str, refund_id: str) -> str:
    return path.replace("{caseId}", case_id).replace("{refundId}", refund_id)


@pytest.mark.parametrize(
    ("headers", "reason"),
    [({}, "CSRF_HEADER_MISSING"), ({**CSRF, "Origin": "https://evil.example"}, "ORIGIN_NOT_ALLOWED")],
)
async def test_every_state_changing_endpoint_refuses_cross_site_requests(
    app: FastAPI, people: People, headers: dict[str, str], reason: str
) -> None:
    ana = await people("ana")
    case = await open_case(ana, category="other")
    refund = (await ask_refund(ana, case["id"], ("ln_1", 1))).json()["refund"]

    async def told_support() -> bool:  # the refund's event reaches the case's timeline in the background
        timeline = (await ana.get(f"/api/cases/{case['id']}")).json()["timeline"]
        return any(entry["kind"] == "refund_event" for entry in timeline)

    await eventually(told_support)
    before = (await ana.get(f"/api/cases/{case['id']}")).json()

    writes = [(m, p) for m, p in _operations(app).values() if m in STATE_CHANGING]
    assert len(writes) >= 12
    for method, path in writes:
        body = {
            "etag": case["etag"] if "{refundId}" not in path else refund["etag"],
            "body": "x",
            "action": "close",
            "assigneeId": None,
            "priority": "high",
            "lines": [{"lineId": "ln_2", "quantity": 1}],
            "reason": "damaged",
        }
        response = await ana.request(
            method.upper(), _fill(path, case["id"], refund["id"]), json=body, headers=headers
        )
        assert response.status_code == 403, (method, path)
        assert response.json()["reason"] == reason

    after = (await ana.get(f"/api/cases/{case['id']}")).json()
    assert after == before
    assert (await ana.get("/api/session")).status_code == 200  # sign-out was refused too
