"""Fixed-window rate limits in the store, shared by every BFF process."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

from bff.store import KeyValueStore


@dataclass(frozen=True, slots=True)
class Limit:
    name: str
    max_hits: int
    window_s: int


class Attempt:
    """One attempt counted against its limits before it was made. `retry_after` > 0: over a limit (the
    attempt must not be made; its hits were taken back already)."""

    def __init__(self, store: KeyValueStore, keys: Sequence[str], retry_after: int) -> None:
        self._store = store
        self._keys = list(keys)
        self.retry_after = retry_after

    async def take_back(self) -> None:
        """Uncounts the attempt (it succeeded, or was refused): only failures use up a limit."""
        keys, self._keys = self._keys, []
        for key in keys:
            await self._store.unhit(key)


class RateLimiter:
    def __init__(self, store: KeyValueStore, prefix: str) -> None:
        self._store = store
        self._prefix = prefix

    def _key(self, limit: Limit, subject: str) -> str:
        # Subjects (emails, addresses) are hashed: no personal data in key names.
        digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
        return f"{self._prefix}rl:v1:{limit.name}:{digest}"

    async def attempt(self, checks: Sequence[tuple[Limit, str]]) -> Attempt:
        """Counts an attempt against every check BEFORE it is made, each with one atomic increment. So
        attempts in flight at the same time count too: of N concurrent ones, at most `max_hits` are let
        through, whatever order they finish in. The caller takes a successful attempt back."""
        keys: list[str] = []
        wait = 0
        for limit, subject in checks:
            key = self._key(limit, subject)
            hits = await self._store.hit(key, limit.window_s)
            keys.append(key)
            if hits.count > limit.max_hits:
                wait = max(wait, max(1, math.ceil(hits.reset_in_s)))
        attempt = Attempt(self._store, keys, wait)
        if wait:
            await attempt.take_back()  # a refused attempt is not a failure
        return attempt

    async def hit(self, limit: Limit, subject: str) -> int:
        """Counts one hit; returns seconds to wait when this hit went over the limit, else 0."""
        hits = await self._store.hit(self._key(limit, subject), limit.window_s)
        return max(1, math.ceil(hits.reset_in_s)) if hits.count > limit.max_hits else 0
