"""The refund use cases: create, get, list, quote and the leads' statistics (decisions are in
transitions.py).

Ownership is enforced here for every read and write: a customer reaches only its own orders and
refunds, and anything else is NOT_FOUND (we do not reveal that it exists). Amounts always come
from the shop through ShopPort, and the case a refund belongs to from support_svc through
CasePort, never from the caller.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kit.pagination import decode_token, encode_token
from refund_svc.application.commands import (
    CreateRefundCommand,
    ListRefundsQuery,
    RefundPage,
    RefundQuote,
    RefundStatistics,
    StatisticsPeriod,
)
from refund_svc.application.ports import (
    CasePort,
    Clock,
    IdempotencyRecord,
    IdGenerator,
    RefundFilter,
    RefundReader,
    ShopPort,
    UnitOfWork,
)
from refund_svc.application.transitions import ApproveRefund, CancelRefund, RejectRefund, RetryRefund
from refund_svc.domain.actor import Actor, ActorRole
from refund_svc.domain.errors import (
    LEAD_ONLY,
    CaseIsAboutAnotherOrderError,
    CaseNotFoundError,
    OrderNotFoundError,
    PermissionDeniedError,
    RefundNotFoundError,
    RequestIdReusedError,
)
from refund_svc.domain.order import Order
from refund_svc.domain.policy import RefundRules, inside_refund_window, refund_window_end
from refund_svc.domain.refund import Refund
from refund_svc.domain.refundable import refundable_lines


async def _visible_order(shop: ShopPort, actor: Actor, order_id: str) -> Order:
    order = await shop.get_order(order_id)
    if order is None or (actor.is_customer and order.customer_id != actor.subject):
        raise OrderNotFoundError(order_id)
    return order


async def _case_of_order(cases: CasePort, case_name: str, order: Order) -> None:
    """The case must be the order's customer's and about that order (whoever the caller is)."""
    case = await cases.find_case(case_name)
    if case is None or case.customer_id != order.customer_id:
        raise CaseNotFoundError(case_name)
    if case.order_id != order.order_id:
        raise CaseIsAboutAnotherOrderError(case_name, case.order_id, order.order_id)


class CreateRefund:
    """Creates a refund, exactly once per idempotency key, never beyond what a line was paid."""

    def __init__(
        self,
        *,
        shop: ShopPort,
        cases: CasePort,
        unit_of_work: Callable[[], UnitOfWork],
        reader: RefundReader,
        clock: Clock,
        ids: IdGenerator,
        rules: RefundRules,
    ) -> None:
        self._shop = shop
        self._cases = cases
        self._unit_of_work = unit_of_work
        self._reader = reader
        self._clock = clock
        self._ids = ids
        self._rules = rules

    async def execute(self, actor: Actor, command: CreateRefundCommand) -> Refund:
        # The shop call happens before the write transaction: the order does not change, and a
        # slow shop must not hold the database's only writer.
        order = await _visible_order(self._shop, actor, command.order_id)
        scope = order.customer_id  # idempotency keys are scoped per customer
        fingerprint = command.fingerprint()

        # Fast path for retries: a key already used needs no write transaction.
        seen = await self._reader.find_idempotency_key(scope, command.request_id)
        if seen is not None:
            return await self._replay(seen, command, fingerprint)
        # Like the shop's, support's answer is taken before the write transaction (a case never
        # changes its customer or order).
        await _case_of_order(self._cases, command.case_name, order)

        async with self._unit_of_work() as uow:
            # Checked again inside the transaction: concurrent duplicates serialise here.
            seen = await uow.idempotency_keys.find(scope, command.request_id)
            if seen is not None:
                self._check_same_content(seen, command, fingerprint)
                refund = await uow.refunds.get(seen.refund_id)
                if refund is None:  # pragma: no cover - the key and the refund are written together
                    raise RefundNotFoundError(seen.refund_id)
                return refund
            now = self._clock.now()
            refund = Refund.request(
                refund_id=self._ids.new_refund_id(),
                number=await uow.refunds.next_number(),
                case_name=command.case_name,
                order=order,
                usage=await uow.refunds.line_usage(order.order_id),
                requested=command.lines,
                reason=command.reason,
                method=command.method,
                note=command.note,
                requested_by=actor,
                now=now,
                rules=self._rules,
            )
            await uow.refunds.add(refund)
            await uow.idempotency_keys.remember(
                IdempotencyRecord(scope, command.request_id, fingerprint, refund.refund_id, now)
            )
            await uow.commit()
        return refund

    async def _replay(
        self, seen: IdempotencyRecord, command: CreateRefundCommand, fingerprint: str
    ) -> Refund:
        self._check_same_content(seen, command, fingerprint)
        refund = await self._reader.get(seen.refund_id)
        if refund is None:  # pragma: no cover - the key and the refund are written together
            raise RefundNotFoundError(seen.refund_id)
        return refund

    @staticmethod
    def _check_same_content(seen: IdempotencyRecord, command: CreateRefundCommand, fingerprint: str) -> None:
        if seen.fingerprint != fingerprint:
            raise RequestIdReusedError(command.request_id)


class GetRefund:
    def __init__(self, *, reader: RefundReader) -> None:
        self._reader = reader

    async def execute(self, actor: Actor, refund_id: str) -> Refund:
        refund = await self._reader.get(refund_id)
        if refund is None or (actor.is_customer and refund.customer_id != actor.subject):
            raise RefundNotFoundError(refund_id)
        return refund


class ListRefunds:
    """Newest first, keyset-paginated; customers see only their own refunds, staff all."""

    def __init__(self, *, reader: RefundReader) -> None:
        self._reader = reader

    async def execute(self, actor: Actor, query: ListRefundsQuery) -> RefundPage:
        where = RefundFilter(
            customer_id=actor.subject if actor.is_customer else None,
            case_name=query.case_name,
            order_id=query.order_id,
            statuses=query.statuses,
        )
        # The token is bound to the query and to whose refunds it lists.
        bound: dict[str, Any] = {
            "customer": where.customer_id,
            "case": where.case_name,
            "order": where.order_id,
            "statuses": sorted(s.value for s in where.statuses),
        }
        position = decode_token(query.page_token, bound)
        before = int(position["before"]) if position and "before" in position else None
        rows = await self._reader.list_refunds(where, before_number=before, limit=query.page_size + 1)
        page = tuple(rows[: query.page_size])
        next_token = ""
        if len(rows) > query.page_size:
            next_token = encode_token({"before": page[-1].number}, bound)
        return RefundPage(page, next_token)


class QuoteRefund:
    """What each line of an order can still refund (customers: their own orders only)."""

    def __init__(self, *, shop: ShopPort, reader: RefundReader, clock: Clock, rules: RefundRules) -> None:
        self._shop = shop
        self._reader = reader
        self._clock = clock
        self._rules = rules

    async def execute(self, actor: Actor, order_id: str) -> RefundQuote:
        order = await _visible_order(self._shop, actor, order_id)
        usage = await self._reader.line_usage(order.order_id)
        return RefundQuote(
            order=order,
            lines=tuple(refundable_lines(order, usage)),
            window_end=refund_window_end(order.delivered_at, self._rules),
            window_open=inside_refund_window(order.delivered_at, self._clock.now(), self._rules),
        )


class GetRefundStatistics:
    """The leads' dashboard: refunds waiting for approval now, and refunds paid back in a period."""

    def __init__(self, *, reader: RefundReader, clock: Clock) -> None:
        self._reader = reader
        self._clock = clock

    async def execute(self, actor: Actor, period: StatisticsPeriod) -> RefundStatistics:
        if actor.role is not ActorRole.LEAD:
            raise PermissionDeniedError("only leads see the refund statistics", reason=LEAD_ONLY)
        computed_at = self._clock.now()
        pending = await self._reader.pending_totals()
        refunded = await self._reader.refunded_totals(period.start, period.end)
        return RefundStatistics(
            period=period,
            pending_count=pending.count,
            pending=pending.amounts,
            refunded_count=refunded.count,
            refunded=refunded.amounts,
            computed_at=computed_at,
        )


@dataclass(frozen=True, slots=True)
class RefundUseCases:
    """Everything the presentation layer calls, wired once at start-up."""

    create_refund: CreateRefund
    get_refund: GetRefund
    list_refunds: ListRefunds
    quote_refund: QuoteRefund
    approve_refund: ApproveRefund
    reject_refund: RejectRefund
    cancel_refund: CancelRefund
    retry_refund: RetryRefund
    refund_statistics: GetRefundStatistics


def build_use_cases(
    *,
    shop: ShopPort,
    cases: CasePort,
    unit_of_work: Callable[[], UnitOfWork],
    reader: RefundReader,
    clock: Clock,
    ids: IdGenerator,
    rules: RefundRules,
) -> RefundUseCases:
    return RefundUseCases(
        create_refund=CreateRefund(
            shop=shop,
            cases=cases,
            unit_of_work=unit_of_work,
            reader=reader,
            clock=clock,
            ids=ids,
            rules=rules,
        ),
        get_refund=GetRefund(reader=reader),
        list_refunds=ListRefunds(reader=reader),
        quote_refund=QuoteRefund(shop=shop, reader=reader, clock=clock, rules=rules),
        approve_refund=ApproveRefund(unit_of_work=unit_of_work, clock=clock, rules=rules),
        reject_refund=RejectRefund(unit_of_work=unit_of_work, clock=clock),
        cancel_refund=CancelRefund(unit_of_work=unit_of_work, clock=clock),
        retry_refund=RetryRefund(unit_of_work=unit_of_work, clock=clock, reader=reader, shop=shop),
        refund_statistics=GetRefundStatistics(reader=reader, clock=clock),
    )
