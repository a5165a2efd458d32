"""Case pages as last answered, kept until their case changes.

A case page is read far more often than its case changes: the customer reloads it, the agent keeps
it open, and every watcher of the case reads it again after each change. Reading it means one
SQLite statement, building the aggregate with its conversation and timeline, and mapping all of it
to the answer; answering a repeated read from here costs a dictionary lookup (bench/README.md).

What keeps it right:
- A page is forgotten when its case changes: every write of a case goes through a unit of work,
  which hands its committed changes to the feed, and the feed given to the units of work is
  `ForgetChangedPages` (server.py). This process is its database's only writer (DESIGN.md), so
  there is no change it does not see.
- A read that began before a change may not store what it read: `put` refuses a page when any
  change was published since `changes_seen()` was taken before the read.
- The answer depends on who asks only through staff or not (internal notes, events), so a page is
  kept per (case, staff, view); whether the caller may see the case at all is asked of the case,
  on every read.
- "In breach" depends on the time: a page whose case is not in breach yet is kept only until its
  breach time.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from support_svc.application.ports import CaseChange, CaseChangeFeed, CaseWatch
from support_svc.domain.case import SupportCase

type PageKey = tuple[int, bool, bool]  # case id, staff, with history


@dataclass(frozen=True, slots=True)
class _Page:
    case: SupportCase  # as read, for the visibility rule; never changed (pages are only replaced)
    answer: Any  # what the presentation made of it (a GetCaseResponse)
    valid_until: datetime | None  # the case's breach time while it lies ahead; None: until it changes


class CasePages:
    """At most `max_pages` pages, least recently read first out; `max_pages` 0 keeps none."""

    def __init__(self, max_pages: int) -> None:
        self.max_pages = max_pages
        self._pages: OrderedDict[PageKey, _Page] = OrderedDict()
        self._changes = 0  # changes published so far (a read compares it before and after)
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._pages)

    def get(self, key: PageKey, now: datetime) -> tuple[SupportCase, Any] | None:
        page = self._pages.get(key)
        if page is None or (page.valid_until is not None and now >= page.valid_until):
            self.misses += 1
            return None
        self._pages.move_to_end(key)
        self.hits += 1
        return page.case, page.answer

    def changes_seen(self) -> int:
        return self._changes

    def put(self, key: PageKey, case: SupportCase, answer: Any, *, now: datetime, changes_seen: int) -> None:
        if self.max_pages <= 0 or changes_seen != self._changes:
            return  # a change was published while this page was read: it may be older than that
        breach = case.sla.breach_time()
        self._pages[key] = _Page(case, answer, breach if breach is not None and breach >= now else None)
        self._pages.move_to_end(key)
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)

    def forget(self, case_ids: Sequence[int]) -> None:
        self._changes += 1
        for case_id in set(case_ids):
            for staff in (False, True):
                for full in (False, True):
                    self._pages.pop((case_id, staff, full), None)


class ForgetChangedPages(CaseChangeFeed):
    """The change feed the units of work publish to: forgets the changed cases' pages, then passes
    the changes on to the watchers."""

    def __init__(self, pages: CasePages, watchers: CaseChangeFeed) -> None:
        self._pages = pages
        self._watchers = watchers

    def publish(self, changes: Sequence[CaseChange]) -> None:
        self._pages.forget([change.case_id for change in changes])
        self._watchers.publish(changes)

    def subscribe(self, case_id: int) -> CaseWatch:
        return self._watchers.subscribe(case_id)

    def subscribe_all(self) -> CaseWatch:
        return self._watchers.subscribe_all()
