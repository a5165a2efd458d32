"""Support cases, and their live updates. Role rules are checked here; ownership is checked by
support_svc itself."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from starlette.responses import Response, StreamingResponse

from bff import schemas
from bff.case_pages import CaseData
from bff.deps import CaseId, CreateRequestId, CustomerCaller, SignedIn, StaffCaller
from bff.live import EVENT_SCHEMA, CaseEvents
from bff.orders import ShopOrder, order_if_reachable
from bff.problems import ProblemError
from bff.routers.common import READ_ERRORS, WRITE_ERRORS, problems
from bff.state import AppState
from bff.tasks import both
from kit.identity import Identity, Role

router = APIRouter(prefix="/api/cases", tags=["cases"])

CUSTOMER_ACTIONS = frozenset({"reopen", "close"})
NOT_FOR_CUSTOMERS = ProblemError(status=403, reason="STAFF_ONLY", detail="Only the support team can do that.")
CASE_CHANGES = (*WRITE_ERRORS, 404, 409, 412)


@router.post(
    "",
    operation_id="createCase",
    status_code=201,
    response_model=schemas.CaseResponse,
    responses=problems(*WRITE_ERRORS, 409),
)
async def create_case(
    body: schemas.CreateCaseRequest, caller: CustomerCaller, request_id: CreateRequestId
) -> schemas.CaseResponse:
    user, state = caller.user, caller.state
    case = await state.support.create_case(user.identity, body, request_id)
    return schemas.CaseResponse(case=case)


@router.get(
    "",
    operation_id="listCases",
    response_model=schemas.CaseListResponse,
    responses=problems(*READ_ERRORS, 400, 403),
)
async def list_cases(query: Annotated[schemas.CaseQuery, Query()], caller: SignedIn) -> Response:
    """A page of cases: customers see their own; staff filter, search and sort the queue. A staff
    list may be up to a second old, never older than the caller's own last change."""
    user, state, cookie = caller.user, caller.state, caller.session_id
    # A customer's own list is kept until one of their cases changes (bff.customer_lists).
    if user.role == Role.CUSTOMER:
        if query.assignee or query.breached:
            raise ProblemError(
                status=403, reason="STAFF_ONLY", detail="Only the support team can filter by assignee or SLA."
            )
        return Response(await _own_cases(state, user.identity, query, cookie), media_type="application/json")

    async def page() -> bytes:
        cases, next_token = await state.support.list_cases(user.identity, query)
        return _case_list(cases, next_token)

    # The same for every member of the team unless it is "assigned to me" (bff.shared_pages); shared
    # as the JSON it is sent as, encoded once for all who share it.
    shared = None if query.asks_for_own(user.id) else ("cases", query.model_dump_json())
    body = await state.shared_pages.get(user.identity, cookie, shared, page)
    return Response(body, media_type="application/json")


async def _own_cases(state: AppState, who: Identity, query: schemas.CaseQuery, cookie: str | None) -> bytes:
    """A customer's list of their own cases, as JSON."""
    lists = state.customer_lists
    asked = query.model_dump_json()
    body = lists.get(who.subject, asked, browser=cookie)
    if body is None:
        with lists.reading(who.subject) as read:
            cases, next_token = await state.support.list_cases(who, query)
            body = _case_list(cases, next_token)
            lists.keep(read, asked, body, cases)
    return body


def _case_list(cases: list[schemas.Case], next_token: str | None) -> bytes:
    return schemas.CaseListResponse(cases=cases, next_page_token=next_token).model_dump_json().encode()


@router.get(
    "/{caseId}",
    operation_id="getCase",
    response_model=schemas.CasePage,
    responses=problems(*READ_ERRORS, 404),
)
async def get_case(case_id: CaseId, caller: SignedIn) -> Response:
    """The case screen in one response: case, conversation, timeline, order and refunds. Never older
    than the caller's own last change; others' changes show within a moment (a payout's progress as
    soon as it reaches the case's timeline)."""
    # Kept until the case changes (bff.case_pages). Else the case first; then its order, and its
    # refunds if it has any (bff.case_pages.KeptCasePages.has_refunds); their case number and product
    # titles come from those, with no call of their own. The order is never kept with the page: it
    # comes from the order cache on every read.
    user, state, cookie = caller.user, caller.state, caller.session_id
    staff = user.role.is_staff
    pages = state.case_pages
    data = pages.get(case_id, staff=staff, viewer_id=user.id, browser=cookie)
    if data is None:
        with pages.reading(case_id, staff=staff) as read:
            data, order = await _read_case(state, user.identity, case_id)
            pages.keep(read, data)
    else:
        order = await order_if_reachable(state.orders, user.identity, data.case.order_id)
    if order is not None and user.role == Role.CUSTOMER and order.customer_id != user.id:
        order = None
    refunds = await state.refund_views.render(user, data.refunds, case=data.case, order=order)
    # The JSON of schemas.CasePage, most of it as it was kept (bff.case_pages.CaseData).
    return Response(data.page(order.order if order else None, refunds), media_type="application/json")


async def _read_case(state: AppState, who: Identity, case_id: str) -> tuple[CaseData, ShopOrder | None]:
    """What the page is made of (kept until the case changes), and the case's order."""
    full = await state.support.get_case_full(who, case_id)
    # The shop being away must not hide the case: the page shows no order then.
    order = order_if_reachable(state.orders, who, full.case.order_id)
    if state.case_pages.has_refunds(case_id, full.timeline):
        order_found, records = await both(order, state.refunds.refunds_of_case(who, case_id))
    else:
        order_found, records = await order, []
    return CaseData.of(full.case, full.customer_id, full.messages, full.timeline, records), order_found


@router.get(
    "/{caseId}/events",
    operation_id="watchCase",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Server-sent events: a `case-changed` event per change of the case (its data: "
            "CaseChangedEvent as JSON), and a `: keep-alive` comment every 15 s. The first block only sets "
            "`retry` and `id`; when the page was behind (see `etag`, Last-Event-ID), a `resync` event "
            "follows.",
            "content": {"text/event-stream": {"schema": EVENT_SCHEMA}},
        },
        **problems(*READ_ERRORS, 404),
    },
)
async def case_events(
    case_id: CaseId,
    caller: SignedIn,
    last_event_id: Annotated[
        str | None,
        Header(alias="Last-Event-ID", max_length=200, description="Sent by EventSource when it reconnects."),
    ] = None,
    etag: Annotated[
        str | None,
        Query(
            max_length=200,
            description="The case's etag the page shows: if the case has changed since, the first event "
            "says so at once.",
        ),
    ] = None,
) -> StreamingResponse:
    """Live updates of one case for its page (support_svc's WatchCase, one stream per open page)."""
    user, state, cookie = caller.user, caller.state, caller.session_id

    async def still_signed_in() -> bool:
        # Only looks: an open page must not keep its session alive.
        session = await state.sessions.get(cookie, touch=False)
        return session is not None and session.user_id == user.id

    events = CaseEvents(
        lambda: state.support.watch(user.identity, case_id), still_signed_in, state.live_timing
    )
    stream = await events.start(known_etag=last_event_id or etag)
    return StreamingResponse(stream, media_type="text/event-stream", headers={"X-Accel-Buffering": "no"})


@router.post(
    "/{caseId}/messages",
    operation_id="addCaseMessage",
    status_code=201,
    response_model=schemas.MessageResponse,
    responses=problems(*CASE_CHANGES),
)
async def add_message(
    case_id: CaseId,
    body: schemas.AddMessageRequest,
    caller: SignedIn,
    request_id: CreateRequestId,
) -> schemas.MessageResponse:
    user, state = caller.user, caller.state
    if body.internal and not user.role.is_staff:
        raise ProblemError(
            status=403, reason="STAFF_ONLY", detail="Only the support team can add internal notes."
        )
    message, case = await state.support.add_message(user.identity, case_id, body, request_id)
    return schemas.MessageResponse(message=message, case=case)


@router.post(
    "/{caseId}/assign",
    operation_id="assignCase",
    response_model=schemas.CaseResponse,
    responses=problems(*CASE_CHANGES),
)
async def assign_case(
    case_id: CaseId, body: schemas.AssignRequest, caller: StaffCaller
) -> schemas.CaseResponse:
    user, state = caller.user, caller.state
    if body.assignee_id is not None:
        assignee = state.directory.by_id(body.assignee_id)
        if assignee is None or not assignee.role.is_staff:
            raise ProblemError(
                status=400,
                reason="INVALID_ARGUMENT",
                detail="Some of the information you entered needs another look.",
                errors=[
                    schemas.FieldProblem(field="assigneeId", message="Choose a member of the support team.")
                ],
            )
    return schemas.CaseResponse(case=await state.support.assign(user.identity, case_id, body))


@router.patch(
    "/{caseId}",
    operation_id="updateCase",
    response_model=schemas.CaseResponse,
    responses=problems(*CASE_CHANGES),
)
async def update_case(
    case_id: CaseId, body: schemas.UpdateCaseRequest, caller: StaffCaller
) -> schemas.CaseResponse:
    user, state = caller.user, caller.state
    if body.priority is None and body.category is None:
        raise ProblemError(
            status=400,
            reason="NOTHING_TO_CHANGE",
            detail="Choose a new priority or category.",
            errors=[schemas.FieldProblem(field="priority", message="Choose a priority or a category.")],
        )
    return schemas.CaseResponse(case=await state.support.update(user.identity, case_id, body))


@router.post(
    "/{caseId}/status",
    operation_id="changeCaseStatus",
    response_model=schemas.CaseResponse,
    responses=problems(*CASE_CHANGES),
)
async def change_status(
    case_id: CaseId, body: schemas.StatusRequest, caller: SignedIn
) -> schemas.CaseResponse:
    user, state = caller.user, caller.state
    if not user.role.is_staff and body.action not in CUSTOMER_ACTIONS:
        raise NOT_FOR_CUSTOMERS
    case = await state.support.change_status(user.identity, case_id, body.action, body.etag)
    return schemas.CaseResponse(case=case)
