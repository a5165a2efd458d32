"""Framework ceilings: what the frameworks alone cost, each served by its own process.

    python -m bench.ceilings http --port P
        a bare FastAPI endpoint: every GET/POST path answers a small JSON object
    python -m bench.ceilings grpc --port P --canned FILE
        a bare grpc.aio server: every method named in FILE ({"/pkg.Service/Method": base64 response})
        parses its request and answers the canned response (real protobuf types, no interceptors)
    python -m bench.ceilings passthrough --port P --grpc-addr HOST:PORT --method M --request-b64 B
        a bare FastAPI endpoint that makes one grpc.aio call to the bare gRPC server and answers JSON

The HTTP ones run under uvicorn with the BFF's settings (uvloop, httptools, 75 s keep-alive, backlog
4096, no access log, GC frozen after start-up); the gRPC one like the services (asyncio, GC frozen).
The figures of the real system are divided by these, so both sides pay the same framework costs.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import json
import signal
from pathlib import Path
from typing import Any

import grpc
import uvicorn

# Importing the generated modules registers every message and service of the contracts.
from acme.refund.v1 import refund_service_pb2  # noqa: F401
from acme.shop.v1 import order_service_pb2  # noqa: F401
from acme.support.v1 import case_service_pb2  # noqa: F401
from fastapi import FastAPI
from google.protobuf import descriptor_pool, message_factory

from bff.one_write import OneWriteHttpToolsProtocol

ORIGINAL_GC_THRESHOLD = gc.get_threshold()


def serve_http(app: FastAPI, port: int) -> None:
    """uvicorn exactly as bff/__main__.py runs it (its protocol too: each response in one write)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http=OneWriteHttpToolsProtocol,
        timeout_keep_alive=75,
        backlog=4096,
        access_log=False,
        server_header=False,
        log_config=None,
    )


def bare_http_app() -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.api_route("/{path:path}", methods=["GET", "POST"])
    async def bare(path: str) -> dict[str, str]:
        return {"status": "ok"}

    return app


def passthrough_app(grpc_addr: str, method: str, request: bytes) -> FastAPI:
    state: dict[str, Any] = {}
    output = _method_types(method)[1]

    async def lifespan(_: FastAPI) -> Any:
        channel = grpc.aio.insecure_channel(grpc_addr)
        state["call"] = channel.unary_unary(method, response_deserializer=output.FromString)
        yield
        await channel.close()

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)

    @app.api_route("/{path:path}", methods=["GET", "POST"])
    async def passthrough(path: str) -> dict[str, Any]:
        response = await state["call"](request, timeout=2.0)
        return {"status": "ok", "bytes": response.ByteSize()}

    return app


def _method_types(method: str) -> tuple[Any, Any]:
    """The request and response classes of "/pkg.Service/Method"."""
    service_name, _, method_name = method.lstrip("/").partition("/")
    service = descriptor_pool.Default().FindServiceByName(service_name)
    found = service.methods_by_name[method_name]
    return (
        message_factory.GetMessageClass(found.input_type),
        message_factory.GetMessageClass(found.output_type),
    )


def bare_grpc_handler(canned: dict[str, bytes]) -> grpc.GenericRpcHandler:
    handlers: dict[str, dict[str, grpc.RpcMethodHandler]] = {}
    for method, raw in canned.items():
        request_type, response_type = _method_types(method)
        response = response_type.FromString(raw)

        def make(answer: Any) -> Any:
            async def handle(request: Any, context: Any) -> Any:
                return answer

            return handle

        service_name, _, method_name = method.lstrip("/").partition("/")
        handlers.setdefault(service_name, {})[method_name] = grpc.unary_unary_rpc_method_handler(
            make(response),
            request_deserializer=request_type.FromString,
            response_serializer=response_type.SerializeToString,
        )
    return _Generic(handlers)


class _Generic(grpc.GenericRpcHandler):
    def __init__(self, handlers: dict[str, dict[str, grpc.RpcMethodHandler]]) -> None:
        self._handlers = {
            f"/{service}/{method}": handler
            for service, methods in handlers.items()
            for method, handler in methods.items()
        }

    def service(self, handler_call_details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
        return self._handlers.get(handler_call_details.method)  # type: ignore[attr-defined]


async def serve_grpc(port: int, canned: dict[str, bytes]) -> None:
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((bare_grpc_handler(canned),))
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    gc.collect()
    gc.freeze()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.stop(1.0)


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench.ceilings", description=__doc__)
    kinds = parser.add_subparsers(dest="kind", required=True)
    http = kinds.add_parser("http")
    http.add_argument("--port", type=int, required=True)
    bare = kinds.add_parser("grpc")
    bare.add_argument("--port", type=int, required=True)
    bare.add_argument("--canned", required=True)
    through = kinds.add_parser("passthrough")
    through.add_argument("--port", type=int, required=True)
    through.add_argument("--grpc-addr", required=True)
    through.add_argument("--method", required=True)
    through.add_argument("--request-b64", required=True)
    args = parser.parse_args()
    if args.kind == "http":
        serve_http(bare_http_app(), args.port)
    elif args.kind == "passthrough":
        serve_http(
            passthrough_app(args.grpc_addr, args.method, base64.b64decode(args.request_b64)), args.port
        )
    else:
        canned = {m: base64.b64decode(b) for m, b in json.loads(Path(args.canned).read_text()).items()}
        asyncio.run(serve_grpc(args.port, canned))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
