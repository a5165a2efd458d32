"""acme.support.v1.RefundEventService: refund_svc's outbox relay tells the cases about refunds, one
event at a time (RecordRefundEvent) or a round's events at once (BatchRecordRefundEvents)."""

from __future__ import annotations

from typing import Any

from acme.support.v1 import refund_event_service_pb2, refund_event_service_pb2_grpc

from kit.context import current_identity
from support_svc.application.refund_events import RefundEventRecorder
from support_svc.presentation import mappers, validation
from support_svc.presentation.errors import grpc_errors


class RefundEventServicer(refund_event_service_pb2_grpc.RefundEventServiceServicer):
    def __init__(self, recorder: RefundEventRecorder) -> None:
        self._recorder = recorder

    @grpc_errors()
    async def RecordRefundEvent(
        self, request: refund_event_service_pb2.RecordRefundEventRequest, context: Any
    ) -> refund_event_service_pb2.RecordRefundEventResponse:
        actor = mappers.actor_from_identity(current_identity())
        # Who may call comes first: nobody else learns what a well-formed event looks like.
        self._recorder.authorize(actor)
        validation.validate_record_refund_event(request)
        applied = await self._recorder.record(mappers.record_refund_event_command(request, actor))
        return refund_event_service_pb2.RecordRefundEventResponse(applied=applied)

    @grpc_errors()
    async def BatchRecordRefundEvents(
        self, request: refund_event_service_pb2.BatchRecordRefundEventsRequest, context: Any
    ) -> refund_event_service_pb2.BatchRecordRefundEventsResponse:
        actor = mappers.actor_from_identity(current_identity())
        self._recorder.authorize(actor)  # first, as for one event
        validation.validate_batch_record_refund_events(request)
        commands = mappers.record_refund_event_commands(request, actor)
        applied = await self._recorder.record_many(actor, commands)
        return refund_event_service_pb2.BatchRecordRefundEventsResponse(
            responses=[refund_event_service_pb2.RecordRefundEventResponse(applied=a) for a in applied]
        )
