"""Liveness, readiness and metrics, for whoever runs the BFF (no session). /api/health is the UI's own
"is the BFF there" check; /healthz, /readyz and /metrics are for orchestrators and Prometheus."""

from __future__ import annotations

import orjson
from fastapi import APIRouter
from starlette.responses import Response

from bff import metrics, schemas
from bff.deps import State
from bff.problems import PROBLEM_MEDIA_TYPE
from bff.routers.common import problems

router = APIRouter(tags=["health"])


@router.get(
    "/api/health", operation_id="getHealth", response_model=schemas.HealthResponse, responses=problems(500)
)
async def health() -> schemas.HealthResponse:
    return schemas.HealthResponse(status="ok")


@router.get(
    "/healthz", operation_id="getLiveness", response_model=schemas.HealthResponse, responses=problems(500)
)
async def liveness() -> schemas.HealthResponse:
    """200 while the process runs; nothing else is checked."""
    return schemas.HealthResponse(status="ok")


@router.get(
    "/readyz",
    operation_id="getReadiness",
    response_model=schemas.ReadyResponse,
    responses={
        **problems(500),
        503: {
            "model": schemas.NotReadyProblem,
            "description": "A dependency is not ready; `checks` says which",
        },
    },
)
async def readiness(state: State) -> Response:
    """Whether support_svc, refund_svc and the shop answer their gRPC health checks as SERVING, and
    Redis answers, all at the same time; 503 (a problem with `checks`) when one does not."""
    ready = await state.readiness.check()
    checks = schemas.ReadinessChecks.model_validate(
        {name: "ok" if ok else "failed" for name, ok in ready.items()}
    )
    if all(ready.values()):
        body = schemas.ReadyResponse(status="ready", checks=checks)
        return Response(orjson.dumps(body.model_dump(mode="json")), media_type="application/json")
    failing = ", ".join(name for name, ok in ready.items() if not ok)
    problem = schemas.NotReadyProblem(
        title="Service Unavailable",
        status=503,
        detail=f"Not ready: {failing}.",
        reason="NOT_READY",
        checks=checks,
    )
    return Response(
        orjson.dumps(problem.model_dump(mode="json", exclude_none=True)),
        status_code=503,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={"Retry-After": "5"},
    )


@router.get(
    "/metrics",
    operation_id="getMetrics",
    response_class=Response,
    responses={
        200: {
            "description": "Prometheus text format",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        },
        **problems(500),
    },
)
async def prometheus_metrics() -> Response:
    """Request counts and latency histograms by method, route template and status; order-cache hits
    and misses; everything else this process counts."""
    return Response(metrics.render(), media_type=metrics.CONTENT_TYPE)
