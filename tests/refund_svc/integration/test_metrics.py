"""Refund gauges read from the real database: outbox backlog and lag, refunds by status."""

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from refund_svc.infrastructure.database import RefundDatabase
from refund_svc.infrastructure.metrics import collect_forever, collect_once
from tests.kit.log_capture import json_lines_on_stdout

from .servers import ANA, RunningRefunds, auth, create_request


def sample(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


@pytest.fixture
def json_logs() -> Iterator[None]:
    with json_lines_on_stdout("refund_svc"):
        yield


async def test_the_gauges_follow_the_database(refunds: RunningRefunds) -> None:
    async with refunds.channel() as channel:
        from acme.refund.v1 import refund_service_pb2_grpc

        stub = refund_service_pb2_grpc.RefundServiceStub(channel)
        await stub.CreateRefund(create_request(lines=(("ln_2", 1),), request_id="m-1"), metadata=auth(ANA))
        await stub.CreateRefund(create_request(lines=(("ln_1", 1),), request_id="m-2"), metadata=auth(ANA))
    database = refunds.app.database
    rows = await database.reader().execute_fetchall(
        "SELECT MIN(occur_time_us) FROM outbox WHERE deliver_time_us IS NULL"
    )
    oldest_s = next(iter(rows))[0] / 1_000_000

    await collect_once(database, now_s=oldest_s + 42)

    # Support is unreachable in these tests, so every event waits: the backlog and its age show it.
    assert (sample("refund_outbox_backlog") or 0) >= 2
    assert sample("refund_outbox_delivery_lag_seconds") == 42
    # ln_2 (one phone case, 11.69) is auto-approved; ln_1 (headphones, 79.00) waits for an agent.
    assert sample("refund_refunds", status="PENDING_APPROVAL") == 1
    assert sample("refund_amount_minor", status="PENDING_APPROVAL", currency="EUR") == 7900


async def test_a_status_that_empties_reads_zero_not_its_old_count(refunds: RunningRefunds) -> None:
    from acme.refund.v1 import refund_service_pb2, refund_service_pb2_grpc

    database = refunds.app.database
    async with refunds.channel() as channel:
        stub = refund_service_pb2_grpc.RefundServiceStub(channel)
        # ln_1 (headphones, 79.00) waits for an agent: the only PENDING_APPROVAL refund.
        created = await stub.CreateRefund(
            create_request(lines=(("ln_1", 1),), request_id="e-1"), metadata=auth(ANA)
        )
        pending = created.refund
        await collect_once(database)
        assert sample("refund_refunds", status="PENDING_APPROVAL") == 1
        assert sample("refund_amount_minor", status="PENDING_APPROVAL", currency="EUR") == 7900

        await stub.CancelRefund(
            refund_service_pb2.CancelRefundRequest(name=pending.name, etag=pending.etag), metadata=auth(ANA)
        )
        await collect_once(database)

    assert sample("refund_refunds", status="PENDING_APPROVAL") == 0
    assert sample("refund_amount_minor", status="PENDING_APPROVAL", currency="EUR") == 0
    assert sample("refund_refunds", status="CANCELLED") == 1
    assert sample("refund_amount_minor", status="CANCELLED", currency="EUR") == 7900


async def test_a_failing_collection_is_logged_and_collection_goes_on(
    tmp_path: Path, json_logs: None, capsys: pytest.CaptureFixture[str]
) -> None:
    never_opened = RefundDatabase(tmp_path / "refund.db")  # every pass fails: no connection
    collecting = asyncio.create_task(collect_forever(never_opened, every_s=0.01))
    failed: list[dict[str, object]] = []
    try:
        async with asyncio.timeout(5):
            while len(failed) < 2:  # two passes: it goes on after a failure
                await asyncio.sleep(0.01)
                lines = capsys.readouterr().out.splitlines()
                events = [json.loads(line) for line in lines if line.startswith("{")]
                failed += [e for e in events if e.get("event") == "metrics collection failed"]
    finally:
        collecting.cancel()
    assert failed[0]["level"] == "warning"
    assert failed[0]["error_type"] == "RuntimeError"
    assert failed[0]["error"] == "the refund database is not open"
