"""Every line a real process prints on stdout is one JSON object with a level and a timestamp: the
kit's own events and the standard library's (uvicorn's "Started server process", asyncio, grpc),
from start-up through SIGTERM to the last line."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from launcher.system import free_port
from tests.bff.helpers import SECRET

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]


def parse_log_line(raw: bytes | str) -> dict[str, Any]:
    line = (raw.decode() if isinstance(raw, bytes) else raw).rstrip("\n")
    try:
        entry = json.loads(line)
    except ValueError as err:
        raise AssertionError(f"not a JSON line: {line!r}") from err
    assert isinstance(entry, dict), line
    assert {"level", "timestamp", "event"} <= entry.keys(), line
    return entry


async def test_every_stdout_line_of_the_bff_is_json_through_sigterm() -> None:
    port = free_port()
    env = os.environ | {
        "ACME_IDENTITY_SECRET": SECRET,
        "BFF_PORT": str(port),
        "BFF_REDIS_URL": "",  # the in-process store: no Redis needed, and it warns (a line too)
        "BFF_SUPPORT_ADDR": f"127.0.0.1:{free_port()}",
        "BFF_REFUND_ADDR": f"127.0.0.1:{free_port()}",
        "BFF_SHOP_ADDR": f"127.0.0.1:{free_port()}",
        "LOG_LEVEL": "INFO",
    }
    env.pop("BFF_OTLP_ENDPOINT", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bff", cwd=REPO, env=env, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    entries: list[dict[str, Any]] = []
    try:
        while not any(str(e["event"]).startswith("Uvicorn running on") for e in entries):
            line = await asyncio.wait_for(process.stdout.readline(), 60)
            assert line, f"the BFF exited before serving: {entries}"
            entries.append(parse_log_line(line))
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            answer = await http.get("/healthz", headers={"X-Request-Id": "rid-process-1"})
        assert answer.status_code == 200

        process.send_signal(signal.SIGTERM)
        rest = await asyncio.wait_for(process.stdout.read(), 30)
        assert await asyncio.wait_for(process.wait(), 30) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    after_sigterm = [parse_log_line(line) for line in rest.splitlines(keepends=True)]
    entries += after_sigterm
    assert entries[0]["event"] == f"Started server process [{process.pid}]"  # uvicorn's, as JSON
    assert after_sigterm[-1]["event"] == f"Finished server process [{process.pid}]"
    requests = [e for e in entries if e["event"] == "request"]
    assert [(r["path"], r["status"], r["request_id"]) for r in requests] == [
        ("/healthz", 200, "rid-process-1")
    ]
    assert all(e["service"] == "bff" for e in entries)
