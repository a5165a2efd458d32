"""Shared plumbing for every process: identity tokens, gRPC server and errors, logging, SQLite.

Nothing here knows the domain of a service; the bounded contexts stay in their own packages.
"""
