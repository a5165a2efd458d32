"""The one translation point between protobuf messages and the application's types."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from acme.support.v1 import case_pb2, case_service_pb2, refund_event_service_pb2
from google.protobuf.duration_pb2 import Duration
from google.protobuf.internal.enum_type_wrapper import EnumTypeWrapper
from google.protobuf.timestamp_pb2 import Timestamp

from kit.identity import Identity
from kit.pagination import page_size
from kit.timestamps import epoch_ms, set_datetime, set_ms, to_timestamp
from support_svc.application.commands import AddMessage, ChangeCase, OpenCase, UpdateCase
from support_svc.application.queries import (
    UNRESOLVED_STATUSES,
    AssigneeScope,
    CaseFilter,
    CaseOrder,
    CasesNotice,
    CaseStatistics,
    CaseSummary,
    ListCases,
    StatisticsPeriod,
    WatchNotice,
)
from support_svc.application.refund_events import RecordRefundEvent
from support_svc.domain.case import CaseEvent, CaseMessage, SupportCase, case_number
from support_svc.domain.refunds import RefundEvent, RefundEventKind
from support_svc.domain.values import Actor, CaseCategory, CasePriority, CaseStatus, EventKind, Role
from support_svc.presentation.validation import parse_case_name, parse_refund_name


def _enum_map[E: StrEnum](members: type[E], prefix: str, proto_enum: EnumTypeWrapper) -> dict[E, Any]:
    """Domain enum -> proto enum value, by name (CaseStatus.OPEN -> CASE_STATUS_OPEN).

    Any: each proto enum has its own ValueType; a name missing on either side fails at import.
    """
    return {member: proto_enum.Value(f"{prefix}{member.value}") for member in members}


STATUS_TO_PROTO = _enum_map(CaseStatus, "CASE_STATUS_", case_pb2.CaseStatus)
PRIORITY_TO_PROTO = _enum_map(CasePriority, "CASE_PRIORITY_", case_pb2.CasePriority)
CATEGORY_TO_PROTO = _enum_map(CaseCategory, "CASE_CATEGORY_", case_pb2.CaseCategory)
ROLE_TO_PROTO = _enum_map(Role, "ACTOR_ROLE_", case_pb2.ActorRole)
EVENT_KIND_TO_PROTO = _enum_map(EventKind, "CASE_EVENT_KIND_", case_pb2.CaseEventKind)
REFUND_EVENT_KIND_FROM_PROTO = {
    number: member
    for member, number in _enum_map(
        RefundEventKind, "REFUND_EVENT_KIND_", refund_event_service_pb2.RefundEventKind
    ).items()
}
ROLE_FROM_PROTO = {number: member for member, number in ROLE_TO_PROTO.items()}
STATUS_FROM_PROTO = {number: member for member, number in STATUS_TO_PROTO.items()}
PRIORITY_FROM_PROTO = {number: member for member, number in PRIORITY_TO_PROTO.items()}
CATEGORY_FROM_PROTO = {number: member for member, number in CATEGORY_TO_PROTO.items()}
ASSIGNEE_FROM_PROTO = {
    case_service_pb2.ASSIGNEE_FILTER_UNSPECIFIED: AssigneeScope.ANY,
    case_service_pb2.ASSIGNEE_FILTER_MINE: AssigneeScope.MINE,
    case_service_pb2.ASSIGNEE_FILTER_UNASSIGNED: AssigneeScope.UNASSIGNED,
    case_service_pb2.ASSIGNEE_FILTER_SOMEONE: AssigneeScope.SOMEONE,
}
ORDER_FROM_PROTO = {
    case_service_pb2.CASE_ORDER_UNSPECIFIED: CaseOrder.NEWEST,
    case_service_pb2.CASE_ORDER_NEWEST: CaseOrder.NEWEST,
    case_service_pb2.CASE_ORDER_OLDEST: CaseOrder.OLDEST,
    case_service_pb2.CASE_ORDER_DUE: CaseOrder.DUE,
}


class _NameAndEtag(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def etag(self) -> str: ...


def actor_from_identity(identity: Identity) -> Actor:
    return Actor(identity.subject, Role(identity.role.value.upper()))


def case_name(case_id: int) -> str:
    return f"cases/{case_id}"


def etag_of(version: int) -> str:
    return str(version)


def version_from_etag(etag: str) -> int:
    return int(etag)


def _timestamp(moment: datetime | None) -> Timestamp | None:
    if moment is None:
        return None
    return to_timestamp(moment)


# --- domain -> proto ----------------------------------------------------------------------------


def case_to_proto(case: SupportCase, now: datetime) -> case_pb2.Case:
    """One mapping for every Case the service sends: an aggregate goes through its list summary."""
    return summary_to_proto(CaseSummary.of(case), epoch_ms(now))


def summary_to_proto(case: CaseSummary, now_ms: int) -> case_pb2.Case:
    """A Case from a list's summary: stored milliseconds set straight into the message's Timestamps
    (a Timestamp passed to a constructor is copied). A listed case and the same case read alone
    are the same Case (tests/support_svc/integration/test_sqlite.py)."""
    previous = case.previous_case_id
    proto = case_pb2.Case(
        name=case_name(case.id),
        case_number=case_number(case.id),
        customer_id=case.customer_id,
        order_id=case.order_id,
        order_line_ids=case.order_line_ids,
        category=CATEGORY_TO_PROTO[case.category],
        subject=case.subject,
        description=case.description,
        priority=PRIORITY_TO_PROTO[case.priority],
        status=STATUS_TO_PROTO[case.status],
        assignee_id=case.assignee_id or "",
        sla_breached=case.is_breached(now_ms),
        etag=etag_of(case.version),
        previous_case=case_name(previous) if previous else "",
        previous_case_number=case_number(previous) if previous else "",
        open_refund_count=case.open_refund_count,
    )
    set_ms(proto.create_time, case.created_ms)
    set_ms(proto.update_time, case.updated_ms)
    set_ms(proto.first_response_due_time, case.first_response_due_ms)
    set_ms(proto.resolution_due_time, case.resolution_due_ms)
    if case.first_response_ms is not None:
        set_ms(proto.first_response_time, case.first_response_ms)
    if case.resolved_ms is not None:
        set_ms(proto.resolve_time, case.resolved_ms)
    return proto


def message_to_proto(message: CaseMessage) -> case_pb2.CaseMessage:
    proto = case_pb2.CaseMessage(
        name=f"{case_name(message.case_id)}/messages/{message.id}",
        author_id=message.author.id,
        author_role=ROLE_TO_PROTO[message.author.role],
        body=message.body,
        internal=message.internal,
    )
    set_datetime(proto.create_time, message.created_at)
    return proto


def event_to_proto(event: CaseEvent) -> case_pb2.CaseEvent:
    proto = case_pb2.CaseEvent(
        name=f"{case_name(event.case_id)}/events/{event.id}",
        kind=EVENT_KIND_TO_PROTO[event.kind],
        actor_id=event.actor.id,
        actor_role=ROLE_TO_PROTO[event.actor.role],
        summary=event.summary,
        details=event.details,
        internal=event.internal,
    )
    set_datetime(proto.create_time, event.created_at)
    return proto


# --- proto -> application (requests already validated) -----------------------------------------


def open_case_command(request: case_service_pb2.CreateCaseRequest, actor: Actor) -> OpenCase:
    case = request.case
    return OpenCase(
        actor=actor,
        order_id=case.order_id,
        order_line_ids=tuple(case.order_line_ids),
        category=CATEGORY_FROM_PROTO[case.category],
        subject=case.subject,
        description=case.description,
        priority=PRIORITY_FROM_PROTO.get(case.priority),
        request_id=request.request_id or None,
    )


def update_case_command(request: case_service_pb2.UpdateCaseRequest, actor: Actor) -> UpdateCase:
    paths = set(request.update_mask.paths)
    return UpdateCase(
        actor=actor,
        case_id=parse_case_name(request.case.name),
        expected_version=version_from_etag(request.case.etag),
        priority=PRIORITY_FROM_PROTO[request.case.priority] if "priority" in paths else None,
        category=CATEGORY_FROM_PROTO[request.case.category] if "category" in paths else None,
    )


def case_change[C: ChangeCase](kind: type[C], request: _NameAndEtag, actor: Actor) -> C:
    """A change that carries nothing but the case's name and etag (resolve, close, reopen)."""
    return kind(
        actor=actor, case_id=parse_case_name(request.name), expected_version=version_from_etag(request.etag)
    )


def add_message_command(request: case_service_pb2.AddCaseMessageRequest, actor: Actor) -> AddMessage:
    return AddMessage(
        actor=actor,
        case_id=parse_case_name(request.parent),
        body=request.body,
        internal=request.internal,
        request_id=request.request_id or None,
    )


def list_cases_query(request: case_service_pb2.ListCasesRequest, actor: Actor) -> ListCases:
    assignee = ASSIGNEE_FROM_PROTO[request.assignee_filter]
    if assignee is AssigneeScope.ANY and request.assignee_id:
        assignee = AssigneeScope.SOMEONE
    return ListCases(
        actor=actor,
        filter=CaseFilter(
            statuses=frozenset(STATUS_FROM_PROTO[s] for s in request.statuses),
            priorities=frozenset(PRIORITY_FROM_PROTO[p] for p in request.priorities),
            categories=frozenset(CATEGORY_FROM_PROTO[c] for c in request.categories),
            assignee=assignee,
            assignee_id=request.assignee_id or None,
            breached_only=request.breached_only,
            customer_id=request.customer_id or None,
            order_id=request.order_id or None,
            text=request.query.strip(),
            order=ORDER_FROM_PROTO[request.order_by],
        ),
        page_size=page_size(request.page_size),
        page_token=request.page_token,
    )


def record_refund_event_command(
    request: refund_event_service_pb2.RecordRefundEventRequest, actor: Actor
) -> RecordRefundEvent:
    return RecordRefundEvent(
        actor=actor,
        case_id=parse_case_name(request.parent),
        event=RefundEvent(
            event_id=request.event_id,
            refund_id=parse_refund_name(request.refund),
            refund_number=request.refund_number,
            kind=REFUND_EVENT_KIND_FROM_PROTO[request.kind],
            amount_minor=request.amount_minor,
            currency_code=request.currency_code,
            actor_id=request.actor_id,
            actor_role=ROLE_FROM_PROTO.get(request.actor_role),
            note=request.note,
            occurred_at=request.occur_time.ToDatetime(tzinfo=UTC),
            refund_open=request.refund_open,
            sequence=request.sequence,
        ),
    )


def statistics_period(request: case_service_pb2.GetCaseStatisticsRequest) -> StatisticsPeriod:
    return StatisticsPeriod(
        request.period_start_time.ToDatetime(tzinfo=UTC), request.period_end_time.ToDatetime(tzinfo=UTC)
    )


def statistics_to_proto(stats: CaseStatistics) -> case_service_pb2.GetCaseStatisticsResponse:
    median: Duration | None = None
    if stats.median_first_response is not None:
        median = Duration()
        median.FromTimedelta(stats.median_first_response)
    return case_service_pb2.GetCaseStatisticsResponse(
        open_cases_by_status=[
            case_service_pb2.CaseStatusCount(
                status=STATUS_TO_PROTO[status], count=stats.open_by_status[status]
            )
            for status in UNRESOLVED_STATUSES
        ],
        breached_open_cases=stats.breached_open,
        breached_in_period=stats.breached_in_period,
        opened_in_period=stats.opened_in_period,
        resolved_in_period=stats.resolved_in_period,
        answered_in_period=stats.answered_in_period,
        median_first_response_duration=median,
        period_start_time=_timestamp(stats.period.start),
        period_end_time=_timestamp(stats.period.end),
        compute_time=_timestamp(stats.computed_at),
    )


def watch_notice_to_proto(notice: WatchNotice) -> case_service_pb2.WatchCaseResponse:
    return case_service_pb2.WatchCaseResponse(
        etag=etag_of(notice.version),
        kinds=[EVENT_KIND_TO_PROTO[kind] for kind in notice.kinds],
        internal=notice.internal,
        initial=notice.initial,
    )


def cases_notice_to_proto(notice: CasesNotice) -> case_service_pb2.WatchCasesResponse:
    """WatchCases' message: the case's name and etag (as GetCase gives them) and its customer; all
    empty on the first message, which only says the stream is live."""
    if notice.initial:
        return case_service_pb2.WatchCasesResponse(initial=True)
    return case_service_pb2.WatchCasesResponse(
        name=case_name(notice.case_id), etag=etag_of(notice.version), customer_id=notice.customer_id
    )


def record_refund_event_commands(
    request: refund_event_service_pb2.BatchRecordRefundEventsRequest, actor: Actor
) -> list[RecordRefundEvent]:
    """BatchRecordRefundEvents' events, in the order given, each mapped as RecordRefundEvent's."""
    return [record_refund_event_command(item, actor) for item in request.requests]
