"""OpenAPI error declarations shared by the routers."""

from __future__ import annotations

from typing import Any

from bff.schemas import Problem

_DESCRIPTIONS = {
    400: "Invalid input; `errors` names the fields",
    401: "Not signed in",
    403: "Not allowed for this role, or refused by the CSRF guard",
    404: "Not found (also for things that belong to someone else)",
    409: "Changed by someone else meanwhile (stale etag), or a conflicting duplicate",
    412: "Not allowed in the current state",
    413: "Request body too large",
    415: "Not sent as JSON",
    429: "Too many attempts; see Retry-After",
    500: "Unexpected error",
    503: "A service or the session store is unavailable",
    504: "A service took too long",
}

READ_ERRORS = (401, 500, 503, 504)
WRITE_ERRORS = (400, 401, 403, 413, 415, 500, 503, 504)


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Error responses for an operation (the app rewrites their media type to problem+json)."""
    return {code: {"model": Problem, "description": _DESCRIPTIONS[code]} for code in sorted(set(codes))}
