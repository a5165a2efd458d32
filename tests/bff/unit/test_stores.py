"""The key-value adapters: Redis (real, and a throwaway server that goes away and comes back) and memory."""

from __future__ import annotations

import asyncio
import time

import pytest
import structlog
from structlog.testing import capture_logs

from bff import main
from bff.store import MemoryStore, RedisStore, StoreUnavailableError
from launcher.system import free_port
from tests.bff.helpers import PrivateRedis, settings


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_redis_store_round_trips_and_counts_in_a_window(redis_store: RedisStore, prefix: str) -> None:
    await redis_store.set_many([(f"{prefix}a", b"1"), (f"{prefix}b", b"2")], ttl_s=10)
    first = await redis_store.hit(f"{prefix}hits", window_s=10)
    second = await redis_store.hit(f"{prefix}hits", window_s=10)

    assert await redis_store.get_many([f"{prefix}a", f"{prefix}b", f"{prefix}c"]) == [b"1", b"2", None]
    assert (first.count, second.count) == (1, 2)
    assert 9 < second.reset_in_s <= 10
    await redis_store.delete(f"{prefix}a")
    assert await redis_store.get(f"{prefix}a") is None
    assert await redis_store.ttl(f"{prefix}a") is None


async def test_a_dead_redis_fails_fast_and_then_stops_trying_for_a_moment() -> None:
    clock = FakeClock()
    store = RedisStore(f"redis://127.0.0.1:{free_port()}/0", timeout_s=0.2, cooldown_s=5, clock=clock)
    try:
        started = time.perf_counter()
        with pytest.raises(StoreUnavailableError):
            await store.get("k")
        with pytest.raises(StoreUnavailableError, match="recently failed"):
            await store.set("k", b"v", 1)
        elapsed = time.perf_counter() - started
    finally:
        await store.close()

    assert elapsed < 1.0


async def test_ping_says_whether_the_store_answers(redis_store: RedisStore) -> None:
    dead = RedisStore(f"redis://127.0.0.1:{free_port()}/0", timeout_s=0.2)
    try:
        await redis_store.ping()
        await MemoryStore().ping()
        with pytest.raises(StoreUnavailableError):
            await dead.ping()
    finally:
        await dead.close()


async def test_after_redis_comes_back_the_store_works_without_a_restart(private_redis: PrivateRedis) -> None:
    clock = FakeClock()
    store = RedisStore(f"redis://127.0.0.1:{private_redis.port}/0", timeout_s=0.3, cooldown_s=1, clock=clock)
    try:
        await store.set("k", b"v", 60)
        private_redis.stop()
        with pytest.raises(StoreUnavailableError):
            await store.get("k")
        private_redis.start()
        with pytest.raises(StoreUnavailableError, match="recently failed"):
            await store.get("k")  # within the cool-down nobody tries

        clock.now += 2  # the cool-down has passed
        await store.set("k", b"again", 60)
        assert await store.get("k") == b"again"
    finally:
        await store.close()


async def test_memory_store_expires_keys_and_windows() -> None:
    clock = FakeClock()
    store = MemoryStore(clock=clock)
    await store.set("k", b"v", ttl_s=10)
    first = await store.hit("w", window_s=60)
    second = await store.hit("w", window_s=60)

    assert await store.get("k") == b"v"
    assert (first.count, second.count, second.reset_in_s) == (1, 2, 60)
    clock.now += 61
    assert await store.get("k") is None
    assert (await store.hit("w", window_s=60)).count == 1


async def test_more_concurrent_calls_than_connections_wait_instead_of_failing(prefix: str) -> None:
    # redis-py's default async pool raises "Too many connections" past its limit; ours queues.
    store = RedisStore("redis://127.0.0.1:6379/0", max_connections=4)
    try:
        await store.set(f"{prefix}k", b"v", 10)
        values = await asyncio.gather(*(store.get(f"{prefix}k") for _ in range(300)))
    finally:
        await store.close()

    assert values == [b"v"] * 300


async def test_a_hit_taken_back_uncounts_it_and_an_ended_window_stays_ended(
    redis_store: RedisStore, prefix: str
) -> None:
    clock = FakeClock()
    memory = MemoryStore(clock=clock)
    for store, key in ((redis_store, f"{prefix}w"), (memory, "w")):
        await store.hit(key, window_s=60)
        await store.hit(key, window_s=60)
        await store.unhit(key)
        assert (await store.hit(key, window_s=60)).count == 2
        await store.unhit(f"{key}-never-hit")  # no window: nothing to take back, nothing made
        assert await store.get(f"{key}-never-hit") is None
    remaining = await redis_store.ttl(f"{prefix}w")
    assert remaining is not None
    assert 0 < remaining <= 60  # DECR keeps the window's expiry


async def test_an_empty_redis_url_is_the_in_memory_store_with_a_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with capture_logs() as logs:
        monkeypatch.setattr(main, "log", structlog.get_logger("bff"))
        in_memory = main._open_store(settings(redis_url=""))
        warned = list(logs)
        redis = main._open_store(settings())
    await redis.close()

    assert isinstance(in_memory, MemoryStore)
    assert [e["log_level"] for e in warned] == ["warning"]
    assert "BFF_REDIS_URL is empty" in warned[0]["event"]
    assert "THIS process only" in warned[0]["event"]
    assert isinstance(redis, RedisStore)
    assert len(logs) == 1  # no warning with a URL


@pytest.mark.parametrize("kind", ["redis", "memory"])
async def test_replace_writes_only_a_key_that_exists(kind: str, redis_store: RedisStore, prefix: str) -> None:
    store = redis_store if kind == "redis" else MemoryStore()
    await store.set(f"{prefix}here", b"old", ttl_s=10)

    replaced = await store.replace(f"{prefix}here", b"new", ttl_s=20)
    absent = await store.replace(f"{prefix}gone", b"new", ttl_s=20)

    assert (replaced, absent) == (True, False)
    assert await store.get(f"{prefix}here") == b"new"
    assert await store.get(f"{prefix}gone") is None
    remaining = await store.ttl(f"{prefix}here")
    assert remaining is not None
    assert 19 < remaining <= 20


class Listener:
    """What a store's listen() tells, and a task running it."""

    def __init__(self, store: RedisStore | MemoryStore, channel: str) -> None:
        self.messages: list[bytes] = []
        self.states: list[bool] = []
        self.task = asyncio.ensure_future(store.listen(channel, self.messages.append, self.states.append))

    async def until(self, check: object, timeout_s: float = 5.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not check():  # type: ignore[operator]
            assert time.monotonic() < deadline, f"not seen: messages {self.messages}, states {self.states}"
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        self.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await self.task


@pytest.mark.parametrize("kind", ["redis", "memory"])
async def test_what_is_published_reaches_every_listener_once_they_are_live(
    kind: str, redis_store: RedisStore, prefix: str
) -> None:
    store = redis_store if kind == "redis" else MemoryStore()
    first, second = Listener(store, f"{prefix}news"), Listener(store, f"{prefix}news")
    other = Listener(store, f"{prefix}other")
    try:
        await first.until(
            lambda: first.states == [True] and second.states == [True] and other.states == [True]
        )
        await store.publish(f"{prefix}news", b"one")
        await store.publish(f"{prefix}news", b"two")
        await first.until(lambda: len(first.messages) == 2 and len(second.messages) == 2)
    finally:
        for listener in (first, second, other):
            await listener.stop()

    assert first.messages == second.messages == [b"one", b"two"]
    assert other.messages == []
    assert first.states == [True, False]  # told it no longer hears, as it stopped


async def test_a_listener_says_when_redis_goes_and_hears_again_when_it_is_back(
    private_redis: PrivateRedis,
) -> None:
    store = RedisStore(f"redis://127.0.0.1:{private_redis.port}/0", timeout_s=0.2, cooldown_s=0.1)
    listener = Listener(store, "news")
    try:
        await listener.until(lambda: listener.states == [True])
        private_redis.stop()
        await listener.until(lambda: listener.states == [True, False])
        private_redis.start()
        await listener.until(lambda: listener.states == [True, False, True], timeout_s=10)
        await store.publish("news", b"back")
        await listener.until(lambda: listener.messages == [b"back"])
    finally:
        await listener.stop()
        await store.close()
