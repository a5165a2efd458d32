"""gRPC errors with rich details (google.rpc.Status), both sides of the wire.

Servers abort with `abort()`: an ErrorInfo with a stable UPPER_SNAKE reason always, plus BadRequest
field violations or PreconditionFailure violations when they apply (AIP-193). Clients read them
back with `RichError.from_rpc_error()`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NoReturn

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

STATUS_DETAILS_KEY = "grpc-status-details-bin"


@dataclass(frozen=True, slots=True)
class FieldViolation:
    """One invalid field of a request: its path (e.g. "case.subject") and what is wrong."""

    field: str
    description: str


@dataclass(frozen=True, slots=True)
class PreconditionViolation:
    """A rule the request broke: its type (e.g. "STATUS"), subject and a readable description."""

    type: str
    subject: str
    description: str


class ValidationError(Exception):
    """A request broke one or more field rules; becomes INVALID_ARGUMENT with BadRequest."""

    def __init__(self, violations: Sequence[FieldViolation]) -> None:
        self.violations = tuple(violations)
        super().__init__("; ".join(f"{v.field}: {v.description}" for v in self.violations))


class Violations:
    """Collects field violations so that a request gets all of its problems at once."""

    def __init__(self) -> None:
        self._items: list[FieldViolation] = []

    def add(self, field_path: str, description: str) -> None:
        self._items.append(FieldViolation(field_path, description))

    def check(self, ok: bool, field_path: str, description: str) -> bool:
        if not ok:
            self.add(field_path, description)
        return ok

    def __bool__(self) -> bool:
        return bool(self._items)

    def raise_if_any(self) -> None:
        if self._items:
            raise ValidationError(self._items)


def build_status(
    code: grpc.StatusCode,
    message: str,
    *,
    reason: str,
    domain: str,
    metadata: Mapping[str, str] | None = None,
    field_violations: Sequence[FieldViolation] = (),
    precondition_violations: Sequence[PreconditionViolation] = (),
) -> grpc.Status:
    details: list[any_pb2.Any] = []
    info = error_details_pb2.ErrorInfo(reason=reason, domain=domain, metadata=dict(metadata or {}))
    packed = any_pb2.Any()
    packed.Pack(info)
    details.append(packed)
    if field_violations:
        bad = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
                for v in field_violations
            ]
        )
        packed = any_pb2.Any()
        packed.Pack(bad)
        details.append(packed)
    if precondition_violations:
        failure = error_details_pb2.PreconditionFailure(
            violations=[
                error_details_pb2.PreconditionFailure.Violation(
                    type=v.type, subject=v.subject, description=v.description
                )
                for v in precondition_violations
            ]
        )
        packed = any_pb2.Any()
        packed.Pack(failure)
        details.append(packed)
    status = status_pb2.Status(code=code.value[0], message=message, details=details)
    return rpc_status.to_status(status)


async def abort(context: grpc.aio.ServicerContext, status: grpc.Status) -> NoReturn:  # type: ignore[type-arg]
    await context.abort_with_status(status)
    raise AssertionError("unreachable: abort_with_status raises")  # pragma: no cover


@dataclass(frozen=True, slots=True)
class RichError:
    """A gRPC error as a client sees it, with the details decoded."""

    code: grpc.StatusCode
    message: str
    reason: str = ""
    domain: str = ""
    metadata: Mapping[str, str] = field(default_factory=dict)
    field_violations: tuple[FieldViolation, ...] = ()
    precondition_violations: tuple[PreconditionViolation, ...] = ()

    @classmethod
    def from_rpc_error(cls, error: grpc.RpcError) -> RichError:
        code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
        message = error.details() if hasattr(error, "details") else str(error)
        trailers = error.trailing_metadata() if hasattr(error, "trailing_metadata") else None
        raw = next((v for k, v in (trailers or ()) if k == STATUS_DETAILS_KEY), None)
        if not isinstance(raw, bytes):
            return cls(code=code, message=message or "")
        status = status_pb2.Status.FromString(raw)
        reason, domain, metadata = "", "", {}
        fields: list[FieldViolation] = []
        preconditions: list[PreconditionViolation] = []
        for detail in status.details:
            if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                detail.Unpack(info)
                reason, domain, metadata = info.reason, info.domain, dict(info.metadata)
            elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                bad = error_details_pb2.BadRequest()
                detail.Unpack(bad)
                fields.extend(FieldViolation(v.field, v.description) for v in bad.field_violations)
            elif detail.Is(error_details_pb2.PreconditionFailure.DESCRIPTOR):
                failure = error_details_pb2.PreconditionFailure()
                detail.Unpack(failure)
                preconditions.extend(
                    PreconditionViolation(v.type, v.subject, v.description) for v in failure.violations
                )
        return cls(
            code=code,
            message=message or status.message,
            reason=reason,
            domain=domain,
            metadata=metadata,
            field_violations=tuple(fields),
            precondition_violations=tuple(preconditions),
        )
