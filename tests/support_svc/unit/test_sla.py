"""The SLA clock: due times by priority, pausing while waiting, breaches."""

from datetime import timedelta

import pytest

from support_svc.domain.sla import SlaClock, SlaPolicy, SlaTargets
from support_svc.domain.values import CasePriority
from tests.support_svc.fakes import START

POLICY = SlaPolicy.default()
NORMAL = POLICY.for_priority(CasePriority.NORMAL)
H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("priority", "first_response_h", "resolution_h"),
    [
        (CasePriority.URGENT, 1, 8),
        (CasePriority.HIGH, 4, 24),
        (CasePriority.NORMAL, 8, 48),
        (CasePriority.LOW, 24, 96),
    ],
)
def test_default_targets_follow_the_spec(
    priority: CasePriority, first_response_h: int, resolution_h: int
) -> None:
    clock = SlaClock.start(START, POLICY.for_priority(priority))
    assert clock.first_response_due == START + first_response_h * H
    assert clock.resolution_due == START + resolution_h * H


def test_a_running_clock_breaches_once_a_due_time_has_passed() -> None:
    clock = SlaClock.start(START, NORMAL)
    assert not clock.is_breached(START + 8 * H)
    assert clock.is_breached(START + 8 * H + timedelta(milliseconds=1))
    assert clock.breach_time() == START + 8 * H


def test_time_spent_paused_moves_both_due_times_later() -> None:
    clock = SlaClock.start(START, NORMAL).pause(START + 1 * H).resume(START + 4 * H)
    assert clock.first_response_due == START + 11 * H
    assert clock.resolution_due == START + 51 * H
    assert clock.paused_total == 3 * H


def test_a_paused_clock_never_breaches_however_long_it_waits() -> None:
    clock = SlaClock.start(START, NORMAL).pause(START + 1 * H)
    assert clock.breach_time() is None
    assert not clock.is_breached(START + 1000 * H)


def test_a_breach_that_happened_before_the_pause_stays_a_breach() -> None:
    clock = SlaClock.start(START, NORMAL).pause(START + 9 * H)
    assert clock.is_breached(START + 10 * H)
    assert clock.breach_time() == START + 8 * H


def test_a_first_response_in_time_leaves_only_the_resolution_due() -> None:
    clock = SlaClock.start(START, NORMAL).record_first_response(START + 2 * H)
    assert clock.next_due == START + 48 * H
    assert not clock.is_breached(START + 47 * H)
    assert clock.is_breached(START + 49 * H)


def test_a_late_first_response_stays_late_after_a_pause() -> None:
    clock = SlaClock.start(START, NORMAL).record_first_response(START + 9 * H)
    clock = clock.pause(START + 10 * H).resume(START + 30 * H)
    assert clock.first_response_due == START + 8 * H
    assert clock.is_breached(START + 31 * H)


def test_resolved_in_time_is_never_breached_later() -> None:
    clock = SlaClock.start(START, NORMAL).record_first_response(START + 1 * H).pause(START + 20 * H)
    assert not clock.is_breached(START + 500 * H)


def test_a_new_priority_recounts_from_the_start_minus_the_pauses() -> None:
    clock = SlaClock.start(START, NORMAL).pause(START).resume(START + 2 * H)
    urgent = clock.retarget(POLICY.for_priority(CasePriority.URGENT))
    assert urgent.first_response_due == START + 3 * H
    assert urgent.resolution_due == START + 10 * H


def test_a_new_priority_keeps_a_first_response_due_that_was_already_met() -> None:
    clock = SlaClock.start(START, NORMAL).record_first_response(START + 1 * H)
    assert clock.retarget(POLICY.for_priority(CasePriority.URGENT)).first_response_due == START + 8 * H


def test_a_policy_must_cover_every_priority_with_sensible_targets() -> None:
    with pytest.raises(ValueError, match="missing"):
        SlaPolicy({CasePriority.LOW: NORMAL})
    broken = dict(POLICY.targets) | {CasePriority.LOW: SlaTargets(2 * H, 1 * H)}
    with pytest.raises(ValueError, match="resolution"):
        SlaPolicy(broken)
