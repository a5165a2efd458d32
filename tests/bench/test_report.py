"""bench.report's table of what each endpoint of the mix costs, on hand-made results."""

from __future__ import annotations

from typing import Any

from bench.report import COST_PREFIX, MIX_ROW, cost_table, endpoint_costs, evaluate


def _alone(endpoint: str, rps: float, cpu: dict[str, float]) -> dict[str, Any]:
    summary = {"throughput_rps": rps, "p99_ms": 9.0, "errors": 0}
    return {"name": COST_PREFIX + endpoint, "rate": rps, "all": summary, "cpu": cpu}


def test_the_cost_table_weighs_each_endpoint_by_its_share_of_the_mix() -> None:
    scenarios = [
        # 5 ms of bff and 1 of support a request; the load generator's CPU is not the system's.
        _alone("a", 100.0, {"bff": 50.0, "support": 10.0, "loadgen": 30.0, "machine_busy": 90.0}),
        # 4 + 5.9 + 0.1 ms: a process under 1% of a core still counts at a low rate.
        _alone("b", 50.0, {"bff": 20.0, "refund": 29.5, "redis": 0.5}),
        {**_alone("a", 500.0, {"bff": 100.0}), "name": "bff.mix.open"},
    ]

    rows = endpoint_costs(scenarios, {"a": 3, "b": 1, "c": 2})  # c: not measured

    a, b, mix = rows
    assert (a["endpoint"], a["cpu_ms"]["bff"], a["cpu_ms"]["support"], a["total_ms"]) == ("a", 5.0, 1.0, 6.0)
    assert (b["endpoint"], b["total_ms"], b["cpu_ms"]["redis"]) == ("b", 10.0, 0.1)
    # Shares: 3 x 6 = 18 and 1 x 10 = 10 of 28; the mix's mean: 28 / 4 (c left out of both).
    assert (a["share_percent"], b["share_percent"]) == (64.3, 35.7)
    assert (mix["endpoint"], mix["total_ms"], mix["cpu_ms"]["bff"], mix["weight"]) == (MIX_ROW, 7.0, 4.75, 4)
    assert mix["not_measured"] == ["c"]
    text = cost_table(rows, 150.0)
    assert "alone at 150 req/s" in text
    assert "not measured, left out of the mean: c" in text
    assert "b 50.0 req/s" in text  # ran slower than the others


def _mix(rate: float, connections: int) -> dict[str, Any]:
    summary = {"errors": 0, "p99_ms": 40.0, "max_ms": 90.0, "throughput_rps": rate}
    return {
        "name": "bff.mix.open",
        "rate": rate,
        "connections": {"requested": connections, "opened": connections},
        "all": summary,
        "endpoints": {"agent.queue": summary},
    }


def test_the_mix_is_judged_only_at_the_targets_load() -> None:
    at_target = evaluate({"scenarios": [_mix(1000.0, 5000)]}, smoke=False)
    assert [(t["name"], t["ok"]) for t in at_target] == [
        ("mix: errors", True),
        ("mix: p99 ms", True),
        ("mix: max ms", True),
        ("mix: agent.queue p99 ms", True),
    ]

    lighter = evaluate({"scenarios": [_mix(400.0, 5000)]}, smoke=False)  # e.g. --quick --rate 400
    assert {t["ok"] for t in lighter} == {None}
    assert lighter[0]["name"] == "mix at 400 req/s over 5,000 connections, not judged: errors"


def test_what_the_mix_answers_is_also_given_in_units_of_the_passthrough() -> None:
    passthrough = {"name": "ceiling.passthrough.closed", "all": {"throughput_rps": 2000.0}}
    targets = evaluate({"scenarios": [_mix(400.0, 5000), passthrough]}, smoke=False)

    yardstick = [t for t in targets if "passthrough" in t["name"]]
    assert yardstick == [
        {
            "name": "mix: answered req/s / passthrough req/s (closed loop), to compare runs",
            "value": 0.2,
            "target": "(information)",
            "ok": None,
        }
    ]
