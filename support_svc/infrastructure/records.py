"""Rows <-> domain objects, shared by the repository (write side) and the reader (read side)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from kit.sqlite import Reads
from kit.timestamps import epoch_ms
from support_svc.application.queries import CaseSummary
from support_svc.domain.case import CaseEvent, CaseMessage, SupportCase
from support_svc.domain.refunds import OpenRefund
from support_svc.domain.sla import SlaClock
from support_svc.domain.values import Actor, CaseCategory, CasePriority, CaseStatus, EventKind, Role

CASE_COLUMNS = (
    "id, customer_id, order_id, order_line_ids, category, subject, description, priority, status, "
    "assignee_id, previous_case_id, created_ms, updated_ms, resolved_ms, first_response_due_ms, "
    "resolution_due_ms, first_response_ms, sla_paused_since_ms, sla_paused_total_ms, open_refund_count, "
    "open_refunds, version"
)
# Extra columns selected after CASE_COLUMNS start at this index.
AFTER_CASE_COLUMNS = len(CASE_COLUMNS.split(","))
# A list's case (application.queries.CaseSummary), in its field order.
SUMMARY_COLUMNS = ", ".join(CaseSummary._fields)
AFTER_SUMMARY_COLUMNS = len(CaseSummary._fields)
MESSAGE_COLUMNS = "id, case_id, author_id, author_role, body, internal, created_ms, request_id"
EVENT_COLUMNS = "id, case_id, kind, actor_id, actor_role, summary, details, internal, created_ms"


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MS = timedelta(milliseconds=1)


to_ms = epoch_ms


def optional_ms(moment: datetime | None) -> int | None:
    return None if moment is None else to_ms(moment)


def from_ms(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)


ONE_US = timedelta(microseconds=1)


def to_us(moment: datetime) -> int:
    return (moment - EPOCH) // ONE_US


def from_us(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


def optional_from_ms(ms: int | None) -> datetime | None:
    return None if ms is None else from_ms(ms)


def case_from_row(row: Sequence[Any]) -> SupportCase:
    """A case from a row selected with CASE_COLUMNS (in that order)."""
    (
        case_id,
        customer_id,
        order_id,
        order_line_ids,
        category,
        subject,
        description,
        priority,
        status,
        assignee_id,
        previous_case_id,
        created_ms,
        updated_ms,
        resolved_ms,
        first_response_due_ms,
        resolution_due_ms,
        first_response_ms,
        paused_since_ms,
        paused_total_ms,
        open_refund_count,
        open_refunds,
        version,
    ) = row[:AFTER_CASE_COLUMNS]
    created_at = from_ms(created_ms)
    return SupportCase(
        id=case_id,
        customer_id=customer_id,
        order_id=order_id,
        order_line_ids=tuple(orjson.loads(order_line_ids)),
        category=CaseCategory(category),
        subject=subject,
        description=description,
        priority=CasePriority(priority),
        status=CaseStatus(status),
        created_at=created_at,
        updated_at=from_ms(updated_ms),
        sla=SlaClock(
            started_at=created_at,
            first_response_due=from_ms(first_response_due_ms),
            resolution_due=from_ms(resolution_due_ms),
            first_response_at=optional_from_ms(first_response_ms),
            paused_since=optional_from_ms(paused_since_ms),
            paused_total=timedelta(milliseconds=paused_total_ms),
        ),
        assignee_id=assignee_id,
        resolved_at=optional_from_ms(resolved_ms),
        previous_case_id=previous_case_id,
        open_refund_count=open_refund_count,
        open_refunds=tuple(
            OpenRefund(refund_id, refund_number) for refund_id, refund_number in orjson.loads(open_refunds)
        ),
        version=version,
    )


_LINES, _CATEGORY, _PRIORITY, _STATUS = (
    CaseSummary._fields.index(name) for name in ("order_line_ids", "category", "priority", "status")
)


def summary_from_row(row: Sequence[Any]) -> CaseSummary:
    """A list's case from a row selected with SUMMARY_COLUMNS (in that order), values as stored."""
    values = list(row[:AFTER_SUMMARY_COLUMNS])
    values[_LINES] = tuple(orjson.loads(values[_LINES]))
    values[_CATEGORY] = CaseCategory(values[_CATEGORY])
    values[_PRIORITY] = CasePriority(values[_PRIORITY])
    values[_STATUS] = CaseStatus(values[_STATUS])
    return CaseSummary._make(values)


def case_state(case: SupportCase) -> dict[str, Any]:
    """The columns that change over a case's life, as named parameters."""
    sla = case.sla
    return {
        "id": case.id,
        "category": case.category.value,
        "priority": case.priority.value,
        "status": case.status.value,
        "assignee_id": case.assignee_id,
        "updated_ms": to_ms(case.updated_at),
        "resolved_ms": optional_ms(case.resolved_at),
        "first_response_due_ms": to_ms(sla.first_response_due),
        "resolution_due_ms": to_ms(sla.resolution_due),
        "first_response_ms": optional_ms(sla.first_response_at),
        "sla_paused_since_ms": optional_ms(sla.paused_since),
        "sla_paused_total_ms": sla.paused_total // ONE_MS,
        "next_due_ms": to_ms(sla.next_due),
        "breach_at_ms": optional_ms(sla.breach_time()),
        "open_refund_count": case.open_refund_count,
        "open_refunds": orjson.dumps([[r.refund_id, r.refund_number] for r in case.open_refunds]).decode(),
    }


def message_row(message: CaseMessage) -> tuple[Any, ...]:
    """A message as case_messages stores it: case_id, author_id, author_role, body, internal,
    created_ms, request_id."""
    return (
        message.case_id,
        message.author.id,
        message.author.role.value,
        message.body,
        int(message.internal),
        to_ms(message.created_at),
        message.request_id,
    )


def event_row(event: CaseEvent) -> tuple[Any, ...]:
    """An event as case_events stores it: case_id, kind, actor_id, actor_role, summary, details,
    internal, created_ms."""
    return (
        event.case_id,
        event.kind.value,
        event.actor.id,
        event.actor.role.value,
        event.summary,
        orjson.dumps(event.details).decode(),
        int(event.internal),
        to_ms(event.created_at),
    )


def message_from_row(row: Sequence[Any]) -> CaseMessage:
    message_id, case_id, author_id, author_role, body, internal, created_ms, request_id = row[:8]
    return CaseMessage(
        case_id=case_id,
        author=Actor(author_id, Role(author_role)),
        body=body,
        internal=bool(internal),
        created_at=from_ms(created_ms),
        request_id=request_id,
        id=message_id,
    )


def event_from_row(row: Sequence[Any]) -> CaseEvent:
    event_id, case_id, kind, actor_id, actor_role, summary, details, internal, created_ms = row[:9]
    # Inside a JSON aggregate the details arrive already decoded.
    decoded: Mapping[str, str] = details if isinstance(details, dict) else orjson.loads(details)
    return CaseEvent(
        case_id=case_id,
        kind=EventKind(kind),
        actor=Actor(actor_id, Role(actor_role)),
        summary=summary,
        details=dict(decoded),
        created_at=from_ms(created_ms),
        internal=bool(internal),
        id=event_id,
    )


async def fetch_created_case(conn: Reads, scope: str, request_id: str) -> tuple[SupportCase, str] | None:
    rows = await conn.execute_fetchall(
        f"SELECT {CASE_COLUMNS}, request_fingerprint FROM cases WHERE request_scope = ? AND request_id = ?",
        (scope, request_id),
    )
    for row in rows:
        return case_from_row(row), str(row[AFTER_CASE_COLUMNS])
    return None


async def fetch_message_by_request(conn: Reads, author_id: str, request_id: str) -> CaseMessage | None:
    rows = await conn.execute_fetchall(
        f"SELECT {MESSAGE_COLUMNS} FROM case_messages WHERE author_id = ? AND request_id = ?",
        (author_id, request_id),
    )
    for row in rows:
        return message_from_row(row)
    return None


async def fetch_case(conn: Reads, case_id: int) -> SupportCase | None:
    rows = await conn.execute_fetchall(f"SELECT {CASE_COLUMNS} FROM cases WHERE id = ?", (case_id,))
    for row in rows:
        return case_from_row(row)
    return None
