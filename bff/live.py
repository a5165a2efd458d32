"""Live case updates for the browser: support_svc's WatchCase stream as server-sent events.

One gRPC stream per open page. Its identity token lives a minute and is checked when a call starts, so
the stream is re-opened every `reopen_s` (less than that minute) with a new token, after checking that
the session still exists; a change that fell between two streams is reported as "resync" (the etag
moved on). A comment every `keepalive_s` without news keeps proxies from closing the connection. The
response ends after `max_s`, when the session has ended, or when support_svc ends or drops the stream
(it is shutting down, or this watcher fell behind); EventSource then reconnects by itself and sends
the last etag it saw as Last-Event-ID, which is compared with the current one. When the browser goes
away, Starlette cancels the response and the gRPC call is cancelled with it. A stream's first message must
come within the BFF's rpc deadline (bff.clients.base): else DEADLINE_EXCEEDED, a 504 before anything is
sent, or the end of the response when it happens at a re-open.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import grpc

from bff.problems import ProblemError
from bff.records import CaseChange
from bff.schemas import CaseChangedEvent
from bff.store import StoreUnavailableError
from kit.logs import get_logger

log = get_logger("bff.live")

EVENT = "case-changed"
RESYNC = "resync"  # the kind of a change that happened while no stream was open
RETRY_MS = 2000  # how long EventSource waits before it reconnects
KEEPALIVE = b": keep-alive\n\n"
_SAFE_ID = re.compile(r"^[\x21-\x7e]{1,200}$")  # an `id:` line may hold no line break, NUL or space

Watch = Callable[[], AsyncGenerator[CaseChange]]
StillAllowed = Callable[[], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class Timing:
    keepalive_s: float
    reopen_s: float
    max_s: float


def _with_id(etag: str, lines: list[str]) -> bytes:
    head = [f"id: {etag}"] if _SAFE_ID.match(etag) else []
    return ("\n".join([*head, *lines]) + "\n\n").encode()


def encode(change: CaseChange) -> bytes:
    kind = change.kinds[0] if change.kinds else RESYNC
    data = CaseChangedEvent(etag=change.etag, kind=kind, kinds=list(change.kinds) or [kind])
    return _with_id(change.etag, [f"event: {EVENT}", f"data: {data.model_dump_json()}"])


# One event of the stream, for the OpenAPI document.
EVENT_SCHEMA = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"type": "string", "enum": [EVENT]},
        "id": {
            "type": "string",
            "description": "The case's etag; EventSource sends it back as Last-Event-ID",
        },
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": CaseChangedEvent.model_json_schema(by_alias=True),
        },
    },
}


def opening(etag: str) -> bytes:
    """Sets the reconnection delay and the browser's last event id to the current etag, without an
    event (a block with no data dispatches nothing)."""
    return _with_id(etag, [f"retry: {RETRY_MS}"])


class CaseEvents:
    def __init__(self, watch: Watch, still_allowed: StillAllowed, timing: Timing) -> None:
        self._watch = watch
        self._still_allowed = still_allowed
        self._timing = timing

    async def start(self, known_etag: str | None) -> AsyncIterator[bytes]:
        """Opens the first stream and reads its first message, so that a case this user may not see
        fails here (NOT_FOUND, a 404) before anything is sent. `known_etag`: the version the browser
        shows; when the case has moved on since, the first event says so."""
        stream = self._watch()
        try:
            first = await anext(stream)
        except StopAsyncIteration:
            raise ProblemError(
                status=503,
                reason="SERVICE_UNAVAILABLE",
                detail="Live updates are not available right now. Reload the page to see changes.",
            ) from None
        except BaseException:
            await stream.aclose()
            raise
        return self._events(stream, first.etag, known_etag)

    async def _events(
        self, stream: AsyncGenerator[CaseChange], etag: str, known_etag: str | None
    ) -> AsyncIterator[bytes]:
        queue: asyncio.Queue[CaseChange | None] = asyncio.Queue()
        pump = asyncio.create_task(self._pump(stream, etag, queue))
        pump.add_done_callback(_report)
        try:
            yield opening(etag)
            if known_etag is not None and known_etag != etag:
                yield encode(CaseChange(etag, (RESYNC,), initial=False))
            while True:
                try:
                    async with asyncio.timeout(self._timing.keepalive_s):
                        change = await queue.get()
                except TimeoutError:
                    yield KEEPALIVE
                    continue
                if change is None:
                    return
                yield encode(change)
        finally:
            # Not awaited: the response may be being cancelled (the browser left), and the pump's own
            # clean-up (cancelling the gRPC call) needs nothing from here.
            pump.cancel()

    async def _pump(
        self, stream: AsyncGenerator[CaseChange], etag: str, queue: asyncio.Queue[CaseChange | None]
    ) -> None:
        """Moves support's changes into `queue`, re-opening the stream on time; None when it is over."""
        loop = asyncio.get_running_loop()
        ends_at = loop.time() + self._timing.max_s
        try:
            while True:
                etag, on_time = await self._follow(
                    stream, etag, queue, min(loop.time() + self._timing.reopen_s, ends_at)
                )
                if not on_time or loop.time() >= ends_at or not await self._still_allowed():
                    return
                stream = self._watch()
                first = await anext(stream)
                if first.etag != etag:
                    etag = first.etag
                    queue.put_nowait(CaseChange(etag, (RESYNC,), initial=False))
        except grpc.aio.AioRpcError as exc:
            log.info("case events ended by support_svc", code=exc.code().name)
        except (StopAsyncIteration, StoreUnavailableError) as exc:
            log.info("case events ended", reason=type(exc).__name__)
        finally:
            queue.put_nowait(None)
            await stream.aclose()

    async def _follow(
        self,
        stream: AsyncGenerator[CaseChange],
        etag: str,
        queue: asyncio.Queue[CaseChange | None],
        until: float,
    ) -> tuple[str, bool]:
        """Forwards changes until `until` (then True: time to re-open) or until support_svc ends the
        stream (False). Returns the last etag seen."""
        try:
            async with asyncio.timeout_at(until):
                async for change in stream:
                    etag = change.etag
                    queue.put_nowait(change)
        except TimeoutError:
            return etag, True
        finally:
            await stream.aclose()
        return etag, False


def _report(pump: asyncio.Task[None]) -> None:
    if not pump.cancelled() and (error := pump.exception()) is not None:
        log.error("case events failed", error=type(error).__name__, exc_info=error)
