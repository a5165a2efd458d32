"""`python -m shop_stub`: serves the stand-in shop until SIGTERM or SIGINT."""

from __future__ import annotations

from kit.process import run_service
from shop_stub.config import Settings
from shop_stub.server import create_server


def main() -> None:
    settings = Settings()
    run_service(
        "shop_stub",
        lambda: create_server(settings),
        log_level=settings.log_level,
        otlp_endpoint=settings.otlp_endpoint,
        metrics_port=settings.metrics_port,
    )


if __name__ == "__main__":
    main()
