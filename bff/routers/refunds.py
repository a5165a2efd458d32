"""Refunds: quotes, requests on a case, the approvals queue, and decisions. Role rules are checked here;
ownership and the refund rules are refund_svc's (others' refunds are 404)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from bff import schemas
from bff.accounts import Account
from bff.deps import (
    CaseId,
    CreateRequestId,
    CustomerCaller,
    OrderId,
    RefundId,
    SignedIn,
    StaffCaller,
)
from bff.problems import ProblemError
from bff.records import RefundRecord
from bff.routers.common import READ_ERRORS, WRITE_ERRORS, problems
from bff.state import AppState
from kit.identity import Role

router = APIRouter(tags=["refunds"])

DECISION_ERRORS = (*WRITE_ERRORS, 404, 409, 412)


@router.get(
    "/api/orders/{orderId}/refund-quote",
    operation_id="quoteRefund",
    response_model=schemas.RefundQuote,
    responses=problems(*READ_ERRORS, 404),
)
async def quote_refund(order_id: OrderId, caller: SignedIn) -> schemas.RefundQuote:
    """What each line of the order can still refund (customers: their own orders only)."""
    return await caller.state.refunds.quote(caller.user.identity, order_id)


@router.post(
    "/api/cases/{caseId}/refunds",
    operation_id="createRefund",
    status_code=201,
    response_model=schemas.RefundResponse,
    responses=problems(*WRITE_ERRORS, 404, 409, 412, 429),
)
async def create_refund(
    case_id: CaseId,
    body: schemas.CreateRefundRequest,
    caller: SignedIn,
    request_id: CreateRequestId,
) -> schemas.RefundResponse:
    """Asks for a refund of some of the case's order lines. The order is the case's, as support_svc
    says (reading the case also checks that it is this customer's): never one sent by the browser."""
    user, state = caller.user, caller.state
    wait = await state.limiter.hit(state.refund_creates, user.id)
    if wait:
        raise ProblemError(
            status=429,
            reason="TOO_MANY_REFUND_REQUESTS",
            detail="You have asked for several refunds in a short time. Please wait a minute and try again.",
            headers={"Retry-After": str(wait)},
        )
    case = await state.support.get_case(user.identity, case_id)
    record = await state.refunds.create(user.identity, case.id, case.order_id, body, request_id)
    return schemas.RefundResponse(refund=await state.refund_views.one(user, record, case=case))


@dataclass(slots=True)
class _RefundPage:
    records: list[RefundRecord]
    next_token: str | None
    # The page's JSON as every viewer sees it who asked for none of its refunds (a shared page is
    # one role's: bff.shared_pages).
    rendered: bytes | None = None


@router.get(
    "/api/refunds",
    operation_id="listRefunds",
    response_model=schemas.RefundListResponse,
    responses=problems(*READ_ERRORS, 400),
)
async def list_refunds(query: Annotated[schemas.RefundQuery, Query()], caller: SignedIn) -> Response:
    """Customers: their own refunds. Agents and leads: all of them (with status=pending_approval, the
    approvals queue); a staff list may be up to a second old, never older than the caller's own last
    change."""
    user, state, cookie = caller.user, caller.state, caller.session_id

    if user.role == Role.CUSTOMER:
        return Response(await _own_refunds(state, user, query, cookie), media_type="application/json")

    async def fetch() -> _RefundPage:
        return _RefundPage(*await state.refunds.list_refunds(user.identity, query))

    # Staff pages are shared by the team for BFF_SHARED_PAGE_TTL_S (bff.shared_pages), and so is
    # their JSON within a role: what a viewer may do with a refund depends on nothing else, unless
    # they asked for it themselves (nobody approves their own request).
    page = await state.shared_pages.get(user.identity, cookie, ("refunds", query.model_dump_json()), fetch)
    alike = all(r.requested_by != user.id for r in page.records)
    body = page.rendered if alike else None
    if body is None:
        refunds = await state.refund_views.render(user, page.records)
        response = schemas.RefundListResponse(refunds=refunds, next_page_token=page.next_token)
        body = response.model_dump_json().encode()
        if alike:
            page.rendered = body
    return Response(body, media_type="application/json")


async def _own_refunds(
    state: AppState, user: Account, query: schemas.RefundQuery, cookie: str | None
) -> bytes:
    """A customer's list of their own refunds, as JSON. Kept with their lists of cases until one of
    their cases changes (bff.customer_lists): refund_svc's relay tells the case of every change of
    its refunds. Kept only when rendered whole: with the shop away a refund shows no product titles,
    and the next read tries again."""
    lists = state.customer_lists
    asked = "refunds:" + query.model_dump_json()
    body = lists.get(user.id, asked, browser=cookie)
    if body is None:
        with lists.reading(user.id) as read:
            records, next_token = await state.refunds.list_refunds(user.identity, query)
            refunds = await state.refund_views.render(user, records)
            body = (
                schemas.RefundListResponse(refunds=refunds, next_page_token=next_token)
                .model_dump_json()
                .encode()
            )
            if all(line.product_title is not None for refund in refunds for line in refund.lines):
                lists.keep(read, asked, body, ())
    return body


@router.get(
    "/api/refunds/{refundId}",
    operation_id="getRefund",
    response_model=schemas.RefundResponse,
    responses=problems(*READ_ERRORS, 404),
)
async def get_refund(refund_id: RefundId, caller: SignedIn) -> schemas.RefundResponse:
    user, state = caller.user, caller.state
    record = await state.refunds.get(user.identity, refund_id)
    return schemas.RefundResponse(refund=await state.refund_views.one(user, record))


@router.post(
    "/api/refunds/{refundId}/cancel",
    operation_id="cancelRefund",
    response_model=schemas.RefundResponse,
    responses=problems(*DECISION_ERRORS),
)
async def cancel_refund(
    refund_id: RefundId, body: schemas.CancelRefundRequest, caller: CustomerCaller
) -> schemas.RefundResponse:
    """The customer withdraws its own request while it waits for approval."""
    user, state = caller.user, caller.state
    record = await state.refunds.cancel(user.identity, refund_id, body.etag)
    return schemas.RefundResponse(refund=await state.refund_views.one(user, record))


@router.post(
    "/api/refunds/{refundId}/approve",
    operation_id="approveRefund",
    response_model=schemas.RefundResponse,
    responses=problems(*DECISION_ERRORS),
)
async def approve_refund(
    refund_id: RefundId, body: schemas.ApproveRefundRequest, caller: StaffCaller
) -> schemas.RefundResponse:
    """403 above the agent's limit (LEAD_APPROVAL_REQUIRED) and for one's own request
    (SELF_APPROVAL_FORBIDDEN)."""
    user, state = caller.user, caller.state
    record = await state.refunds.approve(user.identity, refund_id, body)
    return schemas.RefundResponse(refund=await state.refund_views.one(user, record))


@router.post(
    "/api/refunds/{refundId}/reject",
    operation_id="rejectRefund",
    response_model=schemas.RefundResponse,
    responses=problems(*DECISION_ERRORS),
)
async def reject_refund(
    refund_id: RefundId, body: schemas.RejectRefundRequest, caller: StaffCaller
) -> schemas.RefundResponse:
    """The reason is required, and shown to the customer."""
    user, state = caller.user, caller.state
    record = await state.refunds.reject(user.identity, refund_id, body)
    return schemas.RefundResponse(refund=await state.refund_views.one(user, record))


@router.post(
    "/api/refunds/{refundId}/retry",
    operation_id="retryRefund",
    response_model=schemas.RefundResponse,
    responses=problems(*DECISION_ERRORS),
)
async def retry_refund(
    refund_id: RefundId, body: schemas.RetryRefundRequest, caller: StaffCaller
) -> schemas.RefundResponse:
    """Pays a failed refund out again, optionally as store credit."""
    user, state = caller.user, caller.state
    record = await state.refunds.retry(user.identity, refund_id, body)
    return schemas.RefundResponse(refund=await state.refund_views.one(user, record))
