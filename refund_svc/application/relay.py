"""The outbox relay: tells support_svc about every refund event, at least once, in order per case.

A round reads up to `batch_size` pending events in outbox order (commit order) and sends them in
one BatchRecordRefundEvents call (chunks of EVENTS_PER_BATCH_MAX, one after the other), which
support applies in that order in one transaction, all or nothing. A row is marked delivered only
after support said so. The rows a round delivered are marked in one transaction when the round
ends (each commit of refund_svc waits for the disk: one per round, not one per event), so a crash
re-sends at most the events of the round in flight, which support applies once (by event id).
When support is down the relay backs off and tries again; nothing is skipped.

When a batch is refused (an event of it is NOT_FOUND or INVALID_ARGUMENT, all or nothing: none was
applied) or fails otherwise, the round sends the rest of its events one at a time, as before
batches: an event support refuses for good (its case does not exist) becomes a dead letter (kept,
counted, not retried forever) and the others go through. A support_svc that does not know batches
(UNIMPLEMENTED, an older version during a rolling deploy) gets one event at a time for the next
`batch_retry_s` (5 minutes), then batches are tried again.

Order per case: a batch keeps the outbox order; one at a time, when one event of a case fails, the
later events of that case wait for the next round, while other cases go on.

Woken by a commit, the relay first waits `gather_s` (REFUND_RELAY_GATHER_MS), so that the events
of a refund that commit within a moment of each other (requested, approved, processing, ...) travel
in one call and one support transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from kit.logs import get_logger
from refund_svc.application.background import backoff_s, pause
from refund_svc.application.ports import (
    EVENTS_PER_BATCH_MAX,
    BatchesUnsupportedError,
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
        gather_s: float = 0.0,  # the process: REFUND_RELAY_GATHER_MS
        batch_retry_s: float = 300.0,
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
        self._gather_s = gather_s
        self._batch_retry_s = batch_retry_s
        self._no_batches_until: datetime | None = None  # support said it does not take batches
        self._wake = wake

    async def stats(self) -> OutboxStats:
        """The backlog (waiting events) and the dead letters, for metrics and health pages."""
        return await self._reader.outbox_stats()

    async def relay_once(self, stop: asyncio.Event | None = None) -> RelayRound:
        """Delivers one round; stops early (between calls) when `stop` is set."""
        delivered: list[OutboxEntry] = []
        try:
            return await self._deliver(delivered, stop)
        finally:
            if delivered:
                await self._mark_delivered(delivered)

    async def _deliver(self, delivered: list[OutboxEntry], stop: asyncio.Event | None) -> RelayRound:
        entries = await self._reader.pending_events(limit=self._batch_size)
        sent = 0  # entries[:sent] went in batches
        while self._batches_taken() and sent < len(entries) and not _stopping(stop):
            chunk = entries[sent : sent + EVENTS_PER_BATCH_MAX]
            try:
                await self._support.record_refund_events([entry.event for entry in chunk])
            except SupportUnavailableError as error:
                waiting = len(entries) - sent
                return RelayRound(len(delivered), failed=waiting, support_down=True, error=str(error))
            except BatchesUnsupportedError as error:
                self._no_batches_until = self._clock.now() + timedelta(seconds=self._batch_retry_s)
                log.warning(
                    "support takes no batches of refund events; sending them one at a time for a while",
                    error=str(error),
                    retry_batches_after_s=self._batch_retry_s,
                )
                break
            except (EventRejectedError, EventDeliveryError) as error:
                # None of the batch was applied: this round sends the rest one at a time, so that
                # the event at fault is found (a dead letter, or held back) and the others go through.
                log.info("a batch of refund events failed; sending them one at a time", error=str(error))
                break
            delivered.extend(chunk)
            sent += len(chunk)
        return await self._deliver_one_at_a_time(entries[sent:], delivered, stop)

    def _batches_taken(self) -> bool:
        if self._no_batches_until is None:
            return True
        if self._clock.now() < self._no_batches_until:
            return False
        self._no_batches_until = None
        return True

    async def _deliver_one_at_a_time(
        self, entries: Sequence[OutboxEntry], delivered: list[OutboxEntry], stop: asyncio.Event | None
    ) -> RelayRound:
        dead = failed = 0
        held_back: set[str] = set()  # cases with an event that failed in this round
        for entry in entries:
            if _stopping(stop):
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
                if self._wake is not None and self._wake.is_set() and self._gather_s > 0:
                    # Woken by a commit: let the events committed a moment later come along.
                    await pause(stop, self._gather_s)


def _stopping(stop: asyncio.Event | None) -> bool:
    return stop is not None and stop.is_set()
