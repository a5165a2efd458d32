"""The shop's order as the refund context sees it: what was bought and paid, and when delivered.

The shop owns orders; this is our own model of them, filled by the shop adapter (anti-corruption).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from refund_svc.domain.errors import CurrencyMismatchError
from refund_svc.domain.money import Money


@dataclass(frozen=True, slots=True)
class OrderLine:
    line_id: str
    product_title: str
    quantity: int
    paid: Money  # for the whole line, after discounts

    def __post_init__(self) -> None:
        if self.quantity < 1:
            raise ValueError(f"order line {self.line_id} has quantity {self.quantity}")
        if self.paid.is_negative:
            raise ValueError(f"order line {self.line_id} has a negative paid amount")


@dataclass(frozen=True, slots=True)
class Order:
    order_id: str
    customer_id: str
    currency_code: str
    lines: tuple[OrderLine, ...]
    delivered_at: datetime | None  # None until delivered: the refund window has not started

    def __post_init__(self) -> None:
        for line in self.lines:
            if line.paid.currency_code != self.currency_code:
                raise CurrencyMismatchError(
                    f"order {self.order_id} mixes {line.paid.currency_code} into a "
                    f"{self.currency_code} order",
                    metadata={"order_id": self.order_id},
                )

    def line(self, line_id: str) -> OrderLine | None:
        return next((line for line in self.lines if line.line_id == line_id), None)
