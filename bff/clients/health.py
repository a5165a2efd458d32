"""Readiness: whether each service answers gRPC health checks as SERVING, and whether the store answers."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from bff.store import KeyValueStore, StoreUnavailableError
from kit.logs import get_logger

log = get_logger("bff.readiness")

STORE = "redis"


class Readiness:
    """`services`: name -> (channel, the gRPC service whose health is asked)."""

    def __init__(
        self, services: Mapping[str, tuple[grpc.aio.Channel, str]], store: KeyValueStore, *, timeout_s: float
    ) -> None:
        self._services = {
            name: (health_pb2_grpc.HealthStub(channel), service)
            for name, (channel, service) in services.items()
        }
        self._store = store
        self._timeout_s = timeout_s

    async def check(self) -> dict[str, bool]:
        """Every dependency at the same time; each true when it is ready."""
        names = [*self._services, STORE]
        results = await asyncio.gather(*(self._service(n) for n in self._services), self._store_ready())
        return dict(zip(names, results, strict=True))

    async def _service(self, name: str) -> bool:
        stub, service = self._services[name]
        try:
            response = await stub.Check(
                health_pb2.HealthCheckRequest(service=service), timeout=self._timeout_s
            )
        except grpc.aio.AioRpcError as exc:
            log.warning("not ready", dependency=name, code=exc.code().name)
            return False
        serving: bool = response.status == health_pb2.HealthCheckResponse.SERVING
        if not serving:
            log.warning("not ready", dependency=name, status=response.status)
        return serving

    async def _store_ready(self) -> bool:
        try:
            async with asyncio.timeout(self._timeout_s):
                await self._store.ping()
        except (TimeoutError, StoreUnavailableError) as exc:
            log.warning("not ready", dependency=STORE, error=type(exc).__name__)
            return False
        return True
