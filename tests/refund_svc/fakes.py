"""In-memory fakes that subclass refund_svc's ports, for fast use-case tests (no mocks)."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from refund_svc.application.ports import (
    Clock,
    IdempotencyKeys,
    IdempotencyRecord,
    IdGenerator,
    RefundFilter,
    RefundReader,
    RefundRepository,
    ShopPort,
    UnitOfWork,
)
from refund_svc.application.use_cases import RefundUseCases, build_use_cases
from refund_svc.domain.errors import ConcurrencyConflictError, ShopUnavailableError
from refund_svc.domain.money import Money
from refund_svc.domain.order import Order, OrderLine
from refund_svc.domain.policy import RefundRules
from refund_svc.domain.refund import HOLDING_STATUSES, Refund
from refund_svc.domain.refundable import LineUsage

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


def make_order(
    order_id: str = "ord_1",
    customer_id: str = "cus_1",
    *,
    lines: Sequence[tuple[str, int, int]] = (("ln_1", 1, 7900), ("ln_2", 3, 3508)),
    delivered_days_ago: int | None = 3,
    currency: str = "EUR",
) -> Order:
    """An order whose lines are (line id, quantity, paid minor units)."""
    return Order(
        order_id=order_id,
        customer_id=customer_id,
        currency_code=currency,
        lines=tuple(OrderLine(lid, f"Product {lid}", qty, Money(paid, currency)) for lid, qty, paid in lines),
        delivered_at=None if delivered_days_ago is None else NOW - timedelta(days=delivered_days_ago),
    )


class FakeShop(ShopPort):
    def __init__(self, *orders: Order) -> None:
        self.orders = {o.order_id: o for o in orders}
        self.unavailable = False
        self.calls = 0

    async def get_order(self, order_id: str) -> Order | None:
        self.calls += 1
        if self.unavailable:
            raise ShopUnavailableError("the shop is down")
        return self.orders.get(order_id)


class FixedClock(Clock):
    def __init__(self, now: datetime = NOW) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


class SequentialIds(IdGenerator):
    def __init__(self) -> None:
        self.count = 0

    def new_refund_id(self) -> str:
        self.count += 1
        return f"rf{self.count:04d}"


class InMemoryStore:
    """What a database would hold; every read and write copies, so nothing aliases."""

    def __init__(self) -> None:
        self.refunds: dict[str, Refund] = {}
        self.keys: dict[tuple[str, str], IdempotencyRecord] = {}
        self.lock = asyncio.Lock()
        self.commits = 0

    def usage(self, order_id: str) -> dict[str, LineUsage]:
        usage: dict[str, LineUsage] = {}
        for refund in self.refunds.values():
            if refund.order_id != order_id or refund.status not in HOLDING_STATUSES:
                continue
            for line in refund.lines:
                held = usage.get(line.order_line_id)
                usage[line.order_line_id] = (
                    LineUsage(line.quantity, line.amount)
                    if held is None
                    else LineUsage(held.quantity + line.quantity, held.amount + line.amount)
                )
        return usage


class _FakeRefunds(RefundRepository):
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    async def get(self, refund_id: str) -> Refund | None:
        found = self._uow.staged.get(refund_id) or self._uow.store.refunds.get(refund_id)
        return copy.deepcopy(found)

    async def line_usage(self, order_id: str) -> dict[str, LineUsage]:
        return self._uow.store.usage(order_id)

    async def next_number(self) -> int:
        return 2001 + len(self._uow.store.refunds) + len(self._uow.staged)

    async def add(self, refund: Refund) -> None:
        refund.mark_saved()
        self._uow.staged[refund.refund_id] = copy.deepcopy(refund)

    async def save(self, refund: Refund) -> None:
        stored = self._uow.store.refunds[refund.refund_id]
        if stored.version != refund.saved_changes:
            raise ConcurrencyConflictError("changed meanwhile")
        refund.mark_saved()
        self._uow.staged[refund.refund_id] = copy.deepcopy(refund)


class _FakeKeys(IdempotencyKeys):
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    async def find(self, scope: str, request_id: str) -> IdempotencyRecord | None:
        return self._uow.staged_keys.get((scope, request_id)) or self._uow.store.keys.get((scope, request_id))

    async def remember(self, record: IdempotencyRecord) -> None:
        self._uow.staged_keys[(record.scope, record.request_id)] = record


class FakeUnitOfWork(UnitOfWork):
    """Serialises like BEGIN IMMEDIATE; writes become visible only on commit."""

    def __init__(self, store: InMemoryStore) -> None:
        self.store = store
        self.staged: dict[str, Refund] = {}
        self.staged_keys: dict[tuple[str, str], IdempotencyRecord] = {}
        self.committed = False
        self._active = False
        self.refunds = _FakeRefunds(self)
        self.idempotency_keys = _FakeKeys(self)

    async def begin(self) -> None:
        await self.store.lock.acquire()
        self._active = True

    async def commit(self) -> None:
        self.store.refunds.update(self.staged)
        self.store.keys.update(self.staged_keys)
        self.store.commits += 1
        self.committed = True
        self._end()

    async def rollback(self) -> None:
        self._end()

    def _end(self) -> None:
        self.staged, self.staged_keys = {}, {}
        if self._active:
            self._active = False
            self.store.lock.release()


class FakeReader(RefundReader):
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    async def get(self, refund_id: str) -> Refund | None:
        return copy.deepcopy(self._store.refunds.get(refund_id))

    async def list_refunds(
        self, where: RefundFilter, *, before_number: int | None, limit: int
    ) -> Sequence[Refund]:
        matching = [
            copy.deepcopy(r)
            for r in self._store.refunds.values()
            if (where.customer_id is None or r.customer_id == where.customer_id)
            and (where.case_name is None or r.case_name == where.case_name)
            and (where.order_id is None or r.order_id == where.order_id)
            and (not where.statuses or r.status in where.statuses)
            and (before_number is None or r.number < before_number)
        ]
        return sorted(matching, key=lambda r: r.number, reverse=True)[:limit]

    async def line_usage(self, order_id: str) -> dict[str, LineUsage]:
        return self._store.usage(order_id)

    async def find_idempotency_key(self, scope: str, request_id: str) -> IdempotencyRecord | None:
        return self._store.keys.get((scope, request_id))


class FakeSystem:
    """Use cases wired to fakes, with handles on each fake for assertions."""

    def __init__(self, *orders: Order, rules: RefundRules | None = None) -> None:
        self.shop = FakeShop(*orders)
        self.store = InMemoryStore()
        self.clock = FixedClock()
        self.ids = SequentialIds()
        self.rules = rules or RefundRules()
        self.use_cases: RefundUseCases = build_use_cases(
            shop=self.shop,
            unit_of_work=lambda: FakeUnitOfWork(self.store),
            reader=FakeReader(self.store),
            clock=self.clock,
            ids=self.ids,
            rules=self.rules,
        )
