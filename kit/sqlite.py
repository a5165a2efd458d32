"""SQLite connections and schema migrations for the services.

Each service has one database file in WAL mode: one writer connection (an InlineWriter) takes every
write transaction up front (BEGIN IMMEDIATE) and readers use their own connections, so reads never
wait for writes. Statements that are short run in place on the event loop's thread (InlineReader,
InlineWriter); what can take long (an fsync, a wait for another process's lock, a checkpoint, the
dashboard's scans) runs on a thread of its own. Migrations are numbered SQL scripts applied in
order at start-up, tracked in PRAGMA user_version.

With tracing on, reads on an InlineReader, write transactions (from waiting for the writer to COMMIT
or ROLLBACK) and migrations are CLIENT spans named by what they do ("sqlite SELECT", "sqlite
transaction", "sqlite migrate"), with db.system="sqlite" and never a parameter value; with tracing
off they cost one dictionary lookup.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import weakref
from collections.abc import Awaitable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

import aiosqlite
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from kit import tracing

BUSY_TIMEOUT_MS = 5000
# Every connection's: temporary tables in memory, a 32 MB page cache.
_CACHE_PRAGMAS = ("temp_store = MEMORY", "cache_size = -32000")

# A checkpoint copies what the WAL holds into the database file; at most one each this often.
CHECKPOINT_INTERVAL_S = 0.5

# The open write transaction's span, by writer connection (one transaction at a time on each).
_transaction_spans: weakref.WeakKeyDictionary[InlineWriter, Span] = weakref.WeakKeyDictionary()


def _operation(sql: str) -> str:
    """The statement's first keyword ("SELECT", "WITH"): a span's name says what kind, never what values."""
    words = sql.split(None, 1)
    return words[0].upper() if words else "EMPTY"


def _db_attributes(operation: str) -> dict[str, Any]:
    return {"db.system": "sqlite", "db.operation.name": operation}


async def connect(
    path: str | Path, *, synchronous: str = "NORMAL", read_only: bool = False
) -> aiosqlite.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, so transactions are explicit.
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    conn.row_factory = aiosqlite.Row
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA foreign_keys = ON")
    if not read_only:
        await conn.execute("PRAGMA journal_mode = WAL")
    await conn.execute(f"PRAGMA synchronous = {synchronous}")
    for pragma in _CACHE_PRAGMAS:
        await conn.execute(f"PRAGMA {pragma}")
    if read_only:
        await conn.execute("PRAGMA query_only = ON")
    return conn


class Reads(Protocol):
    """What a repository needs to read: an aiosqlite connection or an InlineReader."""

    def execute_fetchall(self, sql: str, parameters: Any = ..., /) -> Awaitable[Iterable[sqlite3.Row]]: ...


class InlineReader:
    """A read-only connection used on the event loop's own thread, for short indexed reads.

    Through aiosqlite every statement is a trip to the connection's thread and back (a queue, a
    wake-up of the loop, two hand-overs of the GIL): ~0.3 ms of a process's CPU around a point read
    that SQLite answers in ~0.03 ms. Reads that short are cheaper done in place. WAL readers never
    wait for the writer, so a read here cannot stall the loop on a lock (the busy timeout is short
    for the rare WAL recovery). Anything long (scans, the dashboard's aggregates) stays on aiosqlite.
    Same call shape as aiosqlite (`await reader.execute_fetchall(...)`), so repositories take either.
    """

    def __init__(self, path: str | Path) -> None:
        self._conn = sqlite3.connect(
            f"file:{Path(path).resolve()}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
        )
        self._conn.row_factory = sqlite3.Row
        for pragma in ("busy_timeout = 100", *_CACHE_PRAGMAS, "query_only = ON"):
            self._conn.execute(f"PRAGMA {pragma}")

    async def execute_fetchall(
        self, sql: str, parameters: Sequence[Any] | Mapping[str, Any] = ()
    ) -> Iterable[sqlite3.Row]:
        if not tracing.enabled():
            return self._conn.execute(sql, parameters).fetchall()
        operation = _operation(sql)
        with tracing.span(f"sqlite {operation}", kind=SpanKind.CLIENT, **_db_attributes(operation)):
            return self._conn.execute(sql, parameters).fetchall()

    async def close(self) -> None:
        self._conn.close()


class InlineWriter:
    """The process's writer connection: its statements run in place on the event loop's thread.

    Through aiosqlite each statement of a write transaction was a trip to the connection's thread
    and back (~0.3 ms of the process's CPU), and a refund request takes about fifteen. The
    statements of a transaction are short indexed reads and writes of a few rows, so they run in
    place, one transaction at a time (the caller holds the process's write lock). Only what can
    wait runs on the writer's own thread:
    - a COMMIT that waits for the disk (synchronous FULL or EXTRA: refunds);
    - a BEGIN IMMEDIATE that finds another process's write lock (busy timeout 0 in place, then
      retried there with the usual busy timeout).
    Checkpoints are not left to the COMMIT that crosses the WAL's threshold (wal_autocheckpoint is
    off): after a commit, at most every CHECKPOINT_INTERVAL_S, a PASSIVE checkpoint runs on a
    connection and thread of its own. It never blocks the writer, so no write waits behind one.
    Same call shape as aiosqlite for what repositories use (`await writer.execute(...)`).
    """

    def __init__(self, path: str | Path, *, synchronous: str = "NORMAL") -> None:
        self.path = Path(path)
        self._conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        for pragma in (
            "busy_timeout = 0",
            "foreign_keys = ON",
            "journal_mode = WAL",
            f"synchronous = {synchronous}",
            *_CACHE_PRAGMAS,
            "wal_autocheckpoint = 0",
        ):
            self._conn.execute(f"PRAGMA {pragma}")
        self._commit_waits_for_disk = synchronous.upper() in ("FULL", "EXTRA", "2", "3")
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer")
        self._checkpoints = ThreadPoolExecutor(1, thread_name_prefix="sqlite-checkpoint")
        self._checkpoint_conn: sqlite3.Connection | None = None
        self._checkpoint: asyncio.Future[None] | None = None
        self._last_checkpoint = time.monotonic()  # the first one an interval after opening
        self._closed = False

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction

    async def execute(self, sql: str, parameters: Sequence[Any] | Mapping[str, Any] = ()) -> sqlite3.Cursor:
        return self._conn.execute(sql, parameters)

    async def executemany(
        self, sql: str, parameters: Iterable[Sequence[Any] | Mapping[str, Any]]
    ) -> sqlite3.Cursor:
        return self._conn.executemany(sql, parameters)

    async def execute_fetchall(
        self, sql: str, parameters: Sequence[Any] | Mapping[str, Any] = ()
    ) -> list[sqlite3.Row]:
        return self._conn.execute(sql, parameters).fetchall()

    async def begin(self) -> None:
        """BEGIN IMMEDIATE: in place, or on the writer's thread if another process holds the lock."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                raise
            await to_the_end(asyncio.get_running_loop().run_in_executor(self._thread, self._begin_waiting))

    def _begin_waiting(self) -> None:
        self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        finally:
            self._conn.execute("PRAGMA busy_timeout = 0")

    async def commit(self) -> None:
        if self._commit_waits_for_disk:
            loop = asyncio.get_running_loop()
            await to_the_end(loop.run_in_executor(self._thread, self._conn.execute, "COMMIT"))
        else:
            self._conn.execute("COMMIT")
        self._checkpoint_soon()

    async def rollback(self) -> None:
        self._conn.execute("ROLLBACK")  # in WAL, nothing to undo on disk: nothing to wait for

    def _checkpoint_soon(self) -> None:
        if self._closed or (self._checkpoint is not None and not self._checkpoint.done()):
            return
        if time.monotonic() - self._last_checkpoint < CHECKPOINT_INTERVAL_S:
            return
        self._last_checkpoint = time.monotonic()
        self._checkpoint = asyncio.get_running_loop().run_in_executor(self._checkpoints, self._run_checkpoint)
        self._checkpoint.add_done_callback(_retrieve)

    def _run_checkpoint(self) -> None:
        if self._checkpoint_conn is None:
            self._checkpoint_conn = sqlite3.connect(str(self.path), isolation_level=None)
            self._checkpoint_conn.execute("PRAGMA busy_timeout = 0")
        self._checkpoint_conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    async def close(self) -> None:
        self._closed = True
        if self._checkpoint is not None:
            await asyncio.wait([self._checkpoint])
        loop = asyncio.get_running_loop()
        if self._checkpoint_conn is not None:
            await loop.run_in_executor(self._checkpoints, self._checkpoint_conn.close)
        # The last connection to close checkpoints everything and removes the WAL: off the loop.
        await loop.run_in_executor(self._thread, self._conn.close)
        self._thread.shutdown()
        self._checkpoints.shutdown()


def _retrieve(future: asyncio.Future[None]) -> None:
    """A failed checkpoint is retried by the next; the WAL keeps what it did not copy."""
    if not future.cancelled():
        future.exception()


def load_migrations(folder: Path) -> list[str]:
    """The SQL scripts in `folder` named NNNN_*.sql, in order."""
    return [p.read_text() for p in sorted(folder.glob("[0-9][0-9][0-9][0-9]_*.sql"))]


async def migrate(conn: aiosqlite.Connection, migrations: Sequence[str]) -> int:
    """Applies the migrations not yet applied, each in its own transaction. Returns the version."""
    with tracing.span("sqlite migrate", kind=SpanKind.CLIENT, **_db_attributes("migrate")):
        async with conn.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        current = int(row[0]) if row else 0
        for version, script in enumerate(migrations, start=1):
            if version <= current:
                continue
            # executescript commits any open transaction first; wrap the script so it is all-or-nothing.
            try:
                await conn.executescript(
                    f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;"
                )
            except BaseException:
                if conn.in_transaction:
                    await conn.execute("ROLLBACK")
                raise
            current = version
        return current


async def migrate_file(path: str | Path, migrations: Sequence[str]) -> int:
    """`migrate` on a connection of its own, on aiosqlite's thread: a migration may rebuild a table
    or an index, far too long for the event loop. Returns the version."""
    setup = await connect(path)
    try:
        return await migrate(setup, migrations)
    finally:
        await setup.close()


# --- write transactions that a cancelled caller cannot leave half-open -----------------------------
#
# gRPC cancels a handler when its client gives up (a deadline under load). A statement on the
# writer's thread runs whether or not its caller still waits: a BEGIN given up on would still
# begin, after the caller has let go of the writer, and every later BEGIN on that connection would
# fail ("cannot start a transaction within a transaction") until the process restarts. So the
# statements that open and close a transaction are always waited for to their end (InlineWriter).


async def to_the_end[T](statement: Awaitable[T]) -> T:
    """Awaits `statement` to its end even when the caller is cancelled meanwhile; the cancellation
    is passed on afterwards."""
    task = asyncio.ensure_future(statement)
    cancelled = False
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.cancelled():
                raise
            cancelled = True
    if cancelled:
        if not task.cancelled():
            task.exception()  # retrieved: the cancellation is what the caller hears of
        raise asyncio.CancelledError
    return task.result()


def _end_transaction_span(span: Span | None, outcome: str, error: BaseException | None = None) -> None:
    if span is None:
        return
    span.set_attribute("db.transaction.outcome", outcome)
    if error is not None:
        span.set_status(Status(StatusCode.ERROR, type(error).__name__))
    span.end()


async def begin_immediate(conn: InlineWriter, lock: asyncio.Lock) -> None:
    """Takes the process's writer (`lock`) and opens a write transaction on it, or neither."""
    # The span starts before the wait for the writer: time queued behind other writes shows.
    span = (
        tracing.tracer("acme").start_span(
            "sqlite transaction", kind=SpanKind.CLIENT, attributes=_db_attributes("BEGIN IMMEDIATE")
        )
        if tracing.enabled()
        else None
    )
    try:
        await lock.acquire()
    except BaseException as error:
        _end_transaction_span(span, "not begun", error)
        raise
    try:
        await conn.begin()
    except BaseException as error:
        _end_transaction_span(span, "not begun", error)
        try:
            if conn.in_transaction:  # it began, but its caller was cancelled meanwhile
                await conn.rollback()
        finally:
            lock.release()
        raise
    if span is not None:
        _transaction_spans[conn] = span


async def commit(conn: InlineWriter) -> None:
    try:
        await conn.commit()
    except BaseException as error:
        _end_transaction_span(_transaction_spans.pop(conn, None), "commit failed", error)
        raise
    _end_transaction_span(_transaction_spans.pop(conn, None), "committed")


async def end_transaction(conn: InlineWriter, lock: asyncio.Lock) -> None:
    """Rolls back whatever was not committed and lets the next transaction take the writer."""
    try:
        if conn.in_transaction:
            await conn.rollback()
    finally:
        _end_transaction_span(_transaction_spans.pop(conn, None), "rolled back")
        lock.release()
