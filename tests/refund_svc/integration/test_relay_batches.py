"""The outbox relay and the support gateway against the real support_svc (real gRPC servers on
loopback, real SQLite files): a refund's events reach its case in fewer calls than events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import grpc
import pytest
from acme.refund.v1 import refund_service_pb2_grpc
from acme.support.v1 import case_pb2, case_service_pb2, case_service_pb2_grpc
from prometheus_client import REGISTRY

from kit.identity import bearer_metadata
from refund_svc.application.ports import BatchesUnsupportedError, EventRejectedError
from refund_svc.domain.actor import ActorRole
from refund_svc.domain.events import RefundEvent, RefundEventKind
from refund_svc.domain.money import Money
from refund_svc.infrastructure.support_gateway import GrpcSupportGateway
from support_svc.config import Settings as SupportSettings
from support_svc.server import create_server as create_support_server
from tests.refund_svc.integration.servers import (
    ANA,
    SAM,
    SECRET,
    FakeRefundEvents,
    SupportStandIn,
    auth,
    create_request,
    eventually,
    outbox_rows,
    refund_settings,
    start_refunds,
    stop_refunds,
)

pytestmark = pytest.mark.integration

SERVICE = "/acme.support.v1.RefundEventService/"


def calls(method: str) -> float:
    """support_svc's count of OK calls of a RefundEventService method (its Prometheus metrics)."""
    labels = {"method": SERVICE + method, "status": "OK"}
    return REGISTRY.get_sample_value("grpc_server_requests_total", labels) or 0.0


@pytest.fixture
async def support_address(tmp_path: Path, shop_address: str) -> AsyncIterator[str]:
    settings = SupportSettings.model_validate(
        {"port": 0, "db_path": tmp_path / "support.db", "shop_addr": shop_address, "identity_secret": SECRET}
    )
    server, startup, shutdown = create_support_server(settings)
    await server.start(startup)
    try:
        yield f"127.0.0.1:{server.port}"
    finally:
        await server.stop()
        await shutdown()


async def refund_entries(cases: case_service_pb2_grpc.CaseServiceStub, name: str) -> tuple[int, list[str]]:
    full = await cases.GetCase(
        case_service_pb2.GetCaseRequest(name=name, view=case_service_pb2.CASE_VIEW_FULL),
        metadata=auth(SAM),
    )
    kinds = [e.summary for e in full.events if e.kind == case_pb2.CASE_EVENT_KIND_REFUND_EVENT]
    return full.case.status, kinds


async def test_a_refunds_events_reach_its_case_in_fewer_calls_than_events(
    tmp_path: Path, shop_address: str, support_address: str
) -> None:
    # A long pause (1 s): on a loaded machine (make test under coverage) the payout's commits came
    # more than 100 ms after the request's, and the events went in three calls.
    settings = refund_settings(
        tmp_path / "refund.db", shop_address, support_addr=support_address, relay_gather_ms=1000
    )
    running = await start_refunds(settings, cases=None)  # the real gateway asks support for the case
    try:
        async with (
            grpc.aio.insecure_channel(support_address) as support_channel,
            running.channel() as refund_channel,
        ):
            cases = case_service_pb2_grpc.CaseServiceStub(support_channel)
            opened = await cases.CreateCase(
                case_service_pb2.CreateCaseRequest(
                    case=case_pb2.Case(
                        order_id="ord_1001",
                        category=case_pb2.CASE_CATEGORY_DAMAGED_ITEM,
                        subject="The mug arrived broken",
                        description="The handle came off in the box.",
                    )
                ),
                metadata=bearer_metadata(SECRET, ANA),
            )
            batches_before, singles_before = calls("BatchRecordRefundEvents"), calls("RecordRefundEvent")

            # Small: approved by policy at once and paid by the worker: four events.
            await refund_service_pb2_grpc.RefundServiceStub(refund_channel).CreateRefund(
                create_request(lines=(("ln_2", 1),), case=opened.case.name), metadata=auth(ANA)
            )

            async def all_on_the_case() -> bool:
                return len((await refund_entries(cases, opened.case.name))[1]) == 4

            await eventually(all_on_the_case)
            await eventually(lambda: _all_delivered(running.app.database.path))
            status, summaries = await refund_entries(cases, opened.case.name)
    finally:
        await stop_refunds(running)

    assert summaries == [
        "Refund R-2001 of €11.69 was requested",
        "Refund R-2001 of €11.69 was approved",
        "Refund R-2001 of €11.69 is being paid back",
        "Refund R-2001 of €11.69 was paid back",
    ]
    assert status == case_pb2.CASE_STATUS_RESOLVED  # paid back: resolved by rule, as one by one
    assert calls("RecordRefundEvent") - singles_before == 0
    # Gathered: one call, two should a slow machine split the refund's commits across the pause
    # (without the pause: three, one per wake-up; one event at a time: four).
    assert 1 <= calls("BatchRecordRefundEvents") - batches_before <= 2


async def _all_delivered(db_path: Path) -> bool:
    rows = await outbox_rows(db_path)
    return len(rows) == 4 and all(r.delivered for r in rows)


# --- the adapter ------------------------------------------------------------------------------------


def event(case: str, event_id: str, kind: RefundEventKind = RefundEventKind.REQUESTED) -> RefundEvent:
    return RefundEvent(
        event_id=event_id,
        refund_id="r1",
        refund_number="R-2001",
        case_name=case,
        kind=kind,
        amount=Money(1169, "EUR"),
        actor_id="system",
        actor_role=ActorRole.SYSTEM,
        note="",
        occurred_at=datetime(2026, 3, 15, 12, 0, tzinfo=UTC),
        refund_open=True,
        sequence=1,
    )


async def test_the_adapter_sends_a_batch_and_sorts_its_failures(
    support_address: str, shop_address: str
) -> None:
    async with grpc.aio.insecure_channel(support_address) as channel:
        opened = await case_service_pb2_grpc.CaseServiceStub(channel).CreateCase(
            case_service_pb2.CreateCaseRequest(
                case=case_pb2.Case(
                    order_id="ord_1001",
                    category=case_pb2.CASE_CATEGORY_DAMAGED_ITEM,
                    subject="Broken",
                    description="It broke.",
                )
            ),
            metadata=bearer_metadata(SECRET, ANA),
        )
    case = opened.case.name
    gateway = GrpcSupportGateway(support_address, identity_secret=SECRET)
    await gateway.open()
    try:
        first = event(case, "e1")
        second = replace(event(case, "e2", RefundEventKind.APPROVED), sequence=2)
        assert await gateway.record_refund_events([first, first, second]) == [True, False, True]
        assert await gateway.record_refund_events([second]) == [False]
        with pytest.raises(EventRejectedError, match="NOT_FOUND"):
            await gateway.record_refund_events([event(case, "e3"), event("cases/424242", "e4")])
        with pytest.raises(EventRejectedError, match="INVALID_ARGUMENT"):
            await gateway.record_refund_events([replace(event(case, "e5"), event_id="not an id!")])
        with pytest.raises(ValueError, match="1 to 100"):
            await gateway.record_refund_events([])
        # The refused batch left nothing behind.
        assert await gateway.record_refund_events([event(case, "e3")]) == [True]
    finally:
        await gateway.close()


async def test_a_support_without_batches_is_told_apart() -> None:
    older = SupportStandIn(FakeRefundEvents())  # knows RecordRefundEvent only
    await older.start()
    gateway = GrpcSupportGateway(older.address, identity_secret=SECRET)
    await gateway.open()
    try:
        with pytest.raises(BatchesUnsupportedError, match="UNIMPLEMENTED"):
            await gateway.record_refund_events([event("cases/C-1", "e1")])
        assert await gateway.record_refund_event(event("cases/C-1", "e1")) is True
    finally:
        await gateway.close()
        await older.stop()


async def test_the_relay_delivers_to_a_support_without_batches_one_at_a_time(
    tmp_path: Path, shop_address: str
) -> None:
    older = SupportStandIn(FakeRefundEvents())
    older.cases.add("cases/C-1", "cus_1001", "ord_1001")
    await older.start()
    # No gathering: the refund's events take several rounds.
    settings = refund_settings(
        tmp_path / "refund.db", shop_address, support_addr=older.address, relay_gather_ms=0
    )
    running = await start_refunds(settings, cases=None)
    try:
        async with running.channel() as channel:
            await refund_service_pb2_grpc.RefundServiceStub(channel).CreateRefund(
                create_request(lines=(("ln_2", 1),), case="cases/C-1"), metadata=auth(ANA)
            )
        await eventually(lambda: _all_delivered(running.app.database.path))
    finally:
        await stop_refunds(running)
        await older.stop()
    assert older.servicer.batch_calls == 1  # refused once, then remembered for a while
    # Every event, in outbox order (at least once: first sightings), by RecordRefundEvent calls.
    assert list(dict.fromkeys(r.event_id for r in older.servicer.received)) == [
        r.event_id for r in await outbox_rows(tmp_path / "refund.db")
    ]
