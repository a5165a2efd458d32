"""AIP-158 pagination: page size rules and opaque keyset page tokens."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import Any

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100


class InvalidPageError(ValueError):
    """A page size or token that cannot be used; `field` names the request field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def page_size(requested: int, default: int = DEFAULT_PAGE_SIZE, maximum: int = MAX_PAGE_SIZE) -> int:
    """0 means the default, above the maximum is coerced down, negative is an error."""
    if requested < 0:
        raise InvalidPageError("page_size", "page_size must not be negative")
    if requested == 0:
        return default
    return min(requested, maximum)


def _fingerprint(query: Mapping[str, Any]) -> str:
    canonical = json.dumps(query, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def encode_token(position: Mapping[str, Any], query: Mapping[str, Any]) -> str:
    """A token holding where the next page starts, bound to the query that made it."""
    body = json.dumps({"p": position, "q": _fingerprint(query)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")


def decode_token(token: str, query: Mapping[str, Any]) -> dict[str, Any] | None:
    """The position a token holds; None for the first page. Refuses tokens of another query."""
    if not token:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        body = json.loads(base64.urlsafe_b64decode(padded.encode()))
        position = body["p"]
        fingerprint = body["q"]
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidPageError("page_token", "page_token is not a token this service issued") from exc
    if fingerprint != _fingerprint(query) or not isinstance(position, dict):
        raise InvalidPageError(
            "page_token", "page_token belongs to a different query; start again without it"
        )
    return position
