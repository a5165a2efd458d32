"""The composition root: builds adapters, use cases and the gRPC server from Settings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from acme.refund.v1 import refund_service_pb2, refund_service_pb2_grpc

from kit.grpc_server import AuthInterceptor, GrpcServer, RequestContextInterceptor
from refund_svc.application.ports import Clock, IdGenerator, ShopPort
from refund_svc.application.use_cases import build_use_cases
from refund_svc.config import Settings
from refund_svc.infrastructure.database import RefundDatabase
from refund_svc.infrastructure.shop_gateway import GrpcShopGateway
from refund_svc.infrastructure.system import SystemClock, UuidGenerator
from refund_svc.infrastructure.unit_of_work import SqliteRefundReader, SqliteUnitOfWork
from refund_svc.presentation.errors import ERROR_DOMAIN
from refund_svc.presentation.servicer import RefundService

SERVICE_NAME = refund_service_pb2.DESCRIPTOR.services_by_name["RefundService"].full_name

Hook = Callable[[], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RefundApp:
    server: GrpcServer
    startup: Hook
    shutdown: Hook
    database: RefundDatabase


def create_app(
    settings: Settings,
    *,
    shop: ShopPort | None = None,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
) -> RefundApp:
    """The refund server, not started. Start-up opens the database (migrations) and the shop channel.

    Tests may pass their own clock; `shop` replaces the gRPC shop adapter (it is then not opened).
    """
    database = RefundDatabase(settings.db_path)
    gateway: GrpcShopGateway | None = None
    if shop is None:
        shop = gateway = GrpcShopGateway(settings.shop_addr, deadline_s=settings.shop_deadline_s)
    use_cases = build_use_cases(
        shop=shop,
        unit_of_work=lambda: SqliteUnitOfWork(database),
        reader=SqliteRefundReader(database),
        clock=clock or SystemClock(),
        ids=ids or UuidGenerator(),
        rules=settings.rules(),
    )
    server = GrpcServer(
        port=settings.port,
        host=settings.host,
        service_names=[SERVICE_NAME],
        interceptors=[
            RequestContextInterceptor(),
            AuthInterceptor(settings.identity_secret.get_secret_value(), ERROR_DOMAIN),
        ],
    )
    refund_service_pb2_grpc.add_RefundServiceServicer_to_server(RefundService(use_cases), server.server)

    async def startup() -> None:
        await database.open()
        if gateway is not None:
            await gateway.open()

    async def shutdown() -> None:
        if gateway is not None:
            await gateway.close()
        await database.close()

    return RefundApp(server, startup, shutdown, database)


def create_server(settings: Settings) -> tuple[GrpcServer, Hook, Hook]:
    app = create_app(settings)
    return app.server, app.startup, app.shutdown
