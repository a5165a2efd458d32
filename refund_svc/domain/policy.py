"""The refund rules: the customer's refund window and who may approve what.

Both are pure functions of their inputs so that they can be tabulated in tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from refund_svc.domain.actor import Actor, ActorRole
from refund_svc.domain.errors import LEAD_APPROVAL_REQUIRED, SELF_APPROVAL_FORBIDDEN, STAFF_ONLY
from refund_svc.domain.money import Money


@dataclass(frozen=True, slots=True)
class RefundRules:
    """Configurable limits, in minor units of the order's currency."""

    window_days: int = 30
    auto_approve_limit_minor: int = 5000
    lead_limit_minor: int = 50000

    def __post_init__(self) -> None:
        if self.window_days < 0:
            raise ValueError("window_days must not be negative")
        if not 0 <= self.auto_approve_limit_minor <= self.lead_limit_minor:
            raise ValueError("limits must satisfy 0 <= auto_approve_limit <= lead_limit")


def refund_window_end(delivered_at: datetime | None, rules: RefundRules) -> datetime | None:
    """When customers can no longer ask; None while the order is not delivered (not started yet)."""
    return None if delivered_at is None else delivered_at + timedelta(days=rules.window_days)


def inside_refund_window(delivered_at: datetime | None, now: datetime, rules: RefundRules) -> bool:
    end = refund_window_end(delivered_at, rules)
    return end is None or now <= end


class ApprovalPolicy(StrEnum):
    AUTO_APPROVE = "AUTO_APPROVE"  # at or below the auto-approve limit, inside the window
    AGENT_APPROVAL = "AGENT_APPROVAL"  # any agent (or lead) but the requester
    LEAD_APPROVAL = "LEAD_APPROVAL"  # above the lead limit: a lead but the requester


def required_approval(total: Money, inside_window: bool, rules: RefundRules) -> ApprovalPolicy:
    if total.amount_minor > rules.lead_limit_minor:
        return ApprovalPolicy.LEAD_APPROVAL
    if inside_window and total.amount_minor <= rules.auto_approve_limit_minor:
        return ApprovalPolicy.AUTO_APPROVE
    return ApprovalPolicy.AGENT_APPROVAL


class ApprovalOutcome(StrEnum):
    APPROVED = "APPROVED"
    PENDING = "PENDING"  # no approver yet and the policy wants a person
    REFUSED = "REFUSED"  # this approver may not approve this refund


@dataclass(frozen=True, slots=True)
class ApprovalDecision:
    outcome: ApprovalOutcome
    policy: ApprovalPolicy
    refusal_reason: str | None = None  # a stable reason from domain/errors.py when REFUSED
    explanation: str = ""


def decide_approval(
    *,
    total: Money,
    inside_window: bool,
    requested_by: Actor,
    approver: Actor | None,
    rules: RefundRules,
) -> ApprovalDecision:
    """Whether a refund is approved, and the policy that applied.

    `approver=None` asks the policy alone (at creation): only AUTO_APPROVE approves. With an
    approver: agents and leads approve up to the lead limit, only leads above it, and nobody
    approves a refund they requested themselves.
    """
    policy = required_approval(total, inside_window, rules)
    if approver is None:
        if policy is ApprovalPolicy.AUTO_APPROVE:
            return ApprovalDecision(ApprovalOutcome.APPROVED, policy, explanation="approved by policy")
        return ApprovalDecision(ApprovalOutcome.PENDING, policy, explanation="waiting for approval")
    if approver.role not in (ActorRole.AGENT, ActorRole.LEAD):
        return ApprovalDecision(
            ApprovalOutcome.REFUSED, policy, STAFF_ONLY, "only support agents and leads approve refunds"
        )
    if approver.subject == requested_by.subject:
        return ApprovalDecision(
            ApprovalOutcome.REFUSED,
            policy,
            SELF_APPROVAL_FORBIDDEN,
            "nobody approves a refund they requested themselves",
        )
    if policy is ApprovalPolicy.LEAD_APPROVAL and approver.role is not ActorRole.LEAD:
        return ApprovalDecision(
            ApprovalOutcome.REFUSED,
            policy,
            LEAD_APPROVAL_REQUIRED,
            f"refunds above {Money(rules.lead_limit_minor, total.currency_code)} need a lead's approval",
        )
    return ApprovalDecision(ApprovalOutcome.APPROVED, policy, explanation=f"approved by {approver.role}")
