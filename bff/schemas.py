"""The JSON the browser sees: camelCase pydantic models (see the BFF contract)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

Role = Literal["customer", "agent", "lead"]
ActorRole = Literal["customer", "agent", "lead", "system"]
OrderStatus = Literal["paid", "shipped", "delivered"]
Category = Literal[
    "damaged_item",
    "wrong_item",
    "missing_item",
    "not_delivered",
    "late_delivery",
    "quality",
    "billing",
    "refund_or_return",
    "other",
]
Priority = Literal["low", "normal", "high", "urgent"]
CaseStatus = Literal["open", "in_progress", "waiting_on_customer", "resolved", "closed"]
StatusAction = Literal["wait", "work", "resolve", "close", "reopen"]
Sort = Literal["newest", "oldest", "due"]
TimelineKind = Literal[
    "opened",
    "status_changed",
    "assigned",
    "priority_changed",
    "category_changed",
    "message_added",
    "note_added",
    "refund_event",
    "follow_up_opened",
]
RefundStatus = Literal[
    "pending_approval", "approved", "rejected", "cancelled", "processing", "refunded", "failed"
]


class ApiModel(BaseModel):
    """Responses: camelCase out, and every field marked required in the OpenAPI document (a field with
    a default is still always present), so the generated TypeScript types need no `?`."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        serialize_by_alias=True,
        frozen=True,
        json_schema_serialization_defaults_required=True,
    )


class RequestModel(BaseModel):
    """Requests: camelCase in only, so that one field has one spelling."""

    model_config = ConfigDict(alias_generator=to_camel, validate_by_alias=True, validate_by_name=False)


# --- session -----------------------------------------------------------------------------------


class User(ApiModel):
    id: str
    name: str
    email: str
    role: Role


class SessionResponse(ApiModel):
    user: User


class SignInRequest(RequestModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)


# --- orders ------------------------------------------------------------------------------------


class Money(ApiModel):
    amount_minor: int
    currency: str


class OrderLine(ApiModel):
    id: str
    product_title: str
    quantity: int
    unit_price: Money
    paid: Money


class Order(ApiModel):
    id: str
    placed_at: datetime
    delivered_at: datetime | None
    status: OrderStatus
    total: Money
    lines: list[OrderLine]


class OrdersResponse(ApiModel):
    orders: list[Order]


# --- cases -------------------------------------------------------------------------------------


class Person(ApiModel):
    id: str
    name: str


class Actor(ApiModel):
    id: str
    name: str
    role: ActorRole


class Case(ApiModel):
    id: str
    number: str
    order_id: str
    order_line_ids: list[str]
    category: Category
    subject: str
    description: str
    priority: Priority
    status: CaseStatus
    assignee: Person | None
    created_at: datetime
    updated_at: datetime
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    first_responded_at: datetime | None
    sla_breached: bool
    etag: str
    previous_case_number: str | None


class Message(ApiModel):
    id: str
    author: Actor
    body: str
    internal: bool
    created_at: datetime


class TimelineEntry(ApiModel):
    id: str
    kind: TimelineKind
    actor: Actor
    summary: str
    created_at: datetime
    internal: bool


class Refund(ApiModel):
    id: str
    number: str
    status: RefundStatus
    total: Money
    created_at: datetime


class CaseResponse(ApiModel):
    case: Case


class CaseListResponse(ApiModel):
    cases: list[Case]
    next_page_token: str | None


class CasePage(ApiModel):
    case: Case
    messages: list[Message]
    timeline: list[TimelineEntry]
    order: Order | None
    refunds: list[Refund]


class MessageResponse(ApiModel):
    message: Message
    case: Case


class AgentsResponse(ApiModel):
    agents: list[Person]


class HealthResponse(ApiModel):
    status: Literal["ok"]


# Request bodies check types and allowed values only; the services own the business rules (lengths,
# ownership, transitions) and their answers come back naming the same fields.
class CreateCaseRequest(RequestModel):
    order_id: str = Field(max_length=200)
    category: Category
    subject: str = Field(max_length=2000)
    description: str = Field(max_length=50_000)
    order_line_ids: list[str] = Field(default_factory=list, max_length=200)


class AddMessageRequest(RequestModel):
    body: str = Field(max_length=50_000)
    internal: bool = False


class AssignRequest(RequestModel):
    assignee_id: str | None = Field(max_length=200)
    etag: str = Field(max_length=200)


class UpdateCaseRequest(RequestModel):
    etag: str = Field(max_length=200)
    priority: Priority | None = None
    category: Category | None = None


class StatusRequest(RequestModel):
    action: StatusAction
    etag: str = Field(max_length=200)


class CaseQuery(BaseModel):
    """GET /api/cases query parameters (already camelCase on the wire)."""

    status: list[CaseStatus] = Field(default_factory=list)
    priority: list[Priority] = Field(default_factory=list)
    category: list[Category] = Field(default_factory=list)
    assignee: str | None = Field(default=None, max_length=200)
    breached: bool = False
    q: str | None = Field(default=None, max_length=500)
    sort: Sort = "newest"
    page_token: str | None = Field(default=None, alias="pageToken", max_length=2000)
    page_size: int = Field(default=0, alias="pageSize")


# --- problems ----------------------------------------------------------------------------------


class FieldProblem(ApiModel):
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details. `reason` is stable: the frontend branches on it, never on text."""

    model_config = ConfigDict(title="Problem")

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    reason: str
    errors: list[FieldProblem] | None = Field(
        default=None, description="Present on 400s with field problems; fields are camelCase."
    )
