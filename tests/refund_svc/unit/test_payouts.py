"""Paying out approved refunds with fakes: one payout per refund, whatever happens around it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from refund_svc.application.commands import ApproveRefundCommand, CreateRefundCommand, RetryRefundCommand
from refund_svc.application.payouts import PayoutOutcome
from refund_svc.application.ports import PayoutRequest
from refund_svc.domain.actor import Actor, ActorRole
from refund_svc.domain.events import RefundEventKind
from refund_svc.domain.money import Money
from refund_svc.domain.refund import Refund, RefundMethod, RefundReason, RefundStatus, RequestedLine
from tests.refund_svc.fakes import FakeSystem, make_order

ANA = Actor("cus_1", ActorRole.CUSTOMER)
SAM = Actor("agt_2001", ActorRole.AGENT)
K = RefundEventKind


@pytest.fixture
def system() -> FakeSystem:
    return FakeSystem(make_order("ord_1", "cus_1"))


async def approved(system: FakeSystem, line: str = "ln_2") -> Refund:
    """ln_2 (11.69) is approved by policy at once; ln_1 (79.00) by an agent here."""
    refund = await system.use_cases.create_refund.execute(
        ANA,
        CreateRefundCommand(
            request_id=f"r-{line}",
            case_name="cases/c1",
            order_id="ord_1",
            lines=(RequestedLine(line, 1),),
            reason=RefundReason.DAMAGED,
            method=RefundMethod.ORIGINAL_PAYMENT,
        ),
    )
    if refund.status is RefundStatus.PENDING_APPROVAL:
        refund = await system.use_cases.approve_refund.execute(SAM, ApproveRefundCommand(refund.refund_id))
    return refund


def stored(system: FakeSystem, refund: Refund) -> Refund:
    return system.store.refunds[refund.refund_id]


def kinds(system: FakeSystem, refund: Refund) -> list[RefundEventKind]:
    return [event.kind for event in system.events_of(refund.refund_id)]


async def test_an_approved_refund_is_paid_once_with_its_id_as_the_key(system: FakeSystem) -> None:
    refund = await approved(system)

    outcome = await system.pay_out.execute(refund.refund_id)

    assert outcome is PayoutOutcome.REFUNDED
    assert system.gateway.calls == [
        PayoutRequest(
            idempotency_key=refund.refund_id,
            refund_number="R-2001",
            order_id="ord_1",
            customer_id="cus_1",
            amount=Money(1169, "EUR"),
            method=RefundMethod.ORIGINAL_PAYMENT,
        )
    ]
    paid = stored(system, refund)
    assert (paid.status, paid.payout_reference) == (RefundStatus.REFUNDED, "po_1")
    assert kinds(system, refund) == [K.REQUESTED, K.APPROVED, K.PROCESSING, K.REFUNDED]
    processing, refunded = system.events_of(refund.refund_id)[2:]
    assert (processing.actor_id, processing.refund_open) == ("system", True)
    assert (refunded.actor_id, refunded.refund_open) == ("system", False)
    assert refund.refund_id not in system.store.payout_due  # released


async def test_only_approved_or_processing_refunds_are_paid(system: FakeSystem) -> None:
    pending = await system.use_cases.create_refund.execute(
        ANA,
        CreateRefundCommand(
            "p",
            "cases/c1",
            "ord_1",
            (RequestedLine("ln_1", 1),),
            RefundReason.DAMAGED,
            RefundMethod.ORIGINAL_PAYMENT,
        ),
    )

    assert await system.pay_out.execute(pending.refund_id) is PayoutOutcome.NOT_DUE
    assert await system.pay_out.execute("no-such-refund") is PayoutOutcome.NOT_DUE
    assert system.gateway.calls == []
    assert await system.reader.due_payouts(system.clock.now(), limit=10) == []


async def test_a_declined_payout_fails_with_its_reason(system: FakeSystem) -> None:
    refund = await approved(system)
    system.gateway.script = ["decline"]

    outcome = await system.pay_out.execute(refund.refund_id)

    assert outcome is PayoutOutcome.FAILED
    failed = stored(system, refund)
    assert (failed.status, failed.failure_reason) == (RefundStatus.FAILED, "The card has expired")
    event = system.events_of(refund.refund_id)[-1]
    assert (event.kind, event.note, event.refund_open) == (K.FAILED, "The card has expired", False)
    assert await system.pay_out.execute(refund.refund_id) is PayoutOutcome.NOT_DUE  # waits for a retry


async def test_an_unknown_outcome_is_asked_again_later_never_failed(system: FakeSystem) -> None:
    refund = await approved(system)
    system.gateway.script = ["down", "down"]

    first = await system.pay_out.execute(refund.refund_id)
    right_away = await system.pay_out.execute(refund.refund_id)
    system.clock.current += timedelta(seconds=2)
    second = await system.pay_out.execute(refund.refund_id)
    system.clock.current += timedelta(seconds=4)
    third = await system.pay_out.execute(refund.refund_id)

    assert (first, right_away, second, third) == (
        PayoutOutcome.DEFERRED,
        PayoutOutcome.NOT_DUE,
        PayoutOutcome.DEFERRED,
        PayoutOutcome.REFUNDED,
    )
    assert len(system.gateway.calls) == 3
    assert kinds(system, refund) == [K.REQUESTED, K.APPROVED, K.PROCESSING, K.REFUNDED]


async def test_after_a_crash_between_paying_and_recording_the_retry_gets_the_earlier_payout(
    system: FakeSystem,
) -> None:
    refund = await approved(system)
    system.gateway.crash_after_paying = True

    assert await system.pay_out.execute(refund.refund_id) is PayoutOutcome.DEFERRED
    assert stored(system, refund).status is RefundStatus.PROCESSING
    system.gateway.crash_after_paying = False
    system.clock.current += timedelta(minutes=2)
    assert await system.pay_out.execute(refund.refund_id) is PayoutOutcome.REFUNDED

    assert len(system.gateway.paid) == 1
    assert stored(system, refund).payout_reference == system.gateway.paid[refund.refund_id].reference


async def test_a_worker_that_died_holding_a_payout_leaves_it_to_others_after_the_lease(
    system: FakeSystem,
) -> None:
    refund = await approved(system)
    async with system.unit_of_work() as uow:  # a claim whose worker never came back
        assert await uow.payouts.claim(
            refund.refund_id, system.clock.now(), system.clock.now() + timedelta(seconds=60)
        )
        await uow.commit()

    before = await system.pay_out.execute(refund.refund_id)
    system.clock.current += timedelta(seconds=61)
    after = await system.pay_out.execute(refund.refund_id)

    assert (before, after) == (PayoutOutcome.NOT_DUE, PayoutOutcome.REFUNDED)


async def test_many_concurrent_payouts_of_one_refund_pay_once(system: FakeSystem) -> None:
    refund = await approved(system)

    outcomes = await asyncio.gather(*(system.pay_out.execute(refund.refund_id) for _ in range(30)))

    assert sorted(outcomes).count(PayoutOutcome.REFUNDED) == 1
    assert set(outcomes) == {PayoutOutcome.REFUNDED, PayoutOutcome.NOT_DUE}
    assert len(system.gateway.calls) == 1
    assert kinds(system, refund) == [K.REQUESTED, K.APPROVED, K.PROCESSING, K.REFUNDED]


async def test_a_retried_refund_is_paid_again_under_the_same_key(system: FakeSystem) -> None:
    refund = await approved(system, "ln_1")
    system.gateway.script = ["decline"]
    await system.pay_out.execute(refund.refund_id)

    await system.use_cases.retry_refund.execute(
        SAM, RetryRefundCommand(refund.refund_id, method=RefundMethod.STORE_CREDIT)
    )
    outcome = await system.pay_out.execute(refund.refund_id)

    assert outcome is PayoutOutcome.REFUNDED
    assert [(c.idempotency_key, c.method) for c in system.gateway.calls] == [
        (refund.refund_id, RefundMethod.ORIGINAL_PAYMENT),
        (refund.refund_id, RefundMethod.STORE_CREDIT),
    ]
    assert kinds(system, refund)[-4:] == [K.PROCESSING, K.FAILED, K.PROCESSING, K.REFUNDED]


async def test_the_worker_pays_whatever_is_due(system: FakeSystem) -> None:
    small, large = await approved(system, "ln_2"), await approved(system, "ln_1")

    outcomes = await system.payout_worker.run_once()

    assert outcomes == [PayoutOutcome.REFUNDED, PayoutOutcome.REFUNDED]
    assert {stored(system, r).status for r in (small, large)} == {RefundStatus.REFUNDED}
    assert await system.payout_worker.run_once() == []


async def test_the_worker_loop_finishes_the_payout_in_flight_when_stopped(system: FakeSystem) -> None:
    refund = await approved(system)
    system.gateway.release = asyncio.Event()
    stop = asyncio.Event()
    loop = asyncio.create_task(system.payout_worker.run(stop))
    await asyncio.wait_for(system.gateway.started.wait(), 5)

    stop.set()
    await asyncio.sleep(0.01)
    assert not loop.done()  # still paying
    system.gateway.release.set()
    await asyncio.wait_for(loop, 5)

    assert stored(system, refund).status is RefundStatus.REFUNDED


async def test_a_broken_step_is_logged_and_does_not_stop_the_worker(system: FakeSystem) -> None:
    refund = await approved(system)

    system.database_down = True
    assert await system.payout_worker.run_once() == [None]
    system.database_down = False

    assert await system.payout_worker.run_once() == [PayoutOutcome.REFUNDED]
    assert stored(system, refund).status is RefundStatus.REFUNDED


async def test_two_workers_on_one_refund_after_a_lease_ran_out_still_pay_and_record_once(
    system: FakeSystem,
) -> None:
    refund = await approved(system)
    system.gateway.release = asyncio.Event()
    slow = asyncio.create_task(system.pay_out.execute(refund.refund_id))
    await asyncio.wait_for(system.gateway.started.wait(), 5)
    system.clock.current += timedelta(seconds=61)  # the slow one's lease has run out

    second = asyncio.create_task(system.pay_out.execute(refund.refund_id))
    await asyncio.sleep(0)
    system.gateway.release.set()
    outcomes = {await slow, await second}

    assert outcomes == {PayoutOutcome.REFUNDED, PayoutOutcome.NOT_DUE}
    assert len(system.gateway.calls) == 2
    assert len(system.gateway.paid) == 1  # the gateway's key kept it to one payout
    assert kinds(system, refund) == [K.REQUESTED, K.APPROVED, K.PROCESSING, K.REFUNDED]
