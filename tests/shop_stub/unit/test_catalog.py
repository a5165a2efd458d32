"""The stand-in shop's data: deterministic, consistent amounts, and the demo story holds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from shop_stub.catalog import Order, OrderStatus, ShopCatalog, build_catalog

TODAY = date(2026, 3, 15)


def _all_orders(catalog: ShopCatalog) -> list[Order]:
    return [order for customer in catalog.customer_ids() for order in catalog.orders_of(customer)]


def test_the_same_day_and_size_build_the_same_data() -> None:
    first, second = build_catalog(TODAY, 50), build_catalog(TODAY, 50)

    assert _all_orders(first) == _all_orders(second)
    assert len(_all_orders(first)) == 7 + 50 * 3


def test_generated_customers_do_not_depend_on_how_many_there_are() -> None:
    small, large = build_catalog(TODAY, 3), build_catalog(TODAY, 1000)

    assert small.orders_of("cus_100002") == large.orders_of("cus_100002")
    assert small.orders_of("cus_100003") == []
    assert large.orders_of("cus_100999") != []


def test_every_line_pays_at_most_its_price_and_the_total_is_the_sum_of_the_lines() -> None:
    for order in _all_orders(build_catalog(TODAY, 200)):
        assert order.lines, order.order_id
        assert order.currency_code == "EUR"
        assert len({line.line_id for line in order.lines}) == len(order.lines)
        for line in order.lines:
            assert line.quantity >= 1
            assert 0 < line.paid_minor <= line.unit_price_minor * line.quantity
            assert isinstance(line.paid_minor, int)
        assert order.total_paid_minor == sum(line.paid_minor for line in order.lines)


def test_the_demo_has_a_discount_and_a_line_of_three_or_more_units() -> None:
    lines = [line for order in _all_orders(build_catalog(TODAY)) for line in order.lines]

    assert any(line.paid_minor < line.unit_price_minor * line.quantity for line in lines)
    assert any(line.quantity >= 3 for line in lines)


def test_anas_orders_tell_the_demo_story_relative_to_today() -> None:
    catalog = build_catalog(TODAY)
    orders = {o.order_id: o for o in catalog.orders_of("cus_1001")}

    def delivered_days_ago(order_id: str) -> int | None:
        delivered = orders[order_id].delivery_time
        return None if delivered is None else (TODAY - delivered.date()).days

    assert set(orders) == {"ord_1001", "ord_1002", "ord_1003", "ord_1004"}
    assert delivered_days_ago("ord_1001") == 3
    assert delivered_days_ago("ord_1002") == 60
    assert orders["ord_1003"].status is OrderStatus.SHIPPED
    assert delivered_days_ago("ord_1003") is None
    assert orders["ord_1004"].total_paid_minor > 50_000
    assert len(catalog.orders_of("cus_1002")) == 3


def test_dates_follow_the_reference_day() -> None:
    later = build_catalog(TODAY + timedelta(days=10)).get_order("ord_1001")
    now = build_catalog(TODAY).get_order("ord_1001")

    assert later is not None
    assert now is not None
    assert later.place_time - now.place_time == timedelta(days=10)
    assert now.place_time.tzinfo is UTC
    assert now.place_time < datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC)


def test_orders_of_a_customer_are_newest_first() -> None:
    catalog = build_catalog(TODAY, 20)
    for customer in catalog.customer_ids():
        times = [(o.place_time, o.order_id) for o in catalog.orders_of(customer)]
        assert times == sorted(times, reverse=True)


@pytest.mark.parametrize("order_id", ["ord_999", "ord_1000003", "ord_01000000", "ord_x", "1001", ""])
def test_unknown_order_ids_find_nothing(order_id: str) -> None:
    assert build_catalog(TODAY, 1).get_order(order_id) is None


def test_a_generated_order_belongs_to_its_generated_customer() -> None:
    catalog = build_catalog(TODAY, 10)
    for customer in catalog.customer_ids()[2:]:
        for order in catalog.orders_of(customer):
            assert catalog.get_order(order.order_id) == order
            assert order.customer_id == customer


def test_a_negative_number_of_customers_is_refused() -> None:
    with pytest.raises(ValueError, match="extra_customers"):
        build_catalog(TODAY, -1)
