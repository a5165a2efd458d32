"""Read-side requests and results: the queue's filters, pages, and a case with its history."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

from support_svc.domain.case import CaseEvent, CaseMessage, SupportCase
from support_svc.domain.errors import FieldProblem, InvalidArgumentError
from support_svc.domain.values import Actor, CaseCategory, CasePriority, CaseStatus, EventKind


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


@dataclass(frozen=True, slots=True)
class CasePage:
    cases: list[SupportCase]
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
