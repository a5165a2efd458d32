"""A simulated payment gateway: the default PaymentGateway adapter (there is no real provider yet).

It behaves like a provider that matters here: it takes time (latency), it sometimes declines a
payout to the original payment method (a configurable failure rate; store credit is our own ledger
and never declined), and it pays each idempotency key once. Payouts are remembered in the
gateway's own SQLite file, apart from refund.db, as a real provider's would be: a refund_svc that
dies after the gateway paid cannot roll the payment back, and asking again returns that payout.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from kit.sqlite import connect
from refund_svc.application.ports import PaymentGateway, PayoutRequest, PayoutResult
from refund_svc.domain.refund import RefundMethod
from refund_svc.infrastructure.sqlite_refunds import to_us

DECLINE_REASONS = (
    "The card issuer declined the refund",
    "The card has expired",
    "The bank account was closed",
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS payouts (
    idempotency_key TEXT PRIMARY KEY,
    reference       TEXT NOT NULL UNIQUE,
    amount_minor    INTEGER NOT NULL,
    currency_code   TEXT NOT NULL,
    method          TEXT NOT NULL,
    customer_id     TEXT NOT NULL,
    create_time_us  INTEGER NOT NULL
)
"""


@dataclass(frozen=True, slots=True)
class StoredPayout:
    idempotency_key: str
    reference: str
    amount_minor: int
    currency_code: str
    method: str


class SimulatedPaymentGateway(PaymentGateway):
    def __init__(
        self,
        path: str | Path,
        *,
        failure_rate: float = 0.0,
        latency_ms: int = 50,
        rng: random.Random | None = None,
    ) -> None:
        if not 0.0 <= failure_rate <= 1.0:
            raise ValueError("failure_rate must be between 0 and 1")
        self.path = Path(path)
        self.failure_rate = failure_rate
        self.latency_ms = latency_ms
        self.calls = 0  # every pay_out asked, paid or not (for tests and curiosity)
        self._rng = rng or random.Random()
        self._conn: aiosqlite.Connection | None = None

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = await connect(self.path, synchronous="FULL")
        await self._conn.execute(_SCHEMA)

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
        self._conn = None

    @property
    def _db(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("the payment gateway is not open")
        return self._conn

    async def pay_out(self, request: PayoutRequest) -> PayoutResult:
        self.calls += 1
        earlier = await self.find(request.idempotency_key)
        if earlier is not None:
            return PayoutResult(paid=True, reference=earlier.reference, replayed=True)
        await asyncio.sleep(self.latency_ms / 1000)
        declinable = request.method is RefundMethod.ORIGINAL_PAYMENT
        if declinable and self._rng.random() < self.failure_rate:
            return PayoutResult(paid=False, failure_reason=self._rng.choice(DECLINE_REASONS))
        reference = f"po_{uuid.uuid4().hex[:24]}"
        # Two concurrent calls with one key: the first insert wins, the other returns its payout.
        await self._db.execute(
            """
            INSERT INTO payouts (idempotency_key, reference, amount_minor, currency_code, method,
                customer_id, create_time_us)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (idempotency_key) DO NOTHING
            """,
            (
                request.idempotency_key,
                reference,
                request.amount.amount_minor,
                request.amount.currency_code,
                request.method.value,
                request.customer_id,
                to_us(datetime.now(UTC)),
            ),
        )
        paid = await self.find(request.idempotency_key)
        if paid is None:  # pragma: no cover - just inserted or inserted by the winner
            raise RuntimeError("the payout was not stored")
        return PayoutResult(paid=True, reference=paid.reference, replayed=paid.reference != reference)

    async def find(self, idempotency_key: str) -> StoredPayout | None:
        rows = list(
            await self._db.execute_fetchall(
                "SELECT * FROM payouts WHERE idempotency_key = ?", (idempotency_key,)
            )
        )
        if not rows:
            return None
        row = rows[0]
        return StoredPayout(
            row["idempotency_key"], row["reference"], row["amount_minor"], row["currency_code"], row["method"]
        )

    async def payout_count(self) -> int:
        rows = await self._db.execute_fetchall("SELECT COUNT(*) FROM payouts")
        return int(next(iter(rows))[0])
