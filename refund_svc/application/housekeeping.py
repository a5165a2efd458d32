"""Periodic clean-ups: idempotency keys are kept for a while (at least 24 hours), then forgotten."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from kit.logs import get_logger
from refund_svc.application.background import pause
from refund_svc.application.ports import Clock, UnitOfWork

log = get_logger("refund_svc.housekeeping")

MIN_IDEMPOTENCY_TTL = timedelta(hours=24)


class ForgetOldIdempotencyKeys:
    """Deletes keys older than the TTL, in small transactions so that writers never wait long."""

    def __init__(
        self, *, unit_of_work: Callable[[], UnitOfWork], clock: Clock, ttl: timedelta, batch_size: int = 500
    ) -> None:
        if ttl < MIN_IDEMPOTENCY_TTL:
            raise ValueError("idempotency keys must be kept at least 24 hours")
        self._unit_of_work = unit_of_work
        self._clock = clock
        self._ttl = ttl
        self._batch_size = batch_size

    async def execute(self) -> int:
        cutoff = self._clock.now() - self._ttl
        forgotten = 0
        while True:
            async with self._unit_of_work() as uow:
                count = await uow.idempotency_keys.forget_older_than(cutoff, limit=self._batch_size)
                await uow.commit()
            forgotten += count
            if count < self._batch_size:
                return forgotten

    async def run(self, stop: asyncio.Event, *, every_s: float) -> None:
        while not stop.is_set():
            forgotten = await self.execute()
            if forgotten:
                log.info("idempotency keys forgotten", count=forgotten, ttl_h=self._ttl / timedelta(hours=1))
            await pause(stop, every_s)
