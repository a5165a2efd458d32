"""`make run`'s launcher starts the real processes; grpcurl sees the services through reflection;
Ctrl-C (SIGTERM here) stops every process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
GRPCURL = str(Path(sys.executable).parent / "grpcurl")

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    data_dir = tmp_path_factory.mktemp("system")
    state = data_dir / "state.json"
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
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 90
    while not state.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    if not state.exists():
        proc.kill()
        output = proc.communicate()[0]
        logs = "".join(p.read_text()[-2000:] for p in (data_dir / "logs").glob("*.log"))
        pytest.fail(f"the system did not start:\n{output}\n{logs}")
    info = json.loads(state.read_text())
    info["proc"] = proc
    info["data_dir"] = data_dir
    yield info
    if proc.poll() is None:
        proc.kill()
        proc.wait()


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
    token = subprocess.run(
        [sys.executable, "-m", "launcher", "token", "--data-dir", str(system["data_dir"]), "--role", "agent"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
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


def test_every_grpc_process_serves_metrics(system: dict[str, object]) -> None:
    ports = system["ports"]
    assert isinstance(ports, dict)
    for process in ("support", "refund", "shop"):
        text = httpx.get(f"http://127.0.0.1:{ports[process + '_metrics']}/metrics", timeout=5).text
        # The launcher's own health probes are calls too, so every process has counted some.
        assert 'grpc_server_requests_total{method="/grpc.health.v1.Health/Check",status="OK"}' in text


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
