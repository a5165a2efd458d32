"""Every rule a request must meet before any work is done, in one place.

Violations are collected so that a caller learns all of its mistakes at once, each naming its
field as a path into the request (e.g. "refund.lines[0].quantity").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from acme.refund.v1 import refund_pb2, refund_service_pb2
from google.protobuf import timestamp_pb2

from kit.errors import Violations
from kit.pagination import page_size
from refund_svc.domain.refund import MAX_NOTE_LENGTH

MAX_LINES = 100
MAX_QUANTITY = 100_000
_ID = r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}"
CASE_NAME = re.compile(rf"cases/{_ID}")
REFUND_NAME = re.compile(rf"refunds/({_ID})")
ID = re.compile(_ID)
REQUEST_ID = re.compile(r"[\x21-\x7e]{1,128}")  # printable ASCII; a UUID is best
ETAG = re.compile(r'"(\d{1,18})"')  # as refund_to_proto writes it: the version, quoted
# What a Timestamp may hold (0001-01-01 to 9999-12-31, as google/protobuf/timestamp.proto says).
TIMESTAMP_MIN_S = -62_135_596_800
TIMESTAMP_MAX_S = 253_402_300_799

_REASONS = set(refund_pb2.RefundReason.values()) - {refund_pb2.REFUND_REASON_UNSPECIFIED}
_METHODS = set(refund_pb2.RefundMethod.values())
_STATUSES = set(refund_pb2.RefundStatus.values()) - {refund_pb2.REFUND_STATUS_UNSPECIFIED}


def validate_create_refund(request: refund_service_pb2.CreateRefundRequest) -> None:
    """Output-only fields (name, amounts, status, ...) are ignored, as AIP-203 asks."""
    v = Violations()
    if not request.request_id:
        v.add("request_id", "is required (an idempotency key, e.g. a UUID)")
    else:
        well_formed = REQUEST_ID.fullmatch(request.request_id) is not None
        v.check(well_formed, "request_id", "must be 1 to 128 printable ASCII characters")
    if not request.HasField("refund"):
        v.add("refund", "is required")
        v.raise_if_any()
    refund = request.refund
    v.check(CASE_NAME.fullmatch(refund.case) is not None, "refund.case", 'must be "cases/{case_id}"')
    v.check(ID.fullmatch(refund.order_id) is not None, "refund.order_id", "is required (the shop's order id)")
    if not refund.lines:
        v.add("refund.lines", "at least one line is required")
    elif len(refund.lines) > MAX_LINES:
        v.add("refund.lines", f"at most {MAX_LINES} lines")
    seen: set[str] = set()
    for index, line in enumerate(refund.lines[:MAX_LINES]):
        path = f"refund.lines[{index}]"
        if ID.fullmatch(line.order_line_id) is None:
            v.add(f"{path}.order_line_id", "is required (the order line's id)")
        elif line.order_line_id in seen:
            v.add(f"{path}.order_line_id", "appears more than once; put all units of a line in one entry")
        seen.add(line.order_line_id)
        v.check(line.quantity >= 1, f"{path}.quantity", "must be at least 1")
        v.check(line.quantity <= MAX_QUANTITY, f"{path}.quantity", f"must be at most {MAX_QUANTITY}")
    v.check(refund.reason in _REASONS, "refund.reason", "is required: say why the money goes back")
    v.check(refund.method in _METHODS, "refund.method", "is not a known refund method")
    v.check(len(refund.note) <= MAX_NOTE_LENGTH, "refund.note", f"at most {MAX_NOTE_LENGTH} characters")
    v.raise_if_any()


def validate_get_refund(request: refund_service_pb2.GetRefundRequest) -> str:
    """The refund id named by the request."""
    match = REFUND_NAME.fullmatch(request.name)
    if match is None:
        v = Violations()
        v.add("name", 'must be "refunds/{refund_id}"')
        v.raise_if_any()
        raise AssertionError("unreachable")  # pragma: no cover
    return match.group(1)


def validate_list_refunds(request: refund_service_pb2.ListRefundsRequest) -> int:
    """The page size to use (AIP-158: 0 is 50, above 100 is 100, negative is refused)."""
    v = Violations()
    v.check(request.page_size >= 0, "page_size", "must not be negative")
    if request.case:
        v.check(CASE_NAME.fullmatch(request.case) is not None, "case", 'must be "cases/{case_id}"')
    if request.order_id:
        v.check(ID.fullmatch(request.order_id) is not None, "order_id", "is not an order id")
    for index, status in enumerate(request.statuses):
        v.check(status in _STATUSES, f"statuses[{index}]", "is not a refund status")
    v.raise_if_any()
    return page_size(request.page_size)


def validate_quote_refund(request: refund_service_pb2.QuoteRefundRequest) -> None:
    v = Violations()
    v.check(ID.fullmatch(request.order_id) is not None, "order_id", "is required (the shop's order id)")
    v.raise_if_any()


@dataclass(frozen=True, slots=True)
class RefundTarget:
    """The refund a decision is about, and the version the caller saw (None: no etag sent)."""

    refund_id: str
    expected_version: int | None


def _target(v: Violations, name: str, etag: str) -> RefundTarget:
    match = REFUND_NAME.fullmatch(name)
    v.check(match is not None, "name", 'must be "refunds/{refund_id}"')
    version = None
    if etag:
        etag_match = ETAG.fullmatch(etag)
        if v.check(etag_match is not None, "etag", "is not an etag of a refund; send the one you read"):
            version = int(etag_match.group(1)) if etag_match else None
    return RefundTarget(match.group(1) if match else "", version)


def validate_approve_refund(request: refund_service_pb2.ApproveRefundRequest) -> RefundTarget:
    v = Violations()
    target = _target(v, request.name, request.etag)
    v.check(len(request.comment) <= MAX_NOTE_LENGTH, "comment", f"at most {MAX_NOTE_LENGTH} characters")
    v.raise_if_any()
    return target


def validate_reject_refund(request: refund_service_pb2.RejectRefundRequest) -> RefundTarget:
    v = Violations()
    target = _target(v, request.name, request.etag)
    if not request.reason.strip():
        v.add("reason", "is required: say why the refund is rejected")
    v.check(len(request.reason) <= MAX_NOTE_LENGTH, "reason", f"at most {MAX_NOTE_LENGTH} characters")
    v.raise_if_any()
    return target


def validate_cancel_refund(request: refund_service_pb2.CancelRefundRequest) -> RefundTarget:
    v = Violations()
    target = _target(v, request.name, request.etag)
    v.raise_if_any()
    return target


def validate_retry_refund(request: refund_service_pb2.RetryRefundRequest) -> RefundTarget:
    v = Violations()
    target = _target(v, request.name, request.etag)
    v.check(request.method in _METHODS, "method", "is not a known refund method")
    v.raise_if_any()
    return target


def _check_time(v: Violations, field: str, request: refund_service_pb2.GetRefundStatisticsRequest) -> bool:
    if not request.HasField(field):  # type: ignore[arg-type]
        v.add(field, "is required")
        return False
    stamp: timestamp_pb2.Timestamp = getattr(request, field)
    valid = TIMESTAMP_MIN_S <= stamp.seconds <= TIMESTAMP_MAX_S and 0 <= stamp.nanos < 1_000_000_000
    return v.check(valid, field, "is not a valid time")


def validate_get_refund_statistics(request: refund_service_pb2.GetRefundStatisticsRequest) -> None:
    v = Violations()
    has_start = _check_time(v, "period_start_time", request)
    has_end = _check_time(v, "period_end_time", request)
    if has_start and has_end:
        start, end = request.period_start_time, request.period_end_time
        after = (end.seconds, end.nanos) > (start.seconds, start.nanos)
        v.check(after, "period_end_time", "must be after period_start_time")
    v.raise_if_any()
