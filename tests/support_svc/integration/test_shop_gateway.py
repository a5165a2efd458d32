"""The shop adapter against a real gRPC server: what it asks, and what it makes of the answers."""

import grpc
import pytest

from kit.context import request_id_var
from support_svc.application.ports import ShopOrder
from support_svc.domain.errors import DependencyUnavailableError
from support_svc.infrastructure.shop_gateway import GrpcShopGateway
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
