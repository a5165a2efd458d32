"""The JSON the browser sees: camelCase pydantic models (see the BFF contract)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
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
RefundReason = Literal[
    "damaged", "wrong_item", "missing_item", "not_delivered", "not_as_described", "changed_mind", "other"
]
RefundMethod = Literal["original_payment", "store_credit"]
RequiredApproval = Literal["auto", "agent", "lead"]
ApprovalPolicy = Literal["auto_approve", "agent_approval", "lead_approval"]
DecisionOutcome = Literal["approved", "rejected"]
ReadinessCheck = Literal["ok", "failed"]

# The services' integers are 32-bit: anything outside is refused here rather than crash the encoder.
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
PageSize = Annotated[int, Field(ge=INT32_MIN, le=INT32_MAX)]


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

    @field_validator("*")
    @classmethod
    def _encodable(cls, value: Any) -> Any:
        """JSON may carry lone surrogates ("\\ud800"), which no UTF-8 encoder (protobuf's) accepts."""
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str):
                text.encode()  # UnicodeEncodeError is a ValueError: a 400 naming the field
        return value


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
    assignee: Person | None = Field(
        default=None,
        description="On an assignment entry: who the case was assigned to (null: unassigned, other kinds).",
    )


# --- refunds -----------------------------------------------------------------------------------


class RefundLine(ApiModel):
    line_id: str
    product_title: str | None
    quantity: int
    amount: Money


class RefundDecision(ApiModel):
    outcome: DecisionOutcome
    by: Actor | None = Field(description="null when the policy approved it")
    policy: ApprovalPolicy
    comment: str | None
    decided_at: datetime


class Refund(ApiModel):
    id: str
    number: str
    case_id: str
    case_number: str | None
    order_id: str
    status: RefundStatus
    lines: list[RefundLine]
    total: Money
    reason: RefundReason
    method: RefundMethod
    requested_by: Actor
    created_at: datetime
    updated_at: datetime
    etag: str
    required_approval: RequiredApproval
    outside_refund_window: bool
    note: str | None
    decision: RefundDecision | None
    failure_reason: str | None = Field(
        description="Why the last payout failed; staff only (null for customers)"
    )
    can_cancel: bool = Field(description="What the signed-in user may do now")
    can_approve: bool
    can_reject: bool
    can_retry: bool


class RefundResponse(ApiModel):
    refund: Refund


class RefundListResponse(ApiModel):
    refunds: list[Refund]
    next_page_token: str | None


class RefundableLine(ApiModel):
    line_id: str
    product_title: str
    quantity_bought: int
    quantity_refundable: int
    amount_paid: Money
    amount_refundable: Money


class RefundQuote(ApiModel):
    order_id: str
    currency: str
    window_open: bool
    window_ends_at: datetime | None
    lines: list[RefundableLine]


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


class CaseChangedEvent(ApiModel):
    """The data of a `case-changed` server-sent event (GET /api/cases/{caseId}/events)."""

    etag: str = Field(description="The case's etag after the change")
    kind: str = Field(
        description='What changed, as a timeline kind ("message_added", "status_changed", ...), or "resync" '
        "when changes happened while the page was not listening"
    )
    kinds: list[str] = Field(description="Every kind of this change (an agent's first reply: two)")


class HealthResponse(ApiModel):
    status: Literal["ok"]


class ReadinessChecks(ApiModel):
    support: ReadinessCheck
    refund: ReadinessCheck
    shop: ReadinessCheck
    redis: ReadinessCheck


class ReadyResponse(ApiModel):
    status: Literal["ready"]
    checks: ReadinessChecks


# --- the leads' dashboard ------------------------------------------------------------------------


class StatusCount(ApiModel):
    status: CaseStatus
    count: int


class CaseStatistics(ApiModel):
    """The support half of the dashboard."""

    open_by_status: list[StatusCount]
    breached_open: int
    breached_in_period: int
    median_first_response_seconds: float | None
    cases_opened: int
    cases_resolved: int


class RefundStatistics(ApiModel):
    """Waiting for approval now, and paid back in the period; money: one entry per currency."""

    pending_count: int
    pending: list[Money]
    refunded_count: int
    refunded: list[Money]


class Dashboard(CaseStatistics):
    from_: datetime = Field(alias="from")
    to: datetime
    refunds: RefundStatistics


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


class RefundLineRequest(RequestModel):
    line_id: str = Field(max_length=200)
    quantity: int = Field(ge=1, le=100_000)


class CreateRefundRequest(RequestModel):
    lines: list[RefundLineRequest] = Field(max_length=100)
    reason: RefundReason
    method: RefundMethod = "original_payment"
    note: str | None = Field(default=None, max_length=2000)


class CancelRefundRequest(RequestModel):
    etag: str = Field(max_length=200)


class ApproveRefundRequest(RequestModel):
    etag: str = Field(max_length=200)
    comment: str | None = Field(default=None, max_length=2000)


class RejectRefundRequest(RequestModel):
    etag: str = Field(max_length=200)
    reason: str = Field(max_length=2000)


class RetryRefundRequest(RequestModel):
    etag: str = Field(max_length=200)
    method: RefundMethod | None = None


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
    page_size: PageSize = Field(default=0, alias="pageSize")

    def asks_for_own(self, viewer_id: str) -> bool:
        """Whether it asks for the cases assigned to the one asking ("mine", or their own id): the
        one filter whose answer depends on who asks."""
        return self.assignee == "mine" or (self.assignee is not None and self.assignee == viewer_id)


class RefundQuery(BaseModel):
    """GET /api/refunds query parameters."""

    status: list[RefundStatus] = Field(default_factory=list)
    case_id: str | None = Field(default=None, alias="caseId", max_length=64)
    page_token: str | None = Field(default=None, alias="pageToken", max_length=2000)
    page_size: PageSize = Field(default=0, alias="pageSize")


def _utc(value: datetime | None) -> datetime | None:
    """A time without an offset is UTC; one so close to year 1 or 9999 that UTC leaves the calendar is
    refused (a ValueError: a 400 naming the parameter)."""
    if value is None:
        return None
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("out of range") from exc


class DashboardQuery(BaseModel):
    """GET /api/dashboard query parameters (ISO times; default: the last 30 days)."""

    from_: Annotated[datetime | None, AfterValidator(_utc)] = Field(default=None, alias="from")
    to: Annotated[datetime | None, AfterValidator(_utc)] = None


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


class NotReadyProblem(Problem):
    """GET /readyz's 503: a problem that also says which dependencies are ready."""

    model_config = ConfigDict(title="NotReadyProblem")

    checks: ReadinessChecks
