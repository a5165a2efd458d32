"""RefundService (refund_svc)."""

from __future__ import annotations

from acme.refund.v1 import refund_service_pb2, refund_service_pb2_grpc

from bff import schemas
from bff.clients.base import RpcCaller
from bff.clients.mappers import case_name, refund_from_proto
from kit.identity import Identity

# A case has a handful of refunds; one page of the maximum size covers it.
_PAGE = 100


class RefundClient:
    def __init__(self, channel: object, caller: RpcCaller) -> None:
        self._stub = refund_service_pb2_grpc.RefundServiceStub(channel)
        self._call = caller.call

    async def refunds_of_case(self, who: Identity, case_id: str) -> list[schemas.Refund]:
        request = refund_service_pb2.ListRefundsRequest(case=case_name(case_id), page_size=_PAGE)
        response = await self._call(self._stub.ListRefunds, request, who, idempotent=True)
        return [refund_from_proto(r) for r in response.refunds]
