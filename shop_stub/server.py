"""Wiring of the stand-in shop: the catalog, the servicer and the kit's gRPC server."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime

from acme.shop.v1 import order_service_pb2, order_service_pb2_grpc

from kit.grpc_server import GrpcServer, RequestContextInterceptor
from shop_stub.catalog import ShopCatalog, build_catalog
from shop_stub.config import Settings
from shop_stub.servicer import OrderService

SERVICE_NAME = order_service_pb2.DESCRIPTOR.services_by_name["OrderService"].full_name

Hook = Callable[[], Awaitable[None]]


def create_server(
    settings: Settings, *, today: date | None = None, catalog: ShopCatalog | None = None
) -> tuple[GrpcServer, Hook | None, Hook | None]:
    """The shop server (not started) and its start-up and shutdown hooks.

    No identity token is needed: the shop stands for an upstream system outside our trust domain.
    Dates are relative to `today` (the current UTC date unless a test pins it).
    """
    if catalog is None:
        catalog = build_catalog(today or datetime.now(UTC).date(), settings.customers)
    server = GrpcServer(
        port=settings.port,
        host=settings.host,
        service_names=[SERVICE_NAME],
        interceptors=[RequestContextInterceptor()],
        grace_s=2.0,
    )
    order_service_pb2_grpc.add_OrderServiceServicer_to_server(OrderService(catalog), server.server)
    return server, None, None
