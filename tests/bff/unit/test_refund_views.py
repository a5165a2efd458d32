"""What each person sees of a refund, and may do with it (the can* flags), with fakes of the lookups."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bff import schemas
from bff.accounts import Account
from bff.orders import ShopOrder
from bff.records import SYSTEM, DecisionRecord, RefundLineRecord, RefundRecord
from bff.refunds import Actions, RefundViews, allowed_actions
from kit.identity import Identity
from tests.bff.fakes import demo_directory

WHEN = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
EUR = schemas.Money(amount_minor=7900, currency="EUR")
DIRECTORY = demo_directory()
ANA, BEN, SAM, KIM, LEE = (
    DIRECTORY.by_id(i) for i in ("cus_1001", "cus_1002", "agt_2001", "agt_2003", "agt_2002")
)


def person(account: Account | None) -> Account:
    assert account is not None
    return account


def refund(**changes: object) -> RefundRecord:
    base = RefundRecord(
        id="r1",
        number="R-2001",
        case_id="10001",
        order_id="ord_1001",
        customer_id="cus_1001",
        status="pending_approval",
        lines=(RefundLineRecord("ln_1", 1, EUR),),
        total=EUR,
        reason="damaged",
        method="original_payment",
        requested_by="cus_1001",
        created_at=WHEN,
        updated_at=WHEN,
        etag='"1"',
        required_approval="agent",
        outside_refund_window=False,
        note="",
        decision=None,
        failure_reason="",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("viewer", "record", "expected"),
    [
        # The customer who gets the money may cancel while it waits; nobody else may.
        (ANA, refund(), Actions(cancel=True, approve=False, reject=False, retry=False)),
        (BEN, refund(), Actions(cancel=False, approve=False, reject=False, retry=False)),
        (ANA, refund(status="approved"), Actions(cancel=False, approve=False, reject=False, retry=False)),
        # Agents and leads decide what waits...
        (SAM, refund(), Actions(cancel=False, approve=True, reject=True, retry=False)),
        (LEE, refund(), Actions(cancel=False, approve=True, reject=True, retry=False)),
        # ...only a lead above the lead limit...
        (
            SAM,
            refund(required_approval="lead"),
            Actions(cancel=False, approve=False, reject=True, retry=False),
        ),
        (
            LEE,
            refund(required_approval="lead"),
            Actions(cancel=False, approve=True, reject=True, retry=False),
        ),
        # ...and nobody what they asked for themselves.
        (
            SAM,
            refund(requested_by="agt_2001"),
            Actions(cancel=False, approve=False, reject=True, retry=False),
        ),
        (KIM, refund(requested_by="agt_2001"), Actions(cancel=False, approve=True, reject=True, retry=False)),
        (
            LEE,
            refund(requested_by="agt_2002", required_approval="lead"),
            Actions(cancel=False, approve=False, reject=True, retry=False),
        ),
        # A failed payout goes again by the support team only.
        (SAM, refund(status="failed"), Actions(cancel=False, approve=False, reject=False, retry=True)),
        (ANA, refund(status="failed"), Actions(cancel=False, approve=False, reject=False, retry=False)),
        (LEE, refund(status="refunded"), Actions(cancel=False, approve=False, reject=False, retry=False)),
    ],
)
def test_what_each_person_may_do_with_a_refund(
    viewer: Account | None, record: RefundRecord, expected: Actions
) -> None:
    assert allowed_actions(person(viewer), record) == expected


class FakeSupport:
    def __init__(self, numbers: dict[str, str]) -> None:
        self.numbers = numbers
        self.asked: list[set[str]] = []

    async def case_numbers(self, who: Identity, case_ids: Iterable[str]) -> dict[str, str]:
        wanted = set(case_ids)
        self.asked.append(wanted)
        return {i: self.numbers[i] for i in wanted if i in self.numbers}


class FakeOrders:
    def __init__(self, *orders: ShopOrder, fail: bool = False) -> None:
        self.orders = {o.order.id: o for o in orders}
        self.fail = fail
        self.asked: list[str] = []

    async def order(self, who: Identity, order_id: str) -> ShopOrder | None:
        self.asked.append(order_id)
        if self.fail:
            raise ConnectionError("the shop is away")
        return self.orders.get(order_id)


def shop_order(order_id: str, customer_id: str, title: str) -> ShopOrder:
    line = schemas.OrderLine(id="ln_1", product_title=title, quantity=1, unit_price=EUR, paid=EUR)
    order = schemas.Order(
        id=order_id, placed_at=WHEN, delivered_at=None, status="paid", total=EUR, lines=[line]
    )
    return ShopOrder(customer_id=customer_id, order=order)


async def test_names_titles_and_numbers_come_with_one_lookup_per_distinct_case_and_order() -> None:
    support = FakeSupport({"10001": "C-10001", "10002": "C-10002"})
    orders = FakeOrders(
        shop_order("ord_1001", "cus_1001", "Headphones"), shop_order("ord_1004", "cus_1001", "Mug")
    )
    views = RefundViews(directory=DIRECTORY, support=support, orders=orders)
    records = [refund(id="a"), refund(id="b"), refund(id="c", case_id="10002", order_id="ord_1004")]

    shown = await views.render(person(SAM), records)

    assert [(r.case_number, r.lines[0].product_title) for r in shown] == [
        ("C-10001", "Headphones"),
        ("C-10001", "Headphones"),
        ("C-10002", "Mug"),
    ]
    assert support.asked == [{"10001", "10002"}]
    assert sorted(orders.asked) == ["ord_1001", "ord_1004"]
    assert shown[0].requested_by == schemas.Actor(id="cus_1001", name="Ana Costa", role="customer")


def the_case() -> schemas.Case:
    return schemas.Case.model_validate(
        {
            "id": "10001",
            "number": "C-10001",
            "orderId": "ord_1001",
            "orderLineIds": [],
            "category": "other",
            "subject": "s",
            "description": "d",
            "priority": "normal",
            "status": "open",
            "assignee": None,
            "createdAt": WHEN,
            "updatedAt": WHEN,
            "firstResponseDueAt": None,
            "resolutionDueAt": None,
            "firstRespondedAt": None,
            "slaBreached": False,
            "etag": "1",
            "previousCaseNumber": None,
        }
    )


async def test_what_the_page_already_has_is_not_asked_for_again() -> None:
    support, orders = FakeSupport({}), FakeOrders()
    views = RefundViews(directory=DIRECTORY, support=support, orders=orders)

    shown = await views.render(
        person(ANA), [refund()], case=the_case(), order=shop_order("ord_1001", "cus_1001", "Headphones")
    )

    assert (shown[0].case_number, shown[0].lines[0].product_title) == ("C-10001", "Headphones")
    assert (support.asked, orders.asked) == ([], [])


def test_a_page_that_has_everything_renders_without_waiting_for_anything() -> None:
    """A kept case page has its case and order: rendering it schedules no task (each one cost the
    page ~10 us, bench/README.md), so the coroutine finishes on its first step."""
    views = RefundViews(directory=DIRECTORY, support=FakeSupport({}), orders=FakeOrders())
    order = shop_order("ord_1001", "cus_1001", "Headphones")

    for refunds in ([refund()], []):
        rendering = views.render(person(ANA), refunds, case=the_case(), order=order)
        with pytest.raises(StopIteration) as finished:
            rendering.send(None)
        assert len(finished.value.value) == len(refunds)


async def test_the_shop_being_away_costs_the_titles_only() -> None:
    views = RefundViews(
        directory=DIRECTORY, support=FakeSupport({"10001": "C-10001"}), orders=FakeOrders(fail=True)
    )

    (shown,) = await views.render(person(ANA), [refund()])

    assert shown.lines[0].product_title is None
    assert shown.case_number == "C-10001"


async def test_titles_only_from_the_refunds_own_customers_order() -> None:
    views = RefundViews(
        directory=DIRECTORY,
        support=FakeSupport({}),
        orders=FakeOrders(shop_order("ord_1001", "cus_1002", "Someone else's")),
    )

    (shown,) = await views.render(person(SAM), [refund()])

    assert shown.lines[0].product_title is None
    assert shown.case_number is None


async def test_customers_never_see_why_a_payout_failed_and_the_policy_decides_as_nobody() -> None:
    views = RefundViews(directory=DIRECTORY, support=FakeSupport({}), orders=FakeOrders())
    failed = refund(
        status="failed",
        failure_reason="card expired",
        decision=DecisionRecord("approved", SYSTEM, "auto_approve", "approved by policy", WHEN),
    )

    (for_ana,) = await views.render(person(ANA), [failed])
    (for_sam,) = await views.render(person(SAM), [failed])

    assert for_ana.failure_reason is None
    assert "card expired" not in for_ana.model_dump_json()
    assert for_sam.failure_reason == "card expired"
    assert for_ana.decision is not None
    assert for_ana.decision.by is None
    assert for_ana.decision.comment == "approved by policy"


async def test_people_the_directory_does_not_know_are_named_by_what_they_are() -> None:
    views = RefundViews(directory=DIRECTORY, support=FakeSupport({}), orders=FakeOrders())
    record = refund(
        customer_id="cus_9999",
        requested_by="cus_9999",
        decision=DecisionRecord("rejected", "agt_9999", "agent_approval", "", WHEN),
    )

    (shown,) = await views.render(person(SAM), [record])

    assert shown.requested_by == schemas.Actor(id="cus_9999", name="Customer", role="customer")
    assert shown.decision is not None
    assert shown.decision.by == schemas.Actor(id="agt_9999", name="Support team", role="agent")
    assert (shown.decision.comment, shown.note) == (None, None)
