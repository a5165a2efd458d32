"""In-memory fakes of support_svc's ports, for use-case tests (they subclass the real ports)."""

from __future__ import annotations

import copy
import statistics
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from support_svc.application.ports import (
    CaseChange,
    CaseChangeFeed,
    CaseReader,
    CaseRepository,
    CaseWatch,
    Clock,
    CreationKey,
    RefundLedger,
    ShopOrder,
    ShopPort,
    UnitOfWork,
)
from support_svc.application.queries import (
    UNRESOLVED_STATUSES,
    AssigneeScope,
    CaseDetails,
    CasePage,
    CaseSearch,
    CaseStatistics,
    CaseSummary,
    EventPage,
    StatisticsPeriod,
)
from support_svc.domain.case import CaseEvent, CaseMessage, SupportCase
from support_svc.domain.errors import ConcurrencyConflictError, DependencyUnavailableError
from support_svc.domain.refunds import RefundEvent, RefundTrack

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class FixedClock(Clock):
    """A clock that moves only when told to."""

    def __init__(self, now: datetime = START) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


class FakeShop(ShopPort):
    def __init__(self, *orders: ShopOrder) -> None:
        self.orders = {order.order_id: order for order in orders}
        self.unavailable = False
        self.calls: list[str] = []

    async def get_order(self, order_id: str) -> ShopOrder | None:
        self.calls.append(order_id)
        if self.unavailable:
            raise DependencyUnavailableError("shop down", reason="SHOP_UNAVAILABLE")
        return self.orders.get(order_id)


@dataclass
class Store:
    """What is committed: cases as last saved, with their messages, timeline and request keys."""

    cases: dict[int, SupportCase] = field(default_factory=dict)
    messages: list[CaseMessage] = field(default_factory=list)
    events: list[CaseEvent] = field(default_factory=list)
    created: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)
    inbox: dict[str, int] = field(default_factory=dict)  # applied refund event id -> case id
    tracks: dict[tuple[int, str], RefundTrack] = field(default_factory=dict)


class FakeCaseRepository(CaseRepository):
    def __init__(self, store: Store) -> None:
        self.store = store
        self.changes: list[CaseChange] = []

    async def next_id(self) -> int:
        return max(self.store.cases, default=10000) + 1

    async def get(self, case_id: int) -> SupportCase | None:
        case = self.store.cases.get(case_id)
        return copy.deepcopy(case) if case else None

    async def add(self, case: SupportCase, creation: CreationKey | None = None) -> None:
        case.version = 1
        self._store(case)
        if creation is not None:
            self.store.created[creation.scope, creation.request_id] = (case.id, creation.fingerprint)

    async def save(self, case: SupportCase) -> None:
        stored = self.store.cases.get(case.id)
        if stored is None or stored.version != case.version:
            raise ConcurrencyConflictError(case.id)
        case.version += 1
        self._store(case)

    async def find_created(self, scope: str, request_id: str) -> tuple[SupportCase, str] | None:
        found = self.store.created.get((scope, request_id))
        if found is None:
            return None
        return copy.deepcopy(self.store.cases[found[0]]), found[1]

    async def find_message(self, author_id: str, request_id: str) -> CaseMessage | None:
        return next(
            (m for m in self.store.messages if (m.author.id, m.request_id) == (author_id, request_id)), None
        )

    def take_changes(self) -> list[CaseChange]:
        changes, self.changes = self.changes, []
        return changes

    def _store(self, case: SupportCase) -> None:
        messages, events = case.collect_changes()
        self.changes.append(CaseChange.of(case, events))
        for message in messages:
            message.id = len(self.store.messages) + 1
            self.store.messages.append(message)
        for event in events:
            event.id = len(self.store.events) + 1
            self.store.events.append(event)
        self.store.cases[case.id] = copy.deepcopy(case)


class FakeRefundLedger(RefundLedger):
    def __init__(self, store: Store) -> None:
        self.store = store

    async def seen(self, event_id: str) -> bool:
        return event_id in self.store.inbox

    async def tracks(self, case_id: int) -> dict[str, RefundTrack]:
        return {refund_id: t for (owner, refund_id), t in self.store.tracks.items() if owner == case_id}

    async def record(self, case_id: int, event: RefundEvent, track: RefundTrack) -> None:
        if event.event_id in self.store.inbox:
            raise AssertionError(f"event {event.event_id} recorded twice")
        self.store.inbox[event.event_id] = case_id
        self.store.tracks[case_id, track.refund_id] = track


class FakeUnitOfWork(UnitOfWork):
    """Works on a copy of the store; commit() publishes it, anything else leaves the store as it was."""

    def __init__(self, store: Store, feed: CaseChangeFeed | None = None) -> None:
        super().__init__(feed)
        self.store = store
        self.committed = False

    async def _begin(self) -> None:
        self._working = copy.deepcopy(self.store)
        self.cases = FakeCaseRepository(self._working)
        self.refunds = FakeRefundLedger(self._working)

    async def _commit(self) -> None:
        self.store.__dict__.update(self._working.__dict__)
        self.committed = True

    async def _end(self) -> None:
        self._working = Store()


class FakeCaseReader(CaseReader):
    """Reads the committed store; remembers the last search it was asked for."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.searches: list[CaseSearch] = []
        self.batches: list[list[int]] = []  # the ids of each batch read, sorted

    async def get_case(self, case_id: int) -> SupportCase | None:
        case = self.store.cases.get(case_id)
        return copy.deepcopy(case) if case else None

    async def get_cases(self, case_ids: Collection[int]) -> dict[int, SupportCase]:
        self.batches.append(sorted(set(case_ids)))
        return {i: copy.deepcopy(self.store.cases[i]) for i in set(case_ids) if i in self.store.cases}

    async def get_case_details(self, case_id: int, *, include_internal: bool) -> CaseDetails | None:
        case = await self.get_case(case_id)
        if case is None:
            return None
        # Deliberately returns internal items regardless: the application must filter by itself too.
        messages = [m for m in self.store.messages if m.case_id == case_id]
        events = [e for e in self.store.events if e.case_id == case_id]
        return CaseDetails(case, messages, events)

    async def list_cases(self, search: CaseSearch) -> CasePage:
        self.searches.append(search)
        wanted = search.filter
        cases = [
            c
            for c in sorted(self.store.cases.values(), key=lambda c: -c.id)
            if (wanted.customer_id is None or c.customer_id == wanted.customer_id)
            and (not wanted.statuses or c.status in wanted.statuses)
            and (wanted.assignee is not AssigneeScope.SOMEONE or c.assignee_id == wanted.assignee_id)
        ]
        return CasePage([CaseSummary.of(c) for c in cases[: search.page_size]])

    async def list_events(
        self, case_id: int, *, include_internal: bool, page_size: int, page_token: str
    ) -> EventPage:
        events = [e for e in self.store.events if e.case_id == case_id]  # unfiltered on purpose, as above
        return EventPage(events[:page_size])

    async def find_created(self, scope: str, request_id: str) -> tuple[SupportCase, str] | None:
        return await FakeCaseRepository(self.store).find_created(scope, request_id)

    async def find_message(self, author_id: str, request_id: str) -> CaseMessage | None:
        return await FakeCaseRepository(self.store).find_message(author_id, request_id)

    async def case_statistics(self, period: StatisticsPeriod, now: datetime) -> CaseStatistics:
        """The numbers by brute force over the committed cases (the SQL's reference)."""
        cases = list(self.store.cases.values())

        def within(moment: datetime | None, end: datetime = period.end) -> bool:
            return moment is not None and period.start <= moment < end

        opened = [c for c in cases if within(c.created_at)]
        waits = [
            (c.sla.first_response_at - c.created_at) // timedelta(milliseconds=1)
            for c in opened
            if c.sla.first_response_at
        ]
        return CaseStatistics(
            period=period,
            computed_at=now,
            open_by_status={s: sum(c.status is s for c in cases) for s in UNRESOLVED_STATUSES},
            breached_open=sum(c.status in UNRESOLVED_STATUSES and c.is_breached(now) for c in cases),
            breached_in_period=sum(within(c.sla.breach_time(), min(period.end, now)) for c in cases),
            opened_in_period=len(opened),
            resolved_in_period=sum(within(c.resolved_at) for c in cases),
            answered_in_period=len(waits),
            median_first_response=timedelta(milliseconds=round(statistics.median(waits))) if waits else None,
        )


class RecordingFeed(CaseChangeFeed):
    """Remembers what was published; subscribing is not its business."""

    def __init__(self) -> None:
        self.published: list[CaseChange] = []

    def publish(self, changes: Sequence[CaseChange]) -> None:
        self.published.extend(changes)

    def subscribe(self, case_id: int) -> CaseWatch:
        raise NotImplementedError("RecordingFeed only records")

    def subscribe_all(self) -> CaseWatch:
        raise NotImplementedError("RecordingFeed only records")
