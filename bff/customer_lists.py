"""A customer's own lists (of cases, and of refunds: bff.routers.refunds), kept until one of their
cases changes.

Customers come back to "my cases" far more often than their cases change, and each read of it
costs support_svc a ListCases and the BFF the mapping of every case on it. The BFF keeps each page
as the JSON it was sent as, per customer and query (filters, search, sort, page), and drops all of a
customer's pages the moment support_svc says one of their cases changed: the WatchCases stream that
`bff.case_pages.follow_changes` holds open tells whose case each change is, and a new case comes
down it too.

What keeps a kept list right (the rules of bff.case_pages):
- Lists are kept only while that stream is live. When it ends or fails, everything kept is dropped
  and nothing is kept until it is live again.
- A read that heard of a change of any of that customer's cases while it ran is not kept (it may
  hold the state from before the change), and neither is one that began before the stream last
  went down or came up. A change whose customer the stream does not name (a support_svc from
  before it did) drops every list.
- Nobody sees a list older than their own last change: when a browser's state-changing request
  ends (the front door notes it in `OwnChanges`), lists kept before it are not used for that
  browser. That is what shows a change made through this process to whoever made it: the
  SupportClient tells of its own writes by case id only (`on_change`), which cannot name the
  customer, so a staff member's change through this BFF reaches the customer's kept list when the
  stream tells it, as any change made elsewhere does (a moment later).
- A list is kept at most `max_age_s` (a bound in case a change were ever missed) and never past
  the earliest SLA due time of the cases on it (each case says whether it is in breach, which
  support_svc decides with the time).
- A customer's refunds are kept the same way: refund_svc's relay tells the case of every change of
  its refunds (support's stream then tells this BFF), so until it has, the list shows them as they
  were, as a case page does. Only a list rendered whole is kept (with the shop away a refund shows
  no product titles).
- Only customers' own lists are kept here; a list answers only the customer it was read for. Staff
  lists are shared for a moment instead (bff.shared_pages).

One process's memory, bounded: at most `size` lists and `MAX_KEPT_BYTES` of JSON (least recently
used go first), and at most `MAX_LISTS_PER_CUSTOMER` per customer (their oldest kept go first), so
that one customer's many searches cannot push everyone else's lists out.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from bff import metrics, schemas
from bff.case_pages import KeptWhileFollowing, seconds_to_next_due
from bff.records import CaseChanged

# A list is a few hundred bytes per case on it (at most 100 cases a page): the default `size`
# (10,000) of small lists stays far below this; it bounds the memory of large ones.
MAX_KEPT_BYTES = 64 * 1024 * 1024
# The lists one customer usually has: the default one, a filter or two, a few pages, a search.
MAX_LISTS_PER_CUSTOMER = 16


@dataclass(slots=True)
class _Kept:
    body: bytes  # the CaseListResponse as JSON
    read_at: float  # when the read began: the list is at least this fresh
    expires_at: float


@dataclass(slots=True)
class ListRead:
    """One read of a customer's list in flight; `changed` when a change of one of their cases was
    heard meanwhile."""

    customer_id: str
    began_at: float
    epoch: int
    changed: bool = False


class KeptCustomerLists(KeptWhileFollowing[ListRead]):
    def _start(self) -> None:
        # (customer, query as JSON) -> the list; least recently used first.
        self._lists: OrderedDict[tuple[str, str], _Kept] = OrderedDict()
        # customer -> the queries of their kept lists, oldest kept first: what a change drops.
        self._queries: dict[str, dict[str, None]] = {}
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._lists)

    @property
    def kept_bytes(self) -> int:
        return self._bytes

    # --- reads ----------------------------------------------------------------------------------

    def get(self, customer_id: str, query: str, *, browser: Hashable) -> bytes | None:
        """The list this customer's `query` (schemas.CaseQuery as JSON) was last answered, or None:
        read it (see `reading`)."""
        body = self._kept(customer_id, query, browser)
        metrics.customer_list("read" if body is None else "kept")
        return body

    def _kept(self, customer_id: str, query: str, browser: Hashable) -> bytes | None:
        key = (customer_id, query)
        kept = self._lists.get(key)
        if kept is None:
            return None
        if self._clock() >= kept.expires_at:
            self._drop(key)
            return None
        if kept.read_at < self.changes.last(browser):
            return None  # kept before this browser's own last change
        self._lists.move_to_end(key)
        return kept.body

    @contextmanager
    def reading(self, customer_id: str) -> Iterator[ListRead]:
        """Registers a read of the customer's list while it runs, so that a change of one of their
        cases heard meanwhile is known; `keep` it at the end."""
        with self._registered(customer_id, ListRead(customer_id, self._clock(), self._epoch)) as read:
            yield read

    def keep(self, read: ListRead, query: str, body: bytes, cases: Sequence[schemas.Case]) -> None:
        """Keeps `body`, the list of `cases` the read answered for `query`."""
        # Only while the stream is live (going down drops everything) and nothing of this customer's
        # changed since the read began.
        if not self._live or read.changed or read.epoch != self._epoch:
            return
        now = self._clock()
        expires_at = min(
            read.began_at + self._max_age_s, now + seconds_to_next_due(cases, self._wall_clock())
        )
        if expires_at <= now or len(body) > MAX_KEPT_BYTES:
            return
        key = (read.customer_id, query)
        kept = self._lists.get(key)
        if kept is not None:
            if kept.read_at > read.began_at:
                return  # a read that began later was kept already
            self._drop(key)
        queries = self._queries.setdefault(read.customer_id, {})
        if len(queries) >= MAX_LISTS_PER_CUSTOMER:
            self._drop((read.customer_id, next(iter(queries))))
            queries = self._queries.setdefault(read.customer_id, {})
        queries[query] = None
        self._lists[key] = _Kept(body, read.began_at, expires_at)
        self._bytes += len(body)
        while len(self._lists) > self._size or self._bytes > MAX_KEPT_BYTES:
            self._drop(next(iter(self._lists)))

    def _drop(self, key: tuple[str, str]) -> None:
        kept = self._lists.pop(key)
        self._bytes -= len(kept.body)
        customer_id, query = key
        queries = self._queries[customer_id]
        del queries[query]
        if not queries:
            del self._queries[customer_id]

    # --- what changes them ----------------------------------------------------------------------

    def case_changed(self, change: CaseChanged) -> None:
        """support_svc committed a change of one of this customer's cases (or opened one for them)."""
        if not change.customer_id:
            self._forget_all()  # whose it is was not said: any list may show it
            return
        for query in list(self._queries.get(change.customer_id, ())):
            self._drop((change.customer_id, query))
        for read in self._reads.get(change.customer_id, ()):
            read.changed = True

    def _forget(self) -> None:
        self._lists.clear()
        self._queries.clear()
        self._bytes = 0
