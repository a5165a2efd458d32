"""CaseEvents with fake WatchCase streams: re-opened on time with the session checked, changes between two
streams reported, keep-alives, an end when support or the session ends, and no stream left open."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import grpc
import pytest
from acme.support.v1 import case_service_pb2

from bff.clients.support import SERVICE_NAME as SUPPORT_SERVICE
from bff.live import CaseEvents, Timing, encode
from bff.problems import ProblemError
from bff.records import CaseChange
from tests.bff.helpers import client, eventually, memory_store, running, settings, sign_in

SLOW = Timing(keepalive_s=10, reopen_s=10, max_s=60)


class FakeSupport:
    """Each watch() is one stream: its first message is the current etag, then whatever is fed."""

    def __init__(self, etag: str = "1") -> None:
        self.etag = etag
        self.opened = 0
        self.open_now = 0
        self.fail_on_open: grpc.aio.AioRpcError | None = None
        self.ended = asyncio.Event()  # set: the current stream ends (support shutting down)
        self.none_open = asyncio.Event()
        self._changes: asyncio.Queue[CaseChange] = asyncio.Queue()

    def change(self, *kinds: str) -> None:
        self.etag = str(int(self.etag) + 1)
        self._changes.put_nowait(CaseChange(self.etag, kinds, initial=False))

    async def watch(self) -> AsyncGenerator[CaseChange]:
        self.opened += 1
        if self.fail_on_open is not None:
            raise self.fail_on_open
        self.open_now += 1
        try:
            yield CaseChange(self.etag, (), initial=True)
            while not self.ended.is_set():
                getting = asyncio.ensure_future(self._changes.get())
                ending = asyncio.ensure_future(self.ended.wait())
                try:
                    await asyncio.wait({getting, ending}, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    getting.cancel()
                    ending.cancel()
                if getting.done() and not getting.cancelled():
                    yield getting.result()
        finally:
            self.open_now -= 1
            if not self.open_now:
                self.none_open.set()


def rpc_error(code: grpc.StatusCode) -> grpc.aio.AioRpcError:
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(), details="x")


class Session:
    def __init__(self) -> None:
        self.alive = True
        self.checks = 0

    async def __call__(self) -> bool:
        self.checks += 1
        return self.alive


async def read(stream: AsyncIterator[bytes], count: int, timeout_s: float = 2.0) -> list[bytes]:
    out: list[bytes] = []
    async with asyncio.timeout(timeout_s):
        async for chunk in stream:
            out.append(chunk)
            if len(out) == count:
                break
    return out


async def rest(stream: AsyncIterator[bytes], timeout_s: float = 2.0) -> list[bytes]:
    async with asyncio.timeout(timeout_s):
        return [chunk async for chunk in stream]


async def test_a_change_becomes_a_case_changed_event_with_the_etag_as_its_id() -> None:
    support = FakeSupport("7")
    stream = await CaseEvents(support.watch, Session(), SLOW).start(known_etag=None)

    opening = await read(stream, 1)
    support.change("message_added", "status_changed")
    (event,) = await read(stream, 1)

    assert opening == [b"id: 7\nretry: 2000\n\n"]
    assert event == (
        b'id: 8\nevent: case-changed\ndata: {"etag":"8","kind":"message_added",'
        b'"kinds":["message_added","status_changed"]}\n\n'
    )
    await stream.aclose()  # type: ignore[attr-defined]


async def test_a_page_behind_the_case_is_told_at_once() -> None:
    support = FakeSupport("9")
    stream = await CaseEvents(support.watch, Session(), SLOW).start(known_etag="7")

    _, resync = await read(stream, 2)

    assert resync == encode(CaseChange("9", ("resync",), initial=False))
    assert b'"kind":"resync"' in resync
    await stream.aclose()  # type: ignore[attr-defined]


async def test_quiet_streams_send_keep_alive_comments() -> None:
    support = FakeSupport()
    stream = await CaseEvents(support.watch, Session(), Timing(0.05, 10, 60)).start(known_etag=None)

    chunks = await read(stream, 3)

    assert chunks[1:] == [b": keep-alive\n\n", b": keep-alive\n\n"]
    await stream.aclose()  # type: ignore[attr-defined]


async def test_the_stream_is_reopened_on_time_after_checking_the_session_and_missed_changes_are_told() -> (
    None
):
    support = FakeSupport("1")
    session = Session()
    stream = await CaseEvents(support.watch, session, Timing(10, 0.1, 60)).start(known_etag=None)
    await read(stream, 1)

    await asyncio.sleep(0.35)
    reopened = support.opened
    support.etag = "5"  # changed while no stream listened: the next stream starts there
    (resync,) = await read(stream, 1)

    assert reopened >= 3
    assert session.checks >= 2
    assert support.open_now == 1
    assert b'"kind":"resync"' in resync
    assert b'"etag":"5"' in resync
    await stream.aclose()  # type: ignore[attr-defined]


async def test_the_stream_ends_when_the_session_has_ended() -> None:
    support = FakeSupport()
    session = Session()
    stream = await CaseEvents(support.watch, session, Timing(10, 0.05, 60)).start(known_etag=None)
    await read(stream, 1)

    session.alive = False

    assert await rest(stream) == []
    assert support.open_now == 0


@pytest.mark.parametrize("how", ["support ends the stream", "support fails the re-open", "its time is up"])
async def test_the_stream_ends_and_the_browser_reconnects(how: str) -> None:
    support = FakeSupport()
    timing = Timing(
        10, 0.05 if how == "support fails the re-open" else 10, 0.1 if how == "its time is up" else 60
    )
    stream = await CaseEvents(support.watch, Session(), timing).start(known_etag=None)
    await read(stream, 1)

    if how == "support ends the stream":
        support.ended.set()
    elif how == "support fails the re-open":
        support.fail_on_open = rpc_error(grpc.StatusCode.UNAVAILABLE)

    assert await rest(stream) == []
    assert support.open_now == 0


async def test_a_case_that_cannot_be_watched_fails_before_anything_is_sent() -> None:
    support = FakeSupport()
    support.fail_on_open = rpc_error(grpc.StatusCode.NOT_FOUND)

    with pytest.raises(grpc.aio.AioRpcError) as failed:
        await CaseEvents(support.watch, Session(), SLOW).start(known_etag=None)

    assert failed.value.code() == grpc.StatusCode.NOT_FOUND


async def test_a_stream_that_ends_before_its_first_message_is_a_503() -> None:
    async def nothing() -> AsyncGenerator[CaseChange]:
        return
        yield  # pragma: no cover

    with pytest.raises(ProblemError) as failed:
        await CaseEvents(nothing, Session(), SLOW).start(known_etag=None)

    assert failed.value.status == 503


async def test_leaving_cancels_the_stream_to_support() -> None:
    support = FakeSupport()
    stream = await CaseEvents(support.watch, Session(), SLOW).start(known_etag=None)
    await read(stream, 1)

    await stream.aclose()  # type: ignore[attr-defined]  # what Starlette's cancellation amounts to
    async with asyncio.timeout(1):
        await support.none_open.wait()

    assert support.opened == 1


def test_an_etag_unfit_for_an_id_line_is_sent_in_the_data_only() -> None:
    event = encode(CaseChange('"2"\nx', ("message_added",), initial=False))

    assert not event.startswith(b"id:")
    assert event.count(b"\n\n") == 1


class SilentWatchCase:
    """A support_svc stand-in whose WatchCase takes the call and then sends nothing; the first
    `answer_first` streams get their first message and then stay quiet."""

    def __init__(self, answer_first: int = 0) -> None:
        self.answer_first = answer_first
        self.calls = 0
        self.cancelled = 0

    async def watch(
        self, request: case_service_pb2.WatchCaseRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[case_service_pb2.WatchCaseResponse]:
        self.calls += 1
        try:
            if self.calls <= self.answer_first:
                yield case_service_pb2.WatchCaseResponse(etag="1", initial=True)
            await asyncio.Event().wait()  # never set
        except asyncio.CancelledError:
            self.cancelled += 1
            raise


@asynccontextmanager
async def silent_support(servicer: SilentWatchCase) -> AsyncIterator[str]:
    server = grpc.aio.server()
    watch_case = grpc.unary_stream_rpc_method_handler(
        servicer.watch,
        request_deserializer=case_service_pb2.WatchCaseRequest.FromString,
        response_serializer=case_service_pb2.WatchCaseResponse.SerializeToString,
    )
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler(SUPPORT_SERVICE, {"WatchCase": watch_case}),)
    )
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        await server.stop(0)


async def test_a_watch_that_never_sends_its_first_message_is_a_504_in_time() -> None:
    servicer = SilentWatchCase()
    async with silent_support(servicer) as address:
        config = settings(support_addr=address, rpc_deadline_s=0.3, redis_url="")
        async with running(config, store_factory=memory_store) as app, client(app) as http:
            await sign_in(http, "ana")
            started = time.monotonic()
            async with asyncio.timeout(5):  # without a bound on the first message: forever
                response = await http.get("/api/cases/10001/events")
            elapsed = time.monotonic() - started
            await eventually_true(lambda: servicer.cancelled == 1)

    assert response.status_code == 504
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["reason"] == "SERVICE_TIMEOUT"
    assert 0.3 <= elapsed < 2
    assert servicer.calls == 1


async def test_a_reopened_watch_that_never_sends_its_first_message_ends_the_stream() -> None:
    servicer = SilentWatchCase(answer_first=1)
    async with silent_support(servicer) as address:
        config = settings(
            support_addr=address, rpc_deadline_s=0.3, events_reopen_s=0.2, events_max_s=30, redis_url=""
        )
        async with running(config, store_factory=memory_store) as app, client(app) as http:
            await sign_in(http, "ana")
            async with asyncio.timeout(5):  # the response ends when the stream does
                response = await http.get("/api/cases/10001/events")
            await eventually_true(lambda: servicer.cancelled == 2)

    assert response.status_code == 200
    assert response.text.startswith("id: 1\nretry: 2000\n\n")
    assert servicer.calls == 2


async def eventually_true(check: Callable[[], bool], timeout_s: float = 5.0) -> None:
    async def holds() -> bool:
        return check()

    await eventually(holds, timeout_s)
