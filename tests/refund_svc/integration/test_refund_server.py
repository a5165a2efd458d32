"""refund_svc end to end over gRPC: real server, real SQLite, the real shop stand-in."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import grpc
import pytest
from acme.refund.v1 import refund_pb2, refund_service_pb2_grpc
from acme.refund.v1.refund_service_pb2 import (
    CreateRefundRequest,
    GetRefundRequest,
    ListRefundsRequest,
    QuoteRefundRequest,
)
from grpc_health.v1 import health_pb2, health_pb2_grpc

from kit.identity import METADATA_KEY, mint_token
from tests.refund_svc.integration.servers import (
    ANA,
    BEN,
    LEE,
    SAM,
    SECRET,
    RunningRefunds,
    auth,
    create_request,
    refund_settings,
    rich_error,
    start_refunds,
    stop_refunds,
)

pytestmark = pytest.mark.integration

Stub = refund_service_pb2_grpc.RefundServiceStub
GRPCURL = Path(__file__).resolve().parents[3] / ".venv" / "bin" / "grpcurl"


async def list_all(stub: Stub, identity: object = SAM) -> list[refund_pb2.Refund]:
    response = await stub.ListRefunds(
        ListRefundsRequest(page_size=100),
        metadata=auth(identity),  # type: ignore[arg-type]
    )
    return list(response.refunds)


async def test_a_small_refund_is_priced_by_the_shop_and_approved_by_policy(stub: Stub) -> None:
    request = create_request("ord_1001", (("ln_2", 1),))
    request.refund.lines[0].amount.amount_minor = 1  # the caller's amounts are ignored
    request.refund.customer_id = "cus_1002"  # so is the caller's say on whose refund it is

    created = (await stub.CreateRefund(request, metadata=auth(ANA))).refund

    assert created.refund_number == "R-2001"
    assert created.name.startswith("refunds/")
    assert created.customer_id == "cus_1001"
    assert created.lines[0].amount == refund_pb2.Money(amount_minor=1169, currency_code="EUR")
    assert created.total.amount_minor == 1169
    assert created.status == refund_pb2.REFUND_STATUS_APPROVED
    assert created.method == refund_pb2.REFUND_METHOD_ORIGINAL_PAYMENT
    assert created.requested_by == "cus_1001"
    assert created.decision.outcome == refund_pb2.REFUND_STATUS_APPROVED
    assert created.decision.decided_by == "system"
    assert created.decision.policy == refund_pb2.APPROVAL_POLICY_AUTO_APPROVE
    assert created.etag == '"2"'

    fetched = (await stub.GetRefund(GetRefundRequest(name=created.name), metadata=auth(ANA))).refund
    # The payout worker may have claimed it meanwhile (PROCESSING, a later etag): the same refund.
    assert fetched.status in (refund_pb2.REFUND_STATUS_APPROVED, refund_pb2.REFUND_STATUS_PROCESSING)
    for moved_on in ("status", "etag", "update_time"):
        fetched.ClearField(moved_on)
        created.ClearField(moved_on)
    assert fetched == created


async def test_a_refund_above_the_lead_limit_waits_for_a_lead(stub: Stub) -> None:
    created = (await stub.CreateRefund(create_request("ord_1004", (("ln_1", 1),)), metadata=auth(ANA))).refund

    assert created.total.amount_minor == 64900
    assert created.status == refund_pb2.REFUND_STATUS_PENDING_APPROVAL
    assert created.required_approval == refund_pb2.APPROVAL_POLICY_LEAD_APPROVAL
    assert not created.HasField("decision")


async def test_outside_the_window_a_customer_is_refused_and_an_agent_needs_a_note(stub: Stub) -> None:
    closed = await rich_error(stub.CreateRefund(create_request("ord_1002"), metadata=auth(ANA)))
    assert closed.code == grpc.StatusCode.FAILED_PRECONDITION
    assert closed.reason == "REFUND_WINDOW_CLOSED"
    assert "refund window" in closed.message
    assert closed.precondition_violations[0].type == "REFUND_WINDOW_CLOSED"

    no_note = await rich_error(
        stub.CreateRefund(create_request("ord_1002", (("ln_1", 1),), request_id="s1"), metadata=auth(SAM))
    )
    assert no_note.code == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in no_note.field_violations] == ["refund.note"]

    with_note = await stub.CreateRefund(
        create_request("ord_1002", (("ln_1", 1),), request_id="s2", note="Courier confirmed"),
        metadata=auth(SAM),
    )
    assert with_note.refund.status == refund_pb2.REFUND_STATUS_PENDING_APPROVAL
    assert with_note.refund.outside_refund_window
    assert with_note.refund.customer_id == "cus_1001"


@pytest.mark.parametrize(
    ("request_", "field", "reason"),
    [
        (create_request(lines=(("ln_9", 1),)), "refund.lines[0].order_line_id", "LINE_NOT_IN_ORDER"),
        (create_request(lines=(("ln_2", 0),)), "refund.lines[0].quantity", "INVALID_ARGUMENT"),
        (create_request(lines=(("ln_2", 4),)), "refund.lines[0].quantity", "QUANTITY_NOT_REFUNDABLE"),
        (create_request(reason=refund_pb2.REFUND_REASON_UNSPECIFIED), "refund.reason", "INVALID_ARGUMENT"),
        (create_request(request_id=""), "request_id", "INVALID_ARGUMENT"),
        (create_request(case="C-1"), "refund.case", "INVALID_ARGUMENT"),
    ],
)
async def test_a_bad_field_is_named_and_nothing_is_stored(
    stub: Stub, request_: CreateRefundRequest, field: str, reason: str
) -> None:
    error = await rich_error(stub.CreateRefund(request_, metadata=auth(ANA)))

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.reason == reason
    assert error.domain == "refund.acme"
    assert [v.field for v in error.field_violations] == [field]
    assert field in error.message
    assert await list_all(stub) == []


async def test_the_same_request_id_returns_the_first_refund_and_other_content_is_refused(stub: Stub) -> None:
    # 79.00 waits for approval, so nothing (no payout) changes it between the calls.
    first = await stub.CreateRefund(create_request(lines=(("ln_1", 1),), request_id="k1"), metadata=auth(ANA))
    again = await stub.CreateRefund(create_request(lines=(("ln_1", 1),), request_id="k1"), metadata=auth(ANA))
    other = await rich_error(
        stub.CreateRefund(create_request(lines=(("ln_2", 2),), request_id="k1"), metadata=auth(ANA))
    )

    assert again.refund == first.refund
    assert other.code == grpc.StatusCode.ALREADY_EXISTS
    assert other.reason == "REQUEST_ID_REUSED"
    assert "k1" in other.message
    assert len(await list_all(stub)) == 1


async def test_customers_reach_only_their_own_orders_and_refunds(stub: Stub) -> None:
    anas = (await stub.CreateRefund(create_request(), metadata=auth(ANA))).refund

    get = await rich_error(stub.GetRefund(GetRefundRequest(name=anas.name), metadata=auth(BEN)))
    quote = await rich_error(stub.QuoteRefund(QuoteRefundRequest(order_id="ord_1001"), metadata=auth(BEN)))
    create = await rich_error(stub.CreateRefund(create_request(request_id="b1"), metadata=auth(BEN)))
    listed = await list_all(stub, BEN)
    filtered = await stub.ListRefunds(ListRefundsRequest(order_id="ord_1001"), metadata=auth(BEN))

    assert (get.code, get.reason) == (grpc.StatusCode.NOT_FOUND, "REFUND_NOT_FOUND")
    assert (quote.code, quote.reason) == (grpc.StatusCode.NOT_FOUND, "ORDER_NOT_FOUND")
    assert (create.code, create.reason) == (grpc.StatusCode.NOT_FOUND, "ORDER_NOT_FOUND")
    assert listed == []
    assert list(filtered.refunds) == []
    assert [r.name for r in await list_all(stub, LEE)] == [anas.name]


async def test_an_unknown_order_or_refund_is_not_found(stub: Stub) -> None:
    order = await rich_error(stub.CreateRefund(create_request("ord_404"), metadata=auth(SAM)))
    refund = await rich_error(stub.GetRefund(GetRefundRequest(name="refunds/nope"), metadata=auth(SAM)))

    assert order.code == refund.code == grpc.StatusCode.NOT_FOUND


async def test_quote_shows_what_each_line_can_still_refund(stub: Stub) -> None:
    await stub.CreateRefund(create_request(lines=(("ln_2", 2),)), metadata=auth(ANA))

    quote = await stub.QuoteRefund(QuoteRefundRequest(order_id="ord_1001"), metadata=auth(ANA))

    lines = {line.order_line_id: line for line in quote.lines}
    assert quote.currency_code == "EUR"
    assert quote.refund_window_open
    assert quote.HasField("refund_window_end_time")
    assert lines["ln_1"].quantity_refundable == 1
    assert lines["ln_1"].amount_refundable.amount_minor == 7900
    assert lines["ln_2"].product_title == "Phone case"
    assert (lines["ln_2"].quantity_bought, lines["ln_2"].quantity_refundable) == (3, 1)
    assert lines["ln_2"].amount_paid.amount_minor == 3508
    assert lines["ln_2"].amount_refundable.amount_minor == 3508 - 2338


async def test_quote_of_an_undelivered_order_has_an_open_window_without_an_end(stub: Stub) -> None:
    quote = await stub.QuoteRefund(QuoteRefundRequest(order_id="ord_1003"), metadata=auth(ANA))

    assert quote.refund_window_open
    assert not quote.HasField("refund_window_end_time")


async def test_list_pages_newest_first_with_filters(stub: Stub) -> None:
    for i, (order, line) in enumerate([("ord_1001", "ln_1"), ("ord_1001", "ln_2"), ("ord_1004", "ln_2")]):
        await stub.CreateRefund(create_request(order, ((line, 1),), request_id=f"r{i}"), metadata=auth(ANA))

    first = await stub.ListRefunds(ListRefundsRequest(page_size=2), metadata=auth(ANA))
    second = await stub.ListRefunds(
        ListRefundsRequest(page_size=2, page_token=first.next_page_token), metadata=auth(ANA)
    )
    by_order = await stub.ListRefunds(ListRefundsRequest(order_id="ord_1004"), metadata=auth(SAM))
    pending = await stub.ListRefunds(
        ListRefundsRequest(statuses=[refund_pb2.REFUND_STATUS_PENDING_APPROVAL]),
        metadata=auth(SAM),
    )
    by_case = await stub.ListRefunds(ListRefundsRequest(case="cases/other"), metadata=auth(SAM))

    assert [r.refund_number for r in first.refunds] == ["R-2003", "R-2002"]
    assert [r.refund_number for r in second.refunds] == ["R-2001"]
    assert second.next_page_token == ""
    assert [r.refund_number for r in by_order.refunds] == ["R-2003"]
    assert [r.refund_number for r in pending.refunds] == ["R-2001"]  # 79.00: an agent decides
    assert list(by_case.refunds) == []


async def test_a_page_token_from_another_query_is_refused(stub: Stub) -> None:
    for i in range(2):
        await stub.CreateRefund(create_request(lines=(("ln_2", 1),), request_id=f"p{i}"), metadata=auth(ANA))
    first = await stub.ListRefunds(ListRefundsRequest(page_size=1), metadata=auth(ANA))

    error = await rich_error(
        stub.ListRefunds(
            ListRefundsRequest(page_size=1, page_token=first.next_page_token, order_id="x"),
            metadata=auth(ANA),
        )
    )
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in error.field_violations] == ["page_token"]


@pytest.mark.parametrize(
    "metadata",
    [
        (),
        ((METADATA_KEY, "Bearer not-a-jwt"),),
        ((METADATA_KEY, f"Bearer {mint_token(SECRET, ANA, ttl_s=60, now=time.time() - 3600)}"),),
        ((METADATA_KEY, f"Bearer {mint_token('another-secret-that-is-long-enough-000', ANA)}"),),
        ((METADATA_KEY, f"Basic {mint_token(SECRET, ANA)}"),),
    ],
    ids=["none", "garbage", "expired", "forged", "wrong-scheme"],
)
async def test_calls_without_a_valid_token_are_unauthenticated(
    stub: Stub, metadata: tuple[tuple[str, str], ...]
) -> None:
    for call in (
        stub.CreateRefund(create_request(), metadata=metadata),
        stub.ListRefunds(ListRefundsRequest(), metadata=metadata),
        stub.QuoteRefund(QuoteRefundRequest(order_id="ord_1001"), metadata=metadata),
    ):
        error = await rich_error(call)
        assert error.code == grpc.StatusCode.UNAUTHENTICATED
    assert await list_all(stub) == []


async def test_health_is_serving(refunds: RunningRefunds) -> None:
    async with refunds.channel() as channel:
        health = health_pb2_grpc.HealthStub(channel)
        overall = await health.Check(health_pb2.HealthCheckRequest())
        service = await health.Check(health_pb2.HealthCheckRequest(service="acme.refund.v1.RefundService"))

    assert overall.status == health_pb2.HealthCheckResponse.SERVING
    assert service.status == health_pb2.HealthCheckResponse.SERVING


async def test_reflection_lists_the_service_for_grpcurl(refunds: RunningRefunds) -> None:
    process = await asyncio.create_subprocess_exec(
        str(GRPCURL),
        "-plaintext",
        refunds.address,
        "list",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)

    assert process.returncode == 0, stderr.decode()
    assert "acme.refund.v1.RefundService" in stdout.decode().split()


async def test_a_shop_outage_is_unavailable_and_changes_nothing(tmp_path: Path) -> None:
    running = await start_refunds(refund_settings(tmp_path / "r.db", "127.0.0.1:1", shop_deadline_s=0.5))
    try:
        async with running.channel() as channel:
            stub = refund_service_pb2_grpc.RefundServiceStub(channel)
            error = await rich_error(stub.CreateRefund(create_request(), metadata=auth(ANA)))
            assert error.code == grpc.StatusCode.UNAVAILABLE
            assert error.reason == "SHOP_UNAVAILABLE"
            assert await list_all(stub) == []
    finally:
        await stop_refunds(running)


async def test_refunds_survive_a_restart(tmp_path: Path, shop_address: str) -> None:
    settings = refund_settings(tmp_path / "r.db", shop_address)
    running = await start_refunds(settings)
    async with running.channel() as channel:
        created = await refund_service_pb2_grpc.RefundServiceStub(channel).CreateRefund(
            create_request(lines=(("ln_1", 1),)), metadata=auth(ANA)
        )
    await stop_refunds(running)

    running = await start_refunds(settings)
    try:
        async with running.channel() as channel:
            stub = refund_service_pb2_grpc.RefundServiceStub(channel)
            fetched = await stub.GetRefund(GetRefundRequest(name=created.refund.name), metadata=auth(ANA))
            again = await stub.CreateRefund(create_request(lines=(("ln_1", 1),)), metadata=auth(ANA))
    finally:
        await stop_refunds(running)

    assert fetched.refund == created.refund
    assert again.refund == created.refund
