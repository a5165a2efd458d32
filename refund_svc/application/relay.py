"""The outbox relay: tells support_svc about every refund event, at least once, in order per case.

Events are read in outbox order (commit order) and delivered one at a time; a row is marked
delivered only after support said so. The rows a round delivered are marked in one transaction when
the round ends (each commit of refund_svc waits for the disk: one per round, not one per event),
so a crash re-sends at most the events of the round in flight, which support applies once (by
event id). When support is down the relay backs off and tries again; nothing is skipped. An event
support refuses for good (its case does not exist) becomes a dead letter: kept, counted, not
retried forever.

Order per case: when one event of a case fails, the later events of that case wait for the next
round, while other cases go on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from kit.logs import get_logger
from refund_svc.application.background import backoff_s, pause
from refund_svc.application.ports import (
    Clock,
    EventDeliveryError,
    EventRejectedError,
    OutboxEntry,
    OutboxStats,
    RefundReader,
    SupportPort,
    SupportUnavailableError,
    UnitOfWork,
)

log = get_logger("refund_svc.relay")


@dataclass(frozen=True, slots=True)
class RelayRound:
    delivered: int = 0
    dead: int = 0
    failed: int = 0  # events that wait for the next round
    support_down: bool = False
    error: str = ""

    @property
    def trouble(self) -> bool:
        return self.support_down or self.failed > 0


class OutboxRelay:
    def __init__(
        self,
        *,
        reader: RefundReader,
        unit_of_work: Callable[[], UnitOfWork],
        support: SupportPort,
        clock: Clock,
        batch_size: int = 100,
        backoff_base_s: float = 0.2,
        backoff_max_s: float = 10.0,
        poll_s: float = 1.0,
        wake: asyncio.Event | None = None,
    ) -> None:
        self._reader = reader
        self._unit_of_work = unit_of_work
        self._support = support
        self._clock = clock
        self._batch_size = batch_size
        self._backoff_base_s = backoff_base_s
        self._backoff_max_s = backoff_max_s
        self._poll_s = poll_s
        self._wake = wake

    async def stats(self) -> OutboxStats:
        """The backlog (waiting events) and the dead letters, for metrics and health pages."""
        return await self._reader.outbox_stats()

    async def relay_once(self, stop: asyncio.Event | None = None) -> RelayRound:
        """Delivers one batch; stops early (between events) when `stop` is set."""
        delivered: list[OutboxEntry] = []
        try:
            return await self._deliver(delivered, stop)
        finally:
            if delivered:
                await self._mark_delivered(delivered)

    async def _deliver(self, delivered: list[OutboxEntry], stop: asyncio.Event | None) -> RelayRound:
        dead = failed = 0
        held_back: set[str] = set()  # cases with an event that failed in this round
        for entry in await self._reader.pending_events(limit=self._batch_size):
            if stop is not None and stop.is_set():
                break
            if entry.event.case_name in held_back:
                failed += 1
                continue
            try:
                await self._support.record_refund_event(entry.event)
            except SupportUnavailableError as error:
                return RelayRound(len(delivered), dead, failed + 1, support_down=True, error=str(error))
            except EventRejectedError as error:
                await self._mark_dead(entry, str(error))
                dead += 1
            except EventDeliveryError as error:
                log.warning(
                    "refund event not delivered; retrying later",
                    event_id=entry.event.event_id,
                    error=str(error),
                )
                held_back.add(entry.event.case_name)
                failed += 1
            else:
                delivered.append(entry)
        return RelayRound(len(delivered), dead, failed)

    async def _mark_delivered(self, entries: list[OutboxEntry]) -> None:
        async with self._unit_of_work() as uow:
            now = self._clock.now()
            for entry in entries:
                await uow.outbox.mark_delivered(entry.position, now)
            await uow.commit()

    async def _mark_dead(self, entry: OutboxEntry, reason: str) -> None:
        log.error(
            "refund event refused by support; kept as a dead letter",
            event_id=entry.event.event_id,
            case=entry.event.case_name,
            reason=reason,
        )
        async with self._unit_of_work() as uow:
            await uow.outbox.mark_dead(entry.position, self._clock.now(), reason)
            await uow.commit()

    async def run(self, stop: asyncio.Event) -> None:
        failures = 0
        while not stop.is_set():
            if self._wake is not None:
                self._wake.clear()  # before looking: a commit from now on wakes the next pause
            result = await self.relay_once(stop)
            if result.trouble:
                if failures == 0 and result.support_down:  # once per outage, not once per retry
                    log.warning("support unavailable; refund events wait", error=result.error)
                await pause(stop, backoff_s(failures, base_s=self._backoff_base_s, max_s=self._backoff_max_s))
                failures += 1
                continue
            if failures:
                log.info("refund events flow again", after_failed_rounds=failures)
            failures = 0
            if result.delivered + result.dead == 0:
                await pause(stop, self._poll_s, self._wake)
