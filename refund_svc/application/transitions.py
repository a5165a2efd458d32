"""Decisions on an existing refund: approve, reject, cancel, retry a failed payout.

Each runs in one write transaction (BEGIN IMMEDIATE): read the refund, check the caller's etag,
let the aggregate apply its rules, then a save that only succeeds if nobody stored a change
meanwhile. Of many concurrent callers exactly one wins; the others see the new status (a refused
transition) or a stale etag (ABORTED). The outbox row of the change is written by the same save.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from refund_svc.application.commands import (
    ApproveRefundCommand,
    CancelRefundCommand,
    RejectRefundCommand,
    RetryRefundCommand,
)
from refund_svc.application.ports import Clock, RefundReader, ShopPort, UnitOfWork
from refund_svc.domain.actor import Actor
from refund_svc.domain.errors import (
    STAFF_ONLY,
    ConcurrencyConflictError,
    InvalidStateTransitionError,
    OrderNotFoundError,
    PermissionDeniedError,
    RefundNotFoundError,
)
from refund_svc.domain.policy import RefundRules
from refund_svc.domain.refund import Refund, RefundStatus

Change = Callable[[Refund, datetime], None]


def _staff_only(actor: Actor, action: str) -> None:
    # Checked before the refund is even read: a customer learns nothing about refunds this way.
    if actor.is_customer:
        raise PermissionDeniedError(f"only support staff {action} refunds", reason=STAFF_ONLY)


def _visible(actor: Actor, refund_id: str, refund: Refund | None) -> Refund:
    if refund is None or (actor.is_customer and refund.customer_id != actor.subject):
        raise RefundNotFoundError(refund_id)
    return refund


def _check_version(refund: Refund, expected: int | None) -> None:
    if expected is not None and expected != refund.version:
        raise ConcurrencyConflictError(
            f"Refund {refund.human_number} changed since it was read; read it again and retry",
            metadata={"refund_id": refund.refund_id},
        )


class _Transition:
    def __init__(self, *, unit_of_work: Callable[[], UnitOfWork], clock: Clock) -> None:
        self._unit_of_work = unit_of_work
        self._clock = clock

    async def _apply(
        self, actor: Actor, refund_id: str, expected_version: int | None, change: Change
    ) -> Refund:
        async with self._unit_of_work() as uow:
            refund = _visible(actor, refund_id, await uow.refunds.get(refund_id))
            _check_version(refund, expected_version)
            change(refund, self._clock.now())
            await uow.refunds.save(refund)
            await uow.commit()
        return refund


class ApproveRefund(_Transition):
    """Agents and leads approve by the policy; the payout worker takes it from there."""

    def __init__(self, *, unit_of_work: Callable[[], UnitOfWork], clock: Clock, rules: RefundRules) -> None:
        super().__init__(unit_of_work=unit_of_work, clock=clock)
        self._rules = rules

    async def execute(self, actor: Actor, command: ApproveRefundCommand) -> Refund:
        _staff_only(actor, "approve")
        return await self._apply(
            actor,
            command.refund_id,
            command.expected_version,
            lambda refund, now: refund.approve(actor, now, self._rules, command.comment),
        )


class RejectRefund(_Transition):
    async def execute(self, actor: Actor, command: RejectRefundCommand) -> Refund:
        _staff_only(actor, "reject")
        return await self._apply(
            actor,
            command.refund_id,
            command.expected_version,
            lambda refund, now: refund.reject(actor, now, command.reason),
        )


class CancelRefund(_Transition):
    """The customer withdraws its own request while it waits; other customers' refunds are NOT_FOUND."""

    async def execute(self, actor: Actor, command: CancelRefundCommand) -> Refund:
        return await self._apply(
            actor,
            command.refund_id,
            command.expected_version,
            lambda refund, now: refund.cancel(actor, now),
        )


class RetryRefund(_Transition):
    """A failed payout goes again, if its units are still refundable (a failed refund released them)."""

    def __init__(
        self, *, unit_of_work: Callable[[], UnitOfWork], clock: Clock, reader: RefundReader, shop: ShopPort
    ) -> None:
        super().__init__(unit_of_work=unit_of_work, clock=clock)
        self._reader = reader
        self._shop = shop

    async def execute(self, actor: Actor, command: RetryRefundCommand) -> Refund:
        _staff_only(actor, "retry")
        # Cheap checks first, so that a refund that is not FAILED costs no call to the shop.
        seen = _visible(actor, command.refund_id, await self._reader.get(command.refund_id))
        _check_version(seen, command.expected_version)
        if seen.status is not RefundStatus.FAILED:
            raise InvalidStateTransitionError(seen.refund_id, seen.status.value, "retried")
        # What was paid comes from the shop, outside the write transaction (like a create).
        order = await self._shop.get_order(seen.order_id)
        if order is None:  # the shop no longer knows the order: nothing can be checked, nothing is paid
            raise OrderNotFoundError(seen.order_id)
        async with self._unit_of_work() as uow:
            refund = _visible(actor, command.refund_id, await uow.refunds.get(command.refund_id))
            _check_version(refund, command.expected_version)
            usage = await uow.refunds.line_usage(refund.order_id)
            refund.retry(actor, self._clock.now(), order, usage, command.method)
            await uow.refunds.save(refund)
            await uow.commit()
        return refund
