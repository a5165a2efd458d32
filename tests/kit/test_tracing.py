"""A trace continues from a client span into the gRPC server's span, through the metadata."""

from collections.abc import Iterator

import grpc
import pytest
from acme.support.v1 import case_service_pb2, case_service_pb2_grpc
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from kit import tracing
from kit.grpc_server import AuthInterceptor, GrpcServer, RequestContextInterceptor
from kit.identity import Identity, Role, bearer_metadata

from .test_grpc_server import SECRET, EchoCases


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    spans = InMemorySpanExporter()
    assert tracing.configure("test", exporter=spans)
    yield spans
    tracing.shutdown()


def test_tracing_is_off_without_an_endpoint() -> None:
    assert not tracing.configure("test")
    assert not tracing.enabled()
    assert tracing.inject_metadata() == []


async def test_one_trace_spans_the_client_and_the_server(exporter: InMemorySpanExporter) -> None:
    srv = GrpcServer(
        port=0,
        service_names=["acme.support.v1.CaseService"],
        interceptors=[RequestContextInterceptor(), AuthInterceptor(SECRET, "test.acme")],
        grace_s=1,
    )
    case_service_pb2_grpc.add_CaseServiceServicer_to_server(EchoCases(), srv.server)  # type: ignore[abstract]
    await srv.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{srv.port}") as channel:
            stub = case_service_pb2_grpc.CaseServiceStub(channel)
            with tracing.span("bff GET /api/cases/{id}", kind=SpanKind.CLIENT):
                metadata = (
                    *bearer_metadata(SECRET, Identity("cus_1", Role.CUSTOMER)),
                    *tracing.inject_metadata(),
                )
                await stub.GetCase(case_service_pb2.GetCaseRequest(name="cases/1"), metadata=metadata)
    finally:
        await srv.stop()
    spans = {s.name: s for s in exporter.get_finished_spans()}
    client = spans["bff GET /api/cases/{id}"]
    server = spans["/acme.support.v1.CaseService/GetCase"]
    assert server.kind == SpanKind.SERVER
    assert server.context.trace_id == client.context.trace_id
    assert server.parent is not None
    assert server.parent.span_id == client.context.span_id
