"""Service-level targets of a case: first-response and resolution due times, paused while waiting.

The clock runs only while the case is OPEN or IN_PROGRESS. When it resumes, the due times move
later by the time it stood still, so waiting on the customer (or a resolved case that is reopened)
never counts against the team.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from support_svc.domain.values import CasePriority


@dataclass(frozen=True, slots=True)
class SlaTargets:
    first_response: timedelta
    resolution: timedelta


DEFAULT_TARGETS: Mapping[CasePriority, SlaTargets] = {
    CasePriority.URGENT: SlaTargets(timedelta(hours=1), timedelta(hours=8)),
    CasePriority.HIGH: SlaTargets(timedelta(hours=4), timedelta(hours=24)),
    CasePriority.NORMAL: SlaTargets(timedelta(hours=8), timedelta(hours=48)),
    CasePriority.LOW: SlaTargets(timedelta(hours=24), timedelta(hours=96)),
}


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    """The targets for each priority."""

    targets: Mapping[CasePriority, SlaTargets]

    def __post_init__(self) -> None:
        missing = set(CasePriority) - set(self.targets)
        if missing:
            raise ValueError(f"SLA targets missing for {sorted(missing)}")
        for priority, target in self.targets.items():
            if target.first_response <= timedelta(0) or target.resolution < target.first_response:
                raise ValueError(f"SLA targets for {priority} must be positive, resolution >= first response")

    @classmethod
    def default(cls) -> SlaPolicy:
        return cls(DEFAULT_TARGETS)

    def for_priority(self, priority: CasePriority) -> SlaTargets:
        return self.targets[priority]


@dataclass(frozen=True, slots=True)
class SlaClock:
    """Due times of one case and how long its clock has stood still. Immutable."""

    started_at: datetime
    first_response_due: datetime
    resolution_due: datetime
    first_response_at: datetime | None = None
    paused_since: datetime | None = None
    paused_total: timedelta = timedelta(0)

    @classmethod
    def start(cls, now: datetime, targets: SlaTargets) -> SlaClock:
        return cls(
            started_at=now,
            first_response_due=now + targets.first_response,
            resolution_due=now + targets.resolution,
        )

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None

    @property
    def next_due(self) -> datetime:
        """The due time the team works towards now: first response until given, then resolution."""
        return self.first_response_due if self.first_response_at is None else self.resolution_due

    def pause(self, now: datetime) -> SlaClock:
        return self if self.is_paused else replace(self, paused_since=now)

    def resume(self, now: datetime) -> SlaClock:
        if self.paused_since is None:
            return self
        stood_still = max(now - self.paused_since, timedelta(0))
        # A first response already given keeps its due time: a late answer must stay late.
        first_due = (
            self.first_response_due if self.first_response_at else self.first_response_due + stood_still
        )
        return replace(
            self,
            first_response_due=first_due,
            resolution_due=self.resolution_due + stood_still,
            paused_since=None,
            paused_total=self.paused_total + stood_still,
        )

    def record_first_response(self, now: datetime) -> SlaClock:
        return self if self.first_response_at is not None else replace(self, first_response_at=now)

    def retarget(self, targets: SlaTargets) -> SlaClock:
        """New due times for a new priority, counted from the start, minus the time paused so far."""
        first_due = (
            self.first_response_due
            if self.first_response_at
            else self.started_at + targets.first_response + self.paused_total
        )
        return replace(
            self,
            first_response_due=first_due,
            resolution_due=self.started_at + targets.resolution + self.paused_total,
        )

    def breach_time(self) -> datetime | None:
        """When the case is (or will be) in breach if nothing changes; None when it cannot be.

        Stored as a column, so that "breached" is a range query: breach_time < now.
        """
        stopped_at = self.paused_since  # None while the clock runs
        candidates: list[datetime] = []
        if self.first_response_at is not None:
            if self.first_response_at > self.first_response_due:
                candidates.append(self.first_response_due)
        elif stopped_at is None or self.first_response_due < stopped_at:
            candidates.append(self.first_response_due)
        if stopped_at is None or self.resolution_due < stopped_at:
            candidates.append(self.resolution_due)
        return min(candidates, default=None)

    def is_breached(self, now: datetime) -> bool:
        breach = self.breach_time()
        return breach is not None and breach < now
