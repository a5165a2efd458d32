"""Use cases wired to in-memory fakes of the ports."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from kit.pagination import InvalidPageError
from refund_svc.application.commands import CreateRefundCommand, ListRefundsQuery
from refund_svc.domain.actor import Actor, ActorRole
from refund_svc.domain.errors import (
    CaseIsAboutAnotherOrderError,
    CaseNotFoundError,
    CasesUnavailableError,
    InvalidArgumentError,
    OrderNotFoundError,
    RefundNotFoundError,
    RefundWindowClosedError,
    RequestIdReusedError,
    ShopUnavailableError,
)
from refund_svc.domain.money import Money
from refund_svc.domain.refund import RefundMethod, RefundReason, RefundStatus, RequestedLine
from tests.refund_svc.fakes import FakeSystem, make_order

ANA = Actor("cus_1", ActorRole.CUSTOMER)
BEN = Actor("cus_2", ActorRole.CUSTOMER)
SAM = Actor("agt_2001", ActorRole.AGENT)


def command(
    *lines: tuple[str, int], request_id: str = "req-1", order_id: str = "ord_1", note: str = ""
) -> CreateRefundCommand:
    return CreateRefundCommand(
        request_id=request_id,
        case_name="cases/c1",
        order_id=order_id,
        lines=tuple(RequestedLine(line_id, qty) for line_id, qty in lines) or (RequestedLine("ln_2", 1),),
        reason=RefundReason.DAMAGED,
        method=RefundMethod.ORIGINAL_PAYMENT,
        note=note,
    )


@pytest.fixture
def system() -> FakeSystem:
    return FakeSystem(
        make_order("ord_1", "cus_1"),
        make_order("ord_2", "cus_2"),
        make_order("ord_old", "cus_1", delivered_days_ago=60),
    )


async def test_create_prices_from_the_shop_and_commits_once(system: FakeSystem) -> None:
    refund = await system.use_cases.create_refund.execute(ANA, command(("ln_2", 1)))

    assert refund.total == Money(1169, "EUR")
    assert refund.status is RefundStatus.APPROVED
    assert refund.customer_id == "cus_1"
    assert refund.requested_by == ANA
    assert refund.number == 2001
    assert system.store.commits == 1
    assert set(system.store.refunds) == {refund.refund_id}


async def test_the_same_request_id_and_content_returns_the_first_refund(system: FakeSystem) -> None:
    first = await system.use_cases.create_refund.execute(ANA, command(("ln_2", 1)))
    again = await system.use_cases.create_refund.execute(ANA, command(("ln_2", 1)))

    assert again.refund_id == first.refund_id
    assert system.store.commits == 1


async def test_concurrent_duplicates_create_one_refund(system: FakeSystem) -> None:
    results = await asyncio.gather(
        *(system.use_cases.create_refund.execute(ANA, command(("ln_2", 1))) for _ in range(20))
    )

    assert {r.refund_id for r in results} == {results[0].refund_id}
    assert len(system.store.refunds) == 1


async def test_the_same_request_id_with_other_content_is_refused(system: FakeSystem) -> None:
    await system.use_cases.create_refund.execute(ANA, command(("ln_2", 1)))

    with pytest.raises(RequestIdReusedError) as caught:
        await system.use_cases.create_refund.execute(ANA, command(("ln_2", 2)))

    assert "req-1" in caught.value.message
    assert len(system.store.refunds) == 1


async def test_request_ids_are_scoped_per_customer(system: FakeSystem) -> None:
    anas = await system.use_cases.create_refund.execute(ANA, command(("ln_2", 1)))
    bens = await system.use_cases.create_refund.execute(BEN, command(("ln_2", 1), order_id="ord_2"))

    assert anas.refund_id != bens.refund_id


async def test_a_customer_cannot_refund_another_customers_order(system: FakeSystem) -> None:
    with pytest.raises(OrderNotFoundError):
        await system.use_cases.create_refund.execute(BEN, command(("ln_2", 1)))
    assert system.store.refunds == {}


async def test_an_unknown_order_is_not_found(system: FakeSystem) -> None:
    with pytest.raises(OrderNotFoundError):
        await system.use_cases.create_refund.execute(SAM, command(order_id="ord_404"))


async def test_outside_the_window_customers_are_refused_and_staff_need_a_note(system: FakeSystem) -> None:
    with pytest.raises(RefundWindowClosedError):
        await system.use_cases.create_refund.execute(ANA, command(order_id="ord_old"))
    with pytest.raises(InvalidArgumentError):
        await system.use_cases.create_refund.execute(SAM, command(order_id="ord_old"))

    refund = await system.use_cases.create_refund.execute(
        SAM, command(order_id="ord_old", note="Courier confirmed damage")
    )

    assert refund.status is RefundStatus.PENDING_APPROVAL
    assert refund.outside_window


async def test_units_held_by_earlier_refunds_are_not_refundable_again(system: FakeSystem) -> None:
    await system.use_cases.create_refund.execute(ANA, command(("ln_2", 2), request_id="a"))

    with pytest.raises(InvalidArgumentError) as caught:
        await system.use_cases.create_refund.execute(ANA, command(("ln_2", 2), request_id="b"))
    last = await system.use_cases.create_refund.execute(ANA, command(("ln_2", 1), request_id="c"))

    assert caught.value.problems[0].field == "lines[0].quantity"
    assert last.total == Money(3508 - 2338, "EUR")


async def test_a_shop_outage_changes_nothing(system: FakeSystem) -> None:
    system.shop.unavailable = True

    with pytest.raises(ShopUnavailableError):
        await system.use_cases.create_refund.execute(ANA, command())
    assert system.store.commits == 0


@pytest.mark.parametrize("actor", [ANA, SAM])
async def test_the_case_must_be_the_orders_customers(system: FakeSystem, actor: Actor) -> None:
    system.cases.add("cases/c1", customer_id="cus_2", order_id="ord_1")  # Ben's case, Ana's order
    system.cases.add("cases/c2", customer_id="cus_1", order_id="ord_old")  # Ana's, another order

    system.cases.default = lambda name: None  # support knows no other case

    with pytest.raises(CaseNotFoundError):
        await system.use_cases.create_refund.execute(actor, command())
    with pytest.raises(CaseNotFoundError):
        await system.use_cases.create_refund.execute(actor, _on_case(command(request_id="r3"), "cases/none"))
    with pytest.raises(CaseIsAboutAnotherOrderError) as caught:
        await system.use_cases.create_refund.execute(actor, _on_case(command(request_id="r4"), "cases/c2"))

    assert caught.value.metadata == {"case": "cases/c2", "case_order_id": "ord_old", "order_id": "ord_1"}
    assert system.store.refunds == {}
    assert system.store.commits == 0


async def test_when_support_cannot_be_asked_nothing_is_created_but_retries_answer(
    system: FakeSystem,
) -> None:
    first = await system.use_cases.create_refund.execute(ANA, command(request_id="before"))
    system.cases.unavailable = True

    with pytest.raises(CasesUnavailableError):
        await system.use_cases.create_refund.execute(ANA, command(request_id="during"))
    again = await system.use_cases.create_refund.execute(ANA, command(request_id="before"))

    assert again.refund_id == first.refund_id
    assert list(system.store.refunds) == [first.refund_id]


def _on_case(create: CreateRefundCommand, case_name: str) -> CreateRefundCommand:
    return dataclasses.replace(create, case_name=case_name)


async def test_get_refund_hides_other_customers_refunds(system: FakeSystem) -> None:
    refund = await system.use_cases.create_refund.execute(ANA, command())

    assert (await system.use_cases.get_refund.execute(ANA, refund.refund_id)).refund_id == refund.refund_id
    assert (await system.use_cases.get_refund.execute(SAM, refund.refund_id)).refund_id == refund.refund_id
    with pytest.raises(RefundNotFoundError):
        await system.use_cases.get_refund.execute(BEN, refund.refund_id)
    with pytest.raises(RefundNotFoundError):
        await system.use_cases.get_refund.execute(SAM, "nope")


async def test_list_refunds_pages_newest_first_and_scopes_customers(system: FakeSystem) -> None:
    for i in range(3):
        await system.use_cases.create_refund.execute(ANA, command(("ln_2", 1), request_id=f"a{i}"))
    await system.use_cases.create_refund.execute(BEN, command(("ln_2", 1), order_id="ord_2"))

    first = await system.use_cases.list_refunds.execute(ANA, ListRefundsQuery(page_size=2))
    second = await system.use_cases.list_refunds.execute(
        ANA, ListRefundsQuery(page_size=2, page_token=first.next_page_token)
    )
    everyone = await system.use_cases.list_refunds.execute(SAM, ListRefundsQuery(page_size=50))

    assert [r.number for r in first.refunds] == [2003, 2002]
    assert [r.number for r in second.refunds] == [2001]
    assert second.next_page_token == ""
    assert [r.number for r in everyone.refunds] == [2004, 2003, 2002, 2001]


async def test_list_refunds_filters_by_order_and_status(system: FakeSystem) -> None:
    await system.use_cases.create_refund.execute(ANA, command(("ln_2", 1), request_id="small"))
    await system.use_cases.create_refund.execute(ANA, command(("ln_1", 1), request_id="big"))

    pending = await system.use_cases.list_refunds.execute(
        SAM, ListRefundsQuery(page_size=10, statuses=frozenset({RefundStatus.PENDING_APPROVAL}))
    )
    other_order = await system.use_cases.list_refunds.execute(
        SAM, ListRefundsQuery(page_size=10, order_id="ord_2")
    )

    assert [r.lines[0].order_line_id for r in pending.refunds] == ["ln_1"]
    assert other_order.refunds == ()


async def test_a_page_token_cannot_be_replayed_by_another_customer(system: FakeSystem) -> None:
    for i in range(2):
        await system.use_cases.create_refund.execute(ANA, command(("ln_2", 1), request_id=f"a{i}"))
    first = await system.use_cases.list_refunds.execute(ANA, ListRefundsQuery(page_size=1))

    with pytest.raises(InvalidPageError):
        await system.use_cases.list_refunds.execute(
            BEN, ListRefundsQuery(page_size=1, page_token=first.next_page_token)
        )


async def test_quote_tells_what_is_left_per_line(system: FakeSystem) -> None:
    await system.use_cases.create_refund.execute(ANA, command(("ln_2", 1)))

    quote = await system.use_cases.quote_refund.execute(ANA, "ord_1")

    left = {r.line.line_id: (r.quantity, r.amount.amount_minor) for r in quote.lines}
    assert left == {"ln_1": (1, 7900), "ln_2": (2, 3508 - 1169)}
    assert quote.window_open
    assert quote.window_end is not None


async def test_quote_hides_other_customers_orders_and_reports_a_closed_window(system: FakeSystem) -> None:
    with pytest.raises(OrderNotFoundError):
        await system.use_cases.quote_refund.execute(BEN, "ord_1")

    quote = await system.use_cases.quote_refund.execute(ANA, "ord_old")
    assert not quote.window_open
