"""WatchCases end to end: a real server, real SQLite, the system watching every case while others write."""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
from acme.support.v1 import case_service_pb2
from acme.support.v1 import refund_event_service_pb2 as events_pb2

from support_svc.server import create_server
from tests.support_svc.fakes import FixedClock
from tests.support_svc.integration.harness import (
    ANA,
    BEN,
    BFF,
    LEE,
    SAM,
    FakeOrderService,
    SupportHarness,
    open_case,
    refund_event,
    reply,
    support_settings,
)
from tests.support_svc.integration.test_watch import failure, read


async def live(support: SupportHarness) -> Any:
    """A WatchCases stream as the BFF, past its first message (which says the stream is live)."""
    watch = support.watch_all()
    first = await read(watch)
    assert (first.initial, first.name, first.etag) == (True, "", "")
    return watch


@contextlib.asynccontextmanager
async def own_server(
    tmp_path: Path, shop: tuple[FakeOrderService, int], **settings: Any
) -> AsyncIterator[SupportHarness]:
    """A server with its own settings, stopped (streams ended) whatever the test did."""
    clock = FixedClock()
    server, startup, shutdown = create_server(support_settings(tmp_path, shop[1], **settings), clock=clock)
    await server.start(startup)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            yield SupportHarness(server, channel, clock, shop[0])
    finally:
        await server.stop()
        await shutdown()


async def etag_now(support: SupportHarness, name: str) -> str:
    reply_ = await support.as_(SAM).GetCase(case_service_pb2.GetCaseRequest(name=name))
    return str(reply_.case.etag)


async def test_the_system_is_told_of_every_committed_change_of_every_case(support: SupportHarness) -> None:
    watch = await live(support)
    told: list[tuple[str, str, str]] = []

    async def next_change() -> tuple[str, str, str]:
        notice = await read(watch)
        assert not notice.initial
        # The name, the etag and whose case it is, never content.
        assert [field.name for field, _ in notice.ListFields()] == ["name", "etag", "customer_id"]
        # The etag is the one GetCase gives for the case now.
        assert notice.etag == await etag_now(support, notice.name)
        told.append((notice.name, notice.etag, notice.customer_id))
        return notice.name, notice.etag, notice.customer_id

    ana_case = await open_case(support, ANA)
    assert await next_change() == (ana_case.name, ana_case.etag, ANA.subject)
    ben_case = await open_case(support, BEN, order_id="ord_2001")
    assert await next_change() == (ben_case.name, ben_case.etag, BEN.subject)
    noted = await reply(support, SAM, ana_case, "Customer is a regular", internal=True)
    assert await next_change() == (ana_case.name, noted.case.etag, ANA.subject)
    answered = await reply(support, SAM, ben_case, "We are on it")
    assert await next_change() == (ben_case.name, answered.case.etag, BEN.subject)
    await support.relay().RecordRefundEvent(
        refund_event(ana_case, events_pb2.REFUND_EVENT_KIND_REQUESTED, "ev-1")
    )
    assert await next_change() == (ana_case.name, "3", ANA.subject)
    assert [etag for _, etag, _ in told] == ["1", "1", "2", "2", "3"]
    watch.cancel()


async def test_anyone_but_the_system_is_permission_denied(support: SupportHarness) -> None:
    for who in (SAM, LEE, ANA):
        error = await failure(support.watch_all(who))
        assert (error.code, error.reason) == (grpc.StatusCode.PERMISSION_DENIED, "SYSTEM_ONLY"), who
    assert support.server.feed.watcher_count == 0
    error = await failure(support.watch_all(None))
    assert error.code == grpc.StatusCode.UNAUTHENTICATED


async def test_a_watcher_of_every_case_that_falls_behind_is_aborted(
    tmp_path: Path, shop: tuple[FakeOrderService, int]
) -> None:
    # Room for one change only: a commit that changes two cases (a reply to a closed case opens a
    # follow-up) is more than it can take before its stream reads again.
    async with own_server(tmp_path, shop, watch_all_queue_size=1) as support:
        case = await open_case(support, ANA)
        answered = (await reply(support, SAM, case, "A new mug is on its way")).case
        resolved = await support.as_(SAM).ResolveCase(
            case_service_pb2.ResolveCaseRequest(name=case.name, etag=answered.etag)
        )
        closed = await support.as_(ANA).CloseCase(
            case_service_pb2.CloseCaseRequest(name=case.name, etag=resolved.case.etag)
        )
        watch = await live(support)
        one_case = support.watch(SAM, case.name)  # a WatchCase stream keeps its own, larger queue
        await read(one_case)

        follow_up = await reply(support, ANA, closed.case, "It broke again")
        assert follow_up.case.name != case.name

        error = await failure(watch)
        assert (error.code, error.reason) == (grpc.StatusCode.ABORTED, "WATCH_LAGGING")
        assert "case_id" not in error.metadata
        assert (await read(one_case)).etag == "5"  # the others go on
        assert support.server.feed.watcher_count == 1
        one_case.cancel()


async def test_a_cancelled_watch_of_every_case_is_forgotten(support: SupportHarness) -> None:
    watch = await live(support)
    assert support.server.feed.watcher_count == 1
    watch.cancel()
    for _ in range(100):
        if support.server.feed.watcher_count == 0:
            break
        await asyncio.sleep(0.01)
    assert support.server.feed.watcher_count == 0


async def test_streams_of_every_case_end_cleanly_when_the_server_shuts_down(
    tmp_path: Path, shop: tuple[FakeOrderService, int]
) -> None:
    grace_s = 5.0
    async with own_server(tmp_path, shop, grace_s=grace_s) as support:
        watches = [await live(support), await live(support)]
        case = await open_case(support)
        for watch in watches:
            assert (await read(watch)).name == case.name
        started = time.monotonic()
        await support.server.stop()
        assert time.monotonic() - started < grace_s / 2  # not held for the grace period
        for watch in watches:
            assert await asyncio.wait_for(watch.read(), 3) is grpc.aio.EOF
            assert await watch.code() == grpc.StatusCode.OK
        assert support.server.feed.watcher_count == 0


async def test_watchers_of_every_case_count_against_the_watcher_limit(
    tmp_path: Path, shop: tuple[FakeOrderService, int]
) -> None:
    async with own_server(tmp_path, shop, watch_max_subscribers=1) as support:
        case = await open_case(support)
        watch = await live(support)
        for other in (support.watch_all(BFF), support.watch(SAM, case.name)):
            error = await failure(other)
            assert (error.code, error.reason) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "TOO_MANY_WATCHERS")
        watch.cancel()
