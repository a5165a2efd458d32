"""The in-process change feed behind WatchCase and WatchCases: per-case subscriber queues, and
all-case ones (every change of every case), fed after each COMMIT.

Publishing never waits: each watcher has a bounded queue, and a watcher whose queue is full (it does
not read fast enough) is dropped and told so (WatchLaggingError), so a slow client can never hold up
a writer. An all-case watcher hears of far more changes than a per-case one, so its queue is larger
(`all_queue_size`); both count against the one watcher limit. On shutdown every watcher is ended:
its stream finishes cleanly instead of being cut at the end of the grace period.

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
DEFAULT_ALL_QUEUE_SIZE = 1_024
DEFAULT_MAX_WATCHERS = 10_000

log = get_logger("support_svc.watch")

WATCHERS = Gauge("support_case_watchers", "WatchCase and WatchCases subscribers connected now")
DROPPED = Counter(
    "support_case_watchers_dropped_total", "WatchCase and WatchCases subscribers dropped for falling behind"
)


class _State(Enum):
    OPEN = "OPEN"
    ENDED = "ENDED"  # the feed closed: deliver what is queued, then end
    LAGGING = "LAGGING"  # dropped: fail at once


class _Watch(CaseWatch):
    def __init__(self, feed: CaseBroadcaster, case_id: int | None, limit: int) -> None:
        self.case_id = case_id  # None: every case
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
        self,
        *,
        queue_size: int = DEFAULT_QUEUE_SIZE,
        all_queue_size: int = DEFAULT_ALL_QUEUE_SIZE,
        max_watchers: int = DEFAULT_MAX_WATCHERS,
    ) -> None:
        if queue_size < 1 or all_queue_size < 1 or max_watchers < 1:
            raise ValueError("queue_size, all_queue_size and max_watchers must be positive")
        self._queue_size = queue_size
        self._all_queue_size = all_queue_size
        self._max_watchers = max_watchers
        self._watchers: dict[int, set[_Watch]] = {}
        self._all: set[_Watch] = set()  # watchers of every case
        self._count = 0
        self._closed = False

    @property
    def watcher_count(self) -> int:
        return self._count

    def publish(self, changes: Sequence[CaseChange]) -> None:
        for change in changes:
            for watch in list(self._watchers.get(change.case_id, ())):
                if not watch.offer(change):
                    self._drop(watch)
        if self._all:  # nothing more to do (one test) while nobody watches every case
            for watch in list(self._all):
                for change in changes:
                    if not watch.offer(change):
                        self._drop(watch)
                        break

    def _drop(self, watch: _Watch) -> None:
        self.remove(watch)
        DROPPED.inc()
        if watch.case_id is None:
            log.warning("watcher of every case dropped: it fell behind")
        else:
            log.warning("watcher dropped: it fell behind", case_id=watch.case_id)

    def subscribe(self, case_id: int) -> CaseWatch:
        return self._add(_Watch(self, case_id, self._queue_size))

    def subscribe_all(self) -> CaseWatch:
        return self._add(_Watch(self, None, self._all_queue_size))

    def _add(self, watch: _Watch) -> _Watch:
        if self._count >= self._max_watchers:
            raise TooManyWatchersError(self._max_watchers)
        if self._closed:
            watch.end()
            return watch
        if watch.case_id is None:
            self._all.add(watch)
        else:
            self._watchers.setdefault(watch.case_id, set()).add(watch)
        self._count += 1
        WATCHERS.inc()
        return watch

    def remove(self, watch: _Watch) -> None:
        if watch.case_id is None:
            if watch not in self._all:
                return
            self._all.discard(watch)
        else:
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
        for watchers in [*self._watchers.values(), self._all]:
            for watch in list(watchers):
                watch.end()
                self.remove(watch)
