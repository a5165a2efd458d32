"""What the integration tests share: identities, a tiny shop, a client per identity, request builders.

The shop here serves a few fixed orders; the real stand-in lives in shop_stub/ and is tested there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import grpc
import pytest
from acme.shop.v1 import order_pb2, order_service_pb2, order_service_pb2_grpc
from acme.support.v1 import (
    case_pb2,
    case_service_pb2,
    case_service_pb2_grpc,
    refund_event_service_pb2,
    refund_event_service_pb2_grpc,
)
from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.timestamp_pb2 import Timestamp

from kit.errors import RichError
from kit.identity import Identity, Role, bearer_metadata
from support_svc.config import Settings
from support_svc.server import SupportGrpcServer
from tests.support_svc.fakes import FixedClock

SECRET = "s" * 40
ANA = Identity("cus_1001", Role.CUSTOMER)
BEN = Identity("cus_1002", Role.CUSTOMER)
SAM = Identity("agt_2001", Role.AGENT)
KIM = Identity("agt_2003", Role.AGENT)
LEE = Identity("agt_2002", Role.LEAD)
RELAY = Identity("refund_svc", Role.SYSTEM)  # refund_svc's outbox relay
BFF = Identity("bff", Role.SYSTEM)  # the BFF, which keeps case pages until they change

# order id -> (customer, line ids)
ORDERS = {
    "ord_1001": ("cus_1001", ("ln_1", "ln_2")),
    "ord_1002": ("cus_1001", ("ln_1",)),
    "ord_2001": ("cus_1002", ("ln_1", "ln_2", "ln_3")),
}


class FakeOrderService(order_service_pb2_grpc.OrderServiceServicer):
    """GetOrder over a few fixed orders; counts calls so tests can tell when the shop was asked."""

    def __init__(self) -> None:
        self.calls = 0

    async def ListOrders(self, request: Any, context: Any) -> order_service_pb2.ListOrdersResponse:
        await context.abort(grpc.StatusCode.UNIMPLEMENTED, "support_svc never lists orders")
        raise AssertionError("unreachable")

    async def GetOrder(self, request: Any, context: Any) -> order_service_pb2.GetOrderResponse:
        self.calls += 1
        order_id = request.name.removeprefix("orders/")
        if order_id not in ORDERS:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"no order {order_id}")
        customer_id, line_ids = ORDERS[order_id]
        return order_service_pb2.GetOrderResponse(
            order=order_pb2.Order(
                name=request.name,
                order_id=order_id,
                customer_id=customer_id,
                lines=[order_pb2.OrderLine(line_id=line_id, quantity=1) for line_id in line_ids],
            )
        )


def support_settings(tmp_path: Path, shop_port: int, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "port": 0,
        "db_path": tmp_path / "support.db",
        "shop_addr": f"127.0.0.1:{shop_port}",
        "shop_timeout_s": 1.0,
        "identity_secret": SECRET,
        "grace_s": 0.5,
        **overrides,
    }
    return Settings(**values)


class Client:
    """CaseService calls as one identity: `await client.CreateCase(request)`."""

    def __init__(self, stub: Any, identity: Identity | None) -> None:
        self._stub = stub
        self._metadata = bearer_metadata(SECRET, identity) if identity else ()

    def __getattr__(self, method: str) -> Callable[[Any], Awaitable[Any]]:
        call = getattr(self._stub, method)

        async def invoke(request: Any) -> Any:
            return await call(request, metadata=self._metadata, timeout=5)

        return invoke


class SupportHarness:
    def __init__(
        self, server: SupportGrpcServer, channel: grpc.aio.Channel, clock: FixedClock, shop: FakeOrderService
    ):
        self.server = server
        self.channel = channel
        self.clock = clock
        self.shop = shop
        self.stub = case_service_pb2_grpc.CaseServiceStub(channel)
        self.refund_events = refund_event_service_pb2_grpc.RefundEventServiceStub(channel)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server.port}"

    def as_(self, identity: Identity | None) -> Client:
        return Client(self.stub, identity)

    def relay(self, identity: Identity | None = RELAY) -> Client:
        """RefundEventService calls, by default as refund_svc's relay."""
        return Client(self.refund_events, identity)

    def watch(self, identity: Identity | None, name: str) -> Any:
        """A WatchCase stream (a grpc.aio call: `await call.read()`, `call.cancel()`)."""
        metadata = bearer_metadata(SECRET, identity) if identity else ()
        return self.stub.WatchCase(
            case_service_pb2.WatchCaseRequest(name=name), metadata=metadata, timeout=10
        )

    def watch_all(self, identity: Identity | None = BFF) -> Any:
        """A WatchCases stream (every case's changes), by default as the BFF."""
        metadata = bearer_metadata(SECRET, identity) if identity else ()
        return self.stub.WatchCases(case_service_pb2.WatchCasesRequest(), metadata=metadata, timeout=10)


async def rich_error(call: Awaitable[Any]) -> RichError:
    """The rich error a call fails with (and a test failure if it succeeds)."""
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return RichError.from_rpc_error(caught.value)


def create_request(order_id: str = "ord_1001", request_id: str = "", **fields: Any) -> Any:
    values: dict[str, Any] = {
        "order_id": order_id,
        "category": case_pb2.CASE_CATEGORY_DAMAGED_ITEM,
        "subject": "The mug arrived broken",
        "description": "The handle came off in the box.",
    } | fields
    return case_service_pb2.CreateCaseRequest(case=case_pb2.Case(**values), request_id=request_id)


async def open_case(support: SupportHarness, who: Identity = ANA, **fields: Any) -> Any:
    reply = await support.as_(who).CreateCase(create_request(**fields))
    return reply.case


async def reply(
    support: SupportHarness, who: Identity, case: Any, body: str, *, internal: bool = False
) -> Any:
    return await support.as_(who).AddCaseMessage(
        case_service_pb2.AddCaseMessageRequest(parent=case.name, body=body, internal=internal)
    )


async def get_full(support: SupportHarness, who: Identity, name: str) -> Any:
    return await support.as_(who).GetCase(
        case_service_pb2.GetCaseRequest(name=name, view=case_service_pb2.CASE_VIEW_FULL)
    )


def update_request(case: Any, *, etag: str | None = None, **fields: Any) -> Any:
    return case_service_pb2.UpdateCaseRequest(
        case=case_pb2.Case(name=case.name, etag=etag or case.etag, **fields),
        update_mask=FieldMask(paths=list(fields)),
    )


def refund_event(
    case: Any,
    kind: int,
    event_id: str,
    *,
    refund: str = "refunds/rf_1",
    number: str = "R-2001",
    amount_minor: int = 3508,
    seconds: int = 0,
    **fields: Any,
) -> refund_event_service_pb2.RecordRefundEventRequest:
    """A RecordRefundEvent request as refund_svc's relay sends it; refund_open follows the kind."""
    open_kinds = (
        refund_event_service_pb2.REFUND_EVENT_KIND_REQUESTED,
        refund_event_service_pb2.REFUND_EVENT_KIND_APPROVED,
        refund_event_service_pb2.REFUND_EVENT_KIND_PROCESSING,
    )
    values: dict[str, Any] = {
        "parent": case.name,
        "event_id": event_id,
        "refund": refund,
        "refund_number": number,
        "kind": kind,
        "amount_minor": amount_minor,
        "currency_code": "EUR",
        "actor_id": "system",
        "occur_time": Timestamp(seconds=1_780_000_000 + seconds),
        "refund_open": kind in open_kinds,
    } | fields
    return refund_event_service_pb2.RecordRefundEventRequest(**values)
