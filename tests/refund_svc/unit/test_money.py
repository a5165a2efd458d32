"""Money: integer minor units, one currency, no floats."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from refund_svc.domain.errors import CurrencyMismatchError
from refund_svc.domain.money import Money, total


def test_adds_and_subtracts_in_one_currency() -> None:
    assert Money(1999, "EUR") + Money(1, "EUR") == Money(2000, "EUR")
    assert Money(1999, "EUR") - Money(2000, "EUR") == Money(-1, "EUR")


@pytest.mark.parametrize(
    "operation",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a < b,
        lambda a, b: a <= b,
        lambda a, b: a > b,
        lambda a, b: a >= b,
    ],
)
def test_refuses_to_mix_currencies(operation: Any) -> None:
    with pytest.raises(CurrencyMismatchError) as caught:
        operation(Money(100, "EUR"), Money(100, "USD"))
    assert caught.value.reason == "CURRENCY_MISMATCH"


@pytest.mark.parametrize("amount", [19.99, 20.0, True, "1999", None])
def test_refuses_anything_but_an_int_amount(amount: Any) -> None:
    with pytest.raises(TypeError):
        Money(amount, "EUR")


@pytest.mark.parametrize("code", ["eur", "EURO", "E1R", "", "ÉUR"])
def test_refuses_a_malformed_currency_code(code: str) -> None:
    with pytest.raises(ValueError, match="ISO 4217"):
        Money(100, code)


def test_refuses_to_combine_with_a_number() -> None:
    with pytest.raises(TypeError):
        Money(100, "EUR") + 5  # type: ignore[operator]


def test_compares_within_a_currency() -> None:
    assert Money(1, "EUR") < Money(2, "EUR") <= Money(2, "EUR")
    assert Money(3, "EUR") > Money(2, "EUR") >= Money(2, "EUR")


def test_share_rounds_down_with_integers() -> None:
    assert Money(3508, "EUR").share(1, 3) == Money(1169, "EUR")
    assert Money(3508, "EUR").share(3, 3) == Money(3508, "EUR")
    with pytest.raises(ValueError, match="share"):
        Money(3508, "EUR").share(4, 3)


def test_total_of_nothing_is_zero_in_the_currency() -> None:
    assert total([], "EUR") == Money.zero("EUR")
    assert total([Money(1, "EUR"), Money(2, "EUR")], "EUR") == Money(3, "EUR")


def test_prints_for_people() -> None:
    assert str(Money(1999, "EUR")) == "19.99 EUR"
    assert str(Money(-5, "EUR")) == "-0.05 EUR"


@given(st.lists(st.integers(-(10**12), 10**12), max_size=20))
def test_total_is_the_integer_sum(amounts: list[int]) -> None:
    assert total([Money(a, "EUR") for a in amounts], "EUR") == Money(sum(amounts), "EUR")
