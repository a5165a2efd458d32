"""bench.seed on real SQLite files: every seeded refund is known to its case as support_svc would know it.

A seeded case with a refund must hold what the running system would have written had refund_svc's
relay told it each step of the refund's history: one REFUND_EVENT timeline entry per step (among
its other entries, in time order), the refund's track, its open refunds, the inbox rows and a
version that counts them; a case without a refund has none of that. Checked on the rows, and
through support_svc's own reader, unit of work and RefundEventRecorder.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from bench.run import Options
from bench.seed import SeedSpec, seed
from refund_svc.domain.events import event_id_for
from support_svc.application.ports import Clock
from support_svc.application.refund_events import RecordRefundEvent, RefundEventRecorder
from support_svc.domain.refunds import OpenRefund, RefundEvent, RefundEventKind
from support_svc.domain.values import Actor, EventKind, Role
from support_svc.infrastructure.case_reader import SqliteCaseReader
from support_svc.infrastructure.database import Database
from support_svc.infrastructure.unit_of_work import SqliteUnitOfWork

pytestmark = pytest.mark.integration

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
OPEN = {"PENDING_APPROVAL", "APPROVED", "PROCESSING"}
# refund_svc's status -> the kind of the event its outbox sends for it.
KIND_OF_STATUS = {
    "PENDING_APPROVAL": "REQUESTED",
    "APPROVED": "APPROVED",
    "REJECTED": "REJECTED",
    "CANCELLED": "CANCELLED",
    "PROCESSING": "PROCESSING",
    "REFUNDED": "REFUNDED",
    "FAILED": "FAILED",
}
RELAY = Actor("refund_svc", Role.SYSTEM)


@dataclass(frozen=True, slots=True)
class SeededRefund:
    refund_id: str
    number: int
    case_id: int
    status: str
    total_minor: int
    currency_code: str
    history: list[tuple[Any, ...]]  # seq, to_status, actor_id, actor_role, at_us, comment

    @property
    def open(self) -> bool:
        return self.status in OPEN


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The smoke run's data set (its sizes and seed), without the accounts file."""
    smoke = Options.smoke_test()
    data_dir = tmp_path_factory.mktemp("seed") / "data"
    spec = SeedSpec(
        cases=smoke.cases, refunds=smoke.refunds, customers=smoke.customers, seed=smoke.seed, accounts=False
    )
    seed(data_dir, spec, now=NOW)
    return data_dir


@pytest.fixture(scope="module")
def refunds(seeded: Path) -> dict[int, SeededRefund]:
    """The refunds of refund.db, by case id (at most one per case in the seed)."""
    conn = sqlite3.connect(seeded / "refund.db")
    try:
        found: dict[int, SeededRefund] = {}
        for refund_id, number, case_name, status, total, currency in conn.execute(
            "SELECT refund_id, number, case_name, status, total_minor, currency_code FROM refunds"
        ):
            history = conn.execute(
                "SELECT seq, to_status, actor_id, actor_role, at_us, comment FROM refund_status_changes "
                "WHERE refund_id = ? ORDER BY seq",
                (refund_id,),
            ).fetchall()
            case_id = int(case_name.removeprefix("cases/"))
            assert case_id not in found, "the seed gives a case at most one refund"
            found[case_id] = SeededRefund(refund_id, number, case_id, status, total, currency, history)
    finally:
        conn.close()
    assert len(found) == Options.smoke_test().refunds
    return found


@pytest.fixture
def support_db(seeded: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(f"file:{seeded / 'support.db'}?mode=ro", uri=True)
    yield conn
    conn.close()


def refund_entries(conn: sqlite3.Connection, case_id: int) -> list[tuple[Any, ...]]:
    return conn.execute(
        "SELECT actor_id, actor_role, summary, details, internal, created_ms FROM case_events "
        "WHERE case_id = ? AND kind = 'REFUND_EVENT' ORDER BY id",
        (case_id,),
    ).fetchall()


def test_each_step_of_a_refund_is_a_timeline_entry_of_its_case(
    support_db: sqlite3.Connection, refunds: dict[int, SeededRefund]
) -> None:
    for case_id, refund in refunds.items():
        entries = refund_entries(support_db, case_id)
        assert len(entries) == len(refund.history), f"case {case_id}"
        for entry, (seq, to_status, actor_id, actor_role, at_us, _comment) in zip(
            entries, refund.history, strict=True
        ):
            entry_actor, entry_role, summary, details_json, internal, created_ms = entry
            details = orjson.loads(details_json)
            assert (entry_actor, entry_role, internal) == (actor_id, actor_role.upper(), 0)
            assert created_ms == at_us // 1000
            assert summary.startswith(f"Refund R-{refund.number} of ")
            assert details["refund"] == f"refunds/{refund.refund_id}"
            assert details["refund_number"] == f"R-{refund.number}"
            assert details["refund_event"] == KIND_OF_STATUS[to_status], f"step {seq} of case {case_id}"
            assert details["amount_minor"] == str(refund.total_minor)
            assert details["currency_code"] == refund.currency_code
            assert details["refund_open"] == ("true" if to_status in OPEN else "false")


def test_each_refund_has_its_track_and_its_case_counts_it_open_or_not(
    support_db: sqlite3.Connection, refunds: dict[int, SeededRefund]
) -> None:
    for case_id, refund in refunds.items():
        tracks = support_db.execute(
            "SELECT refund_id, refund_number, open, finished, last_kind, last_occur_us, last_sequence "
            "FROM case_refunds WHERE case_id = ?",
            (case_id,),
        ).fetchall()
        last = refund.history[-1]
        assert tracks == [
            (
                refund.refund_id,
                f"R-{refund.number}",
                int(refund.open),
                int(not refund.open),
                KIND_OF_STATUS[refund.status],
                last[4],
                len(refund.history),
            )
        ], f"case {case_id}"
        count, open_refunds = support_db.execute(
            "SELECT open_refund_count, open_refunds FROM cases WHERE id = ?", (case_id,)
        ).fetchone()
        expected = [[refund.refund_id, f"R-{refund.number}"]] if refund.open else []
        assert (count, orjson.loads(open_refunds)) == (len(expected), expected), f"case {case_id}"
    # Both kinds are there to check.
    assert {r.open for r in refunds.values()} == {True, False}


def test_a_case_without_a_refund_never_heard_of_one(
    support_db: sqlite3.Connection, refunds: dict[int, SeededRefund]
) -> None:
    cases = support_db.execute("SELECT id, open_refund_count, open_refunds FROM cases").fetchall()
    without = [c for c in cases if c[0] not in refunds]
    assert len(without) == len(cases) - len(refunds) > 0
    assert all((count, open_refunds) == (0, "[]") for _, count, open_refunds in without)
    entries = support_db.execute("SELECT case_id FROM case_events WHERE kind = 'REFUND_EVENT'")
    told = {row[0] for row in entries}
    tracked = {row[0] for row in support_db.execute("SELECT case_id FROM case_refunds")}
    assert told == tracked == set(refunds)


def test_versions_count_the_changes_and_timelines_are_in_time_order(support_db: sqlite3.Connection) -> None:
    """One version per change after the opening (what the etag is), the refund's changes too."""
    rows = support_db.execute(
        "SELECT c.id, c.version, c.updated_ms, "
        "(SELECT COUNT(*) FROM case_events AS e WHERE e.case_id = c.id AND e.kind != 'OPENED'), "
        "(SELECT MAX(created_ms) FROM case_events AS e WHERE e.case_id = c.id) FROM cases AS c"
    ).fetchall()
    for case_id, version, updated_ms, changes, last_ms in rows:
        assert version == 1 + changes, f"case {case_id}"
        assert updated_ms == last_ms, f"case {case_id}: its last change is its latest entry"
    out_of_order = support_db.execute(
        "SELECT COUNT(*) FROM case_events AS a JOIN case_events AS b "
        "ON b.case_id = a.case_id AND b.id > a.id AND b.created_ms < a.created_ms"
    ).fetchone()[0]
    assert out_of_order == 0


def test_the_inbox_holds_each_event_under_refund_svcs_own_id(
    support_db: sqlite3.Connection, refunds: dict[int, SeededRefund]
) -> None:
    inbox = {
        row[0]: row[1:]
        for row in support_db.execute("SELECT event_id, case_id, refund_id, kind FROM refund_event_inbox")
    }
    expected = {
        event_id_for(r.refund_id, seq): (case_id, r.refund_id, KIND_OF_STATUS[to_status])
        for case_id, r in refunds.items()
        for seq, to_status, *_ in r.history
    }
    assert inbox == expected


# --- through support_svc itself ---------------------------------------------------------------------


class _Clock(Clock):
    def now(self) -> datetime:
        return NOW + timedelta(minutes=5)


@pytest.fixture
async def database(seeded: Path, tmp_path: Path) -> AsyncIterator[Database]:
    """support_svc's Database on a copy of the seeded file (the tests below write to it)."""
    shutil.copy(seeded / "support.db", tmp_path / "support.db")
    db = Database(tmp_path / "support.db")
    await db.open()
    yield db
    await db.close()


def next_event(refund: SeededRefund, kind: RefundEventKind, actor: Actor, *, open_: bool) -> RefundEvent:
    """The event refund_svc's outbox would send for the refund's next status change."""
    seq = len(refund.history)
    return RefundEvent(
        event_id=event_id_for(refund.refund_id, seq),
        refund_id=refund.refund_id,
        refund_number=f"R-{refund.number}",
        kind=kind,
        amount_minor=refund.total_minor,
        currency_code=refund.currency_code,
        actor_id=actor.id,
        actor_role=actor.role,
        note="approved",
        occurred_at=NOW + timedelta(minutes=1),
        refund_open=open_,
        sequence=seq + 1,
    )


async def test_support_svc_reads_each_seeded_case_with_its_open_refunds(
    database: Database, refunds: dict[int, SeededRefund]
) -> None:
    reader = SqliteCaseReader(database)
    for case_id, refund in list(refunds.items())[:40]:
        details = await reader.get_case_details(case_id, include_internal=False)
        assert details is not None
        expected = (OpenRefund(refund.refund_id, f"R-{refund.number}"),) if refund.open else ()
        assert (details.case.open_refunds, details.case.open_refund_count) == (expected, len(expected))
        told = [e for e in details.events if e.kind is EventKind.REFUND_EVENT]
        assert [e.details["refund_event"] for e in told] == [KIND_OF_STATUS[h[1]] for h in refund.history]
        assert all(e.is_visible_to(Actor(details.case.customer_id, Role.CUSTOMER)) for e in told)


async def test_the_next_step_of_a_seeded_refund_is_taken_in_and_a_repeat_or_stale_one_is_not(
    database: Database, refunds: dict[int, SeededRefund]
) -> None:
    recorder = RefundEventRecorder(
        unit_of_work=lambda: SqliteUnitOfWork(database), clock=_Clock(), auto_resolve=False
    )
    pending = next(r for r in refunds.values() if r.status == "PENDING_APPROVAL")
    agent = Actor("agt_3000", Role.AGENT)
    async with SqliteUnitOfWork(database) as uow:
        before = await uow.cases.get(pending.case_id)
    assert before is not None
    assert before.open_refund_count == 1

    # A repeat of the last step the relay delivered: the inbox knows its id.
    seq, to_status, actor_id, actor_role, at_us, comment = pending.history[-1]
    assert to_status == "PENDING_APPROVAL"
    repeat = RefundEvent(
        event_id=event_id_for(pending.refund_id, seq),
        refund_id=pending.refund_id,
        refund_number=f"R-{pending.number}",
        kind=RefundEventKind.REQUESTED,
        amount_minor=pending.total_minor,
        currency_code=pending.currency_code,
        actor_id=actor_id,
        actor_role=Role(actor_role.upper()),
        note=comment,
        occurred_at=datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=at_us),
        refund_open=True,
        sequence=seq + 1,
    )
    assert not await recorder.record(RecordRefundEvent(actor=RELAY, case_id=pending.case_id, event=repeat))

    # The next step: approved, after the seeded ones; the ordering rule takes it.
    approved = next_event(pending, RefundEventKind.APPROVED, agent, open_=True)
    assert await recorder.record(RecordRefundEvent(actor=RELAY, case_id=pending.case_id, event=approved))
    async with SqliteUnitOfWork(database) as uow:
        tracks = await uow.refunds.tracks(pending.case_id)
        after = await uow.cases.get(pending.case_id)
    track = tracks[pending.refund_id]
    assert (track.last_kind, track.last_sequence, track.open) == (
        RefundEventKind.APPROVED,
        len(pending.history) + 1,
        True,
    )
    assert after is not None
    assert (after.version, after.open_refund_count) == (before.version + 1, 1)

    # A stale step under a new id (sequence 1, as if redelivered from elsewhere): an entry, no change.
    stale = replace(repeat, event_id="bench-test-stale")
    assert await recorder.record(RecordRefundEvent(actor=RELAY, case_id=pending.case_id, event=stale))
    async with SqliteUnitOfWork(database) as uow:
        assert (await uow.refunds.tracks(pending.case_id))[pending.refund_id] == track


async def test_a_paid_seeded_refund_stays_paid(database: Database, refunds: dict[int, SeededRefund]) -> None:
    recorder = RefundEventRecorder(
        unit_of_work=lambda: SqliteUnitOfWork(database), clock=_Clock(), auto_resolve=True
    )
    paid = next(r for r in refunds.values() if r.status == "REFUNDED")
    async with SqliteUnitOfWork(database) as uow:
        before = await uow.refunds.tracks(paid.case_id)
    assert before[paid.refund_id].finished
    late = next_event(paid, RefundEventKind.APPROVED, Actor("agt_3000", Role.AGENT), open_=True)
    assert await recorder.record(RecordRefundEvent(actor=RELAY, case_id=paid.case_id, event=late))
    async with SqliteUnitOfWork(database) as uow:
        assert await uow.refunds.tracks(paid.case_id) == before
        case = await uow.cases.get(paid.case_id)
    assert case is not None
    assert case.open_refund_count == 0
