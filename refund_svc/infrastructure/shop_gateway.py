"""The shop over gRPC, translated into the refund context's own Order (an anti-corruption layer).

Nothing outside this module knows the shop's message shapes.
"""

from __future__ import annotations

from datetime import UTC

import grpc
from acme.shop.v1 import order_pb2, order_service_pb2, order_service_pb2_grpc

from kit import tracing
from kit.context import REQUEST_ID_HEADER, request_id_var
from refund_svc.application.ports import ShopPort
from refund_svc.domain.errors import ShopUnavailableError
from refund_svc.domain.money import Money
from refund_svc.domain.order import Order, OrderLine

# Codes that mean "try again later", as opposed to a bug in our request.
_TRANSIENT = {
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
    grpc.StatusCode.CANCELLED,
}


def order_from_proto(message: order_pb2.Order) -> Order:
    currency = message.total_paid.currency_code
    return Order(
        order_id=message.order_id,
        customer_id=message.customer_id,
        currency_code=currency,
        lines=tuple(
            OrderLine(
                line_id=line.line_id,
                product_title=line.product.title,
                quantity=line.quantity,
                paid=Money(line.paid_amount.amount_minor, line.paid_amount.currency_code),
            )
            for line in message.lines
        ),
        delivered_at=(
            message.delivery_time.ToDatetime(tzinfo=UTC) if message.HasField("delivery_time") else None
        ),
    )


class GrpcShopGateway(ShopPort):
    def __init__(self, address: str, *, deadline_s: float = 2.0) -> None:
        self._address = address
        self._deadline_s = deadline_s
        self._channel: grpc.aio.Channel | None = None
        self._stub: order_service_pb2_grpc.OrderServiceStub | None = None

    async def open(self) -> None:
        self._channel = grpc.aio.insecure_channel(self._address)
        self._stub = order_service_pb2_grpc.OrderServiceStub(self._channel)

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close()
        self._channel = self._stub = None

    async def get_order(self, order_id: str) -> Order | None:
        if self._stub is None:
            raise RuntimeError("the shop gateway is not open")
        request = order_service_pb2.GetOrderRequest(name=f"orders/{order_id}")
        try:
            with tracing.client_span(request):
                response = await self._stub.GetOrder(
                    request,
                    timeout=self._deadline_s,
                    metadata=((REQUEST_ID_HEADER, request_id_var.get()), *tracing.inject_metadata()),
                )
        except grpc.aio.AioRpcError as error:
            if error.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
                return None  # the shop knows no such order (or no such order id)
            if error.code() in _TRANSIENT:
                raise ShopUnavailableError(
                    "The shop could not be reached to check the order; please try again shortly",
                    metadata={"order_id": order_id},
                ) from error
            raise
        return order_from_proto(response.order)
