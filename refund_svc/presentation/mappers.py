"""The one translation point between protobuf messages and the application/domain types."""

from __future__ import annotations

from datetime import UTC, datetime

from acme.refund.v1 import refund_pb2, refund_service_pb2
from google.protobuf import timestamp_pb2

from kit.identity import Identity, Role
from kit.timestamps import to_timestamp
from refund_svc.application.commands import (
    ApproveRefundCommand,
    CancelRefundCommand,
    CreateRefundCommand,
    ListRefundsQuery,
    RefundQuote,
    RefundStatistics,
    RejectRefundCommand,
    RetryRefundCommand,
    StatisticsPeriod,
)
from refund_svc.domain.actor import Actor, ActorRole
from refund_svc.domain.money import Money
from refund_svc.domain.policy import ApprovalPolicy
from refund_svc.domain.refund import (
    Refund,
    RefundMethod,
    RefundReason,
    RefundStatus,
    RequestedLine,
)
from refund_svc.presentation.validation import RefundTarget

REFUND_NAME_PREFIX = "refunds/"

_ROLES = {
    Role.CUSTOMER: ActorRole.CUSTOMER,
    Role.AGENT: ActorRole.AGENT,
    Role.LEAD: ActorRole.LEAD,
    Role.SYSTEM: ActorRole.SYSTEM,
}
REASONS: dict[refund_pb2.RefundReason, RefundReason] = {
    refund_pb2.REFUND_REASON_DAMAGED: RefundReason.DAMAGED,
    refund_pb2.REFUND_REASON_WRONG_ITEM: RefundReason.WRONG_ITEM,
    refund_pb2.REFUND_REASON_MISSING_ITEM: RefundReason.MISSING_ITEM,
    refund_pb2.REFUND_REASON_NOT_DELIVERED: RefundReason.NOT_DELIVERED,
    refund_pb2.REFUND_REASON_NOT_AS_DESCRIBED: RefundReason.NOT_AS_DESCRIBED,
    refund_pb2.REFUND_REASON_CHANGED_MIND: RefundReason.CHANGED_MIND,
    refund_pb2.REFUND_REASON_OTHER: RefundReason.OTHER,
}
METHODS: dict[refund_pb2.RefundMethod, RefundMethod] = {
    # Unspecified means what a customer expects: the money goes back the way it came.
    refund_pb2.REFUND_METHOD_UNSPECIFIED: RefundMethod.ORIGINAL_PAYMENT,
    refund_pb2.REFUND_METHOD_ORIGINAL_PAYMENT: RefundMethod.ORIGINAL_PAYMENT,
    refund_pb2.REFUND_METHOD_STORE_CREDIT: RefundMethod.STORE_CREDIT,
}
STATUSES: dict[refund_pb2.RefundStatus, RefundStatus] = {
    refund_pb2.REFUND_STATUS_PENDING_APPROVAL: RefundStatus.PENDING_APPROVAL,
    refund_pb2.REFUND_STATUS_APPROVED: RefundStatus.APPROVED,
    refund_pb2.REFUND_STATUS_REJECTED: RefundStatus.REJECTED,
    refund_pb2.REFUND_STATUS_CANCELLED: RefundStatus.CANCELLED,
    refund_pb2.REFUND_STATUS_PROCESSING: RefundStatus.PROCESSING,
    refund_pb2.REFUND_STATUS_REFUNDED: RefundStatus.REFUNDED,
    refund_pb2.REFUND_STATUS_FAILED: RefundStatus.FAILED,
}
POLICIES: dict[ApprovalPolicy, refund_pb2.ApprovalPolicy] = {
    ApprovalPolicy.AUTO_APPROVE: refund_pb2.APPROVAL_POLICY_AUTO_APPROVE,
    ApprovalPolicy.AGENT_APPROVAL: refund_pb2.APPROVAL_POLICY_AGENT_APPROVAL,
    ApprovalPolicy.LEAD_APPROVAL: refund_pb2.APPROVAL_POLICY_LEAD_APPROVAL,
}
_REASONS_OUT = {v: k for k, v in REASONS.items()}
_METHODS_OUT: dict[RefundMethod, refund_pb2.RefundMethod] = {
    RefundMethod.ORIGINAL_PAYMENT: refund_pb2.REFUND_METHOD_ORIGINAL_PAYMENT,
    RefundMethod.STORE_CREDIT: refund_pb2.REFUND_METHOD_STORE_CREDIT,
}
_STATUSES_OUT = {v: k for k, v in STATUSES.items()}


def actor_from_identity(identity: Identity) -> Actor:
    return Actor(identity.subject, _ROLES[identity.role])


def _timestamp(moment: datetime) -> timestamp_pb2.Timestamp:
    return to_timestamp(moment)


def money_to_proto(money: Money) -> refund_pb2.Money:
    return refund_pb2.Money(amount_minor=money.amount_minor, currency_code=money.currency_code)


def create_command(request: refund_service_pb2.CreateRefundRequest) -> CreateRefundCommand:
    """From a request that passed validation.validate_create_refund."""
    refund = request.refund
    return CreateRefundCommand(
        request_id=request.request_id,
        case_name=refund.case,
        order_id=refund.order_id,
        lines=tuple(RequestedLine(line.order_line_id, line.quantity) for line in refund.lines),
        reason=REASONS[refund.reason],
        method=METHODS[refund.method],
        note=refund.note,
    )


def approve_command(
    request: refund_service_pb2.ApproveRefundRequest, target: RefundTarget
) -> ApproveRefundCommand:
    return ApproveRefundCommand(target.refund_id, target.expected_version, request.comment)


def reject_command(
    request: refund_service_pb2.RejectRefundRequest, target: RefundTarget
) -> RejectRefundCommand:
    return RejectRefundCommand(target.refund_id, request.reason, target.expected_version)


def cancel_command(target: RefundTarget) -> CancelRefundCommand:
    return CancelRefundCommand(target.refund_id, target.expected_version)


def retry_command(request: refund_service_pb2.RetryRefundRequest, target: RefundTarget) -> RetryRefundCommand:
    # Unspecified keeps the refund's method (unlike on create, where it means original payment).
    method = None if request.method == refund_pb2.REFUND_METHOD_UNSPECIFIED else METHODS[request.method]
    return RetryRefundCommand(target.refund_id, target.expected_version, method)


def list_query(request: refund_service_pb2.ListRefundsRequest, page_size: int) -> ListRefundsQuery:
    return ListRefundsQuery(
        page_size=page_size,
        page_token=request.page_token,
        case_name=request.case or None,
        order_id=request.order_id or None,
        statuses=frozenset(STATUSES[s] for s in request.statuses),
    )


def refund_to_proto(refund: Refund) -> refund_pb2.Refund:
    message = refund_pb2.Refund(
        name=f"{REFUND_NAME_PREFIX}{refund.refund_id}",
        refund_number=refund.human_number,
        case=refund.case_name,
        order_id=refund.order_id,
        customer_id=refund.customer_id,
        lines=[
            refund_pb2.RefundLine(
                order_line_id=line.order_line_id, quantity=line.quantity, amount=money_to_proto(line.amount)
            )
            for line in refund.lines
        ],
        total=money_to_proto(refund.total),
        reason=_REASONS_OUT[refund.reason],
        method=_METHODS_OUT[refund.method],
        status=_STATUSES_OUT[refund.status],
        requested_by=refund.requested_by.subject,
        create_time=_timestamp(refund.created_at),
        update_time=_timestamp(refund.updated_at),
        etag=f'"{refund.version}"',
        note=refund.note,
        required_approval=POLICIES[refund.required_approval],
        outside_refund_window=refund.outside_window,
        failure_reason=refund.failure_reason,
        payout_reference=refund.payout_reference,
    )
    decision = refund.decision
    if decision is not None:
        policy = POLICIES[decision.policy] if decision.policy else refund_pb2.APPROVAL_POLICY_UNSPECIFIED
        message.decision.CopyFrom(
            refund_pb2.RefundDecision(
                outcome=_STATUSES_OUT[decision.to_status],
                decided_by=decision.actor.subject,
                policy=policy,
                comment=decision.comment,
                decide_time=_timestamp(decision.at),
            )
        )
    return message


def quote_to_proto(quote: RefundQuote) -> refund_service_pb2.QuoteRefundResponse:
    message = refund_service_pb2.QuoteRefundResponse(
        lines=[
            refund_pb2.RefundableLine(
                order_line_id=r.line.line_id,
                product_title=r.line.product_title,
                quantity_bought=r.line.quantity,
                quantity_refundable=r.quantity,
                amount_paid=money_to_proto(r.line.paid),
                amount_refundable=money_to_proto(r.amount),
            )
            for r in quote.lines
        ],
        currency_code=quote.order.currency_code,
        refund_window_open=quote.window_open,
    )
    if quote.window_end is not None:
        message.refund_window_end_time.CopyFrom(_timestamp(quote.window_end))
    return message


def statistics_period(request: refund_service_pb2.GetRefundStatisticsRequest) -> StatisticsPeriod:
    """From a request that passed validation.validate_get_refund_statistics."""
    return StatisticsPeriod(
        start=request.period_start_time.ToDatetime(tzinfo=UTC),
        end=request.period_end_time.ToDatetime(tzinfo=UTC),
    )


def statistics_to_proto(stats: RefundStatistics) -> refund_service_pb2.GetRefundStatisticsResponse:
    return refund_service_pb2.GetRefundStatisticsResponse(
        pending_count=stats.pending_count,
        pending_amounts=[money_to_proto(m) for m in stats.pending],
        refunded_count=stats.refunded_count,
        refunded_amounts=[money_to_proto(m) for m in stats.refunded],
        period_start_time=_timestamp(stats.period.start),
        period_end_time=_timestamp(stats.period.end),
        compute_time=_timestamp(stats.computed_at),
    )
