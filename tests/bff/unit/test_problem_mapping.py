"""Service errors and validation errors become problem+json with readable text and camelCase fields."""

from __future__ import annotations

import grpc
import pytest

from bff.problems import from_rich_error, from_validation_errors, json_field
from kit.errors import FieldViolation, RichError


@pytest.mark.parametrize(
    ("proto_field", "json_name"),
    [
        ("case.subject", "subject"),
        ("case.order_id", "orderId"),
        ("case.order_line_ids[1]", "orderLineIds[1]"),
        ("refund.lines[0].quantity", "lines[0].quantity"),
        ("refund.lines[2].order_line_id", "lines[2].lineId"),
        ("refund.note", "note"),
        ("case", "caseId"),
        ("body", "body"),
        ("assignee_id", "assigneeId"),
        ("page_size", "pageSize"),
        ("page_token", "pageToken"),
        ("query", "q"),
        ("order_by", "sort"),
        ("statuses", "status"),
        ("breached_only", "breached"),
        ("name", "caseId"),
        ("parent", "caseId"),
        ("request_id", "Idempotency-Key"),
    ],
)
def test_service_field_paths_become_the_requests_json_names(proto_field: str, json_name: str) -> None:
    assert json_field(proto_field) == json_name


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (grpc.StatusCode.INVALID_ARGUMENT, 400),
        (grpc.StatusCode.NOT_FOUND, 404),
        (grpc.StatusCode.ALREADY_EXISTS, 409),
        (grpc.StatusCode.ABORTED, 409),
        (grpc.StatusCode.FAILED_PRECONDITION, 412),
        (grpc.StatusCode.PERMISSION_DENIED, 403),
        (grpc.StatusCode.UNAUTHENTICATED, 401),
        (grpc.StatusCode.UNAVAILABLE, 503),
        (grpc.StatusCode.DEADLINE_EXCEEDED, 504),
        (grpc.StatusCode.INTERNAL, 500),
        (grpc.StatusCode.UNKNOWN, 500),
        (grpc.StatusCode.DATA_LOSS, 500),
    ],
)
def test_grpc_codes_map_to_http_statuses(code: grpc.StatusCode, status: int) -> None:
    secret_text = "sqlite3.OperationalError: database is locked at /srv/x.db"
    problem = from_rich_error(RichError(code=code, message=secret_text, reason="SOME_REASON"))

    assert problem.status == status
    assert problem.detail.endswith(".")
    assert "sqlite" not in problem.detail
    assert secret_text not in problem.to_problem().model_dump_json()


def test_invalid_argument_names_fields_in_camel_case_with_our_own_sentences() -> None:
    error = RichError(
        code=grpc.StatusCode.INVALID_ARGUMENT,
        message="case.subject: must not be empty",
        reason="INVALID_ARGUMENT",
        field_violations=(
            FieldViolation("case.subject", "must not be empty"),
            FieldViolation("case.order_id", "is not one of the caller's orders"),
        ),
    )

    problem = from_rich_error(error).to_problem()

    assert problem.status == 400
    assert problem.reason == "INVALID_ARGUMENT"
    assert problem.errors is not None
    assert [e.field for e in problem.errors] == ["subject", "orderId"]
    assert all("caller" not in e.message and "must not" not in e.message for e in problem.errors)


def test_the_reason_is_kept_for_client_errors_but_not_for_server_errors() -> None:
    stale = from_rich_error(RichError(code=grpc.StatusCode.ABORTED, message="etag", reason="STALE_ETAG"))
    broken = from_rich_error(RichError(code=grpc.StatusCode.INTERNAL, message="x", reason="DB_LOCKED"))
    down = from_rich_error(RichError(code=grpc.StatusCode.UNAVAILABLE, message="connect failed"))

    assert stale.reason == "STALE_ETAG"
    assert "Reload" in stale.detail
    assert broken.reason == "INTERNAL"
    assert down.reason == "SERVICE_UNAVAILABLE"


def test_a_known_reason_gets_its_own_sentence() -> None:
    problem = from_rich_error(
        RichError(code=grpc.StatusCode.FAILED_PRECONDITION, message="open refunds", reason="REFUNDS_OPEN")
    )

    assert problem.status == 412
    assert "refund" in problem.detail


def test_validation_errors_name_the_json_field_without_the_location() -> None:
    problem = from_validation_errors(
        [
            {"type": "missing", "loc": ("body", "subject"), "msg": "Field required"},
            {"type": "int_parsing", "loc": ("query", "pageSize"), "msg": "..."},
            {
                "type": "string_too_long",
                "loc": ("body", "orderLineIds", 3),
                "msg": "...",
                "ctx": {"max_length": 9},
            },
        ]
    )

    assert problem.status == 400
    assert [(e.field, e.message) for e in problem.errors] == [
        ("subject", "This field is required."),
        ("pageSize", "Enter a whole number."),
        ("orderLineIds[3]", "Use at most 9 characters."),
    ]


def test_a_body_that_is_not_json_is_one_problem_without_fields() -> None:
    problem = from_validation_errors([{"type": "json_invalid", "loc": ("body", 7), "msg": "..."}])

    assert problem.status == 400
    assert problem.reason == "INVALID_JSON"
    assert problem.to_problem().errors is None


def test_a_repeated_query_parameter_is_named_without_its_position() -> None:
    problem = from_validation_errors([{"type": "literal_error", "loc": ("query", "status", 1), "msg": "..."}])

    assert [e.field for e in problem.errors] == ["status"]


def test_a_malformed_path_id_is_not_found_not_a_field_to_fix() -> None:
    malformed_case = RichError(
        code=grpc.StatusCode.INVALID_ARGUMENT,
        message="name must look like cases/10001",
        reason="INVALID_ARGUMENT",
        domain="support.acme",
        field_violations=(FieldViolation("name", "must look like cases/10001"),),
    )
    with_a_real_field = RichError(
        code=grpc.StatusCode.INVALID_ARGUMENT,
        message="...",
        reason="INVALID_ARGUMENT",
        domain="support.acme",
        field_violations=(FieldViolation("name", "..."), FieldViolation("body", "must not be empty")),
    )

    problem = from_rich_error(malformed_case)

    assert (problem.status, problem.reason, problem.detail) == (
        404,
        "CASE_NOT_FOUND",
        "We could not find that case.",
    )
    assert from_rich_error(with_a_real_field).status == 400


@pytest.mark.parametrize(
    ("reason", "domain", "status", "words"),
    [
        ("SELF_APPROVAL_FORBIDDEN", "refund.acme", grpc.StatusCode.PERMISSION_DENIED, "someone else"),
        ("LEAD_APPROVAL_REQUIRED", "refund.acme", grpc.StatusCode.PERMISSION_DENIED, "team lead"),
        ("NOT_REFUND_OWNER", "refund.acme", grpc.StatusCode.PERMISSION_DENIED, "customer who receives"),
        ("STAFF_ONLY", "refund.acme", grpc.StatusCode.PERMISSION_DENIED, "support team"),
        ("VERSION_CONFLICT", "refund.acme", grpc.StatusCode.ABORTED, "Reload"),
        (
            "INVALID_STATE_TRANSITION",
            "refund.acme",
            grpc.StatusCode.FAILED_PRECONDITION,
            "refund's current status",
        ),
        (
            "INVALID_STATE_TRANSITION",
            "support.acme",
            grpc.StatusCode.FAILED_PRECONDITION,
            "case's current status",
        ),
        ("NO_LONGER_REFUNDABLE", "refund.acme", grpc.StatusCode.FAILED_PRECONDITION, "another request"),
        ("QUANTITY_NOT_REFUNDABLE", "refund.acme", grpc.StatusCode.INVALID_ARGUMENT, "more items"),
        ("REFUND_WINDOW_CLOSED", "refund.acme", grpc.StatusCode.FAILED_PRECONDITION, "refund on this order"),
        ("NOTE_REQUIRED", "refund.acme", grpc.StatusCode.INVALID_ARGUMENT, "add a note"),
    ],
)
def test_refund_reasons_become_sentences_a_person_can_act_on(
    reason: str, domain: str, status: grpc.StatusCode, words: str
) -> None:
    problem = from_rich_error(RichError(code=status, message="internal text", reason=reason, domain=domain))

    assert problem.reason == reason
    assert words in problem.detail
    assert "internal text" not in problem.detail
