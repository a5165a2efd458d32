"""The composition root: create_app(settings) wires everything; the lifespan opens the connections."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import grpc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from bff.accounts import JsonFileUserDirectory, PasswordChecker, UserDirectory
from bff.case_pages import KeptCasePages, follow_changes
from bff.clients import refund, shop, support
from bff.clients.base import RpcCaller, open_channel
from bff.clients.health import Readiness
from bff.clients.mappers import CaseMapper
from bff.config import Settings
from bff.customer_lists import KeptCustomerLists
from bff.middleware import FrontDoorMiddleware
from bff.orders import OrderLookup
from bff.own_changes import OwnChanges
from bff.problems import (
    PROBLEM_MEDIA_TYPE,
    ProblemError,
    from_rpc_error,
    from_validation_errors,
    http_error,
    problem_response,
)
from bff.ratelimit import RateLimiter
from bff.refunds import RefundViews
from bff.routers import agents, cases, dashboard, health, orders, refunds, session
from bff.sessions import SessionManager
from bff.shared_pages import SharedPages
from bff.state import AppState
from bff.static import add_frontend_routes
from bff.store import KeyValueStore, MemoryStore, RedisStore, StoreUnavailableError
from kit.identity import Identity, Role
from kit.logs import get_logger
from kit.loop_lag import watch_loop_lag

log = get_logger("bff")

# Who the BFF is when it asks for what no user asks for: support_svc's stream of every case change.
BFF_IDENTITY = Identity("bff", Role.SYSTEM)


def _open_store(settings: Settings) -> KeyValueStore:
    if settings.redis_url:
        return RedisStore(settings.redis_url, max_connections=settings.redis_max_connections)
    log.warning(
        "BFF_REDIS_URL is empty: sessions, rate limits and the order cache live in THIS process only. "
        "Fine for one process on a laptop; wrong with several processes or after a restart."
    )
    return MemoryStore()


ROUTERS = (
    session.router,
    orders.router,
    cases.router,
    refunds.router,
    dashboard.router,
    agents.router,
    health.router,
)


def create_app(
    settings: Settings,
    *,
    directory: UserDirectory | None = None,
    store_factory: Callable[[Settings], KeyValueStore] = _open_store,
) -> FastAPI:
    """`directory` and `store_factory` let tests put fakes of the ports in; production uses the
    defaults (the accounts file, Redis)."""
    users = directory or JsonFileUserDirectory(settings.accounts_file)
    # Made here, not in the lifespan: the front door tells them of every change (bff.own_changes).
    own_changes = OwnChanges(max(settings.shared_page_ttl_s, settings.case_page_max_age_s))
    shared_pages = SharedPages(settings.shared_page_ttl_s, changes=own_changes)
    case_pages = KeptCasePages(
        settings.case_page_cache_size, settings.case_page_max_age_s, changes=own_changes
    )
    # Bounded like the case pages, and for as long at most: both follow one stream of changes.
    customer_lists = KeptCustomerLists(
        settings.case_page_cache_size, settings.case_page_max_age_s, changes=own_changes
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = store_factory(settings)
        channels = {
            "support": open_channel(settings.support_addr),
            "refund": open_channel(settings.refund_addr),
            "shop": open_channel(settings.shop_addr),
        }
        caller = RpcCaller(
            secret=settings.identity_secret.get_secret_value(),
            deadline_s=settings.rpc_deadline_s,
            retries=settings.rpc_retries,
        )
        prefix = settings.redis_key_prefix
        support_client = support.SupportClient(
            channels["support"], caller, CaseMapper(users), on_change=case_pages.heard
        )
        order_lookup = OrderLookup(
            shop.ShopClient(channels["shop"], caller),
            store,
            prefix=prefix,
            ttl_s=settings.order_cache_ttl_s,
            near_ttl_s=settings.order_cache_near_ttl_s,  # OrderLookup keeps none past its entry's TTL
        )
        sessions = SessionManager(
            store,
            prefix=prefix,
            idle_s=settings.session_idle_timeout_s,
            absolute_s=settings.session_absolute_timeout_s,
            near_ttl_s=settings.session_near_ttl_s,
        )
        app.state.bff = AppState(
            settings=settings,
            directory=users,
            passwords=PasswordChecker(users),
            store=store,
            sessions=sessions,
            limiter=RateLimiter(store, prefix),
            support=support_client,
            refunds=refund.RefundClient(channels["refund"], caller, on_change=case_pages.refunds_written),
            orders=order_lookup,
            refund_views=RefundViews(directory=users, support=support_client, orders=order_lookup),
            readiness=Readiness(
                {
                    "support": (channels["support"], support.SERVICE_NAME),
                    "refund": (channels["refund"], refund.SERVICE_NAME),
                    "shop": (channels["shop"], shop.SERVICE_NAME),
                },
                store,
                timeout_s=settings.readiness_timeout_s,
            ),
            shared_pages=shared_pages,
            case_pages=case_pages,
            customer_lists=customer_lists,
        )
        following = asyncio.create_task(
            follow_changes((case_pages, customer_lists), lambda: support_client.watch_all(BFF_IDENTITY)),
            name="case-changes",
        )
        sign_outs = asyncio.create_task(sessions.follow_sign_outs(), name="sign-outs")
        lag = asyncio.create_task(watch_loop_lag(), name="loop-lag")
        try:
            yield
        finally:
            for task in (following, sign_outs, lag):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            for channel in channels.values():
                await channel.close()
            await store.close()

    app = FastAPI(
        title="Acme Support BFF",
        version="1.0.0",
        description="The JSON API of the support-and-refund UI. Errors are application/problem+json.",
        lifespan=lifespan,
        docs_url=None,  # the CSP would block Swagger UI's CDN scripts; the schema is at /api/openapi.json
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    for router in ROUTERS:
        app.include_router(router)
    add_frontend_routes(app, settings.static_dir)
    _add_error_handlers(app)
    app.add_middleware(
        FrontDoorMiddleware,
        allowed_origins=settings.origins,
        max_body_bytes=settings.max_body_bytes,
        max_in_flight=settings.max_in_flight,
        latency_target_s=settings.latency_target_ms / 1000,
        on_change=own_changes.note,
    )
    app.openapi = _openapi_with_problems(app)  # type: ignore[method-assign]
    return app


def _add_error_handlers(app: FastAPI) -> None:
    async def on_problem(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, ProblemError)
        return problem_response(exc)

    async def on_rpc_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, grpc.aio.AioRpcError)
        problem = from_rpc_error(exc)
        if problem.status >= 500:
            log.warning("service call failed", code=exc.code().name, status=problem.status)
        return problem_response(problem)

    async def on_validation(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return problem_response(from_validation_errors(exc.errors()))

    async def on_http(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return problem_response(http_error(exc.status_code))

    async def on_store_down(_: Request, exc: Exception) -> Response:
        log.warning("session store unavailable", error=str(exc))
        return problem_response(
            ProblemError(
                status=503,
                reason="SESSION_STORE_UNAVAILABLE",
                detail="We cannot check your sign-in right now. Please try again in a few minutes.",
                headers={"Retry-After": "5"},
            )
        )

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(grpc.aio.AioRpcError, on_rpc_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(StoreUnavailableError, on_store_down)


def _openapi_with_problems(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """FastAPI's document, with errors as application/problem+json and without its 422 (validation
    errors are 400 problems here)."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = original()
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                responses: dict[str, Any] = operation.get("responses", {})
                responses.pop("422", None)
                for code, response in responses.items():
                    content = response.get("content", {})
                    if int(code) >= 400 and "application/json" in content:
                        content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")
        components = schema.get("components", {}).get("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        app.openapi_schema = schema
        return schema

    return openapi
