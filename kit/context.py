"""Per-request context carried in contextvars: the request id and the caller's identity."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

from kit.identity import Identity

REQUEST_ID_HEADER = "x-request-id"

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
identity_var: ContextVar[Identity | None] = ContextVar("identity", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_identity() -> Identity:
    identity = identity_var.get()
    if identity is None:  # the auth interceptor guarantees one on every business call
        raise RuntimeError("no caller identity in context")
    return identity
