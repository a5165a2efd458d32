"""Paying out approved refunds: APPROVED -> PROCESSING -> REFUNDED or FAILED.

One payout is three short steps, and no transaction is open while the gateway is asked:
1. claim (a lease on the refund) and move APPROVED -> PROCESSING, in one transaction;
2. ask the gateway, with the refund's id as idempotency key;
3. record REFUNDED (with the gateway's reference) or FAILED (with its reason), in one transaction.
If the process dies between 2 and 3, the refund stays PROCESSING with a lease that runs out; the
next claim asks the gateway again under the same key and gets the earlier payout back, so the
customer is never paid twice. An unknown outcome (gateway down, timeout, a bug) is never FAILED:
it is asked again later, because the money may have gone out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from enum import StrEnum

from kit.logs import get_logger
from refund_svc.application.background import backoff_s, pause
from refund_svc.application.ports import (
    Clock,
    PaymentGateway,
    PaymentGatewayUnavailableError,
    PayoutRequest,
    PayoutResult,
    RefundReader,
    UnitOfWork,
)
from refund_svc.domain.actor import SYSTEM_ACTOR
from refund_svc.domain.refund import Refund, RefundStatus

log = get_logger("refund_svc.payouts")


class PayoutOutcome(StrEnum):
    NOT_DUE = "NOT_DUE"  # not approved or processing, or someone else holds the payout
    REFUNDED = "REFUNDED"
    FAILED = "FAILED"
    DEFERRED = "DEFERRED"  # outcome unknown: asked again later


class PayOutRefund:
    def __init__(
        self,
        *,
        unit_of_work: Callable[[], UnitOfWork],
        gateway: PaymentGateway,
        clock: Clock,
        lease_s: float = 60.0,
        backoff_base_s: float = 1.0,
        backoff_max_s: float = 60.0,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._gateway = gateway
        self._clock = clock
        self._lease = timedelta(seconds=lease_s)
        self._backoff_base_s = backoff_base_s
        self._backoff_max_s = backoff_max_s

    async def execute(self, refund_id: str) -> PayoutOutcome:
        claimed = await self._claim(refund_id)
        if claimed is None:
            return PayoutOutcome.NOT_DUE
        refund, attempts = claimed
        try:
            result = await self._gateway.pay_out(
                PayoutRequest(
                    idempotency_key=refund.refund_id,
                    refund_number=refund.human_number,
                    order_id=refund.order_id,
                    customer_id=refund.customer_id,
                    amount=refund.total,
                    method=refund.method,
                )
            )
        except Exception as error:
            if not isinstance(error, PaymentGatewayUnavailableError):
                log.exception("payout outcome unknown", refund_id=refund_id)
            await self._defer(refund_id, attempts, error)
            return PayoutOutcome.DEFERRED
        return await self._record(refund_id, result)

    async def _claim(self, refund_id: str) -> tuple[Refund, int] | None:
        now = self._clock.now()
        async with self._unit_of_work() as uow:
            claim = await uow.payouts.claim(refund_id, now, now + self._lease)
            refund = await uow.refunds.get(refund_id)
            if claim is None or refund is None:
                return None
            if refund.status is RefundStatus.APPROVED:
                refund.process(SYSTEM_ACTOR, now)
                await uow.refunds.save(refund)
            await uow.commit()
        return refund, claim.attempts

    async def _defer(self, refund_id: str, attempts: int, error: Exception) -> None:
        delay = backoff_s(attempts, base_s=self._backoff_base_s, max_s=self._backoff_max_s)
        log.warning(
            "payout deferred",
            refund_id=refund_id,
            attempt=attempts + 1,
            retry_in_s=round(delay, 2),
            error=repr(error),
        )
        async with self._unit_of_work() as uow:
            await uow.payouts.defer(refund_id, self._clock.now() + timedelta(seconds=delay))
            await uow.commit()

    async def _record(self, refund_id: str, result: PayoutResult) -> PayoutOutcome:
        async with self._unit_of_work() as uow:
            refund = await uow.refunds.get(refund_id)
            if refund is None or refund.status is not RefundStatus.PROCESSING:
                return PayoutOutcome.NOT_DUE  # another worker recorded it (its lease had run out)
            now = self._clock.now()
            if result.paid:
                refund.succeed(now, result.reference)
            else:
                refund.fail(now, result.failure_reason)
            await uow.refunds.save(refund)
            await uow.payouts.release(refund_id)
            await uow.commit()
        if result.paid:
            log.info("refund paid out", refund_id=refund_id, replayed=result.replayed)
            return PayoutOutcome.REFUNDED
        log.info("payout declined", refund_id=refund_id)
        return PayoutOutcome.FAILED


class PayoutWorker:
    """Pays out whatever is due, a few at a time, woken by commits (and polling, as a fallback)."""

    def __init__(
        self,
        *,
        reader: RefundReader,
        pay_out: PayOutRefund,
        clock: Clock,
        concurrency: int = 8,
        poll_s: float = 1.0,
        wake: asyncio.Event | None = None,
    ) -> None:
        self._reader = reader
        self._pay_out = pay_out
        self._clock = clock
        self._concurrency = concurrency
        self._poll_s = poll_s
        self._wake = wake

    async def run_once(self) -> list[PayoutOutcome | None]:
        """Pays out up to `concurrency` due refunds at once: their outcomes (None for an error)."""
        due = await self._reader.due_payouts(self._clock.now(), limit=self._concurrency)
        return list(await asyncio.gather(*(self._pay_one(refund_id) for refund_id in due)))

    async def _pay_one(self, refund_id: str) -> PayoutOutcome | None:
        try:
            return await self._pay_out.execute(refund_id)
        except Exception:  # e.g. the database; the lease runs out and the payout is picked up again
            log.exception("payout step failed", refund_id=refund_id)
            return None

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            if self._wake is not None:
                self._wake.clear()  # before looking: a commit from now on wakes the next pause
            outcomes = await self.run_once()
            if not outcomes or None in outcomes:
                await pause(stop, self._poll_s, self._wake)
