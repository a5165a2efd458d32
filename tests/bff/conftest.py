"""Fixtures of the BFF tests (helpers live in tests/bff/helpers.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from bff.store import RedisStore
from tests.bff.helpers import REDIS_URL, PrivateRedis, delete_prefix, unique_prefix


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    """A Redis key prefix of this test alone, removed afterwards."""
    value = unique_prefix()
    yield value
    await delete_prefix(value)


@pytest.fixture
async def redis_store() -> AsyncIterator[RedisStore]:
    store = RedisStore(REDIS_URL)
    yield store
    await store.close()


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    """A redis-server of this test alone, on a free port, that the test may stop and start again."""
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()
