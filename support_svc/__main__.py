"""`python -m support_svc`: serve acme.support.v1.CaseService until SIGTERM/SIGINT."""

from __future__ import annotations

from kit.process import run_service
from support_svc.config import Settings
from support_svc.server import create_server


def main() -> None:
    settings = Settings()  # type: ignore[call-arg]  # ACME_IDENTITY_SECRET comes from the environment
    run_service(
        "support_svc",
        lambda: create_server(settings),
        log_level=settings.log_level,
        otlp_endpoint=settings.otlp_endpoint,
    )


if __name__ == "__main__":
    main()
