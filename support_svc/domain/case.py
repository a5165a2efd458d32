"""The SupportCase aggregate: a customer's case about an order, its workflow and its SLA.

OPEN -> IN_PROGRESS <-> WAITING_ON_CUSTOMER -> RESOLVED -> CLOSED, and RESOLVED -> IN_PROGRESS when
reopened within the reopen window. CLOSED is final. Every change appends a timeline entry
(CaseEvent); messages and entries made since loading wait in `new_messages`/`new_events` until the
repository stores them. The version is the repository's business (optimistic concurrency).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

from support_svc.domain.errors import (
    CaseClosedError,
    CaseNotFoundError,
    FieldProblem,
    InvalidArgumentError,
    InvalidStateTransitionError,
    OpenRefundsError,
    PermissionDeniedError,
    ReopenWindowExpiredError,
)
from support_svc.domain.refunds import (
    SYSTEM_ACTOR_ID,
    OpenRefund,
    RefundEvent,
    RefundEventKind,
    RefundTrack,
    track_after,
)
from support_svc.domain.sla import SlaClock, SlaPolicy
from support_svc.domain.values import (
    DESCRIPTION_MAX_CHARS,
    MESSAGE_MAX_CHARS,
    ORDER_LINES_MAX,
    SUBJECT_MAX_CHARS,
    Actor,
    CaseCategory,
    CasePriority,
    CaseStatus,
    EventKind,
    Role,
)

ALLOWED_TRANSITIONS: Mapping[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.OPEN: frozenset({CaseStatus.IN_PROGRESS}),
    CaseStatus.IN_PROGRESS: frozenset({CaseStatus.WAITING_ON_CUSTOMER, CaseStatus.RESOLVED}),
    CaseStatus.WAITING_ON_CUSTOMER: frozenset({CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED}),
    CaseStatus.RESOLVED: frozenset({CaseStatus.IN_PROGRESS, CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset(),
}

# Entries customers never see: internal notes, and re-prioritisation (a customer reading that
# their case went to "low" helps nobody).
INTERNAL_EVENT_KINDS = frozenset({EventKind.NOTE_ADDED, EventKind.PRIORITY_CHANGED})

# Where the rule "all refunds paid back" resolves a case from (not from RESOLVED or CLOSED).
AUTO_RESOLVABLE = frozenset({CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.WAITING_ON_CUSTOMER})
AUTO_RESOLVED_SUMMARY = "Resolved automatically: all refunds paid back"
SYSTEM = Actor(SYSTEM_ACTOR_ID, Role.SYSTEM)


def case_number(case_id: int) -> str:
    return f"C-{case_id}"


@dataclass(slots=True)
class CaseMessage:
    """A message of the conversation; `internal` notes are for staff only."""

    case_id: int
    author: Actor
    body: str
    internal: bool
    created_at: datetime
    request_id: str | None = None
    id: int = 0  # assigned when stored

    def is_visible_to(self, viewer: Actor) -> bool:
        return viewer.is_staff or not self.internal


@dataclass(slots=True)
class CaseEvent:
    """A timeline entry: who changed what, and when."""

    case_id: int
    kind: EventKind
    actor: Actor
    summary: str
    details: dict[str, str]
    created_at: datetime
    internal: bool = False
    id: int = 0  # assigned when stored

    def is_visible_to(self, viewer: Actor) -> bool:
        return viewer.is_staff or not self.internal


@dataclass(frozen=True, slots=True)
class RefundEventOutcome:
    """What a refund event did to the case: the refund's track now, and whether the case resolved."""

    track: RefundTrack
    auto_resolved: bool


class ReplyRoute(Enum):
    """Where a reply goes: into this case, or into a new follow-up case linked to it."""

    THIS_CASE = "THIS_CASE"
    FOLLOW_UP = "FOLLOW_UP"


def _check_text(problems: list[FieldProblem], name: str, value: str, maximum: int) -> None:
    if not value.strip():
        problems.append(FieldProblem(name, f"{name} must not be empty"))
    elif len(value) > maximum:
        problems.append(FieldProblem(name, f"{name} must be at most {maximum} characters"))


@dataclass(eq=False, slots=True)
class SupportCase:
    id: int
    customer_id: str
    order_id: str
    order_line_ids: tuple[str, ...]
    category: CaseCategory
    subject: str
    description: str
    priority: CasePriority
    status: CaseStatus
    created_at: datetime
    updated_at: datetime
    sla: SlaClock
    assignee_id: str | None = None
    resolved_at: datetime | None = None
    previous_case_id: int | None = None
    # Refunds of this case that are pending, approved or processing; kept by refund events.
    open_refund_count: int = 0
    open_refunds: tuple[OpenRefund, ...] = ()  # which ones, as far as refund events told
    version: int = 0  # 0 until first stored
    new_messages: list[CaseMessage] = field(default_factory=list, repr=False)
    new_events: list[CaseEvent] = field(default_factory=list, repr=False)

    # --- opening ---------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        *,
        case_id: int,
        customer_id: str,
        order_id: str,
        order_line_ids: tuple[str, ...],
        category: CaseCategory,
        subject: str,
        description: str,
        priority: CasePriority,
        opened_by: Actor,
        now: datetime,
        sla_policy: SlaPolicy,
        previous_case: SupportCase | None = None,
    ) -> SupportCase:
        problems: list[FieldProblem] = []
        _check_text(problems, "subject", subject, SUBJECT_MAX_CHARS)
        _check_text(problems, "description", description, DESCRIPTION_MAX_CHARS)
        if len(order_line_ids) > ORDER_LINES_MAX:
            problems.append(FieldProblem("order_line_ids", f"at most {ORDER_LINES_MAX} order lines"))
        if len(set(order_line_ids)) != len(order_line_ids):
            problems.append(FieldProblem("order_line_ids", "order lines must not repeat"))
        if problems:
            raise InvalidArgumentError(problems)
        if not opened_by.is_staff and opened_by.id != customer_id:
            raise PermissionDeniedError("Customers open cases only for themselves", reason="NOT_OWN_ORDER")
        case = cls(
            id=case_id,
            customer_id=customer_id,
            order_id=order_id,
            order_line_ids=order_line_ids,
            category=category,
            subject=subject.strip(),
            description=description,
            priority=priority,
            status=CaseStatus.OPEN,
            created_at=now,
            updated_at=now,
            sla=SlaClock.start(now, sla_policy.for_priority(priority)),
            previous_case_id=previous_case.id if previous_case else None,
        )
        details = {"order_id": order_id, "category": category.value, "priority": priority.value}
        summary = "Case opened" if opened_by.id == customer_id else f"Case opened by {opened_by.label}"
        if previous_case is not None:
            details["previous_case"] = previous_case.number
            summary += f" as a follow-up to {previous_case.number}"
        case._record(EventKind.OPENED, opened_by, now, summary, details)
        return case

    @classmethod
    def open_follow_up(
        cls, previous: SupportCase, *, case_id: int, opened_by: Actor, now: datetime, sla_policy: SlaPolicy
    ) -> SupportCase:
        """A new case for a customer who writes again after the old one is over."""
        subject = f"Follow-up to {previous.number}: {previous.subject}"
        if len(subject) > SUBJECT_MAX_CHARS:
            subject = subject[: SUBJECT_MAX_CHARS - 1] + "…"
        return cls.open(
            case_id=case_id,
            customer_id=previous.customer_id,
            order_id=previous.order_id,
            order_line_ids=previous.order_line_ids,
            category=previous.category,
            subject=subject,
            description=f"Follow-up to case {previous.number}, which was {previous.status.label}.",
            priority=previous.priority,
            opened_by=opened_by,
            now=now,
            sla_policy=sla_policy,
            previous_case=previous,
        )

    def record_follow_up(self, follow_up: SupportCase, actor: Actor, now: datetime) -> None:
        self._record(
            EventKind.FOLLOW_UP_OPENED,
            actor,
            now,
            f"Follow-up case {follow_up.number} opened",
            {"follow_up_case": follow_up.number},
        )

    # --- reading ---------------------------------------------------------------------------------

    @property
    def number(self) -> str:
        return case_number(self.id)

    def is_visible_to(self, viewer: Actor) -> bool:
        return viewer.is_staff or viewer.id == self.customer_id

    def is_breached(self, now: datetime) -> bool:
        return self.sla.is_breached(now)

    def within_reopen_window(self, now: datetime, window: timedelta) -> bool:
        return self.resolved_at is not None and now - self.resolved_at <= window

    # --- conversation ----------------------------------------------------------------------------

    def reply_route(self, author: Actor, now: datetime, reopen_window: timedelta) -> ReplyRoute:
        """A customer writing to a closed case, or to a resolved one past the window, starts a new one."""
        if author.is_staff:
            return ReplyRoute.THIS_CASE
        if self.status is CaseStatus.CLOSED:
            return ReplyRoute.FOLLOW_UP
        if self.status is CaseStatus.RESOLVED and not self.within_reopen_window(now, reopen_window):
            return ReplyRoute.FOLLOW_UP
        return ReplyRoute.THIS_CASE

    def add_message(
        self,
        author: Actor,
        body: str,
        *,
        internal: bool,
        now: datetime,
        reopen_window: timedelta,
        request_id: str | None = None,
    ) -> CaseMessage:
        problems: list[FieldProblem] = []
        _check_text(problems, "body", body, MESSAGE_MAX_CHARS)
        if problems:
            raise InvalidArgumentError(problems)
        self._require_access(author)
        if internal and not author.is_staff:
            raise PermissionDeniedError(
                "Only agents and leads may add internal notes", reason="INTERNAL_NOTE_STAFF_ONLY"
            )
        self._require_not_closed()
        if self.reply_route(author, now, reopen_window) is ReplyRoute.FOLLOW_UP:
            raise ReopenWindowExpiredError(
                f"Case {self.number} was resolved too long ago to reopen; reply opens a follow-up case",
                case_id=self.id,
            )
        message = CaseMessage(self.id, author, body, internal, now, request_id)
        self.new_messages.append(message)
        if internal:
            self._record(EventKind.NOTE_ADDED, author, now, "Internal note added", {})
        else:
            self._record(EventKind.MESSAGE_ADDED, author, now, f"Message from the {author.label}", {})
        if author.role in (Role.AGENT, Role.LEAD) and not internal:
            self.sla = self.sla.record_first_response(now)
            if self.status is CaseStatus.OPEN:
                self._move_to(CaseStatus.IN_PROGRESS, author, now, cause="AGENT_REPLY")
        elif author.role is Role.CUSTOMER:
            if self.status is CaseStatus.WAITING_ON_CUSTOMER:
                self._move_to(CaseStatus.IN_PROGRESS, author, now, cause="CUSTOMER_REPLY")
            elif self.status is CaseStatus.RESOLVED:
                self._move_to(CaseStatus.IN_PROGRESS, author, now, cause="REOPENED_BY_REPLY")
        return message

    # --- workflow --------------------------------------------------------------------------------

    def assign(self, actor: Actor, assignee_id: str | None, now: datetime) -> bool:
        """Assigns (or unassigns with None). Returns False when nothing changed."""
        self._require_staff(actor, "assign cases")
        self._require_not_closed()
        if assignee_id == self.assignee_id:
            return False
        previous, self.assignee_id = self.assignee_id, assignee_id
        self._record(
            EventKind.ASSIGNED,
            actor,
            now,
            _assignment_summary(actor, previous, assignee_id),
            {"from": previous or "", "to": assignee_id or ""},
        )
        return True

    def change_priority(self, actor: Actor, priority: CasePriority, now: datetime, policy: SlaPolicy) -> bool:
        self._require_staff(actor, "change the priority")
        self._require_not_closed()
        if priority is self.priority:
            return False
        previous, self.priority = self.priority, priority
        self.sla = self.sla.retarget(policy.for_priority(priority))
        self._record(
            EventKind.PRIORITY_CHANGED,
            actor,
            now,
            f"Priority changed from {previous.label} to {priority.label}",
            {"from": previous.value, "to": priority.value},
        )
        return True

    def change_category(self, actor: Actor, category: CaseCategory, now: datetime) -> bool:
        self._require_staff(actor, "change the category")
        self._require_not_closed()
        if category is self.category:
            return False
        previous, self.category = self.category, category
        self._record(
            EventKind.CATEGORY_CHANGED,
            actor,
            now,
            f"Category changed from {previous.label} to {category.label}",
            {"from": previous.value, "to": category.value},
        )
        return True

    def wait_on_customer(self, actor: Actor, now: datetime) -> None:
        self._require_staff(actor, "set a case waiting")
        self._move_to(CaseStatus.WAITING_ON_CUSTOMER, actor, now)

    def resume_work(self, actor: Actor, now: datetime) -> None:
        """WAITING_ON_CUSTOMER -> IN_PROGRESS by staff (a reopen is a different action)."""
        self._require_staff(actor, "take a case back from waiting")
        self._require_not_closed()
        if self.status is not CaseStatus.WAITING_ON_CUSTOMER:
            raise self._transition_error(
                CaseStatus.IN_PROGRESS, "only a case waiting on the customer goes back to in progress"
            )
        self._move_to(CaseStatus.IN_PROGRESS, actor, now)

    def resolve(self, actor: Actor, now: datetime) -> None:
        self._require_staff(actor, "resolve cases")
        self._check_transition(CaseStatus.RESOLVED)
        if self.open_refund_count > 0:
            labels = ", ".join(r.refund_number or r.refund_id for r in self.open_refunds)
            raise OpenRefundsError(
                f"Case {self.number} has {self.open_refund_count} refund(s) still open"
                + (f" ({labels})" if labels else "")
                + "; resolve it once they are decided and paid",
                case_id=self.id,
                metadata={"open_refunds": str(self.open_refund_count)},
                subjects=[
                    (r.name, f"{r.label} is still open: it must be paid back, rejected or cancelled first")
                    for r in self.open_refunds
                ],
            )
        self._move_to(CaseStatus.RESOLVED, actor, now)

    # --- refunds -----------------------------------------------------------------------------------

    def record_refund_event(
        self,
        event: RefundEvent,
        tracks: Mapping[str, RefundTrack],
        now: datetime,
        *,
        auto_resolve: bool,
    ) -> RefundEventOutcome:
        """Takes in one refund event (applied once; the caller sees to that).

        `tracks` are the case's refunds as known before the event. The event's refund is set by
        the ordering rule of support_svc.domain.refunds, the open count is derived from all
        tracks, and a timeline entry every party may see tells what happened. When the event is
        the payout of the case's last open refund, the case resolves by rule if `auto_resolve`
        and it is still being worked. A closed case still records the entry (the audit trail);
        its status does not change.
        """
        before = tracks.get(event.refund_id)
        track = track_after(before, event)
        now_known = {**tracks, event.refund_id: track}
        self.open_refunds = tuple(
            OpenRefund(t.refund_id, t.refund_number)
            for t in (now_known[refund_id] for refund_id in sorted(now_known))
            if t.open
        )
        self.open_refund_count = len(self.open_refunds)
        self._record(
            EventKind.REFUND_EVENT, event.actor_on(self.customer_id), now, event.summary(), event.details()
        )
        paid_now = track is not before and track.last_kind is RefundEventKind.REFUNDED
        resolve = auto_resolve and paid_now and self.open_refund_count == 0 and self.status in AUTO_RESOLVABLE
        if resolve:
            self._move_to(
                CaseStatus.RESOLVED,
                SYSTEM,
                now,
                cause="ALL_REFUNDS_PAID",
                summary=AUTO_RESOLVED_SUMMARY,
                checked=False,  # the rule may resolve an OPEN case too
            )
        return RefundEventOutcome(track, auto_resolved=resolve)

    def close(self, actor: Actor, now: datetime) -> None:
        self._require_access(actor)
        self._move_to(CaseStatus.CLOSED, actor, now)

    def reopen(self, actor: Actor, now: datetime, window: timedelta) -> None:
        self._require_access(actor)
        self._require_not_closed()
        if self.status is not CaseStatus.RESOLVED:
            raise self._transition_error(CaseStatus.IN_PROGRESS, "only a resolved case can be reopened")
        if not self.within_reopen_window(now, window):
            raise ReopenWindowExpiredError(
                f"Case {self.number} was resolved more than {window.days} days ago and can no longer be "
                "reopened; a new message opens a follow-up case",
                case_id=self.id,
                metadata={"reopen_window_days": str(window.days)},
            )
        self._move_to(CaseStatus.IN_PROGRESS, actor, now, cause="REOPENED")

    # --- persistence hand-off --------------------------------------------------------------------

    def collect_changes(self) -> tuple[list[CaseMessage], list[CaseEvent]]:
        """Messages and timeline entries added since the last call, for the repository to store."""
        messages, events = self.new_messages, self.new_events
        self.new_messages, self.new_events = [], []
        return messages, events

    # --- internals -------------------------------------------------------------------------------

    def _require_access(self, actor: Actor) -> None:
        if not self.is_visible_to(actor):
            raise CaseNotFoundError(self.id)

    def _require_staff(self, actor: Actor, action: str) -> None:
        self._require_access(actor)
        if not actor.is_staff:
            raise PermissionDeniedError(f"Only agents and leads may {action}", reason="STAFF_ONLY")

    def _require_not_closed(self) -> None:
        if self.status is CaseStatus.CLOSED:
            raise CaseClosedError(f"Case {self.number} is closed and cannot change", case_id=self.id)

    def _transition_error(self, target: CaseStatus, why: str | None = None) -> InvalidStateTransitionError:
        why = why or f"it cannot become {target.label}"
        return InvalidStateTransitionError(
            f"Case {self.number} is {self.status.label}: {why}",
            case_id=self.id,
            metadata={"from": self.status.value, "to": target.value},
        )

    def _check_transition(self, target: CaseStatus) -> None:
        self._require_not_closed()
        if target not in ALLOWED_TRANSITIONS[self.status]:
            raise self._transition_error(target)

    def _move_to(
        self,
        target: CaseStatus,
        actor: Actor,
        now: datetime,
        *,
        cause: str | None = None,
        summary: str | None = None,
        checked: bool = True,
    ) -> None:
        if checked:
            self._check_transition(target)
        previous, self.status = self.status, target
        if previous.sla_clock_runs and not target.sla_clock_runs:
            self.sla = self.sla.pause(now)
        elif target.sla_clock_runs and not previous.sla_clock_runs:
            self.sla = self.sla.resume(now)
        if target is CaseStatus.RESOLVED:
            self.resolved_at = now
        elif previous is CaseStatus.RESOLVED and target is CaseStatus.IN_PROGRESS:
            self.resolved_at = None
        details = {"from": previous.value, "to": target.value}
        if cause:
            details["cause"] = cause
        summary = summary or f"Status changed from {previous.label} to {target.label}"
        self._record(EventKind.STATUS_CHANGED, actor, now, summary, details)

    def _record(
        self, kind: EventKind, actor: Actor, now: datetime, summary: str, details: dict[str, str]
    ) -> None:
        self.new_events.append(
            CaseEvent(self.id, kind, actor, summary, details, now, internal=kind in INTERNAL_EVENT_KINDS)
        )
        self.updated_at = now


def _assignment_summary(actor: Actor, previous: str | None, assignee_id: str | None) -> str:
    """A sentence without ids (the service knows people only by id, and ids are not for people to
    read); who it was stays in the entry's details ("from", "to"), for whoever can name them."""
    if assignee_id is None:
        return "Unassigned"
    if assignee_id == actor.id:
        return "Self-assigned"
    return "Assigned to an agent" if previous is None else "Reassigned to another agent"
