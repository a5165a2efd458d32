"""SupportClient.case_numbers: the unknown cases' numbers in one BatchGetCases per hundred, remembered;
a batch that fails NOT_FOUND (or INVALID_ARGUMENT) is asked for again one case at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

import grpc
import pytest
from acme.support.v1 import case_pb2, case_service_pb2

from bff.clients.base import RpcCaller
from bff.clients.mappers import CaseMapper
from bff.clients.support import SupportClient
from kit.identity import Identity, Role
from tests.bff.fakes import demo_directory
from tests.bff.helpers import SECRET

ANA = Identity("cus_1001", Role.CUSTOMER)
SAM = Identity("agt_2001", Role.AGENT)


def _error(code: grpc.StatusCode) -> grpc.aio.AioRpcError:
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(), details="x")


class FakeCaseStub:
    """GetCase and BatchGetCases over `readable` case ids (the others are NOT_FOUND, as support_svc
    answers for a case the caller may not see), recording what each call asked for."""

    def __init__(self, readable: Iterable[str], *, batch_fails: grpc.StatusCode | None = None) -> None:
        self.readable = set(readable)
        self.batch_fails = batch_fails
        self.batches: list[list[str]] = []
        self.gets: list[str] = []

    @staticmethod
    def _case(case_id: str) -> case_pb2.Case:
        return case_pb2.Case(name=f"cases/{case_id}", case_number=f"C-{case_id}")

    async def BatchGetCases(
        self,
        request: case_service_pb2.BatchGetCasesRequest,
        *,
        timeout: float,  # noqa: ASYNC109
        metadata: Any,
    ) -> case_service_pb2.BatchGetCasesResponse:
        ids = [name.removeprefix("cases/") for name in request.names]
        self.batches.append(ids)
        if self.batch_fails is not None:
            raise _error(self.batch_fails)
        if not all(i in self.readable for i in ids):
            raise _error(grpc.StatusCode.NOT_FOUND)
        return case_service_pb2.BatchGetCasesResponse(cases=[self._case(i) for i in ids])

    async def GetCase(
        self,
        request: case_service_pb2.GetCaseRequest,
        *,
        timeout: float,  # noqa: ASYNC109
        metadata: Any,
    ) -> case_service_pb2.GetCaseResponse:
        case_id = request.name.removeprefix("cases/")
        self.gets.append(case_id)
        if case_id not in self.readable:
            raise _error(grpc.StatusCode.NOT_FOUND)
        return case_service_pb2.GetCaseResponse(case=self._case(case_id))


@pytest.fixture
async def channel() -> AsyncIterator[grpc.aio.Channel]:
    # Nothing is ever sent on it: the client's stub is replaced by a fake.
    async with grpc.aio.insecure_channel("127.0.0.1:1") as open_channel:
        yield open_channel


def client_with(channel: grpc.aio.Channel, stub: FakeCaseStub) -> SupportClient:
    caller = RpcCaller(secret=SECRET, deadline_s=2.0, retries=2, backoff_s=0.001)
    client = SupportClient(channel, caller, CaseMapper(demo_directory()))
    client._stub = stub  # type: ignore[assignment]
    return client


def ids(first: int, count: int) -> list[str]:
    return [str(first + n) for n in range(count)]


async def test_unknown_cases_take_one_batch_call_and_known_ones_none(channel: grpc.aio.Channel) -> None:
    stub = FakeCaseStub(ids(10001, 5))
    client = client_with(channel, stub)

    first = await client.case_numbers(SAM, ["10003", "10001", "10002", "10001"])
    second = await client.case_numbers(SAM, ["10001", "10004", "10002", "10005"])
    third = await client.case_numbers(ANA, ["10005", "10003"])

    assert first == {"10001": "C-10001", "10002": "C-10002", "10003": "C-10003"}
    assert second == {i: f"C-{i}" for i in ["10001", "10002", "10004", "10005"]}
    assert third == {"10003": "C-10003", "10005": "C-10005"}
    assert stub.batches == [["10001", "10002", "10003"], ["10004", "10005"]]  # each asked once
    assert stub.gets == []


async def test_more_than_a_hundred_unknown_cases_go_in_batches_of_a_hundred(
    channel: grpc.aio.Channel,
) -> None:
    wanted = ids(10001, 250)
    stub = FakeCaseStub(wanted)

    numbers = await client_with(channel, stub).case_numbers(SAM, wanted)

    assert numbers == {i: f"C-{i}" for i in wanted}
    assert [len(batch) for batch in stub.batches] == [100, 100, 50]
    assert sorted(i for batch in stub.batches for i in batch) == sorted(wanted)
    assert stub.gets == []


async def test_a_batch_with_a_case_that_cannot_be_read_is_asked_again_case_by_case(
    channel: grpc.aio.Channel,
) -> None:
    stub = FakeCaseStub(["10001", "10003"])
    client = client_with(channel, stub)

    numbers = await client.case_numbers(ANA, ["10001", "10002", "10003"])
    again = await client.case_numbers(ANA, ["10001", "10003"])

    assert numbers == again == {"10001": "C-10001", "10003": "C-10003"}  # the others keep theirs
    assert stub.batches == [["10001", "10002", "10003"]]
    assert sorted(stub.gets) == ["10001", "10002", "10003"]  # the readable ones are then remembered


async def test_only_the_batch_that_failed_is_asked_again_case_by_case(channel: grpc.aio.Channel) -> None:
    wanted = ids(10001, 150)
    stub = FakeCaseStub(set(wanted) - {"10120"})

    numbers = await client_with(channel, stub).case_numbers(SAM, wanted)

    assert numbers == {i: f"C-{i}" for i in wanted if i != "10120"}
    assert len(stub.batches) == 2
    assert sorted(stub.gets) == sorted(next(b for b in stub.batches if "10120" in b))


async def test_an_id_support_calls_malformed_costs_only_its_own_number(channel: grpc.aio.Channel) -> None:
    stub = FakeCaseStub(["10001"], batch_fails=grpc.StatusCode.INVALID_ARGUMENT)

    numbers = await client_with(channel, stub).case_numbers(SAM, ["10001", "x"])

    assert numbers == {"10001": "C-10001"}
    assert sorted(stub.gets) == ["10001", "x"]


@pytest.mark.parametrize("code", [grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED])
async def test_support_being_away_leaves_the_numbers_out_without_asking_case_by_case(
    channel: grpc.aio.Channel, code: grpc.StatusCode
) -> None:
    stub = FakeCaseStub(["10001", "10002"], batch_fails=code)

    numbers = await client_with(channel, stub).case_numbers(SAM, ["10001", "10002"])

    assert numbers == {}
    assert stub.gets == []
    expected_attempts = 3 if code == grpc.StatusCode.UNAVAILABLE else 1  # a read: retried when unavailable
    assert stub.batches == [["10001", "10002"]] * expected_attempts
