"""The request validation module: every field rule, with the field's path."""

from __future__ import annotations

import pytest
from acme.refund.v1 import refund_pb2, refund_service_pb2

from kit.errors import ValidationError
from refund_svc.presentation import validation

UNSPECIFIED = refund_pb2.REFUND_STATUS_UNSPECIFIED


def create_request(**changes: object) -> refund_service_pb2.CreateRefundRequest:
    refund = refund_pb2.Refund(
        case="cases/C-10482",
        order_id="ord_1001",
        lines=[refund_pb2.RefundLine(order_line_id="ln_2", quantity=1)],
        reason=refund_pb2.REFUND_REASON_DAMAGED,
    )
    request = refund_service_pb2.CreateRefundRequest(refund=refund, request_id="0b5e7c1e-6a43-4c1b-9a57-1")
    for path, value in changes.items():
        target: object = request
        *parents, leaf = path.split("__")
        for part in parents:
            target = getattr(target, part)
        if isinstance(value, list):
            del getattr(target, leaf)[:]
            getattr(target, leaf).extend(value)
        else:
            setattr(target, leaf, value)
    return request


def fields_of(request: refund_service_pb2.CreateRefundRequest) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        validation.validate_create_refund(request)
    return [v.field for v in caught.value.violations]


def test_a_good_request_passes() -> None:
    validation.validate_create_refund(create_request())


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"request_id": ""}, ["request_id"]),
        ({"request_id": "has space"}, ["request_id"]),
        ({"request_id": "x" * 129}, ["request_id"]),
        ({"refund__case": ""}, ["refund.case"]),
        ({"refund__case": "C-1"}, ["refund.case"]),
        ({"refund__order_id": ""}, ["refund.order_id"]),
        ({"refund__lines": []}, ["refund.lines"]),
        ({"refund__reason": refund_pb2.REFUND_REASON_UNSPECIFIED}, ["refund.reason"]),
        ({"refund__reason": 99}, ["refund.reason"]),
        ({"refund__method": 42}, ["refund.method"]),
        ({"refund__note": "x" * 2001}, ["refund.note"]),
        (
            {"refund__lines": [refund_pb2.RefundLine(order_line_id="ln_1", quantity=0)]},
            ["refund.lines[0].quantity"],
        ),
        (
            {"refund__lines": [refund_pb2.RefundLine(order_line_id="ln_1", quantity=100_001)]},
            ["refund.lines[0].quantity"],
        ),
        (
            {
                "refund__lines": [
                    refund_pb2.RefundLine(order_line_id="ln_1", quantity=1),
                    refund_pb2.RefundLine(order_line_id="", quantity=1),
                    refund_pb2.RefundLine(order_line_id="ln_1", quantity=-2),
                ]
            },
            ["refund.lines[1].order_line_id", "refund.lines[2].order_line_id", "refund.lines[2].quantity"],
        ),
    ],
)
def test_each_broken_rule_names_its_field(changes: dict[str, object], fields: list[str]) -> None:
    assert fields_of(create_request(**changes)) == fields


def test_all_problems_are_reported_at_once() -> None:
    request = create_request(request_id="", refund__order_id="", refund__reason=0)
    assert fields_of(request) == ["request_id", "refund.order_id", "refund.reason"]


def test_a_missing_refund_is_reported() -> None:
    request = refund_service_pb2.CreateRefundRequest(request_id="r1")
    assert fields_of(request) == ["refund"]


def test_an_unspecified_method_is_fine_it_means_original_payment() -> None:
    validation.validate_create_refund(create_request(refund__method=0))


def test_output_only_fields_are_ignored() -> None:
    request = create_request(refund__status=refund_pb2.REFUND_STATUS_REFUNDED, refund__name="refunds/x")
    request.refund.total.amount_minor = 10**9
    validation.validate_create_refund(request)


def test_get_refund_needs_a_resource_name() -> None:
    assert validation.validate_get_refund(refund_service_pb2.GetRefundRequest(name="refunds/abc")) == "abc"
    with pytest.raises(ValidationError):
        validation.validate_get_refund(refund_service_pb2.GetRefundRequest(name="abc"))


@pytest.mark.parametrize(("requested", "used"), [(0, 50), (7, 7), (100, 100), (1000, 100)])
def test_list_page_sizes_follow_aip_158(requested: int, used: int) -> None:
    request = refund_service_pb2.ListRefundsRequest(page_size=requested)
    assert validation.validate_list_refunds(request) == used


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (refund_service_pb2.ListRefundsRequest(page_size=-1), "page_size"),
        (refund_service_pb2.ListRefundsRequest(case="c1"), "case"),
        (refund_service_pb2.ListRefundsRequest(order_id="bad id"), "order_id"),
        (refund_service_pb2.ListRefundsRequest(statuses=[UNSPECIFIED]), "statuses[0]"),
    ],
)
def test_list_refuses_bad_filters(request_: refund_service_pb2.ListRefundsRequest, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validation.validate_list_refunds(request_)
    assert [v.field for v in caught.value.violations] == [field]


def test_quote_needs_an_order_id() -> None:
    with pytest.raises(ValidationError) as caught:
        validation.validate_quote_refund(refund_service_pb2.QuoteRefundRequest())
    assert [v.field for v in caught.value.violations] == ["order_id"]


# --- approve, reject, cancel, retry ---------------------------------------------------------------


def violations(check: object, request: object) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        check(request)  # type: ignore[operator]
    return [v.field for v in caught.value.violations]


def test_a_decision_names_a_refund_and_may_carry_its_etag() -> None:
    target = validation.validate_approve_refund(
        refund_service_pb2.ApproveRefundRequest(name="refunds/abc", etag='"3"', comment="ok")
    )
    without = validation.validate_cancel_refund(refund_service_pb2.CancelRefundRequest(name="refunds/abc"))

    assert (target.refund_id, target.expected_version) == ("abc", 3)
    assert (without.refund_id, without.expected_version) == ("abc", None)


@pytest.mark.parametrize(
    ("request_", "fields"),
    [
        (refund_service_pb2.ApproveRefundRequest(name="abc"), ["name"]),
        (refund_service_pb2.ApproveRefundRequest(name="refunds/abc", etag="3"), ["etag"]),
        (refund_service_pb2.ApproveRefundRequest(name="refunds/abc", etag='W/"3"'), ["etag"]),
        (refund_service_pb2.ApproveRefundRequest(name="refunds/a", comment="x" * 2001), ["comment"]),
        (refund_service_pb2.ApproveRefundRequest(name="", etag="x"), ["name", "etag"]),
    ],
)
def test_approve_refuses_bad_fields(
    request_: refund_service_pb2.ApproveRefundRequest, fields: list[str]
) -> None:
    assert violations(validation.validate_approve_refund, request_) == fields


@pytest.mark.parametrize(
    ("reason", "ok"), [("Item was used", True), ("", False), ("   ", False), ("x" * 2001, False)]
)
def test_reject_needs_a_reason(reason: str, ok: bool) -> None:
    request = refund_service_pb2.RejectRefundRequest(name="refunds/abc", reason=reason)
    if ok:
        assert validation.validate_reject_refund(request).refund_id == "abc"
    else:
        assert violations(validation.validate_reject_refund, request) == ["reason"]


def test_cancel_needs_a_refund_name() -> None:
    assert violations(validation.validate_cancel_refund, refund_service_pb2.CancelRefundRequest()) == ["name"]


@pytest.mark.parametrize(
    ("method", "ok"),
    [
        (refund_pb2.REFUND_METHOD_UNSPECIFIED, True),
        (refund_pb2.REFUND_METHOD_STORE_CREDIT, True),
        (refund_pb2.REFUND_METHOD_ORIGINAL_PAYMENT, True),
        (9, False),
    ],
)
def test_retry_takes_a_known_method_or_none(method: int, ok: bool) -> None:
    request = refund_service_pb2.RetryRefundRequest(name="refunds/abc", method=method)  # type: ignore[arg-type]
    if ok:
        validation.validate_retry_refund(request)
    else:
        assert violations(validation.validate_retry_refund, request) == ["method"]
