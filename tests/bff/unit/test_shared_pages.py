"""Staff list pages shared for a moment (bff.shared_pages), on a clock the test moves."""

from __future__ import annotations

import asyncio

import pytest

from bff import shared_pages
from bff.shared_pages import SharedPages
from kit.identity import Identity, Role

AGENT = Identity("agt_1", Role.AGENT)
OTHER_AGENT = Identity("agt_2", Role.AGENT)
LEAD = Identity("agt_9", Role.LEAD)
CUSTOMER = Identity("cus_1", Role.CUSTOMER)
QUEUE = ("cases", "open, by due")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Service:
    """Answers with a new page per call, so a test can tell which call a page came from."""

    def __init__(self) -> None:
        self.calls = 0
        self.gate: asyncio.Event | None = None
        self.fail_next = False

    async def fetch(self) -> str:
        self.calls += 1
        call = self.calls
        if self.gate is not None:
            await self.gate.wait()
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("support_svc unavailable")
        return f"page from call {call}"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def pages(clock: Clock) -> SharedPages:
    return SharedPages(ttl_s=1.0, clock=clock)


async def test_staff_asking_for_the_same_page_within_the_ttl_share_one_call(
    pages: SharedPages, clock: Clock
) -> None:
    service = Service()
    first = await pages.get(AGENT, "browser-1", QUEUE, service.fetch)
    clock.now += 0.9
    second = await pages.get(OTHER_AGENT, "browser-2", QUEUE, service.fetch)
    assert first == second == "page from call 1"
    assert service.calls == 1

    clock.now += 0.2  # 1.1 s after the call began: too old
    assert await pages.get(OTHER_AGENT, "browser-2", QUEUE, service.fetch) == "page from call 2"


async def test_roles_pages_and_customers_are_kept_apart(pages: SharedPages) -> None:
    service = Service()
    await pages.get(AGENT, "browser-1", QUEUE, service.fetch)
    assert await pages.get(LEAD, "browser-9", QUEUE, service.fetch) == "page from call 2"
    assert await pages.get(AGENT, "browser-1", ("cases", "a search"), service.fetch) == "page from call 3"
    # Customers' lists are their own: never kept, never shared.
    assert await pages.get(CUSTOMER, "browser-c", QUEUE, service.fetch) == "page from call 4"
    assert await pages.get(CUSTOMER, "browser-c", QUEUE, service.fetch) == "page from call 5"
    # A page that depends on who asks ("assigned to me") is named None: always fetched.
    assert await pages.get(AGENT, "browser-1", None, service.fetch) == "page from call 6"
    assert await pages.get(AGENT, "browser-1", None, service.fetch) == "page from call 7"


async def test_nobody_sees_a_page_older_than_their_own_last_change(pages: SharedPages, clock: Clock) -> None:
    service = Service()
    await pages.get(AGENT, "browser-1", QUEUE, service.fetch)
    clock.now += 0.1
    pages.changes.note("browser-1")  # e.g. the agent took a case
    clock.now += 0.1
    assert await pages.get(AGENT, "browser-1", QUEUE, service.fetch) == "page from call 2"
    # The fresher page is the one kept now, for everybody.
    assert await pages.get(OTHER_AGENT, "browser-2", QUEUE, service.fetch) == "page from call 2"
    assert service.calls == 2


async def test_another_browsers_change_shows_within_the_ttl_only(pages: SharedPages, clock: Clock) -> None:
    service = Service()
    await pages.get(AGENT, "browser-1", QUEUE, service.fetch)
    pages.changes.note("browser-2")
    clock.now += 0.5
    assert await pages.get(AGENT, "browser-1", QUEUE, service.fetch) == "page from call 1"


async def test_askers_meanwhile_wait_for_the_call_running(pages: SharedPages) -> None:
    service = Service()
    service.gate = asyncio.Event()
    askers = [asyncio.create_task(pages.get(AGENT, f"browser-{i}", QUEUE, service.fetch)) for i in range(5)]
    await asyncio.sleep(0.01)
    assert service.calls == 1
    service.gate.set()
    assert await asyncio.gather(*askers) == ["page from call 1"] * 5


async def test_a_browser_that_changed_something_after_the_call_began_does_not_wait_for_it(
    pages: SharedPages, clock: Clock
) -> None:
    service = Service()
    service.gate = asyncio.Event()
    early = asyncio.create_task(pages.get(AGENT, "browser-1", QUEUE, service.fetch))
    await asyncio.sleep(0.01)
    clock.now += 0.05
    pages.changes.note("browser-2")
    late = asyncio.create_task(pages.get(OTHER_AGENT, "browser-2", QUEUE, service.fetch))
    await asyncio.sleep(0.01)
    service.gate.set()
    assert await early == "page from call 1"
    assert await late == "page from call 2"


async def test_a_failed_call_is_not_kept(pages: SharedPages) -> None:
    service = Service()
    service.fail_next = True
    with pytest.raises(RuntimeError, match="unavailable"):
        await pages.get(AGENT, "browser-1", QUEUE, service.fetch)
    assert await pages.get(AGENT, "browser-1", QUEUE, service.fetch) == "page from call 2"


async def test_one_asker_giving_up_does_not_cancel_the_call_for_the_others(pages: SharedPages) -> None:
    service = Service()
    service.gate = asyncio.Event()
    leaving = asyncio.create_task(pages.get(AGENT, "browser-1", QUEUE, service.fetch))
    staying = asyncio.create_task(pages.get(OTHER_AGENT, "browser-2", QUEUE, service.fetch))
    await asyncio.sleep(0.01)
    leaving.cancel()  # its client went away
    await asyncio.sleep(0.01)
    service.gate.set()
    assert await staying == "page from call 1"
    assert leaving.cancelled()
    assert service.calls == 1


async def test_a_ttl_of_zero_shares_nothing(clock: Clock) -> None:
    pages = SharedPages(ttl_s=0, clock=clock)
    service = Service()
    await pages.get(AGENT, "browser-1", QUEUE, service.fetch)
    await pages.get(AGENT, "browser-1", QUEUE, service.fetch)
    assert service.calls == 2


async def test_pages_kept_are_bounded(
    pages: SharedPages, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shared_pages, "MAX_PAGES", 3)
    service = Service()
    for page in range(5):
        await pages.get(AGENT, "browser-1", ("cases", f"page token {page}"), service.fetch)
    assert len(pages._pages) == 3
    # The newest are the ones kept.
    assert await pages.get(AGENT, "browser-1", ("cases", "page token 4"), service.fetch) == "page from call 5"
    assert service.calls == 5
    # Expired pages go as soon as another page is kept, not only when the room runs out.
    clock.now += 2
    await pages.get(AGENT, "browser-1", ("cases", "page token 9"), service.fetch)
    assert list(pages._pages) == [(Role.AGENT, ("cases", "page token 9"))]
