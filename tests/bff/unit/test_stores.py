"""The key-value adapters: Redis (real, and a throwaway server that goes away and comes back) and memory."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest

from bff.store import MemoryStore, RedisStore, StoreUnavailableError
from tests.bff.helpers import free_port


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


class PrivateRedis:
    """A private redis-server, so that a test may stop and restart it (never the shared one)."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        assert binary is not None, "redis-server must be installed for the BFF tests"
        self.binary = binary
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.02)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(5)
            self.process = None


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


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
