"""Helpers for integration tests: identities, settings, starting and stopping refund_svc, requests,
and a stand-in for support_svc's RefundEventService on a real gRPC server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosqlite
import grpc
from acme.refund.v1 import refund_pb2, refund_service_pb2
from acme.support.v1 import refund_event_service_pb2, refund_event_service_pb2_grpc

from kit.context import current_identity
from kit.grpc_server import AuthInterceptor, GrpcServer, RequestContextInterceptor
from kit.identity import Identity, Role, bearer_metadata
from refund_svc.config import Settings as RefundSettings
from refund_svc.server import RefundApp, create_app

SECRET = "integration-tests-only-secret-0123456789"
ANA = Identity("cus_1001", Role.CUSTOMER)
BEN = Identity("cus_1002", Role.CUSTOMER)
SAM = Identity("agt_2001", Role.AGENT)
LEE = Identity("agt_2002", Role.LEAD)
KIM = Identity("agt_2003", Role.AGENT)
NOBODY_LISTENS = "127.0.0.1:1"  # so that no test ever talks to a support_svc running on this machine


@dataclass
class RunningRefunds:
    app: RefundApp
    address: str

    def channel(self) -> grpc.aio.Channel:
        return grpc.aio.insecure_channel(self.address)


def refund_settings(db_path: Path, shop_address: str, **overrides: object) -> RefundSettings:
    values = {
        "ACME_IDENTITY_SECRET": SECRET,
        "port": 0,
        "db_path": db_path,
        "shop_addr": shop_address,
        "support_addr": NOBODY_LISTENS,
        "support_deadline_s": 1.0,
        "relay_backoff_max_s": 0.2,
        "gateway_latency_ms": 5,
        "payout_backoff_max_s": 0.2,
    }
    return RefundSettings.model_validate(values | overrides)


async def start_refunds(settings: RefundSettings, **adapters: Any) -> RunningRefunds:
    app = create_app(settings, **adapters)
    await app.server.start(app.startup)
    return RunningRefunds(app, f"127.0.0.1:{app.server.port}")


async def stop_refunds(running: RunningRefunds) -> None:
    await running.app.server.stop()
    await running.app.shutdown()


def auth(identity: Identity) -> tuple[tuple[str, str], ...]:
    return bearer_metadata(SECRET, identity)


def create_request(
    order_id: str = "ord_1001",
    lines: tuple[tuple[str, int], ...] = (("ln_2", 1),),
    *,
    request_id: str = "req-1",
    reason: int = refund_pb2.REFUND_REASON_DAMAGED,
    note: str = "",
    case: str = "cases/C-10482",
) -> refund_service_pb2.CreateRefundRequest:
    return refund_service_pb2.CreateRefundRequest(
        refund=refund_pb2.Refund(
            case=case,
            order_id=order_id,
            lines=[refund_pb2.RefundLine(order_line_id=lid, quantity=qty) for lid, qty in lines],
            reason=reason,  # type: ignore[arg-type]
            note=note,
        ),
        request_id=request_id,
    )


async def eventually(check: Callable[[], Awaitable[bool]], *, timeout_s: float = 10.0) -> None:
    """Waits until `check()` holds (background work is asynchronous); fails after the timeout."""
    deadline = time.monotonic() + timeout_s
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout_s} s")
        await asyncio.sleep(0.02)


@dataclass(frozen=True, slots=True)
class OutboxRow:
    position: int
    event_id: str
    refund_id: str
    case_name: str
    kind: str
    amount_minor: int
    actor_id: str
    note: str
    refund_open: bool
    delivered: bool
    dead_reason: str | None


async def outbox_rows(db_path: Path) -> list[OutboxRow]:
    """The outbox as stored, read on a connection of the test's own."""
    async with aiosqlite.connect(db_path) as conn:
        conn.row_factory = aiosqlite.Row
        rows = await conn.execute_fetchall("SELECT * FROM outbox ORDER BY position")
    return [
        OutboxRow(
            r["position"],
            r["event_id"],
            r["refund_id"],
            r["case_name"],
            r["kind"],
            r["amount_minor"],
            r["actor_id"],
            r["note"],
            bool(r["refund_open"]),
            r["deliver_time_us"] is not None,
            r["dead_reason"],
        )
        for r in rows
    ]


# --- a stand-in for support_svc's RefundEventService ----------------------------------------------


@dataclass
class FakeRefundEvents(refund_event_service_pb2_grpc.RefundEventServiceServicer):
    """Records what it receives, applies each event id once, and can refuse cases or hold calls."""

    received: list[refund_event_service_pb2.RecordRefundEventRequest] = field(default_factory=list)
    callers: list[Identity] = field(default_factory=list)
    unknown_cases: set[str] = field(default_factory=set)
    refused: list[str] = field(default_factory=list)
    fail_with: grpc.StatusCode | None = None  # every call fails with this code
    gate: asyncio.Event | None = None
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def RecordRefundEvent(
        self, request: refund_event_service_pb2.RecordRefundEventRequest, context: Any
    ) -> refund_event_service_pb2.RecordRefundEventResponse:
        self.callers.append(current_identity())
        self.arrived.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.fail_with is not None:
            await context.abort(self.fail_with, "something went wrong")
        if request.parent in self.unknown_cases:
            self.refused.append(request.event_id)
            await context.abort(grpc.StatusCode.NOT_FOUND, f"{request.parent} does not exist")
        applied = all(seen.event_id != request.event_id for seen in self.received)
        self.received.append(request)
        return refund_event_service_pb2.RecordRefundEventResponse(applied=applied)

    def event_ids(self) -> list[str]:
        return [request.event_id for request in self.received]


class SupportStandIn:
    """A real grpc.aio server (with the real auth interceptor) serving FakeRefundEvents."""

    def __init__(self, servicer: FakeRefundEvents) -> None:
        self.servicer = servicer
        self.port = 0
        self._server: GrpcServer | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Starts on a free port the first time, then on the same port again (a restart)."""
        name = refund_event_service_pb2.DESCRIPTOR.services_by_name["RefundEventService"].full_name
        server = GrpcServer(
            port=self.port,
            service_names=[name],
            interceptors=[RequestContextInterceptor(), AuthInterceptor(SECRET, "support.acme")],
            grace_s=0.5,
        )
        refund_event_service_pb2_grpc.add_RefundEventServiceServicer_to_server(self.servicer, server.server)
        await server.start()
        self.port = server.port
        self._server = server

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.stop()
        self._server = None
