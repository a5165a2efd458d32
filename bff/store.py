"""The small key-value port behind sessions, rate limits and the order cache, with two adapters.

RedisStore is the real one. MemoryStore keeps everything in this process: it exists so that the BFF
runs without Redis on a laptop, and it is only correct with ONE process.
"""

from __future__ import annotations

import abc
import asyncio
import math
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from opentelemetry.trace import SpanKind
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from kit import tracing

Clock = Callable[[], float]


class StoreUnavailableError(Exception):
    """The store cannot be reached; callers decide whether to fail closed or go around it."""


@dataclass(frozen=True, slots=True)
class Hits:
    """A fixed-window counter after an increment: how many hits and how long until the window ends."""

    count: int
    reset_in_s: float


class KeyValueStore(abc.ABC):
    @abc.abstractmethod
    async def get(self, key: str) -> bytes | None: ...

    @abc.abstractmethod
    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]: ...

    @abc.abstractmethod
    async def set(self, key: str, value: bytes, ttl_s: float) -> None: ...

    @abc.abstractmethod
    async def set_many(self, items: Sequence[tuple[str, bytes]], ttl_s: float) -> None: ...

    @abc.abstractmethod
    async def replace(self, key: str, value: bytes, ttl_s: float) -> bool:
        """Sets the key only if it exists: False (and nothing written) when it does not."""

    @abc.abstractmethod
    async def delete(self, key: str) -> None: ...

    @abc.abstractmethod
    async def publish(self, channel: str, message: bytes) -> None:
        """Tells every process that listens to the channel, this one included."""

    @abc.abstractmethod
    async def listen(
        self, channel: str, on_message: Callable[[bytes], None], on_live: Callable[[bool], None]
    ) -> None:
        """Follows the channel until cancelled: on_live(True) once subscribed, on_message for each
        message from then on, on_live(False) when the subscription is lost (messages may have been
        missed meanwhile); then subscribes again."""

    @abc.abstractmethod
    async def hit(self, key: str, window_s: float) -> Hits:
        """Counts one hit in the key's current fixed window (the window starts at the first hit)."""

    @abc.abstractmethod
    async def unhit(self, key: str) -> None:
        """Takes one hit back from the key's current window (nothing once the window has ended)."""

    @abc.abstractmethod
    async def ttl(self, key: str) -> float | None:
        """Seconds until the key expires; None when it does not exist."""

    async def ping(self) -> None:
        """Raises StoreUnavailableError when the store cannot be reached (readiness)."""
        return None

    async def close(self) -> None:
        return None


_DECR_IF_EXISTS = "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end return 0"


class RedisStore(KeyValueStore):
    """Redis with a BLOCKING pool: redis-py's default async pool raises at its limit (the 101st call)
    instead of waiting. After a failure the store reports unavailable for `cooldown_s` without
    trying, so a dead Redis costs callers nothing; after that, the next call tries again."""

    def __init__(
        self,
        url: str,
        *,
        max_connections: int = 64,
        timeout_s: float = 0.5,
        cooldown_s: float = 1.0,
        clock: Clock = time.monotonic,
    ) -> None:
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=2.0,  # wait this long for a free pooled connection, then fail
            socket_connect_timeout=timeout_s,
            socket_timeout=timeout_s,
            # One immediate retry replaces a pooled connection that died with a Redis restart;
            # redis-py's default (10 retries with backoff) would stall every request while Redis is down.
            retry=Retry(NoBackoff(), 1),
            health_check_interval=30,
        )
        self._redis = Redis(connection_pool=pool)
        self._cooldown_s = cooldown_s
        self._clock = clock
        self._down_until = 0.0

    @contextmanager
    def _command(self, name: str) -> Iterator[None]:
        """Around one Redis command: fails fast while cooling down, maps errors, and is a span when
        tracing is on (named by the command only: keys hold ids and session hashes)."""
        if self._clock() < self._down_until:
            raise StoreUnavailableError("redis recently failed")
        with tracing.span(
            f"redis {name}", kind=SpanKind.CLIENT, **{"db.system": "redis", "db.operation.name": name}
        ):
            try:
                yield
            except RedisError as exc:
                self._down_until = self._clock() + self._cooldown_s
                raise StoreUnavailableError(type(exc).__name__) from exc

    async def get(self, key: str) -> bytes | None:
        with self._command("GET"):
            value = await self._redis.get(key)
        return value if value is None or isinstance(value, bytes) else str(value).encode()

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        if not keys:
            return []
        with self._command("MGET"):
            values = await self._redis.mget(list(keys))
        return [v if v is None or isinstance(v, bytes) else str(v).encode() for v in values]

    async def set(self, key: str, value: bytes, ttl_s: float) -> None:
        with self._command("SET"):
            await self._redis.set(key, value, px=max(1, math.ceil(ttl_s * 1000)))

    async def set_many(self, items: Sequence[tuple[str, bytes]], ttl_s: float) -> None:
        if not items:
            return
        with self._command("SET"):
            async with self._redis.pipeline(transaction=False) as pipe:
                for key, value in items:
                    pipe.set(key, value, px=max(1, math.ceil(ttl_s * 1000)))
                await pipe.execute()

    async def replace(self, key: str, value: bytes, ttl_s: float) -> bool:
        with self._command("SET"):
            return bool(await self._redis.set(key, value, px=max(1, math.ceil(ttl_s * 1000)), xx=True))

    async def delete(self, key: str) -> None:
        with self._command("DEL"):
            await self._redis.delete(key)

    async def publish(self, channel: str, message: bytes) -> None:
        with self._command("PUBLISH"):
            await self._redis.publish(channel, message)

    async def listen(
        self,
        channel: str,
        on_message: Callable[[bytes], None],
        on_live: Callable[[bool], None],
        *,
        retry_s: float = 1.0,
    ) -> None:
        while True:
            live = False
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(channel)
                    while True:
                        # A timeout, so that the connection's health check (a PING every 30 s) runs
                        # even when nothing is published: a dead connection is noticed, not waited on.
                        message = await pubsub.get_message(timeout=1.0)
                        if message is None:
                            continue
                        if message["type"] == "subscribe" and not live:
                            live = True
                            on_live(True)
                        elif message["type"] == "message" and live:
                            on_message(message["data"])
            except (RedisError, OSError):
                pass
            finally:
                if live:
                    on_live(False)
            await asyncio.sleep(retry_s)

    async def hit(self, key: str, window_s: float) -> Hits:
        with self._command("INCR"):
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                # NX: only the first hit of a window sets the expiry (Redis >= 7).
                pipe.pexpire(key, max(1, math.ceil(window_s * 1000)), nx=True)
                pipe.pttl(key)
                count, _, pttl = await pipe.execute()
        return Hits(count=int(count), reset_in_s=max(0, int(pttl)) / 1000)

    async def unhit(self, key: str) -> None:
        with self._command("DECR"):
            # A plain DECR of an expired window would make a key without expiry, counting from -1.
            await self._redis.eval(_DECR_IF_EXISTS, 1, key)

    async def ttl(self, key: str) -> float | None:
        with self._command("PTTL"):
            pttl = int(await self._redis.pttl(key))
        return None if pttl == -2 else (math.inf if pttl == -1 else pttl / 1000)

    async def ping(self) -> None:
        with self._command("PING"):
            await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()


class MemoryStore(KeyValueStore):
    """Everything in a dict, expired lazily. One process only."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._data: dict[str, tuple[bytes, float]] = {}
        self._listeners: dict[str, list[Callable[[bytes], None]]] = {}

    def _live(self, key: str) -> tuple[bytes, float] | None:
        item = self._data.get(key)
        if item is not None and item[1] <= self._clock():
            del self._data[key]
            return None
        return item

    def _sweep(self) -> None:
        # Amortised clean-up so that abandoned keys do not pile up forever.
        if len(self._data) > 10_000:
            now = self._clock()
            for key in [k for k, (_, exp) in self._data.items() if exp <= now]:
                del self._data[key]

    async def get(self, key: str) -> bytes | None:
        item = self._live(key)
        return None if item is None else item[0]

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        return [await self.get(k) for k in keys]

    async def set(self, key: str, value: bytes, ttl_s: float) -> None:
        self._sweep()
        self._data[key] = (value, self._clock() + ttl_s)

    async def set_many(self, items: Sequence[tuple[str, bytes]], ttl_s: float) -> None:
        for key, value in items:
            await self.set(key, value, ttl_s)

    async def replace(self, key: str, value: bytes, ttl_s: float) -> bool:
        if self._live(key) is None:
            return False
        await self.set(key, value, ttl_s)
        return True

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    async def publish(self, channel: str, message: bytes) -> None:
        for listener in list(self._listeners.get(channel, ())):
            listener(message)

    async def listen(
        self, channel: str, on_message: Callable[[bytes], None], on_live: Callable[[bool], None]
    ) -> None:
        # One process: every publisher is in it, so nothing can be missed.
        listeners = self._listeners.setdefault(channel, [])
        listeners.append(on_message)
        on_live(True)
        try:
            await asyncio.Event().wait()
        finally:
            listeners.remove(on_message)
            on_live(False)

    async def hit(self, key: str, window_s: float) -> Hits:
        item = self._live(key)
        now = self._clock()
        count, expires = (int(item[0]) + 1, item[1]) if item else (1, now + window_s)
        self._data[key] = (str(count).encode(), expires)
        return Hits(count=count, reset_in_s=expires - now)

    async def unhit(self, key: str) -> None:
        item = self._live(key)
        if item is not None:
            self._data[key] = (str(int(item[0]) - 1).encode(), item[1])

    async def ttl(self, key: str) -> float | None:
        item = self._live(key)
        return None if item is None else item[1] - self._clock()
