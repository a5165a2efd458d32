"""Refund gauges read from the real database: outbox backlog and lag, refunds by status."""

from prometheus_client import REGISTRY

from refund_svc.infrastructure.metrics import collect_once

from .servers import ANA, RunningRefunds, auth, create_request


def sample(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


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
