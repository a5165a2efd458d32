"""The Refund aggregate: money going back for some lines of one order, within one case.

    PENDING_APPROVAL -> APPROVED -> PROCESSING -> REFUNDED
    PENDING_APPROVAL -> REJECTED (reason required) | CANCELLED (by the customer)
    PROCESSING -> FAILED -> PROCESSING (retry, possibly switching to store credit)

Every change is appended to `history` with who, when, why and the policy that applied; changes
not yet stored are `unsaved_changes`, and each becomes one RefundEvent for the outbox.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from refund_svc.domain.actor import SYSTEM_ACTOR, Actor, ActorRole
from refund_svc.domain.errors import (
    INVALID_ARGUMENT,
    LINE_NOT_IN_ORDER,
    NOT_REFUND_OWNER,
    NOTE_REQUIRED,
    QUANTITY_NOT_REFUNDABLE,
    STAFF_ONLY,
    FieldProblem,
    InvalidArgumentError,
    InvalidStateTransitionError,
    NoLongerRefundableError,
    OrderNotFoundError,
    PermissionDeniedError,
    RefundWindowClosedError,
)
from refund_svc.domain.events import RefundEvent, RefundEventKind, event_id_for
from refund_svc.domain.money import Money, total
from refund_svc.domain.order import Order
from refund_svc.domain.policy import (
    ApprovalOutcome,
    ApprovalPolicy,
    RefundRules,
    decide_approval,
    inside_refund_window,
    refund_window_end,
)
from refund_svc.domain.refundable import LineUsage, refundable_line

MAX_NOTE_LENGTH = 2000


class RefundStatus(StrEnum):
    PENDING_APPROVAL = "PENDING_APPROVAL"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"
    PROCESSING = "PROCESSING"
    REFUNDED = "REFUNDED"
    FAILED = "FAILED"


# Refunds in these statuses hold their lines' quantity and money; the others released theirs
# (a FAILED refund too: it may go again only if its units are still refundable then).
HOLDING_STATUSES = frozenset(
    {RefundStatus.PENDING_APPROVAL, RefundStatus.APPROVED, RefundStatus.PROCESSING, RefundStatus.REFUNDED}
)

# Refunds in these statuses are still open work: a case cannot be resolved while one is.
OPEN_STATUSES = frozenset({RefundStatus.PENDING_APPROVAL, RefundStatus.APPROVED, RefundStatus.PROCESSING})

EVENT_KINDS: Mapping[RefundStatus, RefundEventKind] = {
    RefundStatus.PENDING_APPROVAL: RefundEventKind.REQUESTED,
    RefundStatus.APPROVED: RefundEventKind.APPROVED,
    RefundStatus.REJECTED: RefundEventKind.REJECTED,
    RefundStatus.CANCELLED: RefundEventKind.CANCELLED,
    RefundStatus.PROCESSING: RefundEventKind.PROCESSING,
    RefundStatus.REFUNDED: RefundEventKind.REFUNDED,
    RefundStatus.FAILED: RefundEventKind.FAILED,
}

TRANSITIONS: Mapping[RefundStatus, frozenset[RefundStatus]] = {
    RefundStatus.PENDING_APPROVAL: frozenset(
        {RefundStatus.APPROVED, RefundStatus.REJECTED, RefundStatus.CANCELLED}
    ),
    RefundStatus.APPROVED: frozenset({RefundStatus.PROCESSING}),
    RefundStatus.PROCESSING: frozenset({RefundStatus.REFUNDED, RefundStatus.FAILED}),
    RefundStatus.FAILED: frozenset({RefundStatus.PROCESSING}),
    RefundStatus.REJECTED: frozenset(),
    RefundStatus.CANCELLED: frozenset(),
    RefundStatus.REFUNDED: frozenset(),
}


class RefundReason(StrEnum):
    DAMAGED = "DAMAGED"
    WRONG_ITEM = "WRONG_ITEM"
    MISSING_ITEM = "MISSING_ITEM"
    NOT_DELIVERED = "NOT_DELIVERED"
    NOT_AS_DESCRIBED = "NOT_AS_DESCRIBED"
    CHANGED_MIND = "CHANGED_MIND"
    OTHER = "OTHER"


class RefundMethod(StrEnum):
    ORIGINAL_PAYMENT = "ORIGINAL_PAYMENT"
    STORE_CREDIT = "STORE_CREDIT"


@dataclass(frozen=True, slots=True)
class RequestedLine:
    order_line_id: str
    quantity: int


@dataclass(frozen=True, slots=True)
class RefundLine:
    order_line_id: str
    quantity: int
    amount: Money


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One step of a refund's life: who moved it where, when, why, under which policy."""

    from_status: RefundStatus | None  # None for the creation
    to_status: RefundStatus
    actor: Actor
    at: datetime
    comment: str = ""
    policy: ApprovalPolicy | None = None


@dataclass(eq=False)
class Refund:
    refund_id: str
    number: int
    case_name: str
    order_id: str
    customer_id: str
    currency_code: str
    lines: tuple[RefundLine, ...]
    reason: RefundReason
    method: RefundMethod
    requested_by: Actor
    note: str
    outside_window: bool
    required_approval: ApprovalPolicy
    created_at: datetime
    status: RefundStatus
    updated_at: datetime
    payout_reference: str = ""  # the payment gateway's id of the payout, once refunded
    history: list[StatusChange] = field(default_factory=list)
    saved_changes: int = 0  # how many history entries the repository has stored

    # --- creation -------------------------------------------------------------------------------

    @classmethod
    def request(
        cls,
        *,
        refund_id: str,
        number: int,
        case_name: str,
        order: Order,
        usage: Mapping[str, LineUsage],
        requested: Sequence[RequestedLine],
        reason: RefundReason,
        method: RefundMethod,
        note: str,
        requested_by: Actor,
        now: datetime,
        rules: RefundRules,
    ) -> Refund:
        """A new refund of `requested` lines, priced from what the order says was paid.

        `usage` is what other refunds that count already hold per line. The policy decides at once
        whether it is approved (small and inside the window) or waits for a person.
        """
        if requested_by.is_customer and requested_by.subject != order.customer_id:
            raise OrderNotFoundError(order.order_id)
        inside_window = inside_refund_window(order.delivered_at, now, rules)
        if not inside_window and requested_by.is_customer:
            end = refund_window_end(order.delivered_at, rules)
            raise RefundWindowClosedError(
                f"The {rules.window_days}-day refund window of order {order.order_id} closed on "
                f"{end:%Y-%m-%d}; please contact support",
                metadata={"order_id": order.order_id, "window_days": str(rules.window_days)},
            )
        problems: list[FieldProblem] = []
        reasons: set[str] = set()
        if not inside_window and not note.strip():
            problems.append(FieldProblem("note", "is required for a refund outside the refund window"))
            reasons.add(NOTE_REQUIRED)
        lines = cls._price_lines(order, usage, requested, problems, reasons)
        if problems:
            raise InvalidArgumentError(problems, reason=reasons.pop() if len(reasons) == 1 else None)

        amount = total([line.amount for line in lines], order.currency_code)
        decision = decide_approval(
            total=amount, inside_window=inside_window, requested_by=requested_by, approver=None, rules=rules
        )
        refund = cls(
            refund_id=refund_id,
            number=number,
            case_name=case_name,
            order_id=order.order_id,
            customer_id=order.customer_id,
            currency_code=order.currency_code,
            lines=tuple(lines),
            reason=reason,
            method=method,
            requested_by=requested_by,
            note=note.strip(),
            outside_window=not inside_window,
            required_approval=decision.policy,
            created_at=now,
            status=RefundStatus.PENDING_APPROVAL,
            updated_at=now,
        )
        refund._record(None, RefundStatus.PENDING_APPROVAL, requested_by, now, note.strip())
        if decision.outcome is ApprovalOutcome.APPROVED:
            refund._move(RefundStatus.APPROVED, SYSTEM_ACTOR, now, decision.explanation, decision.policy)
        return refund

    @staticmethod
    def _price_lines(
        order: Order,
        usage: Mapping[str, LineUsage],
        requested: Sequence[RequestedLine],
        problems: list[FieldProblem],
        reasons: set[str],
    ) -> list[RefundLine]:
        lines: list[RefundLine] = []
        seen: set[str] = set()
        for index, wanted in enumerate(requested):
            path = f"lines[{index}]"
            line = order.line(wanted.order_line_id)
            if line is None:
                problems.append(
                    FieldProblem(f"{path}.order_line_id", f"is not a line of order {order.order_id}")
                )
                reasons.add(LINE_NOT_IN_ORDER)
                continue
            if wanted.order_line_id in seen:
                problems.append(FieldProblem(f"{path}.order_line_id", "appears more than once"))
                reasons.add(INVALID_ARGUMENT)
                continue
            seen.add(wanted.order_line_id)
            refundable = refundable_line(line, usage.get(line.line_id))
            if not 1 <= wanted.quantity <= refundable.quantity:
                problems.append(
                    FieldProblem(
                        f"{path}.quantity",
                        f"must be between 1 and {refundable.quantity}: {refundable.quantity} of "
                        f"{line.quantity} units of this line can still be refunded",
                    )
                )
                reasons.add(QUANTITY_NOT_REFUNDABLE)
                continue
            lines.append(RefundLine(line.line_id, wanted.quantity, refundable.price(wanted.quantity)))
        if not requested:
            problems.append(FieldProblem("lines", "at least one line is required"))
            reasons.add(INVALID_ARGUMENT)
        return lines

    # --- reading --------------------------------------------------------------------------------

    @property
    def total(self) -> Money:
        return total([line.amount for line in self.lines], self.currency_code)

    @property
    def version(self) -> int:
        """Grows with every change; the etag, and the optimistic-concurrency check on save."""
        return len(self.history)

    @property
    def human_number(self) -> str:
        return f"R-{self.number}"

    @property
    def decision(self) -> StatusChange | None:
        """The approval or rejection, if any: who, when, why and under which policy."""
        decided = (RefundStatus.APPROVED, RefundStatus.REJECTED)
        return next((c for c in reversed(self.history) if c.to_status in decided), None)

    @property
    def holds_money(self) -> bool:
        return self.status in HOLDING_STATUSES

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def failure_reason(self) -> str:
        """Why the most recent payout failed ("" if none has)."""
        return next((c.comment for c in reversed(self.history) if c.to_status is RefundStatus.FAILED), "")

    def unsaved_events(self) -> list[RefundEvent]:
        """One event per change not yet stored, for the outbox written with them."""
        first = self.saved_changes
        return [
            RefundEvent(
                event_id=event_id_for(self.refund_id, seq),
                refund_id=self.refund_id,
                refund_number=self.human_number,
                case_name=self.case_name,
                kind=EVENT_KINDS[change.to_status],
                amount=self.total,
                actor_id=change.actor.subject,
                actor_role=change.actor.role,
                note=change.comment,
                occurred_at=change.at,
                refund_open=change.to_status in OPEN_STATUSES,
                sequence=seq + 1,
            )
            for seq, change in enumerate(self.history[first:], start=first)
        ]

    @property
    def unsaved_changes(self) -> list[StatusChange]:
        return self.history[self.saved_changes :]

    def mark_saved(self) -> None:
        self.saved_changes = len(self.history)

    # --- transitions ----------------------------------------------------------------------------

    def approve(self, approver: Actor, now: datetime, rules: RefundRules, comment: str = "") -> None:
        self._require(RefundStatus.APPROVED, "approved")
        decision = decide_approval(
            total=self.total,
            inside_window=not self.outside_window,
            requested_by=self.requested_by,
            approver=approver,
            rules=rules,
        )
        if decision.outcome is not ApprovalOutcome.APPROVED:
            raise PermissionDeniedError(
                decision.explanation,
                reason=decision.refusal_reason,
                metadata={"refund_id": self.refund_id, "policy": decision.policy.value},
            )
        why = comment.strip() or decision.explanation
        self._move(RefundStatus.APPROVED, approver, now, why, decision.policy)

    def reject(self, actor: Actor, now: datetime, reason: str) -> None:
        self._require(RefundStatus.REJECTED, "rejected")
        if not actor.is_staff:
            raise PermissionDeniedError("only support staff reject refunds", reason=STAFF_ONLY)
        if not reason.strip():
            raise InvalidArgumentError([FieldProblem("reason", "is required to reject a refund")])
        self._move(RefundStatus.REJECTED, actor, now, reason.strip(), self.required_approval)

    def cancel(self, actor: Actor, now: datetime) -> None:
        self._require(RefundStatus.CANCELLED, "cancelled")
        if actor.subject != self.customer_id or not actor.is_customer:
            raise PermissionDeniedError(
                "only the customer who gets the refund can cancel it", reason=NOT_REFUND_OWNER
            )
        self._move(RefundStatus.CANCELLED, actor, now, "cancelled by the customer")

    def process(self, actor: Actor, now: datetime) -> None:
        """The payout starts (through the payment gateway, with this refund's idempotency key)."""
        self._require(RefundStatus.PROCESSING, "processed", only_from=RefundStatus.APPROVED)
        self._move(RefundStatus.PROCESSING, actor, now, "payout started")

    def succeed(self, now: datetime, payout_reference: str) -> None:
        self._require(RefundStatus.REFUNDED, "marked refunded")
        self.payout_reference = payout_reference
        self._move(RefundStatus.REFUNDED, SYSTEM_ACTOR, now, "paid out")

    def fail(self, now: datetime, reason: str) -> None:
        self._require(RefundStatus.FAILED, "marked failed")
        self._move(RefundStatus.FAILED, SYSTEM_ACTOR, now, reason.strip() or "payout failed")

    def retry(
        self,
        actor: Actor,
        now: datetime,
        order: Order,
        usage: Mapping[str, LineUsage],
        method: RefundMethod | None = None,
    ) -> None:
        """A failed payout goes again (agents and leads), possibly as store credit instead.

        A failed refund released its units, so they must still be refundable: `usage` is what the
        other refunds hold now. Amounts stay as approved, except that the last units of a line take
        exactly what is left of it, so that a line refunded in full sums to what was paid.
        """
        self._require(RefundStatus.PROCESSING, "retried", only_from=RefundStatus.FAILED)
        if actor.role not in (ActorRole.AGENT, ActorRole.LEAD):
            raise PermissionDeniedError("only support agents and leads retry payouts", reason=STAFF_ONLY)
        if order.order_id != self.order_id:
            raise ValueError(f"refund {self.refund_id} is of order {self.order_id}, not {order.order_id}")
        before = self.total
        lines = self._reclaim_lines(order, usage)
        notes = ["payout retried"]
        if method is not None and method is not self.method:
            self.method = method
            notes = [f"payout retried as {method.value.lower().replace('_', ' ')}"]
        self.lines = lines
        if self.total != before:
            notes.append(f"amount adjusted from {before} to {self.total}")
        self._move(RefundStatus.PROCESSING, actor, now, "; ".join(notes))

    def _reclaim_lines(self, order: Order, usage: Mapping[str, LineUsage]) -> tuple[RefundLine, ...]:
        lines: list[RefundLine] = []
        taken: list[str] = []
        for line in self.lines:
            order_line = order.line(line.order_line_id)
            left = None if order_line is None else refundable_line(order_line, usage.get(line.order_line_id))
            if left is None or line.quantity > left.quantity:
                taken.append(line.order_line_id)
                continue
            if line.quantity == left.quantity:
                amount = left.amount
            else:  # never more than is left, whatever happened in between
                amount = line.amount if line.amount <= left.amount else left.price(line.quantity)
            lines.append(RefundLine(line.order_line_id, line.quantity, amount))
        if taken:
            raise NoLongerRefundableError(
                f"Refund {self.human_number} cannot be paid again: since its payout failed, another "
                f"refund took units of line(s) {', '.join(taken)}",
                metadata={"refund_id": self.refund_id, "order_line_ids": ",".join(taken)},
            )
        return tuple(lines)

    # --- internals ------------------------------------------------------------------------------

    def _require(self, target: RefundStatus, action: str, only_from: RefundStatus | None = None) -> None:
        allowed = target in TRANSITIONS[self.status] and (only_from is None or self.status is only_from)
        if not allowed:
            raise InvalidStateTransitionError(self.refund_id, self.status.value, action)

    def _move(
        self,
        target: RefundStatus,
        actor: Actor,
        now: datetime,
        comment: str,
        policy: ApprovalPolicy | None = None,
    ) -> None:
        self._record(self.status, target, actor, now, comment, policy)
        self.status = target
        self.updated_at = now

    def _record(
        self,
        from_status: RefundStatus | None,
        to_status: RefundStatus,
        actor: Actor,
        now: datetime,
        comment: str,
        policy: ApprovalPolicy | None = None,
    ) -> None:
        self.history.append(StatusChange(from_status, to_status, actor, now, comment, policy))
