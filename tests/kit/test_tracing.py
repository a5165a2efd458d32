"""Tracing is off by default and on with an OTLP endpoint; a trace continues from a client span into
the gRPC server's span, through the metadata."""

from collections.abc import Iterator

import grpc
import pytest
from acme.support.v1 import case_service_pb2, case_service_pb2_grpc
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from bff.config import Settings as BffSettings
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


def test_an_otlp_endpoint_turns_tracing_on() -> None:
    # Loopback, and no span is ever ended: nothing is queued for export, so nothing is sent.
    assert tracing.configure("test", "http://127.0.0.1:4317")
    try:
        assert tracing.enabled()
        span = tracing.tracer("test").start_span("never ended")
        assert span.get_span_context().is_valid  # a real tracer, not the no-op one
        with trace.use_span(span, end_on_exit=False):
            carrier = dict(tracing.inject_metadata())
        assert carrier["traceparent"].split("-")[1] == f"{span.get_span_context().trace_id:032x}"
    finally:
        tracing.shutdown()
    assert not tracing.enabled()


@pytest.mark.parametrize("prefix", ["BFF", "SUPPORT", "REFUND", "SHOP"])
def test_each_process_reads_its_otlp_endpoint_from_the_environment(
    prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from refund_svc.config import Settings as RefundSettings
    from shop_stub.config import Settings as ShopSettings
    from support_svc.config import Settings as SupportSettings

    settings_class = {
        "BFF": BffSettings,
        "SUPPORT": SupportSettings,
        "REFUND": RefundSettings,
        "SHOP": ShopSettings,
    }[prefix]
    monkeypatch.setenv("ACME_IDENTITY_SECRET", "s" * 40)
    monkeypatch.delenv(f"{prefix}_OTLP_ENDPOINT", raising=False)
    assert settings_class().otlp_endpoint is None  # type: ignore[call-arg]
    monkeypatch.setenv(f"{prefix}_OTLP_ENDPOINT", "http://127.0.0.1:4317")
    assert settings_class().otlp_endpoint == "http://127.0.0.1:4317"  # type: ignore[call-arg]


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
