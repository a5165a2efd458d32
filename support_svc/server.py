"""The composition root: wires settings, database, shop gateway, use cases and the gRPC server."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from acme.support.v1 import case_service_pb2, case_service_pb2_grpc

from kit.grpc_server import AuthInterceptor, GrpcServer, RequestContextInterceptor
from support_svc.application.ports import Clock
from support_svc.application.service import SupportCaseService, WorkflowSettings
from support_svc.config import Settings
from support_svc.infrastructure.case_reader import SqliteCaseReader
from support_svc.infrastructure.clock import SystemClock
from support_svc.infrastructure.database import Database
from support_svc.infrastructure.shop_gateway import GrpcShopGateway
from support_svc.infrastructure.unit_of_work import SqliteUnitOfWork
from support_svc.presentation.errors import ERROR_DOMAIN
from support_svc.presentation.servicer import CaseServicer

SERVICE_NAME = case_service_pb2.DESCRIPTOR.services_by_name["CaseService"].full_name

Hook = Callable[[], Awaitable[None]]


def create_server(settings: Settings, *, clock: Clock | None = None) -> tuple[GrpcServer, Hook, Hook]:
    """The server (not started) and its start-up and shutdown hooks.

    Start-up opens the database and applies migrations before health reports SERVING.
    """
    database = Database(settings.db_path)
    shop = GrpcShopGateway(settings.shop_addr, timeout_s=settings.shop_timeout_s)
    cases = SupportCaseService(
        unit_of_work=lambda: SqliteUnitOfWork(database),
        reader=SqliteCaseReader(database),
        shop=shop,
        clock=clock or SystemClock(),
        settings=WorkflowSettings(sla=settings.sla_policy(), reopen_window=settings.reopen_window),
    )
    server = GrpcServer(
        port=settings.port,
        host=settings.host,
        service_names=[SERVICE_NAME],
        interceptors=[
            RequestContextInterceptor(),
            AuthInterceptor(settings.identity_secret.get_secret_value(), ERROR_DOMAIN),
        ],
        grace_s=settings.grace_s,
        metrics_port=settings.metrics_port,
    )
    case_service_pb2_grpc.add_CaseServiceServicer_to_server(CaseServicer(cases), server.server)

    async def startup() -> None:
        await database.open()
        await shop.start()

    async def shutdown() -> None:
        await shop.close()
        await database.close()

    return server, startup, shutdown
