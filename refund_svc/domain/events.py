"""What happened to a refund, as told to the support context (one event per status change).

Events are derived from the refund's history, so that storing a change and recording its event
can happen in one transaction (the outbox) and nothing is ever told that did not happen.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from refund_svc.domain.actor import ActorRole
from refund_svc.domain.money import Money

# Event ids are derived from (refund, position in its history): the same change always has the same
# id, and the id is UUID-shaped for receivers that expect one.
_EVENT_NAMESPACE = uuid.UUID("6f1c2b1e-4f0a-4d8e-9a51-3c2f7e0b9d41")


class RefundEventKind(StrEnum):
    REQUESTED = "REQUESTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"
    PROCESSING = "PROCESSING"
    REFUNDED = "REFUNDED"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class RefundEvent:
    event_id: str
    refund_id: str
    refund_number: str  # for people: "R-2291"
    case_name: str  # "cases/{case_id}"
    kind: RefundEventKind
    amount: Money  # the refund's total when it happened
    actor_id: str  # a customer or staff id, or "system"
    actor_role: ActorRole
    note: str  # the reason or note that goes with it
    occurred_at: datetime
    refund_open: bool  # still pending, approved or processing after this event
    sequence: int  # position in the refund's history: 1 for the request, then 2, 3, ...


def event_id_for(refund_id: str, seq: int) -> str:
    return str(uuid.uuid5(_EVENT_NAMESPACE, f"{refund_id}/{seq}"))
