"""The in-process change feed: per-case queues, bounded, a slow watcher dropped, ended on close."""

import asyncio

import pytest

from support_svc.application.ports import CaseChange
from support_svc.domain.errors import TooManyWatchersError, WatchLaggingError
from support_svc.domain.values import EventKind
from support_svc.infrastructure.broadcaster import CaseBroadcaster


def change(case_id: int, version: int) -> CaseChange:
    kinds = (EventKind.MESSAGE_ADDED,)
    return CaseChange(case_id=case_id, customer_id="cus_1", version=version, kinds=kinds, public_kinds=kinds)


async def test_each_watcher_gets_the_changes_of_its_case_in_order() -> None:
    feed = CaseBroadcaster()
    one, other = feed.subscribe(1), feed.subscribe(2)
    feed.publish([change(1, 2), change(2, 2), change(1, 3)])
    assert [(await one.next()).version, (await one.next()).version] == [2, 3]  # type: ignore[union-attr]
    assert (await other.next()) == change(2, 2)
    waiting = asyncio.create_task(other.next())
    await asyncio.sleep(0)
    assert not waiting.done()
    feed.publish([change(2, 3)])
    assert (await asyncio.wait_for(waiting, 1)) == change(2, 3)


async def test_a_slow_watcher_is_dropped_the_others_and_the_writer_go_on() -> None:
    feed = CaseBroadcaster(queue_size=2)
    slow, fast = feed.subscribe(1), feed.subscribe(1)
    for version in range(2, 6):
        feed.publish([change(1, version)])  # returns at once, whatever the watchers do
        assert (await fast.next()) == change(1, version)
    with pytest.raises(WatchLaggingError):
        await slow.next()
    assert feed.watcher_count == 1
    slow.close()  # closing a dropped watch is harmless
    fast.close()
    fast.close()
    assert feed.watcher_count == 0


async def test_closing_ends_every_watch_and_later_ones_end_at_once() -> None:
    feed = CaseBroadcaster()
    watch = feed.subscribe(1)
    waiting = asyncio.create_task(watch.next())
    await asyncio.sleep(0)
    feed.close()
    assert await asyncio.wait_for(waiting, 1) is None
    assert await feed.subscribe(1).next() is None
    assert feed.watcher_count == 0


def test_the_number_of_watchers_is_bounded() -> None:
    feed = CaseBroadcaster(max_watchers=2)
    first = feed.subscribe(1)
    feed.subscribe(2)
    with pytest.raises(TooManyWatchersError):
        feed.subscribe(3)
    first.close()
    feed.subscribe(3)


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        CaseBroadcaster(queue_size=0)
