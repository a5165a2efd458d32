"""Adapters: SQLite persistence (aiosqlite), the shop over gRPC, the clock and ids."""
