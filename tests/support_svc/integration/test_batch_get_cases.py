"""BatchGetCases (AIP-231) end to end: a real grpc.aio server, a real SQLite file, the GetCase rules."""

from dataclasses import replace

import grpc
import pytest
from acme.support.v1 import case_service_pb2
from prometheus_client import REGISTRY

from kit.identity import Identity
from tests.support_svc.integration.harness import (
    ANA,
    BEN,
    BFF,
    LEE,
    SAM,
    SupportHarness,
    open_case,
    reply,
    rich_error,
)


def batch(*names: str) -> case_service_pb2.BatchGetCasesRequest:
    return case_service_pb2.BatchGetCasesRequest(names=list(names))


async def get_one(support: SupportHarness, who: Identity, name: str) -> object:
    return (await support.as_(who).GetCase(case_service_pb2.GetCaseRequest(name=name))).case


async def test_a_customer_gets_their_own_cases_in_the_order_asked_each_as_get_case_gives_it(
    support: SupportHarness,
) -> None:
    first = await open_case(support)
    second = await open_case(support, order_id="ord_1002")
    third = await open_case(support)
    await reply(support, SAM, second, "On it")  # a later version, in progress

    got = await support.as_(ANA).BatchGetCases(batch(third.name, first.name, second.name))

    assert [c.name for c in got.cases] == [third.name, first.name, second.name]
    assert [c.case_number for c in got.cases] == ["C-10003", "C-10001", "C-10002"]
    for case in got.cases:
        assert case == await get_one(support, ANA, case.name)  # the BASIC view, etag and all
    assert got.cases[2].etag != second.etag


async def test_a_repeated_name_is_returned_at_each_of_its_places(support: SupportHarness) -> None:
    first = await open_case(support)
    second = await open_case(support)

    got = await support.as_(ANA).BatchGetCases(batch(first.name, second.name, first.name, first.name))

    assert [c.name for c in got.cases] == [first.name, second.name, first.name, first.name]
    assert got.cases[0] == got.cases[2] == got.cases[3]


@pytest.mark.parametrize("position", [0, 1, 2])
async def test_another_customers_case_fails_the_whole_call_as_not_found_naming_it(
    support: SupportHarness, position: int
) -> None:
    anas = [await open_case(support), await open_case(support)]
    bens = await open_case(support, BEN, order_id="ord_2001")
    names = [c.name for c in anas]
    names.insert(position, bens.name)

    error = await rich_error(support.as_(ANA).BatchGetCases(batch(*names)))

    assert (error.code, error.reason) == (grpc.StatusCode.NOT_FOUND, "CASE_NOT_FOUND")
    assert error.message == f"Case {bens.name.removeprefix('cases/')} was not found"
    assert error.metadata == {"case_id": bens.name.removeprefix("cases/")}
    # Nothing of Ana's own cases, nothing of Ben's beyond its number, which she sent.
    assert "C-1000" not in error.message
    assert bens.subject not in str(error)


async def test_a_case_that_does_not_exist_looks_exactly_like_another_customers(
    support: SupportHarness,
) -> None:
    mine = await open_case(support)
    bens = await open_case(support, BEN, order_id="ord_2001")
    bens_id = bens.name.removeprefix("cases/")

    someone_elses = await rich_error(support.as_(ANA).BatchGetCases(batch(mine.name, bens.name)))
    unknown = await rich_error(support.as_(ANA).BatchGetCases(batch(mine.name, "cases/99999")))
    by_get_case = await rich_error(support.as_(ANA).GetCase(case_service_pb2.GetCaseRequest(name=bens.name)))

    assert someone_elses == replace(
        unknown, message=unknown.message.replace("99999", bens_id), metadata={"case_id": bens_id}
    )
    assert someone_elses == by_get_case  # as GetCase answers for the same case
    # Staff are told of an unknown case the same way: the first that fails, in the order asked.
    staff = await rich_error(support.as_(SAM).BatchGetCases(batch("cases/99999", bens.name, "cases/99998")))
    assert (staff.code, staff.metadata) == (grpc.StatusCode.NOT_FOUND, {"case_id": "99999"})


@pytest.mark.parametrize("who", [SAM, LEE, BFF], ids=["agent", "lead", "system"])
async def test_staff_and_the_system_get_any_customers_cases(support: SupportHarness, who: Identity) -> None:
    anas = await open_case(support)
    bens = await open_case(support, BEN, order_id="ord_2001")

    got = await support.as_(who).BatchGetCases(batch(bens.name, anas.name))

    assert [(c.name, c.customer_id) for c in got.cases] == [
        (bens.name, "cus_1002"),
        (anas.name, "cus_1001"),
    ]


@pytest.mark.parametrize(
    ("names", "fields"),
    [
        ([], ["names"]),
        (["cases/10001", "cases/10001", "orders/1", "cases/0"], ["names[2]", "names[3]"]),
        (["", "cases/abc"], ["names[0]", "names[1]"]),
        ([f"cases/{10001 + i}" for i in range(101)], ["names"]),
    ],
    ids=["none", "malformed", "empty-and-not-a-number", "101"],
)
async def test_bad_names_are_invalid_argument_naming_each_field(
    support: SupportHarness, names: list[str], fields: list[str]
) -> None:
    await open_case(support)

    error = await rich_error(support.as_(SAM).BatchGetCases(batch(*names)))

    assert (error.code, error.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    assert [v.field for v in error.field_violations] == fields


async def test_a_hundred_names_are_allowed(support: SupportHarness) -> None:
    case = await open_case(support)

    got = await support.as_(ANA).BatchGetCases(batch(*[case.name] * 100))

    assert len(got.cases) == 100


async def test_it_needs_a_valid_identity(support: SupportHarness) -> None:
    case = await open_case(support)

    error = await rich_error(support.as_(None).BatchGetCases(batch(case.name)))

    assert (error.code, error.reason) == (grpc.StatusCode.UNAUTHENTICATED, "UNAUTHENTICATED")


async def test_each_call_is_counted_by_its_method_and_status(support: SupportHarness) -> None:
    case = await open_case(support)

    def count(status: str) -> float:
        labels = {"method": "/acme.support.v1.CaseService/BatchGetCases", "status": status}
        return REGISTRY.get_sample_value("grpc_server_requests_total", labels) or 0.0

    ok, not_found = count("OK"), count("NOT_FOUND")
    await support.as_(ANA).BatchGetCases(batch(case.name))
    await rich_error(support.as_(BEN).BatchGetCases(batch(case.name)))

    assert (count("OK") - ok, count("NOT_FOUND") - not_found) == (1, 1)
