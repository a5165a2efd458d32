"""The shop's order API behind ShopPort: the only module of this service that knows the shop's messages.

An anti-corruption layer: it asks acme.shop.v1.OrderService/GetOrder and hands back a ShopOrder
with just what a case needs. The shop is outside our trust domain, so no identity token is sent.
"""

from __future__ import annotations

import grpc
from acme.shop.v1 import order_service_pb2, order_service_pb2_grpc

from kit import tracing
from kit.context import REQUEST_ID_HEADER, request_id_var
from support_svc.application.ports import ShopOrder, ShopPort
from support_svc.domain.errors import DependencyUnavailableError

# The shop answers these for a name it does not know or cannot parse: either way, no such order.
_NO_SUCH_ORDER = (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT)


class GrpcShopGateway(ShopPort):
    def __init__(self, address: str, *, timeout_s: float) -> None:
        self._address = address
        self._timeout_s = timeout_s
        self._channel: grpc.aio.Channel | None = None
        self._stub: order_service_pb2_grpc.OrderServiceStub | None = None

    async def start(self) -> None:
        self._channel = grpc.aio.insecure_channel(self._address)
        self._stub = order_service_pb2_grpc.OrderServiceStub(self._channel)

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close()
        self._channel = self._stub = None

    async def get_order(self, order_id: str) -> ShopOrder | None:
        if self._stub is None:
            raise RuntimeError("the shop gateway is not started")
        request = order_service_pb2.GetOrderRequest(name=f"orders/{order_id}")
        try:
            with tracing.client_span(request):
                reply = await self._stub.GetOrder(
                    request,
                    timeout=self._timeout_s,
                    metadata=((REQUEST_ID_HEADER, request_id_var.get()), *tracing.inject_metadata()),
                )
        except grpc.aio.AioRpcError as err:
            if err.code() in _NO_SUCH_ORDER:
                return None
            raise DependencyUnavailableError(
                "The shop cannot be reached just now; please try again shortly",
                reason="SHOP_UNAVAILABLE",
                metadata={"upstream_code": err.code().name},
            ) from err
        order = reply.order
        return ShopOrder(
            order_id=order.order_id,
            customer_id=order.customer_id,
            line_ids=frozenset(line.line_id for line in order.lines),
        )
