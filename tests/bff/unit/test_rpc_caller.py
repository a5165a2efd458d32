"""Every call has a deadline, the caller's identity token and the request id; only UNAVAILABLE is retried."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
import pytest

from bff import schemas
from bff.clients.base import RpcCaller
from bff.clients.mappers import CaseMapper
from bff.clients.refund import RefundClient
from bff.clients.support import SupportClient
from kit.context import request_id_var
from kit.identity import Identity, Role, verify_token
from tests.bff.fakes import demo_directory
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


class RecordingCaller(RpcCaller):
    """The real RpcCaller (retries and all) around a stand-in for every stub method that is always
    UNAVAILABLE, recording each attempt: what the real clients send, and how often."""

    def __init__(self) -> None:
        super().__init__(secret=SECRET, deadline_s=2.0, retries=2, backoff_s=0.001)
        self.attempts: list[tuple[str, Any]] = []
        self.idempotent: dict[str, bool] = {}

    async def call(self, method: Any, request: Any, identity: Identity, *, idempotent: bool) -> Any:
        rpc = type(request).__name__.removesuffix("Request")
        self.idempotent[rpc] = idempotent

        async def unavailable(request: Any, *, timeout: float, metadata: Any) -> Any:  # noqa: ASYNC109
            self.attempts.append((rpc, request))
            raise _error(grpc.StatusCode.UNAVAILABLE)

        return await super().call(unavailable, request, identity, idempotent=idempotent)

    def sent(self, rpc: str) -> list[Any]:
        return [request for name, request in self.attempts if name == rpc]


SAM = Identity("agt_2001", Role.AGENT)
WRITES: dict[str, Callable[[SupportClient, RefundClient], Awaitable[object]]] = {
    "CreateCase": lambda s, _: s.create_case(
        ANA,
        schemas.CreateCaseRequest.model_validate(
            {"orderId": "ord_1001", "category": "damaged_item", "subject": "s", "description": "d"}
        ),
        "rid-create-case",
    ),
    "AddCaseMessage": lambda s, _: s.add_message(
        SAM, "10001", schemas.AddMessageRequest.model_validate({"body": "On it"}), "rid-add-message"
    ),
    "CreateRefund": lambda _, r: r.create(
        ANA,
        "10001",
        "ord_1001",
        schemas.CreateRefundRequest.model_validate(
            {"lines": [{"lineId": "ln_1", "quantity": 1}], "reason": "damaged"}
        ),
        "rid-create-refund",
    ),
    "AssignCase": lambda s, _: s.assign(
        SAM, "10001", schemas.AssignRequest.model_validate({"assigneeId": "agt_2001", "etag": "1"})
    ),
    "UpdateCase": lambda s, _: s.update(
        SAM, "10001", schemas.UpdateCaseRequest.model_validate({"etag": "1", "priority": "high"})
    ),
    "SetCaseWaiting": lambda s, _: s.change_status(SAM, "10001", "wait", "1"),
    "ResolveCase": lambda s, _: s.change_status(SAM, "10001", "resolve", "1"),
    "CloseCase": lambda s, _: s.change_status(SAM, "10001", "close", "1"),
    "ReopenCase": lambda s, _: s.change_status(ANA, "10001", "reopen", "1"),
    "CancelRefund": lambda _, r: r.cancel(ANA, "rf_1", "1"),
    "ApproveRefund": lambda _, r: r.approve(
        SAM, "rf_1", schemas.ApproveRefundRequest.model_validate({"etag": "1"})
    ),
    "RejectRefund": lambda _, r: r.reject(
        SAM, "rf_1", schemas.RejectRefundRequest.model_validate({"etag": "1", "reason": "no"})
    ),
    "RetryRefund": lambda _, r: r.retry(
        SAM, "rf_1", schemas.RetryRefundRequest.model_validate({"etag": "1"})
    ),
}
CREATES = {
    "CreateCase": "rid-create-case",
    "AddCaseMessage": "rid-add-message",
    "CreateRefund": "rid-create-refund",
}


@pytest.fixture
async def clients() -> AsyncIterator[tuple[RecordingCaller, SupportClient, RefundClient]]:
    caller = RecordingCaller()
    # Nothing is ever sent on it: the stub methods are only handed to the caller.
    async with grpc.aio.insecure_channel("127.0.0.1:1") as channel:
        yield (
            caller,
            SupportClient(channel, caller, CaseMapper(demo_directory())),
            RefundClient(channel, caller),
        )


@pytest.mark.parametrize("rpc", list(WRITES))
async def test_creates_are_retried_with_their_request_id_and_other_writes_never(
    clients: tuple[RecordingCaller, SupportClient, RefundClient], rpc: str
) -> None:
    caller, support, refunds = clients
    with pytest.raises(grpc.aio.AioRpcError):
        await WRITES[rpc](support, refunds)

    sent = caller.sent(rpc)
    assert [name for name, _ in caller.attempts] == [rpc] * len(sent)  # the write is the only call
    if rpc in CREATES:
        assert caller.idempotent[rpc] is True
        assert len(sent) == 3  # the first attempt and two retries
        assert {request.request_id for request in sent} == {CREATES[rpc]}
        assert all(request == sent[0] for request in sent)
    else:
        assert caller.idempotent[rpc] is False
        assert len(sent) == 1
