"""How every call goes out: a deadline, the caller's identity token (one per identity, reused for half
its life), the request id, the trace context (a CLIENT span per call when tracing is on), and retries
on UNAVAILABLE only (the call never reached a server) with a short backoff."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any, TypeVar

import grpc

from kit import tracing
from kit.context import REQUEST_ID_HEADER, request_id_var
from kit.identity import Identity, TokenIssuer

Resp = TypeVar("Resp")

CHANNEL_OPTIONS = [
    ("grpc.keepalive_time_ms", 30_000),
    ("grpc.keepalive_timeout_ms", 10_000),
    ("grpc.http2.max_pings_without_data", 0),
    ("grpc.enable_retries", 0),  # retries are ours (below), so that creates are only retried on purpose
]


def open_channel(address: str) -> grpc.aio.Channel:
    return grpc.aio.insecure_channel(address, options=CHANNEL_OPTIONS)


class RpcCaller:
    def __init__(self, *, secret: str, deadline_s: float, retries: int, backoff_s: float = 0.05) -> None:
        self._tokens = TokenIssuer(secret)
        self._deadline_s = deadline_s
        self._retries = retries
        self._backoff_s = backoff_s

    def _metadata(self, identity: Identity) -> tuple[tuple[str, str], ...]:
        return (
            *self._tokens.metadata(identity),
            (REQUEST_ID_HEADER, request_id_var.get()),
            *tracing.inject_metadata(),
        )

    async def call(
        self,
        method: Callable[..., Awaitable[Resp]],
        request: Any,
        identity: Identity,
        *,
        idempotent: bool,
    ) -> Resp:
        """`idempotent`: reads, and creates that carry a request_id (the same one on every attempt).
        Other writes are not retried: a lost answer must not turn into a second change."""
        with tracing.client_span(request):
            return await self._attempts(method, request, self._metadata(identity), idempotent=idempotent)

    def stream(self, method: Callable[..., Any], request: Any, identity: Identity) -> AsyncGenerator[Any]:
        """Opens a server-streaming call and iterates it; closing the iterator cancels the call. The call
        itself has no deadline (the caller ends it), but its FIRST message must come within the deadline
        of any call: else DEADLINE_EXCEEDED (a 504), never a request that hangs because a service took
        the call and sent nothing. The identity token (at least 30 s from expiry) is only checked when
        the call starts, so a long stream is re-opened by its owner before the token would have expired
        (see bff.live)."""
        return self._messages(method(request, metadata=self._metadata(identity)))

    async def _messages(self, call: Any) -> AsyncGenerator[Any]:
        messages = aiter(call)
        try:
            try:
                async with asyncio.timeout(self._deadline_s):
                    first = await anext(messages)
            except TimeoutError:
                raise grpc.aio.AioRpcError(
                    grpc.StatusCode.DEADLINE_EXCEEDED,
                    grpc.aio.Metadata(),
                    grpc.aio.Metadata(),
                    details=f"no first message of the stream within {self._deadline_s} s",
                ) from None
            except StopAsyncIteration:
                return
            yield first
            async for message in messages:
                yield message
        finally:
            call.cancel()

    async def _attempts(
        self,
        method: Callable[..., Awaitable[Resp]],
        request: Any,
        metadata: tuple[tuple[str, str], ...],
        *,
        idempotent: bool,
    ) -> Resp:
        give_up_at = time.monotonic() + self._deadline_s
        attempt = 0
        while True:
            remaining = give_up_at - time.monotonic()
            try:
                return await method(request, timeout=max(remaining, 0.001), metadata=metadata)
            except grpc.aio.AioRpcError as exc:
                pause = self._backoff_s * (2**attempt)
                retry = (
                    idempotent
                    and exc.code() == grpc.StatusCode.UNAVAILABLE
                    and attempt < self._retries
                    and give_up_at - time.monotonic() > pause
                )
                if not retry:
                    raise
                attempt += 1
                await asyncio.sleep(pause)
