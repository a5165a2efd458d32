"""Helpers for integration tests: identities, settings, starting and stopping refund_svc, requests,
and a stand-in for support_svc's RefundEventService on a real gRPC server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite
import grpc
import pytest
from acme.refund.v1 import refund_pb2, refund_service_pb2
from acme.support.v1 import (
    case_pb2,
    case_service_pb2,
    case_service_pb2_grpc,
    refund_event_service_pb2,
    refund_event_service_pb2_grpc,
)

from kit.context import current_identity
from kit.errors import RichError
from kit.grpc_server import AuthInterceptor, GrpcServer, RequestContextInterceptor
from kit.identity import Identity, Role, bearer_metadata
from refund_svc.application.ports import CaseRef
from refund_svc.config import Settings as RefundSettings
from refund_svc.server import RefundApp, create_app
from shop_stub.catalog import build_catalog
from tests.refund_svc.fakes import FakeCases

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


def case_about(order_id: str) -> str:
    """The case the tests' stand-in for support's cases says is about this order."""
    return f"cases/C-{order_id.removeprefix('ord_')}"


def cases_of_shop_orders() -> FakeCases:
    """Support's cases as refund_svc asks for them: `cases/C-1001` is about ord_1001 and belongs to
    its customer in the shop stand-in's catalog. The real adapter (GrpcSupportGateway.find_case)
    is tested against a real server in test_support_gateway.py and the system tests."""
    catalog = build_catalog(datetime.now(UTC).date())

    def about_its_order(name: str) -> CaseRef | None:
        order = catalog.get_order("ord_" + name.removeprefix("cases/C-"))
        return None if order is None else CaseRef(name, order.customer_id, order.order_id)

    return FakeCases(default=about_its_order)


async def start_refunds(settings: RefundSettings, **adapters: Any) -> RunningRefunds:
    adapters.setdefault("cases", cases_of_shop_orders())
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
    case: str | None = None,
) -> refund_service_pb2.CreateRefundRequest:
    return refund_service_pb2.CreateRefundRequest(
        refund=refund_pb2.Refund(
            case=case_about(order_id) if case is None else case,
            order_id=order_id,
            lines=[refund_pb2.RefundLine(order_line_id=lid, quantity=qty) for lid, qty in lines],
            reason=reason,  # type: ignore[arg-type]
            note=note,
        ),
        request_id=request_id,
    )


async def rich_error(call: object) -> RichError:
    """The error a call fails with (it must fail), with its google.rpc.Status details."""
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call  # type: ignore[misc]
    return RichError.from_rpc_error(caught.value)


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
    """Records what it receives, applies each event id once, and can refuse cases or hold calls; takes
    no batches (an older support_svc)."""

    received: list[refund_event_service_pb2.RecordRefundEventRequest] = field(default_factory=list)
    callers: list[Identity] = field(default_factory=list)
    unknown_cases: set[str] = field(default_factory=set)
    refused: list[str] = field(default_factory=list)
    fail_with: grpc.StatusCode | None = None  # every call fails with this code
    gate: asyncio.Event | None = None
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    batch_calls: int = 0

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

    async def BatchRecordRefundEvents(
        self, request: refund_event_service_pb2.BatchRecordRefundEventsRequest, context: Any
    ) -> refund_event_service_pb2.BatchRecordRefundEventsResponse:
        # A support_svc from before batches (as during a rolling deploy): the relay falls back to
        # RecordRefundEvent. Batches against the real support_svc: test_relay_batches.py.
        self.batch_calls += 1
        await context.abort(grpc.StatusCode.UNIMPLEMENTED, "Method not found!")
        raise AssertionError("abort raises")

    def event_ids(self) -> list[str]:
        return [request.event_id for request in self.received]


@dataclass
class FakeCaseLookup(case_service_pb2_grpc.CaseServiceServicer):
    """support_svc's GetCase as refund_svc uses it: the cases added, NOT_FOUND for any other."""

    cases: dict[str, case_pb2.Case] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    callers: list[Identity] = field(default_factory=list)

    def add(self, name: str, customer_id: str, order_id: str) -> None:
        self.cases[name] = case_pb2.Case(name=name, customer_id=customer_id, order_id=order_id)

    async def GetCase(
        self, request: case_service_pb2.GetCaseRequest, context: Any
    ) -> case_service_pb2.GetCaseResponse:
        self.asked.append(request.name)
        self.callers.append(current_identity())
        if request.name not in self.cases:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"{request.name} does not exist")
        return case_service_pb2.GetCaseResponse(case=self.cases[request.name])


class SupportStandIn:
    """A real grpc.aio server (with the real auth interceptor) serving FakeRefundEvents and
    FakeCaseLookup."""

    def __init__(self, servicer: FakeRefundEvents, cases: FakeCaseLookup | None = None) -> None:
        self.servicer = servicer
        self.cases = cases or FakeCaseLookup()  # type: ignore[abstract]  # serves GetCase only
        self.port = 0
        self._server: GrpcServer | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Starts on a free port the first time, then on the same port again (a restart)."""
        names = [
            refund_event_service_pb2.DESCRIPTOR.services_by_name["RefundEventService"].full_name,
            case_service_pb2.DESCRIPTOR.services_by_name["CaseService"].full_name,
        ]
        server = GrpcServer(
            port=self.port,
            service_names=names,
            interceptors=[RequestContextInterceptor(), AuthInterceptor(SECRET, "support.acme")],
            grace_s=0.5,
        )
        refund_event_service_pb2_grpc.add_RefundEventServiceServicer_to_server(self.servicer, server.server)
        case_service_pb2_grpc.add_CaseServiceServicer_to_server(self.cases, server.server)
        await server.start()
        self.port = server.port
        self._server = server

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.stop()
        self._server = None
