"""The OpenAPI document describes every endpoint: stable ids, request and response models, problems."""

from __future__ import annotations

import re
from typing import Any

import orjson

from bff.openapi import document

PROBLEM = {"$ref": "#/components/schemas/Problem"}
NOT_READY = {"$ref": "#/components/schemas/NotReadyProblem"}  # a problem that also carries `checks`
# Successes that are not JSON: the live updates of a case and the Prometheus metrics.
NOT_JSON = {"watchCase": "text/event-stream", "getMetrics": "text/plain"}


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, item in spec["paths"].items() for method, op in item.items()]


def test_the_document_prints_without_environment_and_is_stable() -> None:
    first, second = document(), document()

    assert first == second
    assert orjson.loads(first)["openapi"].startswith("3.")


def test_every_operation_has_a_readable_id_a_response_model_and_problem_errors() -> None:
    spec = orjson.loads(document())
    operations = _operations(spec)

    assert len(operations) == 26
    for method, path, op in operations:
        assert re.fullmatch(r"[a-z]+[A-Za-z]*", op["operationId"]), op["operationId"]
        assert "422" not in op["responses"]
        success = [code for code in op["responses"] if code.startswith("2")]
        assert len(success) == 1, (method, path)
        content = op["responses"][success[0]].get("content", {})
        if op["operationId"] in NOT_JSON:
            assert list(content) == [NOT_JSON[op["operationId"]]]
        elif success[0] != "204":
            assert list(content) == ["application/json"]
            assert "$ref" in content["application/json"]["schema"]
        errors = {code: r for code, r in op["responses"].items() if int(code) >= 400}
        assert errors, (method, path)
        for code, response in errors.items():
            problem = PROBLEM if (path, code) != ("/readyz", "503") else NOT_READY
            assert response["content"] == {"application/problem+json": {"schema": problem}}
        if method in ("post", "patch", "put"):
            assert "$ref" in op["requestBody"]["content"]["application/json"]["schema"]
            assert {"403", "415"} <= set(errors)
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_json_field_names_are_camel_case_and_always_present_in_responses() -> None:
    schemas = orjson.loads(document())["components"]["schemas"]

    case = schemas["Case"]
    assert {"orderId", "orderLineIds", "slaBreached", "previousCaseNumber", "firstResponseDueAt"} <= set(
        case["properties"]
    )
    assert set(case["required"]) == set(case["properties"])
    assert schemas["CaseListResponse"]["required"] == ["cases", "nextPageToken"]
    assert set(schemas["Problem"]["required"]) == {"title", "status", "detail", "reason"}
    assert "order_id" not in str(schemas)


def test_the_refund_and_dashboard_shapes_are_the_contracts() -> None:
    schemas = orjson.loads(document())["components"]["schemas"]

    refund = schemas["Refund"]
    assert set(refund["properties"]) == {
        "id",
        "number",
        "caseId",
        "caseNumber",
        "orderId",
        "status",
        "lines",
        "total",
        "reason",
        "method",
        "requestedBy",
        "createdAt",
        "updatedAt",
        "etag",
        "requiredApproval",
        "outsideRefundWindow",
        "note",
        "decision",
        "failureReason",
        "canCancel",
        "canApprove",
        "canReject",
        "canRetry",
    }
    assert set(refund["required"]) == set(refund["properties"])
    assert set(schemas["RefundLine"]["properties"]) == {"lineId", "productTitle", "quantity", "amount"}
    assert set(schemas["Dashboard"]["properties"]) == {
        "from",
        "to",
        "openByStatus",
        "breachedOpen",
        "breachedInPeriod",
        "medianFirstResponseSeconds",
        "casesOpened",
        "casesResolved",
        "refunds",
    }
    assert set(schemas["CreateRefundRequest"]["required"]) == {"lines", "reason"}
    assert schemas["CasePage"]["properties"]["refunds"]["items"] == {"$ref": "#/components/schemas/Refund"}
