"""Property-based tests: the refund state machine, and per-line caps under any sequence of events
(requests, rejections, cancellations, payouts that fail, and retries of those)."""

from __future__ import annotations

import contextlib
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
    NoLongerRefundableError,
    PermissionDeniedError,
)
from refund_svc.domain.money import Money
from refund_svc.domain.order import Order
from refund_svc.domain.policy import ApprovalPolicy, RefundRules
from refund_svc.domain.refund import (
    EVENT_KINDS,
    HOLDING_STATUSES,
    OPEN_STATUSES,
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
    order: Order

    @initialize(
        paid=st.integers(1, 100_000),
        requester=st.sampled_from([CUSTOMER, *STAFF_REQUESTERS]),
        delivered_days_ago=st.sampled_from([None, 1, 29, 31, 90]),
    )
    def create(self, paid: int, requester: Actor, delivered_days_ago: int | None) -> None:
        order = make_order(lines=[("ln_1", 1, paid)], delivered_days_ago=delivered_days_ago)
        self.order = order
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
        self._attempt(S.REFUNDED, lambda: self.refund.succeed(NOW, "po_1"))

    @rule()
    def fail(self) -> None:
        self._attempt(S.FAILED, lambda: self.refund.fail(NOW, "gateway said no"))

    @rule(actor=st.sampled_from(ACTORS), method=st.sampled_from([None, RefundMethod.STORE_CREDIT]))
    def retry(self, actor: Actor, method: RefundMethod | None) -> None:
        def action() -> None:
            self.refund.retry(actor, NOW, self.order, {}, method)

        if self.model is S.APPROVED:  # from APPROVED, PROCESSING is reached by process, not retry
            self._expect_refused(action)
            return
        self._attempt(S.PROCESSING, action, allowed=actor.role in (ActorRole.AGENT, ActorRole.LEAD))

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

    @invariant()
    def every_change_has_one_event_telling_it(self) -> None:
        events = self.refund.unsaved_events()
        assert [e.kind for e in events] == [EVENT_KINDS[c.to_status] for c in self.refund.history]
        assert [e.refund_open for e in events] == [c.to_status in OPEN_STATUSES for c in self.refund.history]
        assert len({e.event_id for e in events}) == len(events)


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


@dataclass(frozen=True)
class Proceed:
    pick: int
    how: str  # "retry" (a failed payout goes again), "pay" (approve -> process -> refunded)
    store_credit: bool


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


# Few lines, few units and small picks, so that refunds compete for the same units often.
_asks = st.builds(
    Ask,
    lines=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 3)), min_size=1, max_size=3).map(tuple),
    by_staff=st.booleans(),
)
_picks = st.integers(0, 3)
_releases = st.builds(Release, pick=_picks, how=st.sampled_from(["reject", "cancel", "fail"]))
_proceeds = st.builds(Proceed, pick=_picks, how=st.sampled_from(["retry", "pay"]), store_credit=st.booleans())


def _proceed(refund: Refund, event: Proceed, order: Order, store: InMemoryStore) -> None:
    staff = STAFF_REQUESTERS[0]
    if event.how == "retry":
        method = RefundMethod.STORE_CREDIT if event.store_credit else None
        # What the other refunds hold now; a failed refund holds nothing, so it is not counted.
        refund.retry(staff, NOW, order, store.usage(order.order_id), method)
        return
    if refund.status is S.PENDING_APPROVAL:
        refund.approve(STAFF_REQUESTERS[2], NOW, RULES)
    if refund.status is S.APPROVED:
        refund.process(staff, NOW)
    refund.succeed(NOW, "po_1")


@settings(max_examples=200, deadline=None)
@given(
    paid=st.lists(st.tuples(st.integers(1, 4), st.integers(0, 100_000)), min_size=3, max_size=3),
    events=st.lists(st.one_of(_asks, _releases, _proceeds), max_size=40),
)
def test_no_sequence_of_events_breaks_the_per_line_caps(
    paid: list[tuple[int, int]], events: list[Ask | Release | Proceed]
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
        elif isinstance(event, Proceed) and store.refunds:
            refund = list(store.refunds.values())[event.pick % len(store.refunds)]
            with contextlib.suppress(InvalidStateTransitionError, NoLongerRefundableError):
                _proceed(refund, event, order, store)
        elif isinstance(event, Release) and store.refunds:
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


# --- one line, many refunds competing for its units, payouts failing and retried -------------------


class OneLineUnderContention(RuleBasedStateMachine):
    """Refunds of one order line that are asked, paid, failed, retried and rejected in any order.

    A failed refund releases its units; a retry must find them still free (or be refused), and the
    last units of the line always take exactly what is left of what was paid. Rules pick their
    refund by a fixed choice (oldest, newest), so that competing sequences come up often.
    """

    order: Order
    store: InMemoryStore

    @initialize(quantity=st.integers(1, 4), paid=st.integers(0, 10_000))
    def create_order(self, quantity: int, paid: int) -> None:
        self.order = make_order(lines=[("ln_1", quantity, paid)])
        self.store = InMemoryStore()

    def _in(self, *statuses: RefundStatus) -> list[Refund]:
        return [r for r in self.store.refunds.values() if r.status in statuses]

    @rule(quantity=st.integers(1, 3))
    def ask(self, quantity: int) -> None:
        try:
            refund = _request(
                self.order,
                [RequestedLine("ln_1", quantity)],
                STAFF_REQUESTERS[0],
                usage=self.store.usage(self.order.order_id),
            )
        except InvalidArgumentError:
            return
        self.store.refunds[f"r{len(self.store.refunds)}"] = refund

    def _pay_out(self, refund: Refund, paid: bool) -> None:
        if refund.status is S.PENDING_APPROVAL:
            refund.approve(STAFF_REQUESTERS[2], NOW, RULES)
        if refund.status is S.APPROVED:
            refund.process(STAFF_REQUESTERS[0], NOW)
        if paid:
            refund.succeed(NOW, "po_1")
        else:
            refund.fail(NOW, "declined")

    @rule()
    def oldest_payout_fails(self) -> None:
        if waiting := self._in(S.PENDING_APPROVAL, S.APPROVED, S.PROCESSING):
            self._pay_out(waiting[0], paid=False)

    @rule()
    def newest_payout_succeeds(self) -> None:
        if waiting := self._in(S.PENDING_APPROVAL, S.APPROVED, S.PROCESSING):
            self._pay_out(waiting[-1], paid=True)

    @rule()
    def newest_pending_is_rejected(self) -> None:
        if pending := self._in(S.PENDING_APPROVAL):
            pending[-1].reject(STAFF_REQUESTERS[1], NOW, "no")

    @rule(store_credit=st.booleans())
    def oldest_failure_is_retried(self, store_credit: bool) -> None:
        failed = self._in(S.FAILED)
        if not failed:
            return
        refund = failed[0]
        usage = self.store.usage(self.order.order_id)
        method = RefundMethod.STORE_CREDIT if store_credit else None
        try:
            refund.retry(STAFF_REQUESTERS[1], NOW, self.order, usage, method)
        except NoLongerRefundableError:
            assert refund.status is S.FAILED
            held = usage.get("ln_1", LineUsage(0, Money.zero("EUR")))
            assert held.quantity + refund.lines[0].quantity > self.order.lines[0].quantity

    @invariant()
    def the_line_is_never_refunded_beyond_what_was_paid(self) -> None:
        line = self.order.lines[0]
        held = self.store.usage(self.order.order_id).get("ln_1", LineUsage(0, Money.zero("EUR")))
        assert held.quantity <= line.quantity
        assert held.amount <= line.paid
        if held.quantity == line.quantity:
            assert held.amount == line.paid


TestOneLineUnderContention = OneLineUnderContention.TestCase
TestOneLineUnderContention.settings = settings(max_examples=150, stateful_step_count=20, deadline=None)
