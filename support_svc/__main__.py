"""`python -m support_svc`: serve acme.support.v1.CaseService until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import gc

from kit.grpc_server import run_until_signalled
from kit.logs import configure
from support_svc.config import Settings
from support_svc.server import create_server


async def serve(settings: Settings) -> None:
    server, startup, shutdown = create_server(settings)

    async def started() -> None:
        await startup()
        # Everything alive now lives for the whole process: keep it out of the collector's way
        # (full collections over thousands of connections otherwise stall requests).
        gc.collect()
        gc.freeze()

    await run_until_signalled(server, started, shutdown)


def main() -> None:
    settings = Settings()  # type: ignore[call-arg]  # ACME_IDENTITY_SECRET comes from the environment
    configure("support_svc", settings.log_level)
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
