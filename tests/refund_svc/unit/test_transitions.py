"""Approve, reject, cancel and retry, wired to in-memory fakes: rules, permissions, etags, events."""

from __future__ import annotations

import asyncio

import pytest

from refund_svc.application.commands import (
    ApproveRefundCommand,
    CancelRefundCommand,
    CreateRefundCommand,
    RejectRefundCommand,
    RetryRefundCommand,
)
from refund_svc.application.payouts import PayoutOutcome
from refund_svc.domain.actor import Actor, ActorRole
from refund_svc.domain.errors import (
    ConcurrencyConflictError,
    DomainError,
    InvalidArgumentError,
    InvalidStateTransitionError,
    NoLongerRefundableError,
    PermissionDeniedError,
    RefundNotFoundError,
    ShopUnavailableError,
)
from refund_svc.domain.events import RefundEventKind
from refund_svc.domain.money import Money
from refund_svc.domain.policy import ApprovalPolicy
from refund_svc.domain.refund import Refund, RefundMethod, RefundReason, RefundStatus, RequestedLine
from tests.refund_svc.fakes import FakeSystem, make_order

ANA = Actor("cus_1", ActorRole.CUSTOMER)
BEN = Actor("cus_2", ActorRole.CUSTOMER)
SAM = Actor("agt_2001", ActorRole.AGENT)
KIM = Actor("agt_2003", ActorRole.AGENT)
LEE = Actor("agt_2002", ActorRole.LEAD)
K = RefundEventKind


@pytest.fixture
def system() -> FakeSystem:
    return FakeSystem(
        make_order("ord_1", "cus_1"),  # ln_1: 1 x 79.00 (an agent approves), ln_2: 3 for 35.08
        make_order("ord_big", "cus_1", lines=[("ln_1", 1, 64900)]),  # above the lead limit
        make_order("ord_2", "cus_2"),
    )


async def create(
    system: FakeSystem, by: Actor = ANA, order_id: str = "ord_1", line: str = "ln_1", quantity: int = 1
) -> Refund:
    command = CreateRefundCommand(
        request_id=f"req-{len(system.store.refunds)}",
        case_name=f"cases/{order_id}",
        order_id=order_id,
        lines=(RequestedLine(line, quantity),),
        reason=RefundReason.DAMAGED,
        method=RefundMethod.ORIGINAL_PAYMENT,
    )
    return await system.use_cases.create_refund.execute(by, command)


async def failed_refund(system: FakeSystem, line: str = "ln_1", quantity: int = 1) -> Refund:
    refund = await create(system, line=line, quantity=quantity)
    if refund.status is RefundStatus.PENDING_APPROVAL:
        await system.use_cases.approve_refund.execute(SAM, ApproveRefundCommand(refund.refund_id))
    system.gateway.script = ["decline"]
    assert await system.pay_out.execute(refund.refund_id) is PayoutOutcome.FAILED
    return await system.use_cases.get_refund.execute(SAM, refund.refund_id)


def kinds(system: FakeSystem, refund_id: str) -> list[RefundEventKind]:
    return [event.kind for event in system.events_of(refund_id)]


# --- approve -----------------------------------------------------------------------------------------


async def test_an_agent_approves_and_the_decision_records_who_when_why_and_the_policy(
    system: FakeSystem,
) -> None:
    refund = await create(system)
    system.clock.current = system.clock.current.replace(hour=15)

    approved = await system.use_cases.approve_refund.execute(
        SAM, ApproveRefundCommand(refund.refund_id, expected_version=1, comment="Photo shows the crack")
    )

    assert approved.status is RefundStatus.APPROVED
    decision = approved.decision
    assert decision is not None
    assert (decision.actor, decision.at, decision.comment, decision.policy) == (
        SAM,
        system.clock.current,
        "Photo shows the crack",
        ApprovalPolicy.AGENT_APPROVAL,
    )
    stored = system.store.refunds[refund.refund_id]
    assert stored.status is RefundStatus.APPROVED
    assert stored.version == 2
    event = system.events_of(refund.refund_id)[-1]
    assert (event.kind, event.actor_id, event.note, event.refund_open) == (
        K.APPROVED,
        "agt_2001",
        "Photo shows the crack",
        True,
    )
    assert event.amount == Money(7900, "EUR")


async def test_a_stale_etag_is_a_conflict_and_changes_nothing(system: FakeSystem) -> None:
    refund = await create(system)
    commits = system.store.commits

    with pytest.raises(ConcurrencyConflictError) as caught:
        await system.use_cases.approve_refund.execute(SAM, ApproveRefundCommand(refund.refund_id, 7))

    assert caught.value.reason == "VERSION_CONFLICT"
    assert system.store.commits == commits
    assert system.store.refunds[refund.refund_id].status is RefundStatus.PENDING_APPROVAL


@pytest.mark.parametrize("customer", [ANA, BEN])
async def test_customers_cannot_approve_anything(system: FakeSystem, customer: Actor) -> None:
    refund = await create(system)

    for refund_id in (refund.refund_id, "no-such-refund"):
        with pytest.raises(PermissionDeniedError) as caught:
            await system.use_cases.approve_refund.execute(customer, ApproveRefundCommand(refund_id))
        assert caught.value.reason == "STAFF_ONLY"
    assert system.store.refunds[refund.refund_id].status is RefundStatus.PENDING_APPROVAL


async def test_above_the_lead_limit_an_agent_is_refused_and_a_lead_approves(system: FakeSystem) -> None:
    refund = await create(system, order_id="ord_big")

    with pytest.raises(PermissionDeniedError) as caught:
        await system.use_cases.approve_refund.execute(KIM, ApproveRefundCommand(refund.refund_id))
    approved = await system.use_cases.approve_refund.execute(LEE, ApproveRefundCommand(refund.refund_id))

    assert caught.value.reason == "LEAD_APPROVAL_REQUIRED"
    assert caught.value.metadata["policy"] == "LEAD_APPROVAL"
    decision = approved.decision
    assert decision is not None
    assert (decision.actor, decision.policy) == (LEE, ApprovalPolicy.LEAD_APPROVAL)


@pytest.mark.parametrize("requester", [SAM, LEE])
async def test_nobody_approves_a_refund_they_requested(system: FakeSystem, requester: Actor) -> None:
    refund = await create(system, by=requester)

    with pytest.raises(PermissionDeniedError) as caught:
        await system.use_cases.approve_refund.execute(requester, ApproveRefundCommand(refund.refund_id))
    approved = await system.use_cases.approve_refund.execute(KIM, ApproveRefundCommand(refund.refund_id))

    assert caught.value.reason == "SELF_APPROVAL_FORBIDDEN"
    assert approved.status is RefundStatus.APPROVED


async def test_approving_twice_or_an_unknown_refund_is_refused(system: FakeSystem) -> None:
    refund = await create(system)
    await system.use_cases.approve_refund.execute(SAM, ApproveRefundCommand(refund.refund_id))

    with pytest.raises(InvalidStateTransitionError):
        await system.use_cases.approve_refund.execute(KIM, ApproveRefundCommand(refund.refund_id))
    with pytest.raises(RefundNotFoundError):
        await system.use_cases.approve_refund.execute(KIM, ApproveRefundCommand("nope"))
    assert kinds(system, refund.refund_id) == [K.REQUESTED, K.APPROVED]


async def test_of_many_concurrent_approvals_exactly_one_wins(system: FakeSystem) -> None:
    refund = await create(system)
    approvers = [SAM, KIM, LEE] * 10

    results = await asyncio.gather(
        *(
            system.use_cases.approve_refund.execute(a, ApproveRefundCommand(refund.refund_id))
            for a in approvers
        ),
        return_exceptions=True,
    )

    assert sum(isinstance(r, Refund) for r in results) == 1
    assert {type(r) for r in results if not isinstance(r, Refund)} == {InvalidStateTransitionError}
    assert kinds(system, refund.refund_id) == [K.REQUESTED, K.APPROVED]


# --- reject ------------------------------------------------------------------------------------------


async def test_staff_reject_with_a_reason_and_the_units_are_free_again(system: FakeSystem) -> None:
    refund = await create(system)

    rejected = await system.use_cases.reject_refund.execute(
        LEE, RejectRefundCommand(refund.refund_id, " Item was used ", expected_version=1)
    )
    quote = await system.use_cases.quote_refund.execute(ANA, "ord_1")

    assert rejected.status is RefundStatus.REJECTED
    decision = rejected.decision
    assert decision is not None
    assert (decision.actor, decision.comment) == (LEE, "Item was used")
    event = system.events_of(refund.refund_id)[-1]
    assert (event.kind, event.note, event.refund_open) == (K.REJECTED, "Item was used", False)
    assert quote.lines[0].quantity == 1


async def test_a_rejection_needs_a_reason_and_staff(system: FakeSystem) -> None:
    refund = await create(system)

    with pytest.raises(InvalidArgumentError) as caught:
        await system.use_cases.reject_refund.execute(SAM, RejectRefundCommand(refund.refund_id, "  "))
    with pytest.raises(PermissionDeniedError):
        await system.use_cases.reject_refund.execute(ANA, RejectRefundCommand(refund.refund_id, "no"))

    assert [p.field for p in caught.value.problems] == ["reason"]
    assert kinds(system, refund.refund_id) == [K.REQUESTED]


# --- cancel ------------------------------------------------------------------------------------------


async def test_the_customer_cancels_its_own_pending_refund(system: FakeSystem) -> None:
    refund = await create(system)

    cancelled = await system.use_cases.cancel_refund.execute(ANA, CancelRefundCommand(refund.refund_id, 1))

    assert cancelled.status is RefundStatus.CANCELLED
    event = system.events_of(refund.refund_id)[-1]
    assert (event.kind, event.actor_id, event.refund_open) == (K.CANCELLED, "cus_1", False)


async def test_another_customers_refund_is_not_found_and_staff_cannot_cancel(system: FakeSystem) -> None:
    refund = await create(system)

    with pytest.raises(RefundNotFoundError):
        await system.use_cases.cancel_refund.execute(BEN, CancelRefundCommand(refund.refund_id))
    with pytest.raises(PermissionDeniedError) as caught:
        await system.use_cases.cancel_refund.execute(SAM, CancelRefundCommand(refund.refund_id))

    assert caught.value.reason == "NOT_REFUND_OWNER"
    assert system.store.refunds[refund.refund_id].status is RefundStatus.PENDING_APPROVAL


async def test_a_decided_refund_cannot_be_cancelled(system: FakeSystem) -> None:
    refund = await create(system, line="ln_2")  # 11.69: approved by policy at once

    with pytest.raises(InvalidStateTransitionError) as caught:
        await system.use_cases.cancel_refund.execute(ANA, CancelRefundCommand(refund.refund_id))

    assert caught.value.metadata["status"] == "APPROVED"


# --- retry -------------------------------------------------------------------------------------------


async def test_a_failed_payout_is_retried_as_store_credit(system: FakeSystem) -> None:
    refund = await failed_refund(system)
    assert refund.failure_reason == "The card has expired"

    retried = await system.use_cases.retry_refund.execute(
        SAM, RetryRefundCommand(refund.refund_id, refund.version, RefundMethod.STORE_CREDIT)
    )

    assert retried.status is RefundStatus.PROCESSING
    assert retried.method is RefundMethod.STORE_CREDIT
    event = system.events_of(refund.refund_id)[-1]
    assert (event.kind, event.actor_id, event.note, event.refund_open) == (
        K.PROCESSING,
        "agt_2001",
        "payout retried as store credit",
        True,
    )
    assert await system.pay_out.execute(refund.refund_id) is PayoutOutcome.REFUNDED
    assert [c.method for c in system.gateway.calls] == [
        RefundMethod.ORIGINAL_PAYMENT,
        RefundMethod.STORE_CREDIT,
    ]
    assert {c.idempotency_key for c in system.gateway.calls} == {refund.refund_id}


async def test_retrying_keeps_the_method_when_none_is_given(system: FakeSystem) -> None:
    refund = await failed_refund(system)

    retried = await system.use_cases.retry_refund.execute(LEE, RetryRefundCommand(refund.refund_id))

    assert retried.method is RefundMethod.ORIGINAL_PAYMENT
    assert retried.history[-1].comment == "payout retried"


async def test_customers_cannot_retry(system: FakeSystem) -> None:
    refund = await failed_refund(system)

    with pytest.raises(PermissionDeniedError):
        await system.use_cases.retry_refund.execute(ANA, RetryRefundCommand(refund.refund_id))


async def test_only_a_failed_refund_is_retried_and_the_shop_is_not_asked_otherwise(
    system: FakeSystem,
) -> None:
    refund = await create(system)
    calls = system.shop.calls

    with pytest.raises(InvalidStateTransitionError):
        await system.use_cases.retry_refund.execute(SAM, RetryRefundCommand(refund.refund_id))
    with pytest.raises(ConcurrencyConflictError):
        await system.use_cases.retry_refund.execute(SAM, RetryRefundCommand(refund.refund_id, 9))

    assert system.shop.calls == calls


async def test_a_retry_is_refused_when_another_refund_took_the_units(system: FakeSystem) -> None:
    refund = await failed_refund(system)
    await create(system)  # ln_1 again: the failed refund had released it

    with pytest.raises(NoLongerRefundableError) as caught:
        await system.use_cases.retry_refund.execute(SAM, RetryRefundCommand(refund.refund_id))

    assert caught.value.metadata["order_line_ids"] == "ln_1"
    assert system.store.refunds[refund.refund_id].status is RefundStatus.FAILED


async def test_a_shop_outage_or_a_vanished_order_changes_nothing(system: FakeSystem) -> None:
    refund = await failed_refund(system)
    commits = system.store.commits

    system.shop.unavailable = True
    with pytest.raises(ShopUnavailableError):
        await system.use_cases.retry_refund.execute(SAM, RetryRefundCommand(refund.refund_id))
    system.shop.unavailable = False
    del system.shop.orders["ord_1"]
    with pytest.raises(DomainError) as caught:
        await system.use_cases.retry_refund.execute(SAM, RetryRefundCommand(refund.refund_id))

    assert caught.value.reason == "ORDER_NOT_FOUND"
    assert system.store.commits == commits
