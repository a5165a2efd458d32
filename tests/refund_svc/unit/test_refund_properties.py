"""Property-based tests: the refund state machine, and per-line caps under any sequence of events."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from refund_svc.domain.actor import Actor, ActorRole
from refund_svc.domain.errors import (
    DomainError,
    InvalidArgumentError,
    InvalidStateTransitionError,
    PermissionDeniedError,
)
from refund_svc.domain.money import Money
from refund_svc.domain.order import Order
from refund_svc.domain.policy import ApprovalPolicy, RefundRules
from refund_svc.domain.refund import (
    HOLDING_STATUSES,
    TRANSITIONS,
    Refund,
    RefundMethod,
    RefundReason,
    RefundStatus,
    RequestedLine,
)
from refund_svc.domain.refundable import LineUsage, refundable_line
from tests.refund_svc.fakes import NOW, InMemoryStore, make_order

RULES = RefundRules()
CUSTOMER = Actor("cus_1", ActorRole.CUSTOMER)
ACTORS = [
    CUSTOMER,
    Actor("cus_2", ActorRole.CUSTOMER),
    Actor("agt_2001", ActorRole.AGENT),
    Actor("agt_2003", ActorRole.AGENT),
    Actor("agt_2002", ActorRole.LEAD),
    Actor("system", ActorRole.SYSTEM),
]
STAFF_REQUESTERS = ACTORS[2:5]
S = RefundStatus
LEAD = ApprovalPolicy.LEAD_APPROVAL


# --- pricing ----------------------------------------------------------------------------------------


@given(
    paid=st.integers(0, 10**9),
    quantity=st.integers(1, 50),
    data=st.data(),
)
def test_refunding_a_line_in_any_parts_sums_exactly_to_what_was_paid(
    paid: int, quantity: int, data: st.DataObject
) -> None:
    line = make_order(lines=[("ln_1", quantity, paid)]).lines[0]
    held = LineUsage(0, Money.zero("EUR"))
    while held.quantity < quantity:
        left = refundable_line(line, held)
        part = data.draw(st.integers(1, left.quantity))
        amount = left.price(part)
        assert 0 <= amount.amount_minor <= left.amount.amount_minor
        held = LineUsage(held.quantity + part, held.amount + amount)
    assert held.amount == Money(paid, "EUR")
    assert refundable_line(line, held).amount == Money.zero("EUR")


# --- the state machine ------------------------------------------------------------------------------


class RefundLifecycle(RuleBasedStateMachine):
    """Drives one refund with arbitrary actors and actions; a model says what must happen."""

    refund: Refund
    model: RefundStatus

    @initialize(
        paid=st.integers(1, 100_000),
        requester=st.sampled_from([CUSTOMER, *STAFF_REQUESTERS]),
        delivered_days_ago=st.sampled_from([None, 1, 29, 31, 90]),
    )
    def create(self, paid: int, requester: Actor, delivered_days_ago: int | None) -> None:
        order = make_order(lines=[("ln_1", 1, paid)], delivered_days_ago=delivered_days_ago)
        inside = delivered_days_ago is None or delivered_days_ago <= RULES.window_days
        try:
            self.refund = _request(order, [RequestedLine("ln_1", 1)], requester, note="why")
        except DomainError:
            assert requester.is_customer
            assert not inside
            self.refund = _request(order, [RequestedLine("ln_1", 1)], STAFF_REQUESTERS[0], note="why")
        automatic = inside and paid <= RULES.auto_approve_limit_minor
        self.model = S.APPROVED if automatic else S.PENDING_APPROVAL

    def _attempt(self, target: RefundStatus, action: object, *, allowed: bool = True) -> None:
        legal = target in TRANSITIONS[self.model]
        history = len(self.refund.history)
        try:
            action()  # type: ignore[operator]
        except InvalidStateTransitionError:
            assert not legal
        except (PermissionDeniedError, InvalidArgumentError):
            assert legal
            assert not allowed
        else:
            assert legal
            assert allowed
            assert len(self.refund.history) == history + 1
            self.model = target
            return
        assert len(self.refund.history) == history  # a refusal changes nothing

    @rule(approver=st.sampled_from(ACTORS))
    def approve(self, approver: Actor) -> None:
        refund = self.refund
        may = (
            approver.role in (ActorRole.AGENT, ActorRole.LEAD)
            and approver.subject != refund.requested_by.subject
            and (refund.required_approval is not LEAD or approver.role is ActorRole.LEAD)
        )
        self._attempt(S.APPROVED, lambda: refund.approve(approver, NOW, RULES), allowed=may)

    @rule(actor=st.sampled_from(ACTORS), reason=st.sampled_from(["", "  ", "Used item"]))
    def reject(self, actor: Actor, reason: str) -> None:
        may = actor.is_staff and bool(reason.strip())
        self._attempt(S.REJECTED, lambda: self.refund.reject(actor, NOW, reason), allowed=may)

    @rule(actor=st.sampled_from(ACTORS))
    def cancel(self, actor: Actor) -> None:
        may = actor == CUSTOMER
        self._attempt(S.CANCELLED, lambda: self.refund.cancel(actor, NOW), allowed=may)

    @rule()
    def process(self) -> None:
        if self.model is S.FAILED:  # from FAILED, going back to PROCESSING is a retry, not a process
            self._expect_refused(lambda: self.refund.process(ACTORS[2], NOW))
            return
        self._attempt(S.PROCESSING, lambda: self.refund.process(ACTORS[2], NOW))

    @rule()
    def succeed(self) -> None:
        self._attempt(S.REFUNDED, lambda: self.refund.succeed(NOW))

    @rule()
    def fail(self) -> None:
        self._attempt(S.FAILED, lambda: self.refund.fail(NOW, "gateway said no"))

    @rule(method=st.sampled_from([None, RefundMethod.STORE_CREDIT]))
    def retry(self, method: RefundMethod | None) -> None:
        if self.model is S.APPROVED:  # from APPROVED, PROCESSING is reached by process, not retry
            self._expect_refused(lambda: self.refund.retry(ACTORS[2], NOW, method))
            return
        self._attempt(S.PROCESSING, lambda: self.refund.retry(ACTORS[2], NOW, method))

    def _expect_refused(self, action: object) -> None:
        history = len(self.refund.history)
        try:
            action()  # type: ignore[operator]
        except InvalidStateTransitionError:
            assert len(self.refund.history) == history
        else:
            raise AssertionError("the transition should have been refused")

    @invariant()
    def status_follows_the_model(self) -> None:
        assert self.refund.status is self.model

    @invariant()
    def history_is_an_unbroken_chain(self) -> None:
        history = self.refund.history
        assert history[0].from_status is None
        for before, after in itertools.pairwise(history):
            assert after.from_status is before.to_status
            assert after.to_status in TRANSITIONS[before.to_status]
        assert history[-1].to_status is self.refund.status
        assert self.refund.version == len(history)

    @invariant()
    def money_is_held_exactly_in_holding_statuses(self) -> None:
        assert self.refund.holds_money == (self.refund.status in HOLDING_STATUSES)
        assert self.refund.total.amount_minor >= 0


TestRefundLifecycle = RefundLifecycle.TestCase
TestRefundLifecycle.settings = settings(max_examples=150, stateful_step_count=25, deadline=None)


# --- per-line caps under any sequence of requests, rejections, cancellations ------------------------


@dataclass(frozen=True)
class Ask:
    lines: tuple[tuple[int, int], ...]  # (line index, quantity)
    by_staff: bool


@dataclass(frozen=True)
class Release:
    pick: int  # which refund (modulo how many exist)
    how: str  # "reject", "cancel", "fail" (fail goes approve -> process -> fail)


def _request(
    order: Order,
    lines: list[RequestedLine],
    by: Actor,
    note: str = "",
    usage: Mapping[str, LineUsage] | None = None,
) -> Refund:
    return Refund.request(
        refund_id=f"rf_{id(lines)}",
        number=2001,
        case_name="cases/c1",
        order=order,
        usage=usage or {},
        requested=lines,
        reason=RefundReason.DAMAGED,
        method=RefundMethod.ORIGINAL_PAYMENT,
        note=note,
        requested_by=by,
        now=NOW,
        rules=RULES,
    )


_asks = st.builds(
    Ask,
    lines=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 6)), min_size=1, max_size=3).map(tuple),
    by_staff=st.booleans(),
)
_releases = st.builds(Release, pick=st.integers(0, 50), how=st.sampled_from(["reject", "cancel", "fail"]))


@settings(max_examples=200, deadline=None)
@given(
    paid=st.lists(st.tuples(st.integers(1, 6), st.integers(0, 100_000)), min_size=3, max_size=3),
    events=st.lists(st.one_of(_asks, _releases), max_size=30),
)
def test_no_sequence_of_events_breaks_the_per_line_caps(
    paid: list[tuple[int, int]], events: list[Ask | Release]
) -> None:
    order = make_order(lines=[(f"ln_{i}", qty, amount) for i, (qty, amount) in enumerate(paid)])
    store = InMemoryStore()
    staff = STAFF_REQUESTERS[0]
    for number, event in enumerate(events):
        if isinstance(event, Ask):
            wanted = [RequestedLine(f"ln_{i}", qty) for i, qty in event.lines]
            try:
                refund = _request(
                    order, wanted, staff if event.by_staff else CUSTOMER, usage=store.usage(order.order_id)
                )
            except InvalidArgumentError:
                continue
            store.refunds[f"r{number}"] = refund
        elif store.refunds:
            refund = list(store.refunds.values())[event.pick % len(store.refunds)]
            try:
                if event.how == "reject":
                    refund.reject(staff, NOW, "no")
                elif event.how == "cancel":
                    refund.cancel(CUSTOMER, NOW)
                else:
                    if refund.status is S.PENDING_APPROVAL:
                        refund.approve(STAFF_REQUESTERS[2], NOW, RULES)
                    refund.process(staff, NOW)
                    refund.fail(NOW, "gateway said no")
            except (InvalidStateTransitionError, PermissionDeniedError):
                pass

        usage = store.usage(order.order_id)
        for line in order.lines:
            held = usage.get(line.line_id, LineUsage(0, Money.zero("EUR")))
            assert held.quantity <= line.quantity
            assert held.amount <= line.paid
            if held.quantity == line.quantity:
                assert held.amount == line.paid  # all units refunded: exactly what was paid
