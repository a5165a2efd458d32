"""The SQLite adapters on real database files: migrations, transactions, optimistic saves, usage."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiosqlite
import pytest

from refund_svc.application.ports import IdempotencyRecord, OutboxStats, PayoutClaim
from refund_svc.domain.actor import Actor, ActorRole
from refund_svc.domain.errors import ConcurrencyConflictError
from refund_svc.domain.money import Money
from refund_svc.domain.policy import RefundRules
from refund_svc.domain.refund import (
    Refund,
    RefundMethod,
    RefundReason,
    RefundStatus,
    RequestedLine,
)
from refund_svc.domain.refundable import LineUsage
from refund_svc.infrastructure.database import RefundDatabase
from refund_svc.infrastructure.unit_of_work import SqliteRefundReader, SqliteUnitOfWork
from tests.refund_svc.fakes import NOW, make_order

pytestmark = pytest.mark.integration

ANA = Actor("cus_1", ActorRole.CUSTOMER)
SAM = Actor("agt_2001", ActorRole.AGENT)
RULES = RefundRules()


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[RefundDatabase]:
    db = RefundDatabase(tmp_path / "nested" / "refund.db")
    await db.open()
    try:
        yield db
    finally:
        await db.close()


def new_refund(refund_id: str, number: int, quantity: int = 1, line: str = "ln_2") -> Refund:
    return Refund.request(
        refund_id=refund_id,
        number=number,
        case_name="cases/c1",
        order=make_order(),
        usage={},
        requested=[RequestedLine(line, quantity)],
        reason=RefundReason.DAMAGED,
        method=RefundMethod.ORIGINAL_PAYMENT,
        note="",
        requested_by=ANA,
        now=NOW,
        rules=RULES,
    )


async def add(database: RefundDatabase, refund: Refund) -> None:
    async with SqliteUnitOfWork(database) as uow:
        await uow.refunds.add(refund)
        await uow.commit()


async def save(database: RefundDatabase, refund: Refund) -> None:
    async with SqliteUnitOfWork(database) as uow:
        await uow.refunds.save(refund)
        await uow.commit()


async def save_then_fail(database: RefundDatabase, refund: Refund) -> None:
    async with SqliteUnitOfWork(database) as uow:
        await uow.refunds.save(refund)
        raise RuntimeError("boom")


async def add_then_fail(database: RefundDatabase, refund: Refund) -> None:
    async with SqliteUnitOfWork(database) as uow:
        await uow.refunds.add(refund)
        raise RuntimeError("boom")


async def test_the_database_is_wal_with_full_sync_and_migrated(database: RefundDatabase) -> None:
    mode = await database.writer.execute_fetchall("PRAGMA journal_mode")
    sync = await database.writer.execute_fetchall("PRAGMA synchronous")
    version = await database.writer.execute_fetchall("PRAGMA user_version")

    assert next(iter(mode))[0] == "wal"
    assert next(iter(sync))[0] == 2  # FULL
    assert next(iter(version))[0] == 3  # 0001 to 0003


async def test_reopening_keeps_data_and_does_not_migrate_twice(database: RefundDatabase) -> None:
    await add(database, new_refund("r1", 2001))
    await database.close()

    await database.open()

    assert await SqliteRefundReader(database).get("r1") is not None


async def test_a_refund_round_trips_with_lines_and_history(database: RefundDatabase) -> None:
    refund = new_refund("r1", 2001)
    await add(database, refund)

    loaded = await SqliteRefundReader(database).get("r1")

    assert loaded is not None
    assert loaded.lines == refund.lines
    assert loaded.history == refund.history
    assert loaded.created_at == NOW
    assert loaded.status is RefundStatus.APPROVED
    assert loaded.unsaved_changes == []


async def test_save_stores_transitions_and_refuses_a_stale_copy(database: RefundDatabase) -> None:
    await add(database, new_refund("r1", 2001, line="ln_1"))  # 79.00: pending
    reader = SqliteRefundReader(database)
    mine, theirs = await reader.get("r1"), await reader.get("r1")
    assert mine is not None
    assert theirs is not None

    mine.approve(SAM, NOW + timedelta(minutes=5), RULES, comment="ok")
    await save(database, mine)
    theirs.reject(SAM, NOW, "no")
    with pytest.raises(ConcurrencyConflictError):
        await save(database, theirs)

    stored = await reader.get("r1")
    assert stored is not None
    assert stored.status is RefundStatus.APPROVED
    decision = stored.decision
    assert decision is not None
    assert (decision.actor, decision.comment) == (SAM, "ok")
    assert stored.version == 2


async def test_usage_counts_only_refunds_that_hold_money(database: RefundDatabase) -> None:
    await add(database, new_refund("r1", 2001, quantity=2))
    pending = new_refund("r2", 2002, line="ln_1")
    await add(database, pending)
    reader = SqliteRefundReader(database)

    before = await reader.line_usage("ord_1")
    loaded = await reader.get("r2")
    assert loaded is not None
    loaded.reject(SAM, NOW, "no")
    await save(database, loaded)
    after = await reader.line_usage("ord_1")

    assert before["ln_2"].quantity == 2
    assert before["ln_2"].amount == Money(2338, "EUR")
    assert before["ln_1"].quantity == 1
    assert "ln_1" not in after
    assert await reader.line_usage("ord_other") == {}


async def test_leaving_without_commit_rolls_back_and_frees_the_writer(database: RefundDatabase) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        await add_then_fail(database, new_refund("r1", 2001))

    assert await SqliteRefundReader(database).get("r1") is None
    assert not database.write_lock.locked()
    await add(database, new_refund("r1", 2001))  # the writer is usable again
    async with SqliteUnitOfWork(database) as uow:
        assert await uow.refunds.next_number() == 2002


async def test_another_process_waits_for_the_write_transaction(database: RefundDatabase) -> None:
    async with SqliteUnitOfWork(database):
        other = await aiosqlite.connect(database.path, isolation_level=None)
        try:
            await other.execute("PRAGMA busy_timeout = 0")
            with pytest.raises(aiosqlite.OperationalError, match="locked"):
                await other.execute("BEGIN IMMEDIATE")
        finally:
            await other.close()


async def test_an_unopened_database_says_so(tmp_path: Path) -> None:
    db = RefundDatabase(tmp_path / "x.db")
    with pytest.raises(RuntimeError, match="not open"):
        _ = db.writer
    with pytest.raises(RuntimeError, match="not open"):
        db.reader()
    with pytest.raises(RuntimeError, match="not open"):
        db.slow_reader()


# --- the outbox, the payout schedule and old idempotency keys -----------------------------------


async def test_every_stored_change_writes_its_outbox_row_in_the_same_transaction(
    database: RefundDatabase,
) -> None:
    await add(database, new_refund("r1", 2001, line="ln_1"))  # pending
    loaded = await SqliteRefundReader(database).get("r1")
    assert loaded is not None
    loaded.reject(SAM, NOW, "no")
    with pytest.raises(RuntimeError, match="boom"):
        await save_then_fail(database, loaded)  # rolled back: neither the change nor its event

    pending = await SqliteRefundReader(database).pending_events(limit=10)

    assert [(e.event.kind.value, e.event.refund_open) for e in pending] == [("REQUESTED", True)]
    assert pending[0].event == new_refund("r1", 2001, line="ln_1").unsaved_events()[0]
    stored = await SqliteRefundReader(database).get("r1")
    assert stored is not None
    assert stored.status is RefundStatus.PENDING_APPROVAL


async def test_outbox_rows_are_marked_delivered_or_dead_and_counted(database: RefundDatabase) -> None:
    await add(database, new_refund("r1", 2001))  # requested + approved by policy: two events
    await add(database, new_refund("r2", 2002, line="ln_1"))  # one event
    reader = SqliteRefundReader(database)
    first, second, third = await reader.pending_events(limit=10)

    async with SqliteUnitOfWork(database) as uow:
        await uow.outbox.mark_delivered(first.position, NOW)
        await uow.outbox.mark_dead(third.position, NOW, "NOT_FOUND: no such case")
        await uow.commit()

    assert [e.event.kind.value for e in (first, second, third)] == ["REQUESTED", "APPROVED", "REQUESTED"]
    assert first.position < second.position < third.position
    assert first.event.occurred_at == NOW
    assert first.event.amount == Money(1169, "EUR")
    assert [e.position for e in await reader.pending_events(limit=10)] == [second.position]
    assert await reader.outbox_stats() == OutboxStats(backlog=1, dead_letters=1)


async def test_a_payout_claim_is_a_lease_that_others_wait_out(database: RefundDatabase) -> None:
    await add(database, new_refund("r1", 2001))  # approved by policy: due at once
    await add(database, new_refund("r2", 2002, line="ln_1"))  # pending: never due
    reader = SqliteRefundReader(database)
    lease_end = NOW + timedelta(seconds=60)

    async with SqliteUnitOfWork(database) as uow:
        mine = await uow.payouts.claim("r1", NOW, lease_end)
        theirs = await uow.payouts.claim("r1", NOW, lease_end)
        pending = await uow.payouts.claim("r2", NOW, lease_end)
        await uow.commit()

    assert (mine, theirs, pending) == (PayoutClaim("r1", 0), None, None)
    assert await reader.due_payouts(NOW, limit=10) == []
    assert await reader.due_payouts(lease_end, limit=10) == ["r1"]


async def test_a_deferred_payout_counts_its_attempts_and_release_resets_them(
    database: RefundDatabase,
) -> None:
    await add(database, new_refund("r1", 2001))
    later = NOW + timedelta(seconds=5)

    async with SqliteUnitOfWork(database) as uow:
        await uow.payouts.defer("r1", later)
        await uow.payouts.defer("r1", later)
        early = await uow.payouts.claim("r1", NOW, later)
        claim = await uow.payouts.claim("r1", later, later + timedelta(seconds=60))
        await uow.payouts.release("r1")
        again = await uow.payouts.claim("r1", NOW, later)
        await uow.commit()

    assert (early, claim, again) == (None, PayoutClaim("r1", 2), PayoutClaim("r1", 0))


async def test_old_idempotency_keys_are_forgotten_in_batches(database: RefundDatabase) -> None:
    await add(database, new_refund("r1", 2001))
    async with SqliteUnitOfWork(database) as uow:
        for i, age_h in enumerate([1, 30, 50, 60, 70]):
            record = IdempotencyRecord("cus_1", f"k{i}", "f", "r1", NOW - timedelta(hours=age_h))
            await uow.idempotency_keys.remember(record)
        await uow.commit()

    async with SqliteUnitOfWork(database) as uow:
        first = await uow.idempotency_keys.forget_older_than(NOW - timedelta(hours=48), limit=2)
        second = await uow.idempotency_keys.forget_older_than(NOW - timedelta(hours=48), limit=2)
        await uow.commit()

    reader = SqliteRefundReader(database)
    left = [k for k in ("k0", "k1", "k2", "k3", "k4") if await reader.find_idempotency_key("cus_1", k)]
    assert (first, second, left) == (2, 1, ["k0", "k1"])


async def test_a_retried_refund_stores_its_new_method_amounts_and_payout_reference(
    database: RefundDatabase,
) -> None:
    refund = new_refund("r1", 2001)
    refund.process(SAM, NOW)
    refund.fail(NOW, "declined")
    await add(database, refund)
    loaded = await SqliteRefundReader(database).get("r1")
    assert loaded is not None
    others = {"ln_2": LineUsage(2, Money(2338, "EUR"))}  # the rest of the line went meanwhile

    loaded.retry(SAM, NOW, make_order(), others, RefundMethod.STORE_CREDIT)
    loaded.succeed(NOW, "po_7")
    await save(database, loaded)

    stored = await SqliteRefundReader(database).get("r1")
    assert stored is not None
    assert (stored.status, stored.method, stored.payout_reference) == (
        RefundStatus.REFUNDED,
        RefundMethod.STORE_CREDIT,
        "po_7",
    )
    assert stored.total == Money(1170, "EUR")
    assert stored.failure_reason == "declined"
