"""A unit of work over the writer connection: one BEGIN IMMEDIATE transaction per use case."""

from __future__ import annotations

from support_svc.application.ports import CaseChangeFeed, UnitOfWork
from support_svc.infrastructure.case_repository import SqliteCaseRepository
from support_svc.infrastructure.database import Database
from support_svc.infrastructure.refund_ledger import SqliteRefundLedger


class SqliteUnitOfWork(UnitOfWork):
    def __init__(self, database: Database, feed: CaseChangeFeed | None = None) -> None:
        super().__init__(feed)
        self._db = database

    async def _begin(self) -> None:
        await self._db.write_lock.acquire()
        try:
            # IMMEDIATE takes the write lock up front: no deadlock-prone upgrade from a read later.
            await self._db.writer.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._db.write_lock.release()
            raise
        self.cases = SqliteCaseRepository(self._db.writer)
        self.refunds = SqliteRefundLedger(self._db.writer)

    async def _commit(self) -> None:
        await self._db.writer.execute("COMMIT")

    async def _end(self) -> None:
        try:
            if self._db.writer.in_transaction:
                await self._db.writer.execute("ROLLBACK")
        finally:
            self._db.write_lock.release()
