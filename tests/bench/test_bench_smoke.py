"""`python -m bench --smoke` end to end: small data, a fraction of a second per scenario.

It checks that the benchmark works (so that it cannot rot while the services change): every
scenario ran and got answers, nothing answered with an error that means the benchmark is broken (a
route or RPC that moved, a request the services refuse), the growth table and the targets are
there, and the results JSON is written. It does not check the figures.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from acme.refund.v1 import refund_service_pb2

from bench.report import COST_PREFIX, MIX_ROW
from bench.scenarios import MIX

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.integration

EXPECTED = {
    "ceiling.http.closed",
    "ceiling.passthrough.closed",
    "ceiling.mix.open",
    "ceiling.passthrough.open@50%",
    "ceiling.passthrough.open@75%",
    "ceiling.grpc.GetCase",
    "ceiling.grpc.ListCases",
    "bff.mix.open",
    "bff.case_page.closed",
    "bff.case_page.open@50%",
    "bff.case_page.open@75%",
    "bff.case_page.open@50%own",
    "bff.case_page.open@75%own",
    "bff.queue.closed",
    "bff.search.closed",
    "bff.case_page.unkept.closed",
    "bff.queue.unshared.closed",
    "bff.search.unshared.closed",
    "bff.orders.cached.closed",
    "bff.orders.uncached.closed",
    "bff.orders.cached.open",
    "bff.orders.uncached.open",
    "grpc.support.GetCase",
    "grpc.support.ListCases.queue",
    "grpc.support.ListCases.search",
    "grpc.support.AddCaseMessage",
    "grpc.refund.ListRefunds",
    "grpc.refund.GetRefund",
    "grpc.refund.QuoteRefund",
    "grpc.refund.CreateRefund",
    "grpc.shop.GetOrder",
    "grpc.shop.ListOrders",
}
# Overload shows up as timeouts or as requests the BFF sheds (503 SERVER_BUSY); anything else means
# a request the system refuses or cannot serve.
TOLERATED = {"timeout", "DEADLINE_EXCEEDED", "shed"}


def run_bench(out: Path, *flags: str, timeout_s: float) -> tuple[subprocess.CompletedProcess[str], Any]:
    """`python -m bench --smoke <flags>` into `out`: what it printed, and the results it wrote there
    (as `<stamp><kind>.json`, kind "-smoke" or "-smoke-quick")."""
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", *flags, "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    kind = "-smoke-quick" if "--quick" in flags else "-smoke"
    written = list(out.glob(f"*{kind}.json"))
    assert len(written) == 1, done.stdout[-2000:]
    return done, json.loads(written[0].read_text())


@pytest.mark.timeout(100)
def test_the_smoke_benchmark_runs_end_to_end(tmp_path: Path) -> None:
    done, results = run_bench(tmp_path, timeout_s=90)

    by_name = {s["name"]: s for s in results["scenarios"]}
    assert set(by_name) >= EXPECTED
    for name, scenario in by_name.items():
        assert scenario["all"]["ok"] > 0, f"{name} got no answers: {scenario['all']}"
        for endpoint, summary in scenario["endpoints"].items():
            # A smoke run lasts seconds: a rarely drawn endpoint of a weighted mix may get no turn,
            # but one that was asked must have answered.
            if summary["requests"]:
                assert summary["ok"] > 0, f"{name} / {endpoint} got no answers: {summary}"
            broken = set(summary["error_kinds"]) - TOLERATED
            assert not broken, f"{name} / {endpoint} failed with {summary['error_kinds']}"
    if hasattr(refund_service_pb2, "ApproveRefundRequest"):  # agents approving, once the RPC exists
        assert "grpc.refund.ApproveRefund" in by_name
    mix = by_name["bff.mix.open"]
    assert mix["connections"]["opened"] == mix["connections"]["requested"]
    assert {"customer.case_page", "customer.post_message", "agent.queue", "agent.search"} <= {
        endpoint for endpoint, summary in mix["endpoints"].items() if summary["ok"] > 0
    }
    # Every endpoint of the mix is in it, except those whose route this BFF lacks (listed as such).
    left_out = {entry.split(" ", 1)[0] for entry in results["not_measured"]}
    assert set(mix["endpoints"]) == {e.name for e in MIX} - left_out
    # Each of them alone too (bff.cost.<endpoint>), and the table of what each costs in CPU.
    in_mix = [e.name for e in MIX if e.name not in left_out]
    assert {COST_PREFIX + name for name in in_mix} <= set(by_name)
    costs = results["costs"]
    assert [row["endpoint"] for row in costs] == [*in_mix, MIX_ROW]
    assert costs[-1]["total_ms"] > 0, costs
    for row in costs[:-1]:
        # /proc counts CPU in 10 ms ticks: a run of a handful of requests (the smoke data has a few
        # refunds to approve) may see none. A run of more must cost something.
        if by_name[COST_PREFIX + row["endpoint"]]["all"]["ok"] >= 10:
            assert row["total_ms"] > 0, row
    assert "CPU per request of each endpoint of the mix" in done.stdout

    growth = results["growth"]
    assert growth, "no growth table"
    assert all(row["throughput_rps"] > 0 and row["errors"] == 0 for row in growth), growth
    assert results["targets"], "no targets evaluated"
    assert all(t["ok"] is None for t in results["targets"]), "a smoke run must not judge the figures"
    assert results["meta"]["cpus"] >= 1
    assert "Targets (issue #8)" in done.stdout


@pytest.mark.timeout(60)
def test_the_quick_benchmark_runs_only_the_mix_and_each_endpoint_alone(tmp_path: Path) -> None:
    _, results = run_bench(tmp_path, "--quick", timeout_s=50)

    names = {s["name"] for s in results["scenarios"]}
    left_out = {entry.split(" ", 1)[0] for entry in results["not_measured"]}
    in_mix = {e.name for e in MIX} - left_out
    assert names == {"bff.mix.open"} | {COST_PREFIX + name for name in in_mix}, names
    assert not results["growth"]
    assert [row["endpoint"] for row in results["costs"]][-1] == MIX_ROW
