"""CasePages alone: bounded, least recently read out first, and never storing a read that a change
overtook."""

from __future__ import annotations

from datetime import timedelta

from support_svc.application.case_pages import CasePages, ForgetChangedPages
from support_svc.application.ports import CaseChange
from support_svc.infrastructure.broadcaster import CaseBroadcaster
from tests.support_svc.fakes import START, RecordingFeed
from tests.support_svc.unit.test_case import open_case

LATER = START + timedelta(minutes=1)


def test_pages_beyond_the_bound_go_least_recently_read_first() -> None:
    pages = CasePages(max_pages=2)
    for case_id in (1, 2):
        pages.put(
            (case_id, False, True), open_case(case_id=case_id), f"page {case_id}", now=START, changes_seen=0
        )
    assert pages.get((1, False, True), LATER) is not None  # 1 is now the most recently read

    pages.put((3, False, True), open_case(case_id=3), "page 3", now=START, changes_seen=0)

    assert len(pages) == 2
    assert pages.get((2, False, True), LATER) is None
    assert [pages.get((i, False, True), LATER)[1] for i in (1, 3)] == ["page 1", "page 3"]  # type: ignore[index]


def test_a_read_that_a_change_overtook_is_not_kept() -> None:
    pages = CasePages(max_pages=10)
    seen = pages.changes_seen()  # a read begins
    pages.forget([7])  # a commit of another case lands meanwhile

    pages.put((1, False, True), open_case(case_id=1), "page", now=START, changes_seen=seen)

    assert pages.get((1, False, True), LATER) is None
    assert (pages.hits, pages.misses) == (0, 1)


def test_a_change_forgets_every_view_of_its_case_and_reaches_the_watchers() -> None:
    pages = CasePages(max_pages=10)
    for staff in (False, True):
        for full in (False, True):
            pages.put((1, staff, full), open_case(case_id=1), "page", now=START, changes_seen=0)
    pages.put((2, False, True), open_case(case_id=2), "other", now=START, changes_seen=0)
    watchers = RecordingFeed()
    change = CaseChange(case_id=1, customer_id="cus_1001", version=2, kinds=(), public_kinds=())

    ForgetChangedPages(pages, watchers).publish([change])

    assert len(pages) == 1
    assert pages.get((2, False, True), LATER) is not None
    assert watchers.published == [change]


def test_a_bound_of_zero_keeps_nothing() -> None:
    pages = CasePages(max_pages=0)
    pages.put((1, False, True), open_case(case_id=1), "page", now=START, changes_seen=0)
    assert len(pages) == 0


async def test_watchers_of_every_case_subscribe_through_the_wrapper_and_hear_of_its_changes() -> None:
    pages = CasePages(max_pages=10)
    pages.put((1, False, True), open_case(case_id=1), "page", now=START, changes_seen=0)
    watchers = CaseBroadcaster()
    feed = ForgetChangedPages(pages, watchers)
    change = CaseChange(case_id=1, customer_id="cus_1001", version=2, kinds=(), public_kinds=())

    watch = feed.subscribe_all()
    assert watchers.watcher_count == 1
    feed.publish([change])

    assert await watch.next() == change
    assert len(pages) == 0
    watch.close()
    assert watchers.watcher_count == 0
