"""Prometheus metrics of the HTTP front door. prometheus-client's registry is per process by design,
so these are module-level like kit's gRPC metrics; they are served on BFF_METRICS_PORT (a separate,
loopback-only port: the public port never exposes them)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

HTTP_REQUESTS = Counter(
    "http_server_requests_total",
    "HTTP requests handled, by method, route and status",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "http_server_request_duration_seconds",
    "HTTP request latency, by method and route",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5),
)


def observe(method: str, route: str, status: int, duration_s: float) -> None:
    HTTP_REQUESTS.labels(method, route, str(status)).inc()
    HTTP_LATENCY.labels(method, route).observe(duration_s)
