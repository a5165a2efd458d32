"""The Refund aggregate: creation from the order, transitions guarded, decisions recorded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from refund_svc.domain.actor import Actor, ActorRole
from refund_svc.domain.errors import (
    CurrencyMismatchError,
    InvalidArgumentError,
    InvalidStateTransitionError,
    NoLongerRefundableError,
    OrderNotFoundError,
    PermissionDeniedError,
    RefundWindowClosedError,
)
from refund_svc.domain.money import Money
from refund_svc.domain.order import Order, OrderLine
from refund_svc.domain.policy import ApprovalPolicy, RefundRules
from refund_svc.domain.refund import (
    Refund,
    RefundMethod,
    RefundReason,
    RefundStatus,
    RequestedLine,
)
from refund_svc.domain.refundable import LineUsage
from tests.refund_svc.fakes import NOW, make_order

RULES = RefundRules()
ORDER = make_order()
CUSTOMER = Actor("cus_1", ActorRole.CUSTOMER)
SAM = Actor("agt_2001", ActorRole.AGENT)
KIM = Actor("agt_2003", ActorRole.AGENT)
LEE = Actor("agt_2002", ActorRole.LEAD)


def request(
    *lines: tuple[str, int],
    order: Order | None = None,
    by: Actor = CUSTOMER,
    usage: dict[str, LineUsage] | None = None,
    note: str = "",
) -> Refund:
    return Refund.request(
        refund_id="rf1",
        number=2001,
        case_name="cases/c1",
        order=order or make_order(),
        usage=usage or {},
        requested=[RequestedLine(line_id, qty) for line_id, qty in lines],
        reason=RefundReason.DAMAGED,
        method=RefundMethod.ORIGINAL_PAYMENT,
        note=note,
        requested_by=by,
        now=NOW,
        rules=RULES,
    )


def pending() -> Refund:
    refund = request(("ln_1", 1))  # 79.00: above the auto-approve limit
    assert refund.status is RefundStatus.PENDING_APPROVAL
    return refund


def approved() -> Refund:
    refund = pending()
    refund.approve(SAM, NOW, RULES)
    return refund


def processing() -> Refund:
    refund = approved()
    refund.process(Actor("system", ActorRole.SYSTEM), NOW)
    return refund


def failed() -> Refund:
    refund = processing()
    refund.fail(NOW, "card expired")
    return refund


def test_a_small_refund_inside_the_window_is_approved_by_policy() -> None:
    refund = request(("ln_2", 1))

    assert refund.status is RefundStatus.APPROVED
    assert refund.lines[0].amount == Money(1169, "EUR")  # a third of 35.08, rounded down
    assert refund.total == Money(1169, "EUR")
    assert refund.required_approval is ApprovalPolicy.AUTO_APPROVE
    decision = refund.decision
    assert decision is not None
    assert decision.actor.subject == "system"
    assert decision.policy is ApprovalPolicy.AUTO_APPROVE
    assert [c.to_status for c in refund.history] == [RefundStatus.PENDING_APPROVAL, RefundStatus.APPROVED]
    assert refund.version == 2
    assert refund.human_number == "R-2001"


def test_a_larger_refund_waits_for_an_agent() -> None:
    refund = pending()

    assert refund.required_approval is ApprovalPolicy.AGENT_APPROVAL
    assert refund.decision is None
    assert refund.holds_money


def test_amounts_come_from_what_was_paid_and_the_last_units_take_the_remainder() -> None:
    first = request(("ln_2", 2))
    rest = request(("ln_2", 1), usage={"ln_2": LineUsage(2, first.total)})

    assert first.total == Money(2338, "EUR")
    assert rest.total == Money(1170, "EUR")
    assert first.total + rest.total == Money(3508, "EUR")


def test_a_customer_cannot_refund_another_customers_order() -> None:
    with pytest.raises(OrderNotFoundError):
        request(("ln_1", 1), by=Actor("cus_2", ActorRole.CUSTOMER))


def test_a_customer_outside_the_window_is_refused_with_a_clear_reason() -> None:
    with pytest.raises(RefundWindowClosedError) as caught:
        request(("ln_1", 1), order=make_order(delivered_days_ago=60))

    assert caught.value.reason == "REFUND_WINDOW_CLOSED"
    assert "30-day refund window" in caught.value.message


def test_staff_outside_the_window_need_a_note() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        request(("ln_2", 1), order=make_order(delivered_days_ago=60), by=SAM)

    assert [p.field for p in caught.value.problems] == ["note"]
    assert caught.value.reason == "NOTE_REQUIRED"


def test_staff_outside_the_window_with_a_note_create_a_pending_refund() -> None:
    refund = request(("ln_2", 1), order=make_order(delivered_days_ago=60), by=SAM, note="Goodwill")

    assert refund.status is RefundStatus.PENDING_APPROVAL  # never automatic outside the window
    assert refund.outside_window
    assert refund.note == "Goodwill"


def test_an_undelivered_order_is_inside_the_window() -> None:
    refund = request(("ln_2", 1), order=make_order(delivered_days_ago=None))

    assert refund.status is RefundStatus.APPROVED
    assert not refund.outside_window


def test_line_problems_are_reported_together_with_their_fields() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        request(("ln_9", 1), ("ln_2", 4), ("ln_1", 0), ("ln_2", 1))

    assert [p.field for p in caught.value.problems] == [
        "lines[0].order_line_id",
        "lines[1].quantity",
        "lines[2].quantity",
        "lines[3].order_line_id",  # ln_2 again
    ]


def test_a_duplicate_line_is_refused() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        request(("ln_2", 1), ("ln_2", 1))
    assert [p.field for p in caught.value.problems] == ["lines[1].order_line_id"]


def test_no_lines_is_refused() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        request()
    assert [p.field for p in caught.value.problems] == ["lines"]


def test_units_already_held_by_other_refunds_cannot_be_asked_again() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        request(("ln_2", 2), usage={"ln_2": LineUsage(2, Money(2338, "EUR"))})

    assert caught.value.reason == "QUANTITY_NOT_REFUNDABLE"
    assert "1 of 3 units" in caught.value.problems[0].description


# --- transitions ----------------------------------------------------------------------------------


def test_the_happy_path_to_refunded_keeps_who_and_when() -> None:
    refund = pending()
    later = NOW + timedelta(hours=1)

    refund.approve(SAM, later, RULES, comment="Photo shows the damage")
    refund.process(Actor("system", ActorRole.SYSTEM), later)
    refund.succeed(later, "po_123")

    assert refund.status is RefundStatus.REFUNDED
    assert refund.payout_reference == "po_123"
    assert refund.updated_at == later
    decision = refund.decision
    assert decision is not None
    assert (decision.actor, decision.comment, decision.policy) == (
        SAM,
        "Photo shows the damage",
        ApprovalPolicy.AGENT_APPROVAL,
    )
    assert refund.version == 4


def test_reject_needs_staff_and_a_reason() -> None:
    refund = pending()
    with pytest.raises(InvalidArgumentError):
        refund.reject(SAM, NOW, "  ")
    with pytest.raises(PermissionDeniedError):
        refund.reject(CUSTOMER, NOW, "no")

    refund.reject(SAM, NOW, "Item was used")

    assert refund.status is RefundStatus.REJECTED
    assert not refund.holds_money
    decision = refund.decision
    assert decision is not None
    assert decision.comment == "Item was used"


def test_only_the_customer_cancels() -> None:
    refund = pending()
    with pytest.raises(PermissionDeniedError) as caught:
        refund.cancel(SAM, NOW)
    assert caught.value.reason == "NOT_REFUND_OWNER"
    with pytest.raises(PermissionDeniedError):
        refund.cancel(Actor("cus_2", ActorRole.CUSTOMER), NOW)

    refund.cancel(CUSTOMER, NOW)

    assert refund.status is RefundStatus.CANCELLED


def test_nobody_approves_their_own_request() -> None:
    refund = request(("ln_1", 1), by=SAM)

    with pytest.raises(PermissionDeniedError) as caught:
        refund.approve(SAM, NOW, RULES)

    assert caught.value.reason == "SELF_APPROVAL_FORBIDDEN"
    assert refund.decision is None
    refund.approve(KIM, NOW, RULES)
    assert refund.status is RefundStatus.APPROVED


def test_above_the_lead_limit_only_a_lead_approves() -> None:
    big = make_order(lines=[("ln_1", 1, 64900)])
    refund = request(("ln_1", 1), order=big)
    assert refund.required_approval is ApprovalPolicy.LEAD_APPROVAL

    with pytest.raises(PermissionDeniedError) as caught:
        refund.approve(SAM, NOW, RULES)
    assert caught.value.reason == "LEAD_APPROVAL_REQUIRED"

    refund.approve(LEE, NOW, RULES)
    decision = refund.decision
    assert decision is not None
    assert decision.policy is ApprovalPolicy.LEAD_APPROVAL


def test_a_failed_payout_is_retried_possibly_as_store_credit() -> None:
    refund = failed()
    assert not refund.holds_money
    assert refund.history[-1].comment == "card expired"
    assert refund.failure_reason == "card expired"

    refund.retry(SAM, NOW, ORDER, {}, RefundMethod.STORE_CREDIT)

    assert refund.status is RefundStatus.PROCESSING
    assert refund.method is RefundMethod.STORE_CREDIT
    assert refund.history[-1].comment == "payout retried as store credit"
    assert refund.history[-1].actor == SAM
    assert refund.total == Money(7900, "EUR")
    assert refund.failure_reason == "card expired"  # kept for the record


def test_a_retry_keeping_the_method_says_so() -> None:
    refund = failed()

    refund.retry(LEE, NOW, ORDER, {}, RefundMethod.ORIGINAL_PAYMENT)

    assert refund.method is RefundMethod.ORIGINAL_PAYMENT
    assert refund.history[-1].comment == "payout retried"


@pytest.mark.parametrize("who", [CUSTOMER, Actor("system", ActorRole.SYSTEM)])
def test_only_agents_and_leads_retry(who: Actor) -> None:
    refund = failed()

    with pytest.raises(PermissionDeniedError) as caught:
        refund.retry(who, NOW, ORDER, {})

    assert caught.value.reason == "STAFF_ONLY"
    assert refund.status is RefundStatus.FAILED


def test_a_retry_is_refused_when_another_refund_took_the_units_meanwhile() -> None:
    refund = failed()  # ln_1: its only unit, released when the payout failed

    with pytest.raises(NoLongerRefundableError) as caught:
        refund.retry(SAM, NOW, ORDER, {"ln_1": LineUsage(1, Money(7900, "EUR"))})

    assert caught.value.reason == "NO_LONGER_REFUNDABLE"
    assert "ln_1" in caught.value.message
    assert refund.status is RefundStatus.FAILED
    assert len(refund.history) == 4


def test_a_retry_taking_the_last_units_of_a_line_takes_exactly_what_is_left() -> None:
    third = request(("ln_2", 1), by=SAM)  # 11.69 of 35.08 for three phone cases: approved by policy
    third.process(SAM, NOW)
    third.fail(NOW, "declined")
    others = LineUsage(2, Money(2338, "EUR"))  # meanwhile another refund took the other two

    third.retry(SAM, NOW, ORDER, {"ln_2": others})

    assert third.total == Money(3508 - 2338, "EUR")  # 11.70: the line sums to what was paid
    assert "amount adjusted from 11.69 EUR to 11.70 EUR" in third.history[-1].comment


def test_a_retry_of_some_units_keeps_the_approved_amount() -> None:
    refund = request(("ln_2", 1), by=SAM)
    refund.process(SAM, NOW)
    refund.fail(NOW, "declined")

    refund.retry(SAM, NOW, ORDER, {"ln_2": LineUsage(1, Money(1169, "EUR"))})

    assert refund.total == Money(1169, "EUR")


def test_a_retry_needs_the_refunds_own_order() -> None:
    with pytest.raises(ValueError, match="ord_other"):
        failed().retry(SAM, NOW, make_order("ord_other"), {})


def test_each_change_becomes_one_event_for_the_case() -> None:
    refund = request(("ln_1", 1), note="Broken on arrival")
    refund.approve(SAM, NOW, RULES, comment="Photo shows it")
    refund.process(Actor("system", ActorRole.SYSTEM), NOW)
    refund.succeed(NOW + timedelta(minutes=1), "po_9")

    events = refund.unsaved_events()

    assert [(e.kind.value, e.actor_id, e.actor_role.value, e.note, e.refund_open) for e in events] == [
        ("REQUESTED", "cus_1", "customer", "Broken on arrival", True),
        ("APPROVED", "agt_2001", "agent", "Photo shows it", True),
        ("PROCESSING", "system", "system", "payout started", True),
        ("REFUNDED", "system", "system", "paid out", False),
    ]
    assert [e.sequence for e in events] == [1, 2, 3, 4]
    assert {(e.refund_number, e.case_name, e.amount) for e in events} == {
        ("R-2001", "cases/c1", Money(7900, "EUR"))
    }
    assert events[-1].occurred_at == NOW + timedelta(minutes=1)
    assert len({e.event_id for e in events}) == 4
    refund.mark_saved()
    assert refund.unsaved_events() == []


def test_event_ids_are_stable_per_change() -> None:
    first, again = pending(), pending()
    assert [e.event_id for e in first.unsaved_events()] == [e.event_id for e in again.unsaved_events()]
    assert first.unsaved_events()[0].event_id != request(("ln_2", 1)).unsaved_events()[1].event_id


@pytest.mark.parametrize(
    ("make", "is_open"), [(pending, True), (approved, True), (processing, True), (failed, False)]
)
def test_open_means_pending_approved_or_processing(make: Callable[[], Refund], is_open: bool) -> None:
    refund = make()
    assert refund.is_open is is_open
    assert refund.unsaved_events()[-1].refund_open is is_open


@pytest.mark.parametrize(
    ("make", "action"),
    [
        (pending, lambda r: r.process(SAM, NOW)),
        (pending, lambda r: r.succeed(NOW, "po_1")),
        (pending, lambda r: r.fail(NOW, "x")),
        (pending, lambda r: r.retry(SAM, NOW, ORDER, {})),
        (approved, lambda r: r.approve(KIM, NOW, RULES)),
        (approved, lambda r: r.reject(SAM, NOW, "x")),
        (approved, lambda r: r.cancel(CUSTOMER, NOW)),
        (approved, lambda r: r.retry(SAM, NOW, ORDER, {})),
        (processing, lambda r: r.process(SAM, NOW)),
        (processing, lambda r: r.cancel(CUSTOMER, NOW)),
        (failed, lambda r: r.process(SAM, NOW)),
        (failed, lambda r: r.succeed(NOW, "po_1")),
    ],
)
def test_illegal_transitions_are_refused_with_the_reason_and_change_nothing(
    make: Callable[[], Refund], action: Callable[[Refund], object]
) -> None:
    refund = make()
    before = (refund.status, len(refund.history))

    with pytest.raises(InvalidStateTransitionError) as caught:
        action(refund)

    assert caught.value.reason == "INVALID_STATE_TRANSITION"
    assert (refund.status, len(refund.history)) == before


@pytest.mark.parametrize("final", ["rejected", "cancelled", "refunded"])
def test_final_statuses_are_final(final: str) -> None:
    refund = pending()
    if final == "rejected":
        refund.reject(SAM, NOW, "no")
    elif final == "cancelled":
        refund.cancel(CUSTOMER, NOW)
    else:
        refund.approve(SAM, NOW, RULES)
        refund.process(SAM, NOW)
        refund.succeed(NOW, "po_1")

    actions: list[Callable[[], None]] = [
        lambda: refund.approve(KIM, NOW, RULES),
        lambda: refund.reject(SAM, NOW, "x"),
        lambda: refund.cancel(CUSTOMER, NOW),
        lambda: refund.process(SAM, NOW),
        lambda: refund.fail(NOW, "x"),
        lambda: refund.retry(SAM, NOW, ORDER, {}),
    ]
    for action in actions:
        with pytest.raises(InvalidStateTransitionError):
            action()


def test_unsaved_changes_are_what_the_repository_has_not_stored() -> None:
    refund = pending()
    assert len(refund.unsaved_changes) == 1
    refund.mark_saved()
    refund.approve(SAM, NOW, RULES)
    assert [c.to_status for c in refund.unsaved_changes] == [RefundStatus.APPROVED]


def test_an_order_mixing_currencies_is_refused() -> None:
    with pytest.raises(CurrencyMismatchError):
        Order("ord_x", "cus_1", "EUR", (OrderLine("ln_1", "Thing", 1, Money(100, "USD")),), None)


@pytest.mark.parametrize(("quantity", "paid"), [(0, 100), (1, -1)])
def test_an_order_line_needs_units_and_a_paid_amount(quantity: int, paid: int) -> None:
    with pytest.raises(ValueError, match="order line"):
        OrderLine("ln_1", "Thing", quantity, Money(paid, "EUR"))
