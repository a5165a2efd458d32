"""Spans recorded in memory while a test runs (tracing on as with an OTLP endpoint, but nothing sent)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from kit import tracing


@contextmanager
def recorded_spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    assert tracing.configure("test", exporter=exporter)
    try:
        yield exporter
    finally:
        tracing.shutdown()


def one_span(spans: Iterable[ReadableSpan], name: str, kind: SpanKind) -> ReadableSpan:
    spans = list(spans)
    found = [s for s in spans if s.name == name and s.kind == kind]
    assert len(found) == 1, [(s.name, s.kind) for s in spans]
    return found[0]


def assert_child_of(child: ReadableSpan, parent: ReadableSpan) -> None:
    assert child.parent is not None, f"{child.name} has no parent"
    assert (child.context.trace_id, child.parent.span_id) == (parent.context.trace_id, parent.context.span_id)
