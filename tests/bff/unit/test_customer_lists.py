"""KeptCustomerLists on a clock the test moves: what is kept of customers' own lists, and every rule
that stops a kept list from being used."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from prometheus_client import REGISTRY

from bff import customer_lists, schemas
from bff.case_pages import KeptCasePages, follow_changes
from bff.customer_lists import MAX_LISTS_PER_CUSTOMER, KeptCustomerLists
from bff.records import CaseChanged
from tests.bff.unit.test_case_pages import Clocks, case_data, staff_get
from tests.bff.unit.test_case_pages import read_and_keep as keep_case_page

ANA, BEN = "cus_1", "cus_2"
ALL = '{"status":[]}'  # stands for a query's JSON: the lists do not look inside
OPEN_ONLY = '{"status":["open"]}'


@pytest.fixture
def clocks() -> Clocks:
    return Clocks()


def lists_on(clocks: Clocks, *, size: int = 100, max_age_s: float = 30.0) -> KeptCustomerLists:
    lists = KeptCustomerLists(size, max_age_s, clock=clocks.monotonic, wall_clock=clocks.wall)
    lists.went_live()
    return lists


def read_and_keep(
    lists: KeptCustomerLists,
    customer_id: str = ANA,
    query: str = ALL,
    body: bytes | None = None,
    cases: list[schemas.Case] | None = None,
) -> bytes:
    body = body if body is not None else f"{customer_id} {query}".encode()
    with lists.reading(customer_id) as read:
        lists.keep(read, query, body, cases or [])
    return body


def get(
    lists: KeptCustomerLists, customer_id: str = ANA, query: str = ALL, browser: str = "b1"
) -> bytes | None:
    return lists.get(customer_id, query, browser=browser)


def changed(case_id: str = "7", customer_id: str = ANA) -> CaseChanged:
    return CaseChanged(case_id, customer_id)


def counted(outcome: str) -> float:
    return REGISTRY.get_sample_value("bff_customer_lists_total", {"outcome": outcome}) or 0.0


def test_a_list_is_kept_until_one_of_its_customers_cases_changes(clocks: Clocks) -> None:
    lists = lists_on(clocks)
    assert get(lists) is None
    anas = read_and_keep(lists)
    anas_open = read_and_keep(lists, query=OPEN_ONLY)
    bens = read_and_keep(lists, BEN)
    kept = counted("kept")
    assert get(lists) == anas
    assert get(lists, query=OPEN_ONLY) == anas_open
    assert counted("kept") - kept == 2

    lists.case_changed(changed("8", BEN))  # another customer's case
    assert get(lists) == anas
    assert get(lists, BEN) is None

    lists.case_changed(changed("7", ANA))  # any of Ana's cases, a new one too: all her lists go
    assert get(lists) is None
    assert get(lists, query=OPEN_ONLY) is None
    assert (len(lists), lists.kept_bytes) == (0, 0)
    assert bens  # kept until Ben's case changed


def test_a_list_answers_only_the_customer_it_was_read_for(clocks: Clocks) -> None:
    lists = lists_on(clocks)
    read_and_keep(lists, ANA)
    assert get(lists, BEN, browser="b2") is None


def test_nothing_is_kept_unless_the_stream_is_live(clocks: Clocks) -> None:
    lists = KeptCustomerLists(100, 30.0, clock=clocks.monotonic, wall_clock=clocks.wall)
    read_and_keep(lists)
    assert len(lists) == 0
    reads = counted("read")
    assert get(lists) is None
    assert counted("read") - reads == 1  # every list not answered from what was kept is counted

    lists.went_live()
    read_and_keep(lists)
    assert get(lists) is not None
    lists.went_down()
    assert get(lists) is None
    assert len(lists) == 0


def test_a_read_that_heard_of_a_change_of_its_customers_cases_meanwhile_is_not_kept(clocks: Clocks) -> None:
    lists = lists_on(clocks)
    with lists.reading(ANA) as read:
        lists.case_changed(changed("7", ANA))
        lists.keep(read, ALL, b"before the change", [])
    assert get(lists) is None

    with lists.reading(ANA) as read:
        lists.case_changed(changed("8", BEN))  # another customer's change does not matter
        lists.keep(read, ALL, b"fresh", [])
    assert get(lists) == b"fresh"


@pytest.mark.parametrize("then", ["went_down", "went_live"])
def test_a_read_that_began_before_the_stream_went_down_or_live_is_not_kept(clocks: Clocks, then: str) -> None:
    lists = lists_on(clocks)
    with lists.reading(ANA) as read:
        getattr(lists, then)()
        lists.went_live()
        lists.keep(read, ALL, b"from before", [])
    assert get(lists) is None


def test_a_change_whose_customer_is_not_told_drops_every_list_and_every_read(clocks: Clocks) -> None:
    lists = lists_on(clocks)
    read_and_keep(lists, ANA)
    read_and_keep(lists, BEN)
    with lists.reading(ANA) as read:
        lists.case_changed(changed("7", ""))
        lists.keep(read, ALL, b"maybe before the change", [])
    assert get(lists, ANA) is None
    assert get(lists, BEN) is None


def test_nobody_gets_a_list_older_than_their_own_last_change(clocks: Clocks) -> None:
    lists = lists_on(clocks)
    before = read_and_keep(lists, body=b"before")
    clocks.advance(1)
    lists.changes.note("b1")
    assert get(lists, browser="b1") is None
    assert get(lists, browser="b2") == before  # Ana's other browser

    clocks.advance(1)
    after = read_and_keep(lists, body=b"after")
    assert get(lists, browser="b1") == after


def test_a_list_expires_after_max_age_and_at_the_next_due_time_of_its_cases(clocks: Clocks) -> None:
    lists = lists_on(clocks, max_age_s=30)
    read_and_keep(lists)
    clocks.advance(29.9)
    assert get(lists) is not None
    clocks.advance(0.1)
    assert get(lists) is None

    # Due in 20 s and in 10 s: at the earlier, support_svc may answer "in breach" for that case.
    due = [
        case_data("7", due=clocks.wall() + timedelta(seconds=20)).case,
        case_data("8", due=clocks.wall() + timedelta(seconds=10)).case,
    ]
    read_and_keep(lists, cases=due)
    clocks.advance(9.9)
    assert get(lists) is not None
    clocks.advance(0.1)
    assert get(lists) is None

    # A due time already past does not end the list early (support_svc has judged it).
    read_and_keep(lists, cases=[case_data(due=clocks.wall() - timedelta(seconds=10)).case])
    clocks.advance(20)
    assert get(lists) is not None


def test_the_least_recently_used_go_first_when_full(clocks: Clocks) -> None:
    lists = lists_on(clocks, size=2)
    for customer_id in ("cus_1", "cus_2"):
        read_and_keep(lists, customer_id)
    assert get(lists, "cus_1") is not None  # cus_1 is now the most recently used
    read_and_keep(lists, "cus_3")
    assert len(lists) == 2
    assert get(lists, "cus_2") is None
    assert get(lists, "cus_1") is not None
    assert get(lists, "cus_3") is not None


def test_one_customer_keeps_a_bounded_number_of_lists_their_oldest_go_first(clocks: Clocks) -> None:
    lists = lists_on(clocks)
    read_and_keep(lists, BEN)
    queries = [f'{{"q":"{n}"}}' for n in range(MAX_LISTS_PER_CUSTOMER + 1)]
    for query in queries:
        read_and_keep(lists, ANA, query)
    assert len(lists) == MAX_LISTS_PER_CUSTOMER + 1  # Ben's and Ana's last ones
    assert get(lists, ANA, queries[0]) is None
    assert all(get(lists, ANA, query) is not None for query in queries[1:])
    assert get(lists, BEN) is not None


def test_the_json_kept_is_bounded_the_least_recently_used_go_first(
    clocks: Clocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(customer_lists, "MAX_KEPT_BYTES", 100)
    lists = lists_on(clocks)
    read_and_keep(lists, ANA, body=b"a" * 40)
    read_and_keep(lists, BEN, body=b"b" * 40)
    assert get(lists, ANA) is not None  # Ben's is now the least recently used
    read_and_keep(lists, "cus_3", body=b"c" * 40)
    assert (get(lists, ANA), get(lists, BEN)) == (b"a" * 40, None)
    assert lists.kept_bytes == 80

    read_and_keep(lists, "cus_4", body=b"d" * 101)  # larger than everything kept at once: not kept
    assert get(lists, "cus_4") is None
    assert lists.kept_bytes == 80


def test_a_read_that_began_earlier_does_not_replace_a_later_one(clocks: Clocks) -> None:
    lists = lists_on(clocks)
    with lists.reading(ANA) as early:
        clocks.advance(1)
        read_and_keep(lists, body=b"later")
        lists.keep(early, ALL, b"earlier", [])
    assert get(lists) == b"later"
    assert lists.kept_bytes == len(b"later")


@pytest.mark.parametrize(("size", "max_age_s"), [(0, 30.0), (100, 0.0)])
def test_size_or_max_age_zero_keeps_nothing(clocks: Clocks, size: int, max_age_s: float) -> None:
    lists = lists_on(clocks, size=size, max_age_s=max_age_s)
    assert not lists.enabled
    read_and_keep(lists)
    assert get(lists) is None


async def test_one_stream_tells_the_case_pages_and_the_customer_lists(clocks: Clocks) -> None:
    pages = KeptCasePages(100, 30.0, clock=clocks.monotonic, wall_clock=clocks.wall)
    lists = KeptCustomerLists(100, 30.0, clock=clocks.monotonic, wall_clock=clocks.wall)
    opened = 0
    told = asyncio.Event()

    async def watch() -> AsyncIterator[CaseChanged | None]:
        nonlocal opened
        opened += 1
        yield None
        assert (pages.live, lists.live) == (True, True)
        keep_case_page(pages, case_data("7", ANA))
        read_and_keep(lists, ANA)
        read_and_keep(lists, BEN)
        yield CaseChanged("7", ANA)
        assert staff_get(pages, "7") is None
        assert get(lists, ANA) is None
        assert get(lists, BEN) is not None
        told.set()
        await asyncio.Event().wait()  # stays open until cancelled

    task = asyncio.create_task(follow_changes([pages, lists], watch))
    try:
        await asyncio.wait_for(told.wait(), 5)
        assert opened == 1
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert (pages.live, lists.live) == (False, False)
    assert len(lists) == 0


async def test_follow_changes_tells_only_what_is_kept(clocks: Clocks) -> None:
    pages = KeptCasePages(0, 30.0, clock=clocks.monotonic, wall_clock=clocks.wall)  # off
    lists = KeptCustomerLists(100, 30.0, clock=clocks.monotonic, wall_clock=clocks.wall)
    live = asyncio.Event()

    async def watch() -> AsyncIterator[CaseChanged | None]:
        yield None
        live.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(follow_changes([pages, lists], watch))
    try:
        await asyncio.wait_for(live.wait(), 5)
        assert lists.live
        assert not pages.live
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
