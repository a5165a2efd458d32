"""WatchCase end to end: a real server, real SQLite, watchers and writers on separate channels."""

import asyncio
import time
from pathlib import Path
from typing import Any

import grpc
from acme.support.v1 import case_pb2
from acme.support.v1 import refund_event_service_pb2 as events_pb2

from kit.errors import RichError
from support_svc.server import create_server
from tests.support_svc.fakes import FixedClock
from tests.support_svc.integration.harness import (
    ANA,
    BEN,
    SAM,
    FakeOrderService,
    SupportHarness,
    open_case,
    refund_event,
    reply,
    support_settings,
)

MESSAGE_ADDED = case_pb2.CASE_EVENT_KIND_MESSAGE_ADDED
STATUS_CHANGED = case_pb2.CASE_EVENT_KIND_STATUS_CHANGED


async def read(call: Any) -> Any:
    message = await asyncio.wait_for(call.read(), 3)
    assert message is not grpc.aio.EOF, "the stream ended"
    return message


async def failure(call: Any) -> RichError:
    try:
        await asyncio.wait_for(call.read(), 3)
    except grpc.aio.AioRpcError as err:
        return RichError.from_rpc_error(err)
    raise AssertionError("the watch did not fail")


async def test_a_watcher_is_told_of_a_message_another_client_added(support: SupportHarness) -> None:
    case = await open_case(support)
    watch = support.watch(ANA, case.name)
    first = await read(watch)
    assert (first.etag, first.initial, list(first.kinds)) == (case.etag, True, [])
    async with grpc.aio.insecure_channel(support.address) as other_channel:
        other = SupportHarness(support.server, other_channel, support.clock, support.shop)
        added = await reply(other, SAM, case, "We are on it")
    notice = await read(watch)
    assert (notice.etag, list(notice.kinds), notice.internal, notice.initial) == (
        added.case.etag,
        [MESSAGE_ADDED, STATUS_CHANGED],
        False,
        False,
    )
    assert "We are on it" not in str(notice)  # never the content
    watch.cancel()


async def test_a_customer_is_never_told_of_an_internal_note_staff_are(support: SupportHarness) -> None:
    case = await open_case(support)
    customer, agent = support.watch(ANA, case.name), support.watch(SAM, case.name)
    await read(customer)
    await read(agent)
    noted = await reply(support, SAM, case, "Customer is a regular", internal=True)
    answered = await reply(support, SAM, case, "Hello Ana")
    staff_notice = await read(agent)
    assert (staff_notice.etag, list(staff_notice.kinds), staff_notice.internal) == (
        noted.case.etag,
        [case_pb2.CASE_EVENT_KIND_NOTE_ADDED],
        True,
    )
    # The customer's next message is the public reply: nothing came for the note in between.
    customer_notice = await read(customer)
    assert (customer_notice.etag, list(customer_notice.kinds), customer_notice.internal) == (
        answered.case.etag,
        [MESSAGE_ADDED, STATUS_CHANGED],
        False,
    )
    assert (await read(agent)).etag == answered.case.etag
    customer.cancel()
    agent.cancel()


async def test_another_customers_watch_is_not_found(support: SupportHarness) -> None:
    case = await open_case(support)
    error = await failure(support.watch(BEN, case.name))
    assert (error.code, error.reason) == (grpc.StatusCode.NOT_FOUND, "CASE_NOT_FOUND")
    error = await failure(support.watch(SAM, "cases/424242"))
    assert error.code == grpc.StatusCode.NOT_FOUND
    error = await failure(support.watch(SAM, "case/1"))
    assert (error.code, [v.field for v in error.field_violations]) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        ["name"],
    )


async def test_a_watch_without_a_token_is_unauthenticated(support: SupportHarness) -> None:
    case = await open_case(support)
    error = await failure(support.watch(None, case.name))
    assert error.code == grpc.StatusCode.UNAUTHENTICATED


async def test_refund_events_and_the_resolution_they_cause_are_told(support: SupportHarness) -> None:
    case = await open_case(support)
    watch = support.watch(ANA, case.name)
    await read(watch)
    relay = support.relay()
    await relay.RecordRefundEvent(refund_event(case, events_pb2.REFUND_EVENT_KIND_REQUESTED, "a-1"))
    assert list((await read(watch)).kinds) == [case_pb2.CASE_EVENT_KIND_REFUND_EVENT]
    await relay.RecordRefundEvent(refund_event(case, events_pb2.REFUND_EVENT_KIND_REFUNDED, "a-2", seconds=1))
    notice = await read(watch)
    assert list(notice.kinds) == [case_pb2.CASE_EVENT_KIND_REFUND_EVENT, STATUS_CHANGED]
    assert notice.etag == "3"
    watch.cancel()


async def test_streams_end_cleanly_when_the_server_shuts_down(
    tmp_path: Path, shop: tuple[FakeOrderService, int]
) -> None:
    grace_s = 5.0
    server, startup, shutdown = create_server(
        support_settings(tmp_path, shop[1], grace_s=grace_s), clock=FixedClock()
    )
    await server.start(startup)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            support = SupportHarness(server, channel, FixedClock(), shop[0])
            case = await open_case(support)
            watches = [support.watch(who, case.name) for who in (ANA, SAM, SAM)]
            for watch in watches:
                await read(watch)
            started = time.monotonic()
            await server.stop()
            assert time.monotonic() - started < grace_s / 2  # not held for the grace period
            for watch in watches:
                assert await asyncio.wait_for(watch.read(), 3) is grpc.aio.EOF
                assert await watch.code() == grpc.StatusCode.OK
            assert server.feed.watcher_count == 0
    finally:
        await server.stop()  # again, in case an assertion failed before it: else pytest never exits
        await shutdown()


async def test_a_cancelled_watch_is_forgotten(support: SupportHarness) -> None:
    case = await open_case(support)
    watch = support.watch(SAM, case.name)
    await read(watch)
    assert support.server.feed.watcher_count == 1
    watch.cancel()
    for _ in range(100):
        if support.server.feed.watcher_count == 0:
            break
        await asyncio.sleep(0.01)
    assert support.server.feed.watcher_count == 0
