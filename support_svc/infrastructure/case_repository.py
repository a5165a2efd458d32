"""Cases on the write side: inserts, conditional updates (optimistic concurrency), search text."""

from __future__ import annotations

import orjson

from kit.sqlite import InlineWriter
from support_svc.application.ports import CaseChange, CaseRepository, CreationKey
from support_svc.domain.case import CaseMessage, SupportCase
from support_svc.domain.errors import ConcurrencyConflictError
from support_svc.infrastructure.records import (
    case_state,
    event_row,
    fetch_case,
    fetch_created_case,
    fetch_message_by_request,
    message_row,
    to_ms,
)

FIRST_CASE_NUMBER = 10001

_INSERT_CASE = """
INSERT INTO cases (
    id, customer_id, order_id, order_line_ids, category, subject, description, priority, status,
    assignee_id, previous_case_id, created_ms, updated_ms, resolved_ms, first_response_due_ms,
    resolution_due_ms, first_response_ms, sla_paused_since_ms, sla_paused_total_ms, next_due_ms,
    breach_at_ms, open_refund_count, open_refunds, request_scope, request_id, request_fingerprint, version
) VALUES (
    :id, :customer_id, :order_id, :order_line_ids, :category, :subject, :description, :priority, :status,
    :assignee_id, :previous_case_id, :created_ms, :updated_ms, :resolved_ms, :first_response_due_ms,
    :resolution_due_ms, :first_response_ms, :sla_paused_since_ms, :sla_paused_total_ms, :next_due_ms,
    :breach_at_ms, :open_refund_count, :open_refunds, :request_scope, :request_id, :request_fingerprint, 1
)
"""

# The version in the WHERE clause is what makes concurrent writers safe: of two writers that
# loaded the same version, exactly one matches a row; the other changes nothing and is told so.
_UPDATE_CASE = """
UPDATE cases SET
    category = :category, priority = :priority, status = :status, assignee_id = :assignee_id,
    updated_ms = :updated_ms, resolved_ms = :resolved_ms, first_response_due_ms = :first_response_due_ms,
    resolution_due_ms = :resolution_due_ms, first_response_ms = :first_response_ms,
    sla_paused_since_ms = :sla_paused_since_ms, sla_paused_total_ms = :sla_paused_total_ms,
    next_due_ms = :next_due_ms, breach_at_ms = :breach_at_ms, open_refund_count = :open_refund_count,
    open_refunds = :open_refunds, version = version + 1
WHERE id = :id AND version = :version
"""

_INSERT_MESSAGE = """
INSERT INTO case_messages (case_id, author_id, author_role, body, internal, created_ms, request_id)
VALUES (?, ?, ?, ?, ?, ?, ?)
"""
_INSERT_EVENT = """
INSERT INTO case_events (case_id, kind, actor_id, actor_role, summary, details, internal, created_ms)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
"""


class SqliteCaseRepository(CaseRepository):
    def __init__(self, conn: InlineWriter) -> None:
        self._conn = conn
        self._changes: list[CaseChange] = []

    async def next_id(self) -> int:
        rows = await self._conn.execute_fetchall("SELECT MAX(id) FROM cases")
        last = next(iter(rows))[0]
        return FIRST_CASE_NUMBER if last is None else int(last) + 1

    async def get(self, case_id: int) -> SupportCase | None:
        return await fetch_case(self._conn, case_id)

    async def add(self, case: SupportCase, creation: CreationKey | None = None) -> None:
        await self._conn.execute(
            _INSERT_CASE,
            {
                **case_state(case),
                "customer_id": case.customer_id,
                "order_id": case.order_id,
                "order_line_ids": orjson.dumps(list(case.order_line_ids)).decode(),
                "subject": case.subject,
                "description": case.description,
                "previous_case_id": case.previous_case_id,
                "created_ms": to_ms(case.created_at),
                "request_scope": creation.scope if creation else None,
                "request_id": creation.request_id if creation else None,
                "request_fingerprint": creation.fingerprint if creation else None,
            },
        )
        await self._conn.execute(
            "INSERT INTO case_text (rowid, public_text, internal_text) VALUES (?, ?, '')",
            (case.id, f"{case.subject}\n{case.description}"),
        )
        case.version = 1
        await self._store_changes(case)

    async def save(self, case: SupportCase) -> None:
        cursor = await self._conn.execute(_UPDATE_CASE, {**case_state(case), "version": case.version})
        if cursor.rowcount != 1:
            raise ConcurrencyConflictError(case.id)
        case.version += 1
        await self._store_changes(case)

    async def find_created(self, scope: str, request_id: str) -> tuple[SupportCase, str] | None:
        return await fetch_created_case(self._conn, scope, request_id)

    async def find_message(self, author_id: str, request_id: str) -> CaseMessage | None:
        return await fetch_message_by_request(self._conn, author_id, request_id)

    def take_changes(self) -> list[CaseChange]:
        changes, self._changes = self._changes, []
        return changes

    async def _store_changes(self, case: SupportCase) -> None:
        messages, events = case.collect_changes()
        self._changes.append(CaseChange.of(case, events))
        for message in messages:
            cursor = await self._conn.execute(_INSERT_MESSAGE, message_row(message))
            message.id = int(cursor.lastrowid or 0)
            column = "internal_text" if message.internal else "public_text"
            await self._conn.execute(
                f"UPDATE case_text SET {column} = {column} || char(10) || ? WHERE rowid = ?",
                (message.body, message.case_id),
            )
        for event in events:
            cursor = await self._conn.execute(_INSERT_EVENT, event_row(event))
            event.id = int(cursor.lastrowid or 0)
