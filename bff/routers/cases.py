"""Support cases. Role rules are checked here; ownership is checked by support_svc itself."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query

from bff import schemas
from bff.deps import CaseId, CreateRequestId, CurrentUser, CustomerUser, StaffUser, State
from bff.problems import ProblemError
from bff.routers.common import READ_ERRORS, WRITE_ERRORS, problems
from kit.identity import Role

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
    body: schemas.CreateCaseRequest, user: CustomerUser, state: State, request_id: CreateRequestId
) -> schemas.CaseResponse:
    case = await state.support.create_case(user.identity, body, request_id)
    return schemas.CaseResponse(case=case)


@router.get(
    "",
    operation_id="listCases",
    response_model=schemas.CaseListResponse,
    responses=problems(*READ_ERRORS, 400, 403),
)
async def list_cases(
    query: Annotated[schemas.CaseQuery, Query()], user: CurrentUser, state: State
) -> schemas.CaseListResponse:
    if user.role == Role.CUSTOMER and (query.assignee or query.breached):
        raise ProblemError(
            status=403, reason="STAFF_ONLY", detail="Only the support team can filter by assignee or SLA."
        )
    cases, next_token = await state.support.list_cases(user.identity, query)
    return schemas.CaseListResponse(cases=cases, next_page_token=next_token)


@router.get(
    "/{caseId}",
    operation_id="getCase",
    response_model=schemas.CasePage,
    responses=problems(*READ_ERRORS, 404),
)
async def get_case(case_id: CaseId, user: CurrentUser, state: State) -> schemas.CasePage:
    """The case screen in one response: case, conversation, timeline, order and refunds."""
    who = user.identity
    # Refunds need only the case id: fetched while GetCase runs; the order needs the case's order id.
    refunds_task = asyncio.ensure_future(state.refunds.refunds_of_case(who, case_id))
    try:
        case, messages, timeline = await state.support.get_case_full(who, case_id)
    except BaseException:
        refunds_task.cancel()
        refunds_task.add_done_callback(lambda t: t.cancelled() or t.exception())
        raise

    async def order() -> schemas.Order | None:
        try:
            found = await state.orders.order(who, case.order_id)
        except Exception:  # the shop being away must not hide the case: the page shows no order
            return None
        if found is None or (user.role == Role.CUSTOMER and found.customer_id != user.id):
            return None
        return found.order

    order_summary, refunds = await asyncio.gather(order(), refunds_task)
    return schemas.CasePage(
        case=case, messages=messages, timeline=timeline, order=order_summary, refunds=refunds
    )


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
    user: CurrentUser,
    state: State,
    request_id: CreateRequestId,
) -> schemas.MessageResponse:
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
    case_id: CaseId, body: schemas.AssignRequest, user: StaffUser, state: State
) -> schemas.CaseResponse:
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
    case_id: CaseId, body: schemas.UpdateCaseRequest, user: StaffUser, state: State
) -> schemas.CaseResponse:
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
    case_id: CaseId, body: schemas.StatusRequest, user: CurrentUser, state: State
) -> schemas.CaseResponse:
    if not user.role.is_staff and body.action not in CUSTOMER_ACTIONS:
        raise NOT_FOR_CUSTOMERS
    case = await state.support.change_status(user.identity, case_id, body.action, body.etag)
    return schemas.CaseResponse(case=case)
