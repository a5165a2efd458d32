"""Each response in one write (bff.one_write): on a transport that records its writes, and through a
real uvicorn server on loopback."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import uvicorn
from fastapi import FastAPI
from starlette.responses import StreamingResponse
from uvicorn.server import ServerState

from bff.__main__ import server_options
from bff.one_write import OneWriteHttpToolsProtocol, TurnWrites
from tests.bff.helpers import serving, settings


class RecordingTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False
        self.wrote = asyncio.Event()

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.writes.append(bytes(data))
        self.wrote.set()

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/hello")
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        async def events() -> AsyncIterator[bytes]:
            for i in range(3):
                await asyncio.sleep(0.01)
                yield f"data: {i}\n\n".encode()

        return StreamingResponse(events(), media_type="text/event-stream")

    return app


async def _served(request: bytes, until: bytes) -> RecordingTransport:
    """`request` fed to the protocol, over a transport that records what is written, until `until`
    has been written (or 2 s)."""
    config = uvicorn.Config(_app(), log_config=None, lifespan="off")
    protocol = OneWriteHttpToolsProtocol(config=config, server_state=ServerState(), app_state={})
    transport = RecordingTransport()
    protocol.connection_made(transport)
    protocol.data_received(request)
    async with asyncio.timeout(2):
        while until not in b"".join(transport.writes):
            transport.wrote.clear()
            await transport.wrote.wait()
    await asyncio.sleep(0.02)  # anything written after it would show too
    protocol.connection_lost(None)
    return transport


async def test_a_json_answer_leaves_in_one_write() -> None:
    transport = await _served(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", b'{"hello":"world"}')

    assert len(transport.writes) == 1
    head, _, body = transport.writes[0].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert body == b'{"hello":"world"}'


async def test_a_stream_still_sends_each_event_as_it_comes() -> None:
    transport = await _served(b"GET /stream HTTP/1.1\r\nHost: x\r\n\r\n", b"0\r\n\r\n")

    sent = b"".join(transport.writes)
    assert [sent.index(f"data: {i}".encode()) for i in range(3)] == sorted(
        sent.index(f"data: {i}".encode()) for i in range(3)
    )
    assert len(transport.writes) >= 3  # events ~10 ms apart are not held back for one another


async def test_writes_of_one_turn_are_joined_in_order_and_a_close_sends_them_first() -> None:
    transport = RecordingTransport()
    writes = TurnWrites(transport, asyncio.get_running_loop())
    writes.write(b"a")
    writes.write(b"b")
    assert transport.writes == []
    await asyncio.sleep(0)
    assert transport.writes == [b"ab"]

    writes.write(b"c")
    writes.close()
    assert (transport.writes, transport.closed) == ([b"ab", b"c"], True)


async def test_what_is_pending_when_the_client_has_gone_is_dropped() -> None:
    transport = RecordingTransport()
    writes = TurnWrites(transport, asyncio.get_running_loop())
    writes.write(b"late")
    transport.closed = True
    await asyncio.sleep(0)
    assert transport.writes == []


async def _exchange(base_url: str, request: bytes) -> bytes:
    loop = asyncio.get_running_loop()
    address = urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port)) as sock:
        sock.setblocking(False)
        await loop.sock_sendall(sock, request)
        received = b""
        async with asyncio.timeout(5):
            while chunk := await loop.sock_recv(sock, 65536):
                received += chunk
    return received


async def test_a_real_server_answers_pipelined_requests_in_order_then_closes() -> None:
    request = (
        b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
        b"GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"
        b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    async with serving(_app()) as base_url:
        received = await _exchange(base_url, request)

    assert received.count(b"HTTP/1.1 200 OK") == 3
    first, stream, last = (
        received.index(b'{"hello"'),
        received.index(b"data: 2"),
        received.rindex(b'{"hello"'),
    )
    assert first < stream < last
    assert received.endswith(b'{"hello":"world"}')


def test_the_bff_is_served_with_it() -> None:
    assert server_options(settings())["http"] is OneWriteHttpToolsProtocol
