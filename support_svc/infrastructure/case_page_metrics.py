"""Prometheus figures of the kept case pages (application/case_pages.py): reads answered from a kept
page or not, and how many pages are kept. Read from the CasePages of the server built last (one per
process; tests build several)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import REGISTRY
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from support_svc.application.case_pages import CasePages

_pages: CasePages | None = None


class _CasePageCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        pages = _pages
        if pages is None:
            return
        reads = CounterMetricFamily(
            "support_case_page_reads", "GetCase reads, by whether a kept page answered", labels=["outcome"]
        )
        reads.add_metric(["kept"], pages.hits)
        reads.add_metric(["read"], pages.misses)
        yield reads
        yield GaugeMetricFamily("support_case_pages_kept", "GetCase answers kept now", value=len(pages))


REGISTRY.register(_CasePageCollector())


def report(pages: CasePages) -> None:
    global _pages
    _pages = pages
