"""RefundEventService end to end: a real server and SQLite file, called as refund_svc's relay would."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
from acme.support.v1 import case_pb2, case_service_pb2
from acme.support.v1 import refund_event_service_pb2 as events_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc

from support_svc.server import create_server
from tests.support_svc.fakes import FixedClock
from tests.support_svc.integration.harness import (
    ANA,
    BEN,
    LEE,
    SAM,
    FakeOrderService,
    SupportHarness,
    get_full,
    open_case,
    refund_event,
    reply,
    rich_error,
    support_settings,
    update_request,
)
from tests.support_svc.integration.test_api import GRPCURL

REQUESTED = events_pb2.REFUND_EVENT_KIND_REQUESTED
APPROVED = events_pb2.REFUND_EVENT_KIND_APPROVED
PROCESSING = events_pb2.REFUND_EVENT_KIND_PROCESSING
REFUNDED = events_pb2.REFUND_EVENT_KIND_REFUNDED
REJECTED = events_pb2.REFUND_EVENT_KIND_REJECTED


async def record(support: SupportHarness, request: events_pb2.RecordRefundEventRequest) -> bool:
    reply_ = await support.relay().RecordRefundEvent(request)
    return bool(reply_.applied)


async def working_case(support: SupportHarness) -> case_pb2.Case:
    """A case an agent has answered (IN_PROGRESS)."""
    case = await open_case(support)
    answered: case_pb2.Case = (await reply(support, SAM, case, "We are looking into it")).case
    return answered


async def test_health_and_reflection_list_the_refund_event_service(support: SupportHarness) -> None:
    status = await health_pb2_grpc.HealthStub(support.channel).Check(
        health_pb2.HealthCheckRequest(service="acme.support.v1.RefundEventService")
    )
    assert status.status == health_pb2.HealthCheckResponse.SERVING
    process = await asyncio.create_subprocess_exec(
        str(GRPCURL), "-plaintext", support.address, "list", stdout=asyncio.subprocess.PIPE
    )
    out, _ = await asyncio.wait_for(process.communicate(), 10)
    assert {"acme.support.v1.CaseService", "acme.support.v1.RefundEventService"} <= set(out.decode().split())


@pytest.mark.parametrize("who", [ANA, SAM, LEE], ids=["customer", "agent", "lead"])
async def test_only_the_system_role_may_record_refund_events(support: SupportHarness, who: object) -> None:
    case = await open_case(support)
    for request in (refund_event(case, REQUESTED, "ev-1"), events_pb2.RecordRefundEventRequest()):
        error = await rich_error(support.relay(who).RecordRefundEvent(request))  # type: ignore[arg-type]
        assert (error.code, error.reason) == (grpc.StatusCode.PERMISSION_DENIED, "SYSTEM_ONLY")
    assert (await get_full(support, SAM, case.name)).case.etag == case.etag


async def test_without_a_token_the_relay_is_unauthenticated(support: SupportHarness) -> None:
    case = await open_case(support)
    error = await rich_error(support.relay(None).RecordRefundEvent(refund_event(case, REQUESTED, "ev-1")))
    assert error.code == grpc.StatusCode.UNAUTHENTICATED


async def test_a_malformed_event_is_invalid_naming_the_fields(support: SupportHarness) -> None:
    case = await open_case(support)
    request = refund_event(
        case, events_pb2.REFUND_EVENT_KIND_UNSPECIFIED, "", refund="rf_1", currency_code="eu"
    )
    error = await rich_error(support.relay().RecordRefundEvent(request))
    assert (error.code, error.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    assert [v.field for v in error.field_violations] == ["event_id", "refund", "kind", "currency_code"]
    assert (await get_full(support, SAM, case.name)).case.etag == case.etag


async def test_an_event_for_an_unknown_case_is_not_found(support: SupportHarness) -> None:
    case = case_pb2.Case(name="cases/424242")
    error = await rich_error(support.relay().RecordRefundEvent(refund_event(case, REQUESTED, "ev-1")))
    assert (error.code, error.reason) == (grpc.StatusCode.NOT_FOUND, "CASE_NOT_FOUND")


async def test_an_event_is_applied_once_and_a_repeat_changes_nothing(support: SupportHarness) -> None:
    case = await working_case(support)
    assert await record(support, refund_event(case, REQUESTED, "ev-1")) is True
    after = await get_full(support, SAM, case.name)
    assert int(after.case.etag) == int(case.etag) + 1  # the UI sees the case changed
    assert after.case.open_refund_count == 1
    assert await record(support, refund_event(case, REQUESTED, "ev-1")) is False
    again = await get_full(support, SAM, case.name)
    assert again == after


async def test_out_of_order_and_repeated_events_keep_the_count_right(support: SupportHarness) -> None:
    case = await working_case(support)
    arrivals = [
        (refund_event(case, PROCESSING, "a-3", seconds=3), 1),
        (refund_event(case, REQUESTED, "a-1", seconds=1), 1),  # older: the refund stays as PROCESSING left it
        (refund_event(case, REQUESTED, "b-1", refund="refunds/rf_2", number="R-2002", seconds=2), 2),
        (refund_event(case, REFUNDED, "a-4", seconds=4), 1),
        (refund_event(case, APPROVED, "a-2", seconds=2), 1),  # late: a paid refund never reopens
        (refund_event(case, PROCESSING, "a-3", seconds=3), 1),  # a repeat
        (
            refund_event(
                case, REJECTED, "b-2", refund="refunds/rf_2", number="R-2002", seconds=5, note="Used"
            ),
            0,
        ),
    ]
    for request, open_count in arrivals:
        await record(support, request)
        assert (await get_full(support, SAM, case.name)).case.open_refund_count == open_count
    full = await get_full(support, SAM, case.name)
    summaries = [e.summary for e in full.events if e.kind == case_pb2.CASE_EVENT_KIND_REFUND_EVENT]
    assert summaries == [
        "Refund R-2001 of €35.08 is being paid back",
        "Refund R-2001 of €35.08 was requested",
        "Refund R-2002 of €35.08 was requested",
        "Refund R-2001 of €35.08 was paid back",
        "Refund R-2001 of €35.08 was approved",
        "Refund R-2002 of €35.08 was rejected: Used",
    ]
    # R-2001 paid while R-2002 was still open: no resolution; R-2002 rejected: not a payout either.
    assert full.case.status == case_pb2.CASE_STATUS_IN_PROGRESS


async def test_concurrent_duplicates_apply_exactly_once(support: SupportHarness) -> None:
    case = await working_case(support)
    request = refund_event(case, REQUESTED, "same-event")
    results = await asyncio.gather(*(record(support, request) for _ in range(20)))
    assert sorted(results) == [False] * 19 + [True]
    full = await get_full(support, SAM, case.name)
    assert sum(e.kind == case_pb2.CASE_EVENT_KIND_REFUND_EVENT for e in full.events) == 1
    assert (full.case.open_refund_count, int(full.case.etag)) == (1, int(case.etag) + 1)


async def test_resolving_is_refused_while_a_refund_is_open_then_the_last_payout_resolves(
    support: SupportHarness,
) -> None:
    case = await working_case(support)
    await record(support, refund_event(case, REQUESTED, "a-1"))
    await record(support, refund_event(case, REQUESTED, "b-1", refund="refunds/rf_2", number="R-2002"))
    current = (await get_full(support, SAM, case.name)).case
    error = await rich_error(
        support.as_(SAM).ResolveCase(case_service_pb2.ResolveCaseRequest(name=case.name, etag=current.etag))
    )
    assert (error.code, error.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "REFUNDS_OPEN")
    assert [(v.type, v.subject) for v in error.precondition_violations] == [
        ("REFUNDS", "refunds/rf_1"),
        ("REFUNDS", "refunds/rf_2"),
    ]
    assert "R-2001" in error.precondition_violations[0].description

    await record(support, refund_event(case, REFUNDED, "a-2", seconds=10))
    assert (await get_full(support, SAM, case.name)).case.status == case_pb2.CASE_STATUS_IN_PROGRESS
    await record(
        support, refund_event(case, REFUNDED, "b-2", refund="refunds/rf_2", number="R-2002", seconds=11)
    )
    full = await get_full(support, ANA, case.name)
    assert (full.case.status, full.case.open_refund_count) == (case_pb2.CASE_STATUS_RESOLVED, 0)
    assert full.case.HasField("resolve_time")
    last = full.events[-1]
    assert (last.kind, last.summary, last.actor_role) == (
        case_pb2.CASE_EVENT_KIND_STATUS_CHANGED,
        "Resolved automatically: all refunds paid back",
        case_pb2.ACTOR_ROLE_SYSTEM,
    )


async def test_an_open_case_is_resolved_by_rule_too(support: SupportHarness) -> None:
    case = await open_case(support)
    await record(support, refund_event(case, REQUESTED, "a-1"))
    await record(support, refund_event(case, REFUNDED, "a-2", seconds=1))
    assert (await get_full(support, SAM, case.name)).case.status == case_pb2.CASE_STATUS_RESOLVED


async def test_customers_see_refund_entries_but_never_internal_ones(support: SupportHarness) -> None:
    case = await working_case(support)
    await reply(support, SAM, case, "Customer seems upset", internal=True)
    current = (await get_full(support, SAM, case.name)).case
    await support.as_(SAM).UpdateCase(update_request(current, priority=case_pb2.CASE_PRIORITY_HIGH))
    await record(support, refund_event(case, REQUESTED, "a-1", actor_id=ANA.subject))
    await record(support, refund_event(case, REJECTED, "a-2", seconds=1, note="Outside the 30-day window"))
    customer = await get_full(support, ANA, case.name)
    refund_entries = [e for e in customer.events if e.kind == case_pb2.CASE_EVENT_KIND_REFUND_EVENT]
    assert [(e.summary, e.internal, e.actor_role) for e in refund_entries] == [
        ("Refund R-2001 of €35.08 was requested", False, case_pb2.ACTOR_ROLE_CUSTOMER),
        (
            "Refund R-2001 of €35.08 was rejected: Outside the 30-day window",
            False,
            case_pb2.ACTOR_ROLE_SYSTEM,
        ),
    ]
    assert refund_entries[1].details["refund_number"] == "R-2001"
    assert not any(e.internal for e in customer.events)
    kinds = {e.kind for e in customer.events}
    assert case_pb2.CASE_EVENT_KIND_NOTE_ADDED not in kinds
    assert case_pb2.CASE_EVENT_KIND_PRIORITY_CHANGED not in kinds
    listed = await support.as_(ANA).ListCaseEvents(case_service_pb2.ListCaseEventsRequest(parent=case.name))
    assert list(listed.events) == list(customer.events)
    staff = await get_full(support, SAM, case.name)
    assert len(staff.events) == len(customer.events) + 2


async def test_another_customer_sees_nothing_of_it(support: SupportHarness) -> None:
    case = await open_case(support)
    await record(support, refund_event(case, REQUESTED, "a-1"))
    error = await rich_error(support.as_(BEN).GetCase(case_service_pb2.GetCaseRequest(name=case.name)))
    assert error.code == grpc.StatusCode.NOT_FOUND


# --- with the rule switched off -------------------------------------------------------------------


@pytest.fixture
async def no_rule(tmp_path: Path, shop: tuple[FakeOrderService, int]) -> AsyncIterator[SupportHarness]:
    settings = support_settings(tmp_path, shop[1], auto_resolve_on_refund=False)
    server, startup, shutdown = create_server(settings, clock=FixedClock())
    await server.start(startup)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        yield SupportHarness(server, channel, FixedClock(), shop[0])
    await server.stop()
    await shutdown()


async def test_with_auto_resolve_off_the_paid_case_waits_for_an_agent(no_rule: SupportHarness) -> None:
    case = await working_case(no_rule)
    await record(no_rule, refund_event(case, REQUESTED, "a-1"))
    await record(no_rule, refund_event(case, REFUNDED, "a-2", seconds=1))
    current = (await get_full(no_rule, SAM, case.name)).case
    assert (current.status, current.open_refund_count) == (case_pb2.CASE_STATUS_IN_PROGRESS, 0)
    resolved = await no_rule.as_(SAM).ResolveCase(
        case_service_pb2.ResolveCaseRequest(name=case.name, etag=current.etag)
    )
    assert resolved.case.status == case_pb2.CASE_STATUS_RESOLVED
