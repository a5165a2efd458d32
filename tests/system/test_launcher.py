"""`make run`'s launcher starts the real processes and prints the URL and the demo sign-ins;
grpcurl sees the services through reflection; each gRPC process serves its metrics; Ctrl-C (SIGTERM
here) stops every process, each cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import pytest
from acme.refund.v1 import refund_pb2, refund_service_pb2, refund_service_pb2_grpc
from acme.shop.v1 import order_service_pb2, order_service_pb2_grpc
from acme.support.v1 import case_service_pb2, case_service_pb2_grpc

REPO = Path(__file__).resolve().parents[2]
GRPCURL = str(Path(sys.executable).parent / "grpcurl")
DEMO_ACCOUNTS = json.loads((REPO / "bff" / "demo_accounts.json").read_text())

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    data_dir = tmp_path_factory.mktemp("system")
    state = data_dir / "state.json"
    # Files, not pipes: nobody reads a pipe while the tests run, and a full one would block the launcher.
    stdout = (data_dir / "launcher.out").open("w")
    stderr = (data_dir / "launcher.err").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "launcher",
            "run",
            "--free-ports",
            "--quiet",
            "--data-dir",
            str(data_dir),
            "--state-file",
            str(state),
        ],
        cwd=REPO,
        stdout=stdout,
        stderr=stderr,
        text=True,
    )
    deadline = time.monotonic() + 90
    while not state.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    if not state.exists():
        proc.kill()
        proc.wait()
        output = (data_dir / "launcher.out").read_text() + (data_dir / "launcher.err").read_text()
        logs = "".join(p.read_text()[-2000:] for p in (data_dir / "logs").glob("*.log"))
        pytest.fail(f"the system did not start:\n{output}\n{logs}")
    info = json.loads(state.read_text())
    info["proc"] = proc
    info["data_dir"] = data_dir
    yield info
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    stdout.close()
    stderr.close()


def launcher_events(system: dict[str, object]) -> list[dict[str, object]]:
    """The launcher's stdout: JSON lines only (with --quiet, the processes' logs stay in the data dir)."""
    data_dir = system["data_dir"]
    assert isinstance(data_dir, Path)
    lines = (data_dir / "launcher.out").read_text().splitlines()
    return [json.loads(line) for line in lines]


def agent_token(system: dict[str, object]) -> str:
    return subprocess.run(
        [sys.executable, "-m", "launcher", "token", "--data-dir", str(system["data_dir"]), "--role", "agent"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def grpcurl(*args: str) -> str:
    return subprocess.run([GRPCURL, *args], check=True, capture_output=True, text=True, timeout=20).stdout


@pytest.mark.parametrize(
    ("process", "service"),
    [
        ("support", "acme.support.v1.CaseService"),
        ("refund", "acme.refund.v1.RefundService"),
        ("shop", "acme.shop.v1.OrderService"),
    ],
)
def test_grpcurl_lists_the_service_health_and_reflection(
    system: dict[str, object], process: str, service: str
) -> None:
    ports = system["ports"]
    assert isinstance(ports, dict)
    listed = grpcurl("-plaintext", f"127.0.0.1:{ports[process]}", "list").split()
    assert service in listed
    assert "grpc.health.v1.Health" in listed
    assert any(name.startswith("grpc.reflection.") for name in listed)


def test_grpcurl_describes_and_checks_health(system: dict[str, object]) -> None:
    ports = system["ports"]
    assert isinstance(ports, dict)
    described = grpcurl(
        "-plaintext", f"127.0.0.1:{ports['support']}", "describe", "acme.support.v1.CaseService"
    )
    assert "rpc CreateCase" in described
    health = grpcurl(
        "-plaintext", "-d", '{"service": ""}', f"127.0.0.1:{ports['refund']}", "grpc.health.v1.Health/Check"
    )
    assert json.loads(health)["status"] == "SERVING"


def test_business_calls_need_a_token_and_the_demo_cases_are_seeded(system: dict[str, object]) -> None:
    ports = system["ports"]
    assert isinstance(ports, dict)
    address = f"127.0.0.1:{ports['support']}"
    refused = subprocess.run(
        [GRPCURL, "-plaintext", "-d", "{}", address, "acme.support.v1.CaseService/ListCases"],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert refused.returncode != 0
    assert "Unauthenticated" in refused.stdout + refused.stderr
    token = agent_token(system)
    listed = json.loads(
        grpcurl(
            "-plaintext",
            "-H",
            f"authorization: Bearer {token}",
            "-d",
            '{"page_size": 10}',
            address,
            "acme.support.v1.CaseService/ListCases",
        )
    )
    assert len(listed["cases"]) >= 2


def test_the_bff_answers(system: dict[str, object]) -> None:
    url = system["bff_url"]
    assert isinstance(url, str)
    assert httpx.get(f"{url}/api/health", timeout=5).status_code == 200
    anonymous = httpx.get(f"{url}/api/session", timeout=5)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith("application/problem+json")


def test_the_banner_names_the_url_and_every_demo_sign_in(system: dict[str, object]) -> None:
    data_dir = system["data_dir"]
    assert isinstance(data_dir, Path)
    banner = (data_dir / "launcher.err").read_text()  # for people: on stderr, stdout is JSON lines
    assert f"The app is running at {system['bff_url']}/" in banner
    assert "password for all: demo-password" in banner
    for account in DEMO_ACCOUNTS:
        assert account["email"] in banner
    ready = [e for e in launcher_events(system) if e["event"] == "system ready"]
    assert ready == [ready[0]]
    assert ready[0]["url"] == f"{system['bff_url']}/"
    assert ready[0]["service"] == "launcher"


def metric_lines(port: int, name: str, **labels: str) -> list[str]:
    """The sample lines of `name` whose labels include `labels`, in whatever order they come."""
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    return [
        line
        for line in text.splitlines()
        if line.startswith((name + "{", name + " "))
        and all(f'{key}="{value}"' in line for key, value in labels.items())
    ]


def value_of(line: str) -> float:
    return float(line.rsplit(" ", 1)[1])


def test_every_grpc_process_serves_metrics(system: dict[str, object]) -> None:
    ports = system["ports"]
    assert isinstance(ports, dict)
    token = agent_token(system)
    agent = (("authorization", f"Bearer {token}"),)
    # Business calls first: ListCases on support, and a refund created on refund_svc.
    listed = json.loads(
        grpcurl(
            "-plaintext",
            "-H",
            f"authorization: Bearer {token}",
            "-d",
            '{"page_size": 10}',
            f"127.0.0.1:{ports['support']}",
            "acme.support.v1.CaseService/ListCases",
        )
    )
    case_name = listed["cases"][0]["name"]
    with (
        grpc.insecure_channel(f"127.0.0.1:{ports['support']}") as support_channel,
        grpc.insecure_channel(f"127.0.0.1:{ports['shop']}") as shop_channel,
        grpc.insecure_channel(f"127.0.0.1:{ports['refund']}") as refund_channel,
    ):
        order_id = (
            case_service_pb2_grpc.CaseServiceStub(support_channel)
            .GetCase(case_service_pb2.GetCaseRequest(name=case_name), metadata=agent, timeout=10)
            .case.order_id
        )
        order = order_service_pb2_grpc.OrderServiceStub(shop_channel).GetOrder(
            order_service_pb2.GetOrderRequest(name=f"orders/{order_id}"), timeout=10
        )
        refund_service_pb2_grpc.RefundServiceStub(refund_channel).CreateRefund(
            refund_service_pb2.CreateRefundRequest(
                refund=refund_pb2.Refund(
                    case=case_name,
                    order_id=order_id,
                    lines=[refund_pb2.RefundLine(order_line_id=order.order.lines[0].line_id, quantity=1)],
                    reason=refund_pb2.REFUND_REASON_DAMAGED,
                    method=refund_pb2.REFUND_METHOD_STORE_CREDIT,
                ),
                request_id="metrics-test-refund-1",
            ),
            metadata=agent,
            timeout=10,
        )

    support = ports["support_metrics"]
    list_cases = "/acme.support.v1.CaseService/ListCases"
    counted = metric_lines(support, "grpc_server_requests_total", method=list_cases, status="OK")
    assert counted
    assert value_of(counted[0]) >= 1
    buckets = metric_lines(
        support, "grpc_server_request_duration_seconds_bucket", method=list_cases, le="+Inf"
    )
    assert buckets
    assert sum(value_of(line) for line in buckets) >= 1
    # The launcher's own health probes are calls too, so every process has counted some.
    for process in ("support", "refund", "shop"):
        health = metric_lines(
            ports[process + "_metrics"],
            "grpc_server_requests_total",
            method="/grpc.health.v1.Health/Check",
            status="OK",
        )
        assert health, process
        # Each measures how late its event loop runs what is due (kit.loop_lag), four times a second.
        lag = metric_lines(ports[process + "_metrics"], "asyncio_event_loop_lag_seconds_count")
        assert lag, process
        assert value_of(lag[0]) >= 1, process

    refund = ports["refund_metrics"]
    assert metric_lines(refund, "refund_outbox_backlog")
    assert metric_lines(refund, "refund_outbox_delivery_lag_seconds")
    # The refund gauges are read from the database every few seconds.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        amounts = metric_lines(refund, "refund_amount_minor", currency="EUR")
        if amounts and sum(value_of(line) for line in amounts) > 0:
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"no refund amount on refund_svc's metrics port: {amounts}")
    assert sum(value_of(line) for line in metric_lines(refund, "refund_refunds")) >= 1


def test_quiet_processes_write_their_own_log_files(system: dict[str, object]) -> None:
    """With --quiet no log line passes through the launcher (it would spend CPU on every request):
    each process writes its JSON lines to its own file in the data dir."""
    data_dir = system["data_dir"]
    assert isinstance(data_dir, Path)
    for name in ("support", "refund", "shop", "bff"):
        lines = (data_dir / "logs" / f"{name}.log").read_text().splitlines()
        assert lines, name
        events = [json.loads(line) for line in lines]
        assert {e["service"] for e in events} == {"bff" if name == "bff" else _SERVICE_NAMES[name]}, name
    assert all(e["service"] == "launcher" for e in launcher_events(system))
    proc = system["proc"]
    assert isinstance(proc, subprocess.Popen)
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    stdouts = sorted(Path(os.readlink(f"/proc/{pid}/fd/1")).name for pid in children)
    assert stdouts == ["bff.log", "refund.log", "shop.log", "support.log"]  # files, not pipes to us


_SERVICE_NAMES = {"support": "support_svc", "refund": "refund_svc", "shop": "shop_stub"}


def test_sigterm_stops_every_process(system: dict[str, object]) -> None:
    proc = system["proc"]
    assert isinstance(proc, subprocess.Popen)
    children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
    assert len(children) == 4
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    for pid in children:
        with pytest.raises(ProcessLookupError):
            os.kill(int(pid), 0)
    # Every process exited 0 by itself within its grace: none was killed.
    stopped = [e for e in launcher_events(system) if e["event"] == "stopped"]
    assert len(stopped) == 1, stopped
    assert stopped[0]["clean"] is True
    assert stopped[0]["killed"] == []
    assert stopped[0]["returncodes"] == {"bff": 0, "refund": 0, "support": 0, "shop": 0}
