"""The front door, as one pure ASGI middleware (BaseHTTPMiddleware costs a task and a copy per request):
request id, security headers on every response, CSRF and content-type rules for state-changing
requests, a body size limit, shedding API requests past a bound on those in flight, the catch-all for
unexpected errors, one log event and metrics per request, and a SERVER span per request when tracing
is on (continuing the browser's traceparent)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from opentelemetry import trace
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bff.admission import AdmissionLimit
from bff.metrics import observe
from bff.problems import ProblemError, internal_error, problem_response
from bff.sessions import COOKIE_NAME
from kit import tracing
from kit.context import new_request_id, request_id_var
from kit.logs import get_logger

log = get_logger("bff.http")

TRACE_HEADERS = ("traceparent", "tracestate")
CSRF_HEADER = "x-requested-by"
CSRF_VALUE = "acme-ui"
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")

# No inline style or script, with one exception: the sha256 source in style-src allows exactly one
# <style> text. React Aria (react-aria 3.53, overlays/usePreventScroll.js, preventScrollMobileWebKit)
# prepends `<style>@layer { * { overscroll-behavior: contain; } }</style>` (that exact text, with
# its newlines and indentation) to <head> while a dialog, popover or menu is open on iOS/WebKit;
# blocked, the page behind it scrolls. frontend/src/csp.test.ts hashes the text in the installed
# react-aria and fails when the hash here differs (after a react-aria upgrade: put in the new one).
# React Aria's other injected <style> (usePress, for pressable elements) is never made: index.html
# has an element with its id (react-aria-pressable-style). A nonce (React Aria's getNonce() reads
# <meta name="csp-nonce">) is no option: index.html is a static file, served as built, so it
# cannot carry a fresh nonce per response.
CSP = (
    "default-src 'self'; script-src 'self'; "
    "style-src 'self' 'sha256-gYiS/BvZvRcK27JIXTuwhZ3hs2+VJ1X+2gUlE+farlg='; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'; object-src 'none'"
)
_COMMON_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
_HSTS = (b"strict-transport-security", b"max-age=63072000; includeSubDomains")


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else "null"


BUSY = ProblemError(
    status=503,
    reason="SERVER_BUSY",
    detail="We are very busy right now. Please try again in a moment.",
    headers={"Retry-After": "1"},
)


def _is_stream(path: str) -> bool:
    # Live case updates last minutes by design: they are not work in flight.
    return path.endswith("/events")


class FrontDoorMiddleware:
    """`admission`: API requests being worked on at once (bff.admission: at most `max_in_flight`,
    fewer while answers are slower than `latency_target_s`). Past it a request is answered 503 at
    once (it costs ~nothing) instead of queueing: under overload every queued request would wait
    longer than anyone waits, so most would time out and the answered ones would fall below capacity
    (bench/README.md saw it). Streams, health, metrics and static files are not counted.

    `on_change`: told the session cookie of every state-changing API request as its answer starts
    (bff.shared_pages, bff.case_pages: nobody is shown a kept page older than their own last change)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        allowed_origins: Iterable[str],
        max_body_bytes: int,
        max_in_flight: int = 256,
        latency_target_s: float = 0.0,
        on_change: Callable[[str], None] | None = None,
    ) -> None:
        self.app = app
        self.allowed_origins = frozenset(allowed_origins)
        self.max_body_bytes = max_body_bytes
        self.admission = AdmissionLimit(ceiling=max_in_flight, target_s=latency_target_s)
        self.on_change = on_change

    def _refusal(self, scope: Scope, headers: Headers) -> ProblemError | None:
        if scope["method"] not in STATE_CHANGING:
            return None
        if headers.get(CSRF_HEADER) != CSRF_VALUE:
            return ProblemError(
                status=403,
                reason="CSRF_HEADER_MISSING",
                detail="This request was refused for your security. Reload the page and try again.",
            )
        # Browsers send Origin on every non-GET fetch, same-origin ones too; Referer is the fallback
        # (this app's pages send none: Referrer-Policy no-referrer). A request with neither is only
        # taken when the browser itself says it is same-origin (Sec-Fetch-Site, which pages cannot set).
        origin = headers.get("origin")
        if origin is None and headers.get("referer"):
            origin = _origin_of(headers["referer"])
        if origin is None and headers.get("sec-fetch-site") != "same-origin":
            return ProblemError(
                status=403,
                reason="ORIGIN_MISSING",
                detail="This request was refused for your security: it carries no Origin header. "
                "Open the site directly and try again.",
            )
        if origin is not None and origin.rstrip("/") not in self.allowed_origins:
            return ProblemError(
                status=403,
                reason="ORIGIN_NOT_ALLOWED",
                detail="This request was refused for your security. Open the site directly and try again.",
            )
        if headers.get("sec-fetch-site") == "cross-site":
            return ProblemError(
                status=403,
                reason="CROSS_SITE_REQUEST",
                detail="This request was refused for your security. Open the site directly and try again.",
            )
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            return ProblemError(
                status=413, reason="TOO_LARGE", detail="That is too much text to send at once."
            )
        has_body = (length is not None and length != "0") or "transfer-encoding" in headers
        # JSON only: an HTML form cannot send it cross-site without a CORS preflight.
        if (scope["method"] != "DELETE" or has_body) and not _is_json(headers.get("content-type", "")):
            return ProblemError(
                status=415, reason="UNSUPPORTED_MEDIA_TYPE", detail="This request must be sent as JSON."
            )
        return None

    def _changer(self, scope: Scope, headers: Headers) -> Callable[[], None] | None:
        """For a state-changing request from a browser with a session: what tells `on_change` that
        this browser changed something, once the request has ended (failed ones too: a call that
        timed out may still have made its change)."""
        if self.on_change is None or scope["method"] not in STATE_CHANGING:
            return None
        session = cookie_parser(headers.get("cookie", "")).get(COOKIE_NAME)
        if not session:
            return None
        on_change = self.on_change
        return lambda: on_change(session)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        incoming = headers.get("x-request-id", "")
        request_id = incoming if _SANE_REQUEST_ID.match(incoming) else new_request_id()
        token = request_id_var.set(request_id)
        method: str = scope["method"]
        carrier = [(name, value) for name in TRACE_HEADERS if (value := headers.get(name))]
        try:
            with tracing.server_span(method, carrier, **{"http.request.method": method}):
                await self._handle(scope, receive, send, headers, request_id)
        finally:
            request_id_var.reset(token)

    async def _handle(
        self, scope: Scope, receive: Receive, send: Send, headers: Headers, request_id: str
    ) -> None:
        started = time.perf_counter()
        path: str = scope["path"]
        is_api = path == "/api" or path.startswith("/api/")
        extra = [*_COMMON_HEADERS, (b"x-request-id", request_id.encode())]
        if scope.get("scheme") == "https":
            extra.append(_HSTS)
        state = {"status": 0}
        # Told before the answer leaves, so that the browser's next request already finds it told.
        changed_by = self._changer(scope, headers) if is_api else None

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                if changed_by is not None:
                    changed_by()
                raw = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if not (is_api and k.lower() == b"cache-control")
                ]
                raw.extend(extra)
                if is_api:
                    raw.append((b"cache-control", b"no-store"))
                message = {**message, "headers": raw}
            await send(message)

        counted = is_api and not _is_stream(path)
        try:
            refusal = self._refusal(scope, headers)
            if refusal is None and counted and not self.admission.try_enter():
                refusal = BUSY
            if refusal is not None:
                counted = False
                await problem_response(refusal)(scope, receive, send_with_headers)
            else:
                await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("unhandled error", method=scope["method"], path=_template(scope))
            if state["status"] == 0:
                await problem_response(internal_error())(scope, receive, send_with_headers)
            else:  # the response already started: nothing sane to send, let the server drop it
                raise
        finally:
            duration_s = time.perf_counter() - started
            if counted:
                self.admission.leave(duration_s)
            route = _template(scope)
            status = state["status"] or 500
            observe(scope["method"], route, status, duration_s)
            log.info(
                "request",
                method=scope["method"],
                path=route,
                status=status,
                duration_ms=round(duration_s * 1000, 2),
            )
            if tracing.enabled():
                span = trace.get_current_span()
                span.update_name(f"{scope['method']} {route}")
                span.set_attributes(
                    {"http.route": route, "http.response.status_code": status, "acme.request_id": request_id}
                )
                if status >= 500:
                    span.set_status(trace.StatusCode.ERROR)


def _template(scope: Scope) -> str:
    """The route's path template, never the raw path (ids, and search text in query strings, stay out
    of logs)."""
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    if isinstance(template, str) and template != "/{full_path:path}" and template != "/{full_path}":
        return template
    # Unmatched paths share one label: raw paths would make metrics labels unbounded.
    return "/api/*" if scope["path"].startswith("/api/") else "static"


__all__ = ["CSRF_HEADER", "CSRF_VALUE", "FrontDoorMiddleware"]
