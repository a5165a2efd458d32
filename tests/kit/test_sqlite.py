import asyncio
import sqlite3
from pathlib import Path

import aiosqlite
import pytest

from kit import sqlite as kit_sqlite
from kit.sqlite import (
    InlineReader,
    InlineWriter,
    begin_immediate,
    commit,
    connect,
    end_transaction,
    load_migrations,
    migrate,
    migrate_file,
    to_the_end,
)

MIGRATIONS = [
    "CREATE TABLE thing (id INTEGER PRIMARY KEY, name TEXT NOT NULL);",
    "ALTER TABLE thing ADD COLUMN colour TEXT;",
]


async def test_migrations_apply_once_in_order_on_a_real_file(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    conn = await connect(path)
    try:
        assert await migrate(conn, MIGRATIONS) == 2
        assert await migrate(conn, MIGRATIONS) == 2  # already applied: nothing runs twice
        await conn.execute("INSERT INTO thing (name, colour) VALUES ('a', 'red')")
        rows = await conn.execute_fetchall("PRAGMA journal_mode")
        assert next(iter(rows))[0] == "wal"
    finally:
        await conn.close()


async def test_a_failing_migration_leaves_the_schema_as_it_was(tmp_path: Path) -> None:
    conn = await connect(tmp_path / "t.db")
    try:
        await migrate(conn, MIGRATIONS[:1])
        with pytest.raises(aiosqlite.OperationalError):
            await migrate(
                conn, [MIGRATIONS[0], "ALTER TABLE thing ADD COLUMN x TEXT; SELECT * FROM missing;"]
            )
        version = await conn.execute_fetchall("PRAGMA user_version")
        assert next(iter(version))[0] == 1
        columns = [row[1] for row in await conn.execute_fetchall("PRAGMA table_info(thing)")]
        assert columns == ["id", "name"]
    finally:
        await conn.close()


def test_migrations_load_in_file_name_order(tmp_path: Path) -> None:
    (tmp_path / "0002_b.sql").write_text("B")
    (tmp_path / "0001_a.sql").write_text("A")
    (tmp_path / "notes.txt").write_text("ignored")
    assert load_migrations(tmp_path) == ["A", "B"]


# --- transactions and cancelled callers -----------------------------------------------------------


async def test_a_begin_cancelled_while_it_waits_leaves_no_transaction_behind(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    await migrate_file(path, MIGRATIONS)
    writer, blocker = InlineWriter(path), await connect(path)
    lock = asyncio.Lock()
    try:
        await blocker.execute("BEGIN IMMEDIATE")  # another process holds the database's write lock
        begin = asyncio.ensure_future(begin_immediate(writer, lock))
        await asyncio.sleep(0.2)  # the writer's BEGIN now waits in its thread (busy timeout)
        begin.cancel()  # as gRPC does when the client's deadline passes
        await asyncio.sleep(0.05)
        assert not begin.done()  # it waits for its BEGIN to end, keeping the writer meanwhile
        await blocker.execute("ROLLBACK")
        with pytest.raises(asyncio.CancelledError):
            await begin

        assert not writer.in_transaction  # the BEGIN that went through was rolled back
        assert not lock.locked()
        await begin_immediate(writer, lock)  # and the next transaction begins as usual
        await writer.execute("INSERT INTO thing (name) VALUES ('next')")
        await commit(writer)
        await end_transaction(writer, lock)
        assert [tuple(r) for r in await blocker.execute_fetchall("SELECT name FROM thing")] == [("next",)]
    finally:
        await blocker.close()
        await writer.close()


async def test_a_begin_that_finds_the_lock_taken_waits_off_the_event_loop(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    await migrate_file(path, MIGRATIONS)
    writer, blocker = InlineWriter(path), await connect(path)
    lock = asyncio.Lock()
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.ensure_future(tick())
    try:
        await blocker.execute("BEGIN IMMEDIATE")
        release = asyncio.get_running_loop().call_later(
            0.3, lambda: asyncio.ensure_future(blocker.execute("ROLLBACK"))
        )
        await begin_immediate(writer, lock)  # waits ~0.3 s for the other connection's lock
        release.cancel()
        assert writer.in_transaction
        assert ticks >= 10  # the loop kept running meanwhile: the wait was not in place
        await end_transaction(writer, lock)
    finally:
        ticker.cancel()
        await blocker.close()
        await writer.close()


async def test_a_commit_that_waits_for_the_disk_cancelled_meanwhile_still_commits(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    await migrate_file(path, MIGRATIONS)
    writer = InlineWriter(path, synchronous="FULL")  # its COMMIT runs on the writer's thread
    lock = asyncio.Lock()
    try:
        await begin_immediate(writer, lock)
        await writer.execute("INSERT INTO thing (name) VALUES ('kept')")
        committing = asyncio.ensure_future(commit(writer))
        await asyncio.sleep(0)  # the COMMIT is on its way to the connection's thread
        committing.cancel()
        with pytest.raises(asyncio.CancelledError):
            await committing
        await end_transaction(writer, lock)

        assert not lock.locked()
        assert not writer.in_transaction
        assert [tuple(r) for r in await writer.execute_fetchall("SELECT name FROM thing")] == [("kept",)]
    finally:
        await writer.close()


async def test_no_commit_checkpoints_a_checkpoint_follows_commits_on_its_own_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kit_sqlite, "CHECKPOINT_INTERVAL_S", 0.2)
    path = tmp_path / "t.db"
    await migrate_file(path, MIGRATIONS)
    writer = InlineWriter(path)
    lock = asyncio.Lock()
    try:
        size_before = path.stat().st_size
        await begin_immediate(writer, lock)
        # ~4 MB: four times SQLite's default autocheckpoint threshold of 1,000 pages
        await writer.executemany("INSERT INTO thing (name) VALUES (?)", [("x" * 1000,) for _ in range(4000)])
        await commit(writer)
        await end_transaction(writer, lock)
        assert path.stat().st_size == size_before  # all in the WAL: the COMMIT did not checkpoint

        await asyncio.sleep(0.25)
        await begin_immediate(writer, lock)
        await writer.execute("INSERT INTO thing (name) VALUES ('later')")
        await commit(writer)  # the interval has passed: this commit starts a checkpoint
        await end_transaction(writer, lock)
        for _ in range(100):
            if path.stat().st_size > 4_000_000:
                break
            await asyncio.sleep(0.05)
        assert path.stat().st_size > 4_000_000  # copied into the database file
        rows = await writer.execute_fetchall("SELECT COUNT(*) FROM thing")
        assert rows[0][0] == 4001
    finally:
        await writer.close()


async def test_to_the_end_returns_what_the_statement_returns_or_raises() -> None:
    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    async def fail() -> None:
        raise ValueError("no such table")

    assert await to_the_end(answer()) == 42
    with pytest.raises(ValueError, match="no such table"):
        await to_the_end(fail())


async def test_an_inline_reader_sees_each_commit_and_cannot_write(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    await migrate_file(path, MIGRATIONS)
    writer = InlineWriter(path)
    reader = InlineReader(path)
    lock = asyncio.Lock()
    try:
        await begin_immediate(writer, lock)
        await writer.execute("INSERT INTO thing (name) VALUES ('draft')")
        during = list(await reader.execute_fetchall("SELECT name FROM thing"))  # WAL: not waiting
        await commit(writer)
        await end_transaction(writer, lock)
        after = [tuple(r) for r in await reader.execute_fetchall("SELECT name FROM thing WHERE id = ?", (1,))]

        assert during == []
        assert after == [("draft",)]
        with pytest.raises(sqlite3.OperationalError, match=r"readonly|read-only"):
            await reader.execute_fetchall("DELETE FROM thing")
    finally:
        await reader.close()
        await writer.close()


async def test_reads_transactions_and_migrations_are_spans_without_values(tmp_path: Path) -> None:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.trace import SpanKind

    from kit import tracing

    spans = InMemorySpanExporter()
    assert tracing.configure("test", exporter=spans)
    reader = conn = None
    try:
        await migrate_file(tmp_path / "t.db", MIGRATIONS)
        conn = InlineWriter(tmp_path / "t.db")
        reader = InlineReader(tmp_path / "t.db")
        lock = asyncio.Lock()
        with tracing.span("handler"):
            await begin_immediate(conn, lock)
            await conn.execute("INSERT INTO thing (name) VALUES (?)", ("secret-name-1",))
            await commit(conn)
            await end_transaction(conn, lock)
            await begin_immediate(conn, lock)
            await end_transaction(conn, lock)  # not committed: rolled back
            await reader.execute_fetchall("  select * FROM thing WHERE name = ?", ("secret-name-1",))
    finally:
        if reader is not None:
            await reader.close()
        if conn is not None:
            await conn.close()
        tracing.shutdown()

    finished = spans.get_finished_spans()
    handler = next(s for s in finished if s.name == "handler")
    db = [s for s in finished if s.name != "handler"]
    assert [s.name for s in db] == [
        "sqlite migrate",
        "sqlite transaction",
        "sqlite transaction",
        "sqlite SELECT",
    ]
    assert all(s.kind == SpanKind.CLIENT and (s.attributes or {})["db.system"] == "sqlite" for s in db)
    assert db[0].parent is None  # start-up work, outside any call
    assert all(s.parent is not None and s.parent.span_id == handler.context.span_id for s in db[1:])
    assert [(s.attributes or {})["db.transaction.outcome"] for s in db[1:3]] == ["committed", "rolled back"]
    assert "secret-name-1" not in repr([dict(s.attributes or {}) for s in finished])
