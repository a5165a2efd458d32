"""Everything that goes wrong becomes application/problem+json (RFC 9457) with a sentence a customer
can read and a stable `reason`. Service errors are decoded (kit.errors.RichError) and mapped here;
no raw service text, internal code or stack trace reaches the browser."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import grpc
import orjson
from starlette.responses import Response

from bff.schemas import FieldProblem, Problem
from kit.errors import RichError

PROBLEM_MEDIA_TYPE = "application/problem+json"


@dataclass(slots=True)
class ProblemError(Exception):
    status: int
    reason: str
    detail: str
    errors: Sequence[FieldProblem] = ()
    headers: Mapping[str, str] = field(default_factory=dict)

    def to_problem(self) -> Problem:
        return Problem(
            title=HTTPStatus(self.status).phrase,
            status=self.status,
            detail=self.detail,
            reason=self.reason,
            errors=list(self.errors) or None,
        )


def problem_body(problem: Problem) -> bytes:
    return orjson.dumps(problem.model_dump(mode="json", by_alias=True, exclude_none=True))


def problem_response(error: ProblemError) -> Response:
    return Response(
        content=problem_body(error.to_problem()),
        status_code=error.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=dict(error.headers),
    )


# --- gRPC status -> HTTP -----------------------------------------------------------------------

_HTTP_STATUS: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.ABORTED: 409,  # stale etag: someone else changed it first
    grpc.StatusCode.FAILED_PRECONDITION: 412,  # a rule or transition does not allow it (DESIGN.md §4)
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
    grpc.StatusCode.CANCELLED: 503,
}

# The default sentence per status; specific reasons below override it.
_DETAIL_BY_STATUS: dict[int, str] = {
    400: "Some of the information you entered needs another look.",
    401: "Please sign in again.",
    403: "You are not allowed to do that.",
    404: "We could not find what you were looking for.",
    409: "Someone else changed this in the meantime. Reload to see the latest version, then try again.",
    412: "That is not possible in the current state.",
    429: "Too many requests. Please wait a moment and try again.",
    500: "Something went wrong on our side. Please try again.",
    503: "This part of the service is temporarily unavailable. Please try again in a moment.",
    504: "This is taking longer than it should. Please try again in a moment.",
}

# Sentences for the stable ErrorInfo reasons the services use (unknown reasons keep the default above).
_DETAIL_BY_REASON: dict[str, str] = {
    "CASE_NOT_FOUND": "We could not find that case.",
    "ORDER_NOT_FOUND": "We could not find that order.",
    "REFUND_NOT_FOUND": "We could not find that refund.",
    "INVALID_TRANSITION": "That change is not possible in the case's current status.",
    "INVALID_STATE_TRANSITION": "That change is not possible in the case's current status.",
    "CASE_CLOSED": "This case is closed.",
    "REOPEN_WINDOW_EXPIRED": "This case can no longer be reopened. Send a message to open a follow-up.",
    "REFUNDS_OPEN": "This case still has a refund in progress, so it cannot be resolved yet.",
    "OPEN_REFUNDS": "This case still has a refund in progress, so it cannot be resolved yet.",
    "STALE_ETAG": _DETAIL_BY_STATUS[409],
    "CONCURRENCY_CONFLICT": _DETAIL_BY_STATUS[409],
    "VERSION_CONFLICT": _DETAIL_BY_STATUS[409],
    "ETAG_MISMATCH": _DETAIL_BY_STATUS[409],
    "REQUEST_ID_REUSED": "This request was already sent with different content.",
    "IDEMPOTENCY_KEY_REUSED": "This request was already sent with different content.",
    "REFUND_WINDOW_CLOSED": "The time to ask for a refund on this order has passed. "
    "Send us a message in the case and we will look at it.",
    "NOT_REFUNDABLE": "Those items cannot be refunded any more.",
    "UNAUTHENTICATED": "Please sign in again.",
    "PERMISSION_DENIED": "You are not allowed to do that.",
    # refund_svc
    "STAFF_ONLY": "Only the support team can do that.",
    "LEAD_ONLY": "Only team leads can see this.",
    "SELF_APPROVAL_FORBIDDEN": "You asked for this refund yourself, so someone else on the team has to "
    "approve it.",
    "LEAD_APPROVAL_REQUIRED": "A refund this large needs a team lead's approval.",
    "NOT_REFUND_OWNER": "Only the customer who receives this refund can cancel it.",
    "NO_LONGER_REFUNDABLE": "This refund cannot be paid again: some of its items have been refunded by "
    "another request since its payment failed.",
    "QUANTITY_NOT_REFUNDABLE": "You asked to refund more items than can still be refunded.",
    "LINE_NOT_IN_ORDER": "That item is not part of this order.",
    "CASE_IS_ABOUT_ANOTHER_ORDER": "A refund can only be asked for on the case about its order.",
    "NOTE_REQUIRED": "This order is outside the refund window: add a note saying why it is refunded anyway.",
    "CURRENCY_MISMATCH": "Those amounts are in different currencies and cannot be combined.",
}

# Reasons both services use, with a sentence that depends on which one said it (ErrorInfo.domain).
_DETAIL_BY_DOMAIN_AND_REASON: dict[tuple[str, str], str] = {
    ("refund.acme", "INVALID_STATE_TRANSITION"): "That is not possible in the refund's current status. "
    "Reload to see where it stands.",
}

# Proto request field names (after the resource prefix is dropped) whose JSON name is not simply the
# camelCase form.
_FIELD_RENAMES: dict[str, str] = {
    "query": "q",
    "order_by": "sort",
    "statuses": "status",
    "priorities": "priority",
    "categories": "category",
    "breached_only": "breached",
    "assignee_filter": "assignee",
    "name": "caseId",
    "parent": "caseId",
    "request_id": "Idempotency-Key",
    "update_mask": "etag",
    "order_line_id": "lineId",  # refund lines: {lineId, quantity}
    "case": "caseId",
}
_RESOURCE_PREFIXES = ("case.", "refund.", "message.")

# Our own sentences per JSON field; the service's description is not shown (it is for developers).
_FIELD_MESSAGES: dict[str, str] = {
    "subject": "Enter a short subject.",
    "description": "Describe the problem.",
    "orderId": "Choose one of your orders.",
    "orderLineIds": "Choose items from this order.",
    "category": "Choose what the problem is about.",
    "priority": "Choose a priority.",
    "body": "Enter a message.",
    "assigneeId": "Choose a member of the support team.",
    "etag": "Reload and try again.",
    "pageSize": "Enter a page size from 1 to 100.",
    "pageToken": "This list has changed. Start again from the first page.",
    "q": "Shorten the search text.",
    "status": "Choose a status.",
    "assignee": "Choose whose cases to show.",
    "lines": "Choose at least one item.",
    "lines.lineId": "Choose an item of this order.",
    "lines.quantity": "Choose how many to refund: at least 1, and no more than can still be refunded.",
    "reason": "Give a reason.",
    "method": "Choose how the money goes back.",
    "note": "Add a note (at most 2,000 characters).",
    "comment": "Shorten the comment to 2,000 characters at most.",
    "caseId": "Choose one of the cases.",
    "from": "Enter a start time.",
    "to": "Enter an end time after the start.",
    "Idempotency-Key": "Send this request again.",
}

_INDEXED = re.compile(r"^([A-Za-z_]+)((?:\[\d+\])*)$")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def json_field(proto_path: str) -> str:
    """A service's field path as the browser's JSON field: "case.order_id" -> "orderId",
    "refund.lines[0].quantity" -> "lines[0].quantity"."""
    path = proto_path
    for prefix in _RESOURCE_PREFIXES:
        if path.startswith(prefix):
            path = path[len(prefix) :]
            break
    parts = []
    for segment in path.split("."):
        match = _INDEXED.match(segment)
        if match is None:
            parts.append(segment)
            continue
        name, index = match.groups()
        parts.append(_FIELD_RENAMES.get(name, _camel(name)) + index)
    return ".".join(parts)


def field_message(field_name: str) -> str:
    base = re.sub(r"\[\d+\]", "", field_name)
    message: str = _FIELD_MESSAGES.get(base) or _FIELD_MESSAGES.get(base.split(".")[0]) or "Check this value."
    return message


# The resource a request names by its path ("cases/{id}"), per service: a path id the service finds
# malformed names nothing, so it is not found (like the BFF's own path checks say), not a 400 about a
# field the browser never typed.
_PATH_NAME_FIELDS = frozenset({"name", "parent"})
_NOT_FOUND_BY_DOMAIN = {"support.acme": "CASE_NOT_FOUND", "refund.acme": "REFUND_NOT_FOUND"}


def _names_nothing(error: RichError) -> bool:
    return (
        error.code == grpc.StatusCode.INVALID_ARGUMENT
        and bool(error.field_violations)
        and all(v.field in _PATH_NAME_FIELDS for v in error.field_violations)
    )


def from_rich_error(error: RichError) -> ProblemError:
    if _names_nothing(error):
        reason = _NOT_FOUND_BY_DOMAIN.get(error.domain, "NOT_FOUND")
        return ProblemError(
            status=404, reason=reason, detail=_DETAIL_BY_REASON.get(reason, _DETAIL_BY_STATUS[404])
        )
    status = _HTTP_STATUS.get(error.code, 500)
    detail = (
        _DETAIL_BY_DOMAIN_AND_REASON.get((error.domain, error.reason))
        or _DETAIL_BY_REASON.get(error.reason)
        or _DETAIL_BY_STATUS.get(status)
        or _DETAIL_BY_STATUS[500]
    )
    # 5xx: the reason of a failing internal component means nothing to the browser.
    reason = error.reason if error.reason and status < 500 else _default_reason(error.code)
    errors: list[FieldProblem] = []
    seen: set[str] = set()
    for violation in error.field_violations if status == 400 else ():
        name = json_field(violation.field)
        if name not in seen:
            seen.add(name)
            errors.append(FieldProblem(field=name, message=field_message(name)))
    return ProblemError(status=status, reason=reason, detail=detail, errors=errors)


def from_rpc_error(error: grpc.RpcError) -> ProblemError:
    return from_rich_error(RichError.from_rpc_error(error))


def _default_reason(code: grpc.StatusCode) -> str:
    if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED):
        return "SERVICE_UNAVAILABLE"
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return "SERVICE_TIMEOUT"
    if code in _HTTP_STATUS:
        return str(code.name)
    return "INTERNAL"


# --- request validation (FastAPI/pydantic) -> 400 ------------------------------------------------


def _validation_message(error: Mapping[str, Any], field_name: str) -> str:
    kind = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if kind == "missing":
        return "This field is required."
    if kind in ("string_too_long", "too_long"):
        return (
            f"Use at most {ctx.get('max_length', 'fewer')} characters."
            if kind == "string_too_long"
            else ("Choose fewer items.")
        )
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace("'", "")
        return f"Choose one of: {expected}." if expected else "Choose one of the allowed values."
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "Enter a whole number."
    if kind in ("bool_parsing", "bool_type"):
        return "Use true or false."
    if kind in ("string_type", "list_type", "model_type", "dict_type", "model_attributes_type"):
        return "This value has the wrong type."
    return field_message(field_name)


def from_validation_errors(errors: Iterable[Mapping[str, Any]]) -> ProblemError:
    fields: list[FieldProblem] = []
    seen: set[str] = set()
    for error in errors:
        raw_loc = list(error.get("loc", ()))
        where = (
            raw_loc.pop(0) if raw_loc and raw_loc[0] in ("body", "query", "path", "header", "cookie") else ""
        )
        if where == "query":  # ?status=a&status=b: the parameter is "status", whatever its position
            raw_loc = [p for p in raw_loc if not isinstance(p, int)]
        loc = [f"[{p}]" if isinstance(p, int) else str(p) for p in raw_loc]
        if error.get("type") == "json_invalid" or not loc:
            return ProblemError(
                status=400, reason="INVALID_JSON", detail="The request could not be read. Please try again."
            )
        name = ".".join(loc).replace(".[", "[")
        if name not in seen:
            seen.add(name)
            fields.append(FieldProblem(field=name, message=_validation_message(error, name)))
    return ProblemError(status=400, reason="INVALID_ARGUMENT", detail=_DETAIL_BY_STATUS[400], errors=fields)


def http_error(status: int) -> ProblemError:
    """Starlette's own HTTP errors (unknown route, wrong method)."""
    reasons = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "TOO_LARGE", 415: "UNSUPPORTED_MEDIA_TYPE"}
    details = {
        404: _DETAIL_BY_STATUS[404],
        405: "That action is not available here.",
    }
    detail = details.get(status) or _DETAIL_BY_STATUS.get(status) or _DETAIL_BY_STATUS[500]
    return ProblemError(status=status, reason=reasons.get(status, "HTTP_ERROR"), detail=detail)


def internal_error() -> ProblemError:
    return ProblemError(status=500, reason="INTERNAL", detail=_DETAIL_BY_STATUS[500])
