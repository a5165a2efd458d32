"""The stand-in shop as a real grpc.aio server on a free port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import grpc
import pytest
from acme.shop.v1 import order_pb2, order_service_pb2, order_service_pb2_grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from kit.errors import RichError
from shop_stub.config import Settings
from shop_stub.server import create_server

pytestmark = pytest.mark.integration

TODAY = date(2026, 3, 15)


@pytest.fixture
async def channel() -> AsyncIterator[grpc.aio.Channel]:
    server, startup, _ = create_server(Settings(port=0, customers=5), today=TODAY)
    await server.start(startup)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as chan:
            yield chan
    finally:
        await server.stop()


@pytest.fixture
def stub(channel: grpc.aio.Channel) -> order_service_pb2_grpc.OrderServiceStub:
    return order_service_pb2_grpc.OrderServiceStub(channel)


async def test_get_order_returns_the_order_with_lines_and_money(
    stub: order_service_pb2_grpc.OrderServiceStub,
) -> None:
    response = await stub.GetOrder(order_service_pb2.GetOrderRequest(name="orders/ord_1001"))

    order = response.order
    assert order.name == "orders/ord_1001"
    assert order.customer_id == "cus_1001"
    assert order.status == order_pb2.ORDER_STATUS_DELIVERED
    assert [line.line_id for line in order.lines] == ["ln_1", "ln_2"]
    assert order.lines[1].quantity == 3
    assert order.lines[1].paid_amount.amount_minor < order.lines[1].unit_price.amount_minor * 3
    assert order.total_paid.amount_minor == sum(line.paid_amount.amount_minor for line in order.lines)
    assert order.total_paid.currency_code == "EUR"
    assert order.HasField("delivery_time")
    assert order.delivery_time.ToDatetime().date() == date(2026, 3, 12)


async def test_an_undelivered_order_has_no_delivery_time(
    stub: order_service_pb2_grpc.OrderServiceStub,
) -> None:
    response = await stub.GetOrder(order_service_pb2.GetOrderRequest(name="orders/ord_1003"))

    assert response.order.status == order_pb2.ORDER_STATUS_SHIPPED
    assert not response.order.HasField("delivery_time")


async def test_an_unknown_order_is_not_found(stub: order_service_pb2_grpc.OrderServiceStub) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.GetOrder(order_service_pb2.GetOrderRequest(name="orders/ord_404"))

    error = RichError.from_rpc_error(caught.value)
    assert error.code == grpc.StatusCode.NOT_FOUND
    assert error.reason == "ORDER_NOT_FOUND"


async def test_a_malformed_name_is_an_invalid_argument(stub: order_service_pb2_grpc.OrderServiceStub) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.GetOrder(order_service_pb2.GetOrderRequest(name="ord_1001"))

    error = RichError.from_rpc_error(caught.value)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in error.field_violations] == ["name"]


async def test_list_orders_pages_through_a_customers_orders_newest_first(
    stub: order_service_pb2_grpc.OrderServiceStub,
) -> None:
    seen: list[order_pb2.Order] = []
    token = ""
    pages = 0
    while True:
        response = await stub.ListOrders(
            order_service_pb2.ListOrdersRequest(customer_id="cus_1001", page_size=3, page_token=token)
        )
        seen.extend(response.orders)
        pages += 1
        token = response.next_page_token
        if not token:
            break

    assert pages == 2
    assert sorted(o.order_id for o in seen) == ["ord_1001", "ord_1002", "ord_1003", "ord_1004"]
    assert {o.customer_id for o in seen} == {"cus_1001"}
    times = [o.place_time.ToDatetime() for o in seen]
    assert times == sorted(times, reverse=True)


async def test_list_orders_of_a_generated_customer(stub: order_service_pb2_grpc.OrderServiceStub) -> None:
    response = await stub.ListOrders(order_service_pb2.ListOrdersRequest(customer_id="cus_100004"))

    assert len(response.orders) == 3
    assert response.next_page_token == ""


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (order_service_pb2.ListOrdersRequest(customer_id=""), "customer_id"),
        (order_service_pb2.ListOrdersRequest(customer_id="cus_1001", page_size=-1), "page_size"),
        (order_service_pb2.ListOrdersRequest(customer_id="cus_1001", page_token="garbage!"), "page_token"),
    ],
)
async def test_list_orders_refuses_bad_requests_naming_the_field(
    stub: order_service_pb2_grpc.OrderServiceStub, request_: order_service_pb2.ListOrdersRequest, field: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.ListOrders(request_)

    error = RichError.from_rpc_error(caught.value)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in error.field_violations] == [field]


async def test_a_page_token_of_another_customer_is_refused(
    stub: order_service_pb2_grpc.OrderServiceStub,
) -> None:
    first = await stub.ListOrders(order_service_pb2.ListOrdersRequest(customer_id="cus_1001", page_size=1))

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.ListOrders(
            order_service_pb2.ListOrdersRequest(customer_id="cus_1002", page_token=first.next_page_token)
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_health_is_serving(channel: grpc.aio.Channel) -> None:
    health = health_pb2_grpc.HealthStub(channel)

    overall = await health.Check(health_pb2.HealthCheckRequest(service=""))
    shop = await health.Check(health_pb2.HealthCheckRequest(service="acme.shop.v1.OrderService"))

    assert overall.status == health_pb2.HealthCheckResponse.SERVING
    assert shop.status == health_pb2.HealthCheckResponse.SERVING
