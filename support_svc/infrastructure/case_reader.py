"""The read side: one case with its history in a single statement, the queue, the timeline.

Reads use their own connection (WAL), so they never wait for the writer. The queue is keyset
paginated (kit.pagination tokens bound to the query), its search runs on FTS5, and "breached" is a
range over breach_at_ms, so every filter can be answered from an index.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

import orjson

from kit.pagination import InvalidPageError, decode_token, encode_token
from kit.sqlite import InlineReader
from support_svc.application.ports import CaseReader
from support_svc.application.queries import (
    AssigneeScope,
    CaseDetails,
    CaseOrder,
    CasePage,
    CaseSearch,
    CaseStatistics,
    EventPage,
    StatisticsPeriod,
)
from support_svc.domain.case import CaseMessage, SupportCase
from support_svc.domain.errors import FieldProblem, InvalidArgumentError
from support_svc.domain.values import CaseStatus
from support_svc.infrastructure.database import Database
from support_svc.infrastructure.records import (
    AFTER_CASE_COLUMNS,
    AFTER_SUMMARY_COLUMNS,
    CASE_COLUMNS,
    EVENT_COLUMNS,
    SUMMARY_COLUMNS,
    case_from_row,
    event_from_row,
    fetch_case,
    fetch_created_case,
    fetch_message_by_request,
    message_from_row,
    summary_from_row,
    to_ms,
)

MAX_SEARCH_WORDS = 12
_WORD = re.compile(r"\w+")

# Case, conversation and timeline in one statement: one round trip and one consistent snapshot.
CASE_DETAILS_SQL = f"""
SELECT {CASE_COLUMNS},
    (SELECT json_group_array(json_array(
            m.id, m.case_id, m.author_id, m.author_role, m.body, m.internal, m.created_ms, m.request_id))
        FROM case_messages AS m
        WHERE m.case_id = cases.id AND (:include_internal OR m.internal = 0)) AS messages,
    (SELECT json_group_array(json_array(
            e.id, e.case_id, e.kind, e.actor_id, e.actor_role, e.summary, json(e.details), e.internal,
            e.created_ms))
        FROM case_events AS e
        WHERE e.case_id = cases.id AND (:include_internal OR e.internal = 0)) AS events
FROM cases WHERE id = :case_id
"""


def cases_by_id_statement(count: int) -> str:
    """Several cases by id in one statement (BatchGetCases): `count` placeholders, each a lookup on
    the primary key (tests/support_svc/integration/test_query_plans.py checks the plan)."""
    return f"SELECT {CASE_COLUMNS} FROM cases WHERE id IN ({', '.join('?' * count)})"


# The dashboard in one statement (one snapshot, one round trip); every part is read from an index
# (tests/support_svc/integration/test_query_plans.py checks the plan). The median first-response
# time sorts only the answered cases opened in the period, read from the covering index
# cases_by_created: the middle one, or the mean of the middle two.
STATISTICS_SQL = """
WITH waits AS (
    SELECT first_response_ms - created_ms AS wait FROM cases
    WHERE created_ms >= :start AND created_ms < :end AND first_response_ms IS NOT NULL
),
answered AS (SELECT COUNT(*) AS n FROM waits)
SELECT
    (SELECT COUNT(*) FROM cases WHERE status = 'OPEN'),
    (SELECT COUNT(*) FROM cases WHERE status = 'IN_PROGRESS'),
    (SELECT COUNT(*) FROM cases WHERE status = 'WAITING_ON_CUSTOMER'),
    (SELECT COUNT(*) FROM cases
        WHERE status IN ('OPEN', 'IN_PROGRESS', 'WAITING_ON_CUSTOMER') AND breach_at_ms < :now),
    (SELECT COUNT(*) FROM cases WHERE breach_at_ms >= :start AND breach_at_ms < :breach_end),
    (SELECT COUNT(*) FROM cases WHERE created_ms >= :start AND created_ms < :end),
    (SELECT COUNT(*) FROM cases WHERE resolved_ms >= :start AND resolved_ms < :end),
    (SELECT n FROM answered),
    (SELECT AVG(wait) FROM (
        SELECT wait FROM waits ORDER BY wait
        LIMIT 2 - (SELECT n FROM answered) % 2 OFFSET ((SELECT n FROM answered) - 1) / 2
    ))
"""


_MATCHES_THIS_CASE = "SELECT 1 FROM case_text WHERE case_text MATCH ? AND case_text.rowid = cases.id"
# Qualified, because a search joins the text index; next_due_ms last, for the DUE keyset.
_LISTED_COLUMNS = ", ".join(f"cases.{name.strip()}" for name in [*SUMMARY_COLUMNS.split(","), "next_due_ms"])


def search_expression(text: str, *, include_internal: bool) -> str | None:
    """An FTS5 query matching all the words of `text`; None when it has no words.

    Each word is quoted, so nothing a person types is read as FTS5 syntax. Without internal text
    the query is confined to the public column. No prefix matching: a prefix query costs a scan of
    every term with that prefix, while porter stemming already matches "refunds" to "refund".
    """
    words = _WORD.findall(text)[:MAX_SEARCH_WORDS]
    if not words:
        return None
    phrases = " ".join(f'"{word}"' for word in words)
    return phrases if include_internal else f"public_text : ({phrases})"


def _in_list(column: str, values: list[str], params: list[object]) -> str:
    params.extend(values)
    return f"{column} IN ({', '.join('?' * len(values))})"


def case_list_statement(
    search: CaseSearch, after: Mapping[str, Any] | None, limit: int, *, common_text: bool = False
) -> tuple[str, list[object]]:
    """The SQL of one queue page: filters, the keyset position, order and limit.

    A text search picks its shape by what else narrows the list: within one customer's or one
    order's few cases, or when the text is common (`common_text`: SqliteCaseReader counts), cases are
    walked in the page's order and each is checked against the text index; otherwise the index's
    matches drive, in case-id order, so a page sorted by age stops after its last row (sorted by due
    time, the matches are sorted: cheap when they are few).
    """
    wanted = search.filter
    where: list[str] = []
    params: list[object] = []
    if wanted.customer_id is not None:
        where.append("customer_id = ?")
        params.append(wanted.customer_id)
    if wanted.order_id is not None:
        where.append("order_id = ?")
        params.append(wanted.order_id)
    statuses = sorted(s.value for s in wanted.statuses)
    if wanted.priorities:
        where.append(_in_list("priority", sorted(p.value for p in wanted.priorities), params))
    if wanted.categories:
        where.append(_in_list("category", sorted(c.value for c in wanted.categories), params))
    if wanted.assignee is AssigneeScope.UNASSIGNED:
        where.append("assignee_id IS NULL")
    elif wanted.assignee is AssigneeScope.SOMEONE:
        where.append("assignee_id = ?")
        params.append(wanted.assignee_id)
    if wanted.breached_only:
        where.append("breach_at_ms < ?")
        params.append(to_ms(search.now))

    source = "cases"
    key = "id"  # the column the keyset runs on
    text_drives = False  # whether the text index's matches drive the page (else cases do)
    expression = search_expression(wanted.text, include_internal=search.include_internal_text)
    if expression is not None:
        params.append(expression)
        if wanted.customer_id is not None or wanted.order_id is not None or common_text:
            where.append(f"EXISTS ({_MATCHES_THIS_CASE})")
        else:
            text_drives = True
            # CROSS JOIN keeps the index walk outside: matches come in rowid order, no sorting.
            source = "case_text CROSS JOIN cases ON cases.id = case_text.rowid"
            where.append("case_text MATCH ?")
            key = "case_text.rowid"

    if wanted.order is CaseOrder.DUE:
        if after is not None:
            where.append("(next_due_ms, id) > (?, ?)")
            params.extend((after["due"], after["id"]))
        order_by = "next_due_ms, id"
    elif wanted.order is CaseOrder.OLDEST:
        where.append(f"{key} > ?")
        params.append(after["id"] if after else 0)
        order_by = key
    else:
        # Bounded even on the first page, so that it is a range on the primary key, never a scan.
        where.append(f"{key} < ?")
        params.append(after["id"] if after else 2**62)
        order_by = f"{key} DESC"

    walks_in_order = (
        wanted.order is CaseOrder.DUE or wanted.assignee is not AssigneeScope.ANY or wanted.breached_only
    )
    if len(statuses) > 1 and not text_drives and walks_in_order:
        # The agents' queues ("open or in progress, soonest due first"; "(unassigned) breached,
        # newest first"): with `status IN (...)` SQLite reads every matching case (every breached
        # one, through (status, breach_at_ms)) and sorts them. One walk per status of an index in the
        # page's order ((status, next_due_ms), (assignee_id, status[, next_due_ms]), (status)), each
        # stopping after a page, merged, reads about a page per status instead: 0.5 ms, not 50, at
        # 100k cases by due; 0.3 ms, not 650, for "unassigned, breached" at 1M. (Active cases past
        # their due time have breached, so along such a walk most cases match.) Anything else newest
        # first is left to SQLite: a filter on priority or category is better read from its own
        # index than checked along a walk of every case of a status.
        conditions = " AND ".join(["status = ?", *where])
        branch = f"SELECT {_LISTED_COLUMNS} FROM cases WHERE {conditions} ORDER BY {order_by} LIMIT ?"
        branches = " UNION ALL ".join(f"SELECT * FROM ({branch})" for _ in statuses)
        merged: list[object] = [value for status in statuses for value in (status, *params, limit)]
        return f"SELECT * FROM ({branches}) ORDER BY {order_by} LIMIT ?", [*merged, limit]

    if statuses:
        status_params: list[object] = []
        where.insert(0, _in_list("status", statuses, status_params))
        params[:0] = status_params
    params.append(limit)
    where_clause = f"WHERE {' AND '.join(where)} " if where else ""
    return f"SELECT {_LISTED_COLUMNS} FROM {source} {where_clause}ORDER BY {order_by} LIMIT ?", params


def _list_query_key(search: CaseSearch) -> dict[str, Any]:
    """What a page token is bound to: every input of the query except the page size and the time."""
    wanted = search.filter
    return {
        "statuses": sorted(s.value for s in wanted.statuses),
        "priorities": sorted(p.value for p in wanted.priorities),
        "categories": sorted(c.value for c in wanted.categories),
        "assignee": wanted.assignee.value,
        "assignee_id": wanted.assignee_id,
        "breached_only": wanted.breached_only,
        "customer_id": wanted.customer_id,
        "order_id": wanted.order_id,
        "text": wanted.text,
        "order": wanted.order.value,
        "internal": search.include_internal_text,
    }


def _decode_position(token: str, query: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any] | None:
    try:
        position = decode_token(token, query)
    except InvalidPageError as exc:
        raise InvalidArgumentError([FieldProblem(exc.field, str(exc))], reason="INVALID_PAGE_TOKEN") from exc
    if position is not None and not all(isinstance(position.get(key), int) for key in keys):
        raise InvalidArgumentError(
            [FieldProblem("page_token", "page_token is not a token this service issued")],
            reason="INVALID_PAGE_TOKEN",
        )
    return position


# Cost of a text search sorted by due time, with M matches among N cases: driven by the text index,
# every match is read and sorted (~2 us each); walking cases by due time and checking each against the
# index (~30 us each) needs ~page x N / M of them. They cost the same at M = sqrt(15 x page x N):
# ~8,700 at 100,000 cases, ~27,600 at 1,000,000, where either takes ~20-60 ms; far from it, the
# cheaper one takes a few ms. Counting matches up to that bound costs ~0.3-10 ms.
_PROBE_OVER_FETCH = 15


def common_text_bound(cases: int, page_size: int) -> int:
    """How many matches make a text common enough for the walk by due time (see above)."""
    return max(1_000, round(math.sqrt(_PROBE_OVER_FETCH * page_size * max(cases, 1))))


class SqliteCaseReader(CaseReader):
    def __init__(self, database: Database) -> None:
        self._database = database

    async def text_is_common(self, search: CaseSearch) -> bool:
        """Whether a text search by due time should walk cases in due order (see common_text_bound)."""
        wanted = search.filter
        if wanted.order is not CaseOrder.DUE or wanted.customer_id is not None or wanted.order_id is not None:
            return False
        expression = search_expression(wanted.text, include_internal=search.include_internal_text)
        if expression is None:
            return False
        # Case ids are handed out in sequence: the newest says how many cases there are, read from
        # the end of the primary key instead of counted.
        newest = next(iter(await self._conn.execute_fetchall("SELECT max(id) FROM cases")))[0]
        bound = common_text_bound(newest or 0, search.page_size)
        rows = await self._conn.execute_fetchall(
            "SELECT count(*) FROM (SELECT rowid FROM case_text WHERE case_text MATCH ? LIMIT ?)",
            (expression, bound),
        )
        return bool(next(iter(rows))[0] >= bound)

    @property
    def _conn(self) -> InlineReader:
        return self._database.reader

    async def get_case(self, case_id: int) -> SupportCase | None:
        return await fetch_case(self._conn, case_id)

    async def get_cases(self, case_ids: Collection[int]) -> dict[int, SupportCase]:
        wanted = sorted(set(case_ids))
        if not wanted:
            return {}
        rows = await self._conn.execute_fetchall(cases_by_id_statement(len(wanted)), wanted)
        return {case.id: case for case in map(case_from_row, rows)}

    async def get_case_details(self, case_id: int, *, include_internal: bool) -> CaseDetails | None:
        rows = await self._conn.execute_fetchall(
            CASE_DETAILS_SQL, {"case_id": case_id, "include_internal": include_internal}
        )
        for row in rows:
            messages_json, events_json = row[AFTER_CASE_COLUMNS], row[AFTER_CASE_COLUMNS + 1]
            # json_group_array promises no order: sort by id, which is insertion order.
            messages = sorted((message_from_row(m) for m in orjson.loads(messages_json)), key=lambda m: m.id)
            events = sorted((event_from_row(e) for e in orjson.loads(events_json)), key=lambda e: e.id)
            return CaseDetails(case_from_row(row), messages, events)
        return None

    async def list_cases(self, search: CaseSearch) -> CasePage:
        query = _list_query_key(search)
        keys = ("due", "id") if search.filter.order is CaseOrder.DUE else ("id",)
        after = _decode_position(search.page_token, query, keys)
        common = await self.text_is_common(search)
        sql, params = case_list_statement(search, after, search.page_size + 1, common_text=common)
        rows = list(await self._conn.execute_fetchall(sql, params))
        page = rows[: search.page_size]
        next_token = ""
        if len(rows) > search.page_size:
            last = page[-1]
            position = (
                {"id": last[0], "due": last[AFTER_SUMMARY_COLUMNS]} if "due" in keys else {"id": last[0]}
            )
            next_token = encode_token(position, query)
        return CasePage([summary_from_row(row) for row in page], next_token)

    async def list_events(
        self, case_id: int, *, include_internal: bool, page_size: int, page_token: str
    ) -> EventPage:
        query = {"case_id": case_id, "internal": include_internal}
        after = _decode_position(page_token, query, ("id",))
        rows = list(
            await self._conn.execute_fetchall(
                f"SELECT {EVENT_COLUMNS} FROM case_events WHERE case_id = ? AND id > ?"
                + ("" if include_internal else " AND internal = 0")
                + " ORDER BY id LIMIT ?",
                (case_id, after["id"] if after else 0, page_size + 1),
            )
        )
        page = rows[:page_size]
        next_token = encode_token({"id": page[-1][0]}, query) if len(rows) > page_size else ""
        return EventPage([event_from_row(row) for row in page], next_token)

    async def case_statistics(self, period: StatisticsPeriod, now: datetime) -> CaseStatistics:
        start, end, now_ms = to_ms(period.start), to_ms(period.end), to_ms(now)
        rows = await self._database.slow_reader.execute_fetchall(
            STATISTICS_SQL, {"start": start, "end": end, "now": now_ms, "breach_end": min(end, now_ms)}
        )
        (opened_now, working, waiting, breached_open, breached, opened, resolved, answered, median_ms) = next(
            iter(rows)
        )
        return CaseStatistics(
            period=period,
            computed_at=now,
            open_by_status={
                CaseStatus.OPEN: opened_now,
                CaseStatus.IN_PROGRESS: working,
                CaseStatus.WAITING_ON_CUSTOMER: waiting,
            },
            breached_open=breached_open,
            breached_in_period=breached,
            opened_in_period=opened,
            resolved_in_period=resolved,
            answered_in_period=answered,
            median_first_response=None if median_ms is None else timedelta(milliseconds=round(median_ms)),
        )

    async def find_created(self, scope: str, request_id: str) -> tuple[SupportCase, str] | None:
        return await fetch_created_case(self._conn, scope, request_id)

    async def find_message(self, author_id: str, request_id: str) -> CaseMessage | None:
        return await fetch_message_by_request(self._conn, author_id, request_id)
