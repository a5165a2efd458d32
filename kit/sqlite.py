"""SQLite connections and schema migrations for the services (aiosqlite).

Each service has one database file in WAL mode: one writer connection takes every write
transaction up front (BEGIN IMMEDIATE) and readers use their own connections, so reads never wait
for writes. Migrations are numbered SQL scripts applied in order at start-up, tracked in
PRAGMA user_version.

With tracing on, reads on an InlineReader, write transactions (from waiting for the writer to COMMIT
or ROLLBACK) and migrations are CLIENT spans named by what they do ("sqlite SELECT", "sqlite
transaction", "sqlite migrate"), with db.system="sqlite" and never a parameter value; with tracing
off they cost one dictionary lookup.
"""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
from collections.abc import Awaitable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import aiosqlite
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from kit import tracing

BUSY_TIMEOUT_MS = 5000

# The open write transaction's span, by writer connection (one transaction at a time on each).
_transaction_spans: weakref.WeakKeyDictionary[aiosqlite.Connection, Span] = weakref.WeakKeyDictionary()


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
    await conn.execute("PRAGMA temp_store = MEMORY")
    await conn.execute("PRAGMA cache_size = -32000")  # 32 MB page cache per connection
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
        for pragma in ("busy_timeout = 100", "temp_store = MEMORY", "cache_size = -32000", "query_only = ON"):
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


# --- write transactions that a cancelled caller cannot leave half-open -----------------------------
#
# gRPC cancels a handler when its client gives up (a deadline under load). An aiosqlite statement
# runs in the connection's own thread whether or not its caller still waits: a BEGIN given up on
# still begins, after the caller has let go of the writer, and every later BEGIN on that connection
# fails ("cannot start a transaction within a transaction") until the process restarts. So the
# statements that open and close a transaction are always waited for to their end.


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


async def begin_immediate(conn: aiosqlite.Connection, lock: asyncio.Lock) -> None:
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
        await to_the_end(conn.execute("BEGIN IMMEDIATE"))
    except BaseException as error:
        _end_transaction_span(span, "not begun", error)
        try:
            if conn.in_transaction:  # it began, but its caller was cancelled meanwhile
                await to_the_end(conn.execute("ROLLBACK"))
        finally:
            lock.release()
        raise
    if span is not None:
        _transaction_spans[conn] = span


async def commit(conn: aiosqlite.Connection) -> None:
    try:
        await to_the_end(conn.execute("COMMIT"))
    except BaseException as error:
        _end_transaction_span(_transaction_spans.pop(conn, None), "commit failed", error)
        raise
    _end_transaction_span(_transaction_spans.pop(conn, None), "committed")


async def end_transaction(conn: aiosqlite.Connection, lock: asyncio.Lock) -> None:
    """Rolls back whatever was not committed and lets the next transaction take the writer."""
    try:
        if conn.in_transaction:
            await to_the_end(conn.execute("ROLLBACK"))
    finally:
        _end_transaction_span(_transaction_spans.pop(conn, None), "rolled back")
        lock.release()
