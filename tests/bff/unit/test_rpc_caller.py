"""Every call has a deadline, the caller's identity token and the request id; only UNAVAILABLE is retried."""

from __future__ import annotations

from typing import Any

import grpc
import pytest

from bff.clients.base import RpcCaller
from kit.context import request_id_var
from kit.identity import Identity, Role, verify_token
from tests.bff.helpers import SECRET

ANA = Identity("cus_1001", Role.CUSTOMER)


def _error(code: grpc.StatusCode) -> grpc.aio.AioRpcError:
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(), details="x")


class FlakyMethod:
    """Stands in for a stub method: fails with the given codes, then answers."""

    def __init__(self, *failures: grpc.StatusCode) -> None:
        self.failures = list(failures)
        self.calls: list[dict[str, Any]] = []

    async def __call__(self, request: Any, *, timeout: float, metadata: Any) -> str:  # noqa: ASYNC109
        self.calls.append({"request": request, "timeout": timeout, "metadata": dict(metadata)})
        if self.failures:
            raise _error(self.failures.pop(0))
        return "answer"


def _caller(retries: int = 2) -> RpcCaller:
    return RpcCaller(secret=SECRET, deadline_s=2.0, retries=retries, backoff_s=0.001)


async def test_a_call_carries_a_deadline_the_identity_and_the_request_id() -> None:
    method = FlakyMethod()
    token = request_id_var.set("req-12345678")
    try:
        assert await _caller().call(method, "req", ANA, idempotent=True) == "answer"
    finally:
        request_id_var.reset(token)

    metadata = method.calls[0]["metadata"]
    assert 0 < method.calls[0]["timeout"] <= 2.0
    assert metadata["x-request-id"] == "req-12345678"
    scheme, _, bearer = metadata["authorization"].partition(" ")
    assert scheme == "Bearer"
    assert verify_token(SECRET, bearer) == ANA


async def test_unavailable_is_retried_a_couple_of_times_with_the_same_request() -> None:
    method = FlakyMethod(grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.UNAVAILABLE)

    assert await _caller().call(method, "create#request-id-1", ANA, idempotent=True) == "answer"
    assert [c["request"] for c in method.calls] == ["create#request-id-1"] * 3


async def test_retries_stop_after_the_limit() -> None:
    method = FlakyMethod(*[grpc.StatusCode.UNAVAILABLE] * 5)

    with pytest.raises(grpc.aio.AioRpcError):
        await _caller(retries=2).call(method, "r", ANA, idempotent=True)
    assert len(method.calls) == 3


@pytest.mark.parametrize(
    "code", [grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.INTERNAL]
)
async def test_other_failures_are_not_retried(code: grpc.StatusCode) -> None:
    method = FlakyMethod(code)

    with pytest.raises(grpc.aio.AioRpcError):
        await _caller().call(method, "r", ANA, idempotent=True)
    assert len(method.calls) == 1


async def test_a_write_without_a_request_id_is_not_retried() -> None:
    method = FlakyMethod(grpc.StatusCode.UNAVAILABLE)

    with pytest.raises(grpc.aio.AioRpcError):
        await _caller().call(method, "assign", ANA, idempotent=False)
    assert len(method.calls) == 1
