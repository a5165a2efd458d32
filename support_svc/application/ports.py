"""Ports: what the use cases need from the outside world, as abstract classes.

Infrastructure implements them (SQLite, the shop over gRPC, the system clock); tests subclass them
with in-memory fakes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Self

from support_svc.application.queries import CaseDetails, CasePage, CaseSearch, EventPage
from support_svc.domain.case import CaseMessage, SupportCase


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


class UnitOfWork(ABC):
    """One write transaction. `async with uow:` rolls back unless `commit()` was awaited."""

    cases: CaseRepository

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

    @abstractmethod
    async def commit(self) -> None: ...


class CaseReader(ABC):
    """The read side: cases, conversations and timelines, as the caller may see them."""

    @abstractmethod
    async def get_case(self, case_id: int) -> SupportCase | None: ...

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
