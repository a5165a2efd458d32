"""The error table, the @grpc_errors decorator and the proto mappers."""

from typing import Any

import grpc
import pytest
from acme.support.v1 import case_pb2, case_service_pb2
from google.rpc import error_details_pb2, status_pb2

from kit.errors import FieldViolation, ValidationError
from kit.identity import Identity
from kit.identity import Role as KitRole
from support_svc.domain.case import SupportCase
from support_svc.domain.errors import (
    CaseNotFoundError,
    ConcurrencyConflictError,
    DependencyUnavailableError,
    DomainError,
    FieldProblem,
    InvalidArgumentError,
    InvalidStateTransitionError,
    OpenRefundsError,
    PermissionDeniedError,
    RequestIdReusedError,
)
from support_svc.domain.sla import SlaPolicy
from support_svc.domain.values import Actor, CaseCategory, CasePriority, CaseStatus, EventKind, Role
from support_svc.presentation import mappers
from support_svc.presentation.errors import domain_error_status, grpc_errors, status_code_for
from tests.support_svc.fakes import START


def decode(status: grpc.Status) -> tuple[status_pb2.Status, dict[str, Any]]:
    proto = status_pb2.Status.FromString(dict(status.trailing_metadata)["grpc-status-details-bin"])
    details: dict[str, Any] = {}
    for detail in proto.details:
        for kind in (
            error_details_pb2.ErrorInfo,
            error_details_pb2.BadRequest,
            error_details_pb2.PreconditionFailure,
        ):
            if detail.Is(kind.DESCRIPTOR):
                message = kind()
                detail.Unpack(message)
                details[kind.__name__] = message
    return proto, details


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (InvalidArgumentError([FieldProblem("order_id", "no")]), grpc.StatusCode.INVALID_ARGUMENT),
        (CaseNotFoundError(1), grpc.StatusCode.NOT_FOUND),
        (PermissionDeniedError("no", reason="STAFF_ONLY"), grpc.StatusCode.PERMISSION_DENIED),
        (InvalidStateTransitionError("no", case_id=1), grpc.StatusCode.FAILED_PRECONDITION),
        (OpenRefundsError("no", case_id=1), grpc.StatusCode.FAILED_PRECONDITION),
        (ConcurrencyConflictError(1), grpc.StatusCode.ABORTED),
        (RequestIdReusedError("r"), grpc.StatusCode.ALREADY_EXISTS),
        (DependencyUnavailableError("down"), grpc.StatusCode.UNAVAILABLE),
        (DomainError("what"), grpc.StatusCode.INTERNAL),
    ],
)
def test_each_family_of_domain_errors_has_its_code(error: DomainError, code: grpc.StatusCode) -> None:
    assert status_code_for(error) == code


def test_field_problems_become_bad_request_with_request_paths() -> None:
    error = InvalidArgumentError([FieldProblem("order_id", "There is no order x")], reason="ORDER_NOT_FOUND")
    proto, details = decode(domain_error_status(error, field_prefix="case."))
    assert proto.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert (details["ErrorInfo"].reason, details["ErrorInfo"].domain) == ("ORDER_NOT_FOUND", "support.acme")
    (violation,) = details["BadRequest"].field_violations
    assert (violation.field, violation.description) == ("case.order_id", "There is no order x")


def test_refused_transitions_carry_a_precondition_failure() -> None:
    error = InvalidStateTransitionError("Case C-7 is open: it cannot become resolved", case_id=7)
    _, details = decode(domain_error_status(error))
    (violation,) = details["PreconditionFailure"].violations
    assert (violation.type, violation.subject) == ("STATUS", "cases/7")
    assert details["ErrorInfo"].metadata["case_id"] == "7"


class FakeContext:
    def __init__(self) -> None:
        self.status: grpc.Status | None = None

    async def abort_with_status(self, status: grpc.Status) -> None:
        self.status = status
        raise grpc.aio.AbortError()


class Handlers:
    @grpc_errors()
    async def validation(self, request: object, context: Any) -> str:
        raise ValidationError([FieldViolation("body", "required")])

    @grpc_errors()
    async def crash(self, request: object, context: Any) -> str:
        raise KeyError("secret detail")

    @grpc_errors()
    async def fine(self, request: object, context: Any) -> str:
        return "ok"


async def test_the_decorator_reports_validation_and_hides_surprises() -> None:
    handlers = Handlers()
    assert await handlers.fine(None, FakeContext()) == "ok"
    context = FakeContext()
    with pytest.raises(grpc.aio.AbortError):
        await handlers.validation(None, context)
    assert context.status is not None
    assert context.status.code == grpc.StatusCode.INVALID_ARGUMENT
    context = FakeContext()
    with pytest.raises(grpc.aio.AbortError):
        await handlers.crash(None, context)
    assert context.status is not None
    assert context.status.code == grpc.StatusCode.INTERNAL
    assert "secret" not in context.status.details
    assert decode(context.status)[1]["ErrorInfo"].reason == "INTERNAL"


def test_every_domain_enum_member_maps_to_a_proto_value_and_back() -> None:
    assert len(mappers.STATUS_TO_PROTO) == len(CaseStatus)
    assert len(mappers.EVENT_KIND_TO_PROTO) == len(EventKind)
    assert (
        mappers.STATUS_FROM_PROTO[case_pb2.CASE_STATUS_WAITING_ON_CUSTOMER] is CaseStatus.WAITING_ON_CUSTOMER
    )
    assert mappers.PRIORITY_FROM_PROTO[case_pb2.CASE_PRIORITY_URGENT] is CasePriority.URGENT
    assert (
        mappers.CATEGORY_FROM_PROTO[case_pb2.CASE_CATEGORY_REFUND_OR_RETURN] is CaseCategory.REFUND_OR_RETURN
    )
    assert mappers.ROLE_TO_PROTO[Role.SYSTEM] == case_pb2.ACTOR_ROLE_SYSTEM


def test_identities_become_actors() -> None:
    assert mappers.actor_from_identity(Identity("agt_2002", KitRole.LEAD)) == Actor("agt_2002", Role.LEAD)


def test_a_list_request_with_only_an_assignee_id_means_that_assignee() -> None:
    query = mappers.list_cases_query(
        case_service_pb2.ListCasesRequest(assignee_id="agt_2003", page_size=500, query="  kettle "),
        Actor("agt_2001", Role.AGENT),
    )
    assert (query.filter.assignee.value, query.filter.assignee_id) == ("SOMEONE", "agt_2003")
    assert (query.page_size, query.filter.text) == (100, "kettle")


def test_a_case_maps_with_names_times_and_breach() -> None:
    case = SupportCase.open(
        case_id=10001,
        customer_id="cus_1001",
        order_id="ord_1001",
        order_line_ids=("ln_1",),
        category=CaseCategory.OTHER,
        subject="Subject",
        description="Description",
        priority=CasePriority.NORMAL,
        opened_by=Actor("cus_1001", Role.CUSTOMER),
        now=START,
        sla_policy=SlaPolicy.default(),
    )
    case.version = 3
    proto = mappers.case_to_proto(case, START)
    assert (proto.name, proto.case_number, proto.etag) == ("cases/10001", "C-10001", "3")
    assert (proto.previous_case, list(proto.order_line_ids)) == ("", ["ln_1"])
    assert proto.create_time.ToDatetime().replace(tzinfo=START.tzinfo) == START
    assert not proto.HasField("first_response_time")
    assert not proto.sla_breached
    assert mappers.case_to_proto(case, START.replace(year=2027)).sla_breached
