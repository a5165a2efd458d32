"""Helpers for integration tests: identities, settings, starting and stopping refund_svc, requests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import grpc
from acme.refund.v1 import refund_pb2, refund_service_pb2

from kit.identity import Identity, Role, bearer_metadata
from refund_svc.config import Settings as RefundSettings
from refund_svc.server import RefundApp, create_app

SECRET = "integration-tests-only-secret-0123456789"
ANA = Identity("cus_1001", Role.CUSTOMER)
BEN = Identity("cus_1002", Role.CUSTOMER)
SAM = Identity("agt_2001", Role.AGENT)
LEE = Identity("agt_2002", Role.LEAD)


@dataclass
class RunningRefunds:
    app: RefundApp
    address: str

    def channel(self) -> grpc.aio.Channel:
        return grpc.aio.insecure_channel(self.address)


def refund_settings(db_path: Path, shop_address: str, **overrides: object) -> RefundSettings:
    values = {"ACME_IDENTITY_SECRET": SECRET, "port": 0, "db_path": db_path, "shop_addr": shop_address}
    return RefundSettings.model_validate(values | overrides)


async def start_refunds(settings: RefundSettings) -> RunningRefunds:
    app = create_app(settings)
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
