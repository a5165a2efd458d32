"""OrderService (the shop, upstream): the anti-corruption layer; nothing else knows the shop's shapes."""

from __future__ import annotations

import grpc
from acme.shop.v1 import order_service_pb2, order_service_pb2_grpc

from bff.clients.base import RpcCaller
from bff.clients.mappers import order_from_proto
from bff.orders import OrderSource, ShopOrder
from kit.identity import Identity

_PAGE = 100
_MAX_PAGES = 10  # a customer with more than 1,000 orders sees the newest 1,000

SERVICE_NAME = order_service_pb2.DESCRIPTOR.services_by_name["OrderService"].full_name


class ShopClient(OrderSource):
    def __init__(self, channel: object, caller: RpcCaller) -> None:
        self._stub = order_service_pb2_grpc.OrderServiceStub(channel)
        self._call = caller.call

    async def orders_of(self, who: Identity, customer_id: str) -> list[ShopOrder]:
        orders: list[ShopOrder] = []
        token = ""
        for _ in range(_MAX_PAGES):
            request = order_service_pb2.ListOrdersRequest(
                customer_id=customer_id, page_size=_PAGE, page_token=token
            )
            response = await self._call(self._stub.ListOrders, request, who, idempotent=True)
            orders.extend(
                ShopOrder(customer_id=o.customer_id, order=order_from_proto(o)) for o in response.orders
            )
            token = response.next_page_token
            if not token:
                break
        return orders

    async def order(self, who: Identity, order_id: str) -> ShopOrder | None:
        request = order_service_pb2.GetOrderRequest(name=f"orders/{order_id}")
        try:
            response = await self._call(self._stub.GetOrder, request, who, idempotent=True)
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                return None
            raise
        return ShopOrder(customer_id=response.order.customer_id, order=order_from_proto(response.order))
