"""Refund events, the dashboard and watching, as use cases with in-memory fakes (no SQLite, no gRPC)."""

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from support_svc.application.commands import AddMessage, AssignCase, OpenCase, ResolveCase, UpdateCase
from support_svc.application.ports import ShopOrder
from support_svc.application.queries import CasesNotice, StatisticsPeriod, WatchNotice
from support_svc.application.refund_events import RecordRefundEvent, RefundEventRecorder
from support_svc.application.service import SupportCaseService
from support_svc.domain.errors import (
    CaseNotFoundError,
    InvalidArgumentError,
    OpenRefundsError,
    PermissionDeniedError,
    WatchLaggingError,
)
from support_svc.domain.refunds import RefundEvent, RefundEventKind
from support_svc.domain.values import Actor, CaseCategory, CasePriority, CaseStatus, EventKind, Role
from support_svc.infrastructure.broadcaster import CaseBroadcaster
from tests.support_svc.fakes import START, FakeCaseReader, FakeShop, FakeUnitOfWork, FixedClock, Store

ANA = Actor("cus_1001", Role.CUSTOMER)
BEN = Actor("cus_1002", Role.CUSTOMER)
SAM = Actor("agt_2001", Role.AGENT)
LEE = Actor("agt_2002", Role.LEAD)
RELAY = Actor("refund_svc", Role.SYSTEM)
K = RefundEventKind


@dataclass
class World:
    store: Store = field(default_factory=Store)
    clock: FixedClock = field(default_factory=FixedClock)
    feed: CaseBroadcaster = field(default_factory=lambda: CaseBroadcaster(queue_size=4))
    auto_resolve: bool = True
    units: list[FakeUnitOfWork] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.cases = SupportCaseService(
            unit_of_work=self._unit_of_work,
            reader=FakeCaseReader(self.store),
            shop=FakeShop(ShopOrder("ord_1", ANA.id, frozenset()), ShopOrder("ord_2", BEN.id, frozenset())),
            clock=self.clock,
            feed=self.feed,
        )
        self.refunds = RefundEventRecorder(
            unit_of_work=self._unit_of_work, clock=self.clock, auto_resolve=self.auto_resolve
        )

    def _unit_of_work(self) -> FakeUnitOfWork:
        self.units.append(FakeUnitOfWork(self.store, self.feed))
        return self.units[-1]

    async def open_case(self, who: Actor = ANA, order_id: str = "ord_1") -> int:
        case = await self.cases.open_case(
            OpenCase(actor=who, order_id=order_id, category=CaseCategory.OTHER, subject="S", description="D")
        )
        return case.id

    async def record(self, case_id: int, refund_event: RefundEvent, actor: Actor = RELAY) -> bool:
        return await self.refunds.record(RecordRefundEvent(actor=actor, case_id=case_id, event=refund_event))


def refund_event(
    kind: RefundEventKind, event_id: str, *, refund_id: str = "rf_1", seconds: int = 0
) -> RefundEvent:
    return RefundEvent(
        event_id=event_id,
        refund_id=refund_id,
        refund_number="R-2001",
        kind=kind,
        amount_minor=3508,
        currency_code="EUR",
        actor_id="system",
        actor_role=None,
        note="",
        occurred_at=START + timedelta(seconds=seconds),
        refund_open=kind in (K.REQUESTED, K.APPROVED, K.PROCESSING),
    )


@pytest.fixture
def world() -> World:
    return World()


# --- refund events ---------------------------------------------------------------------------------


async def test_an_event_is_applied_once_a_repeat_changes_nothing(world: World) -> None:
    case_id = await world.open_case()
    assert await world.record(case_id, refund_event(K.REQUESTED, "ev-1")) is True
    after_first = world.store.cases[case_id]
    events_after_first = len(world.store.events)
    assert await world.record(case_id, refund_event(K.REQUESTED, "ev-1")) is False
    assert world.store.cases[case_id].version == after_first.version == 2
    assert len(world.store.events) == events_after_first
    assert not world.units[-1].committed
    assert world.store.cases[case_id].open_refund_count == 1


@pytest.mark.parametrize("caller", [ANA, SAM, LEE])
async def test_only_the_system_records_refund_events(world: World, caller: Actor) -> None:
    case_id = await world.open_case()
    with pytest.raises(PermissionDeniedError) as refused:
        await world.record(case_id, refund_event(K.REQUESTED, "ev-1"), actor=caller)
    assert refused.value.reason == "SYSTEM_ONLY"
    assert world.store.inbox == {}


async def test_an_event_for_an_unknown_case_is_not_found_and_not_remembered(world: World) -> None:
    with pytest.raises(CaseNotFoundError):
        await world.record(424242, refund_event(K.REQUESTED, "ev-1"))
    assert world.store.inbox == {}


async def test_events_out_of_order_and_repeated_end_with_the_right_count(world: World) -> None:
    case_id = await world.open_case()
    arrivals = [
        refund_event(K.PROCESSING, "ev-3", seconds=3),
        refund_event(K.REQUESTED, "ev-1", seconds=1),
        refund_event(K.REFUNDED, "ev-4", seconds=4),
        refund_event(K.PROCESSING, "ev-3", seconds=3),
        refund_event(K.APPROVED, "ev-2", seconds=2),
        refund_event(K.REQUESTED, "ev-1", seconds=1),
    ]
    applied = [await world.record(case_id, e) for e in arrivals]
    assert applied == [True, True, True, False, True, False]
    case = world.store.cases[case_id]
    assert case.open_refund_count == 0
    refund_entries = [e for e in world.store.events if e.kind is EventKind.REFUND_EVENT]
    assert len(refund_entries) == 4  # one per applied event, late ones included


async def test_the_last_payout_resolves_the_case_a_manual_resolve_was_refused_before(
    world: World,
) -> None:
    case_id = await world.open_case()
    await world.record(case_id, refund_event(K.REQUESTED, "a-1", refund_id="rf_a"))
    await world.record(case_id, refund_event(K.REQUESTED, "b-1", refund_id="rf_b"))
    version = world.store.cases[case_id].version
    await world.cases.add_message(AddMessage(actor=SAM, case_id=case_id, body="We are on it"))
    with pytest.raises(OpenRefundsError) as refused:
        await world.cases.resolve_case(ResolveCase(actor=SAM, case_id=case_id, expected_version=version + 1))
    assert [subject for subject, _ in refused.value.subjects] == ["refunds/rf_a", "refunds/rf_b"]
    await world.record(case_id, refund_event(K.REFUNDED, "a-2", refund_id="rf_a", seconds=5))
    assert world.store.cases[case_id].status is CaseStatus.IN_PROGRESS
    await world.record(case_id, refund_event(K.REFUNDED, "b-2", refund_id="rf_b", seconds=6))
    assert world.store.cases[case_id].status is CaseStatus.RESOLVED


async def test_with_the_rule_off_a_paid_case_stays_open(world: World) -> None:
    world = World(auto_resolve=False)
    case_id = await world.open_case()
    await world.record(case_id, refund_event(K.REQUESTED, "ev-1"))
    await world.record(case_id, refund_event(K.REFUNDED, "ev-2", seconds=1))
    assert world.store.cases[case_id].status is CaseStatus.OPEN


# --- the dashboard ---------------------------------------------------------------------------------


async def test_only_leads_see_statistics(world: World) -> None:
    period = StatisticsPeriod(START - timedelta(days=1), START + timedelta(days=1))
    for who in (ANA, SAM, RELAY):
        with pytest.raises(PermissionDeniedError) as refused:
            await world.cases.case_statistics(who, period)
        assert refused.value.reason == "LEAD_ONLY"
    await world.open_case()
    stats = await world.cases.case_statistics(LEE, period)
    assert (stats.opened_in_period, stats.open_by_status[CaseStatus.OPEN]) == (1, 1)


def test_a_period_must_end_after_it_starts() -> None:
    with pytest.raises(InvalidArgumentError) as refused:
        StatisticsPeriod(START, START)
    assert [p.field for p in refused.value.problems] == ["period_end_time"]


# --- watching ----------------------------------------------------------------------------------------


async def next_notice[N: (WatchNotice, CasesNotice)](notices: AsyncGenerator[N]) -> N:
    return await asyncio.wait_for(anext(notices), 1.0)


async def test_a_watcher_gets_the_current_etag_then_each_change(world: World) -> None:
    case_id = await world.open_case()
    async with contextlib.aclosing(world.cases.watch_case(ANA, case_id)) as notices:
        assert await next_notice(notices) == WatchNotice(1, initial=True)
        await world.cases.add_message(AddMessage(actor=SAM, case_id=case_id, body="Hello"))
        notice = await next_notice(notices)
        assert notice == WatchNotice(2, (EventKind.MESSAGE_ADDED, EventKind.STATUS_CHANGED), internal=False)
        await world.record(case_id, refund_event(K.REQUESTED, "ev-1"))
        assert await next_notice(notices) == WatchNotice(3, (EventKind.REFUND_EVENT,))
    assert world.feed.watcher_count == 0


async def test_a_customer_is_not_told_of_internal_changes_staff_are(world: World) -> None:
    case_id = await world.open_case()
    customer = world.cases.watch_case(ANA, case_id)
    agent = world.cases.watch_case(SAM, case_id)
    async with contextlib.aclosing(customer), contextlib.aclosing(agent):
        await next_notice(customer)
        await next_notice(agent)
        await world.cases.add_message(AddMessage(actor=SAM, case_id=case_id, body="psst", internal=True))
        await world.cases.update_case(
            UpdateCase(actor=SAM, case_id=case_id, expected_version=2, priority=CasePriority.HIGH)
        )
        assert await next_notice(agent) == WatchNotice(2, (EventKind.NOTE_ADDED,), internal=True)
        assert await next_notice(agent) == WatchNotice(3, (EventKind.PRIORITY_CHANGED,), internal=True)
        await world.cases.assign_case(
            AssignCase(actor=SAM, case_id=case_id, expected_version=3, assignee_id=SAM.id)
        )
        assert await next_notice(customer) == WatchNotice(4, (EventKind.ASSIGNED,))  # skipped 2 and 3
        assert await next_notice(agent) == WatchNotice(4, (EventKind.ASSIGNED,))


async def test_another_customers_case_and_a_missing_one_are_not_found(world: World) -> None:
    case_id = await world.open_case(BEN, "ord_2")
    for who, target in ((ANA, case_id), (SAM, 424242)):
        with pytest.raises(CaseNotFoundError):
            await anext(world.cases.watch_case(who, target))
    assert world.feed.watcher_count == 0


async def test_a_watcher_that_falls_behind_is_dropped_and_writers_never_wait(world: World) -> None:
    case_id = await world.open_case()
    async with contextlib.aclosing(world.cases.watch_case(SAM, case_id)) as notices:
        await next_notice(notices)
        for n in range(10):  # queue_size is 4: the fifth change finds it full
            await world.cases.add_message(AddMessage(actor=ANA, case_id=case_id, body=f"m{n}"))
        with pytest.raises(WatchLaggingError):
            await next_notice(notices)
    assert world.feed.watcher_count == 0


async def test_closing_the_feed_ends_the_watch_after_what_is_queued(world: World) -> None:
    case_id = await world.open_case()
    async with contextlib.aclosing(world.cases.watch_case(SAM, case_id)) as notices:
        await next_notice(notices)
        await world.cases.add_message(AddMessage(actor=ANA, case_id=case_id, body="m"))
        world.feed.close()
        assert (await next_notice(notices)).version == 2
        with pytest.raises(StopAsyncIteration):
            await next_notice(notices)


async def test_nothing_is_published_for_work_that_was_not_committed(world: World) -> None:
    case_id = await world.open_case()
    await world.cases.add_message(AddMessage(actor=SAM, case_id=case_id, body="On it"))
    await world.record(case_id, refund_event(K.REQUESTED, "ev-1"))
    async with contextlib.aclosing(world.cases.watch_case(SAM, case_id)) as notices:
        assert await next_notice(notices) == WatchNotice(3, initial=True)
        with pytest.raises(OpenRefundsError):
            await world.cases.resolve_case(ResolveCase(actor=SAM, case_id=case_id, expected_version=3))
        await world.cases.assign_case(
            AssignCase(actor=SAM, case_id=case_id, expected_version=3, assignee_id="x")
        )
        assert await next_notice(notices) == WatchNotice(4, (EventKind.ASSIGNED,))


# --- watching every case ---------------------------------------------------------------------------

BFF = Actor("bff", Role.SYSTEM)


async def test_the_system_is_told_of_every_committed_change_of_every_case(world: World) -> None:
    async with contextlib.aclosing(world.cases.watch_cases(BFF)) as notices:
        assert await next_notice(notices) == CasesNotice(initial=True)  # subscribed from here on
        first = await world.open_case(ANA, "ord_1")
        second = await world.open_case(BEN, "ord_2")
        await world.cases.add_message(AddMessage(actor=SAM, case_id=first, body="psst", internal=True))
        await world.record(second, refund_event(K.REQUESTED, "ev-1"))
        # With whose case it is, so that what was kept per customer can be dropped.
        assert [await next_notice(notices) for _ in range(4)] == [
            CasesNotice(first, 1, ANA.id),
            CasesNotice(second, 1, BEN.id),
            CasesNotice(first, 2, ANA.id),
            CasesNotice(second, 2, BEN.id),
        ]
    assert world.feed.watcher_count == 0


@pytest.mark.parametrize("who", [ANA, SAM, LEE], ids=["customer", "agent", "lead"])
async def test_only_the_system_may_watch_every_case_and_nobody_else_is_subscribed(who: Actor) -> None:
    world = World(feed=CaseBroadcaster(max_watchers=1))
    world.feed.subscribe(1)  # the feed is full: subscribing first would say "too many watchers"
    with pytest.raises(PermissionDeniedError) as refused:
        await anext(world.cases.watch_cases(who))
    assert refused.value.reason == "SYSTEM_ONLY"
    assert world.feed.watcher_count == 1


async def test_a_watch_of_every_case_ends_when_the_feed_closes(world: World) -> None:
    async with contextlib.aclosing(world.cases.watch_cases(BFF)) as notices:
        await next_notice(notices)
        case_id = await world.open_case()
        world.feed.close()
        assert await next_notice(notices) == CasesNotice(case_id, 1, ANA.id)  # what was queued, then the end
        with pytest.raises(StopAsyncIteration):
            await next_notice(notices)
