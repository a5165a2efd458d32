"""GetRefundStatistics over gRPC on real SQLite, and its queries answered from the covering index."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from acme.refund.v1 import refund_pb2, refund_service_pb2_grpc
from acme.refund.v1.refund_service_pb2 import (
    CreateRefundResponse,
    GetRefundRequest,
    GetRefundResponse,
    GetRefundStatisticsRequest,
)
from google.protobuf import timestamp_pb2

from kit.identity import Identity
from kit.sqlite import Reads
from refund_svc.infrastructure.database import RefundDatabase
from refund_svc.infrastructure.sqlite_refunds import RefundSql
from tests.refund_svc.integration.servers import (
    ANA,
    BEN,
    LEE,
    SAM,
    auth,
    create_request,
    eventually,
    rich_error,
)

pytestmark = pytest.mark.integration

Stub = refund_service_pb2_grpc.RefundServiceStub


def _stamp(moment: datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def period(start: datetime, end: datetime) -> GetRefundStatisticsRequest:
    return GetRefundStatisticsRequest(period_start_time=_stamp(start), period_end_time=_stamp(end))


def money(amount_minor: int, currency: str = "EUR") -> refund_pb2.Money:
    return refund_pb2.Money(amount_minor=amount_minor, currency_code=currency)


async def create(stub: Stub, order_id: str, line: str, who: Identity, request_id: str) -> refund_pb2.Refund:
    request = create_request(order_id, ((line, 1),), request_id=request_id)
    response: CreateRefundResponse = await stub.CreateRefund(request, metadata=auth(who))
    return response.refund


async def test_a_lead_sees_what_waits_for_approval_and_what_was_paid_back(stub: Stub) -> None:
    start = datetime.now(UTC) - timedelta(minutes=1)
    lead_limit = await create(stub, "ord_1004", "ln_1", ANA, "l")
    agents = await create(stub, "ord_1006", "ln_1", BEN, "a")
    small = await create(stub, "ord_1001", "ln_2", ANA, "s")

    async def paid_back() -> bool:
        response: GetRefundResponse = await stub.GetRefund(
            GetRefundRequest(name=small.name), metadata=auth(SAM)
        )
        return response.refund.status == refund_pb2.REFUND_STATUS_REFUNDED

    await eventually(paid_back)
    now = datetime.now(UTC) + timedelta(minutes=1)

    stats = await stub.GetRefundStatistics(period(start, now), metadata=auth(LEE))
    earlier = await stub.GetRefundStatistics(period(start - timedelta(days=7), start), metadata=auth(LEE))

    assert [lead_limit.status, agents.status] == [refund_pb2.REFUND_STATUS_PENDING_APPROVAL] * 2
    assert stats.pending_count == 2
    assert list(stats.pending_amounts) == [money(64900 + 21900)]
    assert stats.refunded_count == 1
    assert list(stats.refunded_amounts) == [money(1169)]
    assert stats.period_start_time == _stamp(start)
    assert stats.period_end_time == _stamp(now)
    assert start <= stats.compute_time.ToDatetime(tzinfo=UTC) <= now
    assert (earlier.pending_count, earlier.refunded_count, list(earlier.refunded_amounts)) == (2, 0, [])


@pytest.mark.parametrize("who", [ANA, SAM])
async def test_anyone_but_a_lead_is_refused(stub: Stub, who: Identity) -> None:
    now = datetime.now(UTC)

    error = await rich_error(
        stub.GetRefundStatistics(period(now - timedelta(days=1), now), metadata=auth(who))
    )

    assert (error.code, error.reason) == (grpc.StatusCode.PERMISSION_DENIED, "LEAD_ONLY")


@pytest.mark.parametrize(
    ("request_", "fields"),
    [
        (GetRefundStatisticsRequest(), ["period_start_time", "period_end_time"]),
        (period(datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)), ["period_end_time"]),
        (period(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)), ["period_end_time"]),
        (
            GetRefundStatisticsRequest(
                period_start_time=timestamp_pb2.Timestamp(seconds=-(10**12)),
                period_end_time=_stamp(datetime(2026, 3, 1, tzinfo=UTC)),
            ),
            ["period_start_time"],
        ),
    ],
)
async def test_a_bad_period_is_named(
    stub: Stub, request_: GetRefundStatisticsRequest, fields: list[str]
) -> None:
    error = await rich_error(stub.GetRefundStatistics(request_, metadata=auth(LEE)))

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in error.field_violations] == fields


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[RefundDatabase]:
    db = RefundDatabase(tmp_path / "refund.db")
    await db.open()
    try:
        yield db
    finally:
        await db.close()


class Explaining:
    """Stands in for a connection: answers each query with SQLite's plan for it, and no rows."""

    def __init__(self, conn: Reads) -> None:
        self._conn = conn
        self.plans: list[str] = []

    async def execute_fetchall(self, sql: str, params: tuple[object, ...] = ()) -> list[object]:
        rows = await self._conn.execute_fetchall(f"EXPLAIN QUERY PLAN {sql}", params)
        self.plans.append(" | ".join(str(row[3]) for row in rows))
        return []


async def test_the_statistics_are_read_from_the_covering_index_only(database: RefundDatabase) -> None:
    explaining = Explaining(database.writer)
    sql = RefundSql(explaining)  # type: ignore[arg-type]
    now = datetime.now(UTC)

    await sql.pending_totals()
    await sql.refunded_totals(now - timedelta(days=30), now)

    assert len(explaining.plans) == 2
    for plan in explaining.plans:
        assert "SEARCH refunds USING COVERING INDEX refunds_statistics" in plan, plan
        assert "SCAN refunds" not in plan
