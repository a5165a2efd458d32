"""`python -m shop_stub`: serves the stand-in shop until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio

from kit.grpc_server import run_until_signalled
from kit.logs import configure
from shop_stub.config import Settings
from shop_stub.server import create_server


async def main() -> None:
    settings = Settings()
    configure("shop_stub", settings.log_level)
    server, startup, shutdown = create_server(settings)
    await run_until_signalled(server, startup, shutdown)


if __name__ == "__main__":
    asyncio.run(main())
