"""Approve, reject, cancel over gRPC: real server, real SQLite, the real shop stand-in."""

from __future__ import annotations

import grpc
import pytest
from acme.refund.v1 import refund_pb2, refund_service_pb2_grpc
from acme.refund.v1.refund_service_pb2 import (
    ApproveRefundRequest,
    CancelRefundRequest,
    CreateRefundResponse,
    GetRefundRequest,
    RejectRefundRequest,
    RetryRefundRequest,
)

from kit.identity import Identity
from tests.refund_svc.integration.servers import ANA, BEN, KIM, LEE, SAM, auth, create_request, rich_error

pytestmark = pytest.mark.integration

Stub = refund_service_pb2_grpc.RefundServiceStub


async def create(
    stub: Stub, order_id: str = "ord_1001", line: str = "ln_1", by: Identity = ANA, attempt: int = 1
) -> refund_pb2.Refund:
    request = create_request(order_id, ((line, 1),), request_id=f"{order_id}-{line}-{by.subject}-{attempt}")
    response: CreateRefundResponse = await stub.CreateRefund(request, metadata=auth(by))
    return response.refund


async def test_an_agent_approves_with_a_comment_and_the_policy_is_recorded(stub: Stub) -> None:
    refund = await create(stub)  # 79.00: between the limits
    assert refund.status == refund_pb2.REFUND_STATUS_PENDING_APPROVAL

    approved = (
        await stub.ApproveRefund(
            ApproveRefundRequest(name=refund.name, etag=refund.etag, comment="Photo shows the damage"),
            metadata=auth(SAM),
        )
    ).refund

    assert approved.status == refund_pb2.REFUND_STATUS_APPROVED
    assert approved.decision.outcome == refund_pb2.REFUND_STATUS_APPROVED
    assert approved.decision.decided_by == "agt_2001"
    assert approved.decision.comment == "Photo shows the damage"
    assert approved.decision.policy == refund_pb2.APPROVAL_POLICY_AGENT_APPROVAL
    assert approved.decision.HasField("decide_time")
    assert approved.etag == '"2"'


async def test_customers_cannot_approve_anything(stub: Stub) -> None:
    refund = await create(stub)

    own = await rich_error(stub.ApproveRefund(ApproveRefundRequest(name=refund.name), metadata=auth(ANA)))
    other = await rich_error(stub.ApproveRefund(ApproveRefundRequest(name=refund.name), metadata=auth(BEN)))
    unknown = await rich_error(stub.ApproveRefund(ApproveRefundRequest(name="refunds/x"), metadata=auth(BEN)))

    assert {(e.code, e.reason) for e in (own, other, unknown)} == {
        (grpc.StatusCode.PERMISSION_DENIED, "STAFF_ONLY")
    }
    fetched = await stub.GetRefund(GetRefundRequest(name=refund.name), metadata=auth(ANA))
    assert fetched.refund.status == refund_pb2.REFUND_STATUS_PENDING_APPROVAL


async def test_an_agent_cannot_approve_above_the_lead_limit_and_a_lead_can(stub: Stub) -> None:
    refund = await create(stub, "ord_1004")  # the 649.00 espresso machine

    refused = await rich_error(stub.ApproveRefund(ApproveRefundRequest(name=refund.name), metadata=auth(SAM)))
    approved = await stub.ApproveRefund(ApproveRefundRequest(name=refund.name), metadata=auth(LEE))

    assert (refused.code, refused.reason) == (grpc.StatusCode.PERMISSION_DENIED, "LEAD_APPROVAL_REQUIRED")
    assert "lead" in refused.message
    assert approved.refund.decision.policy == refund_pb2.APPROVAL_POLICY_LEAD_APPROVAL


@pytest.mark.parametrize("requester", [SAM, LEE], ids=["agent", "lead"])
async def test_nobody_approves_a_refund_they_requested(stub: Stub, requester: Identity) -> None:
    refund = await create(stub, by=requester)

    refused = await rich_error(
        stub.ApproveRefund(ApproveRefundRequest(name=refund.name), metadata=auth(requester))
    )
    approved = await stub.ApproveRefund(ApproveRefundRequest(name=refund.name), metadata=auth(KIM))

    assert (refused.code, refused.reason) == (grpc.StatusCode.PERMISSION_DENIED, "SELF_APPROVAL_FORBIDDEN")
    assert approved.refund.decision.decided_by == "agt_2003"


async def test_a_stale_etag_is_aborted_and_a_second_approval_is_a_failed_precondition(stub: Stub) -> None:
    refund = await create(stub)
    await stub.ApproveRefund(ApproveRefundRequest(name=refund.name, etag=refund.etag), metadata=auth(SAM))

    stale = await rich_error(
        stub.RejectRefund(
            RejectRefundRequest(name=refund.name, etag=refund.etag, reason="no"), metadata=auth(KIM)
        )
    )
    again = await rich_error(stub.ApproveRefund(ApproveRefundRequest(name=refund.name), metadata=auth(KIM)))

    assert (stale.code, stale.reason) == (grpc.StatusCode.ABORTED, "VERSION_CONFLICT")
    assert (again.code, again.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "INVALID_STATE_TRANSITION")
    assert again.precondition_violations[0].type == "INVALID_STATE_TRANSITION"


async def test_a_rejection_needs_a_reason_and_records_it(stub: Stub) -> None:
    refund = await create(stub)

    missing = await rich_error(stub.RejectRefund(RejectRefundRequest(name=refund.name), metadata=auth(SAM)))
    rejected = await stub.RejectRefund(
        RejectRefundRequest(name=refund.name, reason="The item shows signs of use"), metadata=auth(SAM)
    )

    assert missing.code == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in missing.field_violations] == ["reason"]
    assert rejected.refund.status == refund_pb2.REFUND_STATUS_REJECTED
    assert rejected.refund.decision.outcome == refund_pb2.REFUND_STATUS_REJECTED
    assert rejected.refund.decision.comment == "The item shows signs of use"
    again = await create(stub, attempt=2)  # a rejection released the line: it can be asked for again
    assert again.name != refund.name


async def test_a_customer_cancels_its_own_refund_but_not_another_customers(stub: Stub) -> None:
    refund = await create(stub)

    others = await rich_error(stub.CancelRefund(CancelRefundRequest(name=refund.name), metadata=auth(BEN)))
    staff = await rich_error(stub.CancelRefund(CancelRefundRequest(name=refund.name), metadata=auth(SAM)))
    cancelled = await stub.CancelRefund(
        CancelRefundRequest(name=refund.name, etag=refund.etag), metadata=auth(ANA)
    )

    assert (others.code, others.reason) == (grpc.StatusCode.NOT_FOUND, "REFUND_NOT_FOUND")
    assert (staff.code, staff.reason) == (grpc.StatusCode.PERMISSION_DENIED, "NOT_REFUND_OWNER")
    assert cancelled.refund.status == refund_pb2.REFUND_STATUS_CANCELLED


async def test_retrying_a_refund_that_did_not_fail_is_refused(stub: Stub) -> None:
    refund = await create(stub)

    error = await rich_error(stub.RetryRefund(RetryRefundRequest(name=refund.name), metadata=auth(SAM)))
    customer = await rich_error(stub.RetryRefund(RetryRefundRequest(name=refund.name), metadata=auth(ANA)))

    assert (error.code, error.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "INVALID_STATE_TRANSITION")
    assert customer.code == grpc.StatusCode.PERMISSION_DENIED


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.ApproveRefund(ApproveRefundRequest(name="nope", etag="1"), metadata=auth(SAM)),
        lambda s: s.RejectRefund(RejectRefundRequest(name="nope", etag="1"), metadata=auth(SAM)),
        lambda s: s.CancelRefund(CancelRefundRequest(name="nope", etag="1"), metadata=auth(ANA)),
        lambda s: s.RetryRefund(RetryRefundRequest(name="nope", etag="1"), metadata=auth(SAM)),
    ],
    ids=["approve", "reject", "cancel", "retry"],
)
async def test_bad_requests_name_their_fields(stub: Stub, call: object) -> None:
    error = await rich_error(call(stub))  # type: ignore[operator]

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert {"name", "etag"} <= {v.field for v in error.field_violations}


async def test_decisions_without_a_token_are_unauthenticated(stub: Stub) -> None:
    refund = await create(stub)

    error = await rich_error(stub.ApproveRefund(ApproveRefundRequest(name=refund.name)))

    assert error.code == grpc.StatusCode.UNAUTHENTICATED
