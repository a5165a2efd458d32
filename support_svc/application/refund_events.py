"""Refund events from refund_svc: each applied to its case exactly once.

Delivery is at least once (refund_svc's outbox relay retries until told "done"), so the event id
goes into an inbox in the same BEGIN IMMEDIATE transaction as the case's change: a repeat, even a
concurrent one, finds it there and changes nothing. Events of one refund may also come out of
order; which one decides whether the refund is open is the domain's rule (domain/refunds.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from support_svc.application.ports import Clock, UnitOfWork
from support_svc.domain.errors import CaseNotFoundError, PermissionDeniedError
from support_svc.domain.refunds import RefundEvent
from support_svc.domain.values import Actor, Role


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
        self.authorize(command.actor)
        event = command.event
        async with self._uow() as uow:
            if await uow.refunds.seen(event.event_id):
                return False
            case = await uow.cases.get(command.case_id)
            if case is None:
                raise CaseNotFoundError(command.case_id)
            tracks = await uow.refunds.tracks(case.id)
            outcome = case.record_refund_event(
                event, tracks, self._clock.now(), auto_resolve=self._auto_resolve
            )
            await uow.refunds.record(case.id, event, outcome.track)
            await uow.cases.save(case)
            await uow.commit()
        return True
