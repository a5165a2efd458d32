"""Domain errors to gRPC statuses: the one table, and the decorator on servicer methods."""

from __future__ import annotations

import inspect
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2

from kit.errors import STATUS_DETAILS_KEY, FieldViolation, ValidationError
from kit.pagination import InvalidPageError
from refund_svc.domain import errors
from refund_svc.domain.errors import (
    DomainError,
    FieldProblem,
    InvalidArgumentError,
    RefundWindowClosedError,
)
from refund_svc.presentation.errors import STATUS_CODES, grpc_errors, status_code_for

DOMAIN_ERRORS = [
    cls
    for _, cls in inspect.getmembers(errors, inspect.isclass)
    if issubclass(cls, DomainError) and cls is not DomainError
]


@pytest.mark.parametrize("error_class", DOMAIN_ERRORS, ids=lambda c: c.__name__)
def test_every_domain_error_has_a_code_and_a_stable_reason(error_class: type[DomainError]) -> None:
    error = error_class.__new__(error_class)
    assert status_code_for(error) != grpc.StatusCode.INTERNAL
    assert error_class.reason.isupper()
    assert " " not in error_class.reason


def test_the_table_maps_the_families() -> None:
    assert {cls.__name__: code.name for cls, code in STATUS_CODES.items()} == {
        "NotFoundError": "NOT_FOUND",
        "InvalidArgumentError": "INVALID_ARGUMENT",
        "FailedPreconditionError": "FAILED_PRECONDITION",
        "RequestIdReusedError": "ALREADY_EXISTS",
        "PermissionDeniedError": "PERMISSION_DENIED",
        "ConcurrencyConflictError": "ABORTED",
        "UpstreamUnavailableError": "UNAVAILABLE",
    }


class Aborted(Exception):
    pass


class RecordingContext:
    """Stands in for grpc.aio.ServicerContext: records the status it aborts with."""

    status: grpc.Status | None = None

    async def abort_with_status(self, status: grpc.Status) -> None:
        self.status = status
        raise Aborted


class Servicer:
    def __init__(self, error: Exception) -> None:
        self.error = error

    @grpc_errors(field_prefix="refund.")
    async def Call(self, request: Any, context: Any) -> None:
        raise self.error


async def status_for(error: Exception) -> tuple[grpc.StatusCode, str, str, list[str]]:
    context = RecordingContext()
    with pytest.raises(Aborted):
        await Servicer(error).Call(None, context)
    assert context.status is not None
    details = dict(context.status.trailing_metadata)[STATUS_DETAILS_KEY]
    status = status_pb2.Status.FromString(details)
    reason, fields = "", []
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reason = info.reason
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            fields = [v.field for v in bad.field_violations]
    return context.status.code, status.message, reason, fields


async def test_domain_field_problems_get_the_request_prefix() -> None:
    problem = FieldProblem("lines[0].quantity", "too many")
    code, message, reason, fields = await status_for(
        InvalidArgumentError([problem], reason="QUANTITY_NOT_REFUNDABLE")
    )
    assert (code, reason, fields) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "QUANTITY_NOT_REFUNDABLE",
        ["refund.lines[0].quantity"],
    )
    assert message == "refund.lines[0].quantity: too many"


async def test_validation_errors_keep_their_full_paths() -> None:
    code, _, reason, fields = await status_for(ValidationError([FieldViolation("request_id", "is required")]))
    assert (code, reason, fields) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT", ["request_id"])


async def test_bad_page_tokens_are_invalid_arguments() -> None:
    code, _, _, fields = await status_for(InvalidPageError("page_token", "not ours"))
    assert (code, fields) == (grpc.StatusCode.INVALID_ARGUMENT, ["page_token"])


async def test_broken_rules_are_failed_preconditions() -> None:
    code, message, reason, _ = await status_for(RefundWindowClosedError("window closed", metadata={"o": "1"}))
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    assert (message, reason) == ("window closed", "REFUND_WINDOW_CLOSED")


async def test_anything_unexpected_is_internal_without_its_text() -> None:
    code, message, reason, _ = await status_for(RuntimeError("secret detail"))
    assert (code, reason) == (grpc.StatusCode.INTERNAL, "INTERNAL")
    assert "secret" not in message
