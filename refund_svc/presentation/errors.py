"""Domain errors to gRPC status: ONE table, and the decorator every servicer method wears.

Errors carry google.rpc.Status details: ErrorInfo with the stable reason always, BadRequest field
violations for invalid arguments, PreconditionFailure for broken rules. Anything unexpected is
INTERNAL with a generic message (and a logged traceback), never the exception text.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import grpc

from kit.errors import (
    FieldViolation,
    PreconditionViolation,
    ValidationError,
    abort,
    build_status,
)
from kit.logs import get_logger
from kit.pagination import InvalidPageError
from refund_svc.domain.errors import (
    ConcurrencyConflictError,
    DomainError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    RequestIdReusedError,
    UpstreamUnavailableError,
)

ERROR_DOMAIN = "refund.acme"

STATUS_CODES: dict[type[DomainError], grpc.StatusCode] = {
    NotFoundError: grpc.StatusCode.NOT_FOUND,
    InvalidArgumentError: grpc.StatusCode.INVALID_ARGUMENT,
    FailedPreconditionError: grpc.StatusCode.FAILED_PRECONDITION,
    RequestIdReusedError: grpc.StatusCode.ALREADY_EXISTS,
    PermissionDeniedError: grpc.StatusCode.PERMISSION_DENIED,
    ConcurrencyConflictError: grpc.StatusCode.ABORTED,
    UpstreamUnavailableError: grpc.StatusCode.UNAVAILABLE,
}

log = get_logger("refund_svc.errors")


def status_code_for(error: DomainError) -> grpc.StatusCode:
    """The code of the nearest class in the table (subclasses inherit their base's code)."""
    for cls in type(error).__mro__:
        if cls in STATUS_CODES:
            return STATUS_CODES[cls]
    return grpc.StatusCode.INTERNAL


def domain_error_status(error: DomainError, *, field_prefix: str = "") -> grpc.Status:
    code = status_code_for(error)
    fields: list[FieldViolation] = []
    preconditions: list[PreconditionViolation] = []
    message = error.message
    if isinstance(error, InvalidArgumentError):
        fields = [FieldViolation(field_prefix + p.field, p.description) for p in error.problems]
        message = "; ".join(f"{v.field}: {v.description}" for v in fields)
    elif isinstance(error, FailedPreconditionError):
        subject = next(iter(error.metadata.values()), "")
        preconditions = [PreconditionViolation(error.reason, subject, error.message)]
    return build_status(
        code,
        message,
        reason=error.reason,
        domain=ERROR_DOMAIN,
        metadata=error.metadata,
        field_violations=fields,
        precondition_violations=preconditions,
    )


def invalid_argument_status(violations: tuple[FieldViolation, ...]) -> grpc.Status:
    return build_status(
        grpc.StatusCode.INVALID_ARGUMENT,
        "; ".join(f"{v.field}: {v.description}" for v in violations),
        reason="INVALID_ARGUMENT",
        domain=ERROR_DOMAIN,
        field_violations=violations,
    )


Handler = TypeVar("Handler", bound=Callable[..., Awaitable[Any]])


def grpc_errors(*, field_prefix: str = "") -> Callable[[Handler], Handler]:
    """Turns errors of a servicer method into rich gRPC statuses.

    `field_prefix` locates the domain's field paths in the request (e.g. "refund." for CreateRefund).
    """

    def decorate(method: Handler) -> Handler:
        @functools.wraps(method)
        async def wrapper(self: Any, request: Any, context: Any) -> Any:
            try:
                return await method(self, request, context)
            except grpc.aio.AbortError:
                raise  # already a status on its way out
            except ValidationError as error:
                await abort(context, invalid_argument_status(error.violations))
            except InvalidPageError as error:
                await abort(context, invalid_argument_status((FieldViolation(error.field, str(error)),)))
            except DomainError as error:
                await abort(context, domain_error_status(error, field_prefix=field_prefix))
            except Exception:
                log.exception("unexpected error", method=method.__name__)
                await abort(
                    context,
                    build_status(
                        grpc.StatusCode.INTERNAL,
                        "Something went wrong on our side; please try again",
                        reason="INTERNAL",
                        domain=ERROR_DOMAIN,
                    ),
                )

        return wrapper  # type: ignore[return-value]

    return decorate
