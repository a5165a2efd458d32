"""The outbox relay with fakes: at least once, in order per case, patient with a support outage."""

from __future__ import annotations

import asyncio

import pytest

from refund_svc.application.commands import CreateRefundCommand, RejectRefundCommand
from refund_svc.application.ports import OutboxStats
from refund_svc.domain.actor import Actor, ActorRole
from refund_svc.domain.events import RefundEventKind
from refund_svc.domain.refund import RefundMethod, RefundReason, RequestedLine
from tests.refund_svc.fakes import FakeSystem, make_order

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
