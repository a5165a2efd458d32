"""SQL for refunds over one connection (a reader, or the InlineWriter in a unit of work).

Besides refunds: their payout schedule (columns of refunds), the outbox and idempotency keys.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from kit.sqlite import InlineWriter, Reads
from refund_svc.application.ports import (
    IdempotencyRecord,
    OutboxEntry,
    OutboxStats,
    PayoutClaim,
    RefundFilter,
    RefundTotals,
)
from refund_svc.domain.actor import Actor, ActorRole
from refund_svc.domain.errors import ConcurrencyConflictError
from refund_svc.domain.events import RefundEvent, RefundEventKind
from refund_svc.domain.money import Money
from refund_svc.domain.policy import ApprovalPolicy
from refund_svc.domain.refund import (
    HOLDING_STATUSES,
    Refund,
    RefundLine,
    RefundMethod,
    RefundReason,
    RefundStatus,
    StatusChange,
)
from refund_svc.domain.refundable import LineUsage

FIRST_REFUND_NUMBER = 2001
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_HOLDING = tuple(sorted(s.value for s in HOLDING_STATUSES))
# Written out, not bound, so that SQLite can use the partial index refunds_payout_due.
_PAYABLE = "status IN ('APPROVED', 'PROCESSING')"
_WAITING = "deliver_time_us IS NULL AND dead_time_us IS NULL"


def to_us(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND  # integer arithmetic: no float rounding of times


def from_us(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


def _placeholders(count: int) -> str:
    return ",".join("?" * count)


class RefundQueries:
    """Reads, on any connection: a reader (kit.sqlite.InlineReader or aiosqlite) or the writer."""

    def __init__(self, conn: Reads) -> None:
        self._conn = conn

    # --- reads ----------------------------------------------------------------------------------

    async def get(self, refund_id: str) -> Refund | None:
        rows = await self._conn.execute_fetchall("SELECT * FROM refunds WHERE refund_id = ?", (refund_id,))
        refunds = await self._hydrate(rows)
        return refunds[0] if refunds else None

    async def list_refunds(
        self, where: RefundFilter, *, before_number: int | None, limit: int
    ) -> list[Refund]:
        clauses: list[str] = []
        params: list[Any] = []
        for column, value in (
            ("customer_id", where.customer_id),
            ("case_name", where.case_name),
            ("order_id", where.order_id),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if where.statuses:
            statuses = sorted(s.value for s in where.statuses)
            clauses.append(f"status IN ({_placeholders(len(statuses))})")
            params.extend(statuses)
        if before_number is not None:
            clauses.append("number < ?")
            params.append(before_number)
        sql = "SELECT * FROM refunds"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY number DESC LIMIT ?"
        params.append(limit)
        return await self._hydrate(await self._conn.execute_fetchall(sql, params))

    async def line_usage(self, order_id: str) -> dict[str, LineUsage]:
        rows = await self._conn.execute_fetchall(
            f"""
            SELECT l.order_line_id, r.currency_code, SUM(l.quantity), SUM(l.amount_minor)
            FROM refund_lines AS l JOIN refunds AS r ON r.refund_id = l.refund_id
            WHERE l.order_id = ? AND r.status IN ({_placeholders(len(_HOLDING))})
            GROUP BY l.order_line_id, r.currency_code
            """,
            (order_id, *_HOLDING),
        )
        return {
            str(line_id): LineUsage(int(quantity), Money(int(amount), str(currency)))
            for line_id, currency, quantity, amount in rows
        }

    async def find_key(self, scope: str, request_id: str) -> IdempotencyRecord | None:
        rows = list(
            await self._conn.execute_fetchall(
                "SELECT * FROM idempotency_keys WHERE scope = ? AND request_id = ?", (scope, request_id)
            )
        )
        if not rows:
            return None
        row = rows[0]
        return IdempotencyRecord(
            scope=row["scope"],
            request_id=row["request_id"],
            fingerprint=row["fingerprint"],
            refund_id=row["refund_id"],
            created_at=from_us(row["create_time_us"]),
        )

    async def due_payouts(self, now: datetime, limit: int) -> list[str]:
        rows = await self._conn.execute_fetchall(
            f"""
            SELECT refund_id FROM refunds WHERE {_PAYABLE} AND payout_due_us <= ?
            ORDER BY payout_due_us, number LIMIT ?
            """,
            (to_us(now), limit),
        )
        return [str(row[0]) for row in rows]

    async def pending_events(self, limit: int) -> list[OutboxEntry]:
        rows = await self._conn.execute_fetchall(
            f"SELECT * FROM outbox WHERE {_WAITING} ORDER BY position LIMIT ?", (limit,)
        )
        return [OutboxEntry(row["position"], _event(row)) for row in rows]

    async def outbox_stats(self) -> OutboxStats:
        waiting = await self._conn.execute_fetchall(f"SELECT COUNT(*) FROM outbox WHERE {_WAITING}")
        dead = await self._conn.execute_fetchall("SELECT COUNT(*) FROM outbox WHERE dead_time_us IS NOT NULL")
        return OutboxStats(backlog=int(next(iter(waiting))[0]), dead_letters=int(next(iter(dead))[0]))

    async def pending_totals(self) -> RefundTotals:
        return await self._totals("status = ?", (RefundStatus.PENDING_APPROVAL.value,))

    async def refunded_totals(self, start: datetime, end: datetime) -> RefundTotals:
        return await self._totals(
            "status = ? AND update_time_us >= ? AND update_time_us < ?",
            (RefundStatus.REFUNDED.value, to_us(start), to_us(end)),
        )

    async def _totals(self, where: str, params: tuple[Any, ...]) -> RefundTotals:
        # One range of the covering index refunds_statistics (see its migration).
        rows = await self._conn.execute_fetchall(
            f"""
            SELECT currency_code, COUNT(*), SUM(total_minor) FROM refunds WHERE {where}
            GROUP BY currency_code ORDER BY currency_code
            """,
            params,
        )
        amounts = tuple(Money(int(amount), str(currency)) for currency, _, amount in rows)
        return RefundTotals(count=sum(int(row[1]) for row in rows), amounts=amounts)

    async def next_number(self) -> int:
        rows = list(await self._conn.execute_fetchall("SELECT MAX(number) FROM refunds"))
        highest = rows[0][0] if rows else None
        return FIRST_REFUND_NUMBER if highest is None else int(highest) + 1

    # --- mapping rows to aggregates -------------------------------------------------------------

    async def _hydrate(self, rows: Iterable[sqlite3.Row]) -> list[Refund]:
        rows = list(rows)
        if not rows:
            return []
        ids = [row["refund_id"] for row in rows]
        marks = _placeholders(len(ids))
        line_rows = await self._conn.execute_fetchall(
            f"SELECT * FROM refund_lines WHERE refund_id IN ({marks}) ORDER BY refund_id, position", ids
        )
        change_rows = await self._conn.execute_fetchall(
            f"SELECT * FROM refund_status_changes WHERE refund_id IN ({marks}) ORDER BY refund_id, seq", ids
        )
        currency = {row["refund_id"]: row["currency_code"] for row in rows}
        lines: dict[str, list[RefundLine]] = {i: [] for i in ids}
        for line in line_rows:
            amount = Money(line["amount_minor"], currency[line["refund_id"]])
            lines[line["refund_id"]].append(RefundLine(line["order_line_id"], line["quantity"], amount))
        changes: dict[str, list[StatusChange]] = {i: [] for i in ids}
        for change in change_rows:
            changes[change["refund_id"]].append(_change(change))
        return [_refund(row, lines[row["refund_id"]], changes[row["refund_id"]]) for row in rows]


class RefundSql(RefundQueries):
    """Reads and writes on the writer connection, inside a transaction the caller owns."""

    def __init__(self, conn: InlineWriter) -> None:
        super().__init__(conn)
        self._writer = conn

    # --- writes (inside a transaction the caller owns) ------------------------------------------

    async def insert(self, refund: Refund) -> None:
        await self._writer.execute(
            """
            INSERT INTO refunds (refund_id, number, case_name, order_id, customer_id, currency_code,
                total_minor, reason, method, status, requested_by, requested_by_role, note,
                outside_window, required_approval, create_time_us, update_time_us, version)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            (
                refund.refund_id,
                refund.number,
                refund.case_name,
                refund.order_id,
                refund.customer_id,
                refund.currency_code,
                refund.total.amount_minor,
                refund.reason.value,
                refund.method.value,
                refund.status.value,
                refund.requested_by.subject,
                refund.requested_by.role.value,
                refund.note,
                int(refund.outside_window),
                refund.required_approval.value,
                to_us(refund.created_at),
                to_us(refund.updated_at),
                refund.version,
            ),
        )
        await self._writer.executemany(
            """
            INSERT INTO refund_lines (refund_id, position, order_id, order_line_id, quantity, amount_minor)
            VALUES (?, ?, ?, ?, ?, ?)
            """,
            [
                (refund.refund_id, i, refund.order_id, ln.order_line_id, ln.quantity, ln.amount.amount_minor)
                for i, ln in enumerate(refund.lines)
            ],
        )
        await self._insert_changes(refund, first_seq=0)

    async def update(self, refund: Refund) -> None:
        """Stores the changes since the refund was read, if nobody else stored a change meanwhile."""
        cursor = await self._writer.execute(
            """
            UPDATE refunds SET status = ?, method = ?, total_minor = ?, payout_reference = ?,
                update_time_us = ?, version = ?
            WHERE refund_id = ? AND version = ?
            """,
            (
                refund.status.value,
                refund.method.value,
                refund.total.amount_minor,
                refund.payout_reference,
                to_us(refund.updated_at),
                refund.version,
                refund.refund_id,
                refund.saved_changes,
            ),
        )
        if cursor.rowcount != 1:
            raise ConcurrencyConflictError(
                f"Refund {refund.human_number} was changed by someone else; read it again and retry",
                metadata={"refund_id": refund.refund_id},
            )
        # A retried payout may take what is left of a line (see Refund.retry).
        await self._writer.executemany(
            "UPDATE refund_lines SET amount_minor = ? WHERE refund_id = ? AND position = ?",
            [(line.amount.amount_minor, refund.refund_id, i) for i, line in enumerate(refund.lines)],
        )
        await self._insert_changes(refund, first_seq=refund.saved_changes)

    async def insert_key(self, record: IdempotencyRecord) -> None:
        await self._writer.execute(
            """
            INSERT INTO idempotency_keys (scope, request_id, fingerprint, refund_id, create_time_us)
            VALUES (?, ?, ?, ?, ?)
            """,
            (record.scope, record.request_id, record.fingerprint, record.refund_id, to_us(record.created_at)),
        )

    async def forget_keys_older_than(self, cutoff: datetime, limit: int) -> int:
        cursor = await self._writer.execute(
            """
            DELETE FROM idempotency_keys WHERE rowid IN
                (SELECT rowid FROM idempotency_keys WHERE create_time_us < ? LIMIT ?)
            """,
            (to_us(cutoff), limit),
        )
        return int(cursor.rowcount)

    async def claim_payout(self, refund_id: str, now: datetime, lease_until: datetime) -> PayoutClaim | None:
        rows = list(
            await self._writer.execute_fetchall(
                f"""
                UPDATE refunds SET payout_due_us = ?
                WHERE refund_id = ? AND {_PAYABLE} AND payout_due_us <= ?
                RETURNING payout_attempts
                """,
                (to_us(lease_until), refund_id, to_us(now)),
            )
        )
        return PayoutClaim(refund_id, int(rows[0][0])) if rows else None

    async def defer_payout(self, refund_id: str, until: datetime) -> None:
        await self._writer.execute(
            "UPDATE refunds SET payout_due_us = ?, payout_attempts = payout_attempts + 1 WHERE refund_id = ?",
            (to_us(until), refund_id),
        )

    async def release_payout(self, refund_id: str) -> None:
        await self._writer.execute(
            "UPDATE refunds SET payout_due_us = 0, payout_attempts = 0 WHERE refund_id = ?", (refund_id,)
        )

    async def mark_delivered(self, position: int, at: datetime) -> None:
        await self._writer.execute(
            "UPDATE outbox SET deliver_time_us = ? WHERE position = ?", (to_us(at), position)
        )

    async def mark_dead(self, position: int, at: datetime, reason: str) -> None:
        await self._writer.execute(
            "UPDATE outbox SET dead_time_us = ?, dead_reason = ? WHERE position = ?",
            (to_us(at), reason, position),
        )

    async def _insert_changes(self, refund: Refund, *, first_seq: int) -> None:
        await self._writer.executemany(
            """
            INSERT INTO refund_status_changes
                (refund_id, seq, from_status, to_status, actor_id, actor_role, at_us, comment, policy)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                (
                    refund.refund_id,
                    seq,
                    change.from_status.value if change.from_status else None,
                    change.to_status.value,
                    change.actor.subject,
                    change.actor.role.value,
                    to_us(change.at),
                    change.comment,
                    change.policy.value if change.policy else None,
                )
                for seq, change in enumerate(refund.history[first_seq:], start=first_seq)
            ],
        )
        # The outbox: one event per change, in the transaction that stores the change.
        await self._writer.executemany(
            """
            INSERT INTO outbox (event_id, refund_id, refund_number, case_name, kind, amount_minor,
                currency_code, actor_id, actor_role, note, occur_time_us, refund_open, sequence)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                (
                    event.event_id,
                    event.refund_id,
                    event.refund_number,
                    event.case_name,
                    event.kind.value,
                    event.amount.amount_minor,
                    event.amount.currency_code,
                    event.actor_id,
                    event.actor_role.value,
                    event.note,
                    to_us(event.occurred_at),
                    int(event.refund_open),
                    event.sequence,
                )
                for event in refund.unsaved_events()
            ],
        )


def _event(row: sqlite3.Row) -> RefundEvent:
    return RefundEvent(
        event_id=row["event_id"],
        refund_id=row["refund_id"],
        refund_number=row["refund_number"],
        case_name=row["case_name"],
        kind=RefundEventKind(row["kind"]),
        amount=Money(row["amount_minor"], row["currency_code"]),
        actor_id=row["actor_id"],
        actor_role=ActorRole(row["actor_role"]),
        note=row["note"],
        occurred_at=from_us(row["occur_time_us"]),
        refund_open=bool(row["refund_open"]),
        sequence=row["sequence"],
    )


def _change(row: sqlite3.Row) -> StatusChange:
    return StatusChange(
        from_status=RefundStatus(row["from_status"]) if row["from_status"] else None,
        to_status=RefundStatus(row["to_status"]),
        actor=Actor(row["actor_id"], ActorRole(row["actor_role"])),
        at=from_us(row["at_us"]),
        comment=row["comment"],
        policy=ApprovalPolicy(row["policy"]) if row["policy"] else None,
    )


def _refund(row: sqlite3.Row, lines: Sequence[RefundLine], history: list[StatusChange]) -> Refund:
    return Refund(
        refund_id=row["refund_id"],
        number=row["number"],
        case_name=row["case_name"],
        order_id=row["order_id"],
        customer_id=row["customer_id"],
        currency_code=row["currency_code"],
        lines=tuple(lines),
        reason=RefundReason(row["reason"]),
        method=RefundMethod(row["method"]),
        requested_by=Actor(row["requested_by"], ActorRole(row["requested_by_role"])),
        note=row["note"],
        outside_window=bool(row["outside_window"]),
        required_approval=ApprovalPolicy(row["required_approval"]),
        created_at=from_us(row["create_time_us"]),
        status=RefundStatus(row["status"]),
        updated_at=from_us(row["update_time_us"]),
        payout_reference=row["payout_reference"],
        history=history,
        saved_changes=len(history),
    )
