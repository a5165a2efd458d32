"""The approval policy as a table, and the refund window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from refund_svc.domain.actor import Actor, ActorRole
from refund_svc.domain.money import Money
from refund_svc.domain.policy import (
    ApprovalOutcome,
    ApprovalPolicy,
    RefundRules,
    decide_approval,
    inside_refund_window,
    refund_window_end,
)

RULES = RefundRules(window_days=30, auto_approve_limit_minor=5000, lead_limit_minor=50000)
ANA = Actor("cus_1001", ActorRole.CUSTOMER)
SAM = Actor("agt_2001", ActorRole.AGENT)
KIM = Actor("agt_2003", ActorRole.AGENT)
LEE = Actor("agt_2002", ActorRole.LEAD)
SYSTEM = Actor("system", ActorRole.SYSTEM)

A, P, R = ApprovalOutcome.APPROVED, ApprovalOutcome.PENDING, ApprovalOutcome.REFUSED
AUTO, AGENT, LEAD = ApprovalPolicy.AUTO_APPROVE, ApprovalPolicy.AGENT_APPROVAL, ApprovalPolicy.LEAD_APPROVAL


@pytest.mark.parametrize(
    ("amount", "inside", "requester", "approver", "outcome", "policy", "refusal"),
    [
        # By policy alone, at creation.
        (1, True, ANA, None, A, AUTO, None),
        (5000, True, ANA, None, A, AUTO, None),  # at the limit: still automatic
        (5001, True, ANA, None, P, AGENT, None),
        (5000, False, SAM, None, P, AGENT, None),  # outside the window: a person decides
        (50000, True, ANA, None, P, AGENT, None),
        (50001, True, ANA, None, P, LEAD, None),
        (0, True, SAM, None, A, AUTO, None),
        # An agent between the limits; a lead above; nobody for their own request.
        (20000, True, ANA, SAM, A, AGENT, None),
        (20000, True, ANA, LEE, A, AGENT, None),
        (50000, True, ANA, KIM, A, AGENT, None),  # at the lead limit: any agent
        (50001, True, ANA, SAM, R, LEAD, "LEAD_APPROVAL_REQUIRED"),
        (50001, True, ANA, LEE, A, LEAD, None),
        (20000, True, SAM, SAM, R, AGENT, "SELF_APPROVAL_FORBIDDEN"),
        (20000, True, SAM, KIM, A, AGENT, None),
        (90000, True, LEE, LEE, R, LEAD, "SELF_APPROVAL_FORBIDDEN"),
        (3000, False, SAM, KIM, A, AGENT, None),
        # Customers and the system never approve by hand.
        (20000, True, SAM, ANA, R, AGENT, "STAFF_ONLY"),
        (20000, True, SAM, SYSTEM, R, AGENT, "STAFF_ONLY"),
    ],
)
def test_approval_policy_table(
    amount: int,
    inside: bool,
    requester: Actor,
    approver: Actor | None,
    outcome: ApprovalOutcome,
    policy: ApprovalPolicy,
    refusal: str | None,
) -> None:
    decision = decide_approval(
        total=Money(amount, "EUR"),
        inside_window=inside,
        requested_by=requester,
        approver=approver,
        rules=RULES,
    )

    assert (decision.outcome, decision.policy, decision.refusal_reason) == (outcome, policy, refusal)
    assert decision.explanation


def test_limits_are_configurable() -> None:
    rules = RefundRules(auto_approve_limit_minor=100, lead_limit_minor=1000)
    decision = decide_approval(
        total=Money(1001, "EUR"), inside_window=True, requested_by=ANA, approver=SAM, rules=rules
    )
    assert decision.refusal_reason == "LEAD_APPROVAL_REQUIRED"


@pytest.mark.parametrize(("window_days", "auto", "lead"), [(-1, 0, 0), (30, 10, 5), (30, -1, 5)])
def test_inconsistent_rules_are_refused(window_days: int, auto: int, lead: int) -> None:
    with pytest.raises(ValueError, match="must"):
        RefundRules(window_days=window_days, auto_approve_limit_minor=auto, lead_limit_minor=lead)


def test_the_window_is_open_until_thirty_days_after_delivery() -> None:
    delivered = datetime(2026, 1, 1, 15, 0, tzinfo=UTC)

    assert refund_window_end(delivered, RULES) == delivered + timedelta(days=30)
    assert inside_refund_window(delivered, delivered + timedelta(days=30), RULES)
    assert not inside_refund_window(delivered, delivered + timedelta(days=30, seconds=1), RULES)


def test_the_window_has_not_started_before_delivery() -> None:
    assert refund_window_end(None, RULES) is None
    assert inside_refund_window(None, datetime(2030, 1, 1, tzinfo=UTC), RULES)
