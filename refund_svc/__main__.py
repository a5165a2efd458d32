"""`python -m refund_svc`: serves refunds until SIGTERM or SIGINT."""

from __future__ import annotations

from kit.process import run_service
from refund_svc.config import Settings
from refund_svc.server import create_server


def main() -> None:
    settings = Settings()  # type: ignore[call-arg]  # required values come from the environment
    run_service(
        "refund_svc",
        lambda: create_server(settings),
        log_level=settings.log_level,
        otlp_endpoint=settings.otlp_endpoint,
        metrics_port=settings.metrics_port,
    )


if __name__ == "__main__":
    main()
