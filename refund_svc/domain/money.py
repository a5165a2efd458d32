"""Money: integer minor units of one ISO 4217 currency. No floats, no mixing currencies."""

from __future__ import annotations

from dataclasses import dataclass

from refund_svc.domain.errors import CurrencyMismatchError


@dataclass(frozen=True, slots=True, order=False)
class Money:
    amount_minor: int
    currency_code: str

    def __post_init__(self) -> None:
        # bool is an int subclass; True cents would be a bug, so refuse it along with floats.
        if type(self.amount_minor) is not int:
            raise TypeError(f"amount_minor must be an int, not {type(self.amount_minor).__name__}")
        code = self.currency_code
        if not (len(code) == 3 and code.isascii() and code.isalpha() and code.isupper()):
            raise ValueError(f"currency_code must be an ISO 4217 code like 'EUR', not {code!r}")

    @classmethod
    def zero(cls, currency_code: str) -> Money:
        return cls(0, currency_code)

    def _same_currency(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency_code != self.currency_code:
            raise CurrencyMismatchError(
                f"cannot combine {self.currency_code} with {other.currency_code}",
                metadata={"currencies": f"{self.currency_code},{other.currency_code}"},
            )

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount_minor + other.amount_minor, self.currency_code)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount_minor - other.amount_minor, self.currency_code)

    def __lt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount_minor < other.amount_minor

    def __le__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount_minor <= other.amount_minor

    def __gt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount_minor > other.amount_minor

    def __ge__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount_minor >= other.amount_minor

    def share(self, part: int, whole: int) -> Money:
        """`part/whole` of this amount, rounded down (integer arithmetic, never floats)."""
        if whole <= 0 or not 0 <= part <= whole:
            raise ValueError(f"share needs 0 <= part <= whole and whole > 0, got {part}/{whole}")
        return Money(self.amount_minor * part // whole, self.currency_code)

    @property
    def is_negative(self) -> bool:
        return self.amount_minor < 0

    def __str__(self) -> str:
        sign = "-" if self.amount_minor < 0 else ""
        units, cents = divmod(abs(self.amount_minor), 100)
        return f"{sign}{units}.{cents:02d} {self.currency_code}"


def total(amounts: list[Money] | tuple[Money, ...], currency_code: str) -> Money:
    """The sum of `amounts`, all in `currency_code` (zero when there are none)."""
    result = Money.zero(currency_code)
    for amount in amounts:
        result = result + amount
    return result
