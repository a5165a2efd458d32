"""The in-process change feed: per-case and all-case queues, bounded, a slow watcher dropped, ended on
close."""

import asyncio

import pytest
from prometheus_client import REGISTRY

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


# --- watchers of every case ------------------------------------------------------------------------


def watchers_gauge() -> float:
    return REGISTRY.get_sample_value("support_case_watchers") or 0.0


def dropped_total() -> float:
    return REGISTRY.get_sample_value("support_case_watchers_dropped_total") or 0.0


async def test_a_watcher_of_every_case_gets_every_change_in_commit_order() -> None:
    feed = CaseBroadcaster()
    every, one = feed.subscribe_all(), feed.subscribe(2)
    feed.publish([change(1, 2), change(2, 2)])
    feed.publish([change(3, 1), change(1, 3)])
    assert [await every.next() for _ in range(4)] == [change(1, 2), change(2, 2), change(3, 1), change(1, 3)]
    assert await one.next() == change(2, 2)  # a per-case watcher still gets only its case
    waiting = asyncio.create_task(every.next())
    await asyncio.sleep(0)
    assert not waiting.done()
    feed.publish([change(9, 1)])
    assert (await asyncio.wait_for(waiting, 1)) == change(9, 1)


async def test_a_slow_watcher_of_every_case_is_dropped_at_its_own_larger_bound() -> None:
    feed = CaseBroadcaster(queue_size=1, all_queue_size=3)
    slow, fast = feed.subscribe_all(), feed.subscribe_all()
    feed.publish([change(1, 2), change(2, 2), change(3, 2)])  # three cases: room for them all
    assert [await fast.next() for _ in range(3)] == [change(1, 2), change(2, 2), change(3, 2)]
    assert feed.watcher_count == 2
    dropped = dropped_total()
    feed.publish([change(4, 2)])  # the slow one's fourth: one too many
    assert await fast.next() == change(4, 2)
    with pytest.raises(WatchLaggingError) as lagging:
        await slow.next()
    assert "case_id" not in lagging.value.metadata
    assert (feed.watcher_count, dropped_total()) == (1, dropped + 1)
    slow.close()  # closing a dropped watch is harmless
    fast.close()
    fast.close()
    assert feed.watcher_count == 0


async def test_closing_ends_the_watchers_of_every_case_too() -> None:
    feed = CaseBroadcaster()
    every = feed.subscribe_all()
    waiting = asyncio.create_task(every.next())
    await asyncio.sleep(0)
    feed.close()
    assert await asyncio.wait_for(waiting, 1) is None
    assert await feed.subscribe_all().next() is None
    assert feed.watcher_count == 0


def test_watchers_of_every_case_count_against_the_limit_and_the_gauge() -> None:
    feed = CaseBroadcaster(max_watchers=2)
    before = watchers_gauge()
    every = feed.subscribe_all()
    feed.subscribe(1)
    assert (feed.watcher_count, watchers_gauge()) == (2, before + 2)
    with pytest.raises(TooManyWatchersError):
        feed.subscribe_all()
    with pytest.raises(TooManyWatchersError):
        feed.subscribe(2)
    every.close()
    assert (feed.watcher_count, watchers_gauge()) == (1, before + 1)
    feed.subscribe(2)
    feed.close()
    assert watchers_gauge() == before


def test_the_queue_of_every_case_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        CaseBroadcaster(all_queue_size=0)
