"""The leads' refund statistics with fakes: pending now, paid back in the period, per currency."""

from __future__ import annotations

from datetime import timedelta

import pytest

from refund_svc.application.commands import CreateRefundCommand, StatisticsPeriod
from refund_svc.domain.actor import Actor, ActorRole
from refund_svc.domain.errors import LEAD_ONLY, PermissionDeniedError
from refund_svc.domain.money import Money
from refund_svc.domain.refund import Refund, RefundMethod, RefundReason, RefundStatus, RequestedLine
from tests.refund_svc.fakes import NOW, FakeSystem, make_order

ANA = Actor("cus_1", ActorRole.CUSTOMER)
BEN = Actor("cus_2", ActorRole.CUSTOMER)
SAM = Actor("agt_2001", ActorRole.AGENT)
LEE = Actor("agt_2002", ActorRole.LEAD)
TODAY = StatisticsPeriod(NOW - timedelta(hours=1), NOW + timedelta(hours=1))


@pytest.fixture
def system() -> FakeSystem:
    return FakeSystem(
        make_order("ord_1", "cus_1"),
        make_order("ord_2", "cus_2", lines=(("ln_1", 1, 9900), ("ln_2", 2, 1000)), currency="USD"),
    )


async def request(system: FakeSystem, who: Actor, order_id: str, line: str) -> Refund:
    return await system.use_cases.create_refund.execute(
        who,
        CreateRefundCommand(
            request_id=f"{order_id}-{line}",
            case_name="cases/c1",
            order_id=order_id,
            lines=(RequestedLine(line, 1),),
            reason=RefundReason.DAMAGED,
            method=RefundMethod.ORIGINAL_PAYMENT,
        ),
    )


async def test_pending_now_and_refunded_in_the_period_are_counted_and_summed_per_currency(
    system: FakeSystem,
) -> None:
    eur_pending = await request(system, ANA, "ord_1", "ln_1")  # 79.00: waits for an agent
    usd_pending = await request(system, BEN, "ord_2", "ln_1")  # 99.00 USD: waits too
    paid = await request(system, ANA, "ord_1", "ln_2")  # 11.69: approved by policy, then paid
    usd_paid = await request(system, BEN, "ord_2", "ln_2")  # 5.00 USD: the same
    await system.payout_worker.run_once()

    stats = await system.use_cases.refund_statistics.execute(LEE, TODAY)

    assert [r.status for r in (eur_pending, usd_pending)] == [RefundStatus.PENDING_APPROVAL] * 2
    assert {system.store.refunds[r.refund_id].status for r in (paid, usd_paid)} == {RefundStatus.REFUNDED}
    assert stats.pending_count == 2
    assert stats.pending == (Money(7900, "EUR"), Money(9900, "USD"))
    assert stats.refunded_count == 2
    assert stats.refunded == (Money(1169, "EUR"), Money(500, "USD"))
    assert stats.period == TODAY
    assert stats.computed_at == NOW


async def test_refunds_paid_back_outside_the_period_do_not_count_but_pending_ones_always_do(
    system: FakeSystem,
) -> None:
    await request(system, ANA, "ord_1", "ln_1")
    await request(system, ANA, "ord_1", "ln_2")
    await system.payout_worker.run_once()
    yesterday = StatisticsPeriod(NOW - timedelta(days=1, hours=1), NOW - timedelta(hours=1))
    ends_when_paid = StatisticsPeriod(NOW - timedelta(days=1), NOW)  # the end is exclusive

    before = await system.use_cases.refund_statistics.execute(LEE, yesterday)
    at_the_end = await system.use_cases.refund_statistics.execute(LEE, ends_when_paid)

    for stats in (before, at_the_end):
        assert (stats.refunded_count, stats.refunded) == (0, ())
        assert (stats.pending_count, stats.pending) == (1, (Money(7900, "EUR"),))


async def test_nothing_yet_is_zero_with_no_amounts(system: FakeSystem) -> None:
    stats = await system.use_cases.refund_statistics.execute(LEE, TODAY)

    assert (stats.pending_count, stats.pending, stats.refunded_count, stats.refunded) == (0, (), 0, ())


@pytest.mark.parametrize("who", [ANA, SAM, Actor("system", ActorRole.SYSTEM)])
async def test_only_leads_see_the_statistics(system: FakeSystem, who: Actor) -> None:
    with pytest.raises(PermissionDeniedError) as refused:
        await system.use_cases.refund_statistics.execute(who, TODAY)

    assert refused.value.reason == LEAD_ONLY
