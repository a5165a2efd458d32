"""The SQLite unit of work (one BEGIN IMMEDIATE transaction) and the reader, over RefundDatabase."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from refund_svc.application.ports import (
    IdempotencyKeys,
    IdempotencyRecord,
    RefundFilter,
    RefundReader,
    RefundRepository,
    UnitOfWork,
)
from refund_svc.domain.refund import Refund
from refund_svc.domain.refundable import LineUsage
from refund_svc.infrastructure.database import RefundDatabase
from refund_svc.infrastructure.sqlite_refunds import RefundSql


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

    async def save(self, refund: Refund) -> None:
        await self._sql.update(refund)


class SqliteIdempotencyKeys(IdempotencyKeys):
    def __init__(self, sql: RefundSql) -> None:
        self._sql = sql

    async def find(self, scope: str, request_id: str) -> IdempotencyRecord | None:
        return await self._sql.find_key(scope, request_id)

    async def remember(self, record: IdempotencyRecord) -> None:
        await self._sql.insert_key(record)


class SqliteUnitOfWork(UnitOfWork):
    """Holds the process's writer for one BEGIN IMMEDIATE transaction; rolls back unless committed."""

    def __init__(self, database: RefundDatabase) -> None:
        self._database = database
        self._active = False
        sql = RefundSql(database.writer)
        self.refunds = SqliteRefundRepository(sql)
        self.idempotency_keys = SqliteIdempotencyKeys(sql)

    async def begin(self) -> None:
        await self._database.write_lock.acquire()
        try:
            await self._database.writer.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._database.write_lock.release()
            raise
        self._active = True

    async def commit(self) -> None:
        await self._database.writer.execute("COMMIT")
        self._finish()

    async def rollback(self) -> None:
        if not self._active:
            return
        try:
            await self._database.writer.execute("ROLLBACK")
        except sqlite3.OperationalError:
            pass  # no transaction left to roll back (e.g. a cancelled COMMIT that went through)
        finally:
            self._finish()

    def _finish(self) -> None:
        if self._active:
            self._active = False
            self._database.write_lock.release()


class SqliteRefundReader(RefundReader):
    """Reads on the reader connections (WAL: they see the last commit and never wait for writers)."""

    def __init__(self, database: RefundDatabase) -> None:
        self._database = database

    def _sql(self) -> RefundSql:
        return RefundSql(self._database.reader())

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
