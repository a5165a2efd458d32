"""Seeds the benchmark's data set into a data dir, before the services start.

- The schema comes from the services themselves: their own Database classes open the files and
  apply their migrations, exactly as at start-up.
- Cases are built by support_svc's own aggregate (SupportCase.open, assign, add_message, resolve,
  ...), so statuses, SLA due times, breach times, messages and timeline entries are what the service
  itself would have written; the rows come from its own records module (case_state). They are then
  written with executemany in a few big transactions, not one use case at a time.
- Refunds are written as rows of refund_svc's schema: whole order lines of the shop stand-in's own
  generated orders (shop_stub.catalog, so amounts match what the shop answers), with a status
  history that follows the refund policy (auto-approve, agent, lead).
- Each refund's history is then told to its case as refund_svc's outbox relay would have told it,
  one event per status change (the ids, kinds and fields of refund_svc's own events), taken in by
  the case aggregate itself (SupportCase.record_refund_event): the case's REFUND_EVENT timeline
  entries, in time order among its other entries, its refund track (case_refunds), its open
  refunds, the inbox rows, and its version (one per event). Not resolved by rule when the last
  refund is paid back (as with SUPPORT_AUTO_RESOLVE_ON_REFUND=false): the cases keep the status
  they were planned with.
- Customers and orders are the shop stand-in's generated ones: start the shop with
  SHOP_CUSTOMERS=<spec.shop_customers> and cus_100000.. / ord_1000000+3n.. exist there.
- A bench-only accounts file (for BFF_ACCOUNTS_FILE) lists the demo accounts plus every generated
  customer and bench agents and leads, all with one argon2id hash of BENCH_PASSWORD made once with
  low-cost parameters, so thousands of sign-ins cost milliseconds, not seconds.
- A fixture file tells the load generator which ids exist (each customer's cases and orders, the
  agents, search words of known frequency).

When a migration adds a column this file does not know and that has no default, seeding stops
with a message naming it: the smoke test in `make test` then fails, which is the point.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson
from argon2 import PasswordHasher

from refund_svc.domain.actor import ActorRole
from refund_svc.domain.events import event_id_for
from refund_svc.domain.refund import EVENT_KINDS, RefundStatus
from refund_svc.domain.refund import OPEN_STATUSES as OPEN_REFUND_STATUSES
from refund_svc.infrastructure.database import RefundDatabase
from shop_stub.catalog import (
    FIRST_GENERATED_CUSTOMER,
    FIRST_GENERATED_ORDER,
    ORDERS_PER_GENERATED_CUSTOMER,
    PRODUCTS,
    build_catalog,
)
from support_svc.domain.case import SupportCase
from support_svc.domain.refunds import RefundEvent, RefundEventKind, RefundTrack
from support_svc.domain.sla import SlaPolicy
from support_svc.domain.values import Actor, CaseCategory, CasePriority, CaseStatus, Role
from support_svc.infrastructure.database import Database as SupportDatabase
from support_svc.infrastructure.records import case_state, event_row, from_us, message_row, to_ms, to_us

REPO = Path(__file__).resolve().parent.parent
BENCH_PASSWORD = "bench-password"
FIRST_CASE_ID = 10001
FIRST_REFUND_NUMBER = 2001
FIRST_BENCH_AGENT = 3000
REOPEN_WINDOW = timedelta(days=14)
REFUND_WINDOW = timedelta(days=30)
AUTO_APPROVE_LIMIT_MINOR = 5000
LEAD_LIMIT_MINOR = 50000
CHUNK = 5000


class SeedError(RuntimeError):
    """The data set cannot be written as this file knows it (usually: the schema moved on)."""


@dataclass(frozen=True, slots=True)
class SeedSpec:
    cases: int
    refunds: int = 0
    customers: int = 0  # generated shop customers; 0: one per five cases
    agents: int = 40
    leads: int = 4
    seed: int = 20261204
    accounts: bool = True

    @property
    def shop_customers(self) -> int:
        return self.customers or max(10, self.cases // 5)


# --- text -----------------------------------------------------------------------------------------

DOMAIN_TEXT = """
order parcel delivery package refund item arrived damaged broken late missing wrong box courier
tracking return replacement received size colour quality week please help thanks days still address
driver label charge payment invoice card cracked scratched faulty stopped working screen battery
cable lid handle strap seam stitching leaking noise smell refund exchange voucher credit store
warehouse dispatch shipped carrier neighbour door photo attached receipt account email waiting
update answer soon sorry again another second first opened unopened sealed gift birthday urgent
disappointed happy fine ok manual instructions warranty guarantee repair
"""
DOMAIN_WORDS = tuple(DOMAIN_TEXT.split())


def _product_words() -> list[str]:
    words: list[str] = []
    for product in PRODUCTS.values():
        words += [w.strip("()").lower() for w in product.title.split() if w.strip("()").isalpha()]
    return list(dict.fromkeys(words))


ONSETS = "b c d f g h j k l m n p r s t v w z br cr dr gr pl st tr"


def _synthetic_words(rng: random.Random, count: int) -> list[str]:
    onsets = tuple(ONSETS.split())
    vowels = ["a", "e", "i", "o", "u", "ai", "ea", "ou"]
    codas = ["", "n", "r", "s", "l", "m", "nd", "st"]
    seen: dict[str, None] = {}
    while len(seen) < count:
        syllables = rng.randint(2, 4)
        word = "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(syllables)) + rng.choice(codas)
        seen[word] = None
    return list(seen)


class Vocabulary:
    """Words with a Zipf-like frequency: domain words most often, a long tail of rarer ones.

    Texts are windows at random offsets of one long stream of words drawn once, which keeps the
    frequencies and costs a slice per text instead of a draw per word.
    """

    STREAM_WORDS = 1_000_000

    def __init__(self, rng: random.Random, tail: int = 6000) -> None:
        head = list(dict.fromkeys([*DOMAIN_WORDS, *_product_words()]))
        self.words = head + [w for w in _synthetic_words(rng, tail) if w not in head]
        weights = [1.0 / (rank + 1) ** 1.05 for rank in range(len(self.words))]
        self.stream = rng.choices(self.words, weights=weights, k=self.STREAM_WORDS)
        self.rng = rng

    def text(self, low: int, high: int) -> str:
        count = self.rng.randint(low, high)
        start = self.rng.randrange(len(self.stream) - count)
        return " ".join(self.stream[start : start + count])

    def search_terms(self) -> dict[str, list[str]]:
        """Search words by how many documents they hit: very common, middling, rare, and two-word."""
        w = self.words
        return {
            "common": w[0:4],
            "middle": w[60:68],
            "rare": w[2000:2010],
            "two_words": [f"{w[5 + i]} {w[40 + i]}" for i in range(6)],
        }


# --- cases ----------------------------------------------------------------------------------------

# How a case's status depends on its age: mostly open when new, mostly done when old.
_STATUS_BY_AGE: tuple[tuple[float, tuple[tuple[CaseStatus, float], ...]], ...] = (
    (
        2.0,
        (
            (CaseStatus.OPEN, 0.45),
            (CaseStatus.IN_PROGRESS, 0.35),
            (CaseStatus.WAITING_ON_CUSTOMER, 0.15),
            (CaseStatus.RESOLVED, 0.05),
        ),
    ),
    (
        14.0,
        (
            (CaseStatus.OPEN, 0.10),
            (CaseStatus.IN_PROGRESS, 0.30),
            (CaseStatus.WAITING_ON_CUSTOMER, 0.20),
            (CaseStatus.RESOLVED, 0.30),
            (CaseStatus.CLOSED, 0.10),
        ),
    ),
    (
        1e9,
        (
            (CaseStatus.OPEN, 0.02),
            (CaseStatus.IN_PROGRESS, 0.05),
            (CaseStatus.WAITING_ON_CUSTOMER, 0.03),
            (CaseStatus.RESOLVED, 0.30),
            (CaseStatus.CLOSED, 0.60),
        ),
    ),
)
_PRIORITIES = (CasePriority.LOW, CasePriority.NORMAL, CasePriority.HIGH, CasePriority.URGENT)
_PRIORITY_WEIGHTS = (15, 60, 20, 5)
_CATEGORIES = tuple(CaseCategory)
_CATEGORY_WEIGHTS = (18, 10, 10, 12, 16, 14, 6, 10, 4)
OPEN_STATUSES = (CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.WAITING_ON_CUSTOMER)


@dataclass(slots=True)
class PlannedCase:
    case_id: int
    customer_index: int
    order_number: int
    status: CaseStatus
    created: datetime


def _age_days(rng: random.Random) -> float:
    roll = rng.random()
    if roll < 0.4:
        return rng.uniform(0.01, 7)
    if roll < 0.7:
        return rng.uniform(7, 30)
    return rng.uniform(30, 180)


def _status_for(rng: random.Random, age_days: float) -> CaseStatus:
    for limit, table in _STATUS_BY_AGE:
        if age_days < limit:
            roll = rng.random()
            for status, share in table:
                roll -= share
                if roll < 0:
                    return status
            return table[-1][0]
    raise AssertionError("unreachable")


def plan_cases(spec: SeedSpec, now: datetime, rng: random.Random) -> list[PlannedCase]:
    planned = []
    customers = spec.shop_customers
    for i in range(spec.cases):
        customer = rng.randrange(customers)
        age = _age_days(rng)
        planned.append(
            PlannedCase(
                case_id=FIRST_CASE_ID + i,
                customer_index=customer,
                order_number=FIRST_GENERATED_ORDER
                + customer * ORDERS_PER_GENERATED_CUSTOMER
                + rng.randrange(ORDERS_PER_GENERATED_CUSTOMER),
                status=_status_for(rng, age),
                created=now - timedelta(days=age),
            )
        )
    return planned


def build_case(
    plan: PlannedCase,
    *,
    now: datetime,
    rng: random.Random,
    words: Vocabulary,
    agents: Sequence[str],
    sla: SlaPolicy,
) -> SupportCase:
    """One case's life through the domain, from opening to its planned status."""
    customer = Actor(f"cus_{FIRST_GENERATED_CUSTOMER + plan.customer_index}", Role.CUSTOMER)
    agent = Actor(agents[rng.randrange(len(agents))], Role.AGENT)
    span = (now - plan.created) * 0.95
    moments = iter(sorted(plan.created + span * rng.random() for _ in range(12)))
    case = SupportCase.open(
        case_id=plan.case_id,
        customer_id=customer.id,
        order_id=f"ord_{plan.order_number}",
        order_line_ids=(),
        category=rng.choices(_CATEGORIES, weights=_CATEGORY_WEIGHTS)[0],
        subject=words.text(3, 8).capitalize(),
        description=words.text(15, 45),
        priority=rng.choices(_PRIORITIES, weights=_PRIORITY_WEIGHTS)[0],
        opened_by=customer,
        now=plan.created,
        sla_policy=sla,
    )

    def say(who: Actor, internal: bool = False) -> None:
        case.add_message(
            who, words.text(6, 30), internal=internal, now=next(moments), reopen_window=REOPEN_WINDOW
        )

    status = plan.status
    if status is CaseStatus.OPEN:
        if rng.random() < 0.3:
            say(customer)
        if rng.random() < 0.2:
            case.assign(agent, agent.id, next(moments))
        return case
    case.assign(agent, agent.id, next(moments))
    say(agent)
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        say(customer)
        say(agent)
    if rng.random() < 0.2:
        say(agent, internal=True)
    if status is CaseStatus.WAITING_ON_CUSTOMER:
        case.wait_on_customer(agent, next(moments))
    elif status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        case.resolve(agent, next(moments))
        if status is CaseStatus.CLOSED:
            case.close(customer if rng.random() < 0.3 else agent, next(moments))
    return case


_CASE_COLUMNS_FIXED = (
    "customer_id",
    "order_id",
    "order_line_ids",
    "subject",
    "description",
    "previous_case_id",
    "created_ms",
    "request_scope",
    "request_id",
    "request_fingerprint",
    "version",
)
_MESSAGE_COLUMNS = ("case_id", "author_id", "author_role", "body", "internal", "created_ms", "request_id")
_EVENT_COLUMNS = ("case_id", "kind", "actor_id", "actor_role", "summary", "details", "internal", "created_ms")
_EVENT_CREATED = _EVENT_COLUMNS.index("created_ms")


def _table_columns(conn: sqlite3.Connection, table: str) -> tuple[set[str], set[str]]:
    """(every column, the columns an insert must give: NOT NULL, no default, not the rowid)."""
    rows = conn.execute(f"PRAGMA table_info({table})").fetchall()
    if not rows:
        raise SeedError(f"table {table} does not exist: the schema moved on; update bench/seed.py")
    columns = {r[1] for r in rows}
    required = {r[1] for r in rows if r[3] and r[4] is None and not (r[5] and r[2].upper() == "INTEGER")}
    return columns, required


def _insert_sql(conn: sqlite3.Connection, table: str, columns: Sequence[str]) -> str:
    known, required = _table_columns(conn, table)
    unknown = [c for c in columns if c not in known and c != "rowid"]
    missing = sorted(required - set(columns))
    if unknown or missing:
        raise SeedError(
            f"bench/seed.py does not match the schema of {table}: "
            f"unknown columns {unknown}, required columns not given {missing}"
        )
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def case_rows(
    case: SupportCase, version: int
) -> tuple[dict[str, Any], list[tuple[Any, ...]], list[tuple[Any, ...]], tuple[int, str, str]]:
    """The case row (as the repository writes it), its messages, events and search document."""
    row = {
        **case_state(case),
        "customer_id": case.customer_id,
        "order_id": case.order_id,
        "order_line_ids": orjson.dumps(list(case.order_line_ids)).decode(),
        "subject": case.subject,
        "description": case.description,
        "previous_case_id": case.previous_case_id,
        "created_ms": to_ms(case.created_at),
        "request_scope": case.customer_id,
        "request_id": f"bench-seed-{case.id}",
        "request_fingerprint": "bench-seed",
        "version": version,
    }
    messages, events = case.collect_changes()
    public = [case.subject, case.description]
    internal = [""]
    message_rows = [message_row(m) for m in messages]
    for m in messages:
        (internal if m.internal else public).append(m.body)
    event_rows = [event_row(e) for e in events]
    return row, message_rows, event_rows, (case.id, "\n".join(public), "\n".join(internal))


# --- refunds --------------------------------------------------------------------------------------


def _us(moment: datetime) -> int:
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


@dataclass(slots=True)
class RefundPlan:
    case: PlannedCase
    final: str  # the refund's status at the end of its history


_OPTIONAL_REFUND_COLUMNS = frozenset({"payout_reference"})


def plan_refunds(cases: list[PlannedCase], count: int, rng: random.Random) -> list[RefundPlan]:
    """At most one refund per order; refunds still open only on cases that are not resolved."""
    used: set[int] = set()
    plans: list[RefundPlan] = []
    for index in rng.sample(range(len(cases)), len(cases)):
        if len(plans) >= count:
            break
        case = cases[index]
        if case.order_number in used:
            continue
        used.add(case.order_number)
        # A steady state: approved refunds were paid out long ago (none waits for the payout worker
        # at start-up); refunds still open are the ones waiting for a person to approve them. Half
        # of those on open cases still wait: enough for the mix's approvals for a whole run at
        # 1,000 req/s (bench.scenarios.AGENT_APPROVE) and for the direct ApproveRefund calls.
        if case.status in OPEN_STATUSES:
            final = rng.choices(
                ("PENDING_APPROVAL", "REFUNDED", "REJECTED", "CANCELLED"), weights=(50, 32, 12, 6)
            )[0]
        else:
            final = rng.choices(("REFUNDED", "REJECTED", "CANCELLED"), weights=(70, 20, 10))[0]
        plans.append(RefundPlan(case, final))
    return plans


_REASON_BY_CATEGORY = {
    "DAMAGED_ITEM": "DAMAGED",
    "WRONG_ITEM": "WRONG_ITEM",
    "MISSING_ITEM": "MISSING_ITEM",
    "NOT_DELIVERED": "NOT_DELIVERED",
    "QUALITY": "NOT_AS_DESCRIBED",
}


def refund_rows(
    plan: RefundPlan,
    number: int,
    *,
    catalog: Any,
    category: str,
    now: datetime,
    rng: random.Random,
    agents: Sequence[str],
    leads: Sequence[str],
) -> tuple[dict[str, Any], list[tuple[Any, ...]], list[tuple[Any, ...]], tuple[Any, ...]]:
    """One refund: its row, lines, status history and idempotency key, following the refund policy."""
    order = catalog.get_order(f"ord_{plan.case.order_number}")
    if order is None:
        raise SeedError(f"the shop stand-in has no order ord_{plan.case.order_number}")
    lines = list(order.lines) if rng.random() < 0.3 else [rng.choice(order.lines)]
    total = sum(line.paid_minor for line in lines)
    start = max(plan.case.created, order.place_time)
    created = start + (now - start) * rng.uniform(0.05, 0.5)
    inside = order.delivery_time is None or created <= order.delivery_time + REFUND_WINDOW
    refund_id = f"{rng.getrandbits(128):032x}"
    customer = order.customer_id
    requester = (customer, "customer") if inside else (rng.choice(agents), "agent")
    note = "" if inside else "Goodwill refund outside the refund window"
    if total > LEAD_LIMIT_MINOR:
        policy = "LEAD_APPROVAL"
    elif inside and total <= AUTO_APPROVE_LIMIT_MINOR:
        policy = "AUTO_APPROVE"
    else:
        policy = "AGENT_APPROVAL"
    final = plan.final
    if final == "CANCELLED" and requester[1] != "customer":
        final = "REJECTED"
    if policy == "AUTO_APPROVE" and final in ("PENDING_APPROVAL", "REJECTED", "CANCELLED"):
        final = "REFUNDED"  # approved at once by policy, and paid out since
    moments = iter(sorted(created + (now - created) * rng.random() * 0.9 for _ in range(4)))
    history: list[tuple[str | None, str, str, str, datetime, str, str | None]] = [
        (None, "PENDING_APPROVAL", requester[0], requester[1], created, note, None)
    ]

    def move(to: str, actor: tuple[str, str], comment: str, with_policy: str | None = None) -> None:
        history.append((history[-1][1], to, actor[0], actor[1], next(moments), comment, with_policy))

    if policy == "AUTO_APPROVE":
        history.append(
            ("PENDING_APPROVAL", "APPROVED", "system", "system", created, "approved by policy", policy)
        )
    elif final in ("APPROVED", "PROCESSING", "REFUNDED"):
        approver = (rng.choice(leads), "lead") if policy == "LEAD_APPROVAL" else (rng.choice(agents), "agent")
        if approver[0] == requester[0]:
            approver = (rng.choice(leads), "lead")
        move("APPROVED", approver, "approved", policy)
    if final == "REJECTED":
        move("REJECTED", (rng.choice(agents), "agent"), "Not covered: the item was used", policy)
    elif final == "CANCELLED":
        move("CANCELLED", (customer, "customer"), "cancelled by the customer")
    elif final in ("PROCESSING", "REFUNDED"):
        move("PROCESSING", ("system", "system"), "payout started")
        if final == "REFUNDED":
            move("REFUNDED", ("system", "system"), "paid out")
    row = {
        "refund_id": refund_id,
        "number": number,
        "case_name": f"cases/{plan.case.case_id}",
        "order_id": order.order_id,
        "customer_id": customer,
        "currency_code": order.currency_code,
        "total_minor": total,
        "reason": _REASON_BY_CATEGORY.get(category, "OTHER"),
        "method": "STORE_CREDIT" if rng.random() < 0.1 else "ORIGINAL_PAYMENT",
        "status": history[-1][1],
        "requested_by": requester[0],
        "requested_by_role": requester[1],
        "note": note,
        "outside_window": int(not inside),
        "required_approval": policy,
        "create_time_us": _us(created),
        "update_time_us": _us(history[-1][4]),
        "version": len(history),
        "payout_reference": f"sim-{refund_id}" if history[-1][1] == "REFUNDED" else "",
    }
    line_rows = [
        (refund_id, i, order.order_id, line.line_id, line.quantity, line.paid_minor)
        for i, line in enumerate(lines)
    ]
    change_rows = [
        (refund_id, seq, frm, to, actor, role, _us(at), comment, pol)
        for seq, (frm, to, actor, role, at, comment, pol) in enumerate(history)
    ]
    fingerprint = hashlib.sha256(refund_id.encode()).hexdigest()
    key = (customer, f"bench-seed-refund-{number}", fingerprint, refund_id, _us(created))
    return row, line_rows, change_rows, key


@dataclass(frozen=True, slots=True)
class RefundHistory:
    """One refund as written to refund.db: what its case is told about it, step by step."""

    case_id: int
    refund_id: str
    number: int
    amount_minor: int
    currency_code: str
    changes: Sequence[tuple[Any, ...]]  # its refund_status_changes rows, in order


# refund_svc's actor roles as support_svc reads them (the relay's ACTOR_ROLE_* on the wire).
_SUPPORT_ROLES = {
    ActorRole.CUSTOMER: Role.CUSTOMER,
    ActorRole.AGENT: Role.AGENT,
    ActorRole.LEAD: Role.LEAD,
    ActorRole.SYSTEM: Role.SYSTEM,
}


def refund_events(history: RefundHistory) -> list[RefundEvent]:
    """The events refund_svc's outbox holds for this history (one per status change, as
    refund_svc.domain.refund.Refund.unsaved_events makes them), as support_svc receives them."""
    events = []
    for _refund_id, seq, _from, to, actor_id, actor_role, at_us, comment, _policy in history.changes:
        status = RefundStatus(to)
        events.append(
            RefundEvent(
                event_id=event_id_for(history.refund_id, seq),
                refund_id=history.refund_id,
                refund_number=f"R-{history.number}",
                kind=RefundEventKind(EVENT_KINDS[status].value),
                amount_minor=history.amount_minor,
                currency_code=history.currency_code,
                actor_id=actor_id,
                actor_role=_SUPPORT_ROLES[ActorRole(actor_role)],
                note=comment,
                occurred_at=from_us(at_us),
                refund_open=status in OPEN_REFUND_STATUSES,
                sequence=seq + 1,
            )
        )
    return events


# --- writing --------------------------------------------------------------------------------------


def create_schemas(data_dir: Path) -> None:
    """The services' own migrations, applied by their own database classes."""

    async def migrate() -> None:
        support = SupportDatabase(data_dir / "support.db")
        await support.open()
        await support.close()
        refunds = RefundDatabase(data_dir / "refund.db")
        await refunds.open()
        await refunds.close()

    asyncio.run(migrate())


def _bulk_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")  # a crash while seeding just means seeding again
    conn.execute("PRAGMA cache_size = -262144")
    conn.execute("PRAGMA temp_store = MEMORY")
    return conn


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def agent_ids(spec: SeedSpec) -> list[str]:
    return [f"agt_{FIRST_BENCH_AGENT + i}" for i in range(spec.agents)]


def lead_ids(spec: SeedSpec) -> list[str]:
    return [f"agt_{FIRST_BENCH_AGENT + 900 + i}" for i in range(spec.leads)]


def seed(data_dir: Path, spec: SeedSpec, *, now: datetime | None = None) -> dict[str, Any]:
    """Writes support.db, refund.db (and the accounts and fixture files) into an empty data dir.

    Returns the fixture (also written to data_dir/bench-fixture.json)."""
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    data_dir.mkdir(parents=True, exist_ok=True)
    for name in ("support.db", "refund.db"):
        if (data_dir / name).exists():
            raise SeedError(f"{data_dir / name} exists: seed into an empty data dir")
    rng = random.Random(spec.seed)
    words = Vocabulary(random.Random(spec.seed + 1))
    agents, leads = agent_ids(spec), lead_ids(spec)
    create_schemas(data_dir)
    timings: dict[str, float] = {"schema_s": time.perf_counter() - started}

    planned = plan_cases(spec, now, rng)
    refund_plans = plan_refunds(planned, spec.refunds, rng) if spec.refunds else []
    categories, refund_cases = _write_cases(
        data_dir / "support.db",
        planned,
        {plan.case.case_id for plan in refund_plans},
        now=now,
        rng=rng,
        words=words,
        agents=agents,
    )
    timings["cases_s"] = time.perf_counter() - started - sum(timings.values())
    refunded, histories = _write_refunds(
        data_dir / "refund.db",
        refund_plans,
        categories,
        now=now,
        rng=rng,
        agents=agents,
        leads=leads,
        spec=spec,
    )
    timings["refunds_s"] = time.perf_counter() - started - sum(timings.values())
    _write_refund_events(data_dir / "support.db", refund_cases, histories)
    timings["refund_events_s"] = time.perf_counter() - started - sum(timings.values())
    if spec.accounts:
        write_accounts(data_dir / "bench-accounts.json", spec)
    timings["accounts_s"] = time.perf_counter() - started - sum(timings.values())
    fixture = _fixture(spec, planned, refunded, words, now, agents, leads)
    fixture["timings"] = {k: round(v, 2) for k, v in timings.items()}
    fixture["seconds"] = round(time.perf_counter() - started, 2)
    (data_dir / "bench-fixture.json").write_text(json.dumps(fixture))
    return fixture


@dataclass(slots=True)
class RefundCase:
    """A case with a refund, kept until its refund's events are known: the case as stored, and its
    timeline entries (not written yet, so that the refund's entries can take their place among
    them in time order, as the running service would have written them)."""

    case: SupportCase
    event_rows: list[tuple[Any, ...]]


def _write_cases(
    path: Path,
    planned: list[PlannedCase],
    with_refunds: set[int],
    *,
    now: datetime,
    rng: random.Random,
    words: Vocabulary,
    agents: Sequence[str],
) -> tuple[dict[int, str], dict[int, RefundCase]]:
    """Writes the cases, their messages, search text and timelines; the timelines of the cases
    in `with_refunds` are returned instead, with those cases, for _write_refund_events."""
    sla = SlaPolicy.default()
    conn = _bulk_connection(path)
    categories: dict[int, str] = {}
    kept: dict[int, RefundCase] = {}
    try:
        case_sql = None
        message_sql = _insert_sql(conn, "case_messages", _MESSAGE_COLUMNS)
        event_sql = _insert_sql(conn, "case_events", _EVENT_COLUMNS)
        text_sql = _insert_sql(conn, "case_text", ("rowid", "public_text", "internal_text"))
        conn.execute("BEGIN")
        for chunk in _chunks(planned, CHUNK):
            cases, messages, events, texts = [], [], [], []
            columns: list[str] = []
            for plan in chunk:
                case = build_case(plan, now=now, rng=rng, words=words, agents=agents, sla=sla)
                version = 1 + sum(1 for e in case.new_events if e.kind.value != "OPENED")
                row, m, e, text = case_rows(case, version)
                if not columns:
                    columns = ["id", *(c for c in row if c != "id")]
                    case_sql = case_sql or _insert_sql(conn, "cases", columns)
                cases.append(tuple(row[c] for c in columns))
                messages += m
                if case.id in with_refunds:
                    case.version = version
                    kept[case.id] = RefundCase(case, e)
                else:
                    events += e
                texts.append(text)
                categories[case.id] = case.category.value
            assert case_sql is not None
            conn.executemany(case_sql, cases)
            conn.executemany(message_sql, messages)
            conn.executemany(event_sql, events)
            conn.executemany(text_sql, texts)
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return categories, kept


def _write_refunds(
    path: Path,
    plans: list[RefundPlan],
    categories: dict[int, str],
    *,
    now: datetime,
    rng: random.Random,
    agents: Sequence[str],
    leads: Sequence[str],
    spec: SeedSpec,
) -> tuple[list[dict[str, str]], list[RefundHistory]]:
    """Writes the refunds; returns them for the fixture, and their histories for their cases."""
    if not plans:
        return [], []
    catalog = build_catalog(now.date(), spec.shop_customers)
    conn = _bulk_connection(path)
    written: list[dict[str, str]] = []
    histories: list[RefundHistory] = []
    try:
        rows, lines, changes, keys = [], [], [], []
        columns: list[str] = []
        for number, plan in enumerate(plans, start=FIRST_REFUND_NUMBER):
            row, line_rows, change_rows, key = refund_rows(
                plan,
                number,
                catalog=catalog,
                category=categories[plan.case.case_id],
                now=now,
                rng=rng,
                agents=agents,
                leads=leads,
            )
            if not columns:
                known = _table_columns(conn, "refunds")[0]
                # Columns of later migrations, written when the schema has them.
                columns = [c for c in row if c in known or c not in _OPTIONAL_REFUND_COLUMNS]
            rows.append(tuple(row[c] for c in columns))
            lines += line_rows
            changes += change_rows
            keys.append(key)
            written.append(
                {
                    "refund": row["refund_id"],
                    "case": str(plan.case.case_id),
                    "order": row["order_id"],
                    "customer": row["customer_id"],
                    "status": row["status"],
                    "policy": row["required_approval"],
                    "requested_by_role": row["requested_by_role"],
                }
            )
            histories.append(
                RefundHistory(
                    case_id=plan.case.case_id,
                    refund_id=row["refund_id"],
                    number=number,
                    amount_minor=row["total_minor"],
                    currency_code=row["currency_code"],
                    changes=change_rows,
                )
            )
        conn.execute("BEGIN")
        conn.executemany(_insert_sql(conn, "refunds", columns), rows)
        conn.executemany(
            _insert_sql(
                conn,
                "refund_lines",
                ("refund_id", "position", "order_id", "order_line_id", "quantity", "amount_minor"),
            ),
            lines,
        )
        conn.executemany(
            _insert_sql(
                conn,
                "refund_status_changes",
                (
                    "refund_id",
                    "seq",
                    "from_status",
                    "to_status",
                    "actor_id",
                    "actor_role",
                    "at_us",
                    "comment",
                    "policy",
                ),
            ),
            changes,
        )
        conn.executemany(
            _insert_sql(
                conn,
                "idempotency_keys",
                ("scope", "request_id", "fingerprint", "refund_id", "create_time_us"),
            ),
            keys,
        )
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return written, histories


_INBOX_COLUMNS = ("event_id", "case_id", "refund_id", "kind", "received_ms")
_TRACK_COLUMNS = (
    "case_id",
    "refund_id",
    "refund_number",
    "open",
    "finished",
    "last_kind",
    "last_occur_us",
    "last_sequence",
)
_UPDATE_REFUND_CASE = (
    "UPDATE cases SET open_refund_count = ?, open_refunds = ?, updated_ms = ?, version = ? WHERE id = ?"
)


def record_refund_history(case: SupportCase, events: Sequence[RefundEvent]) -> dict[str, RefundTrack]:
    """Takes the events into the case as support_svc does (RefundEventRecorder.record: one save,
    so one version, per event), each recorded when it happened; returns the case's refund tracks.

    The case's last change is its latest one, refund events or not: these are taken in after the
    case's own changes, which may be later."""
    tracks: dict[str, RefundTrack] = {}
    last_change = case.updated_at
    for event in events:
        outcome = case.record_refund_event(event, tracks, event.occurred_at, auto_resolve=False)
        tracks[event.refund_id] = outcome.track
        case.version += 1
    case.updated_at = max(last_change, case.updated_at)
    return tracks


def _write_refund_events(
    path: Path, cases: dict[int, RefundCase], histories: Sequence[RefundHistory]
) -> None:
    """What support_svc holds once the relay told each case every step of its refunds' histories:
    REFUND_EVENT entries among the case's timeline, its refund tracks, open refunds, inbox rows
    and version. Writes the timelines _write_cases kept back."""
    if not cases:
        return
    told: dict[int, list[RefundEvent]] = {}
    for history in histories:
        told.setdefault(history.case_id, []).extend(refund_events(history))
    conn = _bulk_connection(path)
    try:
        event_sql = _insert_sql(conn, "case_events", _EVENT_COLUMNS)
        inbox_sql = _insert_sql(conn, "refund_event_inbox", _INBOX_COLUMNS)
        track_sql = _insert_sql(conn, "case_refunds", _TRACK_COLUMNS)
        events: list[tuple[Any, ...]] = []
        inbox, tracks, updates = [], [], []
        for case_id in sorted(cases):
            kept = cases[case_id]
            case = kept.case
            # Delivered in order per case: by time, then by position in the refund's history.
            arrived = sorted(told.get(case_id, ()), key=lambda e: (e.occurred_at, e.sequence))
            known = record_refund_history(case, arrived)
            _, entries = case.collect_changes()
            # The case's own entries and the refund's, in time order (the case's first at a tie: a
            # stable sort, and the case's own are in time order already).
            events += sorted([*kept.event_rows, *map(event_row, entries)], key=itemgetter(_EVENT_CREATED))
            inbox += [(e.event_id, case_id, e.refund_id, e.kind.value, to_ms(e.occurred_at)) for e in arrived]
            tracks += [
                (
                    case_id,
                    t.refund_id,
                    t.refund_number,
                    int(t.open),
                    int(t.finished),
                    t.last_kind.value,
                    to_us(t.last_occurred_at),
                    t.last_sequence,
                )
                for t in known.values()
            ]
            state = case_state(case)
            count, listed, updated = state["open_refund_count"], state["open_refunds"], state["updated_ms"]
            updates.append((count, listed, updated, case.version, case_id))
        conn.execute("BEGIN")
        conn.executemany(event_sql, events)
        conn.executemany(inbox_sql, inbox)
        conn.executemany(track_sql, tracks)
        conn.executemany(_UPDATE_REFUND_CASE, updates)
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def write_accounts(path: Path, spec: SeedSpec) -> None:
    """Demo accounts plus every generated customer, bench agents and leads (one cheap hash for all)."""
    hashed = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(BENCH_PASSWORD)
    rows: list[dict[str, str]] = json.loads((REPO / "bff" / "demo_accounts.json").read_text())
    rows += [
        {
            "id": f"agt_{n}",
            "name": f"Bench Agent {n}",
            "email": f"agt_{n}@bench.example",
            "role": "agent",
            "passwordHash": hashed,
        }
        for n in range(FIRST_BENCH_AGENT, FIRST_BENCH_AGENT + spec.agents)
    ]
    rows += [
        {
            "id": lead,
            "name": f"Bench Lead {lead}",
            "email": f"{lead}@bench.example",
            "role": "lead",
            "passwordHash": hashed,
        }
        for lead in lead_ids(spec)
    ]
    rows += [
        {
            "id": f"cus_{n}",
            "name": f"Bench Customer {n}",
            "email": f"cus_{n}@bench.example",
            "role": "customer",
            "passwordHash": hashed,
        }
        for n in range(FIRST_GENERATED_CUSTOMER, FIRST_GENERATED_CUSTOMER + spec.shop_customers)
    ]
    path.write_bytes(orjson.dumps(rows))


def _fixture(
    spec: SeedSpec,
    planned: list[PlannedCase],
    refunded: list[dict[str, str]],
    words: Vocabulary,
    now: datetime,
    agents: list[str],
    leads: list[str],
) -> dict[str, Any]:
    """What the load needs to know about the data. Orders nobody refunded yet are split by parity
    of their number: even ones for customers' refund requests through the BFF, odd ones for direct
    gRPC creates, so that the two never ask for the same line."""
    refunded_orders = {r["order"] for r in refunded}
    catalog = build_catalog(now.date(), spec.shop_customers) if spec.accounts else None
    customers: dict[str, dict[str, Any]] = {}
    for case in planned:
        customer = f"cus_{FIRST_GENERATED_CUSTOMER + case.customer_index}"
        entry = customers.setdefault(customer, {"cases": [], "postable": [], "refund": []})
        entry["cases"].append(str(case.case_id))
        if case.status not in OPEN_STATUSES:
            continue
        entry["postable"].append(str(case.case_id))
        order_id = f"ord_{case.order_number}"
        if catalog is None or case.order_number % 2 or order_id in refunded_orders:
            continue
        if any(r["order"] == order_id for r in entry["refund"]):
            continue
        shop_order = catalog.get_order(order_id)
        if shop_order is None or (
            shop_order.delivery_time and now > shop_order.delivery_time + REFUND_WINDOW
        ):
            continue  # customers may ask only inside the refund window
        line = shop_order.lines[0]
        body = {"lines": [{"lineId": line.line_id, "quantity": line.quantity}], "reason": "damaged"}
        entry["refund"].append({"case": str(case.case_id), "order": order_id, "body": json.dumps(body)})
    text_rng = random.Random(spec.seed + 2)
    unrefunded: dict[str, dict[str, str]] = {}
    for case in text_rng.sample(planned, min(len(planned), 20_000)):
        order = f"ord_{case.order_number}"
        if case.order_number % 2 and order not in refunded_orders and len(unrefunded) < 5000:
            unrefunded.setdefault(order, {"case": str(case.case_id), "order": order})
    messages = [" ".join(text_rng.choices(words.words[:400], k=text_rng.randint(6, 20))) for _ in range(200)]
    pending = [r for r in refunded if r["status"] == "PENDING_APPROVAL"]
    # Agents (not leads) can approve these: below the lead limit, and requested by the customer.
    for_agents = [
        r["refund"]
        for r in pending
        if r["policy"] == "AGENT_APPROVAL" and r["requested_by_role"] == "customer"
    ]
    for_bff = set(for_agents[: len(for_agents) // 2])
    return {
        "spec": asdict(spec),
        "shop_customers": spec.shop_customers,
        "now": now.isoformat(),
        "first_case_id": FIRST_CASE_ID,
        "last_case_id": FIRST_CASE_ID + spec.cases - 1,
        "password": BENCH_PASSWORD,
        "customers": customers,
        "agents": agents,
        "leads": leads,
        "search_terms": words.search_terms(),
        "message_texts": messages,
        "refunds": refunded[:2000],
        "approvable_refunds": sorted(for_bff),
        "pending_refunds": [r["refund"] for r in pending if r["refund"] not in for_bff],
        "refund_count": len(refunded),
        "unrefunded_orders": list(unrefunded.values()),
    }


def order_ids_of(customer_index: int) -> list[str]:
    first = FIRST_GENERATED_ORDER + customer_index * ORDERS_PER_GENERATED_CUSTOMER
    return [f"ord_{n}" for n in range(first, first + ORDERS_PER_GENERATED_CUSTOMER)]


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench.seed", description="Seed a benchmark data dir.")
    parser.add_argument("data_dir")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--refunds", type=int, default=20_000)
    parser.add_argument("--no-accounts", action="store_true")
    args = parser.parse_args()
    fixture = seed(
        Path(args.data_dir), SeedSpec(cases=args.cases, refunds=args.refunds, accounts=not args.no_accounts)
    )
    print(json.dumps({k: fixture[k] for k in ("seconds", "timings", "refund_count", "shop_customers")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
