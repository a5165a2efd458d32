"""Who acts on a refund: a customer, a support agent, a lead, or the system itself."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ActorRole(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    LEAD = "lead"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Actor:
    subject: str  # the customer id for customers, the staff id otherwise
    role: ActorRole

    @property
    def is_customer(self) -> bool:
        return self.role is ActorRole.CUSTOMER

    @property
    def is_staff(self) -> bool:
        return not self.is_customer


SYSTEM_ACTOR = Actor("system", ActorRole.SYSTEM)
