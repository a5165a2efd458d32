"""Domain errors -> gRPC status with google.rpc details, in one table, applied by @grpc_errors."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any, TypeVar

import grpc

from kit.errors import FieldViolation, PreconditionViolation, ValidationError, abort, build_status
from kit.logs import get_logger
from support_svc.domain.errors import (
    AlreadyExistsError,
    CapacityError,
    ConcurrencyConflictError,
    DependencyUnavailableError,
    DomainError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    PreconditionFailedError,
    WatchLaggingError,
)

ERROR_DOMAIN = "support.acme"

# The one place that says which gRPC code each family of domain errors becomes.
STATUS_CODES: tuple[tuple[type[DomainError], grpc.StatusCode], ...] = (
    (InvalidArgumentError, grpc.StatusCode.INVALID_ARGUMENT),
    (NotFoundError, grpc.StatusCode.NOT_FOUND),
    (PermissionDeniedError, grpc.StatusCode.PERMISSION_DENIED),
    (PreconditionFailedError, grpc.StatusCode.FAILED_PRECONDITION),
    (ConcurrencyConflictError, grpc.StatusCode.ABORTED),
    (AlreadyExistsError, grpc.StatusCode.ALREADY_EXISTS),
    (DependencyUnavailableError, grpc.StatusCode.UNAVAILABLE),
    (CapacityError, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (WatchLaggingError, grpc.StatusCode.ABORTED),
)

log = get_logger("support_svc.errors")

S = TypeVar("S")
Req = TypeVar("Req")
Resp = TypeVar("Resp")
Handler = Callable[[S, Req, Any], Awaitable[Resp]]


def status_code_for(error: DomainError) -> grpc.StatusCode:
    for family, code in STATUS_CODES:
        if isinstance(error, family):
            return code
    return grpc.StatusCode.INTERNAL


def domain_error_status(error: DomainError, *, field_prefix: str = "") -> grpc.Status:
    """The status for a domain error; `field_prefix` turns domain field names into request paths."""
    fields: list[FieldViolation] = []
    preconditions: list[PreconditionViolation] = []
    if isinstance(error, InvalidArgumentError):
        fields = [FieldViolation(field_prefix + p.field, p.description) for p in error.problems]
    if isinstance(error, PreconditionFailedError):
        preconditions = [
            PreconditionViolation(error.precondition_type, subject, description)
            for subject, description in error.subjects
        ] or [PreconditionViolation(error.precondition_type, f"cases/{error.case_id}", error.message)]
    return build_status(
        status_code_for(error),
        error.message,
        reason=error.reason,
        domain=ERROR_DOMAIN,
        metadata=error.metadata,
        field_violations=fields,
        precondition_violations=preconditions,
    )


def validation_status(error: ValidationError) -> grpc.Status:
    return build_status(
        grpc.StatusCode.INVALID_ARGUMENT,
        f"The request is not valid: {error}",
        reason="INVALID_ARGUMENT",
        domain=ERROR_DOMAIN,
        field_violations=error.violations,
    )


def _status_of(error: Exception, handler: str, field_prefix: str) -> grpc.Status:
    if isinstance(error, ValidationError):
        return validation_status(error)
    if isinstance(error, DomainError):
        return domain_error_status(error, field_prefix=field_prefix)
    log.error("unexpected error", handler=handler, exc_info=error)
    return build_status(
        grpc.StatusCode.INTERNAL, "Something went wrong on our side", reason="INTERNAL", domain=ERROR_DOMAIN
    )


def grpc_errors(*, field_prefix: str = "") -> Callable[[Handler[S, Req, Resp]], Handler[S, Req, Resp]]:
    """Turns what a handler raises into a rich gRPC status; anything unexpected is INTERNAL, logged."""

    def decorate(handler: Handler[S, Req, Resp]) -> Handler[S, Req, Resp]:
        @functools.wraps(handler)
        async def wrapper(self: S, request: Req, context: Any) -> Resp:
            try:
                return await handler(self, request, context)
            except grpc.aio.AbortError:
                raise
            except Exception as err:
                status = _status_of(err, handler.__name__, field_prefix)
            await abort(context, status)

        return wrapper

    return decorate


def grpc_stream_errors[T, Q, R](
    handler: Callable[[T, Q, Any], AsyncGenerator[R]],
) -> Callable[[T, Q, Any], AsyncGenerator[R]]:
    """@grpc_errors for server-streaming handlers: an error ends the stream with a rich status.

    The handler's generator is closed on the way out (client gone, server stopping), so its
    `finally` blocks run at once.
    """

    @functools.wraps(handler)
    async def wrapper(self: T, request: Q, context: Any) -> AsyncGenerator[R]:
        try:
            async with contextlib.aclosing(handler(self, request, context)) as stream:
                async for item in stream:
                    yield item
            return
        except grpc.aio.AbortError:
            raise
        except Exception as err:
            status = _status_of(err, handler.__name__, "")
        await abort(context, status)

    return wrapper
