"""Refund events on a case: money in words, the ordering rule, the open count, resolving by rule."""

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from support_svc.domain.case import AUTO_RESOLVED_SUMMARY, SupportCase
from support_svc.domain.errors import OpenRefundsError
from support_svc.domain.refunds import (
    FINAL_KINDS,
    RefundEvent,
    RefundEventKind,
    RefundTrack,
    format_money,
    track_after,
)
from support_svc.domain.sla import SlaPolicy
from support_svc.domain.values import Actor, CaseCategory, CasePriority, CaseStatus, EventKind, Role
from tests.support_svc.fakes import START

ANA = Actor("cus_1001", Role.CUSTOMER)
SAM = Actor("agt_2001", Role.AGENT)
K = RefundEventKind


def event(
    kind: RefundEventKind = K.REQUESTED,
    *,
    refund_id: str = "rf_1",
    seconds: float = 0,
    sequence: int = 0,
    open_: bool | None = None,
    **overrides: object,
) -> RefundEvent:
    values: dict[str, object] = {
        "event_id": f"ev-{refund_id}-{kind.value}-{seconds}",
        "refund_id": refund_id,
        "refund_number": "R-2001",
        "kind": kind,
        "amount_minor": 3508,
        "currency_code": "EUR",
        "actor_id": "system",
        "actor_role": None,
        "note": "",
        "occurred_at": START + timedelta(seconds=seconds),
        "refund_open": kind not in FINAL_KINDS and kind is not K.FAILED if open_ is None else open_,
        "sequence": sequence,
    } | overrides
    return RefundEvent(**values)  # type: ignore[arg-type]


def new_case(status: CaseStatus = CaseStatus.IN_PROGRESS) -> SupportCase:
    case = SupportCase.open(
        case_id=10001,
        customer_id=ANA.id,
        order_id="ord_1",
        order_line_ids=(),
        category=CaseCategory.DAMAGED_ITEM,
        subject="Broken",
        description="It broke",
        priority=CasePriority.NORMAL,
        opened_by=ANA,
        now=START,
        sla_policy=SlaPolicy.default(),
    )
    if status is not CaseStatus.OPEN:
        case.add_message(SAM, "On it", internal=False, now=START, reopen_window=timedelta(days=14))
    if status in (CaseStatus.WAITING_ON_CUSTOMER, CaseStatus.RESOLVED, CaseStatus.CLOSED):
        case.wait_on_customer(SAM, START)
    if status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        case.resolve(SAM, START)
    if status is CaseStatus.CLOSED:
        case.close(SAM, START)
    case.collect_changes()
    assert case.status is status
    return case


def fresh(status: CaseStatus = CaseStatus.IN_PROGRESS) -> tuple[SupportCase, dict[str, RefundTrack]]:
    return new_case(status), {}


def apply(
    case: SupportCase, tracks: dict[str, RefundTrack], *events: RefundEvent, auto_resolve: bool = True
) -> list[bool]:
    """Applies events like the use case does (tracks kept between them); which ones resolved the case."""
    resolved = []
    for e in events:
        outcome = case.record_refund_event(e, tracks, START + timedelta(hours=1), auto_resolve=auto_resolve)
        tracks[e.refund_id] = outcome.track
        resolved.append(outcome.auto_resolved)
    return resolved


# --- money and words -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (3508, "EUR", "€35.08"),
        (5, "EUR", "€0.05"),
        (120000, "USD", "$1,200.00"),
        (999, "GBP", "£9.99"),
        (1250, "CHF", "12.50 CHF"),
        (1500, "JPY", "¥1,500"),
        (12345, "KWD", "12.345 KWD"),
        (0, "EUR", "€0.00"),
    ],
)
def test_money_reads_as_people_write_it(amount: int, currency: str, text: str) -> None:
    assert format_money(amount, currency) == text


@pytest.mark.parametrize(
    ("kind", "note", "summary"),
    [
        (K.REQUESTED, "", "Refund R-2001 of €35.08 was requested"),
        (K.APPROVED, "", "Refund R-2001 of €35.08 was approved"),
        (
            K.REJECTED,
            "Outside the  refund\nwindow",
            "Refund R-2001 of €35.08 was rejected: Outside the refund window",
        ),
        (K.REJECTED, "", "Refund R-2001 of €35.08 was rejected"),
        (K.CANCELLED, "changed my mind", "Refund R-2001 of €35.08 was cancelled"),
        (K.PROCESSING, "", "Refund R-2001 of €35.08 is being paid back"),
        (K.REFUNDED, "", "Refund R-2001 of €35.08 was paid back"),
        (K.FAILED, "gateway timeout 504", "Refund R-2001 of €35.08 could not be paid back yet"),
    ],
)
def test_each_kind_has_a_plain_summary(kind: RefundEventKind, note: str, summary: str) -> None:
    assert event(kind, note=note).summary() == summary


def test_a_long_rejection_reason_is_shortened_in_the_summary_but_kept_in_the_details() -> None:
    reason = "x" * 1000
    rejected = event(K.REJECTED, note=reason)
    assert len(rejected.summary()) < 400
    assert rejected.summary().endswith("…")
    assert rejected.details()["note"] == reason
    very_long = event(K.REJECTED, note="y" * 9000).details()["note"]
    assert (len(very_long), very_long[-1]) == (2000, "…")


def test_a_payout_failure_keeps_its_technical_note_out_of_the_entry() -> None:
    failed = event(K.FAILED, note="gateway said 504 at node 7")
    assert "note" not in failed.details()
    assert "504" not in failed.summary()


def test_without_a_number_the_summary_still_reads() -> None:
    assert event(K.APPROVED, refund_number="").summary() == "A refund of €35.08 was approved"


@pytest.mark.parametrize(
    ("actor_id", "role", "expected"),
    [
        ("system", None, Actor("system", Role.SYSTEM)),
        ("", None, Actor("system", Role.SYSTEM)),
        ("cus_1001", None, Actor("cus_1001", Role.CUSTOMER)),
        ("agt_2002", None, Actor("agt_2002", Role.AGENT)),
        ("agt_2002", Role.LEAD, Actor("agt_2002", Role.LEAD)),
    ],
)
def test_the_actor_role_is_taken_or_inferred(actor_id: str, role: Role | None, expected: Actor) -> None:
    assert event(actor_id=actor_id, actor_role=role).actor_on("cus_1001") == expected


# --- the ordering rule ----------------------------------------------------------------------------


def test_a_later_event_sets_the_track_an_earlier_one_does_not() -> None:
    track = track_after(None, event(K.PROCESSING, seconds=20))
    assert track_after(track, event(K.APPROVED, seconds=10)) is track
    assert track_after(track, event(K.FAILED, seconds=30)).open is False


def test_a_finished_refund_never_reopens_whatever_the_clock_says() -> None:
    paid = track_after(None, event(K.REFUNDED, seconds=10))
    assert paid.finished
    for late in (K.REQUESTED, K.APPROVED, K.PROCESSING, K.FAILED, K.REJECTED):
        assert track_after(paid, event(late, seconds=99)) is paid


def test_a_final_event_wins_even_with_an_older_time() -> None:
    processing = track_after(None, event(K.PROCESSING, seconds=50))
    paid = track_after(processing, event(K.REFUNDED, seconds=1))  # the sender's clock went back
    assert (paid.open, paid.finished, paid.last_kind) == (False, True, K.REFUNDED)


def test_sequence_decides_when_both_events_carry_one() -> None:
    failed = track_after(None, event(K.FAILED, seconds=50, sequence=4))
    retried = track_after(failed, event(K.PROCESSING, seconds=40, sequence=5))  # time says older
    assert retried.open
    assert retried.last_sequence == 5
    assert track_after(retried, event(K.FAILED, seconds=60, sequence=4)) is retried


def test_same_instant_ties_go_to_the_kind_further_along() -> None:
    approved = track_after(None, event(K.APPROVED, seconds=0))
    assert track_after(approved, event(K.REQUESTED, seconds=0)) is approved
    requested = track_after(None, event(K.REQUESTED, seconds=0))
    assert track_after(requested, event(K.APPROVED, seconds=0)).last_kind is K.APPROVED


# A refund's life as refund_svc can tell it; times strictly increase along each history.
HISTORIES = [
    [K.REQUESTED, K.APPROVED, K.PROCESSING, K.REFUNDED],
    [K.REQUESTED, K.REJECTED],
    [K.REQUESTED, K.CANCELLED],
    [K.REQUESTED, K.APPROVED, K.PROCESSING, K.FAILED, K.PROCESSING, K.REFUNDED],
    [K.REQUESTED, K.APPROVED, K.PROCESSING, K.FAILED],
    [K.REQUESTED, K.APPROVED, K.PROCESSING],
    [K.REQUESTED, K.APPROVED, K.PROCESSING, K.FAILED, K.PROCESSING],
]


@given(
    history=st.sampled_from(HISTORIES),
    with_sequence=st.booleans(),
    data=st.data(),
)
def test_any_arrival_order_with_repeats_ends_where_the_history_ends(
    history: list[RefundEventKind], with_sequence: bool, data: st.DataObject
) -> None:
    events = [
        event(kind, seconds=n * 10, sequence=n + 1 if with_sequence else 0) for n, kind in enumerate(history)
    ]
    arrivals = data.draw(st.permutations(events + data.draw(st.lists(st.sampled_from(events), max_size=4))))
    track: RefundTrack | None = None
    for arrived in arrivals:
        track = track_after(track, arrived)
    in_order = None
    for e in events:
        in_order = track_after(in_order, e)
    assert track is not None
    assert in_order is not None
    # Without a sequence a retry (FAILED -> PROCESSING) is told apart by its time alone: still right.
    assert (track.open, track.finished, track.last_kind) == (in_order.open, in_order.finished, history[-1])
    assert track.open == (history[-1] not in FINAL_KINDS and history[-1] is not K.FAILED)


# --- on the case ------------------------------------------------------------------------------------


def test_each_event_adds_one_public_timeline_entry_and_sets_the_count() -> None:
    case, tracks = fresh()
    apply(case, tracks, event(K.REQUESTED, refund_id="rf_1"), event(K.REQUESTED, refund_id="rf_2", seconds=1))
    assert case.open_refund_count == 2
    assert [r.refund_id for r in case.open_refunds] == ["rf_1", "rf_2"]
    _, events = case.collect_changes()
    assert [(e.kind, e.internal) for e in events] == [(EventKind.REFUND_EVENT, False)] * 2
    assert events[0].summary == "Refund R-2001 of €35.08 was requested"
    assert events[0].details["refund"] == "refunds/rf_1"
    assert all(e.is_visible_to(ANA) for e in events)


def test_resolving_by_hand_is_refused_while_a_refund_is_open_naming_it() -> None:
    case, tracks = fresh()
    apply(case, tracks, event(K.REQUESTED, refund_id="rf_9", refund_number="R-2009"))
    with pytest.raises(OpenRefundsError) as refused:
        case.resolve(SAM, START)
    assert refused.value.subjects[0][0] == "refunds/rf_9"
    assert "Refund R-2009 is still open" in refused.value.subjects[0][1]
    assert "R-2009" in refused.value.message
    assert case.status is CaseStatus.IN_PROGRESS


def test_the_case_resolves_when_its_last_open_refund_is_paid_not_before() -> None:
    case, tracks = fresh()
    apply(case, tracks, event(K.REQUESTED, refund_id="rf_1"), event(K.REQUESTED, refund_id="rf_2"))
    assert apply(case, tracks, event(K.REFUNDED, refund_id="rf_1", seconds=5)) == [False]
    assert (case.status, case.open_refund_count) == (CaseStatus.IN_PROGRESS, 1)
    assert apply(case, tracks, event(K.REFUNDED, refund_id="rf_2", seconds=6)) == [True]
    assert (case.status, case.open_refund_count) == (CaseStatus.RESOLVED, 0)
    _, entries = case.collect_changes()
    resolved = entries[-1]
    assert (resolved.kind, resolved.summary) == (EventKind.STATUS_CHANGED, AUTO_RESOLVED_SUMMARY)
    assert resolved.actor == Actor("system", Role.SYSTEM)
    assert resolved.details == {"from": "IN_PROGRESS", "to": "RESOLVED", "cause": "ALL_REFUNDS_PAID"}
    assert case.resolved_at == START + timedelta(hours=1)


def test_a_rejected_last_refund_does_not_resolve_the_case() -> None:
    case, tracks = fresh()
    resolved = apply(case, tracks, event(K.REQUESTED), event(K.REJECTED, seconds=1, note="No"))
    assert resolved == [False, False]
    assert (case.status, case.open_refund_count) == (CaseStatus.IN_PROGRESS, 0)


@pytest.mark.parametrize("status", [CaseStatus.OPEN, CaseStatus.WAITING_ON_CUSTOMER])
def test_the_rule_resolves_open_and_waiting_cases_too(status: CaseStatus) -> None:
    case, tracks = fresh(status)
    assert apply(case, tracks, event(K.REQUESTED), event(K.REFUNDED, seconds=1)) == [False, True]
    assert case.status is CaseStatus.RESOLVED
    assert case.sla.is_paused


@pytest.mark.parametrize("status", [CaseStatus.RESOLVED, CaseStatus.CLOSED])
def test_a_resolved_or_closed_case_records_the_event_and_keeps_its_status(status: CaseStatus) -> None:
    case, tracks = fresh(status)
    assert apply(case, tracks, event(K.REFUNDED)) == [False]
    assert case.status is status
    _, entries = case.collect_changes()
    assert [e.kind for e in entries] == [EventKind.REFUND_EVENT]


def test_the_rule_can_be_switched_off() -> None:
    case, tracks = fresh()
    assert apply(case, tracks, event(K.REQUESTED), event(K.REFUNDED, seconds=1), auto_resolve=False) == [
        False,
        False,
    ]
    assert (case.status, case.open_refund_count) == (CaseStatus.IN_PROGRESS, 0)


def test_a_late_event_of_a_paid_refund_neither_reopens_it_nor_resolves_again() -> None:
    case, tracks = fresh()
    apply(case, tracks, event(K.REFUNDED, seconds=9))  # paid, arriving first: resolves
    assert case.status is CaseStatus.RESOLVED
    case.reopen(ANA, START + timedelta(hours=2), timedelta(days=14))
    late = apply(case, tracks, event(K.APPROVED, seconds=2), event(K.REFUNDED, seconds=9, event_id="again"))
    assert late == [False, False]
    assert (case.status, case.open_refund_count) == (CaseStatus.IN_PROGRESS, 0)


def test_an_event_for_one_refund_leaves_the_others_as_they_are() -> None:
    case, tracks = fresh()
    apply(case, tracks, event(K.REQUESTED, refund_id="rf_1"), event(K.APPROVED, refund_id="rf_2"))
    apply(case, tracks, replace(event(K.FAILED, refund_id="rf_2", seconds=3), refund_open=False))
    assert [r.refund_id for r in case.open_refunds] == ["rf_1"]
