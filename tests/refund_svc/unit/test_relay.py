"""The outbox relay with fakes: at least once, in order per case, patient with a support outage, a
round's events in one call."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from refund_svc.application.commands import CreateRefundCommand, RejectRefundCommand
from refund_svc.application.ports import EVENTS_PER_BATCH_MAX, OutboxStats
from refund_svc.application.relay import OutboxRelay
from refund_svc.domain.actor import Actor, ActorRole
from refund_svc.domain.events import RefundEvent, RefundEventKind
from refund_svc.domain.refund import RefundMethod, RefundReason, RequestedLine
from tests.refund_svc.fakes import FakeSystem, OutboxRow, make_order

ANA = Actor("cus_1", ActorRole.CUSTOMER)
SAM = Actor("agt_2001", ActorRole.AGENT)
K = RefundEventKind


@pytest.fixture
def system() -> FakeSystem:
    return FakeSystem(make_order("ord_1", "cus_1"), make_order("ord_2", "cus_1"))


async def create(system: FakeSystem, case: str, order_id: str = "ord_1", line: str = "ln_1") -> str:
    refund = await system.use_cases.create_refund.execute(
        ANA,
        CreateRefundCommand(
            request_id=f"{case}-{order_id}-{line}",
            case_name=case,
            order_id=order_id,
            lines=(RequestedLine(line, 1),),
            reason=RefundReason.DAMAGED,
            method=RefundMethod.ORIGINAL_PAYMENT,
        ),
    )
    return refund.refund_id


def seen(system: FakeSystem) -> list[tuple[str, RefundEventKind]]:
    return [(e.case_name, e.kind) for e in system.support.received]


async def test_events_are_delivered_in_outbox_order_and_marked(system: FakeSystem) -> None:
    first = await create(system, "cases/a")  # pending
    await system.use_cases.reject_refund.execute(SAM, RejectRefundCommand(first, "used"))
    await create(system, "cases/b", line="ln_2")  # approved by policy

    result = await system.relay.relay_once()

    assert (result.delivered, result.dead, result.failed, result.trouble) == (4, 0, 0, False)
    assert seen(system) == [
        ("cases/a", K.REQUESTED),
        ("cases/a", K.REJECTED),
        ("cases/b", K.REQUESTED),
        ("cases/b", K.APPROVED),
    ]
    assert [e.event_id for e in system.support.received] == [r.event.event_id for r in system.store.outbox]
    assert await system.relay.stats() == OutboxStats(backlog=0, dead_letters=0)
    assert (await system.relay.relay_once()).delivered == 0


async def test_a_round_marks_what_it_delivered_in_one_transaction(system: FakeSystem) -> None:
    for case, order, line in (
        ("cases/a", "ord_1", "ln_1"),
        ("cases/b", "ord_1", "ln_2"),
        ("cases/c", "ord_2", "ln_1"),
    ):
        await create(system, case, order_id=order, line=line)
    commits_before = system.store.commits

    result = await system.relay.relay_once()

    assert result.delivered == len(system.support.received) >= 3
    assert system.store.commits == commits_before + 1  # one commit (one wait for the disk), not one each
    assert await system.relay.stats() == OutboxStats(backlog=0, dead_letters=0)


async def test_what_was_delivered_before_support_went_down_is_marked(system: FakeSystem) -> None:
    await create(system, "cases/a")
    await create(system, "cases/b", order_id="ord_2")
    system.support.takes_batches = False  # one event at a time (an older support_svc)
    system.support.down_after = 1  # the first event goes through, then support is down

    result = await system.relay.relay_once()

    assert (result.delivered, result.support_down) == (1, True)
    assert await system.relay.stats() == OutboxStats(backlog=1, dead_letters=0)
    assert seen(system) == [("cases/a", K.REQUESTED)]


async def test_while_support_is_down_events_wait_and_nothing_is_marked(system: FakeSystem) -> None:
    await create(system, "cases/a")
    system.support.down = True

    result = await system.relay.relay_once()

    assert result.support_down
    assert result.trouble
    assert "UNAVAILABLE" in result.error
    assert await system.relay.stats() == OutboxStats(backlog=1, dead_letters=0)
    system.support.down = False
    assert (await system.relay.relay_once()).delivered == 1


async def test_an_unknown_case_is_a_dead_letter_and_the_others_go_on(system: FakeSystem) -> None:
    await create(system, "cases/gone")
    await create(system, "cases/b", order_id="ord_2")
    system.support.unknown_cases = {"cases/gone"}

    result = await system.relay.relay_once()

    assert (result.delivered, result.dead) == (1, 1)
    assert seen(system) == [("cases/b", K.REQUESTED)]
    assert await system.relay.stats() == OutboxStats(backlog=0, dead_letters=1)
    dead = next(row for row in system.store.outbox if row.dead_reason)
    assert "NOT_FOUND" in (dead.dead_reason or "")


async def test_a_failed_event_holds_back_its_case_only_and_is_retried(system: FakeSystem) -> None:
    held = await create(system, "cases/a")
    await system.use_cases.reject_refund.execute(SAM, RejectRefundCommand(held, "used"))
    await create(system, "cases/b", order_id="ord_2")
    system.support.failing_events = {system.events_of(held)[0].event_id}

    first = await system.relay.relay_once()
    system.support.failing_events = set()
    second = await system.relay.relay_once()

    assert (first.delivered, first.failed, second.delivered) == (1, 2, 2)
    assert seen(system) == [("cases/b", K.REQUESTED), ("cases/a", K.REQUESTED), ("cases/a", K.REJECTED)]


async def test_the_loop_backs_off_through_an_outage_and_delivers_when_support_is_back(
    system: FakeSystem,
) -> None:
    await create(system, "cases/a")
    system.support.down = True
    stop = asyncio.Event()
    loop = asyncio.create_task(system.relay.run(stop))

    await asyncio.sleep(0.05)
    assert system.support.received == []
    system.support.down = False
    for _ in range(200):
        if system.support.received:
            break
        await asyncio.sleep(0.005)
    stop.set()
    await asyncio.wait_for(loop, 5)

    assert seen(system) == [("cases/a", K.REQUESTED)]
    assert (await system.relay.stats()).backlog == 0


async def test_stopping_finishes_the_delivery_in_flight_and_records_it(system: FakeSystem) -> None:
    await create(system, "cases/a")
    await create(system, "cases/b", order_id="ord_2")
    system.support.takes_batches = False  # one event at a time (an older support_svc)
    system.support.gate = asyncio.Event()
    stop = asyncio.Event()
    loop = asyncio.create_task(system.relay.run(stop))
    await asyncio.sleep(0.01)

    stop.set()
    system.support.gate.set()
    await asyncio.wait_for(loop, 5)

    # The event in flight was delivered and marked; the next one waits for the next start.
    assert seen(system) == [("cases/a", K.REQUESTED)]
    assert (await system.relay.stats()).backlog == 1


async def test_a_redelivered_event_is_seen_again_with_the_same_id(system: FakeSystem) -> None:
    await create(system, "cases/a")
    event = system.store.outbox[0].event

    assert await system.support.record_refund_event(event)  # delivered, but the mark was lost
    await system.relay.relay_once()

    assert [e.event_id for e in system.support.received] == [event.event_id, event.event_id]
    assert (await system.relay.stats()).backlog == 0


# --- batches: a round's events in one call ---------------------------------------------------------


def ids(events: list[RefundEvent]) -> tuple[str, ...]:
    return tuple(event.event_id for event in events)


async def three_cases(system: FakeSystem) -> None:
    """Six events on three cases, in the outbox: a (requested, rejected), b and c (requested, approved)."""
    await create(system, "cases/a")  # pending: REQUESTED
    await system.use_cases.reject_refund.execute(
        SAM, RejectRefundCommand(system.store.outbox[0].event.refund_id, "used")
    )
    await create(system, "cases/b", line="ln_2")  # approved by policy: REQUESTED, APPROVED
    await create(system, "cases/c", order_id="ord_2", line="ln_2")


async def test_a_rounds_events_go_to_support_in_one_call_in_outbox_order(system: FakeSystem) -> None:
    await three_cases(system)
    outbox = [row.event for row in system.store.outbox]
    commits_before = system.store.commits

    result = await system.relay.relay_once()

    assert (result.delivered, result.dead, result.failed) == (len(outbox), 0, 0)
    assert system.support.calls == [ids(outbox)]  # one call, the outbox's order
    assert system.store.commits == commits_before + 1
    assert await system.relay.stats() == OutboxStats(backlog=0, dead_letters=0)


async def test_a_round_larger_than_a_batch_goes_in_chunks_in_order(system: FakeSystem) -> None:
    await create(system, "cases/a")
    template = system.store.outbox[0].event
    for n in range(2, EVENTS_PER_BATCH_MAX + 11):
        event = replace(template, event_id=f"ev-{n:03d}", sequence=n)
        system.store.outbox.append(OutboxRow(n, event))
    relay = OutboxRelay(
        reader=system.reader,
        unit_of_work=system.unit_of_work,
        support=system.support,
        clock=system.clock,
        batch_size=EVENTS_PER_BATCH_MAX + 20,
        gather_s=0,
    )

    result = await relay.relay_once()

    everything = ids([row.event for row in system.store.outbox])
    assert result.delivered == len(everything) == EVENTS_PER_BATCH_MAX + 10
    assert system.support.calls == [everything[:EVENTS_PER_BATCH_MAX], everything[EVENTS_PER_BATCH_MAX:]]
    assert await relay.stats() == OutboxStats(backlog=0, dead_letters=0)


async def test_a_refused_event_in_a_batch_becomes_a_dead_letter_and_the_others_go_through(
    system: FakeSystem,
) -> None:
    await three_cases(system)
    outbox = [row.event for row in system.store.outbox]
    system.support.unknown_cases = {"cases/b"}

    result = await system.relay.relay_once()

    assert (result.delivered, result.dead, result.failed, result.trouble) == (4, 2, 0, False)
    # The batch (refused whole), then one at a time: the others in order, b's refused each once.
    assert system.support.calls == [ids(outbox), *((event.event_id,) for event in outbox)]
    assert seen(system) == [
        ("cases/a", K.REQUESTED),
        ("cases/a", K.REJECTED),
        ("cases/c", K.REQUESTED),
        ("cases/c", K.APPROVED),
    ]
    assert await system.relay.stats() == OutboxStats(backlog=0, dead_letters=2)
    dead = [row for row in system.store.outbox if row.dead_reason]
    assert {row.event.case_name for row in dead} == {"cases/b"}
    assert all("NOT_FOUND" in (row.dead_reason or "") for row in dead)
    # The next round is a batch again (and has nothing left to send).
    await create(system, "cases/d", order_id="ord_2", line="ln_1")
    calls_before = len(system.support.calls)
    assert (await system.relay.relay_once()).delivered == 1
    assert system.support.batch_calls == 2
    assert len(system.support.calls) == calls_before + 1


async def test_a_batch_that_failed_for_now_holds_back_only_its_events_case(system: FakeSystem) -> None:
    await three_cases(system)
    b_first = next(row.event for row in system.store.outbox if row.event.case_name == "cases/b")
    system.support.failing_events = {b_first.event_id}

    result = await system.relay.relay_once()

    assert (result.delivered, result.dead, result.failed, result.trouble) == (4, 0, 2, True)
    assert [case for case, _ in seen(system)] == ["cases/a", "cases/a", "cases/c", "cases/c"]  # b waits
    system.support.failing_events = set()
    assert (await system.relay.relay_once()).delivered == 2
    assert seen(system)[4:] == [("cases/b", K.REQUESTED), ("cases/b", K.APPROVED)]  # in order


async def test_while_support_is_down_a_batch_waits_and_nothing_is_marked(system: FakeSystem) -> None:
    await three_cases(system)
    system.support.down = True

    result = await system.relay.relay_once()

    assert (result.support_down, result.delivered, result.failed) == (True, 0, 6)
    assert "UNAVAILABLE" in result.error
    assert len(system.support.calls) == 1  # no event by event when nothing can be delivered
    assert system.support.received == []
    assert not any(row.delivered_at for row in system.store.outbox)
    assert await system.relay.stats() == OutboxStats(backlog=6, dead_letters=0)


async def test_an_older_support_gets_one_event_at_a_time_then_batches_are_tried_again(
    system: FakeSystem,
) -> None:
    await create(system, "cases/a", line="ln_2")  # REQUESTED, APPROVED
    system.support.takes_batches = False

    first = await system.relay.relay_once()

    requested, approved = ids([row.event for row in system.store.outbox])
    assert (first.delivered, first.trouble) == (2, False)
    assert system.support.calls == [(requested, approved), (requested,), (approved,)]
    # Remembered: the next rounds do not ask for batches again, for a while.
    await create(system, "cases/b", order_id="ord_2")
    await system.relay.relay_once()
    assert system.support.batch_calls == 1
    assert len(system.support.received) == 3
    # Later (an upgraded support), batches again.
    system.support.takes_batches = True
    system.clock.current += timedelta(minutes=5)
    await create(system, "cases/c", order_id="ord_2", line="ln_2")
    await system.relay.relay_once()
    assert system.support.batch_calls == 2
    assert len(system.support.calls[-1]) == 2


async def test_stopping_finishes_the_batch_in_flight_and_records_it(system: FakeSystem) -> None:
    await three_cases(system)
    system.support.gate = asyncio.Event()
    stop = asyncio.Event()
    loop = asyncio.create_task(system.relay.run(stop))
    await asyncio.sleep(0.01)

    stop.set()
    system.support.gate.set()
    await asyncio.wait_for(loop, 5)

    assert len(system.support.calls) == 1
    assert await system.relay.stats() == OutboxStats(backlog=0, dead_letters=0)


async def relay_woken_by_commits(system: FakeSystem, gather_s: float) -> list[tuple[str, ...]]:
    """Two refunds committed a moment apart (once the first reached support, at most 50 ms), each
    waking the relay; the calls support got."""
    wake = asyncio.Event()
    relay = OutboxRelay(
        reader=system.reader,
        unit_of_work=system.unit_of_work,
        support=system.support,
        clock=system.clock,
        poll_s=10,  # only a commit wakes it within the test
        gather_s=gather_s,
        wake=wake,
    )
    stop = asyncio.Event()
    loop = asyncio.create_task(relay.run(stop))
    await asyncio.sleep(0.01)  # its first round found nothing: it waits to be woken
    await create(system, "cases/a")
    wake.set()
    for _ in range(10):
        if system.support.received:
            break
        await asyncio.sleep(0.005)
    await create(system, "cases/b", order_id="ord_2")
    wake.set()
    for _ in range(200):
        if len(system.support.received) == 2:
            break
        await asyncio.sleep(0.005)
    stop.set()
    await asyncio.wait_for(loop, 5)
    assert len(system.support.received) == 2
    return system.support.calls


async def test_woken_by_a_commit_the_relay_gathers_what_commits_a_moment_later() -> None:
    gathered = FakeSystem(make_order("ord_1", "cus_1"), make_order("ord_2", "cus_1"))
    assert [len(call) for call in await relay_woken_by_commits(gathered, gather_s=0.3)] == [2]
    at_once = FakeSystem(make_order("ord_1", "cus_1"), make_order("ord_2", "cus_1"))
    assert [len(call) for call in await relay_woken_by_commits(at_once, gather_s=0)] == [1, 1]
