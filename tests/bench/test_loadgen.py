"""The load generator measures what it claims: latency from the due time in the open loop (a server
stall shows up in every request that was due during it), from the send in the closed loop, and
errors as errors."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from acme.shop.v1 import order_pb2, order_service_pb2

from bench.ceilings import bare_grpc_handler
from bench.loadgen import GrpcLoad, HttpLoad, Template
from bench.stats import EndpointSamples, percentile

pytestmark = pytest.mark.integration

STALL_S = 0.3


class StallingServer(asyncio.Protocol):
    """HTTP/1.1 keep-alive; answers 200 "ok", except request number `stall_at`, answered STALL_S late,
    paths starting with /missing, answered 404, /busy, answered 503 with Retry-After: 1, and /shed,
    answered 503 with the BFF's SERVER_BUSY problem."""

    count = 0
    stall_at = -1

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: Any = transport
        self.buffer = b""
        self.queue: list[bytes] = []
        self.busy = False

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            self.queue.append(head)
        self._next()

    def _next(self) -> None:
        if self.busy or not self.queue:
            return
        head = self.queue.pop(0)
        StallingServer.count += 1
        line = head.split(b"\r\n", 1)[0]
        status = b"404 Not Found" if b" /missing" in line else b"200 OK"
        extra, body = b"", b"ok"
        if b" /busy" in line:
            status, extra = b"503 Service Unavailable", b"\r\nRetry-After: 1"
        if b" /shed" in line:
            status, body = b"503 Service Unavailable", b'{"status":503,"reason":"SERVER_BUSY"}'
        length = str(len(body)).encode()
        answer = b"HTTP/1.1 " + status + extra + b"\r\nContent-Length: " + length + b"\r\n\r\n" + body
        self.busy = True
        delay = STALL_S if StallingServer.count == StallingServer.stall_at else 0.0
        asyncio.get_running_loop().call_later(delay, self._answer, answer)

    def _answer(self, answer: bytes) -> None:
        self.transport.write(answer)
        self.busy = False
        self._next()


@pytest.fixture
async def http_port() -> AsyncIterator[int]:
    StallingServer.count = 0
    StallingServer.stall_at = -1
    server = await asyncio.get_running_loop().create_server(StallingServer, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()


def plan(port: int, mode: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": "t",
        "kind": "http",
        "port": port,
        "mode": mode,
        "connections": 1,
        "duration_s": 1.0,
        "warmup_s": 0.0,
        "drain_s": 2.0,
        "endpoints": [{"name": "page", "role": "customer", "path": "/api/cases/{case}"}],
        "users": [{"role": "customer", "cookie": "s=1", "vars": {"case": ["1", "2"]}}],
        **extra,
    }


def open_plan_of(port: int, **paths: str) -> dict[str, Any]:
    """An open loop at 100 req/s over endpoints named as given, each asking for its path."""
    endpoints = [{"name": name, "role": "customer", "path": path} for name, path in paths.items()]
    return plan(port, "open", rate=100, endpoints=endpoints)


async def test_open_loop_counts_a_stall_against_every_request_due_during_it(http_port: int) -> None:
    StallingServer.stall_at = 40  # 0.2 s into the run at 200 req/s
    result = await HttpLoad(plan(http_port, "open", rate=200)).run()

    page = result["endpoints"]["page"]
    assert page["errors"] == 0
    assert page["ok"] == 200  # every request due in the window got its answer
    # About 60 requests were due during the 300 ms stall: each waited for it, measured from its due time.
    assert page["max_ms"] >= STALL_S * 1000 * 0.9
    assert page["p95_ms"] > 100


async def test_closed_loop_only_sees_the_stalled_request_itself(http_port: int) -> None:
    StallingServer.stall_at = 40
    result = await HttpLoad(plan(http_port, "closed")).run()

    page = result["endpoints"]["page"]
    assert page["ok"] > 100
    assert page["max_ms"] >= STALL_S * 1000 * 0.9
    assert page["p95_ms"] < 50  # the closed loop waited politely: coordinated omission


async def test_non_2xx_answers_are_errors_with_their_status(http_port: int) -> None:
    result = await HttpLoad(open_plan_of(http_port, ok="/api/x", missing="/missing")).run()

    assert result["endpoints"]["missing"]["errors"] == result["endpoints"]["missing"]["requests"] > 0
    assert result["endpoints"]["missing"]["error_kinds"] == {"404": result["endpoints"]["missing"]["errors"]}
    assert result["endpoints"]["ok"]["errors"] == 0
    assert result["all"]["requests"] == 100


async def test_a_request_the_bff_shed_is_counted_as_shed_other_503s_by_status(http_port: int) -> None:
    result = await HttpLoad(open_plan_of(http_port, shed="/shed", down="/busy")).run()

    shed, down = result["endpoints"]["shed"], result["endpoints"]["down"]
    assert shed["requests"] > 0
    assert shed["error_kinds"] == {"shed": shed["requests"]}
    assert down["requests"] > 0
    assert down["error_kinds"] == {"503": down["requests"]}


async def test_a_closed_loop_told_to_retry_after_a_second_waits_that_long(http_port: int) -> None:
    """As a browser would: a shed request is not sent again at once (a closed loop that did would
    measure only how fast the server says busy)."""
    busy = plan(
        http_port,
        "closed",
        connections=2,
        duration_s=1.5,
        endpoints=[{"name": "busy", "role": "customer", "path": "/busy"}],
    )
    result = await HttpLoad(busy).run()

    # Each connection: one at 0 s, one after its Retry-After at ~1 s, none more within 1.5 s.
    assert result["endpoints"]["busy"]["error_kinds"] == {"503": 4}


async def test_a_dead_port_is_reported_not_hidden() -> None:
    with pytest.raises(RuntimeError, match="could not open any connection"):
        await HttpLoad(plan(9, "open", rate=10)).run()


def test_templates_fill_placeholders_and_leave_json_alone() -> None:
    template = Template('{"body": "{text}", "n": {"k": 1}}')
    assert template.names == ["text"]
    assert template.fill(lambda name: "hi") == '{"body": "hi", "n": {"k": 1}}'


def test_nearest_rank_percentiles() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100
    assert percentile([], 99) == 0.0
    samples = EndpointSamples()
    for v in values:
        samples.ok(v / 1000, "200")
    samples.failed("timeout")
    summary = samples.summary(window_s=2.0)
    assert summary["requests"] == 101
    assert summary["errors"] == 1
    assert summary["throughput_rps"] == 50.0
    assert summary["p99_ms"] == 99.0


async def test_grpc_driver_against_a_bare_server_counts_answers_and_errors() -> None:
    get_order = "/acme.shop.v1.OrderService/GetOrder"
    canned = {
        get_order: order_service_pb2.GetOrderResponse(
            order=order_pb2.Order(order_id="ord_1")
        ).SerializeToString()
    }
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((bare_grpc_handler(canned),))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        request = order_service_pb2.GetOrderRequest(name="orders/ord_1").SerializeToString()
        calls = [
            {"name": "ok", "method": get_order, "requests_b64": [base64.b64encode(request).decode()]},
            {
                "name": "unknown",
                "method": "/acme.shop.v1.OrderService/ListOrders",
                "requests_b64": [base64.b64encode(b"").decode()],
            },
        ]
        result = await GrpcLoad(
            {
                "kind": "grpc",
                "target": f"127.0.0.1:{port}",
                "mode": "closed",
                "concurrency": 4,
                "duration_s": 0.5,
                "warmup_s": 0.1,
                "calls": calls,
            }
        ).run()
    finally:
        await server.stop(0)

    assert result["endpoints"]["ok"]["ok"] > 10
    assert result["endpoints"]["ok"]["errors"] == 0
    assert result["endpoints"]["unknown"]["error_kinds"].keys() == {"UNIMPLEMENTED"}


async def test_sequential_requests_are_each_sent_once() -> None:
    get_order = "/acme.shop.v1.OrderService/GetOrder"
    canned = {get_order: order_service_pb2.GetOrderResponse().SerializeToString()}
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((bare_grpc_handler(canned),))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    requests = [
        base64.b64encode(
            order_service_pb2.GetOrderRequest(name=f"orders/ord_{i}").SerializeToString()
        ).decode()
        for i in range(5)
    ]
    try:
        result = await GrpcLoad(
            {
                "kind": "grpc",
                "target": f"127.0.0.1:{port}",
                "mode": "closed",
                "concurrency": 3,
                "duration_s": 0.5,
                "calls": [
                    {"name": "once", "method": get_order, "requests_b64": requests, "sequential": True}
                ],
            }
        ).run()
    finally:
        await server.stop(0)

    assert result["endpoints"]["once"]["ok"] == 5
    assert result["requests_ran_out"] is True


async def test_consumable_values_are_used_once_then_requests_are_skipped(http_port: int) -> None:
    once = plan(
        http_port,
        "open",
        rate=40,
        duration_s=0.5,
        endpoints=[
            {"name": "approve", "role": "customer", "method": "POST", "path": "/r/{r.id}", "body": "{r.body}"}
        ],
        vars={"r": [{"id": str(i), "body": f'{{"n": {i}}}'} for i in range(5)]},
        consume=["r"],
    )
    result = await HttpLoad(once).run()

    assert result["endpoints"]["approve"]["ok"] == 5
    assert result["skipped_nothing_left"] == {"approve": 15}
    assert sorted(v["id"] for v in result["consumed"]["r"]) == ["0", "1", "2", "3", "4"]
