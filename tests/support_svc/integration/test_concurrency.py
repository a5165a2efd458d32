"""Concurrent writers against one server: exactly one of two same-etag changes wins; nothing is lost."""

import asyncio
from typing import Any

import grpc
from acme.support.v1 import case_pb2, case_service_pb2

from kit.identity import Identity
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
    changes: dict[Identity, dict[str, Any]] = {
        SAM: {"priority": case_pb2.CASE_PRIORITY_URGENT},
        KIM: {"category": case_pb2.CASE_CATEGORY_WRONG_ITEM},
    }
    results = await asyncio.gather(
        *(support.as_(who).UpdateCase(update_request(case, **change)) for who, change in changes.items()),
        return_exceptions=True,
    )
    outcomes = dict(zip(changes, results, strict=True))
    winners = [who for who, r in outcomes.items() if not isinstance(r, BaseException)]
    losers = [who for who, r in outcomes.items() if isinstance(r, grpc.aio.AioRpcError)]
    assert (len(winners), len(losers)) == (1, 1)
    (winner,), (loser,) = winners, losers
    error, won = outcomes[loser], outcomes[winner]
    assert isinstance(error, grpc.aio.AioRpcError)
    assert not isinstance(won, BaseException)
    assert error.code() == grpc.StatusCode.ABORTED
    stored = await get_full(support, SAM, case.name)
    assert stored.case.etag == "2"
    assert stored.case == won.case
    assert len([e for e in stored.events if e.kind != case_pb2.CASE_EVENT_KIND_OPENED]) == 1  # no trace

    # The loser reads the case again and re-applies its change on the fresh version: both are kept.
    retried = await support.as_(loser).UpdateCase(update_request(stored.case, **changes[loser]))
    final = await get_full(support, SAM, case.name)
    assert final.case == retried.case
    assert final.case.etag == "3"
    assert (final.case.priority, final.case.category) == (
        case_pb2.CASE_PRIORITY_URGENT,
        case_pb2.CASE_CATEGORY_WRONG_ITEM,
    )
    assert sorted(e.kind for e in final.events if e.kind != case_pb2.CASE_EVENT_KIND_OPENED) == [
        case_pb2.CASE_EVENT_KIND_PRIORITY_CHANGED,
        case_pb2.CASE_EVENT_KIND_CATEGORY_CHANGED,
    ]


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
