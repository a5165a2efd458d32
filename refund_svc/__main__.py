"""`python -m refund_svc`: serves refunds until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio

from kit.grpc_server import run_until_signalled
from kit.logs import configure
from refund_svc.config import Settings
from refund_svc.server import create_server


async def main() -> None:
    settings = Settings()  # type: ignore[call-arg]  # required values come from the environment
    configure("refund_svc", settings.log_level)
    server, startup, shutdown = create_server(settings)
    await run_until_signalled(server, startup, shutdown)


if __name__ == "__main__":
    asyncio.run(main())
