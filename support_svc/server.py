"""The composition root: wires settings, database, shop gateway, use cases and the gRPC server."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from acme.support.v1 import (
    case_service_pb2,
    case_service_pb2_grpc,
    refund_event_service_pb2,
    refund_event_service_pb2_grpc,
)

from kit.grpc_server import AuthInterceptor, GrpcServer, RequestContextInterceptor
from support_svc.application.case_pages import CasePages, ForgetChangedPages
from support_svc.application.ports import Clock
from support_svc.application.refund_events import RefundEventRecorder
from support_svc.application.service import SupportCaseService, WorkflowSettings
from support_svc.config import Settings
from support_svc.infrastructure import case_page_metrics
from support_svc.infrastructure.broadcaster import CaseBroadcaster
from support_svc.infrastructure.case_reader import SqliteCaseReader
from support_svc.infrastructure.clock import SystemClock
from support_svc.infrastructure.database import Database
from support_svc.infrastructure.shop_gateway import GrpcShopGateway
from support_svc.infrastructure.unit_of_work import SqliteUnitOfWork
from support_svc.presentation.errors import ERROR_DOMAIN
from support_svc.presentation.refund_event_servicer import RefundEventServicer
from support_svc.presentation.servicer import CaseServicer

SERVICE_NAME = case_service_pb2.DESCRIPTOR.services_by_name["CaseService"].full_name
REFUND_EVENT_SERVICE_NAME = refund_event_service_pb2.DESCRIPTOR.services_by_name[
    "RefundEventService"
].full_name

Hook = Callable[[], Awaitable[None]]


class SupportGrpcServer(GrpcServer):
    """The kit's server, which first ends every WatchCase and WatchCases stream when it stops.

    Streams that wait for changes would otherwise hold the graceful stop for its whole grace and
    then be cut; ended by the feed, they finish cleanly (status OK) at once.
    """

    def __init__(self, *, feed: CaseBroadcaster, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.feed = feed

    async def stop(self) -> None:
        self.feed.close()
        await super().stop()


def create_server(settings: Settings, *, clock: Clock | None = None) -> tuple[SupportGrpcServer, Hook, Hook]:
    """The server (not started) and its start-up and shutdown hooks.

    Start-up opens the database and applies migrations before health reports SERVING.
    """
    clock = clock or SystemClock()
    database = Database(settings.db_path)
    shop = GrpcShopGateway(settings.shop_addr, timeout_s=settings.shop_timeout_s)
    feed = CaseBroadcaster(
        queue_size=settings.watch_queue_size,
        all_queue_size=settings.watch_all_queue_size,
        max_watchers=settings.watch_max_subscribers,
    )
    pages = CasePages(settings.case_page_cache_size)
    case_page_metrics.report(pages)
    changes = ForgetChangedPages(pages, feed)  # every commit forgets its cases' pages, then tells watchers

    def unit_of_work() -> SqliteUnitOfWork:
        return SqliteUnitOfWork(database, changes)

    cases = SupportCaseService(
        unit_of_work=unit_of_work,
        reader=SqliteCaseReader(database),
        shop=shop,
        clock=clock,
        settings=WorkflowSettings(sla=settings.sla_policy(), reopen_window=settings.reopen_window),
        feed=feed,
        pages=pages,
    )
    refund_events = RefundEventRecorder(
        unit_of_work=unit_of_work, clock=clock, auto_resolve=settings.auto_resolve_on_refund
    )
    server = SupportGrpcServer(
        feed=feed,
        port=settings.port,
        host=settings.host,
        service_names=[SERVICE_NAME, REFUND_EVENT_SERVICE_NAME],
        interceptors=[
            RequestContextInterceptor(),
            AuthInterceptor(settings.identity_secret.get_secret_value(), ERROR_DOMAIN),
        ],
        grace_s=settings.grace_s,
        drain_s=settings.drain_s,
        metrics_port=settings.metrics_port,
    )
    case_service_pb2_grpc.add_CaseServiceServicer_to_server(CaseServicer(cases), server.server)
    refund_event_service_pb2_grpc.add_RefundEventServiceServicer_to_server(
        RefundEventServicer(refund_events), server.server
    )

    async def startup() -> None:
        await database.open()
        await shop.start()

    async def shutdown() -> None:
        feed.close()
        await shop.close()
        await database.close()

    return server, startup, shutdown
