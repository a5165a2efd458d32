"""Prometheus metrics of the BFF. prometheus-client's registry is per process by design, so these are
module-level like kit's gRPC metrics. They are served at GET /metrics, and on BFF_METRICS_PORT (a
loopback-only port of their own) when it is set."""

from __future__ import annotations

from typing import Literal

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, generate_latest

HTTP_REQUESTS = Counter(
    "http_server_requests_total",
    "HTTP requests handled, by method, route and status",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "http_server_request_duration_seconds",
    "HTTP request latency, by method, route and status",
    ["method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5),
)
ORDER_CACHE = Counter(
    "bff_order_cache_lookups_total",
    "Order lookups in the cache, by what was looked up (one order, a customer's orders) and result",
    ["lookup", "result"],
)

SHARED_PAGES = Counter(
    "bff_shared_pages_total",
    "Staff list pages asked for, by how they were answered: kept (hit), a call already running"
    " (joined), a call of their own (miss)",
    ["outcome"],
)

CASE_PAGES = Counter(
    "bff_case_pages_total",
    "Case pages asked for, by how they were answered: from what was kept (kept), or read from the"
    " services (read)",
    ["outcome"],
)
CUSTOMER_LISTS = Counter(
    "bff_customer_lists_total",
    "Customers' lists of their own cases or refunds asked for, by how they were answered: from what"
    " was kept (kept), or read from the services (read)",
    ["outcome"],
)
CASE_PAGE_STREAM_LIVE = Gauge(
    "bff_case_page_stream_live",
    "1 while support_svc's change stream is open and case pages are kept, else 0",
)

CONTENT_TYPE = CONTENT_TYPE_LATEST


def observe(method: str, route: str, status: int, duration_s: float) -> None:
    HTTP_REQUESTS.labels(method, route, str(status)).inc()
    HTTP_LATENCY.labels(method, route, str(status)).observe(duration_s)


def order_cache(lookup: Literal["order", "orders"], hit: bool) -> None:
    ORDER_CACHE.labels(lookup, "hit" if hit else "miss").inc()


_SHARED_PAGE_OUTCOMES = {outcome: SHARED_PAGES.labels(outcome) for outcome in ("hit", "joined", "miss")}


def shared_page(outcome: Literal["hit", "joined", "miss"]) -> None:
    _SHARED_PAGE_OUTCOMES[outcome].inc()


_CASE_PAGE_OUTCOMES = {outcome: CASE_PAGES.labels(outcome) for outcome in ("kept", "read")}


def case_page(outcome: Literal["kept", "read"]) -> None:
    _CASE_PAGE_OUTCOMES[outcome].inc()


_CUSTOMER_LIST_OUTCOMES = {outcome: CUSTOMER_LISTS.labels(outcome) for outcome in ("kept", "read")}


def customer_list(outcome: Literal["kept", "read"]) -> None:
    _CUSTOMER_LIST_OUTCOMES[outcome].inc()


def render() -> bytes:
    """Every metric of this process, in Prometheus' text format."""
    return generate_latest(REGISTRY)
