"""acme.refund.v1.RefundService: validates, maps, calls a use case, maps back.

The caller's identity comes from the AuthInterceptor (kit.context); the use cases enforce what
that caller may see and do. Payouts are not an RPC: the payout worker pays approved refunds.
"""

from __future__ import annotations

from typing import Any

from acme.refund.v1 import refund_service_pb2, refund_service_pb2_grpc

from kit.context import current_identity
from refund_svc.application.use_cases import RefundUseCases
from refund_svc.domain.actor import Actor
from refund_svc.presentation import mappers, validation
from refund_svc.presentation.errors import grpc_errors

Context = Any  # grpc ships no type hints: grpc.aio.ServicerContext


def _caller() -> Actor:
    return mappers.actor_from_identity(current_identity())


class RefundService(refund_service_pb2_grpc.RefundServiceServicer):
    def __init__(self, use_cases: RefundUseCases) -> None:
        self._use_cases = use_cases

    @grpc_errors(field_prefix="refund.")
    async def CreateRefund(
        self, request: refund_service_pb2.CreateRefundRequest, context: Context
    ) -> refund_service_pb2.CreateRefundResponse:
        validation.validate_create_refund(request)
        refund = await self._use_cases.create_refund.execute(_caller(), mappers.create_command(request))
        return refund_service_pb2.CreateRefundResponse(refund=mappers.refund_to_proto(refund))

    @grpc_errors()
    async def GetRefund(
        self, request: refund_service_pb2.GetRefundRequest, context: Context
    ) -> refund_service_pb2.GetRefundResponse:
        refund_id = validation.validate_get_refund(request)
        refund = await self._use_cases.get_refund.execute(_caller(), refund_id)
        return refund_service_pb2.GetRefundResponse(refund=mappers.refund_to_proto(refund))

    @grpc_errors()
    async def ListRefunds(
        self, request: refund_service_pb2.ListRefundsRequest, context: Context
    ) -> refund_service_pb2.ListRefundsResponse:
        size = validation.validate_list_refunds(request)
        page = await self._use_cases.list_refunds.execute(_caller(), mappers.list_query(request, size))
        return refund_service_pb2.ListRefundsResponse(
            refunds=[mappers.refund_to_proto(r) for r in page.refunds], next_page_token=page.next_page_token
        )

    @grpc_errors()
    async def QuoteRefund(
        self, request: refund_service_pb2.QuoteRefundRequest, context: Context
    ) -> refund_service_pb2.QuoteRefundResponse:
        validation.validate_quote_refund(request)
        quote = await self._use_cases.quote_refund.execute(_caller(), request.order_id)
        return mappers.quote_to_proto(quote)

    @grpc_errors()
    async def ApproveRefund(
        self, request: refund_service_pb2.ApproveRefundRequest, context: Context
    ) -> refund_service_pb2.ApproveRefundResponse:
        target = validation.validate_approve_refund(request)
        command = mappers.approve_command(request, target)
        refund = await self._use_cases.approve_refund.execute(_caller(), command)
        return refund_service_pb2.ApproveRefundResponse(refund=mappers.refund_to_proto(refund))

    @grpc_errors()
    async def RejectRefund(
        self, request: refund_service_pb2.RejectRefundRequest, context: Context
    ) -> refund_service_pb2.RejectRefundResponse:
        target = validation.validate_reject_refund(request)
        command = mappers.reject_command(request, target)
        refund = await self._use_cases.reject_refund.execute(_caller(), command)
        return refund_service_pb2.RejectRefundResponse(refund=mappers.refund_to_proto(refund))

    @grpc_errors()
    async def CancelRefund(
        self, request: refund_service_pb2.CancelRefundRequest, context: Context
    ) -> refund_service_pb2.CancelRefundResponse:
        target = validation.validate_cancel_refund(request)
        refund = await self._use_cases.cancel_refund.execute(_caller(), mappers.cancel_command(target))
        return refund_service_pb2.CancelRefundResponse(refund=mappers.refund_to_proto(refund))

    @grpc_errors()
    async def RetryRefund(
        self, request: refund_service_pb2.RetryRefundRequest, context: Context
    ) -> refund_service_pb2.RetryRefundResponse:
        target = validation.validate_retry_refund(request)
        command = mappers.retry_command(request, target)
        refund = await self._use_cases.retry_refund.execute(_caller(), command)
        return refund_service_pb2.RetryRefundResponse(refund=mappers.refund_to_proto(refund))

    @grpc_errors()
    async def GetRefundStatistics(
        self, request: refund_service_pb2.GetRefundStatisticsRequest, context: Context
    ) -> refund_service_pb2.GetRefundStatisticsResponse:
        validation.validate_get_refund_statistics(request)
        stats = await self._use_cases.refund_statistics.execute(_caller(), mappers.statistics_period(request))
        return mappers.statistics_to_proto(stats)
