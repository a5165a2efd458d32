"""Every rule a request must meet, checked before any work; all problems of a request at once.

Violations name the request field (e.g. "case.subject") and come back as INVALID_ARGUMENT with
google.rpc.BadRequest. The domain still guards its own invariants; the limits are the domain's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from acme.support.v1 import case_pb2, case_service_pb2
from google.protobuf.descriptor import EnumDescriptor

from kit.errors import Violations
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
