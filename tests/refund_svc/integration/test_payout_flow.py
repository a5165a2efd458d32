"""Paying out over the real stack: gRPC server, SQLite, the shop stand-in, the simulated gateway.

The payout worker runs in the background as in production; tests wait for its outcome.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
from acme.refund.v1 import refund_pb2, refund_service_pb2_grpc
from acme.refund.v1.refund_service_pb2 import (
    ApproveRefundRequest,
    ApproveRefundResponse,
    CreateRefundResponse,
    GetRefundRequest,
    GetRefundResponse,
    RetryRefundRequest,
)

from kit.errors import RichError
from kit.identity import Identity
from refund_svc.application.payouts import PayoutOutcome
from refund_svc.application.ports import PayoutRequest, PayoutResult
from refund_svc.infrastructure.payment_gateway import SimulatedPaymentGateway
from tests.refund_svc.integration.servers import (
    ANA,
    KIM,
    LEE,
    SAM,
    RunningRefunds,
    auth,
    create_request,
    eventually,
    outbox_rows,
    refund_settings,
    start_refunds,
    stop_refunds,
)

pytestmark = pytest.mark.integration

Stub = refund_service_pb2_grpc.RefundServiceStub
S = refund_pb2


class CountingGateway(SimulatedPaymentGateway):
    """The simulated gateway, counting calls per idempotency key (and able to 'crash' after paying)."""

    def __init__(self, path: Path, **options: object) -> None:
        super().__init__(path, latency_ms=5, **options)  # type: ignore[arg-type]
        self.calls_per_key: Counter[str] = Counter()
        self.crash_after_paying = False

    async def pay_out(self, request: PayoutRequest) -> PayoutResult:
        self.calls_per_key[request.idempotency_key] += 1
        result = await super().pay_out(request)
        if self.crash_after_paying:
            raise RuntimeError("the process died after the gateway paid")
        return result


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[CountingGateway]:
    gateway = CountingGateway(tmp_path / "gateway.db")
    await gateway.open()
    try:
        yield gateway
    finally:
        await gateway.close()


@pytest.fixture
async def running(
    tmp_path: Path, shop_address: str, gateway: CountingGateway
) -> AsyncIterator[RunningRefunds]:
    running = await start_refunds(refund_settings(tmp_path / "refund.db", shop_address), payments=gateway)
    try:
        yield running
    finally:
        await stop_refunds(running)


@pytest.fixture
async def stub(running: RunningRefunds) -> AsyncIterator[Stub]:
    async with running.channel() as channel:
        yield Stub(channel)


async def create(stub: Stub, order_id: str = "ord_1001", line: str = "ln_1") -> refund_pb2.Refund:
    request = create_request(order_id, ((line, 1),), request_id=f"{order_id}-{line}")
    response: CreateRefundResponse = await stub.CreateRefund(request, metadata=auth(ANA))
    return response.refund


async def get(stub: Stub, name: str) -> refund_pb2.Refund:
    response: GetRefundResponse = await stub.GetRefund(GetRefundRequest(name=name), metadata=auth(SAM))
    return response.refund


async def until_status(stub: Stub, name: str, status: int) -> refund_pb2.Refund:
    async def reached() -> bool:
        return (await get(stub, name)).status == status

    await eventually(reached)
    return await get(stub, name)


async def test_create_approve_and_the_worker_pays_it_out_with_an_event_per_change(
    stub: Stub, running: RunningRefunds, gateway: CountingGateway
) -> None:
    refund = await create(stub)  # 79.00 of order 1001: an agent approves
    await stub.ApproveRefund(
        ApproveRefundRequest(name=refund.name, comment="Broken hinge"), metadata=auth(SAM)
    )

    paid = await until_status(stub, refund.name, S.REFUND_STATUS_REFUNDED)

    refund_id = refund.name.removeprefix("refunds/")
    assert paid.payout_reference.startswith("po_")
    assert paid.failure_reason == ""
    stored = await gateway.find(refund_id)
    assert stored is not None
    assert (stored.reference, stored.amount_minor, stored.currency_code) == (
        paid.payout_reference,
        7900,
        "EUR",
    )
    assert gateway.calls_per_key == Counter({refund_id: 1})
    rows = await outbox_rows(running.app.database.path)
    assert [(r.kind, r.actor_id, r.note, r.refund_open, r.amount_minor) for r in rows] == [
        ("REQUESTED", "cus_1001", "", True, 7900),
        ("APPROVED", "agt_2001", "Broken hinge", True, 7900),
        ("PROCESSING", "system", "payout started", True, 7900),
        ("REFUNDED", "system", "paid out", False, 7900),
    ]
    assert {(r.refund_id, r.case_name) for r in rows} == {(refund_id, "cases/C-1001")}
    assert len({r.event_id for r in rows}) == 4
    stats = await running.app.outbox_stats()
    assert (stats.backlog, stats.dead_letters) == (4, 0)  # support is not running in this test


async def test_a_declined_payout_fails_with_its_reason_and_a_retry_as_store_credit_pays_it(
    stub: Stub, running: RunningRefunds, gateway: CountingGateway
) -> None:
    gateway.failure_rate = 1.0  # every card payout is declined
    refund = await create(stub, line="ln_2")  # 11.69: approved by policy, paid out at once

    failed = await until_status(stub, refund.name, S.REFUND_STATUS_FAILED)
    retried = await stub.RetryRefund(
        RetryRefundRequest(name=failed.name, etag=failed.etag, method=S.REFUND_METHOD_STORE_CREDIT),
        metadata=auth(KIM),
    )
    paid = await until_status(stub, refund.name, S.REFUND_STATUS_REFUNDED)

    assert failed.failure_reason  # shown to agents, e.g. "The card has expired"
    assert retried.refund.status == S.REFUND_STATUS_PROCESSING
    assert retried.refund.method == S.REFUND_METHOD_STORE_CREDIT
    assert paid.method == S.REFUND_METHOD_STORE_CREDIT
    assert paid.failure_reason == failed.failure_reason  # the record of the failure stays
    kinds = [(r.kind, r.actor_id) for r in await outbox_rows(running.app.database.path)]
    assert kinds == [
        ("REQUESTED", "cus_1001"),
        ("APPROVED", "system"),
        ("PROCESSING", "system"),
        ("FAILED", "system"),
        ("PROCESSING", "agt_2003"),
        ("REFUNDED", "system"),
    ]
    assert await gateway.payout_count() == 1


async def test_a_retry_with_the_same_method_pays_once_the_gateway_accepts(
    stub: Stub, gateway: CountingGateway
) -> None:
    gateway.failure_rate = 1.0
    refund = await create(stub, line="ln_2")
    failed = await until_status(stub, refund.name, S.REFUND_STATUS_FAILED)

    gateway.failure_rate = 0.0
    await stub.RetryRefund(RetryRefundRequest(name=failed.name), metadata=auth(SAM))
    paid = await until_status(stub, refund.name, S.REFUND_STATUS_REFUNDED)

    assert paid.method == S.REFUND_METHOD_ORIGINAL_PAYMENT
    refund_id = refund.name.removeprefix("refunds/")
    assert gateway.calls_per_key[refund_id] == 2
    assert await gateway.payout_count() == 1


async def test_after_a_crash_between_paying_and_recording_a_restart_gets_the_earlier_payout(
    tmp_path: Path, shop_address: str
) -> None:
    settings = refund_settings(tmp_path / "refund.db", shop_address, gateway_db_path=tmp_path / "gw.db")
    crashing = CountingGateway(tmp_path / "gw.db")
    crashing.crash_after_paying = True
    await crashing.open()
    first = await start_refunds(settings, payments=crashing)
    try:
        async with first.channel() as channel:
            refund = await create(Stub(channel), line="ln_2")  # approved by policy: paid at once

        async def paid_once() -> bool:
            return await crashing.payout_count() == 1

        await eventually(paid_once)
        async with first.channel() as channel:
            assert (await get(Stub(channel), refund.name)).status == S.REFUND_STATUS_PROCESSING
    finally:
        await stop_refunds(first)
        await crashing.close()
    earlier = await _stored_reference(tmp_path / "gw.db", refund.name)

    second = await start_refunds(settings)  # the default gateway, on the same gateway file
    try:
        async with second.channel() as channel:
            paid = await until_status(Stub(channel), refund.name, S.REFUND_STATUS_REFUNDED)
        gateway = second.app.payments
        assert isinstance(gateway, SimulatedPaymentGateway)
        assert await gateway.payout_count() == 1
    finally:
        await stop_refunds(second)

    assert paid.payout_reference == earlier


async def _stored_reference(path: Path, name: str) -> str:
    gateway = SimulatedPaymentGateway(path)
    await gateway.open()
    try:
        stored = await gateway.find(name.removeprefix("refunds/"))
    finally:
        await gateway.close()
    assert stored is not None
    return stored.reference


async def _approve_on_own_channel(
    running: RunningRefunds, name: str, who: Identity
) -> refund_pb2.Refund | RichError:
    async with running.channel() as channel:
        try:
            response: ApproveRefundResponse = await Stub(channel).ApproveRefund(
                ApproveRefundRequest(name=name), metadata=auth(who)
            )
        except grpc.aio.AioRpcError as error:
            return RichError.from_rpc_error(error)
    return response.refund


async def test_fifty_concurrent_approvals_make_one_transition_one_payout_one_event_of_each_kind(
    stub: Stub, running: RunningRefunds, gateway: CountingGateway
) -> None:
    refund = await create(stub)
    approvers = [SAM, KIM, LEE] * 16 + [SAM, KIM]

    results = await asyncio.gather(*(_approve_on_own_channel(running, refund.name, a) for a in approvers))

    approved = [r for r in results if isinstance(r, refund_pb2.Refund)]
    refused = [r for r in results if isinstance(r, RichError)]
    assert len(approved) == 1
    assert {(e.code, e.reason) for e in refused} == {
        (grpc.StatusCode.FAILED_PRECONDITION, "INVALID_STATE_TRANSITION")
    }
    await until_status(stub, refund.name, S.REFUND_STATUS_REFUNDED)
    await asyncio.sleep(0.1)  # give a second payout, were there one, the time to happen
    assert sum(gateway.calls_per_key.values()) == 1
    assert await gateway.payout_count() == 1
    kinds = Counter(r.kind for r in await outbox_rows(running.app.database.path))
    assert kinds == Counter({"REQUESTED": 1, "APPROVED": 1, "PROCESSING": 1, "REFUNDED": 1})


async def test_fifty_concurrent_payouts_of_one_refund_pay_once(
    tmp_path: Path, shop_address: str, gateway: CountingGateway
) -> None:
    settings = refund_settings(tmp_path / "refund.db", shop_address)
    running = await start_refunds(settings, payments=gateway, background=False)  # we are the workers
    try:
        async with running.channel() as channel:
            refund = await create(Stub(channel), line="ln_2")  # approved by policy
            refund_id = refund.name.removeprefix("refunds/")

            outcomes = await asyncio.gather(*(running.app.pay_out.execute(refund_id) for _ in range(50)))

            paid = await get(Stub(channel), refund.name)
    finally:
        await stop_refunds(running)

    assert Counter(outcomes) == Counter({PayoutOutcome.REFUNDED: 1, PayoutOutcome.NOT_DUE: 49})
    assert gateway.calls_per_key == Counter({refund_id: 1})
    assert paid.status == S.REFUND_STATUS_REFUNDED
    kinds = Counter(r.kind for r in await outbox_rows(tmp_path / "refund.db"))
    assert kinds == Counter({"REQUESTED": 1, "APPROVED": 1, "PROCESSING": 1, "REFUNDED": 1})
