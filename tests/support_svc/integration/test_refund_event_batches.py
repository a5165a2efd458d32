"""BatchRecordRefundEvents end to end: a real server and SQLite file, called as refund_svc's relay
calls it; the same rules as RecordRefundEvent, in one transaction for the whole batch."""

from typing import Any

import grpc
import pytest
from acme.support.v1 import case_pb2
from acme.support.v1 import refund_event_service_pb2 as events_pb2

from tests.support_svc.integration.harness import (
    ANA,
    BEN,
    LEE,
    SAM,
    SupportHarness,
    get_full,
    open_case,
    refund_event,
    rich_error,
)
from tests.support_svc.integration.test_refund_events import record, working_case
from tests.support_svc.integration.test_watch import read
from tests.support_svc.integration.test_watch_cases import etag_now, live

REQUESTED = events_pb2.REFUND_EVENT_KIND_REQUESTED
APPROVED = events_pb2.REFUND_EVENT_KIND_APPROVED
PROCESSING = events_pb2.REFUND_EVENT_KIND_PROCESSING
REFUNDED = events_pb2.REFUND_EVENT_KIND_REFUNDED
REFUND_EVENT = case_pb2.CASE_EVENT_KIND_REFUND_EVENT
STATUS_CHANGED = case_pb2.CASE_EVENT_KIND_STATUS_CHANGED


async def batch(support: SupportHarness, *requests: events_pb2.RecordRefundEventRequest) -> list[bool]:
    reply = await support.relay().BatchRecordRefundEvents(
        events_pb2.BatchRecordRefundEventsRequest(requests=list(requests))
    )
    return [r.applied for r in reply.responses]


def paid_refund(case: Any, prefix: str = "a") -> list[events_pb2.RecordRefundEventRequest]:
    """A small refund's four events, as the relay finds them in the outbox."""
    return [
        refund_event(case, kind, f"{prefix}-{n}", seconds=n, sequence=n)
        for n, kind in enumerate((REQUESTED, APPROVED, PROCESSING, REFUNDED), start=1)
    ]


def another_open_refund(case: Any, prefix: str) -> events_pb2.RecordRefundEventRequest:
    """Asked for before the first one was paid: it keeps the case from resolving by rule."""
    return refund_event(case, REQUESTED, f"{prefix}-b", refund="refunds/rf_2", number="R-2002")


def timeline(full: Any) -> list[tuple[int, str, dict[str, str]]]:
    return [(e.kind, e.summary, dict(e.details)) for e in full.events]


def refund_state(full: Any) -> tuple[int, int, list[tuple[int, str, dict[str, str]]]]:
    return (full.case.status, full.case.open_refund_count, timeline(full))


@pytest.mark.parametrize(
    "more",
    [[], [another_open_refund]],
    ids=["paid: resolved by rule", "paid, another still open"],
)
async def test_events_of_one_case_leave_it_as_one_by_one_calls_would(
    support: SupportHarness, more: list[Any]
) -> None:
    one_by_one = await working_case(support)
    batched = await working_case(support)
    for request in [make(one_by_one, "x") for make in more] + paid_refund(one_by_one, "x"):
        assert await record(support, request) is True

    requests = [make(batched, "y") for make in more] + paid_refund(batched, "y")
    assert await batch(support, *requests) == [True] * len(requests)

    expected = await get_full(support, SAM, one_by_one.name)
    got = await get_full(support, SAM, batched.name)
    assert refund_state(got) == refund_state(expected)
    assert [e.kind for e in got.events].count(REFUND_EVENT) == len(requests)
    # One transaction, one save of the case: its etag moved once, and is what GetCase says now.
    assert int(got.case.etag) == int(batched.etag) + 1
    assert got.case.etag == await etag_now(support, batched.name)
    if more:
        assert (got.case.status, got.case.open_refund_count) == (case_pb2.CASE_STATUS_IN_PROGRESS, 1)
    else:
        assert (got.case.status, got.case.open_refund_count) == (case_pb2.CASE_STATUS_RESOLVED, 0)


async def test_an_event_of_a_missing_case_fails_the_whole_batch_and_changes_nothing(
    support: SupportHarness,
) -> None:
    case = await working_case(support)
    other = await working_case(support)
    missing = case_pb2.Case(name="cases/424242")
    requests = [
        refund_event(case, REQUESTED, "a-1"),
        refund_event(other, REQUESTED, "c-1", refund="refunds/rf_3"),
        refund_event(missing, REQUESTED, "m-1", refund="refunds/rf_9"),
    ]

    error = await rich_error(
        support.relay().BatchRecordRefundEvents(events_pb2.BatchRecordRefundEventsRequest(requests=requests))
    )

    assert (error.code, error.reason) == (grpc.StatusCode.NOT_FOUND, "CASE_NOT_FOUND")
    assert error.metadata["case_id"] == "424242"  # names the case
    for unchanged in (case, other):
        full = await get_full(support, SAM, unchanged.name)
        assert (full.case.etag, full.case.open_refund_count) == (unchanged.etag, 0)
        assert REFUND_EVENT not in [e.kind for e in full.events]
    # Nothing of it reached the inbox either: the good events are applied when sent again.
    assert await batch(support, *requests[:2]) == [True, True]


async def test_duplicates_within_a_batch_and_across_calls_are_applied_once(support: SupportHarness) -> None:
    case = await working_case(support)
    first, second, third = paid_refund(case)[:3]

    assert await batch(support, first, first, second) == [True, False, True]
    assert await record(support, second) is False  # a single call after the batch
    assert await record(support, third) is True
    assert await batch(support, third, first, second) == [False, False, False]  # a batch after

    full = await get_full(support, SAM, case.name)
    summaries = [e.summary for e in full.events if e.kind == REFUND_EVENT]
    assert summaries == [
        "Refund R-2001 of €35.08 was requested",
        "Refund R-2001 of €35.08 was approved",
        "Refund R-2001 of €35.08 is being paid back",
    ]
    assert int(full.case.etag) == int(case.etag) + 2  # the batch, then the one single call that applied


@pytest.mark.parametrize("who", [ANA, SAM, LEE], ids=["customer", "agent", "lead"])
async def test_only_the_system_role_may_record_a_batch(support: SupportHarness, who: Any) -> None:
    case = await open_case(support)
    for request in (
        events_pb2.BatchRecordRefundEventsRequest(requests=[refund_event(case, REQUESTED, "ev-1")]),
        events_pb2.BatchRecordRefundEventsRequest(),  # malformed too: who may call is checked first
    ):
        error = await rich_error(support.relay(who).BatchRecordRefundEvents(request))
        assert (error.code, error.reason) == (grpc.StatusCode.PERMISSION_DENIED, "SYSTEM_ONLY")
    assert (await get_full(support, SAM, case.name)).case.etag == case.etag


async def test_a_malformed_batch_is_invalid_naming_each_item_and_changes_nothing(
    support: SupportHarness,
) -> None:
    case = await open_case(support)
    requests = [
        refund_event(case, REQUESTED, "ok-1"),
        refund_event(case, APPROVED, "ok-2", currency_code="eu"),
        refund_event(case, APPROVED, "", refund="rf_1"),
    ]

    error = await rich_error(
        support.relay().BatchRecordRefundEvents(events_pb2.BatchRecordRefundEventsRequest(requests=requests))
    )

    assert (error.code, error.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    assert [v.field for v in error.field_violations] == [
        "requests[1].currency_code",
        "requests[2].event_id",
        "requests[2].refund",
    ]
    assert (await get_full(support, SAM, case.name)).case.etag == case.etag
    for size in (0, 101):
        many = [refund_event(case, REQUESTED, f"ev-{n}") for n in range(size)]
        error = await rich_error(
            support.relay().BatchRecordRefundEvents(events_pb2.BatchRecordRefundEventsRequest(requests=many))
        )
        assert (error.code, [v.field for v in error.field_violations]) == (
            grpc.StatusCode.INVALID_ARGUMENT,
            ["requests"],
        ), size
    hundred = [refund_event(case, REQUESTED, f"ev-{n}") for n in range(100)]
    assert await batch(support, *hundred) == [True] * 100


async def test_watchers_hear_of_every_case_the_batch_changed(support: SupportHarness) -> None:
    ana_case = await working_case(support)
    ben_case = await open_case(support, BEN, order_id="ord_2001")
    every_case = await live(support)
    one_case = support.watch(ANA, ana_case.name)
    assert (await read(one_case)).initial

    await batch(
        support,
        *paid_refund(ana_case),
        refund_event(ben_case, REQUESTED, "b-1", refund="refunds/rf_2", number="R-2002"),
    )

    told = {}
    for _ in range(2):
        notice = await read(every_case)
        told[notice.name] = (notice.etag, notice.customer_id)
    assert told == {
        ana_case.name: (await etag_now(support, ana_case.name), ANA.subject),
        ben_case.name: (await etag_now(support, ben_case.name), BEN.subject),
    }
    heard = await read(one_case)
    assert (heard.etag, list(heard.kinds), heard.internal) == (
        await etag_now(support, ana_case.name),
        [REFUND_EVENT, STATUS_CHANGED],  # the entries, and the resolution by rule
        False,
    )
    every_case.cancel()
    one_case.cancel()
