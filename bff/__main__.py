"""`python -m bff`: serve the BFF with uvicorn (uvloop, httptools) on BFF_HOST:BFF_PORT."""

from __future__ import annotations

import gc

import uvicorn
from prometheus_client import start_http_server

from bff.config import Settings
from bff.main import create_app
from kit.logs import configure


def main() -> None:
    settings = Settings()  # type: ignore[call-arg]  # values come from the environment
    configure("bff", settings.log_level)
    app = create_app(settings)
    if settings.metrics_port is not None:
        # Prometheus scrapes this plain-HTTP port (a thread of prometheus-client's own).
        start_http_server(settings.metrics_port, addr="127.0.0.1")
    # With thousands of connections the default GC thresholds cause long pauses: move everything
    # alive after start-up out of the collector's way and collect the young generation less often.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        # Well above uvicorn's 5 s default: browsers polling every few seconds keep their connection.
        timeout_keep_alive=75,
        backlog=4096,
        access_log=False,  # one JSON event per request comes from the middleware instead
        server_header=False,
        log_config=None,
    )


if __name__ == "__main__":
    main()
