"""Fixed-window rate limits in the store, shared by every BFF process."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from bff.store import KeyValueStore


@dataclass(frozen=True, slots=True)
class Limit:
    name: str
    max_hits: int
    window_s: int


class RateLimiter:
    def __init__(self, store: KeyValueStore, prefix: str) -> None:
        self._store = store
        self._prefix = prefix

    def _key(self, limit: Limit, subject: str) -> str:
        # Subjects (emails, addresses) are hashed: no personal data in key names.
        digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
        return f"{self._prefix}rl:v1:{limit.name}:{digest}"

    async def blocked_for(self, checks: list[tuple[Limit, str]]) -> int:
        """Seconds until every check is under its limit again (0: none is exhausted). Counts nothing."""
        keys = [self._key(limit, subject) for limit, subject in checks]
        counts = await self._store.get_many(keys)
        wait = 0.0
        for (limit, _), key, count in zip(checks, keys, counts, strict=True):
            if count is not None and int(count) >= limit.max_hits:
                wait = max(wait, await self._store.ttl(key) or 1.0)
        return math.ceil(wait) if wait else 0

    async def hit(self, limit: Limit, subject: str) -> int:
        """Counts one hit; returns seconds to wait when this hit went over the limit, else 0."""
        hits = await self._store.hit(self._key(limit, subject), limit.window_s)
        return max(1, math.ceil(hits.reset_in_s)) if hits.count > limit.max_hits else 0
