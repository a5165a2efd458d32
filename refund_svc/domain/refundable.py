"""What each order line can still refund, and how much money a number of its units is worth.

Per line, refunds that hold money (pending, approved, processing, refunded) never exceed the
quantity bought or the amount paid. Units are priced pro rata of what is still refundable, rounded
down, and the last units take the remainder: refunding a line in parts sums exactly to what was
paid, however the parts are split and whatever was released (rejected, cancelled, failed) between.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from refund_svc.domain.money import Money
from refund_svc.domain.order import Order, OrderLine


@dataclass(frozen=True, slots=True)
class LineUsage:
    """Quantity and money of one order line already held by refunds that count."""

    quantity: int
    amount: Money


@dataclass(frozen=True, slots=True)
class RefundableLine:
    line: OrderLine
    quantity: int  # units not yet held by a refund that counts
    amount: Money  # money not yet held by such a refund

    def price(self, quantity: int) -> Money:
        """The money for `quantity` more units: a pro rata share of what is left; all of it for the rest."""
        if not 1 <= quantity <= self.quantity:
            raise ValueError(f"line {self.line.line_id} can price 1 to {self.quantity} units, not {quantity}")
        if quantity == self.quantity:
            return self.amount
        return self.amount.share(quantity, self.quantity)


def refundable_line(line: OrderLine, usage: LineUsage | None) -> RefundableLine:
    if usage is None:
        return RefundableLine(line, line.quantity, line.paid)
    # Clamped at zero so that inconsistent stored data can only ever refund less, never more.
    quantity = max(0, line.quantity - usage.quantity)
    amount = max(line.paid - usage.amount, Money.zero(line.paid.currency_code))
    if quantity == 0:
        amount = Money.zero(line.paid.currency_code)
    return RefundableLine(line, quantity, amount)


def refundable_lines(order: Order, usage: Mapping[str, LineUsage]) -> list[RefundableLine]:
    return [refundable_line(line, usage.get(line.line_id)) for line in order.lines]
