"""KeptCasePages on a clock the test moves, and follow_changes on a stream the test scripts: what is
kept, and every rule that stops a kept page from being used."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import grpc
import orjson
import pytest
from prometheus_client import REGISTRY

from bff import schemas
from bff.case_pages import REFUND_RELAY_GRACE_S, CaseData, KeptCasePages, follow_changes
from bff.records import CaseChanged

WALL_START = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


class Clocks:
    """A monotonic and a wall clock that move together."""

    def __init__(self) -> None:
        self.t = 1000.0

    def monotonic(self) -> float:
        return self.t

    def wall(self) -> datetime:
        return WALL_START + timedelta(seconds=self.t - 1000.0)

    def advance(self, seconds: float) -> None:
        self.t += seconds


def case_data(case_id: str = "7", customer_id: str = "cus_1", *, due: datetime | None = None) -> CaseData:
    case = schemas.Case(
        id=case_id,
        number=f"C-{case_id}",
        order_id="ord_1",
        order_line_ids=[],
        category="damaged_item",
        subject="Broken",
        description="It arrived broken.",
        priority="normal",
        status="open",
        assignee=None,
        created_at=WALL_START,
        updated_at=WALL_START,
        first_response_due_at=due,
        resolution_due_at=None,
        first_responded_at=None,
        sla_breached=False,
        etag="1",
        previous_case_number=None,
    )
    return CaseData.of(case, customer_id, [], [], [])


@pytest.fixture
def clocks() -> Clocks:
    return Clocks()


def pages_on(clocks: Clocks, *, size: int = 100, max_age_s: float = 30.0) -> KeptCasePages:
    pages = KeptCasePages(size, max_age_s, clock=clocks.monotonic, wall_clock=clocks.wall)
    pages.went_live()
    return pages


def read_and_keep(pages: KeptCasePages, data: CaseData, *, staff: bool = True) -> None:
    with pages.reading(data.case.id, staff=staff) as read:
        pages.keep(read, data)


def staff_get(pages: KeptCasePages, case_id: str = "7", browser: str = "b1") -> CaseData | None:
    return pages.get(case_id, staff=True, viewer_id="agt_1", browser=browser)


def test_a_page_read_while_live_is_kept_until_its_case_changes(clocks: Clocks) -> None:
    pages = pages_on(clocks)
    data = case_data()
    assert staff_get(pages) is None
    read_and_keep(pages, data)
    kept = counted("kept")
    assert staff_get(pages) is data
    assert counted("kept") - kept == 1
    pages.heard("8")  # another case
    assert staff_get(pages) is data
    pages.heard("7")
    assert staff_get(pages) is None


def timeline_entry(kind: schemas.TimelineKind) -> schemas.TimelineEntry:
    return schemas.TimelineEntry(
        id="1",
        kind=kind,
        actor=schemas.Actor(id="cus_1", name="Ana", role="customer"),
        summary="Refund R-1 of 79.00 was requested",
        created_at=WALL_START,
        internal=False,
    )


def test_a_case_has_refunds_once_its_timeline_shows_one_or_for_a_while_after_one_written_here(
    clocks: Clocks,
) -> None:
    pages = pages_on(clocks)
    opened = [timeline_entry("opened")]
    assert not pages.has_refunds("7", opened)
    assert pages.has_refunds("7", [*opened, timeline_entry("refund_event")])

    read_and_keep(pages, case_data("7"))
    pages.refunds_written("7")
    assert staff_get(pages) is None  # a refund written here changes the page at once
    assert pages.has_refunds("7", opened)  # before refund_svc's relay reaches the case
    assert not pages.has_refunds("8", opened)
    clocks.advance(REFUND_RELAY_GRACE_S - 0.1)
    pages.refunds_written("8")
    assert pages.has_refunds("7", opened)
    clocks.advance(0.1)
    assert not pages.has_refunds("7", opened)  # by now the timeline would show it
    assert pages.has_refunds("8", opened)


def counted(outcome: str) -> float:
    return REGISTRY.get_sample_value("bff_case_pages_total", {"outcome": outcome}) or 0.0


def test_nothing_is_kept_unless_the_stream_is_live(clocks: Clocks) -> None:
    pages = KeptCasePages(100, 30.0, clock=clocks.monotonic, wall_clock=clocks.wall)
    read_and_keep(pages, case_data())
    reads = counted("read")
    assert staff_get(pages) is None
    assert counted("read") - reads == 1  # every page not answered from what was kept is counted

    pages.went_live()
    read_and_keep(pages, case_data())
    pages.went_down()
    assert staff_get(pages) is None
    assert len(pages) == 0


def test_a_read_that_heard_of_a_change_of_its_case_meanwhile_is_not_kept(clocks: Clocks) -> None:
    pages = pages_on(clocks)
    with pages.reading("7", staff=True) as read:
        pages.heard("7")
        pages.keep(read, case_data())
    assert staff_get(pages) is None

    with pages.reading("7", staff=True) as read:
        pages.heard("8")  # another case's change does not matter
        pages.keep(read, case_data())
    assert staff_get(pages) is not None


def test_a_read_that_shows_the_change_the_stream_told_meanwhile_is_kept(clocks: Clocks) -> None:
    # case_data() has etag "1": the read came back with the state after the change it heard of.
    pages = pages_on(clocks)
    with pages.reading("7", staff=True) as read:
        pages.case_changed(CaseChanged("7", "cus_1", "1"))
        pages.keep(read, case_data())
    assert staff_get(pages) is not None

    pages.case_changed(CaseChanged("7", "cus_1", "1"))
    assert staff_get(pages) is None  # told once the page is kept, it is dropped all the same

    with pages.reading("7", staff=True) as read:
        pages.case_changed(CaseChanged("7", "cus_1", "1"))
        pages.case_changed(CaseChanged("7", "cus_1", "2"))  # a later change: the read does not show it
        pages.keep(read, case_data())
    assert staff_get(pages) is None

    for unsaid in (CaseChanged("7", "cus_1"), None):  # the stream said no etag; a write through this BFF
        with pages.reading("7", staff=True) as read:
            if unsaid is None:
                pages.heard("7")
            else:
                pages.case_changed(unsaid)
            pages.keep(read, case_data())
        assert staff_get(pages) is None


@pytest.mark.parametrize("then", ["went_down", "went_live"])
def test_a_read_that_began_before_the_stream_went_down_or_live_is_not_kept(clocks: Clocks, then: str) -> None:
    pages = pages_on(clocks)
    with pages.reading("7", staff=True) as read:
        getattr(pages, then)()
        pages.went_live()
        pages.keep(read, case_data())
    assert staff_get(pages) is None


def test_a_customers_view_answers_only_the_customer_whose_case_it_is(clocks: Clocks) -> None:
    pages = pages_on(clocks)
    customers = case_data(customer_id="cus_1")
    read_and_keep(pages, customers, staff=False)

    assert pages.get("7", staff=False, viewer_id="cus_1", browser="b1") is customers
    assert pages.get("7", staff=False, viewer_id="cus_2", browser="b2") is None
    assert staff_get(pages) is None  # staff views are kept apart

    staffs = case_data(customer_id="cus_1")
    read_and_keep(pages, staffs, staff=True)
    assert staff_get(pages) is staffs
    assert pages.get("7", staff=False, viewer_id="cus_1", browser="b1") is customers


def test_nobody_gets_a_page_older_than_their_own_last_change(clocks: Clocks) -> None:
    pages = pages_on(clocks)
    data = case_data()
    read_and_keep(pages, data)
    clocks.advance(1)
    pages.changes.note("b1")
    assert staff_get(pages, browser="b1") is None
    assert staff_get(pages, browser="b2") is data

    clocks.advance(1)
    fresh = case_data()
    read_and_keep(pages, fresh)
    assert staff_get(pages, browser="b1") is fresh


def test_a_page_expires_after_max_age_and_at_the_cases_next_due_time(clocks: Clocks) -> None:
    pages = pages_on(clocks, max_age_s=30)
    read_and_keep(pages, case_data())
    clocks.advance(29.9)
    assert staff_get(pages) is not None
    clocks.advance(0.1)
    assert staff_get(pages) is None

    # Due in 10 s: then support_svc may answer "in breach", so the page must be read again.
    read_and_keep(pages, case_data(due=clocks.wall() + timedelta(seconds=10)))
    clocks.advance(9.9)
    assert staff_get(pages) is not None
    clocks.advance(0.1)
    assert staff_get(pages) is None

    # A due time already past does not end the page early (support_svc has judged it).
    read_and_keep(pages, case_data(due=clocks.wall() - timedelta(seconds=10)))
    clocks.advance(20)
    assert staff_get(pages) is not None


def test_the_least_recently_used_go_first_when_full(clocks: Clocks) -> None:
    pages = pages_on(clocks, size=2)
    for case_id in ("1", "2"):
        read_and_keep(pages, case_data(case_id))
    assert staff_get(pages, "1") is not None  # 1 is now the most recently used
    read_and_keep(pages, case_data("3"))
    assert len(pages) == 2
    assert staff_get(pages, "2") is None
    assert staff_get(pages, "1") is not None
    assert staff_get(pages, "3") is not None


def test_a_read_that_began_earlier_does_not_replace_a_later_one(clocks: Clocks) -> None:
    pages = pages_on(clocks)
    later = case_data()
    with pages.reading("7", staff=True) as early:
        clocks.advance(1)
        read_and_keep(pages, later)
        pages.keep(early, case_data())
    assert staff_get(pages) is later


@pytest.mark.parametrize(("size", "max_age_s"), [(0, 30.0), (100, 0.0)])
def test_size_or_max_age_zero_keeps_nothing(clocks: Clocks, size: int, max_age_s: float) -> None:
    pages = pages_on(clocks, size=size, max_age_s=max_age_s)
    assert not pages.enabled
    read_and_keep(pages, case_data())
    assert staff_get(pages) is None


async def test_follow_changes_goes_live_drops_what_changed_and_opens_the_stream_again(clocks: Clocks) -> None:
    pages = KeptCasePages(100, 30.0, clock=clocks.monotonic, wall_clock=clocks.wall)
    opened: list[int] = []
    second_stream_live = asyncio.Event()

    async def watch() -> AsyncIterator[CaseChanged | None]:
        opened.append(len(opened) + 1)
        yield None
        if len(opened) == 1:
            assert pages.live
            read_and_keep(pages, case_data("7"))
            read_and_keep(pages, case_data("8"))
            yield CaseChanged("7", "cus_1")
            assert staff_get(pages, "7") is None
            assert staff_get(pages, "8") is not None
            raise grpc.aio.AioRpcError(
                grpc.StatusCode.UNAVAILABLE, grpc.aio.Metadata(), grpc.aio.Metadata(), details="gone"
            )
        second_stream_live.set()
        await asyncio.Event().wait()  # stays open until cancelled

    task = asyncio.create_task(follow_changes([pages], watch, retry_s=(0.01, 0.05)))
    try:
        await asyncio.wait_for(second_stream_live.wait(), 5)
        assert opened == [1, 2]
        assert pages.live
        assert staff_get(pages, "8") is None  # dropped when the first stream failed
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert not pages.live


async def test_follow_changes_does_nothing_when_pages_are_off(clocks: Clocks) -> None:
    pages = KeptCasePages(0, 30.0, clock=clocks.monotonic, wall_clock=clocks.wall)

    async def watch() -> AsyncIterator[CaseChanged | None]:
        raise AssertionError("no stream is opened when nothing would be kept")
        yield None  # pragma: no cover

    await asyncio.wait_for(follow_changes([pages], watch), 1)
    assert not pages.live


def test_the_page_kept_as_json_is_the_case_page_the_api_describes() -> None:
    """What is kept is JSON; a page put together from it must be exactly schemas.CasePage's."""
    actor = schemas.Actor(id="agt_2001", name="Sam Agent", role="agent")
    messages = [schemas.Message(id="m1", author=actor, body="On it", internal=False, created_at=WALL_START)]
    timeline = [
        schemas.TimelineEntry(
            id="e1",
            kind="assigned",
            actor=actor,
            summary="Assigned to Sam",
            created_at=WALL_START,
            internal=False,
            assignee=schemas.Person(id="agt_2001", name="Sam Agent"),
        )
    ]
    eur = schemas.Money(amount_minor=7900, currency="EUR")
    order = schemas.Order(
        id="ord_1",
        placed_at=WALL_START,
        delivered_at=None,
        status="delivered",
        total=eur,
        lines=[
            schemas.OrderLine(id="ln_1", product_title="Headphones", quantity=1, unit_price=eur, paid=eur)
        ],
    )
    refund = schemas.Refund.model_validate(
        {
            "id": "r1",
            "number": "R-2001",
            "caseId": "7",
            "caseNumber": "C-7",
            "orderId": "ord_1",
            "status": "pending_approval",
            "lines": [{"lineId": "ln_1", "productTitle": "Headphones", "quantity": 1, "amount": eur}],
            "total": eur,
            "reason": "damaged",
            "method": "original_payment",
            "requestedBy": {"id": "cus_1", "name": "Customer", "role": "customer"},
            "createdAt": WALL_START,
            "updatedAt": WALL_START,
            "etag": '"1"',
            "requiredApproval": "agent",
            "outsideRefundWindow": False,
            "note": None,
            "decision": None,
            "failureReason": None,
            "canCancel": True,
            "canApprove": False,
            "canReject": False,
            "canRetry": False,
        }
    )
    case = case_data().case
    data = CaseData.of(case, "cus_1", messages, timeline, [])

    for shown_order, refunds in ((order, [refund]), (None, [])):
        expected = schemas.CasePage(
            case=case, messages=messages, timeline=timeline, order=shown_order, refunds=refunds
        )
        assert orjson.loads(data.page(shown_order, refunds)) == expected.model_dump(mode="json")
