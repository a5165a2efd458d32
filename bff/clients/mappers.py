"""The one place where protobuf messages and the BFF's JSON models meet."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from acme.refund.v1 import refund_pb2, refund_service_pb2
from acme.shop.v1 import order_pb2
from acme.support.v1 import case_pb2, case_service_pb2
from google.protobuf import timestamp_pb2

from bff import schemas
from bff.accounts import UserDirectory
from bff.records import CaseChange, DecisionRecord, RefundLineRecord, RefundRecord
from kit.timestamps import to_datetime, to_timestamp

# --- enums: explicit tables, so that a renamed value fails loudly here and nowhere else ------------

_CATEGORIES: dict[schemas.Category, case_pb2.CaseCategory] = {
    "damaged_item": case_pb2.CASE_CATEGORY_DAMAGED_ITEM,
    "wrong_item": case_pb2.CASE_CATEGORY_WRONG_ITEM,
    "missing_item": case_pb2.CASE_CATEGORY_MISSING_ITEM,
    "not_delivered": case_pb2.CASE_CATEGORY_NOT_DELIVERED,
    "late_delivery": case_pb2.CASE_CATEGORY_LATE_DELIVERY,
    "quality": case_pb2.CASE_CATEGORY_QUALITY,
    "billing": case_pb2.CASE_CATEGORY_BILLING,
    "refund_or_return": case_pb2.CASE_CATEGORY_REFUND_OR_RETURN,
    "other": case_pb2.CASE_CATEGORY_OTHER,
}
_PRIORITIES: dict[schemas.Priority, case_pb2.CasePriority] = {
    "low": case_pb2.CASE_PRIORITY_LOW,
    "normal": case_pb2.CASE_PRIORITY_NORMAL,
    "high": case_pb2.CASE_PRIORITY_HIGH,
    "urgent": case_pb2.CASE_PRIORITY_URGENT,
}
_STATUSES: dict[schemas.CaseStatus, case_pb2.CaseStatus] = {
    "open": case_pb2.CASE_STATUS_OPEN,
    "in_progress": case_pb2.CASE_STATUS_IN_PROGRESS,
    "waiting_on_customer": case_pb2.CASE_STATUS_WAITING_ON_CUSTOMER,
    "resolved": case_pb2.CASE_STATUS_RESOLVED,
    "closed": case_pb2.CASE_STATUS_CLOSED,
}
_EVENT_KINDS: dict[int, schemas.TimelineKind] = {
    case_pb2.CASE_EVENT_KIND_OPENED: "opened",
    case_pb2.CASE_EVENT_KIND_STATUS_CHANGED: "status_changed",
    case_pb2.CASE_EVENT_KIND_ASSIGNED: "assigned",
    case_pb2.CASE_EVENT_KIND_PRIORITY_CHANGED: "priority_changed",
    case_pb2.CASE_EVENT_KIND_CATEGORY_CHANGED: "category_changed",
    case_pb2.CASE_EVENT_KIND_MESSAGE_ADDED: "message_added",
    case_pb2.CASE_EVENT_KIND_NOTE_ADDED: "note_added",
    case_pb2.CASE_EVENT_KIND_REFUND_EVENT: "refund_event",
    case_pb2.CASE_EVENT_KIND_FOLLOW_UP_OPENED: "follow_up_opened",
}
_ORDER_STATUSES: dict[int, schemas.OrderStatus] = {
    order_pb2.ORDER_STATUS_PAID: "paid",
    order_pb2.ORDER_STATUS_SHIPPED: "shipped",
    order_pb2.ORDER_STATUS_DELIVERED: "delivered",
}
_REFUND_STATUSES: dict[int, schemas.RefundStatus] = {
    refund_pb2.REFUND_STATUS_PENDING_APPROVAL: "pending_approval",
    refund_pb2.REFUND_STATUS_APPROVED: "approved",
    refund_pb2.REFUND_STATUS_REJECTED: "rejected",
    refund_pb2.REFUND_STATUS_CANCELLED: "cancelled",
    refund_pb2.REFUND_STATUS_PROCESSING: "processing",
    refund_pb2.REFUND_STATUS_REFUNDED: "refunded",
    refund_pb2.REFUND_STATUS_FAILED: "failed",
}
_REFUND_REASONS: dict[schemas.RefundReason, refund_pb2.RefundReason] = {
    "damaged": refund_pb2.REFUND_REASON_DAMAGED,
    "wrong_item": refund_pb2.REFUND_REASON_WRONG_ITEM,
    "missing_item": refund_pb2.REFUND_REASON_MISSING_ITEM,
    "not_delivered": refund_pb2.REFUND_REASON_NOT_DELIVERED,
    "not_as_described": refund_pb2.REFUND_REASON_NOT_AS_DESCRIBED,
    "changed_mind": refund_pb2.REFUND_REASON_CHANGED_MIND,
    "other": refund_pb2.REFUND_REASON_OTHER,
}
_REFUND_METHODS: dict[schemas.RefundMethod, refund_pb2.RefundMethod] = {
    "original_payment": refund_pb2.REFUND_METHOD_ORIGINAL_PAYMENT,
    "store_credit": refund_pb2.REFUND_METHOD_STORE_CREDIT,
}
_REQUIRED_APPROVALS: dict[int, schemas.RequiredApproval] = {
    refund_pb2.APPROVAL_POLICY_AUTO_APPROVE: "auto",
    refund_pb2.APPROVAL_POLICY_AGENT_APPROVAL: "agent",
    refund_pb2.APPROVAL_POLICY_LEAD_APPROVAL: "lead",
}
_DECISION_POLICIES: dict[int, schemas.ApprovalPolicy] = {
    refund_pb2.APPROVAL_POLICY_AUTO_APPROVE: "auto_approve",
    refund_pb2.APPROVAL_POLICY_AGENT_APPROVAL: "agent_approval",
    refund_pb2.APPROVAL_POLICY_LEAD_APPROVAL: "lead_approval",
}
# Unset (0) or unknown values (from a newer service) fall back instead of failing the whole page.
_CATEGORY_NAMES: dict[int, schemas.Category] = {v: k for k, v in _CATEGORIES.items()}
_PRIORITY_NAMES: dict[int, schemas.Priority] = {v: k for k, v in _PRIORITIES.items()}
_STATUS_NAMES: dict[int, schemas.CaseStatus] = {v: k for k, v in _STATUSES.items()}
_REFUND_STATUS_CODES: dict[schemas.RefundStatus, refund_pb2.RefundStatus] = {
    v: k  # type: ignore[misc]
    for k, v in _REFUND_STATUSES.items()
}
_REFUND_REASON_NAMES: dict[int, schemas.RefundReason] = {v: k for k, v in _REFUND_REASONS.items()}
_REFUND_METHOD_NAMES: dict[int, schemas.RefundMethod] = {v: k for k, v in _REFUND_METHODS.items()}


def category_to_proto(value: schemas.Category) -> case_pb2.CaseCategory:
    return _CATEGORIES[value]


def priority_to_proto(value: schemas.Priority) -> case_pb2.CasePriority:
    return _PRIORITIES[value]


def status_to_proto(value: schemas.CaseStatus) -> case_pb2.CaseStatus:
    return _STATUSES[value]


_SORT = {
    "newest": case_service_pb2.CASE_ORDER_NEWEST,
    "oldest": case_service_pb2.CASE_ORDER_OLDEST,
    "due": case_service_pb2.CASE_ORDER_DUE,
}
_ACTOR_ROLES: dict[int, schemas.ActorRole] = {
    case_pb2.ACTOR_ROLE_CUSTOMER: "customer",
    case_pb2.ACTOR_ROLE_AGENT: "agent",
    case_pb2.ACTOR_ROLE_LEAD: "lead",
    case_pb2.ACTOR_ROLE_SYSTEM: "system",
}
# When the directory does not know someone, say what they are rather than show an id.
_ROLE_NAMES: dict[schemas.ActorRole, str] = {
    "customer": "Customer",
    "agent": "Support team",
    "lead": "Support team",
    "system": "Acme Support",
}


def _time(ts: timestamp_pb2.Timestamp) -> datetime:
    return to_datetime(ts)


def _optional_time(message: Any, field_name: str) -> datetime | None:
    return _time(getattr(message, field_name)) if message.HasField(field_name) else None


def _id(resource_name: str) -> str:
    """ "cases/abc" -> "abc"; "cases/abc/messages/m1" -> "m1"."""
    return resource_name.rsplit("/", 1)[-1]


def case_name(case_id: str) -> str:
    return f"cases/{case_id}"


def case_id_of(name: str) -> str:
    """ "cases/123" -> "123"."""
    return _id(name)


# --- shop --------------------------------------------------------------------------------------


def money_from_shop(money: order_pb2.Money) -> schemas.Money:
    return schemas.Money(amount_minor=money.amount_minor, currency=money.currency_code)


def order_from_proto(order: order_pb2.Order) -> schemas.Order:
    return schemas.Order(
        id=order.order_id or _id(order.name),
        placed_at=_time(order.place_time),
        delivered_at=_optional_time(order, "delivery_time"),
        status=_ORDER_STATUSES.get(order.status, "paid"),
        total=money_from_shop(order.total_paid),
        lines=[
            schemas.OrderLine(
                id=line.line_id,
                product_title=line.product.title,
                quantity=line.quantity,
                unit_price=money_from_shop(line.unit_price),
                paid=money_from_shop(line.paid_amount),
            )
            for line in order.lines
        ],
    )


# --- refunds -----------------------------------------------------------------------------------


def _money(money: refund_pb2.Money) -> schemas.Money:
    return schemas.Money(amount_minor=money.amount_minor, currency=money.currency_code)


def refund_record(refund: refund_pb2.Refund) -> RefundRecord:
    decision = None
    if refund.HasField("decision"):
        d = refund.decision
        decision = DecisionRecord(
            outcome="rejected" if d.outcome == refund_pb2.REFUND_STATUS_REJECTED else "approved",
            decided_by=d.decided_by,
            policy=_DECISION_POLICIES.get(d.policy, "agent_approval"),
            comment=d.comment,
            decided_at=_time(d.decide_time),
        )
    return RefundRecord(
        id=_id(refund.name),
        number=refund.refund_number,
        case_id=_id(refund.case),
        order_id=refund.order_id,
        customer_id=refund.customer_id,
        status=_REFUND_STATUSES.get(refund.status, "pending_approval"),
        lines=tuple(
            RefundLineRecord(line_id=line.order_line_id, quantity=line.quantity, amount=_money(line.amount))
            for line in refund.lines
        ),
        total=_money(refund.total),
        reason=_REFUND_REASON_NAMES.get(refund.reason, "other"),
        method=_REFUND_METHOD_NAMES.get(refund.method, "original_payment"),
        requested_by=refund.requested_by,
        created_at=_time(refund.create_time),
        updated_at=_time(refund.update_time),
        etag=refund.etag,
        # Unknown: the strictest reading, so that nobody is offered an approval the service refuses.
        required_approval=_REQUIRED_APPROVALS.get(refund.required_approval, "lead"),
        outside_refund_window=refund.outside_refund_window,
        note=refund.note,
        decision=decision,
        failure_reason=refund.failure_reason,
    )


def create_refund_request(
    case_id: str, order_id: str, body: schemas.CreateRefundRequest, request_id: str
) -> refund_service_pb2.CreateRefundRequest:
    return refund_service_pb2.CreateRefundRequest(
        refund=refund_pb2.Refund(
            case=case_name(case_id),
            order_id=order_id,
            lines=[
                refund_pb2.RefundLine(order_line_id=ln.line_id, quantity=ln.quantity) for ln in body.lines
            ],
            reason=_REFUND_REASONS[body.reason],
            method=_REFUND_METHODS[body.method],
            note=body.note or "",
        ),
        request_id=request_id,
    )


def list_refunds_request(query: schemas.RefundQuery) -> refund_service_pb2.ListRefundsRequest:
    return refund_service_pb2.ListRefundsRequest(
        page_size=query.page_size,
        page_token=query.page_token or "",
        case=case_name(query.case_id) if query.case_id else "",
        statuses=[_REFUND_STATUS_CODES[s] for s in query.status],
    )


def refund_method_to_proto(method: schemas.RefundMethod | None) -> refund_pb2.RefundMethod:
    return refund_pb2.REFUND_METHOD_UNSPECIFIED if method is None else _REFUND_METHODS[method]


def quote_from_proto(order_id: str, quote: refund_service_pb2.QuoteRefundResponse) -> schemas.RefundQuote:
    return schemas.RefundQuote(
        order_id=order_id,
        currency=quote.currency_code,
        window_open=quote.refund_window_open,
        window_ends_at=_optional_time(quote, "refund_window_end_time"),
        lines=[
            schemas.RefundableLine(
                line_id=line.order_line_id,
                product_title=line.product_title,
                quantity_bought=line.quantity_bought,
                quantity_refundable=line.quantity_refundable,
                amount_paid=_money(line.amount_paid),
                amount_refundable=_money(line.amount_refundable),
            )
            for line in quote.lines
        ],
    )


def refund_statistics_from_proto(
    stats: refund_service_pb2.GetRefundStatisticsResponse,
) -> schemas.RefundStatistics:
    return schemas.RefundStatistics(
        pending_count=stats.pending_count,
        pending=[_money(m) for m in stats.pending_amounts],
        refunded_count=stats.refunded_count,
        refunded=[_money(m) for m in stats.refunded_amounts],
    )


def timestamp(moment: datetime) -> timestamp_pb2.Timestamp:
    return to_timestamp(moment)


# --- cases -------------------------------------------------------------------------------------


class CaseMapper:
    """Maps cases, messages and timeline entries, putting people's names where the proto has ids."""

    def __init__(self, directory: UserDirectory) -> None:
        self._directory = directory

    def actor(self, actor_id: str, role: int) -> schemas.Actor:
        actor_role = _ACTOR_ROLES.get(role, "system")
        account = self._directory.by_id(actor_id) if actor_id else None
        name = account.name if account is not None else _ROLE_NAMES[actor_role]
        return schemas.Actor(id=actor_id, name=name, role=actor_role)

    def person(self, person_id: str) -> schemas.Person | None:
        if not person_id:
            return None
        account = self._directory.by_id(person_id)
        return schemas.Person(id=person_id, name=account.name if account else _ROLE_NAMES["agent"])

    def case(self, case: case_pb2.Case) -> schemas.Case:
        return schemas.Case(
            id=_id(case.name),
            number=case.case_number,
            order_id=case.order_id,
            order_line_ids=list(case.order_line_ids),
            category=_CATEGORY_NAMES.get(case.category, "other"),
            subject=case.subject,
            description=case.description,
            priority=_PRIORITY_NAMES.get(case.priority, "normal"),
            status=_STATUS_NAMES.get(case.status, "open"),
            assignee=self.person(case.assignee_id),
            created_at=_time(case.create_time),
            updated_at=_time(case.update_time),
            first_response_due_at=_optional_time(case, "first_response_due_time"),
            resolution_due_at=_optional_time(case, "resolution_due_time"),
            first_responded_at=_optional_time(case, "first_response_time"),
            sla_breached=case.sla_breached,
            etag=case.etag,
            previous_case_number=case.previous_case_number or None,
        )

    def message(self, message: case_pb2.CaseMessage) -> schemas.Message:
        return schemas.Message(
            id=_id(message.name),
            author=self.actor(message.author_id, message.author_role),
            body=message.body,
            internal=message.internal,
            created_at=_time(message.create_time),
        )

    def timeline_entry(self, event: case_pb2.CaseEvent) -> schemas.TimelineEntry:
        # The service's sentence names nobody (it knows people only by id); who a case was assigned
        # to is in the entry's details, and named here.
        assigned = event.kind == case_pb2.CASE_EVENT_KIND_ASSIGNED
        return schemas.TimelineEntry(
            id=_id(event.name),
            kind=_EVENT_KINDS.get(event.kind, "status_changed"),
            actor=self.actor(event.actor_id, event.actor_role),
            summary=event.summary,
            created_at=_time(event.create_time),
            internal=event.internal,
            assignee=self.person(event.details.get("to", "")) if assigned else None,
        )


def list_cases_request(query: schemas.CaseQuery, *, viewer_id: str) -> case_service_pb2.ListCasesRequest:
    request = case_service_pb2.ListCasesRequest(
        page_size=query.page_size,
        page_token=query.page_token or "",
        statuses=[status_to_proto(s) for s in query.status],
        priorities=[priority_to_proto(p) for p in query.priority],
        categories=[category_to_proto(c) for c in query.category],
        breached_only=query.breached,
        query=query.q or "",
        order_by=_SORT[query.sort],
    )
    if query.asks_for_own(viewer_id):
        request.assignee_filter = case_service_pb2.ASSIGNEE_FILTER_MINE
    elif query.assignee == "unassigned":
        request.assignee_filter = case_service_pb2.ASSIGNEE_FILTER_UNASSIGNED
    elif query.assignee:
        request.assignee_filter = case_service_pb2.ASSIGNEE_FILTER_SOMEONE
        request.assignee_id = query.assignee
    return request


def case_statistics_from_proto(stats: case_service_pb2.GetCaseStatisticsResponse) -> schemas.CaseStatistics:
    median = None
    if stats.HasField("median_first_response_duration"):
        median = stats.median_first_response_duration.ToTimedelta().total_seconds()
    return schemas.CaseStatistics(
        open_by_status=[
            schemas.StatusCount(status=_STATUS_NAMES[entry.status], count=entry.count)
            for entry in stats.open_cases_by_status
            if entry.status in _STATUS_NAMES
        ],
        breached_open=stats.breached_open_cases,
        breached_in_period=stats.breached_in_period,
        median_first_response_seconds=median,
        cases_opened=stats.opened_in_period,
        cases_resolved=stats.resolved_in_period,
    )


def case_change(change: case_service_pb2.WatchCaseResponse) -> CaseChange:
    return CaseChange(
        etag=change.etag,
        kinds=tuple(_EVENT_KINDS[k] for k in change.kinds if k in _EVENT_KINDS),
        initial=change.initial,
    )
