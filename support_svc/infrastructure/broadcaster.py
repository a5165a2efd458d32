"""The in-process change feed behind WatchCase: per-case subscriber queues, fed after each COMMIT.

Publishing never waits: each watcher has a bounded queue, and a watcher whose queue is full (it does
not read fast enough) is dropped and told so (WatchLaggingError), so a slow client can never hold up
a writer. On shutdown every watcher is ended: its stream finishes cleanly instead of being cut at
the end of the grace period.

One process, one feed: with several support_svc processes on one database, each tells only of the
changes it committed (a shared bus such as Redis pub/sub would be the next step then).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Sequence
from enum import Enum

from prometheus_client import Counter, Gauge

from kit.logs import get_logger
from support_svc.application.ports import CaseChange, CaseChangeFeed, CaseWatch
from support_svc.domain.errors import TooManyWatchersError, WatchLaggingError

DEFAULT_QUEUE_SIZE = 64
DEFAULT_MAX_WATCHERS = 10_000

log = get_logger("support_svc.watch")

WATCHERS = Gauge("support_case_watchers", "WatchCase subscribers connected now")
DROPPED = Counter("support_case_watchers_dropped_total", "WatchCase subscribers dropped for falling behind")


class _State(Enum):
    OPEN = "OPEN"
    ENDED = "ENDED"  # the feed closed: deliver what is queued, then end
    LAGGING = "LAGGING"  # dropped: fail at once


class _Watch(CaseWatch):
    def __init__(self, feed: CaseBroadcaster, case_id: int, limit: int) -> None:
        self.case_id = case_id
        self._feed = feed
        self._limit = limit
        self._pending: deque[CaseChange] = deque()
        self._wakeup = asyncio.Event()
        self._state = _State.OPEN

    def offer(self, change: CaseChange) -> bool:
        """Queues a change; False (and the watch is dropped) when the queue is full."""
        if len(self._pending) >= self._limit:
            self._state = _State.LAGGING
            self._pending.clear()
            self._wakeup.set()
            return False
        self._pending.append(change)
        self._wakeup.set()
        return True

    def end(self) -> None:
        if self._state is _State.OPEN:
            self._state = _State.ENDED
        self._wakeup.set()

    async def next(self) -> CaseChange | None:
        while True:
            if self._state is _State.LAGGING:
                raise WatchLaggingError(self.case_id)
            if self._pending:
                return self._pending.popleft()
            if self._state is _State.ENDED:
                return None
            self._wakeup.clear()
            await self._wakeup.wait()

    def close(self) -> None:
        self._feed.remove(self)


class CaseBroadcaster(CaseChangeFeed):
    def __init__(
        self, *, queue_size: int = DEFAULT_QUEUE_SIZE, max_watchers: int = DEFAULT_MAX_WATCHERS
    ) -> None:
        if queue_size < 1 or max_watchers < 1:
            raise ValueError("queue_size and max_watchers must be positive")
        self._queue_size = queue_size
        self._max_watchers = max_watchers
        self._watchers: dict[int, set[_Watch]] = {}
        self._count = 0
        self._closed = False

    @property
    def watcher_count(self) -> int:
        return self._count

    def publish(self, changes: Sequence[CaseChange]) -> None:
        for change in changes:
            for watch in list(self._watchers.get(change.case_id, ())):
                if not watch.offer(change):
                    self.remove(watch)
                    DROPPED.inc()
                    log.warning("watcher dropped: it fell behind", case_id=change.case_id)

    def subscribe(self, case_id: int) -> CaseWatch:
        if self._count >= self._max_watchers:
            raise TooManyWatchersError(self._max_watchers)
        watch = _Watch(self, case_id, self._queue_size)
        if self._closed:
            watch.end()
            return watch
        self._watchers.setdefault(case_id, set()).add(watch)
        self._count += 1
        WATCHERS.inc()
        return watch

    def remove(self, watch: _Watch) -> None:
        watchers = self._watchers.get(watch.case_id)
        if watchers is None or watch not in watchers:
            return
        watchers.discard(watch)
        if not watchers:
            del self._watchers[watch.case_id]
        self._count -= 1
        WATCHERS.dec()

    def close(self) -> None:
        """Ends every watch (their streams finish) and refuses to keep new ones open."""
        self._closed = True
        for watchers in list(self._watchers.values()):
            for watch in list(watchers):
                watch.end()
                self.remove(watch)
