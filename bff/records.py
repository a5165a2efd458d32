"""What the clients hand back besides the JSON models: the facts the BFF decides with (who asked for a
refund, whose it is, which policy applies), which never go to the browser as they are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bff import schemas

SYSTEM = "system"  # who decided when the policy approved a refund by itself


@dataclass(frozen=True, slots=True)
class RefundLineRecord:
    line_id: str
    quantity: int
    amount: schemas.Money


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    outcome: schemas.DecisionOutcome
    decided_by: str  # a staff id, or SYSTEM
    policy: schemas.ApprovalPolicy
    comment: str
    decided_at: datetime


@dataclass(frozen=True, slots=True)
class RefundRecord:
    id: str
    number: str
    case_id: str
    order_id: str
    customer_id: str
    status: schemas.RefundStatus
    lines: tuple[RefundLineRecord, ...]
    total: schemas.Money
    reason: schemas.RefundReason
    method: schemas.RefundMethod
    requested_by: str  # a customer or staff id
    created_at: datetime
    updated_at: datetime
    etag: str
    required_approval: schemas.RequiredApproval
    outside_refund_window: bool
    note: str
    decision: DecisionRecord | None
    failure_reason: str  # for staff only; "" when no payout failed


@dataclass(frozen=True, slots=True)
class CaseChange:
    """One message of support's WatchCase stream: the case's etag after a change, and its kinds."""

    etag: str
    kinds: tuple[str, ...]  # timeline kinds ("message_added", ...); empty on the first message
    initial: bool


@dataclass(frozen=True, slots=True)
class CaseChanged:
    """One message of support's WatchCases stream: which case changed, and whose it is."""

    case_id: str
    customer_id: str  # "" from a support_svc that does not say (then nobody's list can be trusted)
    etag: str = ""  # the case's etag after the change ("": not said)
