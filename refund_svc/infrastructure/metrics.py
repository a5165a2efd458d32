"""Prometheus gauges of what refund_svc holds: the outbox backlog and its delivery lag, dead
letters, and refund counts and amounts by status. Read from the database every few seconds on a
reader connection (never the writer), so that a scrape costs nothing and sees a recent state."""

from __future__ import annotations

import asyncio
import time

from prometheus_client import Gauge

from kit.logs import get_logger
from refund_svc.infrastructure.database import RefundDatabase

OUTBOX_BACKLOG = Gauge("refund_outbox_backlog", "Refund events waiting for delivery to support_svc")
OUTBOX_DEAD_LETTERS = Gauge("refund_outbox_dead_letters", "Refund events support_svc refused for good")
OUTBOX_LAG = Gauge("refund_outbox_delivery_lag_seconds", "Age of the oldest refund event still waiting")
REFUNDS = Gauge("refund_refunds", "Refunds by status", ["status"])
REFUND_AMOUNT = Gauge(
    "refund_amount_minor",
    "Sum of refund totals in minor units, by status and currency",
    ["status", "currency"],
)

log = get_logger("refund_svc.metrics")

# Label sets set on an earlier pass: one missing from a later GROUP BY (its last refund moved on) is
# set to 0, or the gauge would show its old count and amount for ever.
_reported_statuses: set[str] = set()
_reported_amounts: set[tuple[str, str]] = set()


async def collect_once(database: RefundDatabase, now_s: float | None = None) -> None:
    conn = database.slow_reader()
    waiting = await conn.execute_fetchall(
        "SELECT COUNT(*), MIN(occur_time_us) FROM outbox"
        " WHERE deliver_time_us IS NULL AND dead_time_us IS NULL"
    )
    count, oldest_us = next(iter(waiting))
    OUTBOX_BACKLOG.set(count)
    now = now_s if now_s is not None else time.time()
    OUTBOX_LAG.set(max(0.0, now - oldest_us / 1_000_000) if oldest_us is not None else 0.0)
    dead = await conn.execute_fetchall("SELECT COUNT(*) FROM outbox WHERE dead_time_us IS NOT NULL")
    OUTBOX_DEAD_LETTERS.set(next(iter(dead))[0])
    rows = await conn.execute_fetchall(
        "SELECT status, currency_code, COUNT(*), SUM(total_minor) FROM refunds GROUP BY status, currency_code"
    )
    per_status: dict[str, int] = {}
    amounts: dict[tuple[str, str], int] = {}
    for status, currency, number, amount in rows:
        per_status[status] = per_status.get(status, 0) + number
        amounts[(status, currency)] = amount or 0
    for status in _reported_statuses - per_status.keys():
        REFUNDS.labels(status).set(0)
    for status, number in per_status.items():
        REFUNDS.labels(status).set(number)
    for status, currency in _reported_amounts - amounts.keys():
        REFUND_AMOUNT.labels(status, currency).set(0)
    for (status, currency), amount in amounts.items():
        REFUND_AMOUNT.labels(status, currency).set(amount)
    _reported_statuses.update(per_status)
    _reported_amounts.update(amounts)


async def collect_forever(database: RefundDatabase, every_s: float = 5.0) -> None:
    while True:
        try:
            await collect_once(database)
        except Exception as exc:  # metrics must never take the service down, but say why they stall
            log.warning("metrics collection failed", error_type=type(exc).__name__, error=str(exc))
        await asyncio.sleep(every_s)
