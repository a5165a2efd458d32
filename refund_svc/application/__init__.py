"""Use cases of the refund context and the ports they need (no gRPC, SQL or HTTP in here)."""
