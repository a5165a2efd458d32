"""With support_svc stopped, refunds are still approved and paid; once it is back, every refund
event appears on its case's timeline exactly once (the real processes, the real outbox relay)."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
from acme.refund.v1 import refund_pb2, refund_service_pb2, refund_service_pb2_grpc
from acme.support.v1 import case_pb2, case_service_pb2, case_service_pb2_grpc

from kit.identity import Identity, Role, bearer_metadata
from launcher.system import DEFAULT_PORTS, Layout, Supervisor, free_port, new_secret

pytestmark = pytest.mark.integration

ANA = Identity("cus_1001", Role.CUSTOMER)
SAM = Identity("agt_2001", Role.AGENT)


@pytest.fixture
async def supervisor(tmp_path: Path) -> AsyncIterator[Supervisor]:
    layout = Layout(
        data_dir=tmp_path,
        ports={name: free_port() for name in DEFAULT_PORTS},
        redis_url="",
        identity_secret=new_secret(),
        # A short relay backoff, so that delivery resumes soon after support is back.
        extra_env={
            "LOG_LEVEL": "WARNING",
            "REFUND_RELAY_BACKOFF_MAX_S": "0.5",
            "REFUND_GATEWAY_LATENCY_MS": "5",
        },
    )
    sup = Supervisor(layout, echo=lambda name, line: None)
    await sup.start()
    yield sup  # no watch(): this test decides when support comes back
    await sup.stop()


async def test_events_wait_for_support_and_arrive_once(supervisor: Supervisor) -> None:
    layout = supervisor.layout
    ana = bearer_metadata(layout.identity_secret, ANA, ttl_s=600)
    sam = bearer_metadata(layout.identity_secret, SAM, ttl_s=600)
    async with (
        grpc.aio.insecure_channel(layout.addr("support")) as support_ch,
        grpc.aio.insecure_channel(layout.addr("refund")) as refund_ch,
    ):
        cases = case_service_pb2_grpc.CaseServiceStub(support_ch)
        refunds = refund_service_pb2_grpc.RefundServiceStub(refund_ch)
        opened = await cases.CreateCase(
            case_service_pb2.CreateCaseRequest(
                case=case_pb2.Case(
                    order_id="ord_1001",
                    category=case_pb2.CASE_CATEGORY_DAMAGED_ITEM,
                    subject="Headphones crackle",
                    description="The left side crackles.",
                ),
                request_id="case-1",
            ),
            metadata=ana,
        )
        case_name = opened.case.name

        # 79.00 EUR: above the auto-approve limit, so an agent approves it while support is down.
        created = await refunds.CreateRefund(
            refund_service_pb2.CreateRefundRequest(
                refund=refund_pb2.Refund(
                    case=case_name,
                    order_id="ord_1001",
                    lines=[refund_pb2.RefundLine(order_line_id="ln_1", quantity=1)],
                    reason=refund_pb2.REFUND_REASON_DAMAGED,
                    method=refund_pb2.REFUND_METHOD_ORIGINAL_PAYMENT,
                ),
                request_id="refund-1",
            ),
            metadata=ana,
        )
        support = supervisor.procs["support"]
        support.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(support.wait(), 30) == 0

        assert created.refund.status == refund_pb2.REFUND_STATUS_PENDING_APPROVAL
        await refunds.ApproveRefund(
            refund_service_pb2.ApproveRefundRequest(name=created.refund.name, etag=created.refund.etag),
            metadata=sam,
        )
        status = None
        for _ in range(100):
            got = await refunds.GetRefund(
                refund_service_pb2.GetRefundRequest(name=created.refund.name), metadata=sam
            )
            status = got.refund.status
            if status == refund_pb2.REFUND_STATUS_REFUNDED:
                break
            await asyncio.sleep(0.1)
        assert status == refund_pb2.REFUND_STATUS_REFUNDED  # paid while support_svc was down

        await supervisor._spawn("support")
        await supervisor._wait_ready("support")

        summaries: list[str] = []
        for _ in range(150):
            full = await cases.GetCase(
                case_service_pb2.GetCaseRequest(name=case_name, view=case_service_pb2.CASE_VIEW_FULL),
                metadata=ana,
            )
            summaries = [e.summary for e in full.events if e.kind == case_pb2.CASE_EVENT_KIND_REFUND_EVENT]
            if any("paid back" in s for s in summaries) and full.case.status == case_pb2.CASE_STATUS_RESOLVED:
                break
            await asyncio.sleep(0.1)
        # Give a duplicate delivery, were there one, the time to show up.
        await asyncio.sleep(1.0)
        full = await cases.GetCase(
            case_service_pb2.GetCaseRequest(name=case_name, view=case_service_pb2.CASE_VIEW_FULL),
            metadata=ana,
        )
        summaries = [e.summary for e in full.events if e.kind == case_pb2.CASE_EVENT_KIND_REFUND_EVENT]
        number, amount = created.refund.refund_number, "€79.00"
        assert summaries == [  # each event once, in the order it happened
            f"Refund {number} of {amount} was requested",
            f"Refund {number} of {amount} was approved",
            f"Refund {number} of {amount} is being paid back",
            f"Refund {number} of {amount} was paid back",
        ]
        # The last open refund was paid back: the case was resolved by rule.
        assert full.case.status == case_pb2.CASE_STATUS_RESOLVED
        assert full.case.open_refund_count == 0
