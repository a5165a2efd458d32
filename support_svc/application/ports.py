"""Ports: what the use cases need from the outside world, as abstract classes.

Infrastructure implements them (SQLite, the shop over gRPC, the system clock); tests subclass them
with in-memory fakes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Self

from support_svc.application.queries import (
    CaseDetails,
    CasePage,
    CaseSearch,
    CaseStatistics,
    EventPage,
    StatisticsPeriod,
)
from support_svc.domain.case import CaseEvent, CaseMessage, SupportCase
from support_svc.domain.refunds import RefundEvent, RefundTrack
from support_svc.domain.values import EventKind


class Clock(ABC):
    @abstractmethod
    def now(self) -> datetime:
        """The current time, UTC, timezone-aware."""


@dataclass(frozen=True, slots=True)
class ShopOrder:
    """What this context needs to know about a shop order (and nothing of the shop's own shapes)."""

    order_id: str
    customer_id: str
    line_ids: frozenset[str]


class ShopPort(ABC):
    @abstractmethod
    async def get_order(self, order_id: str) -> ShopOrder | None:
        """The order, or None when the shop has no such order.

        Raises DependencyUnavailableError when the shop does not answer.
        """


@dataclass(frozen=True, slots=True)
class CreationKey:
    """An idempotency key of a create: scoped to whoever created, with a fingerprint of the content."""

    scope: str
    request_id: str
    fingerprint: str


@dataclass(frozen=True, slots=True)
class CaseChange:
    """One committed change of one case, as watchers learn of it: never its content.

    `kinds` are the timeline entries the change made; `public_kinds` those a customer may see.
    """

    case_id: int
    customer_id: str
    version: int
    kinds: tuple[EventKind, ...]
    public_kinds: tuple[EventKind, ...]

    @classmethod
    def of(cls, case: SupportCase, events: Iterable[CaseEvent]) -> CaseChange:
        events = list(events)
        return cls(
            case_id=case.id,
            customer_id=case.customer_id,
            version=case.version,
            kinds=tuple(dict.fromkeys(e.kind for e in events)),
            public_kinds=tuple(dict.fromkeys(e.kind for e in events if not e.internal)),
        )

    @property
    def internal(self) -> bool:
        return not self.public_kinds


class CaseWatch(ABC):
    """One watcher's subscription to the changes of one case, or of every case."""

    @abstractmethod
    async def next(self) -> CaseChange | None:
        """The next change, waiting for it; None once the feed has closed (server shutdown).

        Raises WatchLaggingError when the watcher fell too far behind and was dropped.
        """

    @abstractmethod
    def close(self) -> None:
        """Stops the subscription (idempotent)."""


class CaseChangeFeed(ABC):
    """Tells watchers about committed changes, in commit order; never blocks the writer."""

    @abstractmethod
    def publish(self, changes: Sequence[CaseChange]) -> None:
        """Called after a COMMIT with what it changed."""

    @abstractmethod
    def subscribe(self, case_id: int) -> CaseWatch:
        """Starts watching a case. Raises TooManyWatchersError when at capacity."""

    @abstractmethod
    def subscribe_all(self) -> CaseWatch:
        """Starts watching every case: each committed change of any case, in commit order. Raises
        TooManyWatchersError when at capacity."""


class CaseRepository(ABC):
    """Cases inside a unit of work (the write side)."""

    @abstractmethod
    async def next_id(self) -> int:
        """The next case number, allocated in the current transaction."""

    @abstractmethod
    async def get(self, case_id: int) -> SupportCase | None: ...

    @abstractmethod
    async def add(self, case: SupportCase, creation: CreationKey | None = None) -> None:
        """Stores a new case with its first messages and timeline entries."""

    @abstractmethod
    async def save(self, case: SupportCase) -> None:
        """Stores the changes of a loaded case if nobody changed it meanwhile, and bumps its version.

        Raises ConcurrencyConflictError when the stored version is no longer the loaded one.
        """

    @abstractmethod
    async def find_created(self, scope: str, request_id: str) -> tuple[SupportCase, str] | None:
        """The case a create with this key made, with the content fingerprint it was made from."""

    @abstractmethod
    async def find_message(self, author_id: str, request_id: str) -> CaseMessage | None:
        """The message an author added with this idempotency key."""

    @abstractmethod
    def take_changes(self) -> list[CaseChange]:
        """The changes stored since the last call (add and save note them), for the watchers."""


class RefundLedger(ABC):
    """Inside a unit of work: the refund events applied (the inbox) and each case's refunds."""

    @abstractmethod
    async def seen(self, event_id: str) -> bool:
        """Whether this event was applied before."""

    @abstractmethod
    async def tracks(self, case_id: int) -> dict[str, RefundTrack]:
        """The case's refunds as known so far, by refund id."""

    @abstractmethod
    async def record(self, case_id: int, event: RefundEvent, track: RefundTrack) -> None:
        """Marks the event applied (once: a second record of its id fails) and stores the track."""


class UnitOfWork(ABC):
    """One write transaction. `async with uow:` rolls back unless `commit()` was awaited.

    After the COMMIT, and only then, the changes it stored go to the change feed.
    """

    cases: CaseRepository
    refunds: RefundLedger

    def __init__(self, feed: CaseChangeFeed | None = None) -> None:
        self._feed = feed

    async def __aenter__(self) -> Self:
        await self._begin()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._end()

    @abstractmethod
    async def _begin(self) -> None: ...

    @abstractmethod
    async def _end(self) -> None:
        """Rolls back what was not committed and releases the transaction."""

    async def commit(self) -> None:
        await self._commit()
        changes = self.cases.take_changes()
        if self._feed is not None and changes:
            self._feed.publish(changes)

    @abstractmethod
    async def _commit(self) -> None: ...


class CaseReader(ABC):
    """The read side: cases, conversations and timelines, as the caller may see them."""

    @abstractmethod
    async def get_case(self, case_id: int) -> SupportCase | None: ...

    @abstractmethod
    async def get_cases(self, case_ids: Collection[int]) -> dict[int, SupportCase]:
        """The cases of these ids that exist, by id, read in one statement."""

    @abstractmethod
    async def get_case_details(self, case_id: int, *, include_internal: bool) -> CaseDetails | None:
        """The case with its conversation and timeline, read in one consistent statement."""

    @abstractmethod
    async def list_cases(self, search: CaseSearch) -> CasePage: ...

    @abstractmethod
    async def list_events(
        self, case_id: int, *, include_internal: bool, page_size: int, page_token: str
    ) -> EventPage: ...

    @abstractmethod
    async def find_created(self, scope: str, request_id: str) -> tuple[SupportCase, str] | None:
        """As CaseRepository.find_created, outside any write transaction (fast path for retries)."""

    @abstractmethod
    async def find_message(self, author_id: str, request_id: str) -> CaseMessage | None: ...

    @abstractmethod
    async def case_statistics(self, period: StatisticsPeriod, now: datetime) -> CaseStatistics:
        """The dashboard's numbers over `period`, as of `now`."""
