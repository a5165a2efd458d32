"""acme.shop.v1.OrderService over the in-memory catalog: GetOrder and paginated ListOrders."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NoReturn

import grpc
from acme.shop.v1 import order_pb2, order_service_pb2, order_service_pb2_grpc
from google.protobuf import timestamp_pb2

from kit.errors import FieldViolation, abort, build_status
from kit.pagination import InvalidPageError, decode_token, encode_token, page_size
from kit.timestamps import to_timestamp
from shop_stub.catalog import Order, OrderStatus, ShopCatalog

ERROR_DOMAIN = "shop.acme"
ORDER_NAME_PREFIX = "orders/"

_STATUS_TO_PROTO = {
    OrderStatus.PAID: order_pb2.ORDER_STATUS_PAID,
    OrderStatus.SHIPPED: order_pb2.ORDER_STATUS_SHIPPED,
    OrderStatus.DELIVERED: order_pb2.ORDER_STATUS_DELIVERED,
}

Context = Any  # grpc ships no type hints: grpc.aio.ServicerContext


def _timestamp(moment: datetime) -> timestamp_pb2.Timestamp:
    return to_timestamp(moment)


def _money(amount_minor: int, currency_code: str) -> order_pb2.Money:
    return order_pb2.Money(amount_minor=amount_minor, currency_code=currency_code)


def _epoch_s(order: Order) -> int:
    return int(order.place_time.timestamp())


def order_to_proto(order: Order) -> order_pb2.Order:
    message = order_pb2.Order(
        name=f"{ORDER_NAME_PREFIX}{order.order_id}",
        order_id=order.order_id,
        customer_id=order.customer_id,
        lines=[
            order_pb2.OrderLine(
                line_id=line.line_id,
                product=order_pb2.Product(
                    name=f"products/{line.product.product_id}",
                    product_id=line.product.product_id,
                    title=line.product.title,
                ),
                quantity=line.quantity,
                unit_price=_money(line.unit_price_minor, order.currency_code),
                paid_amount=_money(line.paid_minor, order.currency_code),
            )
            for line in order.lines
        ],
        total_paid=_money(order.total_paid_minor, order.currency_code),
        status=_STATUS_TO_PROTO[order.status],
        place_time=_timestamp(order.place_time),
    )
    if order.delivery_time is not None:
        message.delivery_time.CopyFrom(_timestamp(order.delivery_time))
    return message


async def _invalid(context: Context, field: str, description: str) -> NoReturn:
    await abort(
        context,
        build_status(
            grpc.StatusCode.INVALID_ARGUMENT,
            f"{field}: {description}",
            reason="INVALID_ARGUMENT",
            domain=ERROR_DOMAIN,
            field_violations=[FieldViolation(field, description)],
        ),
    )


class OrderService(order_service_pb2_grpc.OrderServiceServicer):
    def __init__(self, catalog: ShopCatalog) -> None:
        self._catalog = catalog

    async def GetOrder(
        self, request: order_service_pb2.GetOrderRequest, context: Context
    ) -> order_service_pb2.GetOrderResponse:
        order_id = request.name.removeprefix(ORDER_NAME_PREFIX)
        if not request.name.startswith(ORDER_NAME_PREFIX) or not order_id:
            await _invalid(context, "name", 'must be "orders/{order_id}"')
        order = self._catalog.get_order(order_id)
        if order is None:
            await abort(
                context,
                build_status(
                    grpc.StatusCode.NOT_FOUND,
                    f"Order {order_id} does not exist",
                    reason="ORDER_NOT_FOUND",
                    domain=ERROR_DOMAIN,
                    metadata={"order_id": order_id},
                ),
            )
        return order_service_pb2.GetOrderResponse(order=order_to_proto(order))

    async def ListOrders(
        self, request: order_service_pb2.ListOrdersRequest, context: Context
    ) -> order_service_pb2.ListOrdersResponse:
        if not request.customer_id:
            await _invalid(context, "customer_id", "is required")
        query = {"customer_id": request.customer_id}
        try:
            size = page_size(request.page_size)
            position = decode_token(request.page_token, query)
        except InvalidPageError as exc:
            await _invalid(context, exc.field, str(exc))
        orders = self._catalog.orders_of(request.customer_id)  # newest first
        if position is not None:
            try:
                after = (int(position["t"]), str(position["id"]))
            except (KeyError, TypeError, ValueError):
                await _invalid(context, "page_token", "is not a token this service issued")
            orders = [o for o in orders if (_epoch_s(o), o.order_id) < after]
        page, rest = orders[:size], orders[size:]
        next_token = ""
        if rest:
            last = page[-1]
            next_token = encode_token({"t": _epoch_s(last), "id": last.order_id}, query)
        return order_service_pb2.ListOrdersResponse(
            orders=[order_to_proto(o) for o in page], next_page_token=next_token
        )
