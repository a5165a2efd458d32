"""RefundService (refund_svc). Answers are RefundRecords: bff.refunds turns them into what one user sees."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from acme.refund.v1 import refund_pb2, refund_service_pb2, refund_service_pb2_grpc

from bff import schemas
from bff.clients import mappers
from bff.clients.base import RpcCaller
from bff.records import RefundRecord
from kit.identity import Identity

# A case has a handful of refunds; one page of the maximum size covers it.
_PAGE = 100

SERVICE_NAME = refund_service_pb2.DESCRIPTOR.services_by_name["RefundService"].full_name


def _name(refund_id: str) -> str:
    return f"refunds/{refund_id}"


class RefundClient:
    """`on_change(case_id)`: told of each refund this client changed, by its case (bff.case_pages: a
    refund changed here shows on its case's page at once, before refund_svc's relay reaches the case)."""

    def __init__(
        self, channel: object, caller: RpcCaller, on_change: Callable[[str], None] | None = None
    ) -> None:
        self._stub = refund_service_pb2_grpc.RefundServiceStub(channel)
        self._call = caller.call
        self._on_change = on_change

    def _changed(self, refund: refund_pb2.Refund) -> RefundRecord:
        record = mappers.refund_record(refund)
        if self._on_change is not None:
            self._on_change(record.case_id)
        return record

    async def refunds_of_case(self, who: Identity, case_id: str) -> list[RefundRecord]:
        request = refund_service_pb2.ListRefundsRequest(case=mappers.case_name(case_id), page_size=_PAGE)
        response = await self._call(self._stub.ListRefunds, request, who, idempotent=True)
        return [mappers.refund_record(r) for r in response.refunds]

    async def list_refunds(
        self, who: Identity, query: schemas.RefundQuery
    ) -> tuple[list[RefundRecord], str | None]:
        request = mappers.list_refunds_request(query)
        response = await self._call(self._stub.ListRefunds, request, who, idempotent=True)
        return [mappers.refund_record(r) for r in response.refunds], response.next_page_token or None

    async def get(self, who: Identity, refund_id: str) -> RefundRecord:
        request = refund_service_pb2.GetRefundRequest(name=_name(refund_id))
        response = await self._call(self._stub.GetRefund, request, who, idempotent=True)
        return mappers.refund_record(response.refund)

    async def quote(self, who: Identity, order_id: str) -> schemas.RefundQuote:
        request = refund_service_pb2.QuoteRefundRequest(order_id=order_id)
        response = await self._call(self._stub.QuoteRefund, request, who, idempotent=True)
        return mappers.quote_from_proto(order_id, response)

    async def create(
        self,
        who: Identity,
        case_id: str,
        order_id: str,
        body: schemas.CreateRefundRequest,
        request_id: str,
    ) -> RefundRecord:
        """`order_id` is the case's, as support_svc said: never the browser's."""
        request = mappers.create_refund_request(case_id, order_id, body, request_id)
        # Retried only with the same request_id, which makes a retry return the first refund.
        response = await self._call(self._stub.CreateRefund, request, who, idempotent=True)
        return self._changed(response.refund)

    async def cancel(self, who: Identity, refund_id: str, etag: str) -> RefundRecord:
        request = refund_service_pb2.CancelRefundRequest(name=_name(refund_id), etag=etag)
        response = await self._call(self._stub.CancelRefund, request, who, idempotent=False)
        return self._changed(response.refund)

    async def approve(
        self, who: Identity, refund_id: str, body: schemas.ApproveRefundRequest
    ) -> RefundRecord:
        request = refund_service_pb2.ApproveRefundRequest(
            name=_name(refund_id), etag=body.etag, comment=body.comment or ""
        )
        response = await self._call(self._stub.ApproveRefund, request, who, idempotent=False)
        return self._changed(response.refund)

    async def reject(self, who: Identity, refund_id: str, body: schemas.RejectRefundRequest) -> RefundRecord:
        request = refund_service_pb2.RejectRefundRequest(
            name=_name(refund_id), etag=body.etag, reason=body.reason
        )
        response = await self._call(self._stub.RejectRefund, request, who, idempotent=False)
        return self._changed(response.refund)

    async def retry(self, who: Identity, refund_id: str, body: schemas.RetryRefundRequest) -> RefundRecord:
        request = refund_service_pb2.RetryRefundRequest(
            name=_name(refund_id), etag=body.etag, method=mappers.refund_method_to_proto(body.method)
        )
        response = await self._call(self._stub.RetryRefund, request, who, idempotent=False)
        return self._changed(response.refund)

    async def statistics(self, who: Identity, start: datetime, end: datetime) -> schemas.RefundStatistics:
        request = refund_service_pb2.GetRefundStatisticsRequest(
            period_start_time=mappers.timestamp(start), period_end_time=mappers.timestamp(end)
        )
        response = await self._call(self._stub.GetRefundStatistics, request, who, idempotent=True)
        return mappers.refund_statistics_from_proto(response)
