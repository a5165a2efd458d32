"""Every rule a request must meet, checked before any work; all problems of a request at once.

Violations name the request field (e.g. "case.subject") and come back as INVALID_ARGUMENT with
google.rpc.BadRequest. The domain still guards its own invariants; the limits are the domain's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from acme.support.v1 import case_pb2, case_service_pb2, refund_event_service_pb2
from google.protobuf.descriptor import EnumDescriptor
from google.protobuf.timestamp_pb2 import Timestamp

from kit.errors import ValidationError, Violations
from support_svc.application.queries import CASES_PER_BATCH_MAX
from support_svc.application.refund_events import REFUND_EVENTS_PER_BATCH_MAX
from support_svc.domain.refunds import NOTE_MAX_CHARS
from support_svc.domain.values import (
    DESCRIPTION_MAX_CHARS,
    MESSAGE_MAX_CHARS,
    ORDER_LINES_MAX,
    SUBJECT_MAX_CHARS,
)

CASE_NAME = re.compile(r"cases/([1-9][0-9]{0,17})")
# Ids from the shop and staff ids: short, and nothing that could surprise a log or a URL.
EXTERNAL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}")
ETAG = re.compile(r"[0-9]{1,18}")
QUERY_MAX_CHARS = 200
UPDATABLE_PATHS = ("priority", "category")


def parse_case_name(name: str) -> int:
    """The case id of a name already validated by `check_case_name`."""
    match = CASE_NAME.fullmatch(name)
    if match is None:
        raise ValueError(f"not a case name: {name!r}")
    return int(match.group(1))


def check_case_name(v: Violations, field: str, name: str) -> None:
    if not name:
        v.add(field, f"{field} is required, e.g. cases/10001")
    else:
        v.check(CASE_NAME.fullmatch(name) is not None, field, f"{field} must look like cases/10001")


def _check_etag(v: Violations, field: str, etag: str) -> None:
    if not etag:
        v.add(field, f"{field} is required: send the etag of the case as you last read it")
    else:
        v.check(ETAG.fullmatch(etag) is not None, field, f"{field} is not an etag this service issued")


def _check_external_id(v: Violations, field: str, value: str, *, required: bool) -> None:
    if not value:
        if required:
            v.add(field, f"{field} is required")
        return
    v.check(
        EXTERNAL_ID.fullmatch(value) is not None,
        field,
        f"{field} must be 1 to 64 letters, digits, '_', '-', '.' or ':'",
    )


def _check_request_id(v: Violations, request_id: str) -> None:
    if request_id:
        v.check(
            REQUEST_ID.fullmatch(request_id) is not None,
            "request_id",
            "request_id must be 1 to 128 letters, digits, '_', '-', '.' or ':' (a UUID is ideal)",
        )


def _check_text(v: Violations, field: str, value: str, maximum: int) -> None:
    if not value.strip():
        v.add(field, f"{field} is required")
    else:
        v.check(len(value) <= maximum, field, f"{field} must be at most {maximum} characters")


def _check_enum(
    v: Violations, field: str, value: int, enum: EnumDescriptor, *, required: bool, label: str
) -> None:
    if value == 0:
        if required:
            v.add(field, f"{field} is required")
    elif value not in enum.values_by_number:
        v.add(field, f"{value} is not a known {label}")


def _check_enum_list(
    v: Violations, field: str, values: Iterable[int], enum: EnumDescriptor, label: str
) -> None:
    for index, value in enumerate(values):
        _check_enum(v, f"{field}[{index}]", value, enum, required=True, label=label)


def _check_page_size(v: Violations, page_size: int) -> None:
    v.check(page_size >= 0, "page_size", "page_size must not be negative")


_CATEGORY = case_pb2.CaseCategory.DESCRIPTOR
_PRIORITY = case_pb2.CasePriority.DESCRIPTOR
_STATUS = case_pb2.CaseStatus.DESCRIPTOR


def _check_order_lines(v: Violations, line_ids: Sequence[str]) -> None:
    if len(line_ids) > ORDER_LINES_MAX:
        v.add("case.order_line_ids", f"at most {ORDER_LINES_MAX} order lines")
        return
    seen: set[str] = set()
    for index, line_id in enumerate(line_ids):
        field = f"case.order_line_ids[{index}]"
        _check_external_id(v, field, line_id, required=True)
        v.check(line_id not in seen, field, f"order line {line_id} is listed twice")
        seen.add(line_id)


def validate_create_case(request: case_service_pb2.CreateCaseRequest) -> None:
    v = Violations()
    case = request.case
    _check_external_id(v, "case.order_id", case.order_id, required=True)
    _check_order_lines(v, case.order_line_ids)
    _check_enum(v, "case.category", case.category, _CATEGORY, required=True, label="category")
    _check_enum(v, "case.priority", case.priority, _PRIORITY, required=False, label="priority")
    _check_text(v, "case.subject", case.subject, SUBJECT_MAX_CHARS)
    _check_text(v, "case.description", case.description, DESCRIPTION_MAX_CHARS)
    _check_request_id(v, request.request_id)
    v.raise_if_any()


def validate_get_case(request: case_service_pb2.GetCaseRequest) -> None:
    v = Violations()
    check_case_name(v, "name", request.name)
    _check_enum(v, "view", request.view, case_service_pb2.CaseView.DESCRIPTOR, required=False, label="view")
    v.raise_if_any()


def validate_list_cases(request: case_service_pb2.ListCasesRequest) -> None:
    v = Violations()
    _check_page_size(v, request.page_size)
    _check_enum_list(v, "statuses", request.statuses, _STATUS, "status")
    _check_enum_list(v, "priorities", request.priorities, _PRIORITY, "priority")
    _check_enum_list(v, "categories", request.categories, _CATEGORY, "category")
    _check_enum(
        v,
        "assignee_filter",
        request.assignee_filter,
        case_service_pb2.AssigneeFilter.DESCRIPTOR,
        required=False,
        label="assignee filter",
    )
    _check_external_id(v, "assignee_id", request.assignee_id, required=False)
    if request.assignee_filter == case_service_pb2.ASSIGNEE_FILTER_SOMEONE:
        v.check(
            bool(request.assignee_id), "assignee_id", "assignee_id is required with ASSIGNEE_FILTER_SOMEONE"
        )
    elif request.assignee_filter != case_service_pb2.ASSIGNEE_FILTER_UNSPECIFIED:
        v.check(
            not request.assignee_id,
            "assignee_id",
            "assignee_id goes only with ASSIGNEE_FILTER_SOMEONE (or no assignee filter)",
        )
    v.check(
        len(request.query) <= QUERY_MAX_CHARS, "query", f"query must be at most {QUERY_MAX_CHARS} characters"
    )
    _check_enum(
        v, "order_by", request.order_by, case_service_pb2.CaseOrder.DESCRIPTOR, required=False, label="order"
    )
    _check_external_id(v, "customer_id", request.customer_id, required=False)
    _check_external_id(v, "order_id", request.order_id, required=False)
    v.raise_if_any()


def validate_update_case(request: case_service_pb2.UpdateCaseRequest) -> None:
    v = Violations()
    check_case_name(v, "case.name", request.case.name)
    _check_etag(v, "case.etag", request.case.etag)
    paths = list(request.update_mask.paths)
    if not paths:
        v.add("update_mask", "update_mask must name the fields to change: priority, category")
    for path in paths:
        if path not in UPDATABLE_PATHS:
            v.add("update_mask", f"'{path}' cannot be changed here; only priority and category can")
    if "priority" in paths:
        _check_enum(v, "case.priority", request.case.priority, _PRIORITY, required=True, label="priority")
    if "category" in paths:
        _check_enum(v, "case.category", request.case.category, _CATEGORY, required=True, label="category")
    v.raise_if_any()


def validate_add_case_message(request: case_service_pb2.AddCaseMessageRequest) -> None:
    v = Violations()
    check_case_name(v, "parent", request.parent)
    _check_text(v, "body", request.body, MESSAGE_MAX_CHARS)
    _check_request_id(v, request.request_id)
    v.raise_if_any()


def validate_assign_case(request: case_service_pb2.AssignCaseRequest) -> None:
    v = Violations()
    check_case_name(v, "name", request.name)
    _check_etag(v, "etag", request.etag)
    _check_external_id(v, "assignee_id", request.assignee_id, required=False)
    v.raise_if_any()


def validate_case_change(name: str, etag: str) -> None:
    """For the state changes that carry only a name and an etag."""
    v = Violations()
    check_case_name(v, "name", name)
    _check_etag(v, "etag", etag)
    v.raise_if_any()


def validate_list_case_events(request: case_service_pb2.ListCaseEventsRequest) -> None:
    v = Violations()
    check_case_name(v, "parent", request.parent)
    _check_page_size(v, request.page_size)
    v.raise_if_any()


# --- refund events, statistics, watching ----------------------------------------------------------

REFUND_NAME = re.compile(r"refunds/([A-Za-z0-9][A-Za-z0-9_.:-]{0,127})")
REFUND_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,31}")
CURRENCY = re.compile(r"[A-Z]{3}")
_REFUND_EVENT_KIND = refund_event_service_pb2.RefundEventKind.DESCRIPTOR
_ACTOR_ROLE = case_pb2.ActorRole.DESCRIPTOR
_FINAL_REFUND_KINDS = (
    refund_event_service_pb2.REFUND_EVENT_KIND_REFUNDED,
    refund_event_service_pb2.REFUND_EVENT_KIND_REJECTED,
    refund_event_service_pb2.REFUND_EVENT_KIND_CANCELLED,
)


# What google.protobuf.Timestamp allows: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z.
_TIMESTAMP_MIN_S = -62_135_596_800
_TIMESTAMP_MAX_S = 253_402_300_799


def _check_timestamp(v: Violations, field: str, stamp: Timestamp) -> bool:
    return v.check(
        _TIMESTAMP_MIN_S <= stamp.seconds <= _TIMESTAMP_MAX_S and 0 <= stamp.nanos < 1_000_000_000,
        field,
        f"{field} is not a valid time",
    )


def parse_refund_name(name: str) -> str:
    """The refund id of a name already validated."""
    match = REFUND_NAME.fullmatch(name)
    if match is None:
        raise ValueError(f"not a refund name: {name!r}")
    return match.group(1)


def validate_record_refund_event(request: refund_event_service_pb2.RecordRefundEventRequest) -> None:
    v = Violations()
    check_case_name(v, "parent", request.parent)
    if not request.event_id:
        v.add("event_id", "event_id is required: the event's unique id from the sender's outbox")
    else:
        v.check(
            REQUEST_ID.fullmatch(request.event_id) is not None,
            "event_id",
            "event_id must be 1 to 128 letters, digits, '_', '-', '.' or ':' (a UUID is ideal)",
        )
    if not request.refund:
        v.add("refund", "refund is required, e.g. refunds/abc123")
    else:
        v.check(
            REFUND_NAME.fullmatch(request.refund) is not None,
            "refund",
            "refund must look like refunds/abc123",
        )
    if request.refund_number:
        v.check(
            REFUND_NUMBER.fullmatch(request.refund_number) is not None,
            "refund_number",
            "refund_number must be 1 to 32 letters, digits, '_', '-', '.' or ':', e.g. R-2291",
        )
    _check_enum(v, "kind", request.kind, _REFUND_EVENT_KIND, required=True, label="refund event kind")
    v.check(request.amount_minor >= 0, "amount_minor", "amount_minor must not be negative")
    if not request.currency_code:
        v.add("currency_code", "currency_code is required, e.g. EUR")
    else:
        v.check(
            CURRENCY.fullmatch(request.currency_code) is not None,
            "currency_code",
            "currency_code must be an ISO 4217 code of three capital letters, e.g. EUR",
        )
    if request.actor_id:
        _check_external_id(v, "actor_id", request.actor_id, required=False)
    v.check(len(request.note) <= NOTE_MAX_CHARS, "note", f"note must be at most {NOTE_MAX_CHARS} characters")
    if v.check(request.HasField("occur_time"), "occur_time", "occur_time is required: when it happened"):
        _check_timestamp(v, "occur_time", request.occur_time)
    v.check(request.sequence >= 0, "sequence", "sequence must not be negative")
    _check_enum(v, "actor_role", request.actor_role, _ACTOR_ROLE, required=False, label="actor role")
    if request.kind in _FINAL_REFUND_KINDS:
        v.check(
            not request.refund_open,
            "refund_open",
            "refund_open must be false for a refund that was paid back, rejected or cancelled",
        )
    v.raise_if_any()


def validate_get_case_statistics(request: case_service_pb2.GetCaseStatisticsRequest) -> None:
    v = Violations()
    has_start = v.check(
        request.HasField("period_start_time"), "period_start_time", "period_start_time is required"
    )
    has_end = v.check(request.HasField("period_end_time"), "period_end_time", "period_end_time is required")
    has_start = has_start and _check_timestamp(v, "period_start_time", request.period_start_time)
    has_end = has_end and _check_timestamp(v, "period_end_time", request.period_end_time)
    if has_start and has_end:
        start, end = request.period_start_time, request.period_end_time
        v.check(
            (end.seconds, end.nanos) > (start.seconds, start.nanos),
            "period_end_time",
            "period_end_time must be after period_start_time",
        )
    v.raise_if_any()


def validate_watch_case(request: case_service_pb2.WatchCaseRequest) -> None:
    v = Violations()
    check_case_name(v, "name", request.name)
    v.raise_if_any()


def validate_batch_get_cases(request: case_service_pb2.BatchGetCasesRequest) -> None:
    """1 to CASES_PER_BATCH_MAX well-formed names; a name may repeat."""
    v = Violations()
    names = request.names
    if not names:
        v.add("names", f"names is required: 1 to {CASES_PER_BATCH_MAX} case names, e.g. cases/10001")
    elif len(names) > CASES_PER_BATCH_MAX:
        v.add("names", f"names must be at most {CASES_PER_BATCH_MAX} case names, not {len(names)}")
    else:
        for index, name in enumerate(names):
            check_case_name(v, f"names[{index}]", name)
    v.raise_if_any()


def validate_batch_record_refund_events(
    request: refund_event_service_pb2.BatchRecordRefundEventsRequest,
) -> None:
    """1 to REFUND_EVENTS_PER_BATCH_MAX events, each checked as RecordRefundEvent checks one; the
    violations of every event at once, each naming its item (e.g. "requests[2].currency_code")."""
    v = Violations()
    items = request.requests
    if not items:
        v.add("requests", f"requests is required: 1 to {REFUND_EVENTS_PER_BATCH_MAX} refund events")
    elif len(items) > REFUND_EVENTS_PER_BATCH_MAX:
        v.add(
            "requests",
            f"requests must be at most {REFUND_EVENTS_PER_BATCH_MAX} refund events, not {len(items)}",
        )
    else:
        for index, item in enumerate(items):
            try:
                validate_record_refund_event(item)
            except ValidationError as error:
                for problem in error.violations:
                    v.add(f"requests[{index}].{problem.field}", problem.description)
    v.raise_if_any()
