"""Value types of the support-case domain: statuses, priorities, categories, actors, limits."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

SUBJECT_MAX_CHARS = 200
DESCRIPTION_MAX_CHARS = 10_000
MESSAGE_MAX_CHARS = 10_000
ORDER_LINES_MAX = 50


class CaseStatus(StrEnum):
    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    WAITING_ON_CUSTOMER = "WAITING_ON_CUSTOMER"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").lower()

    @property
    def sla_clock_runs(self) -> bool:
        # The SLA clock runs only while the case is on the team: not waiting, not resolved or closed.
        return self in (CaseStatus.OPEN, CaseStatus.IN_PROGRESS)


class CasePriority(StrEnum):
    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"
    URGENT = "URGENT"

    @property
    def label(self) -> str:
        return self.value.lower()


class CaseCategory(StrEnum):
    DAMAGED_ITEM = "DAMAGED_ITEM"
    WRONG_ITEM = "WRONG_ITEM"
    MISSING_ITEM = "MISSING_ITEM"
    NOT_DELIVERED = "NOT_DELIVERED"
    LATE_DELIVERY = "LATE_DELIVERY"
    QUALITY = "QUALITY"
    BILLING = "BILLING"
    REFUND_OR_RETURN = "REFUND_OR_RETURN"
    OTHER = "OTHER"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").lower()


class Role(StrEnum):
    CUSTOMER = "CUSTOMER"
    AGENT = "AGENT"
    LEAD = "LEAD"
    SYSTEM = "SYSTEM"


class EventKind(StrEnum):
    OPENED = "OPENED"
    STATUS_CHANGED = "STATUS_CHANGED"
    ASSIGNED = "ASSIGNED"
    PRIORITY_CHANGED = "PRIORITY_CHANGED"
    CATEGORY_CHANGED = "CATEGORY_CHANGED"
    MESSAGE_ADDED = "MESSAGE_ADDED"
    NOTE_ADDED = "NOTE_ADDED"
    REFUND_EVENT = "REFUND_EVENT"
    FOLLOW_UP_OPENED = "FOLLOW_UP_OPENED"


@dataclass(frozen=True, slots=True)
class Actor:
    """Whoever acts on a case: a customer (id = shop customer id) or staff (agent, lead, system)."""

    id: str
    role: Role

    @property
    def is_staff(self) -> bool:
        return self.role is not Role.CUSTOMER

    @property
    def label(self) -> str:
        return self.role.value.lower()
