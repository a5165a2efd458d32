"""Latency samples and their summary: every sample kept, sorted once, exact nearest-rank percentiles.

A run of a minute at a few thousand requests a second is a few hundred thousand floats: keeping
them all is cheaper to get right than a histogram, and the percentiles are exact.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

PERCENTILES = (50.0, 95.0, 99.0)


def percentile(sorted_values: Iterable[float], p: float) -> float:
    """Nearest-rank percentile of values sorted ascending (0.0 when there are none)."""
    values = sorted_values if isinstance(sorted_values, list | array) else list(sorted_values)
    if not values:
        return 0.0
    rank = max(1, math.ceil(p / 100.0 * len(values)))
    return float(values[min(rank, len(values)) - 1])


@dataclass
class EndpointSamples:
    """Latencies (seconds) of the requests that got an answer, and what went wrong with the others."""

    latencies: array[float] = field(default_factory=lambda: array("d"))
    statuses: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)

    def ok(self, latency_s: float, status: str) -> None:
        self.latencies.append(latency_s)
        self.statuses[status] += 1

    def failed(self, kind: str, latency_s: float | None = None) -> None:
        """An error: a non-2xx answer (latency known) or no answer at all (latency None)."""
        self.errors[kind] += 1
        if latency_s is not None:
            self.latencies.append(latency_s)
            self.statuses[kind] += 1

    def summary(self, window_s: float) -> dict[str, Any]:
        values = sorted(self.latencies)
        count = len(values)
        errors = sum(self.errors.values())
        answered_errors = sum(n for kind, n in self.errors.items() if kind in self.statuses)
        return {
            "requests": count + errors - answered_errors,
            "ok": count - answered_errors,
            "errors": errors,
            "error_kinds": dict(self.errors),
            "statuses": dict(self.statuses),
            "throughput_rps": round((count - answered_errors) / window_s, 1) if window_s > 0 else 0.0,
            **{f"p{p:g}_ms": round(percentile(values, p) * 1000, 3) for p in PERCENTILES},
            "mean_ms": round(sum(values) / count * 1000, 3) if count else 0.0,
            "max_ms": round(values[-1] * 1000, 3) if values else 0.0,
        }


class Recorder:
    """Samples per endpoint name, plus a combined summary over all of them."""

    def __init__(self) -> None:
        self.endpoints: dict[str, EndpointSamples] = {}

    def endpoint(self, name: str) -> EndpointSamples:
        samples = self.endpoints.get(name)
        if samples is None:
            samples = self.endpoints[name] = EndpointSamples()
        return samples

    def summary(self, window_s: float) -> dict[str, Any]:
        combined = EndpointSamples()
        for samples in self.endpoints.values():
            combined.latencies.extend(samples.latencies)
            combined.statuses.update(samples.statuses)
            combined.errors.update(samples.errors)
        return {
            "endpoints": {name: s.summary(window_s) for name, s in sorted(self.endpoints.items())},
            "all": combined.summary(window_s),
        }


def merge_summaries(parts: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Only for display: sums counts of summaries from separate runs (percentiles are not merged)."""
    total: dict[str, Any] = {"requests": 0, "ok": 0, "errors": 0}
    for part in parts:
        for key in total:
            total[key] += int(part.get(key, 0))
    return total
