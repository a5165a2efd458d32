"""Domain errors: a small hierarchy, each with a stable UPPER_SNAKE `reason` clients can branch on.

The presentation layer maps each family to one gRPC code (see presentation/errors.py); nothing here
knows gRPC.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One invalid input field, named as the domain knows it (e.g. "order_id")."""

    field: str
    description: str


class DomainError(Exception):
    """Base of every error the service reports on purpose."""

    reason = "DOMAIN_ERROR"

    def __init__(self, message: str, *, reason: str | None = None, metadata: Mapping[str, str] | None = None):
        super().__init__(message)
        self.message = message
        if reason is not None:
            self.reason = reason
        self.metadata: dict[str, str] = dict(metadata or {})


class InvalidArgumentError(DomainError):
    """Input that breaks a rule; names the fields at fault."""

    reason = "INVALID_ARGUMENT"

    def __init__(
        self,
        problems: Sequence[FieldProblem],
        *,
        reason: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        self.problems = tuple(problems)
        super().__init__(
            "; ".join(f"{p.field}: {p.description}" for p in self.problems), reason=reason, metadata=metadata
        )


class NotFoundError(DomainError):
    reason = "NOT_FOUND"


class CaseNotFoundError(NotFoundError):
    """No such case, or the caller may not see it (the two are indistinguishable on purpose)."""

    reason = "CASE_NOT_FOUND"

    def __init__(self, case_id: int | str) -> None:
        super().__init__(f"Case {case_id} was not found", metadata={"case_id": str(case_id)})


class PermissionDeniedError(DomainError):
    """The caller's role may not do this."""

    reason = "PERMISSION_DENIED"


class PreconditionFailedError(DomainError):
    """A rule of the workflow refuses the change in the case's current state.

    `precondition_type` says which kind of rule (AIP-193 PreconditionFailure.type).
    """

    reason = "FAILED_PRECONDITION"
    precondition_type = "STATE"

    def __init__(
        self,
        message: str,
        *,
        case_id: int,
        metadata: Mapping[str, str] | None = None,
        subjects: Sequence[tuple[str, str]] = (),
    ) -> None:
        super().__init__(message, metadata={"case_id": str(case_id), **(metadata or {})})
        self.case_id = case_id
        # What stands in the way, as (resource name, description) pairs, when it is not the case
        # itself (e.g. the refunds still open); empty means the case.
        self.subjects = tuple(subjects)


class InvalidStateTransitionError(PreconditionFailedError):
    reason = "INVALID_STATE_TRANSITION"
    precondition_type = "STATUS"


class CaseClosedError(PreconditionFailedError):
    reason = "CASE_CLOSED"
    precondition_type = "STATUS"


class OpenRefundsError(PreconditionFailedError):
    reason = "REFUNDS_OPEN"
    precondition_type = "REFUNDS"


class ReopenWindowExpiredError(PreconditionFailedError):
    reason = "REOPEN_WINDOW_EXPIRED"
    precondition_type = "REOPEN_WINDOW"


class ConcurrencyConflictError(DomainError):
    """The case changed since the caller read it (stale etag)."""

    reason = "ETAG_MISMATCH"

    def __init__(self, case_id: int) -> None:
        super().__init__(
            f"Case {case_id} was changed by someone else; read it again and retry",
            metadata={"case_id": str(case_id)},
        )


class AlreadyExistsError(DomainError):
    reason = "ALREADY_EXISTS"


class RequestIdReusedError(AlreadyExistsError):
    """An idempotency key came back with different content."""

    reason = "REQUEST_ID_REUSED"

    def __init__(self, request_id: str) -> None:
        super().__init__(
            "This request_id was already used for a different request; use a new one",
            metadata={"request_id": request_id},
        )


class DependencyUnavailableError(DomainError):
    """A service we depend on (the shop) did not answer; the caller may retry."""

    reason = "DEPENDENCY_UNAVAILABLE"


class CapacityError(DomainError):
    """The service is at a limit it keeps on purpose; the caller may try again later."""

    reason = "CAPACITY"


class TooManyWatchersError(CapacityError):
    reason = "TOO_MANY_WATCHERS"

    def __init__(self, limit: int) -> None:
        super().__init__(
            "Too many cases are being watched just now; try again shortly", metadata={"limit": str(limit)}
        )


class WatchLaggingError(DomainError):
    """A watcher fell behind the changes of its case (or, `case_id` None, of every case) and was
    dropped; it may watch again."""

    reason = "WATCH_LAGGING"

    def __init__(self, case_id: int | None) -> None:
        if case_id is None:
            super().__init__(
                "The cases changed faster than this watch read; forget what was kept and watch again"
            )
        else:
            super().__init__(
                f"Case {case_id} changed faster than this watch read; watch again and re-read the case",
                metadata={"case_id": str(case_id)},
            )
