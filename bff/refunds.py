"""What one person sees of a refund: names for ids, product titles from the (cached) order, the case's
number, what they may do with it now, and nothing that is for staff only.

The `can*` flags mirror refund_svc's rules so that the UI offers only what will work; refund_svc still
decides every action itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from bff import schemas
from bff.accounts import Account, UserDirectory
from bff.orders import OrderReader, ShopOrder, order_if_reachable
from bff.records import SYSTEM, RefundRecord
from kit.identity import Identity, Role

DECIDERS = frozenset({Role.AGENT, Role.LEAD})


class CaseNumbers(Protocol):
    """What is needed of support_svc (bff.clients.support.SupportClient)."""

    async def case_numbers(self, who: Identity, case_ids: Iterable[str]) -> dict[str, str]: ...


@dataclass(frozen=True, slots=True)
class Actions:
    cancel: bool
    approve: bool
    reject: bool
    retry: bool


def allowed_actions(viewer: Account, refund: RefundRecord) -> Actions:
    """The customer who gets the money may cancel while it waits; agents and leads decide it, but
    nobody approves what they asked for themselves, and only a lead what needs a lead; agents and
    leads pay a failed refund out again."""
    waiting = refund.status == "pending_approval"
    decides = viewer.role in DECIDERS
    return Actions(
        cancel=waiting and viewer.role == Role.CUSTOMER and viewer.id == refund.customer_id,
        approve=waiting
        and decides
        and viewer.id != refund.requested_by
        and (refund.required_approval != "lead" or viewer.role == Role.LEAD),
        reject=waiting and decides,
        retry=refund.status == "failed" and decides,
    )


class RefundViews:
    def __init__(self, *, directory: UserDirectory, support: CaseNumbers, orders: OrderReader) -> None:
        self._directory = directory
        self._support = support
        self._orders = orders

    async def render(
        self,
        viewer: Account,
        refunds: Sequence[RefundRecord],
        *,
        case: schemas.Case | None = None,
        order: ShopOrder | None = None,
    ) -> list[schemas.Refund]:
        """`case` and `order`: what the caller has already read (the case page has both), so that
        they are not asked for again. Other cases' numbers take one BatchGetCases for all of them (none
        for those this process knows already), other orders one (cached) lookup per distinct order, all
        at the same time; when nothing is missing (a case page), nothing is awaited at all."""
        numbers = {case.id: case.number} if case is not None else {}
        orders = {order.order.id: order} if order is not None else {}
        missing_numbers = {r.case_id for r in refunds} - numbers.keys()
        missing_orders = {r.order_id for r in refunds} - orders.keys()
        if missing_numbers or missing_orders:
            found_numbers, found_orders = await asyncio.gather(
                self._case_numbers(viewer, missing_numbers), self._orders_of(viewer, missing_orders)
            )
            numbers |= found_numbers
            orders |= found_orders
        return [
            self.view(viewer, r, case_number=numbers.get(r.case_id), order=orders.get(r.order_id))
            for r in refunds
        ]

    async def one(
        self, viewer: Account, refund: RefundRecord, *, case: schemas.Case | None = None
    ) -> schemas.Refund:
        return (await self.render(viewer, [refund], case=case))[0]

    async def _case_numbers(self, viewer: Account, case_ids: set[str]) -> dict[str, str]:
        if not case_ids:
            return {}
        return await self._support.case_numbers(viewer.identity, case_ids)

    async def _orders_of(self, viewer: Account, order_ids: set[str]) -> dict[str, ShopOrder]:
        # The shop being away must not hide refunds: no titles then.
        found = await asyncio.gather(
            *(order_if_reachable(self._orders, viewer.identity, i) for i in sorted(order_ids))
        )
        return {o.order.id: o for o in found if o is not None}

    def view(
        self, viewer: Account, refund: RefundRecord, *, case_number: str | None, order: ShopOrder | None
    ) -> schemas.Refund:
        titles: Mapping[str, str] = {}
        if order is not None and order.customer_id == refund.customer_id:
            titles = {line.id: line.product_title for line in order.order.lines}
        actions = allowed_actions(viewer, refund)
        decision = refund.decision
        return schemas.Refund(
            id=refund.id,
            number=refund.number,
            case_id=refund.case_id,
            case_number=case_number,
            order_id=refund.order_id,
            status=refund.status,
            lines=[
                schemas.RefundLine(
                    line_id=line.line_id,
                    product_title=titles.get(line.line_id),
                    quantity=line.quantity,
                    amount=line.amount,
                )
                for line in refund.lines
            ],
            total=refund.total,
            reason=refund.reason,
            method=refund.method,
            requested_by=self._person(refund.requested_by, refund),
            created_at=refund.created_at,
            updated_at=refund.updated_at,
            etag=refund.etag,
            required_approval=refund.required_approval,
            outside_refund_window=refund.outside_refund_window,
            note=refund.note or None,
            decision=None
            if decision is None
            else schemas.RefundDecision(
                outcome=decision.outcome,
                by=None if decision.decided_by == SYSTEM else self._person(decision.decided_by, refund),
                policy=decision.policy,
                comment=decision.comment or None,
                decided_at=decision.decided_at,
            ),
            # Why a payout failed (a card expired...) is for the support team, never for customers.
            failure_reason=(refund.failure_reason or None) if viewer.role.is_staff else None,
            can_cancel=actions.cancel,
            can_approve=actions.approve,
            can_reject=actions.reject,
            can_retry=actions.retry,
        )

    def _person(self, person_id: str, refund: RefundRecord) -> schemas.Actor:
        account = self._directory.by_id(person_id)
        if account is not None:
            role: schemas.ActorRole = account.role.value  # type: ignore[assignment]
            return schemas.Actor(id=person_id, name=account.name, role=role)
        if person_id == refund.customer_id:
            return schemas.Actor(id=person_id, name="Customer", role="customer")
        return schemas.Actor(id=person_id, name="Support team", role="agent")
