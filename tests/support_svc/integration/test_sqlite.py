"""The SQLite adapters on a real file: round trips, the conditional update, the unit of work."""

import sqlite3
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from kit.sqlite import load_migrations
from support_svc.application.ports import CaseChange, CreationKey
from support_svc.application.queries import CaseFilter, CaseSearch
from support_svc.domain.case import SupportCase
from support_svc.domain.errors import ConcurrencyConflictError
from support_svc.domain.refunds import OpenRefund, RefundEvent, RefundEventKind, RefundTrack
from support_svc.domain.sla import SlaPolicy
from support_svc.domain.values import Actor, CaseCategory, CasePriority, EventKind, Role
from support_svc.infrastructure.case_reader import SqliteCaseReader
from support_svc.infrastructure.database import MIGRATIONS, Database
from support_svc.infrastructure.records import to_ms
from support_svc.infrastructure.unit_of_work import SqliteUnitOfWork
from support_svc.presentation.mappers import case_to_proto, summary_to_proto
from tests.support_svc.fakes import START, RecordingFeed

ANA = Actor("cus_1001", Role.CUSTOMER)
SAM = Actor("agt_2001", Role.AGENT)
WINDOW = timedelta(days=14)


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(tmp_path / "nested" / "support.db")
    await db.open()
    yield db
    await db.close()


def new_case(case_id: int) -> SupportCase:
    return SupportCase.open(
        case_id=case_id,
        customer_id=ANA.id,
        order_id="ord_1",
        order_line_ids=("ln_1", "ln_2"),
        category=CaseCategory.QUALITY,
        subject="Wobbly table",
        description="One leg is short",
        priority=CasePriority.HIGH,
        opened_by=ANA,
        now=START,
        sla_policy=SlaPolicy.default(),
    )


async def store_new_case(database: Database) -> SupportCase:
    async with SqliteUnitOfWork(database) as uow:
        case = new_case(await uow.cases.next_id())
        await uow.cases.add(case, CreationKey(ANA.id, "req-1", "fp"))
        await uow.commit()
    return case


async def test_a_case_reads_back_exactly_as_written(database: Database) -> None:
    case = await store_new_case(database)
    async with SqliteUnitOfWork(database) as uow:
        loaded = await uow.cases.get(case.id)
        assert loaded is not None
        loaded.add_message(
            SAM, "Sorry!", internal=False, now=START + timedelta(minutes=5), reopen_window=WINDOW
        )
        loaded.wait_on_customer(SAM, START + timedelta(minutes=6))
        written = list(loaded.new_events)
        await uow.cases.save(loaded)
        await uow.commit()
    async with SqliteUnitOfWork(database) as uow:
        again = await uow.cases.get(case.id)
    assert again is not None
    details = await SqliteCaseReader(database).get_case_details(case.id, include_internal=True)
    assert details is not None
    # the timeline reads back whole: who, what, and when each change happened
    opened, *changes = details.events
    assert (opened.kind, opened.actor, opened.created_at) == (EventKind.OPENED, ANA, START)
    assert changes == written
    assert [e.created_at for e in changes] == [START + timedelta(minutes=m) for m in (5, 5, 6)]
    assert (again.id, again.version, again.status, again.sla, again.order_line_ids) == (
        loaded.id,
        2,
        loaded.status,
        loaded.sla,
        ("ln_1", "ln_2"),
    )
    assert again.updated_at == loaded.updated_at
    found = await SqliteCaseReader(database).find_created(ANA.id, "req-1")
    assert found is not None
    assert (found[0].id, found[1]) == (case.id, "fp")


async def test_saving_a_stale_case_changes_nothing(database: Database) -> None:
    case = await store_new_case(database)
    async with SqliteUnitOfWork(database) as uow:
        stale = await uow.cases.get(case.id)
    async with SqliteUnitOfWork(database) as uow:
        fresh = await uow.cases.get(case.id)
        assert fresh is not None
        fresh.assign(SAM, SAM.id, START)
        await uow.cases.save(fresh)
        await uow.commit()
    assert stale is not None
    stale.assign(SAM, "agt_2003", START)
    async with SqliteUnitOfWork(database) as uow:
        with pytest.raises(ConcurrencyConflictError):
            await uow.cases.save(stale)
    reread = await SqliteCaseReader(database).get_case(case.id)
    assert reread is not None
    assert (reread.assignee_id, reread.version) == (SAM.id, 2)


async def test_what_is_not_committed_is_rolled_back_and_the_writer_is_free_again(database: Database) -> None:
    async def fail_halfway() -> None:
        async with SqliteUnitOfWork(database) as uow:
            await uow.cases.add(new_case(await uow.cases.next_id()))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await fail_halfway()
    async with SqliteUnitOfWork(database) as uow:
        await uow.cases.add(new_case(await uow.cases.next_id()))  # not committed either
    assert await SqliteCaseReader(database).get_case(10001) is None
    assert not database.writer.in_transaction


async def test_reads_see_committed_work_while_a_write_is_open(database: Database) -> None:
    case = await store_new_case(database)
    reader = SqliteCaseReader(database)
    async with SqliteUnitOfWork(database) as uow:
        loaded = await uow.cases.get(case.id)
        assert loaded is not None
        loaded.assign(SAM, SAM.id, START)
        await uow.cases.save(loaded)
        during = await reader.get_case(case.id)  # WAL: the reader is not blocked, and sees the last commit
        assert during is not None
        assert during.assignee_id is None
        await uow.commit()
    after = await reader.get_case(case.id)
    assert after is not None
    assert after.assignee_id == SAM.id


async def test_the_details_hide_internal_items_unless_asked(database: Database) -> None:
    case = await store_new_case(database)
    async with SqliteUnitOfWork(database) as uow:
        loaded = await uow.cases.get(case.id)
        assert loaded is not None
        loaded.add_message(SAM, "note", internal=True, now=START, reopen_window=WINDOW)
        loaded.add_message(SAM, "public", internal=False, now=START, reopen_window=WINDOW)
        await uow.cases.save(loaded)
        await uow.commit()
    reader = SqliteCaseReader(database)
    public = await reader.get_case_details(case.id, include_internal=False)
    everything = await reader.get_case_details(case.id, include_internal=True)
    assert public is not None
    assert everything is not None
    assert [m.body for m in public.messages] == ["public"]
    assert [m.body for m in everything.messages] == ["note", "public"]
    assert len(everything.events) == len(public.events) + 1
    assert await reader.get_case_details(424242, include_internal=True) is None
    search = CaseSearch(filter=CaseFilter(text="note"), include_internal_text=False, now=START, page_size=10)
    assert (await reader.list_cases(search)).cases == []
    assert [c.id for c in (await reader.list_cases(replace(search, include_internal_text=True))).cases] == [
        case.id
    ]


async def test_migrations_apply_once(tmp_path: Path) -> None:
    for _ in range(2):
        db = Database(tmp_path / "support.db")
        await db.open()
        try:
            rows = await db.reader.execute_fetchall("PRAGMA user_version")
        finally:
            await db.close()  # an open connection's thread would keep pytest from exiting
        assert next(iter(rows))[0] == len(load_migrations(MIGRATIONS)) == 4


# --- refund events: the inbox, the tracks, the open refunds on the case -----------------------------


def paid_event(event_id: str, kind: RefundEventKind, microseconds: int) -> RefundEvent:
    return RefundEvent(
        event_id=event_id,
        refund_id="rf_1",
        refund_number="R-2001",
        kind=kind,
        amount_minor=3508,
        currency_code="EUR",
        actor_id="system",
        actor_role=None,
        note="",
        occurred_at=START + timedelta(microseconds=microseconds),
        refund_open=kind is not RefundEventKind.REFUNDED,
    )


async def test_refund_tracks_and_open_refunds_read_back_to_the_microsecond(database: Database) -> None:
    case = await store_new_case(database)
    requested = paid_event("ev-1", RefundEventKind.REQUESTED, 1)
    async with SqliteUnitOfWork(database) as uow:
        loaded = await uow.cases.get(case.id)
        assert loaded is not None
        outcome = loaded.record_refund_event(requested, {}, START, auto_resolve=True)
        await uow.refunds.record(case.id, requested, outcome.track)
        await uow.cases.save(loaded)
        await uow.commit()
    async with SqliteUnitOfWork(database) as uow:
        assert await uow.refunds.seen("ev-1")
        assert not await uow.refunds.seen("ev-2")
        tracks = await uow.refunds.tracks(case.id)
        again = await uow.cases.get(case.id)
    assert tracks == {"rf_1": outcome.track}
    assert again is not None
    assert (again.open_refund_count, again.open_refunds) == (1, (OpenRefund("rf_1", "R-2001"),))
    # one microsecond later is later: the sender's clock is finer than the timeline's milliseconds
    assert tracks["rf_1"].is_superseded_by(paid_event("ev-2", RefundEventKind.APPROVED, 2))
    assert not tracks["rf_1"].is_superseded_by(paid_event("ev-0", RefundEventKind.APPROVED, 0))


async def test_the_inbox_refuses_an_event_id_twice_and_the_whole_transaction_goes(database: Database) -> None:
    case = await store_new_case(database)
    requested = paid_event("ev-1", RefundEventKind.REQUESTED, 1)
    track = RefundTrack.from_event(requested)
    async with SqliteUnitOfWork(database) as uow:
        await uow.refunds.record(case.id, requested, track)
        await uow.commit()

    async def apply_again() -> None:
        async with SqliteUnitOfWork(database) as uow:
            loaded = await uow.cases.get(case.id)
            assert loaded is not None
            loaded.record_refund_event(requested, {}, START, auto_resolve=True)
            await uow.cases.save(loaded)
            await uow.refunds.record(case.id, requested, track)

    with pytest.raises(sqlite3.IntegrityError):
        await apply_again()
    async with SqliteUnitOfWork(database) as uow:
        unchanged = await uow.cases.get(case.id)
    assert unchanged is not None
    assert (unchanged.version, unchanged.open_refund_count) == (1, 0)


async def test_a_commit_tells_the_feed_what_changed_a_rollback_tells_nothing(database: Database) -> None:
    feed = RecordingFeed()
    case = await store_new_case(database)
    async with SqliteUnitOfWork(database, feed) as uow:
        loaded = await uow.cases.get(case.id)
        assert loaded is not None
        loaded.add_message(SAM, "note", internal=True, now=START, reopen_window=WINDOW)
        await uow.cases.save(loaded)  # never committed
    assert feed.published == []
    async with SqliteUnitOfWork(database, feed) as uow:
        loaded = await uow.cases.get(case.id)
        assert loaded is not None
        loaded.add_message(SAM, "note", internal=True, now=START, reopen_window=WINDOW)
        await uow.cases.save(loaded)
        await uow.commit()
    assert feed.published == [
        CaseChange(
            case_id=case.id,
            customer_id=ANA.id,
            version=2,
            kinds=(EventKind.NOTE_ADDED,),
            public_kinds=(),
        )
    ]


async def test_a_listed_case_is_the_same_case_as_the_aggregate_gives(database: Database) -> None:
    """ListCases maps stored rows straight to protos (application.queries.CaseSummary); GetCase maps
    the aggregate. Over cases in every kind of state, before and after their due times, both give
    the same Case, field for field."""
    policy = SlaPolicy.default()
    hour = timedelta(hours=1)
    waiting, answered, resolved, closed, follow_up, refunded, late = (new_case(n) for n in range(101, 108))
    answered.assign(SAM, SAM.id, START + hour)
    answered.add_message(SAM, "On it", internal=False, now=START + 2 * hour, reopen_window=WINDOW)
    answered.change_priority(SAM, CasePriority.URGENT, START + 2 * hour, policy)
    waiting.assign(SAM, "agt_2002", START + hour)
    waiting.add_message(SAM, "Which leg?", internal=False, now=START + 2 * hour, reopen_window=WINDOW)
    waiting.wait_on_customer(SAM, START + 3 * hour)
    for done in (resolved, closed):
        done.add_message(SAM, "Sent a new one", internal=False, now=START + hour, reopen_window=WINDOW)
    resolved.resolve(SAM, START + 5 * hour)
    closed.resolve(SAM, START + hour)
    closed.close(SAM, START + 2 * hour)
    follow_up = SupportCase.open_follow_up(
        closed, case_id=108, opened_by=ANA, now=START + 3 * hour, sla_policy=policy
    )
    requested = paid_event("ev-9", RefundEventKind.REQUESTED, 1)
    refunded.record_refund_event(requested, {}, START + hour, auto_resolve=True)
    late.change_category(SAM, CaseCategory.BILLING, START + 30 * hour)  # updated long after its due times
    cases = [waiting, answered, resolved, closed, follow_up, refunded, late]
    async with SqliteUnitOfWork(database) as uow:
        for case in cases:
            await uow.cases.add(case)
        await uow.commit()

    reader = SqliteCaseReader(database)
    for now in (START, START + 4 * hour, START + 30 * hour, START + 400 * hour):
        search = CaseSearch(filter=CaseFilter(), include_internal_text=True, now=now, page_size=50)
        listed = {s.id: summary_to_proto(s, to_ms(now)) for s in (await reader.list_cases(search)).cases}
        assert sorted(listed) == sorted(c.id for c in cases)
        for case in cases:
            stored = await reader.get_case(case.id)
            assert stored is not None
            assert listed[case.id] == case_to_proto(stored, now), (case.id, now)
    # the states above are really different ones (a mapping that drops a field would still agree on
    # cases where that field is empty)
    fields = [listed[c.id] for c in cases]
    assert any(f.sla_breached for f in fields)
    assert not all(f.sla_breached for f in fields)
    assert any(f.HasField("first_response_time") for f in fields)
    assert any(f.HasField("resolve_time") for f in fields)
    assert any(f.previous_case for f in fields)
    assert any(f.open_refund_count for f in fields)
    assert len({f.status for f in fields}) >= 4
