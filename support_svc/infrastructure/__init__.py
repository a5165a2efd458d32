"""Adapters of the support-case context: SQLite (aiosqlite), the shop over gRPC, the system clock."""
