"""What the benchmark asks for: the BFF's request mix, single-endpoint plans, and direct gRPC calls.

Every plan is plain JSON for bench.loadgen. HTTP plans name endpoints by who calls them
("customer.case_page", "agent.queue"); the same plan sent to the bare FastAPI app gives that
endpoint's framework ceiling under the same rate, connections and requests.
"""

from __future__ import annotations

import base64
import random
import re
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from acme.refund.v1 import refund_pb2, refund_service_pb2
from acme.shop.v1 import order_service_pb2
from acme.support.v1 import case_pb2, case_service_pb2
from google.protobuf.message import Message

from kit.identity import Identity, Role, mint_token
from shop_stub.catalog import FIRST_GENERATED_CUSTOMER, build_catalog

CSRF = {"X-Requested-By": "acme-ui"}


@dataclass(frozen=True, slots=True)
class Endpoint:
    name: str
    role: str
    weight: float
    method: str
    path: str
    body: str | None = None
    consume: tuple[str, ...] = ()  # variables whose values are used once each

    def as_plan(self) -> dict[str, Any]:
        plan: dict[str, Any] = {
            "name": self.name,
            "role": self.role,
            "weight": self.weight,
            "method": self.method,
            "path": self.path,
        }
        if self.body is not None:
            plan["body"] = self.body
            plan["headers"] = CSRF
        return plan

    @property
    def route(self) -> tuple[str, str]:
        """(method, path template) as the BFF's OpenAPI document spells routes, parameters blanked."""
        return self.method, re.sub(r"\{[^}]*\}", "{}", self.path.split("?", 1)[0])


CUSTOMER_ORDERS = Endpoint("customer.orders", "customer", 10, "GET", "/api/orders")
CUSTOMER_CASES = Endpoint("customer.cases", "customer", 10, "GET", "/api/cases")
CUSTOMER_CASE_PAGE = Endpoint("customer.case_page", "customer", 22, "GET", "/api/cases/{case}")
CUSTOMER_REFUNDS = Endpoint("customer.refunds", "customer", 4, "GET", "/api/refunds")
CUSTOMER_MESSAGE = Endpoint(
    "customer.post_message", "customer", 5, "POST", "/api/cases/{postable}/messages", '{"body": "{text}"}'
)
# A whole line of an order of one of their open cases that nobody refunded yet, inside the window.
CUSTOMER_REFUND = Endpoint(
    "customer.request_refund",
    "customer",
    2,
    "POST",
    "/api/cases/{refund.case}/refunds",
    "{refund.body}",
    ("refund",),
)
AGENT_QUEUE = Endpoint(
    "agent.queue", "agent", 14, "GET", "/api/cases?status=open&status=in_progress&sort=due"
)
AGENT_SEARCH = Endpoint("agent.search", "agent", 9, "GET", "/api/cases?q={q}")
AGENT_CASE_PAGE = Endpoint("agent.case_page", "agent", 14, "GET", "/api/cases/{anycase}")
AGENT_APPROVALS = Endpoint("agent.approvals_queue", "agent", 5, "GET", "/api/refunds?status=pending_approval")
# Refunds waiting for an agent (below the lead limit, requested by the customer), each approved once.
# Fewer than the refunds customers ask for: only some of those wait for an agent.
AGENT_APPROVE = Endpoint(
    "agent.approve_refund",
    "agent",
    1,
    "POST",
    "/api/refunds/{approvable}/approve",
    '{"etag": ""}',
    ("approvable",),
)

# Customers reading orders, their cases, a case (with its refunds and order) and their refunds,
# posting messages and asking for refunds; agents working the queue, searching, opening cases,
# listing the refunds that wait for approval and approving them. Endpoints the BFF does not serve
# (older commits) are left out at run time and listed as not measured.
MIX = (
    CUSTOMER_ORDERS,
    CUSTOMER_CASES,
    CUSTOMER_CASE_PAGE,
    CUSTOMER_REFUNDS,
    CUSTOMER_MESSAGE,
    CUSTOMER_REFUND,
    AGENT_QUEUE,
    AGENT_SEARCH,
    AGENT_CASE_PAGE,
    AGENT_APPROVALS,
    AGENT_APPROVE,
)


def served(endpoints: tuple[Endpoint, ...], openapi: dict[str, Any]) -> tuple[Endpoint, ...]:
    """The endpoints whose route the BFF's OpenAPI document lists."""
    routes = {
        (method.upper(), re.sub(r"\{[^}]*\}", "{}", path))
        for path, operations in openapi.get("paths", {}).items()
        for method in operations
    }
    return tuple(e for e in endpoints if e.route in routes)


def search_values(fixture: dict[str, Any]) -> list[str]:
    terms = fixture["search_terms"]
    words = [*terms["common"], *terms["middle"], *terms["rare"], *terms["two_words"]]
    return [urllib.parse.quote(w) for w in words]


def global_vars(fixture: dict[str, Any], rng: random.Random) -> dict[str, list[str]]:
    first, last = int(fixture["first_case_id"]), int(fixture["last_case_id"])
    return {
        "anycase": [str(rng.randint(first, last)) for _ in range(2000)],
        "q": search_values(fixture),
        "text": list(fixture["message_texts"]),
        "approvable": list(fixture.get("approvable_refunds", [])),
    }


def http_plan(
    name: str,
    *,
    port: int,
    mode: str,
    endpoints: tuple[Endpoint, ...],
    users: list[dict[str, Any]],
    connections: int,
    duration_s: float,
    warmup_s: float,
    variables: dict[str, list[str]],
    rate: float | None = None,
    seed: int = 1,
) -> dict[str, Any]:
    plan: dict[str, Any] = {
        "name": name,
        "kind": "http",
        "host": "127.0.0.1",
        "port": port,
        "mode": mode,
        "connections": connections,
        "duration_s": duration_s,
        "warmup_s": warmup_s,
        "drain_s": 5.0,
        "seed": seed,
        "endpoints": [e.as_plan() for e in endpoints],
        "users": users,
        "vars": variables,
        "consume": sorted({name for e in endpoints for name in e.consume}),
    }
    if rate is not None:
        plan["rate"] = rate
    return plan


# --- gRPC -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GrpcCall:
    """One hot method with a pool of requests; `service` says which process serves it."""

    name: str
    service: str  # "support" | "refund" | "shop"
    method: str
    requests: tuple[bytes, ...]
    identity: Identity | None
    sequential: bool = False

    def as_plan(self, secret: str) -> dict[str, Any]:
        metadata = []
        if self.identity is not None:
            token = mint_token(secret, self.identity, ttl_s=6 * 3600)
            metadata.append(["authorization", f"Bearer {token}"])
        return {
            "name": self.name,
            "method": self.method,
            "metadata": metadata,
            "requests_b64": [base64.b64encode(r).decode() for r in self.requests],
            "sequential": self.sequential,
        }


def _raw(messages: Sequence[Message]) -> tuple[bytes, ...]:
    return tuple(m.SerializeToString() for m in messages)


SUPPORT = "/acme.support.v1.CaseService/"


def _case_pages(case_ids: Sequence[int]) -> tuple[bytes, ...]:
    return _raw(
        [
            case_service_pb2.GetCaseRequest(name=f"cases/{i}", view=case_service_pb2.CASE_VIEW_FULL)
            for i in case_ids
        ]
    )


REFUND = "/acme.refund.v1.RefundService/"
SHOP = "/acme.shop.v1.OrderService/"


def grpc_calls(fixture: dict[str, Any], rng: random.Random, *, today: date) -> list[GrpcCall]:
    """The hot methods of each service, with requests drawn from the seeded data."""
    agent = Identity(fixture["agents"][0], Role.AGENT)
    first, last = int(fixture["first_case_id"]), int(fixture["last_case_id"])
    case_ids = [rng.randint(first, last) for _ in range(500)]  # read again and again, as case pages are
    # Cases read once each: what a read costs when support_svc has no kept page of it.
    unread_ids = rng.sample(range(first, last + 1), min(30_000, last - first + 1))
    customers = sorted(fixture["customers"])
    customer = Identity(customers[0], Role.CUSTOMER)
    postable = [c for entry in fixture["customers"].values() for c in entry["postable"]][:2000]
    terms = fixture["search_terms"]
    words = [*terms["common"], *terms["middle"], *terms["rare"], *terms["two_words"]]
    refunds = fixture["refunds"] or [{"refund": "0" * 32, "case": str(first), "order": "ord_1000000"}]
    shop_customers = int(fixture["shop_customers"])
    order_numbers = [1_000_000 + rng.randrange(shop_customers * 3) for _ in range(500)]
    open_statuses = [case_pb2.CASE_STATUS_OPEN, case_pb2.CASE_STATUS_IN_PROGRESS]
    calls = [
        GrpcCall(
            "support.GetCase",
            "support",
            SUPPORT + "GetCase",
            _case_pages(case_ids),
            agent,
        ),
        GrpcCall(
            "support.GetCase.unread",
            "support",
            SUPPORT + "GetCase",
            _case_pages(unread_ids),
            agent,
            sequential=True,
        ),
        GrpcCall(
            "support.ListCases.queue",
            "support",
            SUPPORT + "ListCases",
            _raw(
                [
                    case_service_pb2.ListCasesRequest(
                        page_size=50, statuses=open_statuses, order_by=case_service_pb2.CASE_ORDER_DUE
                    )
                ]
            ),
            agent,
        ),
        GrpcCall(
            "support.ListCases.search",
            "support",
            SUPPORT + "ListCases",
            _raw([case_service_pb2.ListCasesRequest(page_size=50, query=w) for w in words]),
            agent,
        ),
        GrpcCall(
            "support.ListCases.customer",
            "support",
            SUPPORT + "ListCases",
            _raw([case_service_pb2.ListCasesRequest(page_size=50)]),
            customer,
        ),
        GrpcCall(
            "support.AddCaseMessage",
            "support",
            SUPPORT + "AddCaseMessage",
            _raw(
                [
                    case_service_pb2.AddCaseMessageRequest(
                        parent=f"cases/{c}", body=rng.choice(fixture["message_texts"]), internal=True
                    )
                    for c in (postable or [str(first)])
                ]
            ),
            agent,
        ),
        GrpcCall(
            "refund.ListRefunds",
            "refund",
            REFUND + "ListRefunds",
            _raw(
                [
                    refund_service_pb2.ListRefundsRequest(case=f"cases/{r['case']}", page_size=100)
                    for r in refunds
                ]
            ),
            agent,
        ),
        GrpcCall(
            "refund.GetRefund",
            "refund",
            REFUND + "GetRefund",
            _raw([refund_service_pb2.GetRefundRequest(name=f"refunds/{r['refund']}") for r in refunds]),
            agent,
        ),
        GrpcCall(
            "refund.QuoteRefund",
            "refund",
            REFUND + "QuoteRefund",
            _raw([refund_service_pb2.QuoteRefundRequest(order_id=f"ord_{n}") for n in order_numbers]),
            agent,
        ),
        *_creates(fixture, rng, today=today),
        *_approvals(fixture),
        GrpcCall(
            "shop.GetOrder",
            "shop",
            SHOP + "GetOrder",
            _raw([order_service_pb2.GetOrderRequest(name=f"orders/ord_{n}") for n in order_numbers]),
            None,
        ),
        GrpcCall(
            "shop.ListOrders",
            "shop",
            SHOP + "ListOrders",
            _raw(
                [
                    order_service_pb2.ListOrdersRequest(
                        customer_id=f"cus_{FIRST_GENERATED_CUSTOMER + (n - 1_000_000) // 3}", page_size=100
                    )
                    for n in order_numbers
                ]
            ),
            None,
        ),
    ]
    return calls


def _approvals(fixture: dict[str, Any]) -> list[GrpcCall]:
    """A lead approving refunds that wait for a person, each once (when the contract has the RPC)."""
    approve = getattr(refund_service_pb2, "ApproveRefundRequest", None)
    pending = fixture.get("pending_refunds") or []
    if approve is None or not pending:
        return []
    lead = Identity(fixture["leads"][0], Role.LEAD)
    requests = tuple(approve(name=f"refunds/{r}").SerializeToString() for r in pending)
    return [
        GrpcCall("refund.ApproveRefund", "refund", REFUND + "ApproveRefund", requests, lead, sequential=True)
    ]


def _creates(fixture: dict[str, Any], rng: random.Random, *, today: date) -> list[GrpcCall]:
    requests = _create_refund_requests(fixture, rng, today=today)
    agent = Identity(fixture["agents"][0], Role.AGENT)
    if not requests:
        return []
    return [
        GrpcCall("refund.CreateRefund", "refund", REFUND + "CreateRefund", requests, agent, sequential=True)
    ]


def _create_refund_requests(fixture: dict[str, Any], rng: random.Random, *, today: date) -> tuple[bytes, ...]:
    """Refunds of whole lines of orders nobody refunded yet, by an agent, each with its own key."""
    catalog = build_catalog(today, int(fixture["shop_customers"]))
    requests = []
    for n, entry in enumerate(fixture["unrefunded_orders"]):
        order = catalog.get_order(entry["order"])
        if order is None:
            continue
        line = rng.choice(order.lines)
        requests.append(
            refund_service_pb2.CreateRefundRequest(
                refund=refund_pb2.Refund(
                    case=f"cases/{entry['case']}",
                    order_id=order.order_id,
                    lines=[refund_pb2.RefundLine(order_line_id=line.line_id, quantity=line.quantity)],
                    reason=refund_pb2.REFUND_REASON_DAMAGED,
                    method=refund_pb2.REFUND_METHOD_ORIGINAL_PAYMENT,
                    note="Benchmark: goodwill refund",
                ),
                request_id=f"bench-{fixture['now']}-{n}".replace(":", "").replace("+", ""),
            )
        )
    return _raw(requests)


def grpc_plan(
    name: str,
    *,
    target: str,
    calls: list[dict[str, Any]],
    mode: str,
    duration_s: float,
    warmup_s: float,
    concurrency: int = 16,
    rate: float | None = None,
) -> dict[str, Any]:
    plan: dict[str, Any] = {
        "name": name,
        "kind": "grpc",
        "target": target,
        "mode": mode,
        "concurrency": concurrency,
        "duration_s": duration_s,
        "warmup_s": warmup_s,
        "drain_s": 5.0,
        "timeout_s": 5.0,
        "calls": calls,
    }
    if rate is not None:
        plan["rate"] = rate
    return plan


# --- growth ---------------------------------------------------------------------------------------


def growth_calls(fixture: dict[str, Any]) -> list[GrpcCall]:
    """Queue and search as the cost of the data grows: one request shape per row of the table."""
    agent = Identity("agt_3000", Role.AGENT)
    terms = fixture["search_terms"]
    customer = Identity(sorted(fixture["customers"])[0], Role.CUSTOMER)
    open_statuses = [case_pb2.CASE_STATUS_OPEN, case_pb2.CASE_STATUS_IN_PROGRESS]
    shapes: list[tuple[str, list[Message], Identity]] = [
        (
            "queue: open+in progress, by due",
            [
                case_service_pb2.ListCasesRequest(
                    page_size=50, statuses=open_statuses, order_by=case_service_pb2.CASE_ORDER_DUE
                )
            ],
            agent,
        ),
        ("queue: all, newest", [case_service_pb2.ListCasesRequest(page_size=50)], agent),
        (
            "queue: unassigned, breached",
            [
                case_service_pb2.ListCasesRequest(
                    page_size=50,
                    assignee_filter=case_service_pb2.ASSIGNEE_FILTER_UNASSIGNED,
                    breached_only=True,
                    statuses=open_statuses,
                )
            ],
            agent,
        ),
        (
            "search: common word",
            [case_service_pb2.ListCasesRequest(page_size=50, query=w) for w in terms["common"]],
            agent,
        ),
        (
            "search: middling word",
            [case_service_pb2.ListCasesRequest(page_size=50, query=w) for w in terms["middle"]],
            agent,
        ),
        (
            "search: rare word",
            [case_service_pb2.ListCasesRequest(page_size=50, query=w) for w in terms["rare"]],
            agent,
        ),
        (
            "search: two words",
            [case_service_pb2.ListCasesRequest(page_size=50, query=w) for w in terms["two_words"]],
            agent,
        ),
        (
            "search: common word, by due",
            [
                case_service_pb2.ListCasesRequest(
                    page_size=50, query=w, order_by=case_service_pb2.CASE_ORDER_DUE
                )
                for w in terms["common"]
            ],
            agent,
        ),
        ("customer: own cases", [case_service_pb2.ListCasesRequest(page_size=50)], customer),
    ]
    return [GrpcCall(name, "support", SUPPORT + "ListCases", _raw(msgs), who) for name, msgs, who in shapes]
