"""Ports: what the use cases need from the outside world, as abstract classes.

Adapters live in infrastructure/ (SQLite, the shop and support over gRPC, the simulated payment
gateway); tests subclass these with fakes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Self

from refund_svc.domain.events import RefundEvent
from refund_svc.domain.money import Money
from refund_svc.domain.order import Order
from refund_svc.domain.refund import Refund, RefundMethod, RefundStatus
from refund_svc.domain.refundable import LineUsage


class ShopPort(ABC):
    """The shop's order API, in our own terms (an anti-corruption layer)."""

    @abstractmethod
    async def get_order(self, order_id: str) -> Order | None:
        """The order, or None when the shop has no such order. Raises ShopUnavailableError."""


# --- the payment gateway ------------------------------------------------------------------------


class PaymentGatewayUnavailableError(Exception):
    """The gateway could not say whether it paid (down, timed out): ask again later with the same key."""


@dataclass(frozen=True, slots=True)
class PayoutRequest:
    idempotency_key: str  # the refund's id: however often it is asked, one refund is paid once
    refund_number: str
    order_id: str
    customer_id: str
    amount: Money
    method: RefundMethod


@dataclass(frozen=True, slots=True)
class PayoutResult:
    paid: bool
    reference: str = ""  # the gateway's id of the payout, when paid
    failure_reason: str = ""  # why not, when declined (shown to agents)
    replayed: bool = False  # this key was paid before: this is that earlier payout


class PaymentGateway(ABC):
    @abstractmethod
    async def pay_out(self, request: PayoutRequest) -> PayoutResult:
        """Pays once per idempotency key; a declined payout pays nothing and may be asked again.

        Raises PaymentGatewayUnavailableError when the outcome is unknown.
        """


# --- support_svc, which records refund events on its cases ---------------------------------------


class SupportUnavailableError(Exception):
    """support_svc cannot be reached at all: stop delivering for now and back off."""


class EventDeliveryError(Exception):
    """This one event was not recorded this time (support is up): try it again later."""


class EventRejectedError(Exception):
    """support_svc will never record this event (e.g. its case does not exist): a dead letter.

    From a batch: support will never record the batch as it is (one of its events is refused).
    """


class BatchesUnsupportedError(Exception):
    """support_svc does not take batches of events (an older version, e.g. during a rolling deploy):
    send them one at a time."""


# The most events support_svc takes in one BatchRecordRefundEvents call.
EVENTS_PER_BATCH_MAX = 100


class SupportPort(ABC):
    @abstractmethod
    async def record_refund_event(self, event: RefundEvent) -> bool:
        """Records the event on its case; False when support had applied this event id before.

        Raises SupportUnavailableError, EventDeliveryError or EventRejectedError.
        """

    @abstractmethod
    async def record_refund_events(self, events: Sequence[RefundEvent]) -> list[bool]:
        """Records 1 to EVENTS_PER_BATCH_MAX events in the order given, atomically: all of them, or
        on any error none. Per event, False when support had applied its id before (earlier in the
        batch included).

        Raises SupportUnavailableError (nothing can be delivered now), EventRejectedError (an event
        of the batch is refused for good; which one is not said), EventDeliveryError (the batch
        failed this time) or BatchesUnsupportedError.
        """


@dataclass(frozen=True, slots=True)
class CaseRef:
    """What refund_svc needs to know of a support case: whose it is and which order it is about."""

    name: str
    customer_id: str
    order_id: str


class CasePort(ABC):
    @abstractmethod
    async def find_case(self, case_name: str) -> CaseRef | None:
        """The case as support_svc has it, None when it does not exist.

        Raises CasesUnavailableError when support_svc cannot be asked.
        """


# --- time and ids -------------------------------------------------------------------------------


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
        """Stores a changed refund; ConcurrencyConflictError if it changed since it was read.

        `add` and `save` also write one outbox row per unsaved change (Refund.unsaved_events), in
        the same transaction: no status change without its event, and no event without its change.
        """


class IdempotencyKeys(ABC):
    @abstractmethod
    async def find(self, scope: str, request_id: str) -> IdempotencyRecord | None: ...

    @abstractmethod
    async def remember(self, record: IdempotencyRecord) -> None: ...

    @abstractmethod
    async def forget_older_than(self, cutoff: datetime, *, limit: int) -> int:
        """Deletes up to `limit` keys created before `cutoff`; returns how many."""


@dataclass(frozen=True, slots=True)
class PayoutClaim:
    refund_id: str
    attempts: int  # payout attempts whose outcome was unknown so far


class PayoutSchedule(ABC):
    """When each approved or processing refund is due to be paid out, and who is paying it now.

    A claim is a lease: it keeps other workers off the refund until it ends, so a worker that died
    mid-payout leaves a refund that is picked up again once its lease has run out.
    """

    @abstractmethod
    async def claim(self, refund_id: str, now: datetime, lease_until: datetime) -> PayoutClaim | None:
        """Takes the payout if the refund is approved or processing and due; None otherwise."""

    @abstractmethod
    async def defer(self, refund_id: str, until: datetime) -> None:
        """Counts one more unknown outcome and makes the payout due again at `until`."""

    @abstractmethod
    async def release(self, refund_id: str) -> None:
        """The payout has an outcome: due at once (should it ever be processing again), no attempts."""


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    position: int  # the outbox's order, which is commit order
    event: RefundEvent


class Outbox(ABC):
    """Refund events waiting for support_svc. Rows are written by RefundRepository.add/save."""

    @abstractmethod
    async def mark_delivered(self, position: int, at: datetime) -> None: ...

    @abstractmethod
    async def mark_dead(self, position: int, at: datetime, reason: str) -> None:
        """Support will never take it: kept, with the reason, for a person to look at."""


@dataclass(frozen=True, slots=True)
class RefundTotals:
    """How many refunds, and their money: one amount per currency, ordered by currency code."""

    count: int
    amounts: tuple[Money, ...]


@dataclass(frozen=True, slots=True)
class OutboxStats:
    backlog: int  # events waiting for delivery
    dead_letters: int  # events support refused for good


class UnitOfWork(ABC):
    """One write transaction, taken up front so that check-then-write cannot interleave.

    `async with uow:` begins it; leaving without `await uow.commit()` rolls it back.
    """

    refunds: RefundRepository
    idempotency_keys: IdempotencyKeys
    payouts: PayoutSchedule
    outbox: Outbox

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

    @abstractmethod
    async def due_payouts(self, now: datetime, *, limit: int) -> list[str]:
        """Ids of approved or processing refunds whose payout is due, longest waiting first."""

    @abstractmethod
    async def pending_events(self, *, limit: int) -> list[OutboxEntry]:
        """Undelivered, not dead, in outbox order."""

    @abstractmethod
    async def outbox_stats(self) -> OutboxStats: ...

    @abstractmethod
    async def pending_totals(self) -> RefundTotals:
        """Refunds waiting for approval now."""

    @abstractmethod
    async def refunded_totals(self, start: datetime, end: datetime) -> RefundTotals:
        """Refunds paid back at or after `start` and before `end`."""
