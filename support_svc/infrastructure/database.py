"""The support database: one writer connection (writes serialised by a lock) and two readers.

WAL lets readers run while a write transaction is open, so queue reads never wait on writes.
All writes go through the writer connection, one BEGIN IMMEDIATE transaction at a time, its
statements in place on the event loop's thread (kit.sqlite.InlineWriter). Short indexed reads (a
case, a queue page, a timeline) use `reader`, in place too (kit.sqlite.InlineReader); the
dashboard's aggregates use `slow_reader`, on aiosqlite's thread.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiosqlite

from kit.sqlite import InlineReader, InlineWriter, connect, load_migrations, migrate_file

MIGRATIONS = Path(__file__).parent / "migrations"


class Database:
    def __init__(self, path: Path, *, synchronous: str = "NORMAL") -> None:
        self.path = path
        self._synchronous = synchronous
        self._writer: InlineWriter | None = None
        self._reader: InlineReader | None = None
        self._slow_reader: aiosqlite.Connection | None = None
        # One transaction at a time on the shared writer connection: a second BEGIN would fail.
        self.write_lock = asyncio.Lock()

    async def open(self) -> None:
        """Connects and applies the migrations not yet applied."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        await migrate_file(self.path, load_migrations(MIGRATIONS))
        self._writer = InlineWriter(self.path, synchronous=self._synchronous)
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
            raise RuntimeError("the database is not open")
        return self._writer

    @property
    def reader(self) -> InlineReader:
        if self._reader is None:
            raise RuntimeError("the database is not open")
        return self._reader

    @property
    def slow_reader(self) -> aiosqlite.Connection:
        if self._slow_reader is None:
            raise RuntimeError("the database is not open")
        return self._slow_reader
