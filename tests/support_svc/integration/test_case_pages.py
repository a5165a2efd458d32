"""GetCase answers kept until their case changes (application/case_pages.py), on the real server:
every kind of change shows at once, the caller's rights are checked on every read, and "in breach"
follows the clock."""

from __future__ import annotations

from acme.support.v1 import case_pb2, case_service_pb2
from acme.support.v1 import refund_event_service_pb2 as events_pb2
from prometheus_client import REGISTRY

from tests.support_svc.integration.harness import (
    ANA,
    BEN,
    SAM,
    SupportHarness,
    get_full,
    open_case,
    refund_event,
    reply,
    rich_error,
    update_request,
)


def reads(outcome: str) -> float:
    return REGISTRY.get_sample_value("support_case_page_reads_total", {"outcome": outcome}) or 0.0


async def test_a_repeated_read_is_answered_from_the_kept_page(support: SupportHarness) -> None:
    case = await open_case(support)
    kept_before, read_before = reads("kept"), reads("read")

    first = await get_full(support, ANA, case.name)
    again = await get_full(support, ANA, case.name)

    assert again == first
    assert (reads("read") - read_before, reads("kept") - kept_before) == (1, 1)


async def test_every_change_shows_in_the_next_read(support: SupportHarness) -> None:
    case = await open_case(support)
    await get_full(support, ANA, case.name)  # kept
    await get_full(support, SAM, case.name)

    await reply(support, ANA, case, "Any news?")
    assert [m.body for m in (await get_full(support, ANA, case.name)).messages][-1] == "Any news?"

    current = (await get_full(support, SAM, case.name)).case
    await support.as_(SAM).UpdateCase(update_request(current, priority=case_pb2.CASE_PRIORITY_HIGH))
    assert (await get_full(support, ANA, case.name)).case.priority == case_pb2.CASE_PRIORITY_HIGH

    await support.relay().RecordRefundEvent(
        refund_event(case, events_pb2.REFUND_EVENT_KIND_REQUESTED, "ev-1")
    )
    after_refund = await get_full(support, ANA, case.name)
    assert after_refund.case.open_refund_count == 1
    assert any("R-2001" in e.summary for e in after_refund.events)


async def test_another_customer_is_not_shown_a_kept_page(support: SupportHarness) -> None:
    case = await open_case(support)  # Ana's
    await get_full(support, ANA, case.name)  # kept for customers

    error = await rich_error(get_full(support, BEN, case.name))

    assert error.reason == "CASE_NOT_FOUND"


async def test_internal_notes_kept_for_staff_never_reach_a_customer(support: SupportHarness) -> None:
    case = await open_case(support)
    await reply(support, SAM, case, "Customer seems upset", internal=True)
    staff_page = await get_full(support, SAM, case.name)  # kept for staff, with the note
    assert any(m.internal for m in staff_page.messages)

    customer_page = await get_full(support, ANA, case.name)

    assert [m.body for m in customer_page.messages if m.internal] == []
    assert all(not e.internal for e in customer_page.events)


async def test_a_kept_page_turns_breached_when_the_breach_time_passes(support: SupportHarness) -> None:
    case = await open_case(support, SAM, priority=case_pb2.CASE_PRIORITY_URGENT)  # first response in 1 h
    basic = case_service_pb2.GetCaseRequest(name=case.name)
    assert not (await support.as_(SAM).GetCase(basic)).case.sla_breached  # kept

    support.clock.advance(hours=1, seconds=1)

    assert (await support.as_(SAM).GetCase(basic)).case.sla_breached
