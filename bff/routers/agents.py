"""The support team, for "assign to someone"."""

from __future__ import annotations

from fastapi import APIRouter

from bff.deps import StaffCaller
from bff.routers.common import READ_ERRORS, problems
from bff.schemas import AgentsResponse, Person

router = APIRouter(prefix="/api/agents", tags=["agents"])


@router.get(
    "", operation_id="listAgents", response_model=AgentsResponse, responses=problems(*READ_ERRORS, 403)
)
async def list_agents(caller: StaffCaller) -> AgentsResponse:
    return AgentsResponse(agents=[Person(id=a.id, name=a.name) for a in caller.state.directory.staff()])
