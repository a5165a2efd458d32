"""A unit of work over the writer connection: one BEGIN IMMEDIATE transaction per use case."""

from __future__ import annotations

from kit.sqlite import begin_immediate, commit, end_transaction
from support_svc.application.ports import CaseChangeFeed, UnitOfWork
from support_svc.infrastructure.case_repository import SqliteCaseRepository
from support_svc.infrastructure.database import Database
from support_svc.infrastructure.refund_ledger import SqliteRefundLedger


class SqliteUnitOfWork(UnitOfWork):
    def __init__(self, database: Database, feed: CaseChangeFeed | None = None) -> None:
        super().__init__(feed)
        self._db = database

    async def _begin(self) -> None:
        # IMMEDIATE takes the write lock up front: no deadlock-prone upgrade from a read later.
        await begin_immediate(self._db.writer, self._db.write_lock)
        self.cases = SqliteCaseRepository(self._db.writer)
        self.refunds = SqliteRefundLedger(self._db.writer)

    async def _commit(self) -> None:
        await commit(self._db.writer)

    async def _end(self) -> None:
        await end_transaction(self._db.writer, self._db.write_lock)
