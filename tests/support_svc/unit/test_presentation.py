"""The error table, the @grpc_errors decorator and the proto mappers."""

from collections.abc import AsyncGenerator
from dataclasses import replace
from datetime import UTC, timedelta
from typing import Any

import grpc
import pytest
from acme.support.v1 import (
    case_pb2,
    case_service_pb2,
    case_service_pb2_grpc,
    refund_event_service_pb2,
    refund_event_service_pb2_grpc,
)
from google.protobuf.timestamp_pb2 import Timestamp
from google.rpc import error_details_pb2, status_pb2

from kit.errors import FieldViolation, ValidationError
from kit.identity import Identity
from kit.identity import Role as KitRole
from support_svc.application.queries import CasesNotice, CaseStatistics, StatisticsPeriod, WatchNotice
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
    TooManyWatchersError,
    WatchLaggingError,
)
from support_svc.domain.refunds import RefundEventKind
from support_svc.domain.sla import SlaPolicy
from support_svc.domain.values import Actor, CaseCategory, CasePriority, CaseStatus, EventKind, Role
from support_svc.presentation import mappers
from support_svc.presentation.errors import (
    domain_error_status,
    grpc_errors,
    grpc_stream_errors,
    status_code_for,
)
from support_svc.presentation.refund_event_servicer import RefundEventServicer
from support_svc.presentation.servicer import CaseServicer
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
    assert proto.previous_case_number == ""
    case.previous_case_id = 10000
    follow_up = mappers.case_to_proto(case, START)
    assert (follow_up.previous_case, follow_up.previous_case_number) == ("cases/10000", "C-10000")


def test_a_refused_resolve_names_each_open_refund() -> None:
    error = OpenRefundsError(
        "Case C-7 has 2 refund(s) still open",
        case_id=7,
        subjects=[("refunds/rf_1", "Refund R-1 is still open"), ("refunds/rf_2", "Refund R-2 is still open")],
    )
    proto, details = decode(domain_error_status(error))
    assert proto.code == grpc.StatusCode.FAILED_PRECONDITION.value[0]
    assert details["ErrorInfo"].reason == "REFUNDS_OPEN"
    assert [(v.type, v.subject) for v in details["PreconditionFailure"].violations] == [
        ("REFUNDS", "refunds/rf_1"),
        ("REFUNDS", "refunds/rf_2"),
    ]


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (TooManyWatchersError(10), grpc.StatusCode.RESOURCE_EXHAUSTED),
        (WatchLaggingError(7), grpc.StatusCode.ABORTED),
        (WatchLaggingError(None), grpc.StatusCode.ABORTED),
    ],
)
def test_watch_errors_have_their_codes(error: DomainError, code: grpc.StatusCode) -> None:
    assert status_code_for(error) == code


def test_a_lagging_watch_of_every_case_names_no_case() -> None:
    proto, details = decode(domain_error_status(WatchLaggingError(None)))
    assert proto.code == grpc.StatusCode.ABORTED.value[0]
    assert (details["ErrorInfo"].reason, dict(details["ErrorInfo"].metadata)) == ("WATCH_LAGGING", {})
    one_case = decode(domain_error_status(WatchLaggingError(7)))[1]["ErrorInfo"]
    assert dict(one_case.metadata) == {"case_id": "7"}


class Streams:
    @grpc_stream_errors
    async def fine(self, request: object, context: Any) -> AsyncGenerator[int]:
        for n in range(3):
            yield n

    @grpc_stream_errors
    async def not_found_first(self, request: object, context: Any) -> AsyncGenerator[int]:
        raise CaseNotFoundError(7)
        yield 0  # pragma: no cover  (makes this a generator)

    @grpc_stream_errors
    async def crash_midway(self, request: object, context: Any) -> AsyncGenerator[int]:
        yield 1
        raise KeyError("secret detail")


async def test_the_stream_decorator_passes_items_and_turns_errors_into_statuses() -> None:
    streams = Streams()
    assert [n async for n in streams.fine(None, FakeContext())] == [0, 1, 2]
    context = FakeContext()
    with pytest.raises(grpc.aio.AbortError):
        [n async for n in streams.not_found_first(None, context)]
    assert context.status is not None
    assert context.status.code == grpc.StatusCode.NOT_FOUND
    context = FakeContext()
    stream = streams.crash_midway(None, context)
    assert await anext(stream) == 1
    with pytest.raises(grpc.aio.AbortError):
        await anext(stream)
    assert context.status is not None
    assert context.status.code == grpc.StatusCode.INTERNAL
    assert "secret" not in context.status.details


def test_a_refund_event_request_maps_to_a_command() -> None:
    occurred = Timestamp(seconds=1_780_000_000, nanos=123_456_000)
    request = refund_event_service_pb2.RecordRefundEventRequest(
        parent="cases/10001",
        event_id="0b0c9d0e-1111-4222-8333-444455556666",
        refund="refunds/rf_1",
        refund_number="R-2001",
        kind=refund_event_service_pb2.REFUND_EVENT_KIND_REJECTED,
        amount_minor=3508,
        currency_code="EUR",
        actor_id="agt_2002",
        note="Outside the window",
        occur_time=occurred,
        refund_open=False,
        sequence=2,
        actor_role=case_pb2.ACTOR_ROLE_LEAD,
    )
    command = mappers.record_refund_event_command(request, Actor("refund_svc", Role.SYSTEM))
    event = command.event
    assert command.case_id == 10001
    assert (event.refund_id, event.kind, event.actor_role, event.sequence) == (
        "rf_1",
        RefundEventKind.REJECTED,
        Role.LEAD,
        2,
    )
    assert event.occurred_at == occurred.ToDatetime(tzinfo=UTC)
    assert event.occurred_at.microsecond == 123_456
    unspecified = mappers.record_refund_event_command(
        refund_event_service_pb2.RecordRefundEventRequest(
            parent="cases/1", refund="refunds/x", kind=refund_event_service_pb2.REFUND_EVENT_KIND_REQUESTED
        ),
        Actor("refund_svc", Role.SYSTEM),
    )
    assert unspecified.event.actor_role is None
    assert len(mappers.REFUND_EVENT_KIND_FROM_PROTO) == len(RefundEventKind)


def test_statistics_map_with_every_open_status_and_a_duration() -> None:
    period = StatisticsPeriod(START, START + timedelta(days=7))
    stats = CaseStatistics(
        period=period,
        computed_at=START + timedelta(days=8),
        open_by_status={CaseStatus.OPEN: 3, CaseStatus.IN_PROGRESS: 0, CaseStatus.WAITING_ON_CUSTOMER: 1},
        breached_open=1,
        breached_in_period=2,
        opened_in_period=9,
        resolved_in_period=4,
        answered_in_period=6,
        median_first_response=timedelta(minutes=95, milliseconds=500),
    )
    proto = mappers.statistics_to_proto(stats)
    assert [(c.status, c.count) for c in proto.open_cases_by_status] == [
        (case_pb2.CASE_STATUS_OPEN, 3),
        (case_pb2.CASE_STATUS_IN_PROGRESS, 0),
        (case_pb2.CASE_STATUS_WAITING_ON_CUSTOMER, 1),
    ]
    assert proto.median_first_response_duration.ToTimedelta() == timedelta(minutes=95, milliseconds=500)
    assert (proto.opened_in_period, proto.resolved_in_period, proto.answered_in_period) == (9, 4, 6)
    assert proto.period_end_time.ToDatetime(tzinfo=UTC) == period.end
    unanswered = mappers.statistics_to_proto(replace(stats, median_first_response=None))
    assert not unanswered.HasField("median_first_response_duration")


def test_a_watch_notice_carries_only_the_etag_and_kinds() -> None:
    proto = mappers.watch_notice_to_proto(WatchNotice(5, (EventKind.MESSAGE_ADDED,), internal=False))
    assert (proto.etag, list(proto.kinds), proto.internal, proto.initial) == (
        "5",
        [case_pb2.CASE_EVENT_KIND_MESSAGE_ADDED],
        False,
        False,
    )
    assert mappers.watch_notice_to_proto(WatchNotice(1, initial=True)).initial


def test_a_notice_of_every_case_carries_only_the_name_etag_and_customer() -> None:
    proto = mappers.cases_notice_to_proto(CasesNotice(10042, 7, "cus_1001"))
    assert (proto.name, proto.etag, proto.customer_id) == ("cases/10042", "7", "cus_1001")
    assert not proto.initial
    assert proto.etag == mappers.etag_of(7)  # as GetCase and WatchCase give it
    first = mappers.cases_notice_to_proto(CasesNotice(initial=True))
    assert (first.name, first.etag, first.customer_id, first.initial) == ("", "", "", True)


@pytest.mark.parametrize(
    ("descriptor", "servicer", "generated"),
    [
        (
            case_service_pb2.DESCRIPTOR.services_by_name["CaseService"],
            CaseServicer,
            case_service_pb2_grpc.CaseServiceServicer,
        ),
        (
            refund_event_service_pb2.DESCRIPTOR.services_by_name["RefundEventService"],
            RefundEventServicer,
            refund_event_service_pb2_grpc.RefundEventServiceServicer,
        ),
    ],
    ids=["CaseService", "RefundEventService"],
)
def test_every_rpc_of_the_protos_is_implemented(descriptor: Any, servicer: type, generated: type) -> None:
    """None is left to the generated base class, which answers UNIMPLEMENTED."""
    methods = [method.name for method in descriptor.methods]
    unimplemented = [name for name in methods if getattr(servicer, name) is getattr(generated, name)]
    assert unimplemented == []
