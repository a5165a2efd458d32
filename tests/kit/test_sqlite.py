from pathlib import Path

import aiosqlite
import pytest

from kit.sqlite import connect, load_migrations, migrate

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
