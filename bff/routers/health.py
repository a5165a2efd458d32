"""Liveness: the process answers. (Dependencies are reported by their own errors, not here.)"""

from __future__ import annotations

from fastapi import APIRouter

from bff.routers.common import problems
from bff.schemas import HealthResponse

router = APIRouter(prefix="/api/health", tags=["health"])


@router.get("", operation_id="getHealth", response_model=HealthResponse, responses=problems(500))
async def health() -> HealthResponse:
    return HealthResponse(status="ok")
