"""Fixtures of the BFF tests (helpers live in tests/bff/helpers.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bff.store import RedisStore
from tests.bff.helpers import REDIS_URL, delete_prefix, unique_prefix


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
