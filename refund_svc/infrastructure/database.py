"""The refund database: one writer connection for all write transactions, a few readers.

WAL mode lets readers run while the writer writes; synchronous=FULL because a refund accepted must
never be lost. The writer is shared by the whole process, so an asyncio lock hands it to one unit
of work at a time, and BEGIN IMMEDIATE takes SQLite's write lock up front (against other
processes too), so a check-then-write can never interleave with another.
"""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import aiosqlite

from kit.sqlite import connect, load_migrations, migrate

MIGRATIONS = Path(__file__).parent / "migrations"


class RefundDatabase:
    def __init__(self, path: str | Path, *, readers: int = 2) -> None:
        self.path = Path(path)
        self._reader_count = readers
        self._writer: aiosqlite.Connection | None = None
        self._readers: list[aiosqlite.Connection] = []
        self._next_reader = itertools.cycle(range(readers))
        self.write_lock = asyncio.Lock()

    async def open(self) -> None:
        """Connects and applies the migrations not yet applied."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = await connect(self.path, synchronous="FULL")
        await migrate(self._writer, load_migrations(MIGRATIONS))
        self._readers = [await connect(self.path, read_only=True) for _ in range(self._reader_count)]

    async def close(self) -> None:
        for conn in [*self._readers, *([self._writer] if self._writer else [])]:
            await conn.close()
        self._readers, self._writer = [], None

    @property
    def writer(self) -> aiosqlite.Connection:
        if self._writer is None:
            raise RuntimeError("the refund database is not open")
        return self._writer

    def reader(self) -> aiosqlite.Connection:
        if not self._readers:
            raise RuntimeError("the refund database is not open")
        return self._readers[next(self._next_reader)]
