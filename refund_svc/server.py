"""The composition root: builds adapters, use cases, background loops and the gRPC server from Settings."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from acme.refund.v1 import refund_service_pb2, refund_service_pb2_grpc

from kit.grpc_server import AuthInterceptor, GrpcServer, RequestContextInterceptor
from refund_svc.application.background import BackgroundWork, Wakeup
from refund_svc.application.housekeeping import ForgetOldIdempotencyKeys
from refund_svc.application.payouts import PayOutRefund, PayoutWorker
from refund_svc.application.ports import (
    CasePort,
    Clock,
    IdGenerator,
    OutboxStats,
    PaymentGateway,
    ShopPort,
    SupportPort,
)
from refund_svc.application.relay import OutboxRelay
from refund_svc.application.use_cases import build_use_cases
from refund_svc.config import Settings
from refund_svc.infrastructure.database import RefundDatabase
from refund_svc.infrastructure.metrics import collect_forever
from refund_svc.infrastructure.payment_gateway import SimulatedPaymentGateway
from refund_svc.infrastructure.shop_gateway import GrpcShopGateway
from refund_svc.infrastructure.support_gateway import GrpcSupportGateway
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
    payments: PaymentGateway
    pay_out: PayOutRefund
    payout_worker: PayoutWorker
    relay: OutboxRelay
    cases: CasePort

    async def outbox_stats(self) -> OutboxStats:
        """The relay's backlog and dead letters (for metrics)."""
        return await self.relay.stats()


def create_app(
    settings: Settings,
    *,
    shop: ShopPort | None = None,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    payments: PaymentGateway | None = None,
    support: SupportPort | None = None,
    cases: CasePort | None = None,
    background: bool = True,
) -> RefundApp:
    """The refund server, not started. Start-up opens the database (migrations) and the adapters,
    then starts the background loops (payouts, the outbox relay, idempotency-key clean-up).

    Tests may pass their own clock; `shop`, `payments`, `support` and `cases` replace the default adapters
    (the caller then opens and closes them); `background=False` leaves the loops to the test.
    """
    clock = clock or SystemClock()
    database = RefundDatabase(settings.db_path)
    wakeup = Wakeup()
    owned: list[GrpcShopGateway | SimulatedPaymentGateway | GrpcSupportGateway] = []
    if shop is None:
        shop = GrpcShopGateway(settings.shop_addr, deadline_s=settings.shop_deadline_s)
        owned.append(shop)
    if payments is None:
        payments = SimulatedPaymentGateway(
            settings.gateway_db_file(),
            failure_rate=settings.gateway_failure_rate,
            latency_ms=settings.gateway_latency_ms,
        )
        owned.append(payments)
    if support is None or cases is None:
        # One gateway (one channel) to support_svc serves both ports.
        support_gateway = GrpcSupportGateway(
            settings.support_addr,
            identity_secret=settings.identity_secret.get_secret_value(),
            deadline_s=settings.support_deadline_s,
        )
        owned.append(support_gateway)
        support = support or support_gateway
        cases = cases or support_gateway

    unit_of_work = partial(SqliteUnitOfWork, database, on_commit=wakeup.notify)
    reader = SqliteRefundReader(database)
    use_cases = build_use_cases(
        shop=shop,
        cases=cases,
        unit_of_work=unit_of_work,
        reader=reader,
        clock=clock,
        ids=ids or UuidGenerator(),
        rules=settings.rules(),
    )
    pay_out = PayOutRefund(
        unit_of_work=unit_of_work,
        gateway=payments,
        clock=clock,
        lease_s=settings.payout_lease_s,
        backoff_max_s=settings.payout_backoff_max_s,
    )
    payout_worker = PayoutWorker(
        reader=reader,
        pay_out=pay_out,
        clock=clock,
        concurrency=settings.payout_concurrency,
        wake=wakeup.subscribe(),
    )
    relay = OutboxRelay(
        reader=reader,
        unit_of_work=unit_of_work,
        support=support,
        clock=clock,
        backoff_max_s=settings.relay_backoff_max_s,
        gather_s=settings.relay_gather_ms / 1000,
        wake=wakeup.subscribe(),
    )
    forget_keys = ForgetOldIdempotencyKeys(
        unit_of_work=unit_of_work, clock=clock, ttl=timedelta(hours=settings.idempotency_ttl_h)
    )
    loops = BackgroundWork()

    server = GrpcServer(
        port=settings.port,
        host=settings.host,
        service_names=[SERVICE_NAME],
        interceptors=[
            RequestContextInterceptor(),
            AuthInterceptor(settings.identity_secret.get_secret_value(), ERROR_DOMAIN),
        ],
        grace_s=settings.grace_s,
        drain_s=settings.drain_s,
    )
    refund_service_pb2_grpc.add_RefundServiceServicer_to_server(RefundService(use_cases), server.server)

    metrics_task: list[asyncio.Task[None]] = []

    async def startup() -> None:
        await database.open()
        for adapter in owned:
            await adapter.open()
        if background:
            loops.start("payouts", payout_worker.run)
            loops.start("outbox-relay", relay.run)
            loops.start(
                "idempotency-cleanup",
                partial(forget_keys.run, every_s=settings.idempotency_cleanup_interval_s),
            )
            metrics_task.append(asyncio.create_task(collect_forever(database)))

    async def shutdown() -> None:
        for task in metrics_task:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        # The loops first: each finishes what it has in flight and stores the outcome.
        await loops.stop()
        for adapter in reversed(owned):
            await adapter.close()
        await database.close()

    return RefundApp(server, startup, shutdown, database, payments, pay_out, payout_worker, relay, cases)


def create_server(settings: Settings) -> tuple[GrpcServer, Hook, Hook]:
    app = create_app(settings)
    return app.server, app.startup, app.shutdown
