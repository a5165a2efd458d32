"""Running a grpc.aio server the same way in every service.

Health (grpc.health.v1) says NOT_SERVING until start-up work (migrations) is done and again while
shutting down; until start-up is done every other call is refused with UNAVAILABLE (which clients
retry), so that no call reaches a database that is not open yet. Server reflection is on so that
`grpcurl -plaintext host:port list` works. Interceptors put the request id and the caller's identity
into contextvars and log one event per call.
"""

from __future__ import annotations

import asyncio
import inspect
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer
from grpc_reflection.v1alpha import reflection
from prometheus_client import Counter, Histogram, start_http_server

from kit.context import REQUEST_ID_HEADER, identity_var, new_request_id, request_id_var
from kit.errors import build_status
from kit.identity import METADATA_KEY, InvalidTokenError, TokenVerifier
from kit.logs import get_logger
from kit.tracing import server_span

PUBLIC_METHOD_PREFIXES = ("/grpc.health.v1.", "/grpc.reflection.")

log = get_logger("grpc")

RPC_REQUESTS = Counter(
    "grpc_server_requests_total", "gRPC calls handled, by method and status", ["method", "status"]
)
RPC_LATENCY = Histogram(
    "grpc_server_request_duration_seconds",
    "gRPC call latency, by method and status",
    ["method", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)


def _metadata(details: grpc.HandlerCallDetails, key: str) -> str | None:
    for k, v in details.invocation_metadata or ():  # type: ignore[attr-defined]
        if k == key:
            return str(v)
    return None


def _refusing(handler: grpc.RpcMethodHandler, status: grpc.Status) -> grpc.RpcMethodHandler:
    """A handler of the same kind as `handler` that only aborts with `status`."""

    async def refuse(_: Any, context: grpc.aio.ServicerContext) -> None:  # type: ignore[type-arg]
        await context.abort_with_status(status)

    codecs = {
        "request_deserializer": handler.request_deserializer,
        "response_serializer": handler.response_serializer,
    }
    if handler.unary_unary is not None:
        return grpc.unary_unary_rpc_method_handler(refuse, **codecs)
    if handler.unary_stream is not None:
        return grpc.unary_stream_rpc_method_handler(refuse, **codecs)
    if handler.stream_unary is not None:
        return grpc.stream_unary_rpc_method_handler(refuse, **codecs)
    return grpc.stream_stream_rpc_method_handler(refuse, **codecs)


def _status_of(context: grpc.aio.ServicerContext) -> str:  # type: ignore[type-arg]
    code = context.code()
    return code.name if isinstance(code, grpc.StatusCode) else "UNKNOWN"


class RequestContextInterceptor(grpc.aio.ServerInterceptor):
    """Takes the request id from metadata (or makes one), logs one event and counts each call.

    Streaming calls are logged once, when the stream ends. Health checks log at debug level only:
    probes every few hundred milliseconds would drown everything else. Each method's handler is
    wrapped once and the wrapper kept: a new handler per call cost ~10-30 us of CPU per call.
    """

    def __init__(self) -> None:
        # method -> (the handler as found, its wrapper); a different handler found is wrapped anew
        self._wrapped: dict[str, tuple[grpc.RpcMethodHandler, grpc.RpcMethodHandler]] = {}

    async def intercept_service(self, continuation: Any, details: grpc.HandlerCallDetails) -> Any:
        request_id_var.set(_metadata(details, REQUEST_ID_HEADER) or new_request_id())
        handler = await continuation(details)
        if handler is None:
            return None
        method: str = details.method  # type: ignore[attr-defined]
        known = self._wrapped.get(method)
        if known is not None and known[0] is handler:
            return known[1]
        wrapped = _observed(method, handler)
        self._wrapped[method] = (handler, wrapped)
        return wrapped


def _observed(method: str, handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
    """`handler` wrapped to log, count and trace each call of `method`."""
    emit = log.debug if method.startswith("/grpc.health.v1.") else log.info
    children: dict[str, tuple[Any, Any]] = {}  # status -> its counter and histogram

    def record(status: str, started: float) -> None:
        elapsed = time.perf_counter() - started
        metrics = children.get(status)
        if metrics is None:
            metrics = children[status] = (
                RPC_REQUESTS.labels(method, status),
                RPC_LATENCY.labels(method, status),
            )
        metrics[0].inc()
        metrics[1].observe(elapsed)
        emit("rpc", method=method, status=status, duration_ms=round(elapsed * 1000, 2))

    if handler.unary_unary is not None:
        inner = handler.unary_unary

        async def unary(request: Any, context: grpc.aio.ServicerContext) -> Any:  # type: ignore[type-arg]
            started, status = time.perf_counter(), "OK"
            try:
                with server_span(method, context.invocation_metadata(), **{"rpc.system": "grpc"}):
                    return await inner(request, context)
            except asyncio.CancelledError:
                status = "CANCELLED"
                raise
            except BaseException:
                status = _status_of(context)
                raise
            finally:
                record(status, started)

        return grpc.unary_unary_rpc_method_handler(
            unary,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )

    if handler.unary_stream is not None and inspect.isasyncgenfunction(handler.unary_stream):
        inner_stream = handler.unary_stream

        async def stream(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:  # type: ignore[type-arg]
            started, status = time.perf_counter(), "OK"
            try:
                with server_span(method, context.invocation_metadata(), **{"rpc.system": "grpc"}):
                    async for item in inner_stream(request, context):
                        yield item
            except (asyncio.CancelledError, GeneratorExit):
                status = "CANCELLED"
                raise
            except BaseException:
                status = _status_of(context)
                raise
            finally:
                record(status, started)

        return grpc.unary_stream_rpc_method_handler(
            stream,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
    return handler


class AuthInterceptor(grpc.aio.ServerInterceptor):
    """Refuses calls without a valid identity token (UNAUTHENTICATED); health and reflection are open."""

    def __init__(self, secret: str, domain: str) -> None:
        self._tokens = TokenVerifier(secret)
        self._domain = domain

    async def intercept_service(self, continuation: Any, details: grpc.HandlerCallDetails) -> Any:
        method: str = details.method  # type: ignore[attr-defined]
        if method.startswith(PUBLIC_METHOD_PREFIXES):
            return await continuation(details)
        header = _metadata(details, METADATA_KEY) or ""
        scheme, _, token = header.partition(" ")
        try:
            if scheme.lower() != "bearer" or not token:
                raise InvalidTokenError("no bearer token")
            identity_var.set(self._tokens.verify(token))
        except InvalidTokenError:
            handler = await continuation(details)
            status = build_status(
                grpc.StatusCode.UNAUTHENTICATED,
                "A valid identity token is required",
                reason="UNAUTHENTICATED",
                domain=self._domain,
            )
            # Every kind of method is refused, streaming ones included.
            return _refusing(handler, status) if handler is not None else None
        return await continuation(details)


class StartupGate(grpc.aio.ServerInterceptor):
    """Refuses every call but health and reflection with UNAVAILABLE until `open()`: before start-up
    work (migrations) is done a handler would find no database. Clients retry UNAVAILABLE."""

    def __init__(self) -> None:
        self.is_open = False
        self._starting = build_status(
            grpc.StatusCode.UNAVAILABLE,
            "The service is still starting up; try again shortly",
            reason="STARTING_UP",
            domain="acme",
        )

    def open(self) -> None:
        self.is_open = True

    async def intercept_service(self, continuation: Any, details: grpc.HandlerCallDetails) -> Any:
        if self.is_open or details.method.startswith(PUBLIC_METHOD_PREFIXES):  # type: ignore[attr-defined]
            return await continuation(details)
        handler = await continuation(details)
        if handler is None:
            return None
        return _refusing(handler, self._starting)


class GrpcServer:
    """A grpc.aio server with health, reflection, interceptors, a start-up gate and graceful shutdown.

    `drain_s`: on stop, how long health reports NOT_SERVING while calls are still accepted, so that
    clients polling health move away before new calls are refused (taken from the grace).
    """

    def __init__(
        self,
        *,
        port: int,
        host: str = "127.0.0.1",
        service_names: Sequence[str],
        interceptors: Sequence[grpc.aio.ServerInterceptor] = (),
        grace_s: float = 10.0,
        drain_s: float = 0.0,
        metrics_port: int | None = None,
    ) -> None:
        if drain_s < 0:
            raise ValueError(f"drain_s must not be negative, got {drain_s}")
        self.gate = StartupGate()
        # The gate innermost: refused calls are still logged and counted by the interceptors above.
        self.server = grpc.aio.server(interceptors=[*interceptors, self.gate])
        self.health = HealthServicer()
        self.service_names = list(service_names)
        self.grace_s = grace_s
        self.drain_s = drain_s
        self.metrics_port = metrics_port
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        reflection.enable_server_reflection(
            [
                *self.service_names,
                health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
                reflection.SERVICE_NAME,
            ],
            self.server,
        )
        self.port = self.server.add_insecure_port(f"{host}:{port}")

    async def start(self, startup: Callable[[], Awaitable[None]] | None = None) -> None:
        """Starts listening NOT_SERVING (refusing business calls), runs start-up work, then opens the
        gate and reports SERVING."""
        for name in ["", *self.service_names]:
            await self.health.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
        await self.server.start()
        if self.metrics_port is not None:
            # Prometheus scrapes this plain-HTTP port (a thread of prometheus-client's own).
            start_http_server(self.metrics_port, addr="127.0.0.1")
        if startup is not None:
            await startup()
        self.gate.open()
        for name in ["", *self.service_names]:
            await self.health.set(name, health_pb2.HealthCheckResponse.SERVING)

    async def stop(self) -> None:
        """Reports NOT_SERVING, waits `drain_s` (within the grace), then refuses new calls and lets
        calls in flight finish within what is left of the grace."""
        await self.health.enter_graceful_shutdown()
        drain_s = min(self.drain_s, self.grace_s)
        if drain_s > 0:
            await asyncio.sleep(drain_s)  # a deliberate pause for pollers, not a synchronisation
        await self.server.stop(self.grace_s - drain_s)


async def run_until_signalled(
    server: GrpcServer,
    startup: Callable[[], Awaitable[None]] | None,
    shutdown: Callable[[], Awaitable[None]] | None,
) -> None:
    """Serves until SIGTERM or SIGINT, then shuts down gracefully and runs `shutdown`."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await server.start(startup)
    log.info("serving", port=server.port)
    await stop.wait()
    log.info("shutting down", grace_s=server.grace_s)
    await server.stop()
    if shutdown is not None:
        await shutdown()
    log.info("stopped")
