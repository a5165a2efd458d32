"""Domain errors, each with a stable UPPER_SNAKE `reason` that clients may branch on.

No framework types here: presentation/errors.py maps these classes to gRPC status codes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

# Stable reasons. Clients (the BFF, the UI) branch on these, never on message text.
ORDER_NOT_FOUND = "ORDER_NOT_FOUND"
REFUND_NOT_FOUND = "REFUND_NOT_FOUND"
INVALID_ARGUMENT = "INVALID_ARGUMENT"
LINE_NOT_IN_ORDER = "LINE_NOT_IN_ORDER"
QUANTITY_NOT_REFUNDABLE = "QUANTITY_NOT_REFUNDABLE"
NOTE_REQUIRED = "NOTE_REQUIRED"
REFUND_WINDOW_CLOSED = "REFUND_WINDOW_CLOSED"
INVALID_STATE_TRANSITION = "INVALID_STATE_TRANSITION"
CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
REQUEST_ID_REUSED = "REQUEST_ID_REUSED"
PERMISSION_DENIED = "PERMISSION_DENIED"
STAFF_ONLY = "STAFF_ONLY"
LEAD_ONLY = "LEAD_ONLY"
SELF_APPROVAL_FORBIDDEN = "SELF_APPROVAL_FORBIDDEN"
LEAD_APPROVAL_REQUIRED = "LEAD_APPROVAL_REQUIRED"
NOT_REFUND_OWNER = "NOT_REFUND_OWNER"
VERSION_CONFLICT = "VERSION_CONFLICT"
SHOP_UNAVAILABLE = "SHOP_UNAVAILABLE"
NO_LONGER_REFUNDABLE = "NO_LONGER_REFUNDABLE"
CASE_NOT_FOUND = "CASE_NOT_FOUND"
CASE_IS_ABOUT_ANOTHER_ORDER = "CASE_IS_ABOUT_ANOTHER_ORDER"
CASES_UNAVAILABLE = "CASES_UNAVAILABLE"


class DomainError(Exception):
    """A rule of the domain refused something. `reason` is stable; `message` is for people."""

    reason: ClassVar[str] = "DOMAIN_ERROR"

    def __init__(self, message: str, *, reason: str | None = None, metadata: Mapping[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.metadata: dict[str, str] = dict(metadata or {})
        if reason is not None:
            self.reason = reason  # type: ignore[misc]  # an instance may refine its class's reason


# --- not found ----------------------------------------------------------------------------------


class NotFoundError(DomainError):
    reason = "NOT_FOUND"


class OrderNotFoundError(NotFoundError):
    """The order does not exist, or the caller may not see it (we do not tell which)."""

    reason = ORDER_NOT_FOUND

    def __init__(self, order_id: str) -> None:
        super().__init__(f"Order {order_id} was not found", metadata={"order_id": order_id})


class RefundNotFoundError(NotFoundError):
    """The refund does not exist, or the caller may not see it (we do not tell which)."""

    reason = REFUND_NOT_FOUND

    def __init__(self, refund_id: str) -> None:
        super().__init__(f"Refund {refund_id} was not found", metadata={"refund_id": refund_id})


class CaseNotFoundError(NotFoundError):
    """The case does not exist, or it is not the order's customer's (we do not tell which)."""

    reason = CASE_NOT_FOUND

    def __init__(self, case_name: str) -> None:
        super().__init__(f"Case {case_name} was not found", metadata={"case": case_name})


# --- invalid arguments --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One field of a request that breaks a rule. `field` is relative to the resource (e.g. "note")."""

    field: str
    description: str


class InvalidArgumentError(DomainError):
    """Fields that break rules only known with the order at hand (unknown line, too many units)."""

    reason = INVALID_ARGUMENT

    def __init__(self, problems: Sequence[FieldProblem], *, reason: str | None = None) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p.field}: {p.description}" for p in self.problems), reason=reason)


# --- failed preconditions -----------------------------------------------------------------------


class FailedPreconditionError(DomainError):
    reason = "FAILED_PRECONDITION"


class RefundWindowClosedError(FailedPreconditionError):
    reason = REFUND_WINDOW_CLOSED


class InvalidStateTransitionError(FailedPreconditionError):
    reason = INVALID_STATE_TRANSITION

    def __init__(self, refund_id: str, current: str, action: str) -> None:
        super().__init__(
            f"A refund that is {current} cannot be {action}",
            metadata={"refund_id": refund_id, "status": current, "action": action},
        )


class CurrencyMismatchError(FailedPreconditionError):
    reason = CURRENCY_MISMATCH


class NoLongerRefundableError(FailedPreconditionError):
    """A failed refund's units were taken by another refund since it failed; it cannot go again."""

    reason = NO_LONGER_REFUNDABLE


class CaseIsAboutAnotherOrderError(FailedPreconditionError):
    """A refund belongs to the case about its order: the case named is about another one."""

    reason = CASE_IS_ABOUT_ANOTHER_ORDER

    def __init__(self, case_name: str, case_order_id: str, order_id: str) -> None:
        super().__init__(
            f"Case {case_name} is about order {case_order_id}, not {order_id}; "
            "ask for the refund on the case about this order",
            metadata={"case": case_name, "case_order_id": case_order_id, "order_id": order_id},
        )


# --- conflicts and permissions ------------------------------------------------------------------


class RequestIdReusedError(DomainError):
    """The idempotency key was already used for a different request."""

    reason = REQUEST_ID_REUSED

    def __init__(self, request_id: str) -> None:
        super().__init__(
            f"request_id {request_id} was already used for a different refund request; "
            "use a new request_id for a new request",
            metadata={"request_id": request_id},
        )


class PermissionDeniedError(DomainError):
    reason = PERMISSION_DENIED


class ConcurrencyConflictError(DomainError):
    """The refund changed since it was read: read it again and retry."""

    reason = VERSION_CONFLICT


class UpstreamUnavailableError(DomainError):
    """A service we must ask first could not be asked; nothing was changed, the call may be retried."""

    reason = "UNAVAILABLE"


class ShopUnavailableError(UpstreamUnavailableError):
    """The shop could not be asked about the order; nothing was changed, the call may be retried."""

    reason = SHOP_UNAVAILABLE


class CasesUnavailableError(UpstreamUnavailableError):
    """support_svc could not be asked about the case; nothing was changed, the call may be retried."""

    reason = CASES_UNAVAILABLE
