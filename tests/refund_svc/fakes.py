"""In-memory fakes that subclass refund_svc's ports, for fast use-case tests (no mocks)."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from refund_svc.application.payouts import PayOutRefund, PayoutWorker
from refund_svc.application.ports import (
    EVENTS_PER_BATCH_MAX,
    BatchesUnsupportedError,
    CasePort,
    CaseRef,
    Clock,
    EventDeliveryError,
    EventRejectedError,
    IdempotencyKeys,
    IdempotencyRecord,
    IdGenerator,
    Outbox,
    OutboxEntry,
    OutboxStats,
    PaymentGateway,
    PaymentGatewayUnavailableError,
    PayoutClaim,
    PayoutRequest,
    PayoutResult,
    PayoutSchedule,
    RefundFilter,
    RefundReader,
    RefundRepository,
    RefundTotals,
    ShopPort,
    SupportPort,
    SupportUnavailableError,
    UnitOfWork,
)
from refund_svc.application.relay import OutboxRelay
from refund_svc.application.use_cases import RefundUseCases, build_use_cases
from refund_svc.domain.errors import CasesUnavailableError, ConcurrencyConflictError, ShopUnavailableError
from refund_svc.domain.events import RefundEvent
from refund_svc.domain.money import Money
from refund_svc.domain.order import Order, OrderLine
from refund_svc.domain.policy import RefundRules
from refund_svc.domain.refund import HOLDING_STATUSES, Refund, RefundStatus
from refund_svc.domain.refundable import LineUsage

PAYABLE = (RefundStatus.APPROVED, RefundStatus.PROCESSING)

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
        self.last_order: Order | None = None

    async def get_order(self, order_id: str) -> Order | None:
        self.calls += 1
        if self.unavailable:
            raise ShopUnavailableError("the shop is down")
        self.last_order = self.orders.get(order_id)
        return self.last_order


class FakeCases(CasePort):
    """support_svc's cases as refund_svc sees them: the ones added, else what `default` says."""

    def __init__(self, default: Callable[[str], CaseRef | None] = lambda name: None) -> None:
        self.cases: dict[str, CaseRef] = {}
        self.default = default
        self.unavailable = False
        self.calls = 0

    def add(self, name: str, customer_id: str, order_id: str) -> None:
        self.cases[name] = CaseRef(name, customer_id, order_id)

    async def find_case(self, case_name: str) -> CaseRef | None:
        self.calls += 1
        if self.unavailable:
            raise CasesUnavailableError("support is down")
        return self.cases.get(case_name) or self.default(case_name)


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
        self.outbox: list[OutboxRow] = []
        self.payout_due: dict[str, datetime] = {}  # absent: due at once
        self.payout_attempts: dict[str, int] = {}
        self.lock = asyncio.Lock()
        self.commits = 0

    def waiting(self) -> list[OutboxRow]:
        return [row for row in self.outbox if row.delivered_at is None and row.dead_reason is None]

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


@dataclass
class OutboxRow:
    position: int
    event: RefundEvent
    delivered_at: datetime | None = None
    dead_reason: str | None = None


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
        self._uow.staged_events.extend(refund.unsaved_events())
        refund.mark_saved()
        self._uow.staged[refund.refund_id] = copy.deepcopy(refund)

    async def save(self, refund: Refund) -> None:
        stored = self._uow.staged.get(refund.refund_id) or self._uow.store.refunds[refund.refund_id]
        if stored.version != refund.saved_changes:
            raise ConcurrencyConflictError("changed meanwhile")
        self._uow.staged_events.extend(refund.unsaved_events())
        refund.mark_saved()
        self._uow.staged[refund.refund_id] = copy.deepcopy(refund)


class _FakeKeys(IdempotencyKeys):
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    async def find(self, scope: str, request_id: str) -> IdempotencyRecord | None:
        return self._uow.staged_keys.get((scope, request_id)) or self._uow.store.keys.get((scope, request_id))

    async def remember(self, record: IdempotencyRecord) -> None:
        self._uow.staged_keys[(record.scope, record.request_id)] = record

    async def forget_older_than(self, cutoff: datetime, *, limit: int) -> int:
        old = [key for key, record in self._uow.store.keys.items() if record.created_at < cutoff][:limit]
        for key in old:
            self._uow.later(lambda key=key: self._uow.store.keys.pop(key, None))  # type: ignore[misc]
        return len(old)


class _FakePayouts(PayoutSchedule):
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    async def claim(self, refund_id: str, now: datetime, lease_until: datetime) -> PayoutClaim | None:
        store = self._uow.store
        refund = self._uow.staged.get(refund_id) or store.refunds.get(refund_id)
        if refund is None or refund.status not in PAYABLE or store.payout_due.get(refund_id, now) > now:
            return None
        self._uow.later(lambda: store.payout_due.__setitem__(refund_id, lease_until))
        return PayoutClaim(refund_id, store.payout_attempts.get(refund_id, 0))

    async def defer(self, refund_id: str, until: datetime) -> None:
        store = self._uow.store

        def apply() -> None:
            store.payout_due[refund_id] = until
            store.payout_attempts[refund_id] = store.payout_attempts.get(refund_id, 0) + 1

        self._uow.later(apply)

    async def release(self, refund_id: str) -> None:
        store = self._uow.store
        self._uow.later(
            lambda: (store.payout_due.pop(refund_id, None), store.payout_attempts.pop(refund_id, None))
        )


class _FakeOutbox(Outbox):
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    def _row(self, position: int) -> OutboxRow:
        return next(row for row in self._uow.store.outbox if row.position == position)

    async def mark_delivered(self, position: int, at: datetime) -> None:
        row = self._row(position)
        self._uow.later(lambda: setattr(row, "delivered_at", at))

    async def mark_dead(self, position: int, at: datetime, reason: str) -> None:
        row = self._row(position)
        self._uow.later(lambda: setattr(row, "dead_reason", reason))


class FakeUnitOfWork(UnitOfWork):
    """Serialises like BEGIN IMMEDIATE; writes become visible only on commit."""

    def __init__(self, store: InMemoryStore, on_commit: Callable[[], None] | None = None) -> None:
        self.store = store
        self.staged: dict[str, Refund] = {}
        self.staged_keys: dict[tuple[str, str], IdempotencyRecord] = {}
        self.staged_events: list[RefundEvent] = []
        self._later: list[Callable[[], object]] = []
        self.committed = False
        self._active = False
        self._on_commit = on_commit
        self.refunds = _FakeRefunds(self)
        self.idempotency_keys = _FakeKeys(self)
        self.payouts = _FakePayouts(self)
        self.outbox = _FakeOutbox(self)

    def later(self, change: Callable[[], object]) -> None:
        """A write that becomes visible on commit."""
        self._later.append(change)

    async def begin(self) -> None:
        await self.store.lock.acquire()
        self._active = True

    async def commit(self) -> None:
        self.store.refunds.update(self.staged)
        self.store.keys.update(self.staged_keys)
        for event in self.staged_events:
            self.store.outbox.append(OutboxRow(len(self.store.outbox) + 1, event))
        for change in self._later:
            change()
        self.store.commits += 1
        self.committed = True
        self._end()
        if self._on_commit is not None:
            self._on_commit()

    async def rollback(self) -> None:
        self._end()

    def _end(self) -> None:
        self.staged, self.staged_keys, self.staged_events, self._later = {}, {}, [], []
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

    async def due_payouts(self, now: datetime, *, limit: int) -> list[str]:
        due = [
            r
            for r in self._store.refunds.values()
            if r.status in PAYABLE and self._store.payout_due.get(r.refund_id, now) <= now
        ]
        due.sort(
            key=lambda r: (self._store.payout_due.get(r.refund_id, NOW - timedelta(days=10**4)), r.number)
        )
        return [r.refund_id for r in due[:limit]]

    async def pending_events(self, *, limit: int) -> list[OutboxEntry]:
        return [OutboxEntry(row.position, row.event) for row in self._store.waiting()[:limit]]

    async def outbox_stats(self) -> OutboxStats:
        dead = sum(1 for row in self._store.outbox if row.dead_reason is not None)
        return OutboxStats(backlog=len(self._store.waiting()), dead_letters=dead)

    async def pending_totals(self) -> RefundTotals:
        return _totals(r for r in self._store.refunds.values() if r.status is RefundStatus.PENDING_APPROVAL)

    async def refunded_totals(self, start: datetime, end: datetime) -> RefundTotals:
        return _totals(
            r
            for r in self._store.refunds.values()
            if r.status is RefundStatus.REFUNDED and start <= r.updated_at < end
        )


def _totals(refunds: Iterable[Refund]) -> RefundTotals:
    count = 0
    sums: dict[str, Money] = {}
    for refund in refunds:
        count += 1
        held = sums.get(refund.currency_code)
        sums[refund.currency_code] = refund.total if held is None else held + refund.total
    return RefundTotals(count, tuple(sums[code] for code in sorted(sums)))


class FakeGateway(PaymentGateway):
    """Pays once per key like the real thing; `script` queues outcomes: "pay", "decline", "down"."""

    def __init__(self) -> None:
        self.calls: list[PayoutRequest] = []
        self.paid: dict[str, PayoutResult] = {}
        self.script: list[str] = []
        self.started = asyncio.Event()
        self.release: asyncio.Event | None = None  # when set up, calls wait for it (in-flight tests)
        self.crash_after_paying = False  # pays, then the caller never hears back (a process dying)

    async def pay_out(self, request: PayoutRequest) -> PayoutResult:
        self.calls.append(request)
        self.started.set()
        if self.release is not None:
            await self.release.wait()
        if request.idempotency_key in self.paid:
            earlier = self.paid[request.idempotency_key]
            return PayoutResult(paid=True, reference=earlier.reference, replayed=True)
        outcome = self.script.pop(0) if self.script else "pay"
        if outcome == "down":
            raise PaymentGatewayUnavailableError("gateway timed out")
        if outcome == "decline":
            return PayoutResult(paid=False, failure_reason="The card has expired")
        result = PayoutResult(paid=True, reference=f"po_{len(self.paid) + 1}")
        self.paid[request.idempotency_key] = result
        if self.crash_after_paying:
            raise RuntimeError("the process died after the gateway paid")
        return result


class FakeSupport(SupportPort):
    """Records what it is told; can be down, refuse cases, or fail single events. A batch is all or
    nothing, as support_svc's: one refused or failing event and none of it is received."""

    def __init__(self) -> None:
        self.received: list[RefundEvent] = []
        self.calls: list[tuple[str, ...]] = []  # per call, batch or single, the event ids it carried
        self.batch_calls = 0
        self.down = False
        self.unknown_cases: set[str] = set()
        self.failing_events: set[str] = set()
        self.gate: asyncio.Event | None = None  # when set up, deliveries wait for it
        self.down_after: int | None = None  # down once this many events were received
        self.takes_batches = True  # False: an older support_svc (UNIMPLEMENTED)

    async def record_refund_event(self, event: RefundEvent) -> bool:
        self.calls.append((event.event_id,))
        if self.gate is not None:
            await self.gate.wait()
        self._check(event)
        return self._receive(event)

    async def record_refund_events(self, events: Sequence[RefundEvent]) -> list[bool]:
        assert 1 <= len(events) <= EVENTS_PER_BATCH_MAX
        self.calls.append(tuple(event.event_id for event in events))
        self.batch_calls += 1
        if not self.takes_batches:
            raise BatchesUnsupportedError("UNIMPLEMENTED: Method not found!")
        if self.gate is not None:
            await self.gate.wait()
        for event in events:
            self._check(event)
        return [self._receive(event) for event in events]

    def _check(self, event: RefundEvent) -> None:
        if self.down or (self.down_after is not None and len(self.received) >= self.down_after):
            raise SupportUnavailableError("UNAVAILABLE: connection refused")
        if event.case_name in self.unknown_cases:
            raise EventRejectedError(f"NOT_FOUND: {event.case_name}")
        if event.event_id in self.failing_events:
            raise EventDeliveryError("INTERNAL: boom")

    def _receive(self, event: RefundEvent) -> bool:
        applied = all(seen.event_id != event.event_id for seen in self.received)
        self.received.append(event)
        return applied


class FakeSystem:
    """Use cases, payouts and the relay wired to fakes, with handles on each fake for assertions."""

    def __init__(self, *orders: Order, rules: RefundRules | None = None) -> None:
        self.shop = FakeShop(*orders)
        self.store = InMemoryStore()
        self.clock = FixedClock()
        self.ids = SequentialIds()
        self.rules = rules or RefundRules()
        self.gateway = FakeGateway()
        self.support = FakeSupport()
        # Unless a test adds cases, every case named is about the order the use case just read.
        self.cases = FakeCases(default=self._case_about_last_order)
        self.reader = FakeReader(self.store)
        self.use_cases: RefundUseCases = build_use_cases(
            shop=self.shop,
            cases=self.cases,
            unit_of_work=self.unit_of_work,
            reader=self.reader,
            clock=self.clock,
            ids=self.ids,
            rules=self.rules,
        )
        self.pay_out = PayOutRefund(
            unit_of_work=self.unit_of_work, gateway=self.gateway, clock=self.clock, lease_s=60
        )
        self.payout_worker = PayoutWorker(reader=self.reader, pay_out=self.pay_out, clock=self.clock)
        self.relay = OutboxRelay(
            reader=self.reader,
            unit_of_work=self.unit_of_work,
            support=self.support,
            clock=self.clock,
            batch_size=10,
            backoff_base_s=0.001,
            backoff_max_s=0.01,
            poll_s=0.01,
            gather_s=0,
        )

    database_down = False

    def _case_about_last_order(self, name: str) -> CaseRef | None:
        order = self.shop.last_order
        return None if order is None else CaseRef(name, order.customer_id, order.order_id)

    def unit_of_work(self) -> FakeUnitOfWork:
        if self.database_down:
            raise RuntimeError("the database is gone")
        return FakeUnitOfWork(self.store)

    def events_of(self, refund_id: str) -> list[RefundEvent]:
        return [row.event for row in self.store.outbox if row.event.refund_id == refund_id]
