"""`python -m refund_svc` as a process: it serves, and SIGTERM stops it (and its loops) cleanly; every
line it prints on stdout, to the last one, is a JSON log event."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from refund_svc.domain.actor import Actor, ActorRole
from refund_svc.domain.policy import RefundRules
from refund_svc.domain.refund import Refund, RefundMethod, RefundReason, RequestedLine
from refund_svc.infrastructure.database import RefundDatabase
from refund_svc.infrastructure.unit_of_work import SqliteUnitOfWork
from refund_svc.server import create_server
from tests.kit.test_process_logs import parse_log_line
from tests.refund_svc.fakes import NOW, make_order
from tests.refund_svc.integration.servers import NOBODY_LISTENS, SECRET, outbox_rows, refund_settings

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]


async def a_refund_waiting_for_approval(db_path: Path) -> None:
    """So that the relay has an event to deliver (and support is down) when the signal comes."""
    database = RefundDatabase(db_path)
    await database.open()
    refund = Refund.request(
        refund_id="r1",
        number=2001,
        case_name="cases/C-1",
        order=make_order(),
        usage={},
        requested=[RequestedLine("ln_1", 1)],
        reason=RefundReason.DAMAGED,
        method=RefundMethod.ORIGINAL_PAYMENT,
        note="",
        requested_by=Actor("cus_1", ActorRole.CUSTOMER),
        now=NOW,
        rules=RefundRules(),
    )
    try:
        async with SqliteUnitOfWork(database) as uow:
            await uow.refunds.add(refund)
            await uow.commit()
    finally:
        await database.close()


async def test_sigterm_stops_the_server_and_its_background_loops(tmp_path: Path) -> None:
    await a_refund_waiting_for_approval(tmp_path / "refund.db")
    env = os.environ | {
        "ACME_IDENTITY_SECRET": SECRET,
        "REFUND_PORT": "0",
        "REFUND_DB_PATH": str(tmp_path / "refund.db"),
        "REFUND_SHOP_ADDR": NOBODY_LISTENS,
        "REFUND_SUPPORT_ADDR": NOBODY_LISTENS,  # the relay is backing off when the signal comes
        "LOG_LEVEL": "INFO",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "refund_svc", cwd=REPO, env=env, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    entries: list[dict[str, Any]] = []
    try:
        port = None
        while port is None:
            line = await asyncio.wait_for(process.stdout.readline(), 30)
            assert line, "refund_svc exited before serving"
            entry = parse_log_line(line)
            entries.append(entry)
            if entry.get("event") == "serving":
                port = entry["port"]
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            health = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
        assert health.status == health_pb2.HealthCheckResponse.SERVING

        process.send_signal(signal.SIGTERM)
        rest = (await asyncio.wait_for(process.stdout.read(), 15)).decode()
        code = await asyncio.wait_for(process.wait(), 15)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    assert code == 0
    after_sigterm = [parse_log_line(line) for line in rest.splitlines(keepends=True)]
    assert after_sigterm[-1]["event"] == "stopped"
    assert all(e["service"] == "refund_svc" for e in entries + after_sigterm)
    # The event could not be delivered: it is still there, for the next start.
    assert [(r.kind, r.delivered) for r in await outbox_rows(tmp_path / "refund.db")] == [
        ("REQUESTED", False)
    ]
    assert (tmp_path / "refund-gateway.db").exists()  # the simulated gateway's own file


async def test_the_stop_settings_reach_the_server(tmp_path: Path) -> None:
    settings = refund_settings(tmp_path / "refund.db", "127.0.0.1:1", grace_s=7.0, drain_s=1.5)
    server, _, _ = create_server(settings)
    assert (server.grace_s, server.drain_s) == (7.0, 1.5)
