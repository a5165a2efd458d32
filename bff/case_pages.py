"""What a case page is made of, kept until its case changes.

The case page is the most read screen: customers come back to their case, agents open a case again
and again while they work it. Each read costs the BFF two gRPC calls (support_svc's case with its
conversation and timeline, refund_svc's refunds of the case) and an order lookup. The BFF keeps what
those calls answered, per case and per kind of viewer (staff, or the customer whose case it is), and
drops it the moment support_svc says the case changed: `follow_changes` holds one WatchCases stream
open for the whole process, and every committed change of any case, internal ones and refund events
included, comes down it (it tells customers' kept lists too: bff.customer_lists).

What keeps a kept page right:
- Pages are kept only while that stream is live. When it ends or fails, everything kept is dropped
  and nothing is kept until it is live again.
- A read that heard of a change of its case while it ran is not kept (it may hold the state from
  before the change), unless it came back with the etag the stream told last (it shows that change
  then); neither is one that began before the stream last went down or came up.
- Refund changes reach the case through refund_svc's relay, a moment later: until then the page
  shows the refunds as they were. Nobody sees a page older than their own last change: when a
  browser's state-changing request ends (the front door notes it in `OwnChanges`), pages kept
  before it are not used for that browser.
- The same relay tells support_svc of every refund of the case (a "refund_event" timeline entry),
  so a case whose timeline has none has no refund to ask refund_svc for (`has_refunds`): most
  cases never have one, and that call was about a quarter of reading a page. Only a refund written
  through this process in the last `REFUND_RELAY_GRACE_S` may not have reached its case yet
  (`refunds_written`): for that case refund_svc is asked all the same. One written elsewhere shows
  when the relay reaches the case, as any other refund change does.
- The order is not kept with the page: every read takes it from the order cache (bff.orders: a few
  seconds in memory, then Redis for its TTL), so a kept page shows it as fresh as a page read anew,
  and a page read while the shop was away shows the order as soon as the shop answers again.
- A page is kept at most `max_age_s` (a bound in case a change were ever missed: changes reach it
  through the stream) and never past the case's next SLA due time (support_svc says whether a case
  is in breach when it answers).
- Customers' views are kept apart from staff views (support_svc hides internal notes from
  customers), and a customer's view answers only the customer whose case it is: for anyone else
  the read goes to support_svc, which says NOT_FOUND. The viewer's own parts (which refund actions
  they may take) are rendered on every read from what was kept.

One process's memory, bounded (`size` cases' views, least recently used go first).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import grpc
from pydantic import TypeAdapter

from bff import metrics, schemas
from bff.own_changes import OwnChanges
from bff.records import CaseChanged, RefundRecord
from kit.logs import get_logger

log = get_logger("bff.case_pages")


# How long a refund written through this process makes its case's reads ask refund_svc even though
# the case's timeline does not show it yet: far longer than the relay takes while it works.
REFUND_RELAY_GRACE_S = 60.0

_MESSAGES = TypeAdapter(list[schemas.Message])
_TIMELINE = TypeAdapter(list[schemas.TimelineEntry])
_REFUNDS = TypeAdapter(list[schemas.Refund])


@dataclass(frozen=True, slots=True)
class CaseData:
    """The parts of a case page that are the same for every viewer of one kind.

    The conversation (case, messages, timeline: most of a page) is kept as the JSON it is sent as,
    ~2.5 kB a page: as models it would be ~20 kB and ~60 objects the garbage collector walks. The
    order is not part of it: each read looks it up (`case.order_id`).
    """

    case: schemas.Case  # for its order, the refunds' case number and the page's SLA due times
    customer_id: str
    conversation: bytes  # the page's "case", "messages" and "timeline" members, as JSON
    refunds: list[RefundRecord]

    @classmethod
    def of(
        cls,
        case: schemas.Case,
        customer_id: str,
        messages: list[schemas.Message],
        timeline: list[schemas.TimelineEntry],
        refunds: list[RefundRecord],
    ) -> CaseData:
        conversation = b"".join(
            (
                b'"case":',
                case.model_dump_json().encode(),
                b',"messages":',
                _MESSAGES.dump_json(messages),
                b',"timeline":',
                _TIMELINE.dump_json(timeline),
            )
        )
        return cls(case, customer_id, conversation, refunds)

    def page(self, order: schemas.Order | None, refunds: list[schemas.Refund]) -> bytes:
        """The CasePage as JSON, with what this viewer may see of the order and the refunds."""
        return b"".join(
            (
                b"{",
                self.conversation,
                b',"order":',
                b"null" if order is None else order.model_dump_json().encode(),
                b',"refunds":',
                _REFUNDS.dump_json(refunds),
                b"}",
            )
        )


@dataclass(slots=True)
class _Kept:
    data: CaseData
    read_at: float  # when the read began: the data is at least this fresh
    expires_at: float


@dataclass(slots=True)
class Read:
    """One read of a case in flight; `changed` when a change of its case was heard meanwhile that
    the read may not show, `told_etag` the etag the stream told last while it ran."""

    case_id: str
    staff: bool
    began_at: float
    epoch: int
    changed: bool = False
    told_etag: str | None = None


class KeptWhileFollowing[R]:
    """What the keepers of pages until their cases change share (KeptCasePages, and
    bff.customer_lists): their bounds, the browsers' own changes, the reads in flight (of type R,
    registered under what a change names), and whether support's change stream is live
    (follow_changes tells them). Nothing is kept while it is not, and a read that began before it
    last went live or down is not kept (`_epoch`)."""

    def __init__(
        self,
        size: int,
        max_age_s: float,
        *,
        changes: OwnChanges | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """`changes`: the browsers' own changes, as the front door notes them (shared with the other
        pages kept in this process; by default one of its own, on `clock`)."""
        self._size = size
        self._max_age_s = max_age_s
        self._clock = clock
        self._wall_clock = wall_clock
        self.changes = changes if changes is not None else OwnChanges(max_age_s, clock=clock)
        self._live = False
        self._epoch = 0  # moves on whenever the stream goes live or down
        self._reads: dict[str, list[R]] = {}
        self._start()

    def _start(self) -> None:
        """Makes what this keeper keeps (empty)."""
        raise NotImplementedError

    @property
    def enabled(self) -> bool:
        return self._size > 0 and self._max_age_s > 0

    @property
    def live(self) -> bool:
        return self._live

    def went_live(self) -> None:
        """The stream is open: every change from now on will be heard."""
        self._forget_all()
        self._live = True

    def went_down(self) -> None:
        self._forget_all()
        self._live = False

    def _forget_all(self) -> None:
        self._forget()
        self._epoch += 1

    def _forget(self) -> None:
        """Drops everything kept."""
        raise NotImplementedError

    def case_changed(self, change: CaseChanged) -> None:
        """support_svc's stream told a change."""
        raise NotImplementedError

    @contextmanager
    def _registered(self, key: str, read: R) -> Iterator[R]:
        """`read` in flight under `key` while it runs, so that a change heard meanwhile can mark it."""
        reads = self._reads.setdefault(key, [])
        reads.append(read)
        try:
            yield read
        finally:
            reads.remove(read)
            if not reads:
                del self._reads[key]


class KeptCasePages(KeptWhileFollowing[Read]):
    def _start(self) -> None:
        self._pages: OrderedDict[tuple[str, bool], _Kept] = OrderedDict()
        self._refunds_written: dict[str, float] = {}  # case id -> when (see has_refunds)

    def __len__(self) -> int:
        return len(self._pages)

    # --- reads ----------------------------------------------------------------------------------

    def get(self, case_id: str, *, staff: bool, viewer_id: str, browser: Hashable) -> CaseData | None:
        """What was kept of this case for this viewer, or None: read it (see `reading`)."""
        data = self._kept(case_id, staff, viewer_id, browser)
        metrics.case_page("read" if data is None else "kept")
        return data

    def _kept(self, case_id: str, staff: bool, viewer_id: str, browser: Hashable) -> CaseData | None:
        if not self._live:
            return None
        key = (case_id, staff)
        kept = self._pages.get(key)
        if kept is None:
            return None
        if self._clock() >= kept.expires_at:
            del self._pages[key]
            return None
        if kept.read_at < self.changes.last(browser):
            return None  # kept before this browser's own last change
        if not staff and kept.data.customer_id != viewer_id:
            return None  # another customer's case: support_svc answers NOT_FOUND
        self._pages.move_to_end(key)
        return kept.data

    @contextmanager
    def reading(self, case_id: str, *, staff: bool) -> Iterator[Read]:
        """Registers a read of the case while it runs, so that a change heard meanwhile is known;
        `keep` it at the end."""
        with self._registered(case_id, Read(case_id, staff, self._clock(), self._epoch)) as read:
            yield read

    def keep(self, read: Read, data: CaseData) -> None:
        if not self.enabled or not self._live or read.changed or read.epoch != self._epoch:
            return
        if read.told_etag is not None and read.told_etag != data.case.etag:
            return  # the stream told a change meanwhile that this read does not show
        expires_at = min(read.began_at + self._max_age_s, self._next_due(data.case))
        if expires_at <= self._clock():
            return
        key = (read.case_id, read.staff)
        kept = self._pages.get(key)
        if kept is not None and kept.read_at > read.began_at:
            return  # a read that began later was kept already
        self._pages[key] = _Kept(data, read.began_at, expires_at)
        self._pages.move_to_end(key)
        while len(self._pages) > self._size:
            self._pages.popitem(last=False)

    def _next_due(self, case: schemas.Case) -> float:
        """The monotonic time of the case's next SLA due time (after it, support_svc may answer "in
        breach"); far away when none is ahead."""
        return self._clock() + seconds_to_next_due((case,), self._wall_clock())

    # --- what changes them ----------------------------------------------------------------------

    def refunds_written(self, case_id: str) -> None:
        """A refund of this case was written through this process (bff.clients.refund: on_change)."""
        self.heard(case_id)
        now = self._clock()
        written = self._refunds_written
        written.pop(case_id, None)
        written[case_id] = now  # the dict stays in the order of writing: the oldest first
        while (oldest := next(iter(written))) != case_id and now - written[oldest] >= REFUND_RELAY_GRACE_S:
            del written[oldest]

    def has_refunds(self, case_id: str, timeline: list[schemas.TimelineEntry]) -> bool:
        """Whether refund_svc may hold refunds of this case: support_svc heard of one (its timeline
        says so), or one was written through this process lately and may not have reached it yet."""
        if any(entry.kind == "refund_event" for entry in timeline):
            return True
        written_at = self._refunds_written.get(case_id)
        return written_at is not None and self._clock() - written_at < REFUND_RELAY_GRACE_S

    def case_changed(self, change: CaseChanged) -> None:
        """support_svc's stream told a change (follow_changes). A read in flight that comes back with
        the etag the stream told last shows that change (the stream tells changes in commit order, so
        the earlier ones too), and may be kept: a later change is told later and drops it."""
        if not change.etag:
            self.heard(change.case_id)
            return
        self._drop(change.case_id)
        for read in self._reads.get(change.case_id, ()):
            read.told_etag = change.etag

    def heard(self, case_id: str) -> None:
        """support_svc committed a change of this case (a write through this process)."""
        self._drop(case_id)
        for read in self._reads.get(case_id, ()):
            read.changed = True

    def _drop(self, case_id: str) -> None:
        self._pages.pop((case_id, True), None)
        self._pages.pop((case_id, False), None)

    def went_live(self) -> None:
        super().went_live()
        metrics.CASE_PAGE_STREAM_LIVE.set(1)

    def went_down(self) -> None:
        super().went_down()
        metrics.CASE_PAGE_STREAM_LIVE.set(0)

    def _forget(self) -> None:
        self._pages.clear()


def seconds_to_next_due(cases: Iterable[schemas.Case], wall_now: datetime) -> float:
    """How long until the earliest SLA due time still ahead of these cases (after it, support_svc may
    answer "in breach"); infinity when none is ahead."""
    ahead = [
        due
        for case in cases
        for due in (case.first_response_due_at, case.resolution_due_at)
        if due is not None and due > wall_now
    ]
    if not ahead:
        return float("inf")
    return (min(ahead) - wall_now).total_seconds()


async def follow_changes(
    keepers: Sequence[KeptWhileFollowing[Any]],
    watch: Callable[[], AsyncIterator[CaseChanged | None]],
    *,
    retry_s: tuple[float, float] = (0.2, 5.0),
) -> None:
    """Holds the change stream open for as long as the process runs (cancel the task to stop), and
    tells each of `keepers` (those enabled) what comes down it: `watch()` yields None once the stream
    is live, then each case that changed. One stream for all of them. When it ends or fails, what
    they keep is dropped and the stream is opened again, waiting a little longer each time it fails
    at once (from `retry_s[0]` up to `retry_s[1]`)."""
    keepers = [keeper for keeper in keepers if keeper.enabled]
    if not keepers:
        return
    pause = retry_s[0]
    while True:
        heard_any = False
        try:
            async for change in watch():
                if change is None:
                    for keeper in keepers:
                        keeper.went_live()
                    log.info("following case changes: pages are kept until their cases change")
                else:
                    for keeper in keepers:
                        keeper.case_changed(change)
                heard_any = True
        except grpc.aio.AioRpcError as exc:
            log.warning("case change stream failed: pages are not kept", code=exc.code().name)
        except Exception as exc:  # whatever it was, keep following: pages are not kept meanwhile
            log.warning("case change stream failed: pages are not kept", error=repr(exc))
        finally:
            for keeper in keepers:
                keeper.went_down()
        if heard_any:
            pause = retry_s[0]
        await asyncio.sleep(pause)
        pause = min(pause * 2, retry_s[1])
