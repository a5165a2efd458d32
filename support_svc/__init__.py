"""support_svc: the support-case bounded context (gRPC service over its own SQLite database)."""
