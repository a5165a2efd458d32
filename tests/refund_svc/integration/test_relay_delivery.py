"""The outbox relay against a stand-in RefundEventService on a real grpc.aio server (port 0).

The stand-in sits behind the real auth interceptor, so these tests also show that refund_svc
calls with a SYSTEM identity token.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import grpc
import pytest
from acme.refund.v1 import refund_service_pb2_grpc
from acme.refund.v1.refund_service_pb2 import RejectRefundRequest
from acme.support.v1 import case_pb2, refund_event_service_pb2
from opentelemetry.trace import SpanKind

from kit import tracing
from kit.identity import Identity, Role
from refund_svc.application.ports import (
    CaseRef,
    EventDeliveryError,
    EventRejectedError,
    SupportUnavailableError,
)
from refund_svc.domain.actor import ActorRole
from refund_svc.domain.errors import CasesUnavailableError
from refund_svc.domain.events import RefundEvent, RefundEventKind
from refund_svc.domain.money import Money
from refund_svc.infrastructure.support_gateway import GrpcSupportGateway
from tests.kit.spans import assert_child_of, one_span, recorded_spans
from tests.refund_svc.integration.servers import (
    ANA,
    SAM,
    SECRET,
    FakeRefundEvents,
    RunningRefunds,
    SupportStandIn,
    auth,
    create_request,
    eventually,
    outbox_rows,
    refund_settings,
    rich_error,
    start_refunds,
    stop_refunds,
)

pytestmark = pytest.mark.integration

Stub = refund_service_pb2_grpc.RefundServiceStub
E = refund_event_service_pb2


@pytest.fixture
async def support() -> AsyncIterator[SupportStandIn]:
    stand_in = SupportStandIn(FakeRefundEvents())
    stand_in.cases.add("cases/C-1", "cus_1001", "ord_1001")  # two cases about Ana's ord_1001
    stand_in.cases.add("cases/C-2", "cus_1001", "ord_1001")
    await stand_in.start()
    try:
        yield stand_in
    finally:
        await stand_in.stop()


@pytest.fixture
async def running(
    tmp_path: Path, shop_address: str, support: SupportStandIn
) -> AsyncIterator[RunningRefunds]:
    settings = refund_settings(tmp_path / "refund.db", shop_address, support_addr=support.address)
    running = await start_refunds(settings, cases=None)  # the real gateway asks the stand-in
    try:
        yield running
    finally:
        await stop_refunds(running)


async def make_refunds(running: RunningRefunds) -> None:
    """Two cases: one refund approved by policy (and paid), one asked for and rejected."""
    async with running.channel() as channel:
        stub = Stub(channel)
        await stub.CreateRefund(
            create_request(lines=(("ln_2", 1),), request_id="a", case="cases/C-1"), metadata=auth(ANA)
        )
        rejected = await stub.CreateRefund(
            create_request(lines=(("ln_1", 1),), request_id="b", case="cases/C-2"), metadata=auth(ANA)
        )
        await stub.RejectRefund(
            RejectRefundRequest(name=rejected.refund.name, reason="used"), metadata=auth(SAM)
        )


async def all_delivered(running: RunningRefunds) -> bool:
    rows = await outbox_rows(running.app.database.path)
    return bool(rows) and all(r.delivered for r in rows) and len(rows) == 6


def per_case(ids: list[str], cases: dict[str, str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for event_id in ids:
        if event_id not in grouped[cases[event_id]]:  # at least once: keep first sightings
            grouped[cases[event_id]].append(event_id)
    return dict(grouped)


async def test_every_event_reaches_support_in_order_per_case_as_the_system(
    running: RunningRefunds, support: SupportStandIn
) -> None:
    await make_refunds(running)

    await eventually(lambda: all_delivered(running))

    rows = await outbox_rows(running.app.database.path)
    cases = {r.event_id: r.case_name for r in rows}
    assert per_case(support.servicer.event_ids(), cases) == per_case([r.event_id for r in rows], cases)
    assert {caller for caller in support.servicer.callers} == {Identity("refund_svc", Role.SYSTEM)}
    paid = [r for r in support.servicer.received if r.parent == "cases/C-1"]
    assert [r.kind for r in paid] == [
        E.REFUND_EVENT_KIND_REQUESTED,
        E.REFUND_EVENT_KIND_APPROVED,
        E.REFUND_EVENT_KIND_PROCESSING,
        E.REFUND_EVENT_KIND_REFUNDED,
    ]
    assert [r.refund_open for r in paid] == [True, True, True, False]
    assert [r.sequence for r in paid] == [1, 2, 3, 4]
    assert [r.actor_role for r in paid] == [
        case_pb2.ACTOR_ROLE_CUSTOMER,
        case_pb2.ACTOR_ROLE_SYSTEM,
        case_pb2.ACTOR_ROLE_SYSTEM,
        case_pb2.ACTOR_ROLE_SYSTEM,
    ]
    first = paid[0]
    assert (first.refund_number, first.amount_minor, first.currency_code, first.actor_id) == (
        "R-2001",
        1169,
        "EUR",
        "cus_1001",
    )
    assert first.refund.startswith("refunds/")
    assert first.occur_time.ToDatetime(tzinfo=UTC) <= datetime.now(UTC)
    rejected = [r for r in support.servicer.received if r.parent == "cases/C-2"]
    assert [(r.kind, r.note, r.actor_id, r.actor_role) for r in rejected][-1] == (
        E.REFUND_EVENT_KIND_REJECTED,
        "used",
        "agt_2001",
        case_pb2.ACTOR_ROLE_AGENT,
    )
    assert (await running.app.outbox_stats()).backlog == 0


async def test_events_wait_while_support_is_down_and_all_arrive_when_it_is_back(
    tmp_path: Path, shop_address: str, support: SupportStandIn
) -> None:
    # Creates ask support about their case: here the cases were checked before support went down
    # (the gateway remembers them), as when support stops while customers are mid-request.
    settings = refund_settings(tmp_path / "refund.db", shop_address, support_addr=support.address)
    running = await start_refunds(settings, cases=None)
    try:
        await _events_wait_and_arrive(running, support)
    finally:
        await stop_refunds(running)


async def _events_wait_and_arrive(running: RunningRefunds, support: SupportStandIn) -> None:
    gateway = running.app.cases
    assert await gateway.find_case("cases/C-1")
    assert await gateway.find_case("cases/C-2")
    await support.stop()
    await make_refunds(running)
    await asyncio.sleep(0.3)  # the relay tries, fails and backs off meanwhile

    waiting = await running.app.outbox_stats()
    assert support.servicer.received == []
    assert waiting.backlog == 6
    assert not any(r.delivered for r in await outbox_rows(running.app.database.path))

    await support.start()  # on the same port
    await eventually(lambda: all_delivered(running))

    rows = await outbox_rows(running.app.database.path)
    cases = {r.event_id: r.case_name for r in rows}
    assert set(support.servicer.event_ids()) == set(cases)
    assert per_case(support.servicer.event_ids(), cases) == per_case([r.event_id for r in rows], cases)
    assert (await running.app.outbox_stats()).backlog == 0


async def test_an_unknown_case_becomes_a_dead_letter_and_is_not_retried(
    running: RunningRefunds, support: SupportStandIn
) -> None:
    support.servicer.unknown_cases = {"cases/C-2"}
    await make_refunds(running)

    async def settled() -> bool:
        stats = await running.app.outbox_stats()
        return stats.backlog == 0 and stats.dead_letters == 2

    await eventually(settled)
    await asyncio.sleep(0.3)

    assert len(support.servicer.refused) == 2  # each refused once, never again
    dead = [r for r in await outbox_rows(running.app.database.path) if r.dead_reason]
    assert {r.case_name for r in dead} == {"cases/C-2"}
    assert all("NOT_FOUND" in (r.dead_reason or "") for r in dead)
    assert {r.parent for r in support.servicer.received} == {"cases/C-1"}


async def test_shutdown_finishes_the_delivery_in_flight_and_stores_its_position(
    tmp_path: Path, shop_address: str, support: SupportStandIn
) -> None:
    settings = refund_settings(tmp_path / "refund.db", shop_address, support_addr=support.address)
    running = await start_refunds(settings, cases=None)
    support.servicer.gate = asyncio.Event()
    async with running.channel() as channel:
        await Stub(channel).CreateRefund(
            create_request(lines=(("ln_1", 1),), case="cases/C-1"), metadata=auth(ANA)
        )
    await asyncio.wait_for(support.servicer.arrived.wait(), 5)

    # As on SIGTERM (kit.grpc_server.run_until_signalled): stop serving, then shut down.
    await running.app.server.stop()
    shutting_down = asyncio.ensure_future(running.app.shutdown())
    await asyncio.sleep(0.05)
    assert not shutting_down.done()  # waiting for the delivery in flight
    support.servicer.gate.set()
    await asyncio.wait_for(shutting_down, 5)

    rows = await outbox_rows(tmp_path / "refund.db")
    assert [(r.kind, r.delivered) for r in rows] == [("REQUESTED", True)]
    assert support.servicer.event_ids() == [rows[0].event_id]


# --- the adapter alone ----------------------------------------------------------------------------


def event(case: str = "cases/C-1") -> RefundEvent:
    return RefundEvent(
        event_id="e1",
        refund_id="r1",
        refund_number="R-2001",
        case_name=case,
        kind=RefundEventKind.FAILED,
        amount=Money(1169, "EUR"),
        actor_id="system",
        actor_role=ActorRole.SYSTEM,
        note="The card has expired",
        occurred_at=datetime(2026, 3, 15, 12, 0, tzinfo=UTC),
        refund_open=False,
        sequence=4,
    )


async def test_the_adapter_sends_the_event_and_tells_a_repeat(support: SupportStandIn) -> None:
    gateway = GrpcSupportGateway(support.address, identity_secret=SECRET)
    await gateway.open()
    try:
        first = await gateway.record_refund_event(event())
        again = await gateway.record_refund_event(event())
    finally:
        await gateway.close()

    assert (first, again) == (True, False)
    sent = support.servicer.received[0]
    assert (sent.parent, sent.event_id, sent.refund, sent.kind, sent.note, sent.refund_open) == (
        "cases/C-1",
        "e1",
        "refunds/r1",
        E.REFUND_EVENT_KIND_FAILED,
        "The card has expired",
        False,
    )
    assert (sent.sequence, sent.actor_role) == (4, case_pb2.ACTOR_ROLE_SYSTEM)


async def test_the_adapter_sorts_failures_for_the_relay(support: SupportStandIn) -> None:
    support.servicer.unknown_cases = {"cases/gone"}
    wrong_secret = GrpcSupportGateway(
        support.address, identity_secret="another-secret-long-enough-0123456789"
    )
    nobody = GrpcSupportGateway("127.0.0.1:1", identity_secret=SECRET, deadline_s=0.5)
    right = GrpcSupportGateway(support.address, identity_secret=SECRET)
    for gateway in (wrong_secret, nobody, right):
        await gateway.open()
    try:
        with pytest.raises(EventRejectedError, match="NOT_FOUND"):
            await right.record_refund_event(event("cases/gone"))
        with pytest.raises(SupportUnavailableError, match="UNAUTHENTICATED"):
            await wrong_secret.record_refund_event(event())
        with pytest.raises(SupportUnavailableError, match="UNAVAILABLE"):
            await nobody.record_refund_event(event())
    finally:
        for gateway in (wrong_secret, nobody, right):
            await gateway.close()


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (grpc.StatusCode.INTERNAL, EventDeliveryError),  # this event, this time: retried later
        (grpc.StatusCode.FAILED_PRECONDITION, EventDeliveryError),
        (grpc.StatusCode.UNIMPLEMENTED, SupportUnavailableError),  # support not deployed yet: wait
        (grpc.StatusCode.INVALID_ARGUMENT, EventRejectedError),  # never acceptable: a dead letter
    ],
)
async def test_other_codes_are_sorted_too(
    support: SupportStandIn, code: grpc.StatusCode, error: type[Exception]
) -> None:
    support.servicer.fail_with = code
    gateway = GrpcSupportGateway(support.address, identity_secret=SECRET)
    await gateway.open()
    try:
        with pytest.raises(error, match=code.name):
            await gateway.record_refund_event(event())
    finally:
        await gateway.close()


async def test_the_adapter_finds_a_case_once_and_remembers_it(support: SupportStandIn) -> None:
    gateway = GrpcSupportGateway(support.address, identity_secret=SECRET, cache_size=1)
    await gateway.open()
    try:
        first = await gateway.find_case("cases/C-1")
        again = await gateway.find_case("cases/C-1")
        unknown = await gateway.find_case("cases/C-404")
        other = await gateway.find_case("cases/C-2")  # the cache holds one: C-1 goes
        await gateway.find_case("cases/C-1")
    finally:
        await gateway.close()

    assert first == again == CaseRef("cases/C-1", "cus_1001", "ord_1001")
    assert unknown is None
    assert other == CaseRef("cases/C-2", "cus_1001", "ord_1001")
    assert support.cases.asked == ["cases/C-1", "cases/C-404", "cases/C-2", "cases/C-1"]
    assert set(support.cases.callers) == {Identity("refund_svc", Role.SYSTEM)}


async def test_the_adapter_says_when_cases_cannot_be_checked(support: SupportStandIn) -> None:
    nobody = GrpcSupportGateway("127.0.0.1:1", identity_secret=SECRET, deadline_s=0.5)
    await nobody.open()
    try:
        with pytest.raises(CasesUnavailableError, match="cannot be checked"):
            await nobody.find_case("cases/C-1")
    finally:
        await nobody.close()
    with pytest.raises(RuntimeError, match="not open"):
        await nobody.find_case("cases/C-1")


async def test_refunds_are_created_only_on_their_orders_customers_case(
    running: RunningRefunds, support: SupportStandIn
) -> None:
    support.cases.add("cases/C-7", "cus_1002", "ord_1005")  # Ben's
    support.cases.add("cases/C-8", "cus_1001", "ord_1003")  # Ana's, about another order
    async with running.channel() as channel:
        stub = Stub(channel)
        for who in (ANA, SAM):
            bens = await rich_error(stub.CreateRefund(create_request(case="cases/C-7"), metadata=auth(who)))
            missing = await rich_error(
                stub.CreateRefund(create_request(case="cases/C-9"), metadata=auth(who))
            )
            other = await rich_error(stub.CreateRefund(create_request(case="cases/C-8"), metadata=auth(who)))
            assert (bens.code, bens.reason) == (grpc.StatusCode.NOT_FOUND, "CASE_NOT_FOUND")
            assert (missing.code, missing.reason) == (grpc.StatusCode.NOT_FOUND, "CASE_NOT_FOUND")
            assert (other.code, other.reason) == (
                grpc.StatusCode.FAILED_PRECONDITION,
                "CASE_IS_ABOUT_ANOTHER_ORDER",
            )
        await support.stop()
        down = await rich_error(stub.CreateRefund(create_request(case="cases/C-1"), metadata=auth(ANA)))
        assert (down.code, down.reason) == (grpc.StatusCode.UNAVAILABLE, "CASES_UNAVAILABLE")
    assert await outbox_rows(running.app.database.path) == []


async def test_an_unopened_adapter_says_so() -> None:
    with pytest.raises(RuntimeError, match="not open"):
        await GrpcSupportGateway("127.0.0.1:1", identity_secret=SECRET).record_refund_event(event())


async def test_the_adapter_carries_the_trace_into_support(support: SupportStandIn) -> None:
    gateway = GrpcSupportGateway(support.address, identity_secret=SECRET)
    await gateway.open()
    try:
        with recorded_spans() as spans:
            with tracing.span("use case"):
                await gateway.find_case("cases/C-1")
                await gateway.record_refund_event(event())
            finished = spans.get_finished_spans()
    finally:
        await gateway.close()

    use_case = one_span(finished, "use case", SpanKind.INTERNAL)
    for client_name, server_name in [
        ("acme.support.v1.GetCase", "/acme.support.v1.CaseService/GetCase"),
        ("acme.support.v1.RecordRefundEvent", "/acme.support.v1.RefundEventService/RecordRefundEvent"),
    ]:
        client = one_span(finished, client_name, SpanKind.CLIENT)
        assert_child_of(client, use_case)
        assert_child_of(one_span(finished, server_name, SpanKind.SERVER), client)
