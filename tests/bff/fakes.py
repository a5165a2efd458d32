"""Fakes of the BFF's ports (they subclass the real ABCs)."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher

from bff.accounts import Account, UserDirectory
from bff.orders import OrderSource, ShopOrder
from kit.identity import Identity, Role

PASSWORD = "demo-password"


class FakeDirectory(UserDirectory):
    def __init__(self, *accounts: Account) -> None:
        self._accounts = {a.id: a for a in accounts}

    def by_email(self, email: str) -> Account | None:
        return next((a for a in self._accounts.values() if a.email == email.strip().lower()), None)

    def by_id(self, user_id: str) -> Account | None:
        return self._accounts.get(user_id)

    def accounts(self) -> list[Account]:
        return list(self._accounts.values())


def account(user_id: str, name: str, role: Role, email: str = "", password_hash: str = "-") -> Account:
    return Account(
        id=user_id, name=name, email=email or f"{user_id}@example.com", role=role, password_hash=password_hash
    )


# Cheap argon2id parameters: the tests sign in often and the real ones cost ~170 ms per check.
_FAST_HASH = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1).hash(PASSWORD)


def demo_directory() -> FakeDirectory:
    """The five demo people, with the demo password hashed cheaply."""
    people = [
        ("cus_1001", "Ana Costa", Role.CUSTOMER, "ana"),
        ("cus_1002", "Ben Okafor", Role.CUSTOMER, "ben"),
        ("agt_2001", "Sam Rivera", Role.AGENT, "sam"),
        ("agt_2003", "Kim Park", Role.AGENT, "kim"),
        ("agt_2002", "Lee Moreau", Role.LEAD, "lee"),
    ]
    return FakeDirectory(
        *(account(i, n, r, email=f"{e}@example.com", password_hash=_FAST_HASH) for i, n, r, e in people)
    )


class FakeOrderSource(OrderSource):
    """Counts upstream calls; holds each call open until `release` is set, so misses can pile up."""

    def __init__(self, orders: list[ShopOrder], *, fail: Exception | None = None) -> None:
        self.orders = {o.order.id: o for o in orders}
        self.calls = 0
        self.fail = fail
        self.release = asyncio.Event()
        self.release.set()

    async def orders_of(self, who: Identity, customer_id: str) -> list[ShopOrder]:
        self.calls += 1
        await self.release.wait()
        if self.fail is not None:
            raise self.fail
        return [o for o in self.orders.values() if o.customer_id == customer_id]

    async def order(self, who: Identity, order_id: str) -> ShopOrder | None:
        self.calls += 1
        await self.release.wait()
        if self.fail is not None:
            raise self.fail
        return self.orders.get(order_id)
