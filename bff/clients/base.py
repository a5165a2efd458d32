"""How every call goes out: a deadline, the caller's identity token (minted per call), the request id,
and retries on UNAVAILABLE only (the call never reached a server) with a short backoff."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import grpc

from kit.context import REQUEST_ID_HEADER, request_id_var
from kit.identity import Identity, bearer_metadata

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
        self._secret = secret
        self._deadline_s = deadline_s
        self._retries = retries
        self._backoff_s = backoff_s

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
        metadata = (*bearer_metadata(self._secret, identity), (REQUEST_ID_HEADER, request_id_var.get()))
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
