"""List pages that the whole support team sees alike, kept for a moment and shared between them.

A support team works one queue: forty agents with the queue (or the approvals queue) open ask the
services the same question many times a second, and each answer costs support_svc a query and the
BFF a page of mapping. Staff of one role who ask for the same page within `ttl_s` (default 1 s) get
the same answer, and those who ask while it is being fetched wait for that one call.

Two rules keep it honest:
- Nobody sees a page older than their own last change: when a browser's state-changing request
  ends (the front door notes it in `OwnChanges`), the pages kept before it are not used for that
  browser.
  Changes by others show within `ttl_s`, as they would on a page that was just loaded.
- Only pages that do not depend on who asks are shared: staff lists without "assigned to me".
  Customers' lists (their own cases and refunds) are never shared (they are kept per customer
  until one of their cases changes: bff.customer_lists).

One process's memory: behind several BFF processes a browser's next request may reach another one,
where only `ttl_s` bounds how old a page can be.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, Literal

from bff import metrics
from bff.own_changes import OwnChanges
from kit.identity import Identity

# Pages kept at once (a page token or a search makes a key of its own; a page of cases is kept as
# its JSON, tens of kB, a page of refunds as records): when full, the oldest go first.
MAX_PAGES = 256

Outcome = Literal["hit", "joined", "miss"]


@dataclass(slots=True)
class _Page:
    fetched_at: float  # when the call that fetched it began: the page is at least this fresh
    value: Any


@dataclass(slots=True)
class _Fetch:
    started_at: float
    task: asyncio.Future[Any]


class SharedPages:
    def __init__(
        self,
        ttl_s: float,
        *,
        changes: OwnChanges | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`changes`: the browsers' own changes, as the front door notes them (shared with the other
        pages kept in this process; by default one of its own, on `clock`)."""
        self._ttl_s = ttl_s
        self._clock = clock
        self.changes = changes if changes is not None else OwnChanges(ttl_s, clock=clock)
        self._pages: dict[Hashable, _Page] = {}
        self._fetching: dict[Hashable, _Fetch] = {}

    @property
    def enabled(self) -> bool:
        return self._ttl_s > 0

    async def get[T](
        self,
        who: Identity,
        browser: Hashable,
        page: Hashable | None,
        fetch: Callable[[], Awaitable[T]],
    ) -> T:
        """The page named `page` (None: not shareable, always fetched) as `who` may see it."""
        if not self.enabled or page is None or not who.is_staff:
            return await fetch()
        key = (who.role, page)
        now = self._clock()
        since = self.changes.last(browser)
        kept = self._pages.get(key)
        if kept is not None and now - kept.fetched_at < self._ttl_s and kept.fetched_at >= since:
            metrics.shared_page("hit")
            return kept.value  # type: ignore[no-any-return]
        running = self._fetching.get(key)
        if running is not None and running.started_at >= since:
            metrics.shared_page("joined")
            # shield: one waiter leaving (its client went away) must not cancel the others' call.
            return await asyncio.shield(running.task)  # type: ignore[no-any-return]
        metrics.shared_page("miss")
        fetching = _Fetch(now, asyncio.ensure_future(fetch()))
        self._fetching[key] = fetching
        fetching.task.add_done_callback(lambda task: self._keep(key, fetching, task))
        return await asyncio.shield(fetching.task)  # type: ignore[no-any-return]

    def _keep(self, key: Hashable, fetching: _Fetch, task: asyncio.Future[Any]) -> None:
        if self._fetching.get(key) is fetching:
            del self._fetching[key]
        if task.cancelled() or task.exception() is not None:
            return  # errors are not kept: the next asker tries again
        kept = self._pages.get(key)
        if kept is not None and kept.fetched_at > fetching.started_at:
            return  # a fresher fetch already finished
        # Re-inserted at the end, so that the dict stays in the order pages were kept: the oldest
        # (and so the first to expire) are at its front.
        self._pages.pop(key, None)
        self._pages[key] = _Page(fetching.started_at, task.result())
        self._drop_old(self._clock())

    def _drop_old(self, now: float) -> None:
        pages = self._pages
        while pages:
            oldest = next(iter(pages))
            if len(pages) <= MAX_PAGES and now - pages[oldest].fetched_at < self._ttl_s:
                return
            del pages[oldest]
