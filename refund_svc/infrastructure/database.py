"""The refund database: one writer connection for all write transactions (kit.sqlite.InlineWriter:
statements in place, each COMMIT's wait for the disk on its own thread), and readers: one used in
place on the event loop for short indexed reads (kit.sqlite.InlineReader), one on aiosqlite's
thread for aggregates (the dashboard's totals, the metrics).

WAL mode lets readers run while the writer writes; synchronous=FULL because a refund accepted must
never be lost. The writer is shared by the whole process, so an asyncio lock hands it to one unit
of work at a time, and BEGIN IMMEDIATE takes SQLite's write lock up front (against other
processes too), so a check-then-write can never interleave with another.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiosqlite

from kit.sqlite import InlineReader, InlineWriter, connect, load_migrations, migrate_file

MIGRATIONS = Path(__file__).parent / "migrations"


class RefundDatabase:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._writer: InlineWriter | None = None
        self._reader: InlineReader | None = None
        self._slow_reader: aiosqlite.Connection | None = None
        self.write_lock = asyncio.Lock()

    async def open(self) -> None:
        """Connects and applies the migrations not yet applied."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        await migrate_file(self.path, load_migrations(MIGRATIONS))
        self._writer = InlineWriter(self.path, synchronous="FULL")
        self._reader = InlineReader(self.path)
        self._slow_reader = await connect(self.path, read_only=True)

    async def close(self) -> None:
        for conn in (self._reader, self._slow_reader, self._writer):
            if conn is not None:
                await conn.close()
        self._reader = self._slow_reader = self._writer = None

    @property
    def writer(self) -> InlineWriter:
        if self._writer is None:
            raise RuntimeError("the refund database is not open")
        return self._writer

    def reader(self) -> InlineReader:
        if self._reader is None:
            raise RuntimeError("the refund database is not open")
        return self._reader

    def slow_reader(self) -> aiosqlite.Connection:
        if self._slow_reader is None:
            raise RuntimeError("the refund database is not open")
        return self._slow_reader
