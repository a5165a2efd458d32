"""The simulated payment gateway on a real SQLite file: once per key, declines, latency."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from refund_svc.application.ports import PayoutRequest
from refund_svc.domain.money import Money
from refund_svc.domain.refund import RefundMethod
from refund_svc.infrastructure.payment_gateway import DECLINE_REASONS, SimulatedPaymentGateway

pytestmark = pytest.mark.integration


def request(key: str = "r1", method: RefundMethod = RefundMethod.ORIGINAL_PAYMENT) -> PayoutRequest:
    return PayoutRequest(key, "R-2001", "ord_1001", "cus_1001", Money(1169, "EUR"), method)


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[SimulatedPaymentGateway]:
    gateway = SimulatedPaymentGateway(tmp_path / "gw" / "gateway.db", latency_ms=0)
    await gateway.open()
    try:
        yield gateway
    finally:
        await gateway.close()


async def test_a_key_is_paid_once_and_asked_again_returns_that_payout(
    gateway: SimulatedPaymentGateway, tmp_path: Path
) -> None:
    first = await gateway.pay_out(request())
    await gateway.close()
    await gateway.open()  # the gateway remembers across restarts: it is its own file
    again = await gateway.pay_out(request())
    other = await gateway.pay_out(request("r2"))

    assert first.paid
    assert not first.replayed
    assert (again.paid, again.reference, again.replayed) == (True, first.reference, True)
    assert other.reference != first.reference
    assert await gateway.payout_count() == 2
    assert gateway.calls == 3


async def test_concurrent_calls_with_one_key_pay_once(gateway: SimulatedPaymentGateway) -> None:
    gateway.latency_ms = 5

    results = await asyncio.gather(*(gateway.pay_out(request()) for _ in range(20)))

    assert {r.reference for r in results} == {results[0].reference}
    assert sum(not r.replayed for r in results) == 1
    assert await gateway.payout_count() == 1


async def test_declines_hit_card_payouts_only_and_pay_nothing(gateway: SimulatedPaymentGateway) -> None:
    gateway.failure_rate = 1.0

    declined = await gateway.pay_out(request())
    credited = await gateway.pay_out(request(method=RefundMethod.STORE_CREDIT))

    assert not declined.paid
    assert declined.failure_reason in DECLINE_REASONS
    assert credited.paid
    stored = await gateway.find("r1")
    assert stored is not None
    assert (stored.method, stored.amount_minor) == ("STORE_CREDIT", 1169)


async def test_the_failure_rate_is_a_share_of_payouts(tmp_path: Path) -> None:
    gateway = SimulatedPaymentGateway(tmp_path / "g.db", failure_rate=0.3, latency_ms=0, rng=random.Random(7))
    await gateway.open()
    try:
        results = [await gateway.pay_out(request(f"r{i}")) for i in range(200)]
    finally:
        await gateway.close()

    declined = sum(not r.paid for r in results)
    assert 30 < declined < 90


async def test_each_payout_takes_the_configured_latency(gateway: SimulatedPaymentGateway) -> None:
    gateway.latency_ms = 60
    started = time.monotonic()

    await gateway.pay_out(request())

    assert time.monotonic() - started >= 0.06


def test_a_failure_rate_is_a_probability(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        SimulatedPaymentGateway(tmp_path / "g.db", failure_rate=1.5)


async def test_an_unopened_gateway_says_so(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="not open"):
        await SimulatedPaymentGateway(tmp_path / "g.db").pay_out(request())
