"""SQLite connections and schema migrations for the services (aiosqlite).

Each service has one database file in WAL mode: one writer connection takes every write
transaction up front (BEGIN IMMEDIATE) and readers use their own connections, so reads never wait
for writes. Migrations are numbered SQL scripts applied in order at start-up, tracked in
PRAGMA user_version.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import aiosqlite

BUSY_TIMEOUT_MS = 5000


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


def load_migrations(folder: Path) -> list[str]:
    """The SQL scripts in `folder` named NNNN_*.sql, in order."""
    return [p.read_text() for p in sorted(folder.glob("[0-9][0-9][0-9][0-9]_*.sql"))]


async def migrate(conn: aiosqlite.Connection, migrations: Sequence[str]) -> int:
    """Applies the migrations not yet applied, each in its own transaction. Returns the version."""
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    current = int(row[0]) if row else 0
    for version, script in enumerate(migrations, start=1):
        if version <= current:
            continue
        # executescript commits any open transaction first; wrap the script so it is all-or-nothing.
        try:
            await conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;")
        except BaseException:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            raise
        current = version
    return current
