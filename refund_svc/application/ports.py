"""Ports: what the use cases need from the outside world, as abstract classes.

Adapters live in infrastructure/ (SQLite, the shop over gRPC); tests subclass these with fakes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Self

from refund_svc.domain.order import Order
from refund_svc.domain.refund import Refund, RefundStatus
from refund_svc.domain.refundable import LineUsage


class ShopPort(ABC):
    """The shop's order API, in our own terms (an anti-corruption layer)."""

    @abstractmethod
    async def get_order(self, order_id: str) -> Order | None:
        """The order, or None when the shop has no such order. Raises ShopUnavailableError."""


class Clock(ABC):
    @abstractmethod
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""


class IdGenerator(ABC):
    @abstractmethod
    def new_refund_id(self) -> str: ...


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """A create request seen before: its key, scope (the customer), content fingerprint and result."""

    scope: str
    request_id: str
    fingerprint: str
    refund_id: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RefundFilter:
    customer_id: str | None = None  # set for customers: they see only their own refunds
    case_name: str | None = None
    order_id: str | None = None
    statuses: frozenset[RefundStatus] = frozenset()


class RefundRepository(ABC):
    """Refunds inside a write transaction."""

    @abstractmethod
    async def get(self, refund_id: str) -> Refund | None: ...

    @abstractmethod
    async def line_usage(self, order_id: str) -> dict[str, LineUsage]:
        """Per order line, the quantity and money held by refunds in a holding status."""

    @abstractmethod
    async def next_number(self) -> int:
        """The next human refund number (R-2001, R-2002, ...)."""

    @abstractmethod
    async def add(self, refund: Refund) -> None: ...

    @abstractmethod
    async def save(self, refund: Refund) -> None:
        """Stores a changed refund; ConcurrencyConflictError if it changed since it was read."""


class IdempotencyKeys(ABC):
    @abstractmethod
    async def find(self, scope: str, request_id: str) -> IdempotencyRecord | None: ...

    @abstractmethod
    async def remember(self, record: IdempotencyRecord) -> None: ...


class UnitOfWork(ABC):
    """One write transaction, taken up front so that check-then-write cannot interleave.

    `async with uow:` begins it; leaving without `await uow.commit()` rolls it back.
    """

    refunds: RefundRepository
    idempotency_keys: IdempotencyKeys

    @abstractmethod
    async def begin(self) -> None: ...

    @abstractmethod
    async def commit(self) -> None: ...

    @abstractmethod
    async def rollback(self) -> None: ...

    async def __aenter__(self) -> Self:
        await self.begin()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.rollback()  # a no-op after commit


class RefundReader(ABC):
    """Reads outside write transactions (they never wait for writers)."""

    @abstractmethod
    async def get(self, refund_id: str) -> Refund | None: ...

    @abstractmethod
    async def list_refunds(
        self, where: RefundFilter, *, before_number: int | None, limit: int
    ) -> Sequence[Refund]:
        """Newest first (by refund number), only numbers below `before_number` when given."""

    @abstractmethod
    async def line_usage(self, order_id: str) -> dict[str, LineUsage]: ...

    @abstractmethod
    async def find_idempotency_key(self, scope: str, request_id: str) -> IdempotencyRecord | None: ...
