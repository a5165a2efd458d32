"""The case workflow against a simple model, driven by random command sequences (Hypothesis).

The model is written independently of the aggregate: a status, the time it was resolved, and the
plain rules of DESIGN.md §3. After every command the aggregate must agree with the model, never
take an edge the diagram does not have, and never show a customer an internal note or entry.
"""

from datetime import timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from support_svc.domain.case import CaseEvent, CaseMessage, ReplyRoute, SupportCase
from support_svc.domain.errors import DomainError
from support_svc.domain.sla import SlaPolicy
from support_svc.domain.values import Actor, CaseCategory, CasePriority, CaseStatus, EventKind, Role
from tests.support_svc.fakes import START

OPEN, WORKING, WAITING, RESOLVED, CLOSED = (
    CaseStatus.OPEN,
    CaseStatus.IN_PROGRESS,
    CaseStatus.WAITING_ON_CUSTOMER,
    CaseStatus.RESOLVED,
    CaseStatus.CLOSED,
)
EDGES = {(OPEN, WORKING), (WORKING, WAITING), (WAITING, WORKING), (WORKING, RESOLVED), (WAITING, RESOLVED)}
EDGES |= {(RESOLVED, WORKING), (RESOLVED, CLOSED)}
CUSTOMER = Actor("cus_1", Role.CUSTOMER)
AGENT = Actor("agt_1", Role.AGENT)
WINDOW = timedelta(days=14)
POLICY = SlaPolicy.default()


class CaseWorkflow(RuleBasedStateMachine):
    @initialize()
    def open(self) -> None:
        self.now = START
        self.case = SupportCase.open(
            case_id=1,
            customer_id=CUSTOMER.id,
            order_id="ord_1",
            order_line_ids=(),
            category=CaseCategory.OTHER,
            subject="Problem",
            description="Details",
            priority=CasePriority.NORMAL,
            opened_by=CUSTOMER,
            now=self.now,
            sla_policy=POLICY,
        )
        self.status = OPEN  # the model
        self.resolved_at = START
        self.messages: list[CaseMessage] = []
        self.events: list[CaseEvent] = []
        self.was_closed = False
        self._collect()

    # --- the model's expectations ----------------------------------------------------------------

    def _attempt(self, action: object, expected: CaseStatus | None) -> None:
        """Runs `action`; `expected` None means the model forbids it (a domain error, nothing changes)."""
        before = self.case.status
        try:
            action()  # type: ignore[operator]
        except DomainError:
            assert expected is None, f"refused, but the model allows {before} -> {expected}"
            assert self.case.status is before
            assert not self.case.new_messages
            assert not self.case.new_events
            return
        assert expected is not None, f"accepted, but the model forbids it from {before}"
        assert self.case.status is expected
        if expected is RESOLVED and before is not RESOLVED:
            self.resolved_at = self.now
        self.status = expected
        self._collect()

    def _collect(self) -> None:
        messages, events = self.case.collect_changes()
        self.messages += messages
        self.events += events
        self.was_closed |= self.case.status is CLOSED

    def _within_window(self) -> bool:
        return self.now - self.resolved_at <= WINDOW

    # --- commands --------------------------------------------------------------------------------

    @rule(hours=st.integers(min_value=0, max_value=24 * 20))
    def time_passes(self, hours: int) -> None:
        paused = self.status not in (OPEN, WORKING)
        breached_before = self.case.is_breached(self.now)
        self.now += timedelta(hours=hours)
        if paused:
            assert self.case.is_breached(self.now) == breached_before, "the SLA clock ran while paused"

    @rule(internal=st.booleans())
    def agent_writes(self, internal: bool) -> None:
        expected = (
            None
            if self.status is CLOSED
            else (WORKING if self.status is OPEN and not internal else self.status)
        )
        self._attempt(
            lambda: self.case.add_message(
                AGENT, "reply", internal=internal, now=self.now, reopen_window=WINDOW
            ),
            expected,
        )

    @rule()
    def customer_writes(self) -> None:
        follow_up = self.status is CLOSED or (self.status is RESOLVED and not self._within_window())
        assert (self.case.reply_route(CUSTOMER, self.now, WINDOW) is ReplyRoute.FOLLOW_UP) == follow_up
        expected = None if follow_up else (WORKING if self.status in (WAITING, RESOLVED) else self.status)
        self._attempt(
            lambda: self.case.add_message(
                CUSTOMER, "hello", internal=False, now=self.now, reopen_window=WINDOW
            ),
            expected,
        )

    @rule()
    def customer_writes_a_note(self) -> None:
        self._attempt(
            lambda: self.case.add_message(
                CUSTOMER, "psst", internal=True, now=self.now, reopen_window=WINDOW
            ),
            None,
        )

    @rule()
    def wait_on_customer(self) -> None:
        self._attempt(
            lambda: self.case.wait_on_customer(AGENT, self.now), WAITING if self.status is WORKING else None
        )

    @rule()
    def back_to_work(self) -> None:
        self._attempt(
            lambda: self.case.resume_work(AGENT, self.now), WORKING if self.status is WAITING else None
        )

    @rule(open_refunds=st.sampled_from([0, 0, 1]))
    def resolve(self, open_refunds: int) -> None:
        self.case.open_refund_count = open_refunds
        allowed = self.status in (WORKING, WAITING) and open_refunds == 0
        self._attempt(lambda: self.case.resolve(AGENT, self.now), RESOLVED if allowed else None)

    @rule(by_customer=st.booleans())
    def close(self, by_customer: bool) -> None:
        actor = CUSTOMER if by_customer else AGENT
        self._attempt(lambda: self.case.close(actor, self.now), CLOSED if self.status is RESOLVED else None)

    @rule()
    def reopen(self) -> None:
        allowed = self.status is RESOLVED and self._within_window()
        self._attempt(lambda: self.case.reopen(CUSTOMER, self.now, WINDOW), WORKING if allowed else None)

    @rule(assignee=st.sampled_from([None, "agt_1", "agt_2"]))
    def assign(self, assignee: str | None) -> None:
        self._attempt(
            lambda: self.case.assign(AGENT, assignee, self.now),
            None if self.status is CLOSED else self.status,
        )

    @rule(priority=st.sampled_from(list(CasePriority)))
    def reprioritise(self, priority: CasePriority) -> None:
        self._attempt(
            lambda: self.case.change_priority(AGENT, priority, self.now, POLICY),
            None if self.status is CLOSED else self.status,
        )

    # --- what must always hold -------------------------------------------------------------------

    @invariant()
    def agrees_with_the_model(self) -> None:
        assert self.case.status is self.status

    @invariant()
    def closed_stays_closed(self) -> None:
        assert not self.was_closed or self.case.status is CLOSED

    @invariant()
    def only_edges_of_the_diagram(self) -> None:
        changes = [e for e in self.events if e.kind is EventKind.STATUS_CHANGED]
        for change in changes:
            assert (CaseStatus(change.details["from"]), CaseStatus(change.details["to"])) in EDGES
        # The timeline replays to the current status.
        assert (CaseStatus(changes[-1].details["to"]) if changes else OPEN) is self.case.status

    @invariant()
    def the_clock_runs_only_while_the_team_works(self) -> None:
        assert self.case.sla.is_paused == (self.case.status not in (OPEN, WORKING))

    @invariant()
    def customer_never_sees_notes(self) -> None:
        assert not any(m.internal for m in self.messages if m.is_visible_to(CUSTOMER))
        assert not any(e.internal for e in self.events if e.is_visible_to(CUSTOMER))
        assert all(e.internal for e in self.events if e.kind is EventKind.NOTE_ADDED)


CaseWorkflow.TestCase.settings = settings(max_examples=150, stateful_step_count=30, deadline=None)
TestCaseWorkflow = CaseWorkflow.TestCase
