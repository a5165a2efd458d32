"""The leads' dashboard: support_svc's case statistics and refund_svc's refund statistics, asked at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from bff import schemas
from bff.deps import LeadCaller
from bff.problems import ProblemError
from bff.routers.common import READ_ERRORS, problems
from bff.tasks import both

router = APIRouter(prefix="/api/dashboard", tags=["dashboard"])

DEFAULT_PERIOD = timedelta(days=30)


@router.get(
    "",
    operation_id="getDashboard",
    response_model=schemas.Dashboard,
    responses=problems(*READ_ERRORS, 400, 403),
)
async def get_dashboard(
    query: Annotated[schemas.DashboardQuery, Query()], caller: LeadCaller
) -> schemas.Dashboard:
    """`from` (inclusive) and `to` (exclusive) are ISO times (UTC when they carry no offset); without
    them, the last 30 days."""
    user, state = caller.user, caller.state
    end = query.to or datetime.now(UTC)
    start = query.from_ or end - DEFAULT_PERIOD
    if start >= end:
        raise ProblemError(
            status=400,
            reason="INVALID_ARGUMENT",
            detail="Some of the information you entered needs another look.",
            errors=[schemas.FieldProblem(field="to", message="Choose an end after the start.")],
        )
    cases, refunds = await both(
        state.support.statistics(user.identity, start, end),
        state.refunds.statistics(user.identity, start, end),
    )
    return schemas.Dashboard.model_validate({**dict(cases), "from": start, "to": end, "refunds": refunds})
