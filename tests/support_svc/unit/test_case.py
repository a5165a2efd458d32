"""The SupportCase aggregate: workflow, conversation, permissions, timeline."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from support_svc.domain.case import ReplyRoute, SupportCase
from support_svc.domain.errors import (
    CaseClosedError,
    CaseNotFoundError,
    InvalidArgumentError,
    InvalidStateTransitionError,
    OpenRefundsError,
    PermissionDeniedError,
    ReopenWindowExpiredError,
)
from support_svc.domain.sla import SlaPolicy
from support_svc.domain.values import (
    Actor,
    CaseCategory,
    CasePriority,
    CaseStatus,
    EventKind,
    Role,
)
from tests.support_svc.fakes import START

ANA = Actor("cus_1001", Role.CUSTOMER)
BEN = Actor("cus_1002", Role.CUSTOMER)
SAM = Actor("agt_2001", Role.AGENT)
LEE = Actor("agt_2002", Role.LEAD)
SYSTEM = Actor("refund_svc", Role.SYSTEM)
WINDOW = timedelta(days=14)
H = timedelta(hours=1)


def open_case(**overrides: Any) -> SupportCase:
    values: dict[str, Any] = {
        "case_id": 10001,
        "customer_id": ANA.id,
        "order_id": "ord_1001",
        "order_line_ids": (),
        "category": CaseCategory.DAMAGED_ITEM,
        "subject": "Broken mug",
        "description": "It arrived in pieces.",
        "priority": CasePriority.NORMAL,
        "opened_by": ANA,
        "now": START,
        "sla_policy": SlaPolicy.default(),
    } | overrides
    return SupportCase.open(**values)


def in_progress() -> SupportCase:
    case = open_case()
    case.add_message(SAM, "Looking into it", internal=False, now=START + H, reopen_window=WINDOW)
    case.collect_changes()
    return case


def resolved(at_hours: int = 2) -> SupportCase:
    case = in_progress()
    case.resolve(SAM, START + at_hours * H)
    case.collect_changes()
    return case


def kinds(case: SupportCase) -> list[EventKind]:
    return [event.kind for event in case.collect_changes()[1]]


def test_a_new_case_is_open_with_its_sla_running_and_an_opened_entry() -> None:
    case = open_case()
    assert case.status is CaseStatus.OPEN
    assert case.number == "C-10001"
    assert case.sla.first_response_due == START + 8 * H
    (event,) = case.collect_changes()[1]
    assert (event.kind, event.actor, event.summary) == (EventKind.OPENED, ANA, "Case opened")
    assert event.details == {"order_id": "ord_1001", "category": "DAMAGED_ITEM", "priority": "NORMAL"}


def test_opening_checks_its_own_invariants() -> None:
    with pytest.raises(InvalidArgumentError) as err:
        open_case(subject="  ", description="x" * 10_001, order_line_ids=("l1", "l1"))
    assert [p.field for p in err.value.problems] == ["subject", "description", "order_line_ids"]


def test_a_customer_cannot_open_a_case_for_someone_else() -> None:
    with pytest.raises(PermissionDeniedError):
        open_case(opened_by=BEN)


def test_staff_may_open_a_case_on_a_customers_behalf() -> None:
    case = open_case(opened_by=SAM)
    assert case.customer_id == ANA.id
    assert case.collect_changes()[1][0].summary == "Case opened by agent"


def test_an_agent_reply_on_an_open_case_starts_work_and_counts_as_first_response() -> None:
    case = open_case()
    case.add_message(SAM, "On it", internal=False, now=START + H, reopen_window=WINDOW)
    assert case.status is CaseStatus.IN_PROGRESS
    assert case.sla.first_response_at == START + H
    assert kinds(case) == [EventKind.OPENED, EventKind.MESSAGE_ADDED, EventKind.STATUS_CHANGED]


def test_an_internal_note_changes_no_status_and_is_not_a_first_response() -> None:
    case = open_case()
    case.collect_changes()
    note = case.add_message(SAM, "Customer sounds upset", internal=True, now=START + H, reopen_window=WINDOW)
    assert note.internal
    assert case.status is CaseStatus.OPEN
    assert case.sla.first_response_at is None
    (event,) = case.collect_changes()[1]
    assert (event.kind, event.internal, event.summary) == (EventKind.NOTE_ADDED, True, "Internal note added")


def test_customers_never_see_internal_notes_or_internal_entries() -> None:
    case = open_case()
    note = case.add_message(SAM, "secret", internal=True, now=START, reopen_window=WINDOW)
    case.change_priority(SAM, CasePriority.LOW, START, SlaPolicy.default())
    _, events = case.collect_changes()
    assert not note.is_visible_to(ANA)
    assert note.is_visible_to(LEE)
    assert [e.kind for e in events if e.is_visible_to(ANA)] == [EventKind.OPENED]


def test_customers_may_not_write_internal_notes() -> None:
    case = open_case()
    with pytest.raises(PermissionDeniedError) as err:
        case.add_message(ANA, "psst", internal=True, now=START, reopen_window=WINDOW)
    assert err.value.reason == "INTERNAL_NOTE_STAFF_ONLY"


def test_another_customer_cannot_touch_the_case_and_learns_nothing() -> None:
    case = open_case()
    with pytest.raises(CaseNotFoundError):
        case.add_message(BEN, "hi", internal=False, now=START, reopen_window=WINDOW)
    with pytest.raises(CaseNotFoundError):
        case.close(BEN, START)


def test_waiting_pauses_the_sla_and_a_customer_reply_resumes_it() -> None:
    case = in_progress()
    case.wait_on_customer(SAM, START + 2 * H)
    assert [e.details["to"] for e in case.collect_changes()[1]] == ["WAITING_ON_CUSTOMER"]
    assert case.sla.is_paused
    case.add_message(ANA, "Here is the photo", internal=False, now=START + 12 * H, reopen_window=WINDOW)
    assert case.status is CaseStatus.IN_PROGRESS
    assert case.sla.resolution_due == START + 58 * H
    assert not case.is_breached(START + 57 * H)


def test_staff_can_take_a_waiting_case_back_but_only_a_waiting_one() -> None:
    case = in_progress()
    with pytest.raises(InvalidStateTransitionError):
        case.resume_work(SAM, START)
    case.wait_on_customer(SAM, START)
    case.resume_work(SAM, START + H)
    assert case.status is CaseStatus.IN_PROGRESS


STAFF_ACTIONS: dict[str, Callable[[SupportCase], object]] = {
    "wait": lambda case: case.wait_on_customer(ANA, START),
    "resolve": lambda case: case.resolve(ANA, START),
    "assign": lambda case: case.assign(ANA, "agt_2001", START),
    "priority": lambda case: case.change_priority(ANA, CasePriority.URGENT, START, SlaPolicy.default()),
    "category": lambda case: case.change_category(ANA, CaseCategory.OTHER, START),
}


@pytest.mark.parametrize("action", STAFF_ACTIONS)
def test_customers_may_not_work_the_case(action: str) -> None:
    case = in_progress()
    with pytest.raises(PermissionDeniedError) as err:
        STAFF_ACTIONS[action](case)
    assert err.value.reason == "STAFF_ONLY"


def test_an_open_case_cannot_be_resolved_before_anyone_works_it() -> None:
    case = open_case()
    with pytest.raises(InvalidStateTransitionError) as err:
        case.resolve(SAM, START)
    assert err.value.metadata == {"case_id": "10001", "from": "OPEN", "to": "RESOLVED"}
    assert "open" in err.value.message


def test_a_case_with_open_refunds_cannot_be_resolved() -> None:
    case = in_progress()
    case.open_refund_count = 1
    with pytest.raises(OpenRefundsError) as err:
        case.resolve(SAM, START)
    assert err.value.reason == "REFUNDS_OPEN"
    assert case.status is CaseStatus.IN_PROGRESS


def test_the_system_may_resolve_for_refund_events() -> None:
    case = in_progress()
    case.resolve(SYSTEM, START + 2 * H)
    assert case.status is CaseStatus.RESOLVED


def test_resolving_stops_the_clock_and_records_when() -> None:
    case = resolved(at_hours=3)
    assert case.resolved_at == START + 3 * H
    assert case.sla.is_paused
    assert not case.is_breached(START + 1000 * H)


def test_a_customer_reply_within_the_window_reopens_the_case() -> None:
    case = resolved()
    now = START + 2 * H + WINDOW
    assert case.reply_route(ANA, now, WINDOW) is ReplyRoute.THIS_CASE
    case.add_message(ANA, "Still broken", internal=False, now=now, reopen_window=WINDOW)
    assert case.status is CaseStatus.IN_PROGRESS
    assert case.resolved_at is None
    status_change = case.collect_changes()[1][-1]
    assert status_change.details == {"from": "RESOLVED", "to": "IN_PROGRESS", "cause": "REOPENED_BY_REPLY"}


def test_a_customer_reply_past_the_window_or_on_a_closed_case_goes_to_a_follow_up() -> None:
    case = resolved()
    late = START + 2 * H + WINDOW + timedelta(milliseconds=1)
    assert case.reply_route(ANA, late, WINDOW) is ReplyRoute.FOLLOW_UP
    with pytest.raises(ReopenWindowExpiredError):
        case.add_message(ANA, "Hello?", internal=False, now=late, reopen_window=WINDOW)
    case.close(ANA, START + 3 * H)
    assert case.reply_route(ANA, START + 4 * H, WINDOW) is ReplyRoute.FOLLOW_UP
    assert case.reply_route(SAM, START + 4 * H, WINDOW) is ReplyRoute.THIS_CASE


def test_a_follow_up_case_links_to_the_old_one_and_keeps_its_order_and_priority() -> None:
    old = resolved()
    old.change_priority(SAM, CasePriority.HIGH, START, SlaPolicy.default())
    follow_up = SupportCase.open_follow_up(
        old, case_id=10002, opened_by=ANA, now=START + 30 * 24 * H, sla_policy=SlaPolicy.default()
    )
    old.record_follow_up(follow_up, ANA, START + 30 * 24 * H)
    assert follow_up.previous_case_id == old.id
    assert (follow_up.order_id, follow_up.priority, follow_up.customer_id) == (
        "ord_1001",
        CasePriority.HIGH,
        ANA.id,
    )
    assert follow_up.subject == "Follow-up to C-10001: Broken mug"
    assert follow_up.collect_changes()[1][0].details["previous_case"] == "C-10001"
    assert old.collect_changes()[1][-1].details == {"follow_up_case": "C-10002"}


def test_a_long_subject_is_shortened_for_the_follow_up() -> None:
    old = open_case(subject="s" * 200)
    follow_up = SupportCase.open_follow_up(
        old, case_id=2, opened_by=ANA, now=START, sla_policy=SlaPolicy.default()
    )
    assert len(follow_up.subject) == 200
    assert follow_up.subject.endswith("…")


def test_reopen_only_from_resolved_and_only_within_the_window() -> None:
    with pytest.raises(InvalidStateTransitionError):
        in_progress().reopen(ANA, START, WINDOW)
    case = resolved()
    with pytest.raises(ReopenWindowExpiredError):
        case.reopen(ANA, START + 15 * 24 * H, WINDOW)
    case.reopen(ANA, START + 3 * H, WINDOW)
    assert case.status is CaseStatus.IN_PROGRESS
    # The hour spent resolved does not count: the clock stood still.
    assert case.sla.resolution_due == START + 49 * H


def test_closed_is_final() -> None:
    case = resolved()
    case.close(SAM, START + 3 * H)
    for attempt in (
        lambda: case.reopen(SAM, START + 4 * H, WINDOW),
        lambda: case.assign(SAM, "agt_2001", START),
        lambda: case.change_priority(SAM, CasePriority.LOW, START, SlaPolicy.default()),
        lambda: case.change_category(SAM, CaseCategory.OTHER, START),
        lambda: case.add_message(SAM, "hello", internal=False, now=START, reopen_window=WINDOW),
        lambda: case.resolve(SAM, START),
        lambda: case.close(SAM, START),
    ):
        with pytest.raises(CaseClosedError):
            attempt()
    assert case.status is CaseStatus.CLOSED


def test_only_a_resolved_case_can_be_closed() -> None:
    with pytest.raises(InvalidStateTransitionError):
        in_progress().close(SAM, START)


def test_assignment_records_who_and_changes_nothing_when_repeated() -> None:
    case = open_case()
    case.collect_changes()
    assert case.assign(LEE, "agt_2001", START + H)
    assert not case.assign(LEE, "agt_2001", START + 2 * H)
    assert case.assign(LEE, None, START + 3 * H)
    events = case.collect_changes()[1]
    assert [(e.summary, e.details, e.actor) for e in events] == [
        ("Assigned to an agent", {"from": "", "to": "agt_2001"}, LEE),
        ("Unassigned", {"from": "agt_2001", "to": ""}, LEE),
    ]
    assert case.updated_at == START + 3 * H


def test_assignment_summaries_name_nobody_the_details_say_who() -> None:
    case = open_case()
    case.collect_changes()
    case.assign(SAM, SAM.id, START)
    case.assign(LEE, "agt_2003", START)
    case.assign(LEE, None, START)
    events = case.collect_changes()[1]
    assert [(e.summary, e.details) for e in events] == [
        ("Self-assigned", {"from": "", "to": SAM.id}),
        ("Reassigned to another agent", {"from": SAM.id, "to": "agt_2003"}),
        ("Unassigned", {"from": "agt_2003", "to": ""}),
    ]


def test_priority_change_retargets_the_sla_and_is_an_internal_entry() -> None:
    case = open_case()
    case.collect_changes()
    assert case.change_priority(SAM, CasePriority.URGENT, START + H, SlaPolicy.default())
    assert case.sla.first_response_due == START + H
    (event,) = case.collect_changes()[1]
    assert (event.summary, event.internal) == ("Priority changed from normal to urgent", True)
    assert not case.change_priority(SAM, CasePriority.URGENT, START + H, SlaPolicy.default())


def test_category_change_is_recorded_for_everyone() -> None:
    case = open_case()
    case.collect_changes()
    assert case.change_category(SAM, CaseCategory.WRONG_ITEM, START)
    (event,) = case.collect_changes()[1]
    assert (event.summary, event.internal) == ("Category changed from damaged item to wrong item", False)
    assert not case.change_category(SAM, CaseCategory.WRONG_ITEM, START)


def test_an_empty_or_oversized_message_is_refused() -> None:
    case = open_case()
    for body in ("   ", "x" * 10_001):
        with pytest.raises(InvalidArgumentError) as err:
            case.add_message(ANA, body, internal=False, now=START, reopen_window=WINDOW)
        assert err.value.problems[0].field == "body"
