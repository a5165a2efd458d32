"""The SQLite unit of work (one BEGIN IMMEDIATE transaction) and the reader, over RefundDatabase."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from kit.sqlite import begin_immediate, commit, end_transaction
from refund_svc.application.ports import (
    IdempotencyKeys,
    IdempotencyRecord,
    Outbox,
    OutboxEntry,
    OutboxStats,
    PayoutClaim,
    PayoutSchedule,
    RefundFilter,
    RefundReader,
    RefundRepository,
    RefundTotals,
    UnitOfWork,
)
from refund_svc.domain.refund import Refund
from refund_svc.domain.refundable import LineUsage
from refund_svc.infrastructure.database import RefundDatabase
from refund_svc.infrastructure.sqlite_refunds import RefundQueries, RefundSql


class SqliteRefundRepository(RefundRepository):
    def __init__(self, sql: RefundSql) -> None:
        self._sql = sql

    async def get(self, refund_id: str) -> Refund | None:
        return await self._sql.get(refund_id)

    async def line_usage(self, order_id: str) -> dict[str, LineUsage]:
        return await self._sql.line_usage(order_id)

    async def next_number(self) -> int:
        return await self._sql.next_number()

    async def add(self, refund: Refund) -> None:
        await self._sql.insert(refund)
        refund.mark_saved()

    async def save(self, refund: Refund) -> None:
        await self._sql.update(refund)
        refund.mark_saved()


class SqliteIdempotencyKeys(IdempotencyKeys):
    def __init__(self, sql: RefundSql) -> None:
        self._sql = sql

    async def find(self, scope: str, request_id: str) -> IdempotencyRecord | None:
        return await self._sql.find_key(scope, request_id)

    async def remember(self, record: IdempotencyRecord) -> None:
        await self._sql.insert_key(record)

    async def forget_older_than(self, cutoff: datetime, *, limit: int) -> int:
        return await self._sql.forget_keys_older_than(cutoff, limit)


class SqlitePayoutSchedule(PayoutSchedule):
    def __init__(self, sql: RefundSql) -> None:
        self._sql = sql

    async def claim(self, refund_id: str, now: datetime, lease_until: datetime) -> PayoutClaim | None:
        return await self._sql.claim_payout(refund_id, now, lease_until)

    async def defer(self, refund_id: str, until: datetime) -> None:
        await self._sql.defer_payout(refund_id, until)

    async def release(self, refund_id: str) -> None:
        await self._sql.release_payout(refund_id)


class SqliteOutbox(Outbox):
    def __init__(self, sql: RefundSql) -> None:
        self._sql = sql

    async def mark_delivered(self, position: int, at: datetime) -> None:
        await self._sql.mark_delivered(position, at)

    async def mark_dead(self, position: int, at: datetime, reason: str) -> None:
        await self._sql.mark_dead(position, at, reason)


class SqliteUnitOfWork(UnitOfWork):
    """Holds the process's writer for one BEGIN IMMEDIATE transaction; rolls back unless committed.

    `on_commit` runs after each commit (it wakes the payout worker and the outbox relay).
    """

    def __init__(self, database: RefundDatabase, *, on_commit: Callable[[], None] | None = None) -> None:
        self._database = database
        self._on_commit = on_commit
        self._active = False
        sql = RefundSql(database.writer)
        self.refunds = SqliteRefundRepository(sql)
        self.idempotency_keys = SqliteIdempotencyKeys(sql)
        self.payouts = SqlitePayoutSchedule(sql)
        self.outbox = SqliteOutbox(sql)

    async def begin(self) -> None:
        await begin_immediate(self._database.writer, self._database.write_lock)
        self._active = True

    async def commit(self) -> None:
        await commit(self._database.writer)  # to its end, even if this call is cancelled meanwhile
        self._active = False
        self._database.write_lock.release()
        if self._on_commit is not None:
            self._on_commit()

    async def rollback(self) -> None:
        if self._active:
            self._active = False
            await end_transaction(self._database.writer, self._database.write_lock)


class SqliteRefundReader(RefundReader):
    """Reads on the reader connections (WAL: they see the last commit and never wait for writers)."""

    def __init__(self, database: RefundDatabase) -> None:
        self._database = database

    def _sql(self) -> RefundQueries:
        return RefundQueries(self._database.reader())

    async def get(self, refund_id: str) -> Refund | None:
        return await self._sql().get(refund_id)

    async def list_refunds(
        self, where: RefundFilter, *, before_number: int | None, limit: int
    ) -> Sequence[Refund]:
        return await self._sql().list_refunds(where, before_number=before_number, limit=limit)

    async def line_usage(self, order_id: str) -> dict[str, LineUsage]:
        return await self._sql().line_usage(order_id)

    async def find_idempotency_key(self, scope: str, request_id: str) -> IdempotencyRecord | None:
        return await self._sql().find_key(scope, request_id)

    async def due_payouts(self, now: datetime, *, limit: int) -> list[str]:
        return await self._sql().due_payouts(now, limit)

    async def pending_events(self, *, limit: int) -> list[OutboxEntry]:
        return await self._sql().pending_events(limit)

    async def outbox_stats(self) -> OutboxStats:
        return await self._sql().outbox_stats()

    async def pending_totals(self) -> RefundTotals:
        return await RefundQueries(self._database.slow_reader()).pending_totals()

    async def refunded_totals(self, start: datetime, end: datetime) -> RefundTotals:
        return await RefundQueries(self._database.slow_reader()).refunded_totals(start, end)
