"""support_svc over gRPC: its RefundEventService, where the outbox relay delivers refund events,
and its CaseService, asked which customer and order a case belongs to before a refund is created.

Calls carry a SYSTEM identity token (subject "refund_svc"). For events, gRPC codes are sorted into
what the relay needs to know: support is unreachable for everything (stop and back off), this event
(or batch) failed for now (retry it), or this event (or an event of the batch) is refused for good.
A batch answered UNIMPLEMENTED comes from a support_svc that does not know BatchRecordRefundEvents
yet (a rolling deploy): the relay sends one event at a time instead.
"""

from __future__ import annotations

from collections.abc import Sequence

import grpc
from acme.support.v1 import (
    case_pb2,
    case_service_pb2,
    case_service_pb2_grpc,
    refund_event_service_pb2,
    refund_event_service_pb2_grpc,
)
from cachetools import LRUCache

from kit import tracing
from kit.context import REQUEST_ID_HEADER, request_id_var
from kit.identity import Identity, Role, TokenIssuer
from kit.timestamps import to_timestamp
from refund_svc.application.ports import (
    EVENTS_PER_BATCH_MAX,
    BatchesUnsupportedError,
    CasePort,
    CaseRef,
    EventDeliveryError,
    EventRejectedError,
    SupportPort,
    SupportUnavailableError,
)
from refund_svc.domain.actor import ActorRole
from refund_svc.domain.errors import CasesUnavailableError
from refund_svc.domain.events import RefundEvent, RefundEventKind

IDENTITY = Identity("refund_svc", Role.SYSTEM)

_KINDS = {
    RefundEventKind.REQUESTED: refund_event_service_pb2.REFUND_EVENT_KIND_REQUESTED,
    RefundEventKind.APPROVED: refund_event_service_pb2.REFUND_EVENT_KIND_APPROVED,
    RefundEventKind.REJECTED: refund_event_service_pb2.REFUND_EVENT_KIND_REJECTED,
    RefundEventKind.CANCELLED: refund_event_service_pb2.REFUND_EVENT_KIND_CANCELLED,
    RefundEventKind.PROCESSING: refund_event_service_pb2.REFUND_EVENT_KIND_PROCESSING,
    RefundEventKind.REFUNDED: refund_event_service_pb2.REFUND_EVENT_KIND_REFUNDED,
    RefundEventKind.FAILED: refund_event_service_pb2.REFUND_EVENT_KIND_FAILED,
}

_ROLES = {
    ActorRole.CUSTOMER: case_pb2.ACTOR_ROLE_CUSTOMER,
    ActorRole.AGENT: case_pb2.ACTOR_ROLE_AGENT,
    ActorRole.LEAD: case_pb2.ACTOR_ROLE_LEAD,
    ActorRole.SYSTEM: case_pb2.ACTOR_ROLE_SYSTEM,
}

# Support will never record this event: retrying cannot help.
_REFUSED = {grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT}
# Nothing can be delivered now (down, overloaded, not deployed yet, or our token is not accepted).
_RECEIVER_DOWN = {
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
    grpc.StatusCode.UNIMPLEMENTED,
    grpc.StatusCode.UNAUTHENTICATED,
    grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.CANCELLED,
}

# Reconnect soon after support comes back (gRPC's default backoff grows to two minutes).
_CHANNEL_OPTIONS = (
    ("grpc.initial_reconnect_backoff_ms", 200),
    ("grpc.min_reconnect_backoff_ms", 200),
    ("grpc.max_reconnect_backoff_ms", 2000),
)


def event_to_proto(event: RefundEvent) -> refund_event_service_pb2.RecordRefundEventRequest:
    occurred = to_timestamp(event.occurred_at)
    return refund_event_service_pb2.RecordRefundEventRequest(
        parent=event.case_name,
        event_id=event.event_id,
        refund=f"refunds/{event.refund_id}",
        refund_number=event.refund_number,
        kind=_KINDS[event.kind],
        amount_minor=event.amount.amount_minor,
        currency_code=event.amount.currency_code,
        actor_id=event.actor_id,
        actor_role=_ROLES[event.actor_role],
        note=event.note,
        occur_time=occurred,
        refund_open=event.refund_open,
        sequence=event.sequence,
    )


class GrpcSupportGateway(SupportPort, CasePort):
    """One channel to support_svc for both ports. Cases found are remembered (up to
    `cache_size`): a case never changes its customer or order, so the answer cannot go stale."""

    def __init__(
        self, address: str, *, identity_secret: str, deadline_s: float = 2.0, cache_size: int = 10_000
    ) -> None:
        self._address = address
        self._tokens = TokenIssuer(identity_secret)
        self._deadline_s = deadline_s
        self._channel: grpc.aio.Channel | None = None
        self._stub: refund_event_service_pb2_grpc.RefundEventServiceStub | None = None
        self._cases: case_service_pb2_grpc.CaseServiceStub | None = None
        self._known: LRUCache[str, CaseRef] = LRUCache(cache_size)

    async def open(self) -> None:
        self._channel = grpc.aio.insecure_channel(self._address, options=_CHANNEL_OPTIONS)
        self._stub = refund_event_service_pb2_grpc.RefundEventServiceStub(self._channel)
        self._cases = case_service_pb2_grpc.CaseServiceStub(self._channel)

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close()
        self._channel = self._stub = self._cases = None

    def _metadata(self, request_id: str) -> tuple[tuple[str, str], ...]:
        # A token at least 30 s from expiry (TokenIssuer): the relay may run for months. Called
        # inside the call's client span, so that the trace context sent is that span's.
        return (
            *self._tokens.metadata(IDENTITY),
            (REQUEST_ID_HEADER, request_id),
            *tracing.inject_metadata(),
        )

    async def find_case(self, case_name: str) -> CaseRef | None:
        if (known := self._known.get(case_name)) is not None:
            return known
        if self._cases is None:
            raise RuntimeError("the support gateway is not open")
        request = case_service_pb2.GetCaseRequest(name=case_name)
        try:
            with tracing.client_span(request):
                metadata = self._metadata(request_id_var.get())
                response = await self._cases.GetCase(request, timeout=self._deadline_s, metadata=metadata)
        except grpc.aio.AioRpcError as error:
            if error.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
                return None  # no such case (or not a case name support accepts)
            raise CasesUnavailableError(
                "Support cases cannot be checked right now; nothing was changed, try again shortly"
            ) from error
        case = CaseRef(response.case.name, response.case.customer_id, response.case.order_id)
        self._known[case_name] = case
        return case

    async def record_refund_event(self, event: RefundEvent) -> bool:
        if self._stub is None:
            raise RuntimeError("the support gateway is not open")
        request = event_to_proto(event)
        try:
            with tracing.client_span(request):
                metadata = self._metadata(event.event_id)
                response = await self._stub.RecordRefundEvent(
                    request, timeout=self._deadline_s, metadata=metadata
                )
        except grpc.aio.AioRpcError as error:
            raise _delivery_error(error) from error
        return bool(response.applied)

    async def record_refund_events(self, events: Sequence[RefundEvent]) -> list[bool]:
        if self._stub is None:
            raise RuntimeError("the support gateway is not open")
        if not 1 <= len(events) <= EVENTS_PER_BATCH_MAX:
            raise ValueError(f"a batch holds 1 to {EVENTS_PER_BATCH_MAX} events, not {len(events)}")
        request = refund_event_service_pb2.BatchRecordRefundEventsRequest(
            requests=[event_to_proto(event) for event in events]
        )
        try:
            with tracing.client_span(request):
                metadata = self._metadata(events[0].event_id)  # the batch goes by its first event's id
                response = await self._stub.BatchRecordRefundEvents(
                    request, timeout=self._deadline_s, metadata=metadata
                )
        except grpc.aio.AioRpcError as error:
            if error.code() is grpc.StatusCode.UNIMPLEMENTED:
                raise BatchesUnsupportedError(f"UNIMPLEMENTED: {error.details() or ''}".strip()) from error
            raise _delivery_error(error) from error
        if len(response.responses) != len(events):
            # Not what the contract says: take nothing as done; the events go again, one at a time.
            raise EventDeliveryError(f"support answered {len(response.responses)} of {len(events)} events")
        return [bool(answer.applied) for answer in response.responses]


def _delivery_error(error: grpc.aio.AioRpcError) -> Exception:
    """What a failed delivery means for the relay (see the module's docstring)."""
    code = error.code()
    problem = f"{code.name}: {error.details() or ''}".strip()
    if code in _REFUSED:
        return EventRejectedError(problem)
    if code in _RECEIVER_DOWN:
        return SupportUnavailableError(problem)
    return EventDeliveryError(problem)
