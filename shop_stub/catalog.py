"""The stand-in shop's data: products, customers and orders, built deterministically.

Dates are relative to a reference day (today at start-up) so the demo always makes sense: one of
Ana's orders was delivered three days ago, another sixty days ago (outside the refund window).
Nothing here is random between runs: generated customers derive everything from fixed seeds.
Money is integer minor units (EUR cents); a line's paid amount is after discounts.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

CURRENCY = "EUR"
FIRST_GENERATED_CUSTOMER = 100_000
FIRST_GENERATED_ORDER = 1_000_000
ORDERS_PER_GENERATED_CUSTOMER = 3


class OrderStatus(StrEnum):
    PAID = "PAID"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"


@dataclass(frozen=True, slots=True)
class Product:
    product_id: str
    title: str
    unit_price_minor: int


@dataclass(frozen=True, slots=True)
class OrderLine:
    line_id: str
    product: Product
    quantity: int
    unit_price_minor: int
    paid_minor: int  # for the whole line, after discounts: never more than unit price times quantity


@dataclass(frozen=True, slots=True)
class Order:
    order_id: str
    customer_id: str
    lines: tuple[OrderLine, ...]
    status: OrderStatus
    place_time: datetime
    delivery_time: datetime | None
    currency_code: str = CURRENCY

    @property
    def total_paid_minor(self) -> int:
        return sum(line.paid_minor for line in self.lines)


PRODUCTS: dict[str, Product] = {
    p.product_id: p
    for p in (
        Product("prd_101", "Wireless headphones", 7900),
        Product("prd_102", "Phone case", 1299),
        Product("prd_103", "Coffee grinder", 4990),
        Product("prd_104", "Running shoes", 8995),
        Product("prd_105", "Sports socks (pair)", 499),
        Product("prd_106", "Espresso machine", 64900),
        Product("prd_107", "Descaling tablets", 950),
        Product("prd_108", "Desk lamp", 3450),
        Product("prd_109", "Office chair", 21900),
        Product("prd_110", "Notebook A5", 349),
        Product("prd_111", "USB-C cable", 1490),
        Product("prd_112", "Water bottle", 2250),
    )
}


def _line(number: int, product_id: str, quantity: int, discount_percent: int = 0) -> OrderLine:
    product = PRODUCTS[product_id]
    gross = product.unit_price_minor * quantity
    discount = gross * discount_percent // 100  # integer arithmetic: the shop rounds discounts down
    return OrderLine(f"ln_{number}", product, quantity, product.unit_price_minor, gross - discount)


def _at(day: date, days_ago: int, hour: int) -> datetime:
    return datetime.combine(day - timedelta(days=days_ago), time(hour, 0), tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class _DemoOrder:
    order_id: str
    customer_id: str
    lines: tuple[OrderLine, ...]
    placed_days_ago: int
    delivered_days_ago: int | None
    shipped: bool = True


# The demo story (see the README of the system): who bought what, and how long ago.
_DEMO_ORDERS: tuple[_DemoOrder, ...] = (
    # Ana: delivered 3 days ago, inside the 30-day window; three phone cases bought with 10 % off.
    _DemoOrder("ord_1001", "cus_1001", (_line(1, "prd_101", 1), _line(2, "prd_102", 3, 10)), 7, 3),
    # Ana: delivered 60 days ago, outside the refund window.
    _DemoOrder("ord_1002", "cus_1001", (_line(1, "prd_103", 1), _line(2, "prd_111", 2)), 65, 60),
    # Ana: shipped, not delivered yet.
    _DemoOrder("ord_1003", "cus_1001", (_line(1, "prd_104", 1), _line(2, "prd_105", 3)), 2, None),
    # Ana: above 500.00, a refund of the machine needs a lead's approval.
    _DemoOrder("ord_1004", "cus_1001", (_line(1, "prd_106", 1), _line(2, "prd_107", 4, 5)), 14, 10),
    # Ben: delivered 5 days ago; lamps with 15 % off, three bottles.
    _DemoOrder("ord_1005", "cus_1002", (_line(1, "prd_108", 2, 15), _line(2, "prd_112", 3)), 9, 5),
    # Ben: delivered 21 days ago; between the auto-approve and the lead limits.
    _DemoOrder("ord_1006", "cus_1002", (_line(1, "prd_109", 1),), 25, 21),
    # Ben: paid, not shipped yet.
    _DemoOrder("ord_1007", "cus_1002", (_line(1, "prd_110", 5),), 1, None, shipped=False),
)

DEMO_CUSTOMER_IDS: tuple[str, ...] = ("cus_1001", "cus_1002")


def _demo_order(spec: _DemoOrder, today: date) -> Order:
    place_time = _at(today, spec.placed_days_ago, 9)
    if spec.delivered_days_ago is not None:
        return Order(
            spec.order_id,
            spec.customer_id,
            spec.lines,
            OrderStatus.DELIVERED,
            place_time,
            _at(today, spec.delivered_days_ago, 15),
        )
    status = OrderStatus.SHIPPED if spec.shipped else OrderStatus.PAID
    return Order(spec.order_id, spec.customer_id, spec.lines, status, place_time, None)


def _generated_order(number: int, customer_id: str, today: date) -> Order:
    # A string seed is hashed with SHA-512 by `random`, so it is the same in every process.
    rng = random.Random(f"acme-shop-order:{number}")
    product_ids = sorted(PRODUCTS)
    lines = tuple(
        _line(i, rng.choice(product_ids), rng.randint(1, 4), rng.choice((0, 0, 0, 10, 20)))
        for i in range(1, rng.randint(1, 3) + 1)
    )
    delivered_days_ago = rng.choice((None, 1, 3, 7, 14, 20, 29, 45, 90))
    if delivered_days_ago is None:
        placed_days_ago = rng.randint(0, 4)
        return Order(
            f"ord_{number}", customer_id, lines, OrderStatus.SHIPPED, _at(today, placed_days_ago, 10), None
        )
    placed_days_ago = delivered_days_ago + rng.randint(1, 5)
    return Order(
        f"ord_{number}",
        customer_id,
        lines,
        OrderStatus.DELIVERED,
        _at(today, placed_days_ago, 10),
        _at(today, delivered_days_ago, 16),
    )


def _newest_first(orders: Sequence[Order]) -> list[Order]:
    return sorted(orders, key=lambda o: (o.place_time, o.order_id), reverse=True)


class ShopCatalog:
    """All orders of the stand-in shop, in memory.

    Demo orders are built once; orders of generated customers (for benchmarks, possibly hundreds of
    thousands) are derived on demand from their number, which costs no memory and is deterministic.
    """

    def __init__(self, today: date, extra_customers: int = 0) -> None:
        if extra_customers < 0:
            raise ValueError("extra_customers must not be negative")
        self.today = today
        self.extra_customers = extra_customers
        self._demo_orders = {spec.order_id: _demo_order(spec, today) for spec in _DEMO_ORDERS}

    def customer_ids(self) -> list[str]:
        generated = (f"cus_{FIRST_GENERATED_CUSTOMER + i}" for i in range(self.extra_customers))
        return [*DEMO_CUSTOMER_IDS, *generated]

    def get_order(self, order_id: str) -> Order | None:
        demo = self._demo_orders.get(order_id)
        if demo is not None:
            return demo
        number = self._generated_order_number(order_id)
        if number is None:
            return None
        index = (number - FIRST_GENERATED_ORDER) // ORDERS_PER_GENERATED_CUSTOMER
        return _generated_order(number, f"cus_{FIRST_GENERATED_CUSTOMER + index}", self.today)

    def orders_of(self, customer_id: str) -> list[Order]:
        """The customer's orders, newest first (by place time, then order id)."""
        index = self._generated_customer_index(customer_id)
        if index is None:
            return _newest_first([o for o in self._demo_orders.values() if o.customer_id == customer_id])
        first = FIRST_GENERATED_ORDER + index * ORDERS_PER_GENERATED_CUSTOMER
        return _newest_first(
            [
                _generated_order(number, customer_id, self.today)
                for number in range(first, first + ORDERS_PER_GENERATED_CUSTOMER)
            ]
        )

    def _generated_order_number(self, order_id: str) -> int | None:
        digits = order_id.removeprefix("ord_")
        if digits == order_id or not digits.isdigit() or digits != str(int(digits)):
            return None
        number = int(digits)
        limit = FIRST_GENERATED_ORDER + self.extra_customers * ORDERS_PER_GENERATED_CUSTOMER
        return number if FIRST_GENERATED_ORDER <= number < limit else None

    def _generated_customer_index(self, customer_id: str) -> int | None:
        digits = customer_id.removeprefix("cus_")
        if digits == customer_id or not digits.isdigit() or digits != str(int(digits)):
            return None
        index = int(digits) - FIRST_GENERATED_CUSTOMER
        return index if 0 <= index < self.extra_customers else None


def build_catalog(today: date, extra_customers: int = 0) -> ShopCatalog:
    """The shop's data as of `today` (UTC), plus `extra_customers` generated customers."""
    return ShopCatalog(today, extra_customers)
