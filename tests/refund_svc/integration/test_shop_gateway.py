"""The shop adapter against the real shop stand-in: the order in our own terms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from opentelemetry.trace import SpanKind

from kit import tracing
from refund_svc.domain.errors import ShopUnavailableError
from refund_svc.domain.money import Money
from refund_svc.infrastructure.shop_gateway import GrpcShopGateway
from tests.kit.spans import assert_child_of, one_span, recorded_spans

pytestmark = pytest.mark.integration


async def test_an_order_arrives_as_the_domain_order(shop_address: str) -> None:
    gateway = GrpcShopGateway(shop_address)
    await gateway.open()
    try:
        order = await gateway.get_order("ord_1001")
        undelivered = await gateway.get_order("ord_1003")
        missing = await gateway.get_order("ord_404")
    finally:
        await gateway.close()

    assert order is not None
    assert order.customer_id == "cus_1001"
    assert order.currency_code == "EUR"
    assert [(ln.line_id, ln.quantity, ln.paid) for ln in order.lines] == [
        ("ln_1", 1, Money(7900, "EUR")),
        ("ln_2", 3, Money(3508, "EUR")),
    ]
    assert order.lines[1].product_title == "Phone case"
    assert order.delivered_at is not None
    assert order.delivered_at.tzinfo is not None
    assert datetime.now(UTC) - order.delivered_at < timedelta(days=4)
    assert undelivered is not None
    assert undelivered.delivered_at is None
    assert missing is None


async def test_an_unreachable_shop_is_unavailable() -> None:
    gateway = GrpcShopGateway("127.0.0.1:1", deadline_s=0.5)
    await gateway.open()
    try:
        with pytest.raises(ShopUnavailableError):
            await gateway.get_order("ord_1001")
    finally:
        await gateway.close()


async def test_an_unopened_gateway_says_so() -> None:
    with pytest.raises(RuntimeError, match="not open"):
        await GrpcShopGateway("127.0.0.1:1").get_order("ord_1001")


async def test_the_call_carries_the_trace_into_the_shop(shop_address: str) -> None:
    gateway = GrpcShopGateway(shop_address)
    await gateway.open()
    try:
        with recorded_spans() as spans:
            with tracing.span("use case"):
                await gateway.get_order("ord_1001")
            finished = spans.get_finished_spans()
    finally:
        await gateway.close()

    client = one_span(finished, "acme.shop.v1.GetOrder", SpanKind.CLIENT)
    assert_child_of(client, one_span(finished, "use case", SpanKind.INTERNAL))
    assert_child_of(one_span(finished, "/acme.shop.v1.OrderService/GetOrder", SpanKind.SERVER), client)
