"""The invariants hold under concurrency: one refund per request_id, never beyond what was paid."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
import pytest
from acme.refund.v1 import refund_pb2, refund_service_pb2, refund_service_pb2_grpc

from kit.errors import RichError
from tests.refund_svc.integration.servers import (
    ANA,
    SAM,
    RunningRefunds,
    auth,
    create_request,
    refund_settings,
    start_refunds,
    stop_refunds,
)

pytestmark = pytest.mark.integration

LINE_PAID_MINOR = 3508  # ord_1001 ln_2: three phone cases at 12.99 with 10 % off


async def _all_refunds(running: RunningRefunds) -> list[refund_pb2.Refund]:
    async with running.channel() as channel:
        response = await refund_service_pb2_grpc.RefundServiceStub(channel).ListRefunds(
            refund_service_pb2.ListRefundsRequest(page_size=100), metadata=auth(SAM)
        )
    return list(response.refunds)


async def _create_on_own_channel(
    running: RunningRefunds, request: refund_service_pb2.CreateRefundRequest
) -> refund_pb2.Refund | RichError:
    async with running.channel() as channel:
        stub = refund_service_pb2_grpc.RefundServiceStub(channel)
        try:
            response: refund_service_pb2.CreateRefundResponse = await stub.CreateRefund(
                request, metadata=auth(ANA), timeout=30
            )
        except grpc.aio.AioRpcError as error:
            return RichError.from_rpc_error(error)
    return response.refund


async def test_a_hundred_concurrent_creates_with_one_request_id_make_one_refund(
    refunds: RunningRefunds,
) -> None:
    request = create_request(lines=(("ln_2", 1),), request_id="same-key")

    results = await asyncio.gather(*(_create_on_own_channel(refunds, request) for _ in range(100)))

    errors = [r for r in results if isinstance(r, RichError)]
    assert errors == []
    assert len({r.name for r in results if isinstance(r, refund_pb2.Refund)}) == 1
    stored = await _all_refunds(refunds)
    assert len(stored) == 1
    assert stored[0].refund_number == "R-2001"


@pytest.mark.parametrize("round_", range(20))
async def test_two_hundred_concurrent_thirds_of_a_line_accept_exactly_three(
    tmp_path: Path, shop_address: str, round_: int
) -> None:
    running = await start_refunds(refund_settings(tmp_path / f"round{round_}.db", shop_address))
    try:
        requests = [create_request(lines=(("ln_2", 1),), request_id=f"third-{i}") for i in range(200)]

        results = await asyncio.gather(*(_create_on_own_channel(running, r) for r in requests))

        accepted = [r for r in results if isinstance(r, refund_pb2.Refund)]
        refused = [r for r in results if isinstance(r, RichError)]
        assert len(accepted) == 3
        assert {(e.code, e.reason) for e in refused} == {
            (grpc.StatusCode.INVALID_ARGUMENT, "QUANTITY_NOT_REFUNDABLE")
        }
        assert sum(r.total.amount_minor for r in accepted) == LINE_PAID_MINOR
        stored = await _all_refunds(running)
        assert sorted(r.name for r in stored) == sorted(r.name for r in accepted)
        assert sum(r.lines[0].quantity for r in stored) == 3
        assert sum(r.total.amount_minor for r in stored) <= LINE_PAID_MINOR
    finally:
        await stop_refunds(running)
