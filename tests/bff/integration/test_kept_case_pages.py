"""Case pages kept until their case changes (bff.case_pages), through the real BFF, services and Redis:
a page is answered again from what was kept, and nobody sees it once the case has changed, whether
the change came through this BFF, straight to support_svc, or from refund_svc's background work."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
from acme.support.v1 import case_service_pb2, case_service_pb2_grpc
from fastapi import FastAPI
from prometheus_client import REGISTRY

from bff import schemas
from bff.clients.support import FullCase
from bff.orders import ShopOrder
from bff.records import RefundRecord
from bff.state import AppState
from kit.identity import Identity, Role, bearer_metadata
from launcher.system import free_port
from support_svc.config import Settings as SupportSettings
from support_svc.server import create_server as create_support_server
from tests.bff.helpers import CSRF, SECRET, ask_refund, client, eventually, open_case, running, sign_in
from tests.bff.integration.conftest import People, Services, bff_settings, following_case_changes

HEADPHONES = ("ln_1", 1)  # ord_1001: 79.00, waits for an agent


def kept_pages() -> float:
    return REGISTRY.get_sample_value("bff_case_pages_total", {"outcome": "kept"}) or 0.0


def state_of(app: FastAPI) -> AppState:
    state: AppState = app.state.bff
    return state


async def page_of(http: httpx.AsyncClient, case_id: str) -> dict[str, Any]:
    response = await http.get(f"/api/cases/{case_id}")
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def bodies(page: dict[str, Any]) -> list[str]:
    return [m["body"] for m in page["messages"]]


async def test_a_page_is_answered_from_what_was_kept_until_support_says_its_case_changed(
    services: Services, people: People
) -> None:
    ana, sam = await people("ana"), await people("sam")
    case = await open_case(ana)
    first = await page_of(sam, case["id"])
    before = kept_pages()
    assert await page_of(sam, case["id"]) == first
    assert kept_pages() - before == 1

    # A change that does not go through this BFF: only support_svc's change stream tells it.
    async with grpc.aio.insecure_channel(services.support_addr) as channel:
        await case_service_pb2_grpc.CaseServiceStub(channel).AddCaseMessage(
            case_service_pb2.AddCaseMessageRequest(
                parent=f"cases/{case['id']}",
                body="Sent straight to support_svc",
                request_id=str(uuid.uuid4()),
            ),
            metadata=bearer_metadata(SECRET, Identity("agt_2001", Role.AGENT)),
        )

    async def shows_it() -> bool:
        return "Sent straight to support_svc" in bodies(await page_of(sam, case["id"]))

    await eventually(shows_it, timeout_s=5)


async def test_a_change_made_through_the_bff_shows_at_once_to_everyone(people: People) -> None:
    ana, sam, kim = await people("ana"), await people("sam"), await people("kim")
    case = await open_case(ana)
    await page_of(sam, case["id"])
    await page_of(ana, case["id"])

    posted = await kim.post(f"/api/cases/{case['id']}/messages", json={"body": "On it"}, headers=CSRF)
    assert posted.status_code == 201, posted.text
    assert "On it" in bodies(await page_of(sam, case["id"]))

    asked = await ask_refund(ana, case["id"], HEADPHONES)
    assert asked.status_code == 201, asked.text
    refund = asked.json()["refund"]
    assert [r["id"] for r in (await page_of(sam, case["id"]))["refunds"]] == [refund["id"]]

    # Kim approves: Ana did not change anything, yet her next page shows it (no wait for the relay).
    await page_of(ana, case["id"])
    approve = {"etag": refund["etag"]}
    approved = await kim.post(f"/api/refunds/{refund['id']}/approve", json=approve, headers=CSRF)
    assert approved.status_code == 200, approved.text
    assert (await page_of(ana, case["id"]))["refunds"][0]["status"] != "pending_approval"


async def test_kept_pages_never_show_staff_notes_to_customers_nor_a_case_to_another_customer(
    people: People,
) -> None:
    ana, ben, sam = await people("ana"), await people("ben"), await people("sam")
    case = await open_case(ana)
    note = {"body": "Customer sounds upset", "internal": True}
    assert (await sam.post(f"/api/cases/{case['id']}/messages", json=note, headers=CSRF)).status_code == 201

    for _ in range(2):  # the second of each is answered from what was kept
        assert "Customer sounds upset" in bodies(await page_of(sam, case["id"]))
        assert "Customer sounds upset" not in bodies(await page_of(ana, case["id"]))
        bens_view = await ben.get(f"/api/cases/{case['id']}")
        assert bens_view.status_code == 404
        assert case["subject"] not in bens_view.text


async def test_refund_svcs_own_changes_reach_the_page_through_the_case(people: People) -> None:
    """The payout is refund_svc's background work: its relay tells support_svc, whose stream tells
    the BFF. The page kept before shows the refund paid out once that has happened."""
    ana, sam = await people("ana"), await people("sam")
    case = await open_case(ana)
    refund = (await ask_refund(ana, case["id"], HEADPHONES)).json()["refund"]
    approve = {"etag": refund["etag"]}
    approved = await sam.post(f"/api/refunds/{refund['id']}/approve", json=approve, headers=CSRF)
    assert approved.status_code == 200, approved.text

    async def paid() -> bool:
        return bool((await page_of(sam, case["id"]))["refunds"][0]["status"] == "refunded")

    await eventually(paid)


async def test_nothing_is_kept_while_supports_stream_is_down_and_it_comes_back_by_itself(
    tmp_path: Path,
) -> None:
    config = SupportSettings.model_validate(
        {"port": 0, "db_path": tmp_path / "support.db", "identity_secret": SECRET, "grace_s": 0}
    )
    server, startup, shutdown = create_support_server(config)
    await server.start(startup)
    port = server.port
    unused = f"127.0.0.1:{free_port()}"
    try:
        async with running(bff_settings(Services(f"127.0.0.1:{port}", unused, unused))) as app:
            pages = state_of(app).case_pages

            async def live() -> bool:
                return pages.live

            async def down() -> bool:
                return not pages.live

            await eventually(live, timeout_s=5)
            assert REGISTRY.get_sample_value("bff_case_page_stream_live") == 1

            await server.stop()
            await shutdown()
            await eventually(down, timeout_s=5)
            assert REGISTRY.get_sample_value("bff_case_page_stream_live") == 0

            # support_svc back on the same address: the BFF follows it again by itself.
            server, startup, shutdown = create_support_server(config.model_copy(update={"port": port}))
            await server.start(startup)
            await eventually(live, timeout_s=10)
    finally:
        await server.stop()
        await shutdown()


async def test_the_order_on_a_kept_page_comes_from_the_order_lookup_on_every_read(
    services: Services, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page read while the shop was away is kept all the same, without its order; the order shows
    as soon as the shop answers again, with no change of the case."""
    ana = await people("ana")
    case = await open_case(ana)
    order = (await page_of(ana, case["id"]))["order"]
    assert order is not None
    unused = f"127.0.0.1:{free_port()}"
    async with running(bff_settings(Services(services.support_addr, services.refund_addr, unused))) as app:
        await following_case_changes(app)
        async with client(app) as sam:
            await sign_in(sam, "sam")
            assert (await page_of(sam, case["id"]))["order"] is None

            async def shop_is_back(who: Identity, order_id: str) -> ShopOrder:
                assert order_id == order["id"]
                return ShopOrder(customer_id="cus_ana", order=schemas.Order.model_validate(order))

            monkeypatch.setattr(state_of(app).orders, "order", shop_is_back)
            before = kept_pages()
            assert (await page_of(sam, case["id"]))["order"] == order
            assert kept_pages() - before == 1


def counting_refund_reads(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The case ids this BFF asks refund_svc for the refunds of (the calls still go through)."""
    asked: list[str] = []
    refunds = state_of(app).refunds
    read = refunds.refunds_of_case

    async def counted(who: Identity, case_id: str) -> list[RefundRecord]:
        asked.append(case_id)
        return await read(who, case_id)

    monkeypatch.setattr(refunds, "refunds_of_case", counted)
    return asked


async def test_refund_svc_is_asked_only_for_the_refunds_of_a_case_that_has_some(
    app: FastAPI, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    """support_svc hears of every refund of a case (refund_svc's relay puts it on the timeline)."""
    asked = counting_refund_reads(app, monkeypatch)
    ana, sam = await people("ana"), await people("sam")
    case = await open_case(ana)
    assert (await page_of(sam, case["id"]))["refunds"] == []
    assert asked == []

    refund = (await ask_refund(ana, case["id"], HEADPHONES)).json()["refund"]
    assert [r["id"] for r in (await page_of(sam, case["id"]))["refunds"]] == [refund["id"]]
    assert asked == [case["id"]]


async def test_a_refund_written_through_this_bff_shows_before_the_relay_reaches_its_case(
    services: Services, app: FastAPI, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Until refund_svc's relay reaches the case, its timeline does not show the refund: the BFF that
    wrote it asks refund_svc all the same; another one shows it once the relay has reached the case."""
    support = state_of(app).support
    get_case_full = support.get_case_full

    async def relay_not_there_yet(who: Identity, case_id: str) -> FullCase:
        full = await get_case_full(who, case_id)
        return full._replace(timeline=[e for e in full.timeline if e.kind != "refund_event"])

    monkeypatch.setattr(support, "get_case_full", relay_not_there_yet)
    ana, sam = await people("ana"), await people("sam")
    case = await open_case(ana)
    refund = (await ask_refund(ana, case["id"], HEADPHONES)).json()["refund"]
    for who in (ana, sam):
        assert [r["id"] for r in (await page_of(who, case["id"]))["refunds"]] == [refund["id"]]

    async with running(bff_settings(services)) as other:
        await following_case_changes(other)
        async with client(other) as kim, client(other) as ana_elsewhere:
            await sign_in(kim, "kim")
            await sign_in(ana_elsewhere, "ana")

            async def shows_it() -> bool:
                # The customer too: refund entries on the timeline are for every party.
                pages = [await page_of(who, case["id"]) for who in (kim, ana_elsewhere)]
                return all([r["id"] for r in page["refunds"]] == [refund["id"]] for page in pages)

            await eventually(shows_it, timeout_s=5)
