"""The case numbers on refund lists, against the real services: a BFF that has not seen the cases asks
support_svc for all of them in one BatchGetCases (never one GetCase per case), only for those it does
not know yet; when a batch cannot be read whole, each case is asked for alone and the others keep their
numbers. Calls are counted by support_svc's own metrics (it runs in this process)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY

from bff.state import AppState
from kit.identity import Identity, Role
from tests.bff.helpers import ask_refund, client, open_case, running, sign_in
from tests.bff.integration.conftest import People, Services, bff_settings

STATUSES = ("OK", "NOT_FOUND", "INVALID_ARGUMENT", "UNAVAILABLE", "DEADLINE_EXCEEDED", "CANCELLED")


def answered(method: str, status: str | None = None) -> float:
    """Calls of CaseService's `method` support_svc has answered so far (with `status`, else any)."""
    total = 0.0
    for code in (status,) if status else STATUSES:
        labels = {"method": f"/acme.support.v1.CaseService/{method}", "status": code}
        total += REGISTRY.get_sample_value("grpc_server_requests_total", labels) or 0.0
    return total


class Calls:
    """support_svc's GetCase and BatchGetCases calls since the last `since()`."""

    def __init__(self) -> None:
        self._at = self._now()

    @staticmethod
    def _now() -> dict[str, float]:
        return {
            "batch": answered("BatchGetCases"),
            "batch not found": answered("BatchGetCases", "NOT_FOUND"),
            "get": answered("GetCase"),
            "get ok": answered("GetCase", "OK"),
        }

    def since(self) -> dict[str, float]:
        now = self._now()
        delta = {key: now[key] - self._at[key] for key in now}
        self._at = now
        return delta


def recording_batches(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The case ids of each BatchGetCases this BFF sends (the calls still go through)."""
    asked: list[list[str]] = []
    stub = state_of(app).support._stub
    batch_get = stub.BatchGetCases

    def recorded(request: Any, **kwargs: Any) -> Any:
        asked.append([name.removeprefix("cases/") for name in request.names])
        return batch_get(request, **kwargs)

    monkeypatch.setattr(stub, "BatchGetCases", recorded)
    return asked


def state_of(app: FastAPI) -> AppState:
    state: AppState = app.state.bff
    return state


async def refunds(http: httpx.AsyncClient, **params: str) -> list[dict[str, Any]]:
    response = await http.get("/api/refunds", params=params)
    assert response.status_code == 200, response.text
    listed: list[dict[str, Any]] = response.json()["refunds"]
    return listed


async def three_cases_of_anas_with_a_refund_each(people: People) -> list[dict[str, Any]]:
    ana = await people("ana")
    cases = [await open_case(ana), await open_case(ana), await open_case(ana, "ord_1004")]
    for case in cases:
        created = await ask_refund(ana, case["id"], ("ln_2", 1))
        assert created.status_code == 201, created.text
    return cases


async def test_a_refund_list_over_cases_the_bff_never_saw_takes_one_batch_call(
    services: Services, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    anas = await three_cases_of_anas_with_a_refund_each(people)
    ben = await people("ben")
    bens = await open_case(ben, "ord_1005")
    assert (await ask_refund(ben, bens["id"], ("ln_2", 1))).status_code == 201

    async with running(bff_settings(services)) as app, client(app) as ana, client(app) as sam:
        await sign_in(ana, "ana")
        await sign_in(sam, "sam")
        batches = recording_batches(app, monkeypatch)
        calls = Calls()
        own = await refunds(ana)
        for_ana = calls.since()
        queue = await refunds(sam)
        for_sam = calls.since()

    numbers = {c["id"]: c["number"] for c in [*anas, bens]}
    assert len(own) == 3
    assert all(r["caseNumber"] == numbers[r["caseId"]] for r in own)
    assert len(queue) == 4
    assert all(r["caseNumber"] == numbers[r["caseId"]] for r in queue)
    # Ana's list: one call for her three cases; the queue then: one call for the one case not known yet.
    assert (for_ana["batch"], for_ana["get"]) == (1, 0)
    assert (for_sam["batch"], for_sam["get"]) == (1, 0)
    assert batches == [sorted(c["id"] for c in anas), [bens["id"]]]


async def test_when_a_case_cannot_be_read_the_others_still_get_their_numbers(
    services: Services, people: People
) -> None:
    mine = await three_cases_of_anas_with_a_refund_each(people)
    bens = await open_case(await people("ben"), "ord_1005")
    ana = Identity("cus_1001", Role.CUSTOMER)
    asked = [mine[0]["id"], bens["id"], mine[1]["id"], "99999", mine[2]["id"]]

    async with running(bff_settings(services)) as app:
        support = state_of(app).support
        calls = Calls()
        numbers = await support.case_numbers(ana, asked)
        first = calls.since()
        again = await support.case_numbers(ana, [c["id"] for c in mine])
        second = calls.since()

    expected = {c["id"]: c["number"] for c in mine}
    assert numbers == again == expected  # Ben's case and the unknown one are left out, as before
    # The batch is refused whole (NOT_FOUND, nothing of Ben's case leaked), then each case alone.
    assert (first["batch"], first["batch not found"]) == (1, 1)
    assert (first["get"], first["get ok"]) == (5, 3)
    assert second == {"batch": 0, "batch not found": 0, "get": 0, "get ok": 0}  # remembered
