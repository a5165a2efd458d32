"""Who may do what, for every endpoint in the OpenAPI document (a new endpoint cannot escape), and the
CSRF guard on every state-changing endpoint."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.bff.helpers import CSRF, EMAILS, PASSWORD, sign_in
from tests.bff.integration.conftest import People

ROLES = ("anonymous", "ana", "ben", "sam", "lee")
OK, CREATED, NO_CONTENT = {200}, {201}, {204}
UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD = {401}, {403}, {404}, {400}
STATE_CHANGING = {"post", "put", "patch", "delete"}


@dataclass
class World:
    """Ana's case, and a way to read its current etag (staff changes move it on)."""

    people: People
    case_id: str

    async def etag(self) -> str:
        lee = await self.people("lee")
        response = await lee.get(f"/api/cases/{self.case_id}")
        return str(response.json()["case"]["etag"])


Call = Callable[[httpx.AsyncClient, World, str], Awaitable[httpx.Response]]


async def _sign_in(http: httpx.AsyncClient, world: World, who: str) -> httpx.Response:
    email = EMAILS.get(who, "nobody@example.com")
    return await http.post("/api/session", json={"email": email, "password": PASSWORD}, headers=CSRF)


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
    created = await ana.post(
        "/api/cases",
        json={"orderId": "ord_1001", "category": "damaged_item", "subject": "Broken", "description": "Mug"},
        headers=CSRF,
    )
    world = World(people=people, case_id=created.json()["case"]["id"])

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
    assert world.case_id not in [c["id"] for c in (await ben.get("/api/cases")).json()["cases"]]
    messages = (await ana.get(f"/api/cases/{world.case_id}")).json()["messages"]
    assert "From ben" not in [m["body"] for m in messages]
    assert "From ana" in [m["body"] for m in messages]


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


def _fill(path: str, case_id: str) -> str:
    return path.replace("{caseId}", case_id)


@pytest.mark.parametrize(
    ("headers", "reason"),
    [({}, "CSRF_HEADER_MISSING"), ({**CSRF, "Origin": "https://evil.example"}, "ORIGIN_NOT_ALLOWED")],
)
async def test_every_state_changing_endpoint_refuses_cross_site_requests(
    app: FastAPI, people: People, headers: dict[str, str], reason: str
) -> None:
    ana = await people("ana")
    case = (
        await ana.post(
            "/api/cases",
            json={"orderId": "ord_1001", "category": "other", "subject": "Hi", "description": "Help"},
            headers=CSRF,
        )
    ).json()["case"]
    before = (await ana.get(f"/api/cases/{case['id']}")).json()

    writes = [(m, p) for m, p in _operations(app).values() if m in STATE_CHANGING]
    assert len(writes) >= 7
    for method, path in writes:
        body = {"etag": case["etag"], "body": "x", "action": "close", "assigneeId": None, "priority": "high"}
        response = await ana.request(method.upper(), _fill(path, case["id"]), json=body, headers=headers)
        assert response.status_code == 403, (method, path)
        assert response.json()["reason"] == reason

    after = (await ana.get(f"/api/cases/{case['id']}")).json()
    assert after == before
    assert (await ana.get("/api/session")).status_code == 200  # sign-out was refused too
