"""Use cases of the support-case context and the ports they need (no grpc, aiosqlite, or generated code)."""
