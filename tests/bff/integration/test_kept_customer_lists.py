"""Customers' own lists kept until one of their cases changes (bff.customer_lists), through the real
BFF, services and Redis: a list is answered again without asking support_svc, and shows a change
of one of the customer's cases once support's stream tells it, wherever the change was made; the
customer's own change shows on their next read at once."""

from __future__ import annotations

import uuid
from typing import Any

import grpc
import httpx
import pytest
from acme.support.v1 import case_service_pb2, case_service_pb2_grpc
from fastapi import FastAPI
from prometheus_client import REGISTRY

from bff import schemas
from bff.records import CaseChanged
from bff.state import AppState
from kit.identity import Identity, Role, bearer_metadata
from launcher.system import free_port
from tests.bff.helpers import CSRF, SECRET, ask_refund, client, eventually, open_case, running, sign_in
from tests.bff.integration.conftest import People, Services, bff_settings, following_case_changes

ANA, BEN = "cus_1001", "cus_1002"


def state_of(app: FastAPI) -> AppState:
    state: AppState = app.state.bff
    return state


def kept_lists() -> float:
    return REGISTRY.get_sample_value("bff_customer_lists_total", {"outcome": "kept"}) or 0.0


def counting_list_reads(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Who this BFF asks support_svc for a list of cases for (the calls still go through)."""
    asked: list[str] = []
    support = state_of(app).support
    list_cases = support.list_cases

    async def counted(who: Identity, query: schemas.CaseQuery) -> tuple[list[schemas.Case], str | None]:
        asked.append(who.subject)
        return await list_cases(who, query)

    monkeypatch.setattr(support, "list_cases", counted)
    return asked


def heard_changes(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> list[CaseChanged]:
    """The changes support's stream tells this BFF's customer lists (they are still told)."""
    heard: list[CaseChanged] = []
    lists = state_of(app).customer_lists
    tell = lists.case_changed

    def recorded(change: CaseChanged) -> None:
        tell(change)
        heard.append(change)

    monkeypatch.setattr(lists, "case_changed", recorded)
    return heard


async def until_heard(heard: list[CaseChanged], case_id: str) -> None:
    """Waits until the stream has told of a change of this case: a list read after it is kept."""

    async def told() -> bool:
        return any(change.case_id == case_id for change in heard)

    await eventually(told, timeout_s=5)


async def list_of(http: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await http.get("/api/cases")
    assert response.status_code == 200, response.text
    cases: list[dict[str, Any]] = response.json()["cases"]
    return cases


def the_case(cases: list[dict[str, Any]], case_id: str) -> dict[str, Any]:
    return next(case for case in cases if case["id"] == case_id)


async def test_a_list_is_answered_from_what_was_kept_until_support_says_one_of_its_cases_changed(
    services: Services, app: FastAPI, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    heard = heard_changes(app, monkeypatch)
    asked = counting_list_reads(app, monkeypatch)
    ana = await people("ana")
    case = await open_case(ana)
    await until_heard(heard, case["id"])

    first = await list_of(ana)
    before = kept_lists()
    assert await list_of(ana) == first
    assert kept_lists() - before == 1
    assert asked == [ANA]  # the second read did not ask support_svc

    # An agent answers straight to support_svc (the case moves to in progress): only the stream
    # tells this BFF.
    async with grpc.aio.insecure_channel(services.support_addr) as channel:
        await case_service_pb2_grpc.CaseServiceStub(channel).AddCaseMessage(
            case_service_pb2.AddCaseMessageRequest(
                parent=f"cases/{case['id']}", body="We are on it", request_id=str(uuid.uuid4())
            ),
            metadata=bearer_metadata(SECRET, Identity("agt_2001", Role.AGENT)),
        )

    async def in_progress() -> bool:
        return bool(the_case(await list_of(ana), case["id"])["status"] == "in_progress")

    await eventually(in_progress, timeout_s=5)


async def test_a_change_by_staff_through_another_bff_shows_once_the_stream_tells_it(
    services: Services, app: FastAPI, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    heard = heard_changes(app, monkeypatch)
    ana = await people("ana")
    case = await open_case(ana)
    await until_heard(heard, case["id"])
    await list_of(ana)
    before = kept_lists()
    assert the_case(await list_of(ana), case["id"])["assignee"] is None
    assert kept_lists() - before == 1

    async with running(bff_settings(services)) as other, client(other) as kim:
        await sign_in(kim, "kim")
        take = {"assigneeId": "agt_2003", "etag": case["etag"]}
        taken = await kim.post(f"/api/cases/{case['id']}/assign", json=take, headers=CSRF)
        assert taken.status_code == 200, taken.text

    async def assigned_to_kim() -> bool:
        assignee = the_case(await list_of(ana), case["id"])["assignee"]
        return assignee is not None and assignee["id"] == "agt_2003"

    await eventually(assigned_to_kim, timeout_s=5)


async def test_a_case_opened_for_the_customer_through_another_bff_shows(
    services: Services, app: FastAPI, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    heard = heard_changes(app, monkeypatch)
    ana = await people("ana")
    first = await open_case(ana)
    await until_heard(heard, first["id"])
    await list_of(ana)
    before = kept_lists()
    assert [c["id"] for c in await list_of(ana)] == [first["id"]]
    assert kept_lists() - before == 1

    async with running(bff_settings(services)) as other, client(other) as ana_elsewhere:
        await following_case_changes(other)
        await sign_in(ana_elsewhere, "ana")
        second = await open_case(ana_elsewhere, order_id="ord_1002")

    async def shows_both() -> bool:
        return [c["id"] for c in await list_of(ana)] == [second["id"], first["id"]]  # newest first

    await eventually(shows_both, timeout_s=5)


async def test_one_customers_change_does_not_drop_another_customers_list(
    app: FastAPI, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    heard = heard_changes(app, monkeypatch)
    asked = counting_list_reads(app, monkeypatch)
    ana, ben = await people("ana"), await people("ben")
    anas_case = await open_case(ana)
    await until_heard(heard, anas_case["id"])
    anas_list = await list_of(ana)
    assert asked == [ANA]

    bens_case = await open_case(ben, order_id="ord_1005")
    await until_heard(heard, bens_case["id"])
    assert [c["id"] for c in await list_of(ben)] == [bens_case["id"]]
    before = kept_lists()
    assert await list_of(ana) == anas_list
    assert kept_lists() - before == 1
    assert asked == [ANA, BEN]


async def test_the_customers_own_change_through_this_bff_shows_on_their_next_read(
    app: FastAPI, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even before the stream tells it: the front door notes the change of that browser."""
    heard = heard_changes(app, monkeypatch)
    ana = await people("ana")
    first = await open_case(ana)
    await until_heard(heard, first["id"])
    async with client(app) as anas_phone:
        await sign_in(anas_phone, "ana")
        assert [c["id"] for c in await list_of(ana)] == [first["id"]]
        before = kept_lists()
        assert [c["id"] for c in await list_of(anas_phone)] == [first["id"]]
        assert kept_lists() - before == 1

        # The stream says nothing from here on.
        monkeypatch.setattr(state_of(app).customer_lists, "case_changed", lambda change: None)
        second = await open_case(ana, order_id="ord_1002")
        # Her other browser sees it once the stream tells it (not in this test) ...
        assert [c["id"] for c in await list_of(anas_phone)] == [first["id"]]
        # ... the browser that made the change at once.
        assert [c["id"] for c in await list_of(ana)] == [second["id"], first["id"]]
        # The list read then is the one kept from then on.
        assert [c["id"] for c in await list_of(anas_phone)] == [second["id"], first["id"]]


# --- a customer's own refunds, kept with their lists of cases ---------------------------------------

HEADPHONES = ("ln_1", 1)  # ord_1001: 79.00, waits for an agent


def counting_refund_list_reads(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Who this BFF asks refund_svc for a list of refunds for (the calls still go through)."""
    asked: list[str] = []
    refunds = state_of(app).refunds
    list_refunds = refunds.list_refunds

    async def counted(who: Identity, query: schemas.RefundQuery) -> Any:
        asked.append(who.subject)
        return await list_refunds(who, query)

    monkeypatch.setattr(refunds, "list_refunds", counted)
    return asked


async def refunds_of(http: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await http.get("/api/refunds")
    assert response.status_code == 200, response.text
    refunds: list[dict[str, Any]] = response.json()["refunds"]
    return refunds


async def refund_told(heard: list[CaseChanged], case_id: str, times: int) -> None:
    """Waits until the stream has told `times` changes of the case (opening it, then each refund event)."""

    async def told() -> bool:
        return sum(change.case_id == case_id for change in heard) >= times

    await eventually(told, timeout_s=5)


async def test_a_customers_refunds_are_kept_until_a_refund_change_reaches_their_case(
    services: Services, app: FastAPI, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    heard = heard_changes(app, monkeypatch)
    asked = counting_refund_list_reads(app, monkeypatch)
    ana = await people("ana")
    case = await open_case(ana)
    asked_for = await ask_refund(ana, case["id"], HEADPHONES)
    assert asked_for.status_code == 201, asked_for.text
    refund = asked_for.json()["refund"]
    await refund_told(heard, case["id"], times=2)  # the case opened, and the refund's first event

    first = await refunds_of(ana)
    before = kept_lists()
    assert await refunds_of(ana) == first
    assert kept_lists() - before == 1
    assert asked == [ANA]  # the second read did not ask refund_svc
    assert [r["status"] for r in first] == ["pending_approval"]
    assert first[0]["lines"][0]["productTitle"] == "Wireless headphones"

    # An agent approves it through another BFF: refund_svc's relay tells the case, support's stream
    # tells this BFF.
    async with running(bff_settings(services)) as other, client(other) as sam:
        await sign_in(sam, "sam")
        approved = await sam.post(
            f"/api/refunds/{refund['id']}/approve", json={"etag": refund["etag"]}, headers=CSRF
        )
        assert approved.status_code == 200, approved.text

    async def decided() -> bool:
        return bool((await refunds_of(ana))[0]["status"] != "pending_approval")

    await eventually(decided, timeout_s=5)


async def test_the_customers_own_refund_change_shows_on_their_next_read(
    app: FastAPI, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    heard = heard_changes(app, monkeypatch)
    ana = await people("ana")
    case = await open_case(ana)
    refund = (await ask_refund(ana, case["id"], HEADPHONES)).json()["refund"]
    await refund_told(heard, case["id"], times=2)
    await refunds_of(ana)
    before = kept_lists()
    assert [r["status"] for r in await refunds_of(ana)] == ["pending_approval"]
    assert kept_lists() - before == 1

    # The stream says nothing from here on: only the front door's note of Ana's change.
    monkeypatch.setattr(state_of(app).customer_lists, "case_changed", lambda change: None)
    cancelled = await ana.post(
        f"/api/refunds/{refund['id']}/cancel", json={"etag": refund["etag"]}, headers=CSRF
    )
    assert cancelled.status_code == 200, cancelled.text

    assert [r["status"] for r in await refunds_of(ana)] == ["cancelled"]


async def test_refunds_shown_without_product_titles_are_not_kept(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the shop away a refund shows no product titles: the next read asks again."""
    async with running(bff_settings(services)) as app, client(app) as ana:
        await following_case_changes(app)
        heard = heard_changes(app, monkeypatch)
        await sign_in(ana, "ana")
        case = await open_case(ana)
        assert (await ask_refund(ana, case["id"], HEADPHONES)).status_code == 201
        await refund_told(heard, case["id"], times=2)
    shop_away = Services(services.support_addr, services.refund_addr, f"127.0.0.1:{free_port()}")
    async with running(bff_settings(shop_away)) as app, client(app) as ana:
        await following_case_changes(app)
        asked = counting_refund_list_reads(app, monkeypatch)
        await sign_in(ana, "ana")
        before = kept_lists()
        first, second = await refunds_of(ana), await refunds_of(ana)

    assert first == second
    assert [line["productTitle"] for line in first[0]["lines"]] == [None]
    assert kept_lists() - before == 0
    assert asked == [ANA, ANA]
