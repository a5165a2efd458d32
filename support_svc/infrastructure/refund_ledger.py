"""The refund-event inbox and each case's refunds, on the writer connection (inside a unit of work)."""

from __future__ import annotations

from kit.sqlite import InlineWriter
from support_svc.application.ports import RefundLedger
from support_svc.domain.refunds import RefundEvent, RefundEventKind, RefundTrack
from support_svc.infrastructure.records import from_us, to_us

_UPSERT_TRACK = """
INSERT INTO case_refunds (
    case_id, refund_id, refund_number, open, finished, last_kind, last_occur_us, last_sequence
) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (case_id, refund_id) DO UPDATE SET
    refund_number = excluded.refund_number, open = excluded.open, finished = excluded.finished,
    last_kind = excluded.last_kind, last_occur_us = excluded.last_occur_us,
    last_sequence = excluded.last_sequence
"""


class SqliteRefundLedger(RefundLedger):
    def __init__(self, conn: InlineWriter) -> None:
        self._conn = conn

    async def seen(self, event_id: str) -> bool:
        rows = await self._conn.execute_fetchall(
            "SELECT 1 FROM refund_event_inbox WHERE event_id = ?", (event_id,)
        )
        return bool(list(rows))

    async def tracks(self, case_id: int) -> dict[str, RefundTrack]:
        rows = await self._conn.execute_fetchall(
            "SELECT refund_id, refund_number, open, finished, last_kind, last_occur_us, last_sequence "
            "FROM case_refunds WHERE case_id = ?",
            (case_id,),
        )
        return {
            row[0]: RefundTrack(
                refund_id=row[0],
                refund_number=row[1],
                open=bool(row[2]),
                finished=bool(row[3]),
                last_kind=RefundEventKind(row[4]),
                last_occurred_at=from_us(row[5]),
                last_sequence=row[6],
            )
            for row in rows
        }

    async def record(self, case_id: int, event: RefundEvent, track: RefundTrack) -> None:
        # A plain INSERT: should a second writer ever get this far with the same id, the primary
        # key refuses it and its whole transaction rolls back.
        await self._conn.execute(
            "INSERT INTO refund_event_inbox (event_id, case_id, refund_id, kind, received_ms) "
            "VALUES (?, ?, ?, ?, strftime('%s', 'now') * 1000)",
            (event.event_id, case_id, event.refund_id, event.kind.value),
        )
        await self._conn.execute(
            _UPSERT_TRACK,
            (
                case_id,
                track.refund_id,
                track.refund_number,
                int(track.open),
                int(track.finished),
                track.last_kind.value,
                to_us(track.last_occurred_at),
                track.last_sequence,
            ),
        )
