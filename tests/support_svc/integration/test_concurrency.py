"""Concurrent writers against one server: exactly one of two same-etag changes wins; nothing is lost."""

import asyncio

import grpc
from acme.support.v1 import case_pb2, case_service_pb2

from tests.support_svc.integration.harness import (
    ANA,
    BEN,
    KIM,
    SAM,
    SupportHarness,
    create_request,
    get_full,
    open_case,
    update_request,
)


async def test_two_agents_changing_the_same_version_one_wins_the_other_is_aborted(
    support: SupportHarness,
) -> None:
    case = await open_case(support)
    results = await asyncio.gather(
        support.as_(SAM).UpdateCase(update_request(case, priority=case_pb2.CASE_PRIORITY_URGENT)),
        support.as_(KIM).UpdateCase(update_request(case, category=case_pb2.CASE_CATEGORY_WRONG_ITEM)),
        return_exceptions=True,
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert (len(winners), len(losers)) == (1, 1)
    assert losers[0].code() == grpc.StatusCode.ABORTED
    stored = await get_full(support, SAM, case.name)
    assert stored.case.etag == "2"
    assert stored.case == winners[0].case
    changes = [e.kind for e in stored.events if e.kind != case_pb2.CASE_EVENT_KIND_OPENED]
    assert len(changes) == 1  # the loser left no trace


async def test_concurrent_messages_are_all_kept(support: SupportHarness) -> None:
    case = await open_case(support)
    writers = [SAM, KIM, ANA] * 7
    await asyncio.gather(
        *(
            support.as_(who).AddCaseMessage(
                case_service_pb2.AddCaseMessageRequest(parent=case.name, body=f"m{n}")
            )
            for n, who in enumerate(writers)
        )
    )
    stored = await get_full(support, SAM, case.name)
    assert sorted(m.body for m in stored.messages) == sorted(f"m{n}" for n in range(len(writers)))
    assert int(stored.case.etag) == 1 + len(writers)


async def test_concurrent_retries_of_one_create_make_one_case(support: SupportHarness) -> None:
    replies = await asyncio.gather(
        *(
            support.as_(BEN).CreateCase(create_request(order_id="ord_2001", request_id="same-key"))
            for _ in range(5)
        )
    )
    assert len({r.case.name for r in replies}) == 1
    listed = await support.as_(SAM).ListCases(case_service_pb2.ListCasesRequest())
    assert len(listed.cases) == 1
