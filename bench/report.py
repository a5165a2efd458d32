"""The printed table, the ratios to the ceilings, and the targets of issue #8."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# Which ceiling (or other scenario) each scenario is compared with, and on what.
#   "throughput": this req/s divided by that req/s (closed loop: higher is better)
#   "p99":        this p99 divided by that p99 at the same rate and connections (lower is better)
COMPARISONS: dict[str, tuple[str, str]] = {
    "bff.mix.open": ("ceiling.mix.open", "p99"),
    "bff.case_page.closed": ("ceiling.passthrough.closed", "throughput"),
    "bff.case_page.open@50%": ("ceiling.passthrough.open@50%", "p99"),
    "bff.case_page.open@75%": ("ceiling.passthrough.open@75%", "p99"),
    "bff.queue.closed": ("ceiling.passthrough.closed", "throughput"),
    "bff.search.closed": ("ceiling.passthrough.closed", "throughput"),
    "bff.case_page.unkept.closed": ("ceiling.passthrough.closed", "throughput"),
    "bff.queue.unshared.closed": ("ceiling.passthrough.closed", "throughput"),
    "bff.search.unshared.closed": ("ceiling.passthrough.closed", "throughput"),
    "bff.orders.cached.closed": ("bff.orders.uncached.closed", "throughput"),
    "bff.orders.cached.open": ("bff.orders.uncached.open", "p99"),
    "ceiling.passthrough.closed": ("ceiling.http.closed", "throughput"),
}
GRPC_CEILING_PREFIX = "ceiling.grpc."


def comparison_for(name: str) -> tuple[str, str] | None:
    if name in COMPARISONS:
        return COMPARISONS[name]
    if name.startswith("grpc."):
        method = name.split(".")[2]  # grpc.<service>.<Method>[.<variant>]
        return f"{GRPC_CEILING_PREFIX}{method}", "throughput"
    return None


def find(results: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((s for s in results["scenarios"] if s["name"] == name), None)


def _ratio(mine: dict[str, Any], theirs: dict[str, Any], metric: str) -> float | None:
    if metric == "throughput":
        a, b = mine["throughput_rps"], theirs["throughput_rps"]
    else:
        a, b = mine["p99_ms"], theirs["p99_ms"]
    return round(a / b, 2) if a and b else None


def ratios(results: dict[str, Any], scenario: dict[str, Any]) -> dict[str, tuple[float | None, str, str]]:
    """Per endpoint (and "all"): (ratio, metric, compared scenario)."""
    found = comparison_for(scenario["name"])
    if found is None:
        return {}
    other_name, metric = found
    other = find(results, other_name)
    if other is None:
        return {}
    out: dict[str, tuple[float | None, str, str]] = {}
    for endpoint, summary in scenario["endpoints"].items():
        theirs = other["endpoints"].get(endpoint) or other["all"]
        out[endpoint] = (_ratio(summary, theirs, metric), metric, other_name)
    out["all"] = (_ratio(scenario["all"], other["all"], metric), metric, other_name)
    return out


def _describe(s: dict[str, Any]) -> str:
    conns = s.get("connections", {}).get("opened") if s["kind"] == "http" else s.get("concurrency")
    what = "connections" if s["kind"] == "http" else "in flight"
    load = f"{s['rate']:g} req/s" if s["mode"] == "open" else "as fast as answered"
    return f"{s['mode']} loop, {load}, {conns} {what}, {s['window_s']:g} s"


def one_line(s: dict[str, Any]) -> str:
    a = s["all"]
    kinds = f" {a['error_kinds']}" if a["errors"] else ""
    return (
        f"  {s['name']:<34} {a['throughput_rps']:>8.1f} req/s  p50 {a['p50_ms']:>7.1f}"
        f"  p99 {a['p99_ms']:>7.1f}  max {a['max_ms']:>7.1f} ms  errors {a['errors']}{kinds}"
    )


def _row(label: str, s: dict[str, Any], ratio: tuple[float | None, str, str] | None) -> str:
    text = ""
    if ratio is not None and ratio[0] is not None:
        sign = "x" if ratio[1] == "throughput" else "x p99"
        text = f"{ratio[0]:.2f}{sign} of {ratio[2]}"
    return (
        f"  {label:<30} {s['throughput_rps']:>9.1f} {s['p50_ms']:>8.1f} {s['p95_ms']:>8.1f}"
        f" {s['p99_ms']:>8.1f} {s['max_ms']:>8.1f} {s['errors']:>7}  {text}"
    )


def table(results: dict[str, Any]) -> str:
    meta = results["meta"]
    lines = [
        "",
        f"Machine: {meta['cpu_model']}, {meta['cpus']} CPUs, {meta['memory_gb']} GB; commit {meta['commit']};"
        f" background load before start {meta['background_cpu_percent']}% of a core",
        "",
        f"  {'scenario / endpoint':<30} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"
        f" {'errors':>7}  vs",
    ]
    for s in results["scenarios"]:
        compared = ratios(results, s)
        lines.append(f"{s['name']}  ({_describe(s)})")
        if len(s["endpoints"]) > 1:
            for endpoint, summary in s["endpoints"].items():
                lines.append(_row(endpoint, summary, compared.get(endpoint)))
        lines.append(_row("all", s["all"], compared.get("all")))
        cpu = s.get("cpu") or {}
        if cpu:
            lines.append(_cpu_line(s, cpu))
        errors = s["all"].get("error_kinds")
        if errors:
            lines.append(f"  errors: {errors}")
    if results.get("growth"):
        lines += ["", growth_table(results["growth"])]
    if results.get("costs"):
        lines += ["", cost_table(results["costs"], meta.get("options", {}).get("cost_rate"))]
    if results.get("targets"):
        lines += ["", "Targets (issue #8):"]
        for t in results["targets"]:
            mark = "PASS" if t["ok"] else "MISS" if t["ok"] is False else "n/a "
            lines.append(f"  [{mark}] {t['name']}: {t['value']} (target {t['target']})")
    if results.get("not_measured"):
        lines += ["", "Not measurable yet: " + "; ".join(results["not_measured"])]
    return "\n".join(lines)


MACHINE_KEYS = ("machine_busy", "outside_benchmark", "cores")


def cpu_per_request(s: dict[str, Any], *, min_percent: float = 1.0) -> dict[str, float]:
    """CPU milliseconds per answered request, per process that used at least `min_percent` of a core
    (below 1%, mostly idle work)."""
    cpu, rps = s.get("cpu") or {}, s["all"]["throughput_rps"]
    if not rps or s.get("shared_plan"):
        return {}
    return {k: round(v * 10 / rps, 2) for k, v in cpu.items() if k not in MACHINE_KEYS and v >= min_percent}


def _cpu_line(s: dict[str, Any], cpu: dict[str, float]) -> str:
    busy = ", ".join(f"{k} {v:g}" for k, v in cpu.items() if k not in MACHINE_KEYS and v >= 1)
    per = ", ".join(f"{k} {v:g}" for k, v in cpu_per_request(s).items())
    lag = s["generator"]["scheduler_lag"]["p99_ms"]
    text = (
        f"  cpu % of a core: {busy}; machine busy {cpu.get('machine_busy')}"
        f" (outside the benchmark {cpu.get('outside_benchmark')}); generator lag p99 {lag} ms"
    )
    return text + (f"\n  cpu ms per answered request: {per}" if per else "")


def growth_table(rows: Iterable[dict[str, Any]]) -> str:
    rows = list(rows)
    sizes = sorted({r["cases"] for r in rows})
    queries = list(dict.fromkeys(r["query"] for r in rows))
    by = {(r["cases"], r["query"]): r for r in rows}
    header = f"  {'support_svc alone, one call at a time':<38}" + "".join(
        f"{f'{n:,} cases':>22}" for n in sizes
    )
    lines = [
        "Growth: p50 / p99 ms of ListCases (direct gRPC)",
        header,
    ]
    for q in queries:
        cells = ""
        for n in sizes:
            r = by.get((n, q))
            cells += f"{f'{r["p50_ms"]:.2f} / {r["p99_ms"]:.2f}':>22}" if r else f"{'-':>22}"
        lines.append(f"  {q:<38}{cells}")
    dbs = "".join(f"{f'{by[(n, queries[0])]["db_mb"]:,} MB':>22}" for n in sizes if (n, queries[0]) in by)
    lines.append(f"  {'support.db size':<38}{dbs}")
    return "\n".join(lines)


COST_PREFIX = "bff.cost."
COST_PROCESSES = ("bff", "support", "refund", "shop", "redis")
MIX_ROW = "mix (weighted mean)"


def endpoint_costs(scenarios: Iterable[dict[str, Any]], weights: Mapping[str, float]) -> list[dict[str, Any]]:
    """One row per endpoint of the mix measured alone (bff.cost.<endpoint>): its CPU ms per answered
    request in each process of the system, their total, its weight in the mix and its estimated share
    of the mix's CPU (weight x total / the sum of weight x total over the endpoints). Last, a row of
    the mix: the weighted mean CPU per request (sum of weight x total / sum of weight). Endpoints not
    measured get no row and are left out of the sums (named in the last row)."""
    by_name = {s["name"]: s for s in scenarios}
    rows: list[dict[str, Any]] = []
    for endpoint, weight in weights.items():
        s = by_name.get(COST_PREFIX + endpoint)
        if s is None:
            continue
        a = s["all"]
        rps = a["throughput_rps"]
        # Every process, however little it used: an endpoint that uses values up runs at a low
        # rate, where under 1% of a core can be a fair part of a request.
        used = cpu_per_request(s, min_percent=0.0)
        per = {p: used.get(p, 0.0) for p in COST_PROCESSES}
        rows.append(
            {
                "endpoint": endpoint,
                "rate": s.get("rate"),
                "throughput_rps": rps,
                "p99_ms": a["p99_ms"],
                "errors": a["errors"],
                "cpu_ms": per,
                "total_ms": round(sum(per.values()), 2),
                "weight": weight,
            }
        )
    if not rows:
        return []
    weighted = sum(r["weight"] * r["total_ms"] for r in rows)
    for r in rows:
        r["share_percent"] = round(100 * r["weight"] * r["total_ms"] / weighted, 1) if weighted else None
    total_weight = sum(r["weight"] for r in rows)
    mean = {
        p: round(sum(r["weight"] * r["cpu_ms"][p] for r in rows) / total_weight, 2) for p in COST_PROCESSES
    }
    rows.append(
        {
            "endpoint": MIX_ROW,
            "rate": None,
            "throughput_rps": None,
            "p99_ms": None,
            "errors": None,
            "cpu_ms": mean,
            "total_ms": round(weighted / total_weight, 2),
            "weight": total_weight,
            "share_percent": 100.0 if weighted else None,
            "not_measured": [e for e in weights if COST_PREFIX + e not in by_name],
        }
    )
    return rows


def _cell(value: Any, width: int, spec: str) -> str:
    return f"{'-' if value is None else format(value, spec):>{width}}"


def cost_table(rows: list[dict[str, Any]], rate: float | None) -> str:
    """endpoint_costs' rows as text."""
    at = f"alone at {rate:g} req/s" if rate else "alone"
    lines = [
        f"CPU per request of each endpoint of the mix, {at} (ms of one core)",
        f"  {'endpoint':<26} {'req/s':>8} {'p99 ms':>8} {'errors':>7}"
        + "".join(f" {p:>7}" for p in COST_PROCESSES)
        + f" {'total':>7} {'weight':>7} {'share %':>8}",
    ]
    for r in rows:
        lines.append(
            f"  {r['endpoint']:<26}{_cell(r['throughput_rps'], 9, '.1f')}{_cell(r['p99_ms'], 9, '.1f')}"
            f"{_cell(r['errors'], 8, 'd')}"
            + "".join(_cell(r["cpu_ms"][p], 8, ".2f") for p in COST_PROCESSES)
            + _cell(r["total_ms"], 8, ".2f")
            + _cell(r["weight"], 8, "g")
            + _cell(r["share_percent"], 9, ".1f")
        )
    slower = [r for r in rows if rate and r["rate"] is not None and r["rate"] < rate]
    if slower:
        lines.append(
            "  at a lower rate, so that the values they use up last the run: "
            + ", ".join(f"{r['endpoint']} {r['rate']:.1f} req/s" for r in slower)
        )
    left_out = rows[-1].get("not_measured") if rows else None
    if left_out:
        lines.append("  not measured, left out of the mean: " + ", ".join(left_out))
    return "\n".join(lines)


def _capacity(results: dict[str, Any], prefix: str, label: str) -> list[dict[str, Any]]:
    probes = [s for s in results["scenarios"] if s["name"].startswith(prefix)]
    if not probes:
        return []
    held = [
        float(s["rate"])
        for s in probes
        if s["all"]["errors"] == 0 and s["all"]["p99_ms"] < 100 and s["all"]["max_ms"] < 200
    ]
    return [
        _target(
            f"{label}: highest probed rate that holds p99 < 100 ms, max < 200 ms, no errors (req/s)",
            max(held) if held else f"none of {[s['rate'] for s in probes]}",
            "(information)",
            None,
        )
    ]


def _target(name: str, value: Any, target: str, ok: bool | None) -> dict[str, Any]:
    return {"name": name, "value": value, "target": target, "ok": ok}


def _throughput_ratio(
    result: dict[str, Any] | None, ceiling: dict[str, Any], name: str
) -> list[dict[str, Any]]:
    """A ratio of throughputs shown for information next to a target (none when not measured)."""
    if result is None:
        return []
    ratio = round(result["all"]["throughput_rps"] / ceiling["all"]["throughput_rps"], 2)
    return [_target(name, ratio, "(information)", None)]


MIX_TARGET_RATE = 1000.0
MIX_TARGET_CONNECTIONS = 5000


def evaluate(results: dict[str, Any], *, smoke: bool) -> list[dict[str, Any]]:
    """The targets of issue #8 against this run (in a smoke run they are informational only)."""
    targets: list[dict[str, Any]] = []
    mix, bare_mix = find(results, "bff.mix.open"), find(results, "ceiling.mix.open")
    if mix:
        a = mix["all"]
        # The target's load is 1,000 req/s over 5,000 connections; a mix run at another (--rate,
        # --connections) is shown, not judged.
        rate, connections = mix.get("rate"), (mix.get("connections") or {}).get("requested")
        at_target = rate == MIX_TARGET_RATE and connections == MIX_TARGET_CONNECTIONS
        label = "mix" if at_target else f"mix at {rate:g} req/s over {connections:,} connections, not judged"

        def judged(ok: bool) -> bool | None:
            return ok if at_target else None

        targets += [
            _target(f"{label}: errors", a["errors"], "0", judged(a["errors"] == 0)),
            _target(f"{label}: p99 ms", a["p99_ms"], "< 100", judged(a["p99_ms"] < 100)),
            _target(f"{label}: max ms", a["max_ms"], "< 200", judged(a["max_ms"] < 200)),
        ]
        if bare_mix and bare_mix["all"]["p99_ms"]:
            ratio = round(a["p99_ms"] / bare_mix["all"]["p99_ms"], 2)
            aim = f"{label}: p99 / bare FastAPI p99 (aim)"
            targets.append(_target(aim, ratio, "<= 2", judged(ratio <= 2)))
        for endpoint in ("agent.queue", "agent.search"):
            summary = mix["endpoints"].get(endpoint)
            if summary:
                p99 = summary["p99_ms"]
                targets.append(_target(f"{label}: {endpoint} p99 ms", p99, "< 50", judged(p99 < 50)))
    page, through = find(results, "bff.case_page.closed"), find(results, "ceiling.passthrough.closed")
    if mix and through and through["all"]["throughput_rps"]:
        # Machines of one kind differ by up to 1.8x in speed (bench/README.md): what the mix answers, in
        # units of the same run's passthrough, compares across runs where req/s does not.
        targets += _throughput_ratio(
            mix, through, "mix: answered req/s / passthrough req/s (closed loop), to compare runs"
        )
    if page and through and through["all"]["throughput_rps"]:
        ratio = round(page["all"]["throughput_rps"] / through["all"]["throughput_rps"], 2)
        targets.append(
            _target("case page req/s / passthrough req/s (closed loop)", ratio, ">= 0.7", ratio >= 0.7)
        )
        # The same with no case page kept (bff.case_pages): every page read from the services.
        targets += _throughput_ratio(
            find(results, "bff.case_page.unkept.closed"),
            through,
            "case page with no page kept: req/s / passthrough req/s (closed loop)",
        )
    for share in (50, 75):
        opened = find(results, f"bff.case_page.open@{share}%")
        if opened:
            a = opened["all"]
            targets.append(
                _target(
                    f"case page open loop at {share}% of the passthrough rate: p99 ms (errors)",
                    f"{a['p99_ms']} ({a['errors']})",
                    "< 200, no errors",
                    a["p99_ms"] < 200 and a["errors"] == 0,
                )
            )
    for share in (50, 75):
        opened = find(results, f"bff.case_page.open@{share}%own")
        if opened:
            a = opened["all"]
            targets.append(
                _target(
                    f"case page open loop at {share}% of its own closed-loop rate ({opened['rate']:g} req/s):"
                    " p99 ms (errors)",
                    f"{a['p99_ms']} ({a['errors']})",
                    "< 200, no errors (information)",
                    a["p99_ms"] < 200 and a["errors"] == 0,
                )
            )
    get_case, bare = find(results, "grpc.support.GetCase"), find(results, "ceiling.grpc.GetCase")
    if get_case and bare and bare["all"]["throughput_rps"]:
        ratio = round(get_case["all"]["throughput_rps"] / bare["all"]["throughput_rps"], 2)
        targets.append(_target("GetCase req/s / bare grpc.aio req/s", ratio, ">= 0.65", ratio >= 0.65))
        # The same with every read a case not read before: no kept page answers (support_svc's CasePages).
        targets += _throughput_ratio(
            find(results, "grpc.support.GetCase.unread"),
            bare,
            "GetCase, every read a case not read before: req/s / bare grpc.aio req/s",
        )
    cached, uncached = find(results, "bff.orders.cached.closed"), find(results, "bff.orders.uncached.closed")
    if cached and uncached and uncached["all"]["throughput_rps"]:
        ratio = round(cached["all"]["throughput_rps"] / uncached["all"]["throughput_rps"], 2)
        targets.append(_target("cached / uncached order lookups, req/s", ratio, ">= 1.5", ratio >= 1.5))
    cached_open, uncached_open = (
        find(results, "bff.orders.cached.open"),
        find(results, "bff.orders.uncached.open"),
    )
    if cached_open and uncached_open:
        a, b = cached_open["all"]["p99_ms"], uncached_open["all"]["p99_ms"]
        targets.append(
            _target(
                "cached vs uncached order lookups, p99 ms at the same rate", f"{a} vs {b}", "lower", a < b
            )
        )
    for prefix, label in (
        ("bff.mix.open@", "mix"),
        ("bff.mix_unshared.open@", "mix with no page shared or kept"),
    ):
        targets += _capacity(results, prefix, label)
    hundred_k = [r for r in results.get("growth", []) if r["cases"] == 100_000]
    for row in hundred_k:
        if row["query"].startswith(("queue", "search")):
            targets.append(
                _target(
                    f"support_svc at 100k cases, {row['query']}: p99 ms",
                    row["p99_ms"],
                    "< 50",
                    row["p99_ms"] < 50,
                )
            )
    if smoke:
        for t in targets:
            t["ok"] = None  # a smoke run checks that the benchmark works, not the figures
    return targets
