"""Refund events from refund_svc: each applied to its case exactly once.

Delivery is at least once (refund_svc's outbox relay retries until told "done"), so the event id
goes into an inbox in the same BEGIN IMMEDIATE transaction as the case's change: a repeat, even a
concurrent one, finds it there and changes nothing. Events of one refund may also come out of
order; which one decides whether the refund is open is the domain's rule (domain/refunds.py).

A batch (`record_many`) applies its events in the order given, each as `record` would, in one
transaction: all or nothing. A case that several events of the batch change is loaded once, takes
them one after the other and is saved once (one version bump, one notice to its watchers).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from support_svc.application.ports import Clock, UnitOfWork
from support_svc.domain.case import SupportCase
from support_svc.domain.errors import CaseNotFoundError, PermissionDeniedError
from support_svc.domain.refunds import RefundEvent
from support_svc.domain.values import Actor, Role

# BatchRecordRefundEvents takes at most this many events (AIP-233's bound, and one transaction's).
REFUND_EVENTS_PER_BATCH_MAX = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordRefundEvent:
    actor: Actor
    case_id: int
    event: RefundEvent


class RefundEventRecorder:
    def __init__(
        self, *, unit_of_work: Callable[[], UnitOfWork], clock: Clock, auto_resolve: bool = True
    ) -> None:
        self._uow = unit_of_work
        self._clock = clock
        self._auto_resolve = auto_resolve

    @staticmethod
    def authorize(actor: Actor) -> None:
        """Only the system (refund_svc's relay) tells the cases about refunds."""
        if actor.role is not Role.SYSTEM:
            raise PermissionDeniedError("Only the system may record refund events", reason="SYSTEM_ONLY")

    async def record(self, command: RecordRefundEvent) -> bool:
        """Applies the event; False when its id was applied before (and nothing changed)."""
        return (await self.record_many(command.actor, [command]))[0]

    async def record_many(self, actor: Actor, commands: Sequence[RecordRefundEvent]) -> list[bool]:
        """Applies the events in order in one transaction; per event, False when its id was applied
        before (by an earlier call or earlier in this batch). Any error changes nothing at all."""
        self.authorize(actor)
        for command in commands:
            self.authorize(command.actor)
        applied: list[bool] = []
        async with self._uow() as uow:
            changed: dict[int, SupportCase] = {}  # in the order first changed
            for command in commands:
                event = command.event
                if await uow.refunds.seen(event.event_id):  # the inbox sees this batch's records too
                    applied.append(False)
                    continue
                case = changed.get(command.case_id)
                if case is None:
                    case = await uow.cases.get(command.case_id)
                if case is None:
                    raise CaseNotFoundError(command.case_id)
                # The tracks as stored so far in this transaction, earlier events of the batch included.
                tracks = await uow.refunds.tracks(case.id)
                outcome = case.record_refund_event(
                    event, tracks, self._clock.now(), auto_resolve=self._auto_resolve
                )
                await uow.refunds.record(case.id, event, outcome.track)
                changed[case.id] = case
                applied.append(True)
            if changed:  # else every event was a repeat: nothing to commit
                for case in changed.values():
                    await uow.cases.save(case)
                await uow.commit()
        return applied
