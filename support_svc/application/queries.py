"""Read-side requests and results: the queue's filters, pages, and a case with its history."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import NamedTuple

from kit.timestamps import epoch_ms
from support_svc.domain.case import CaseEvent, CaseMessage, SupportCase
from support_svc.domain.errors import FieldProblem, InvalidArgumentError
from support_svc.domain.values import Actor, CaseCategory, CasePriority, CaseStatus, EventKind

# How many cases one batch read (BatchGetCases) may ask for: its ids go into one statement.
CASES_PER_BATCH_MAX = 100


class AssigneeScope(Enum):
    ANY = "ANY"
    MINE = "MINE"
    UNASSIGNED = "UNASSIGNED"
    SOMEONE = "SOMEONE"


class CaseOrder(Enum):
    NEWEST = "NEWEST"
    OLDEST = "OLDEST"
    DUE = "DUE"


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseFilter:
    """Which cases a list shows. Empty collections mean "any"."""

    statuses: frozenset[CaseStatus] = frozenset()
    priorities: frozenset[CasePriority] = frozenset()
    categories: frozenset[CaseCategory] = frozenset()
    assignee: AssigneeScope = AssigneeScope.ANY
    assignee_id: str | None = None
    breached_only: bool = False
    customer_id: str | None = None
    order_id: str | None = None
    text: str = ""
    order: CaseOrder = CaseOrder.NEWEST


@dataclass(frozen=True, slots=True, kw_only=True)
class ListCases:
    """A caller's list request, before the caller's rights are applied."""

    actor: Actor
    filter: CaseFilter = field(default_factory=CaseFilter)
    page_size: int
    page_token: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseSearch:
    """A list request the caller is entitled to: the customer scope and assignee are resolved."""

    filter: CaseFilter
    include_internal_text: bool
    now: datetime
    page_size: int
    page_token: str = ""


class CaseSummary(NamedTuple):
    """A case as a list shows it: the read side's own shape (plain values, times in epoch milliseconds)
    built straight from a stored row. Lists change nothing, so they need no aggregate, and building
    and mapping fifty aggregates was most of a queue page's cost (bench/README.md)."""

    id: int
    customer_id: str
    order_id: str
    order_line_ids: tuple[str, ...]
    category: CaseCategory
    subject: str
    description: str
    priority: CasePriority
    status: CaseStatus
    assignee_id: str | None
    previous_case_id: int | None
    created_ms: int
    updated_ms: int
    resolved_ms: int | None
    first_response_due_ms: int
    resolution_due_ms: int
    first_response_ms: int | None
    # SlaClock.breach_time() as the case was last saved (it changes only when the case does).
    breach_at_ms: int | None
    open_refund_count: int
    version: int

    def is_breached(self, now_ms: int) -> bool:
        """The rule of the queue's "breached" filter, so that a listed case and the filter agree."""
        return self.breach_at_ms is not None and self.breach_at_ms < now_ms

    @classmethod
    def of(cls, case: SupportCase) -> CaseSummary:
        """The summary of an aggregate, as its stored row gives it (for in-memory readers)."""
        sla = case.sla
        breach = sla.breach_time()
        return cls(
            id=case.id,
            customer_id=case.customer_id,
            order_id=case.order_id,
            order_line_ids=case.order_line_ids,
            category=case.category,
            subject=case.subject,
            description=case.description,
            priority=case.priority,
            status=case.status,
            assignee_id=case.assignee_id,
            previous_case_id=case.previous_case_id,
            created_ms=epoch_ms(case.created_at),
            updated_ms=epoch_ms(case.updated_at),
            resolved_ms=None if case.resolved_at is None else epoch_ms(case.resolved_at),
            first_response_due_ms=epoch_ms(sla.first_response_due),
            resolution_due_ms=epoch_ms(sla.resolution_due),
            first_response_ms=None if sla.first_response_at is None else epoch_ms(sla.first_response_at),
            breach_at_ms=None if breach is None else epoch_ms(breach),
            open_refund_count=case.open_refund_count,
            version=case.version,
        )


@dataclass(frozen=True, slots=True)
class CasePage:
    cases: list[CaseSummary]
    next_page_token: str = ""


@dataclass(frozen=True, slots=True)
class EventPage:
    events: list[CaseEvent]
    next_page_token: str = ""


@dataclass(frozen=True, slots=True)
class CaseDetails:
    """A case with its conversation and timeline, oldest first (empty for the basic view)."""

    case: SupportCase
    messages: list[CaseMessage] = field(default_factory=list)
    events: list[CaseEvent] = field(default_factory=list)


# The statuses of a case that is still being worked: the dashboard's "open cases".
UNRESOLVED_STATUSES = (CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.WAITING_ON_CUSTOMER)


@dataclass(frozen=True, slots=True)
class StatisticsPeriod:
    """A half-open period [start, end) of the dashboard."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidArgumentError(
                [FieldProblem("period_end_time", "the period must end after it starts")]
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseStatistics:
    """The leads' dashboard numbers (DESIGN.md §3), as of `computed_at`."""

    period: StatisticsPeriod
    computed_at: datetime
    open_by_status: Mapping[CaseStatus, int]  # every unresolved status, zeros included
    breached_open: int  # unresolved and breached now
    breached_in_period: int  # first breach within the period
    opened_in_period: int
    resolved_in_period: int
    answered_in_period: int  # opened in the period and answered by now
    median_first_response: timedelta | None  # over those; None when there are none


@dataclass(frozen=True, slots=True)
class WatchNotice:
    """What a watcher is told: the case's version and the kinds of change, never the content."""

    version: int
    kinds: tuple[EventKind, ...] = ()
    internal: bool = False
    initial: bool = False


@dataclass(frozen=True, slots=True)
class CasesNotice:
    """What a watcher of every case is told: which case changed, its version after the change and
    whose case it is, never the content. The first notice (`initial`, no case) only says that the
    watch is live."""

    case_id: int = 0  # 0 (no case) on the initial notice
    version: int = 0
    customer_id: str = ""  # so that what was kept per customer (their lists) can be dropped
    initial: bool = False
