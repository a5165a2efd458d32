"""The shop adapter against a real gRPC server: what it asks, and what it makes of the answers."""

import grpc
import pytest
from acme.shop.v1 import order_service_pb2_grpc
from opentelemetry.trace import SpanKind

from kit import tracing
from kit.context import request_id_var
from kit.grpc_server import GrpcServer, RequestContextInterceptor
from support_svc.application.ports import ShopOrder
from support_svc.domain.errors import DependencyUnavailableError
from support_svc.infrastructure.shop_gateway import GrpcShopGateway
from tests.kit.spans import assert_child_of, one_span, recorded_spans
from tests.support_svc.integration.harness import FakeOrderService


async def test_an_order_is_translated_to_what_a_case_needs(shop: tuple[FakeOrderService, int]) -> None:
    gateway = GrpcShopGateway(f"127.0.0.1:{shop[1]}", timeout_s=2)
    await gateway.start()
    try:
        request_id_var.set("rid-42")
        assert await gateway.get_order("ord_2001") == ShopOrder(
            "ord_2001", "cus_1002", frozenset({"ln_1", "ln_2", "ln_3"})
        )
        assert await gateway.get_order("ord_404") is None
    finally:
        await gateway.close()


async def test_an_unreachable_shop_is_a_dependency_failure() -> None:
    gateway = GrpcShopGateway("127.0.0.1:1", timeout_s=0.3)
    await gateway.start()
    try:
        with pytest.raises(DependencyUnavailableError) as err:
            await gateway.get_order("ord_1001")
    finally:
        await gateway.close()
    assert err.value.reason == "SHOP_UNAVAILABLE"
    assert err.value.metadata["upstream_code"] in {
        grpc.StatusCode.UNAVAILABLE.name,
        grpc.StatusCode.DEADLINE_EXCEEDED.name,
    }


async def test_the_gateway_must_be_started() -> None:
    with pytest.raises(RuntimeError, match="not started"):
        await GrpcShopGateway("127.0.0.1:1", timeout_s=1).get_order("ord_1")


async def test_the_call_carries_the_trace_into_the_shop() -> None:
    shop = GrpcServer(
        port=0, service_names=[], interceptors=[RequestContextInterceptor()], grace_s=0
    )  # the kit's server interceptor opens the shop's SERVER span from the trace metadata
    order_service_pb2_grpc.add_OrderServiceServicer_to_server(FakeOrderService(), shop.server)  # type: ignore[no-untyped-call]
    await shop.start()
    gateway = GrpcShopGateway(f"127.0.0.1:{shop.port}", timeout_s=2)
    await gateway.start()
    try:
        with recorded_spans() as spans:
            with tracing.span("use case"):
                await gateway.get_order("ord_2001")
            finished = spans.get_finished_spans()
    finally:
        await gateway.close()
        await shop.stop()

    client = one_span(finished, "acme.shop.v1.GetOrder", SpanKind.CLIENT)
    assert_child_of(client, one_span(finished, "use case", SpanKind.INTERNAL))
    assert_child_of(one_span(finished, "/acme.shop.v1.OrderService/GetOrder", SpanKind.SERVER), client)
