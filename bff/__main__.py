"""`python -m bff`: serve the BFF with uvicorn (uvloop, httptools) on BFF_HOST:BFF_PORT."""

from __future__ import annotations

import gc
import signal
from types import FrameType
from typing import Any

import uvicorn
from prometheus_client import start_http_server

from bff.config import Settings
from bff.main import create_app
from bff.one_write import OneWriteHttpToolsProtocol
from kit import tracing
from kit.logs import configure

# On SIGTERM uvicorn waits for responses in flight; live-update streams would hold it for up to
# BFF_EVENTS_MAX_S. After this long they are cut, and the browsers reconnect (to another process).
SHUTDOWN_GRACE_S = 5


def _leave(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options (everything but the app)."""
    return {
        "host": settings.host,
        "port": settings.port,
        "loop": "uvloop",
        "http": OneWriteHttpToolsProtocol,  # httptools, each response in one write (bff.one_write)
        # Well above uvicorn's 5 s default: browsers polling every few seconds keep their connection.
        "timeout_keep_alive": 75,
        "backlog": 4096,
        "access_log": False,  # one JSON event per request comes from the middleware instead
        "server_header": False,
        # X-Forwarded-Proto/-For are believed only from these proxies: the scheme decides HSTS,
        # the client address the sign-in limit per address.
        "proxy_headers": True,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        "log_config": None,
        "timeout_graceful_shutdown": SHUTDOWN_GRACE_S,
    }


def main() -> None:
    settings = Settings()  # type: ignore[call-arg]  # values come from the environment
    configure("bff", settings.log_level, batched=True)  # one write per batch of per-request lines
    # A SERVER span per request and trace context on every gRPC call, only with a collector to send to.
    tracing.configure("bff", settings.otlp_endpoint)
    app = create_app(settings)
    if settings.metrics_port is not None:
        # Prometheus scrapes this plain-HTTP port (a thread of prometheus-client's own).
        start_http_server(settings.metrics_port, addr="127.0.0.1")
    # With thousands of connections the default GC thresholds cause long pauses: move everything
    # alive after start-up out of the collector's way and collect the young generation less often.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    # uvicorn stops gracefully on SIGTERM, then raises the signal again for the handler it found: this
    # one leaves through `finally`, so that the last spans are sent.
    signal.signal(signal.SIGTERM, _leave)
    try:
        uvicorn.run(app, **server_options(settings))
    finally:
        tracing.shutdown()  # sends the spans still batched (log lines still batched go at exit)


if __name__ == "__main__":
    main()
