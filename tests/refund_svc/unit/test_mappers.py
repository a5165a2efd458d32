"""Mappers for the decision RPCs and the payout fields of a refund."""

from __future__ import annotations

from acme.refund.v1 import refund_pb2, refund_service_pb2

from refund_svc.domain.actor import Actor, ActorRole
from refund_svc.domain.policy import RefundRules
from refund_svc.domain.refund import Refund, RefundMethod, RefundReason, RequestedLine
from refund_svc.presentation import mappers
from refund_svc.presentation.validation import RefundTarget
from tests.refund_svc.fakes import NOW, make_order

SAM = Actor("agt_2001", ActorRole.AGENT)
TARGET = RefundTarget("abc", 4)


def paid_refund() -> Refund:
    refund = Refund.request(
        refund_id="abc",
        number=2001,
        case_name="cases/c1",
        order=make_order(),
        usage={},
        requested=[RequestedLine("ln_2", 1)],
        reason=RefundReason.DAMAGED,
        method=RefundMethod.ORIGINAL_PAYMENT,
        note="",
        requested_by=SAM,
        now=NOW,
        rules=RefundRules(),
    )
    refund.process(SAM, NOW)
    refund.fail(NOW, "The card has expired")
    refund.retry(SAM, NOW, make_order(), {}, RefundMethod.STORE_CREDIT)
    refund.succeed(NOW, "po_42")
    return refund


def test_a_paid_refund_shows_its_payout_and_the_last_failure() -> None:
    message = mappers.refund_to_proto(paid_refund())

    assert message.status == refund_pb2.REFUND_STATUS_REFUNDED
    assert message.payout_reference == "po_42"
    assert message.failure_reason == "The card has expired"
    assert message.method == refund_pb2.REFUND_METHOD_STORE_CREDIT
    assert message.etag == '"6"'


def test_decision_requests_become_commands() -> None:
    approve = mappers.approve_command(refund_service_pb2.ApproveRefundRequest(comment="fine"), TARGET)
    reject = mappers.reject_command(refund_service_pb2.RejectRefundRequest(reason="used"), TARGET)
    cancel = mappers.cancel_command(TARGET)

    assert (approve.refund_id, approve.expected_version, approve.comment) == ("abc", 4, "fine")
    assert (reject.refund_id, reject.expected_version, reject.reason) == ("abc", 4, "used")
    assert (cancel.refund_id, cancel.expected_version) == ("abc", 4)


def test_a_retry_without_a_method_keeps_the_refunds_method() -> None:
    keep = mappers.retry_command(refund_service_pb2.RetryRefundRequest(), TARGET)
    switch = mappers.retry_command(
        refund_service_pb2.RetryRefundRequest(method=refund_pb2.REFUND_METHOD_STORE_CREDIT), TARGET
    )

    assert keep.method is None
    assert switch.method is RefundMethod.STORE_CREDIT
