"""OpenTelemetry tracing across processes: off by default, on with an OTLP endpoint.

`configure(service, endpoint)` installs a tracer provider for the process (or a test's own span
exporter). gRPC servers then open a SERVER span per call, continuing the trace whose W3C
`traceparent` arrived in the metadata; clients add theirs with `inject_metadata()`. When tracing
is off nothing is installed and every helper here costs a dictionary lookup at most.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter

_state: dict[str, TracerProvider] = {}


def configure(service: str, endpoint: str | None = None, exporter: SpanExporter | None = None) -> bool:
    """Turns tracing on when an OTLP endpoint (or a test exporter) is given. Returns whether it is on."""
    if not endpoint and exporter is None:
        return False
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint, insecure=True)))
    _state["provider"] = provider
    return True


def enabled() -> bool:
    return "provider" in _state


def shutdown() -> None:
    provider = _state.pop("provider", None)
    if provider is not None:
        provider.shutdown()


def tracer(name: str) -> trace.Tracer:
    provider = _state.get("provider")
    return provider.get_tracer(name) if provider is not None else trace.NoOpTracer()


def inject_metadata() -> list[tuple[str, str]]:
    """The current trace context as gRPC metadata (empty when tracing is off)."""
    if not enabled():
        return []
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return list(carrier.items())


def extract(carrier: dict[str, str]) -> otel_context.Context:
    return propagate.extract(carrier)


@contextmanager
def span(name: str, kind: trace.SpanKind = trace.SpanKind.INTERNAL, **attributes: Any) -> Iterator[None]:
    """A span around a block (SQLite, Redis, outbound calls); nothing at all when tracing is off."""
    if not enabled():
        yield
        return
    with tracer("acme").start_as_current_span(name, kind=kind, attributes=attributes):
        yield


def rpc_name(request: Any) -> str:
    """ "acme.support.v1.GetCaseRequest" -> "acme.support.v1.GetCase": the method a request is for."""
    descriptor = getattr(request, "DESCRIPTOR", None)
    full_name = str(getattr(descriptor, "full_name", type(request).__name__))
    return full_name.removesuffix("Request")


def client_span(request: Any) -> AbstractContextManager[None]:
    """A CLIENT span around one outbound gRPC call, named after its method (inject_metadata() inside
    it carries the span to the server)."""
    return span(rpc_name(request), kind=trace.SpanKind.CLIENT, **{"rpc.system": "grpc"})


@contextmanager
def server_span(name: str, metadata: Sequence[tuple[str, Any]] | None, **attributes: Any) -> Iterator[None]:
    """A SERVER span continuing the caller's trace from its metadata (traceparent/tracestate)."""
    if not enabled():
        yield
        return
    carrier = {str(k): str(v) for k, v in metadata or () if k in ("traceparent", "tracestate")}
    parent = extract(carrier)
    with tracer("acme").start_as_current_span(
        name, context=parent, kind=trace.SpanKind.SERVER, attributes=attributes
    ):
        yield
