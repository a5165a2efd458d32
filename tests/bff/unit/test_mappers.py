"""Protobuf <-> JSON models: ids from resource names, enums, times, money, and names for ids."""

from __future__ import annotations

from datetime import UTC, datetime

from acme.refund.v1 import refund_pb2
from acme.shop.v1 import order_pb2
from acme.support.v1 import case_pb2, case_service_pb2
from google.protobuf import timestamp_pb2

from bff import schemas
from bff.clients.mappers import CaseMapper, list_cases_request, order_from_proto, refund_from_proto
from kit.identity import Role
from tests.bff.fakes import FakeDirectory, account

WHEN = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
DIRECTORY = FakeDirectory(
    account("cus_1001", "Ana Costa", Role.CUSTOMER), account("agt_2001", "Sam Rivera", Role.AGENT)
)


def _ts(moment: datetime = WHEN) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def test_a_case_maps_to_the_contracts_shape_with_the_assignees_name() -> None:
    proto = case_pb2.Case(
        name="cases/b5f0a1",
        case_number="C-10482",
        customer_id="cus_1001",
        order_id="ord_1001",
        order_line_ids=["ln_1"],
        category=case_pb2.CASE_CATEGORY_DAMAGED_ITEM,
        subject="Broken mug",
        description="It arrived in pieces",
        priority=case_pb2.CASE_PRIORITY_HIGH,
        status=case_pb2.CASE_STATUS_WAITING_ON_CUSTOMER,
        assignee_id="agt_2001",
        create_time=_ts(),
        update_time=_ts(),
        first_response_due_time=_ts(),
        sla_breached=True,
        etag="7",
        previous_case="cases/10001",
    )

    case = CaseMapper(DIRECTORY).case(proto, previous_case_number="C-10001")

    assert case.model_dump(mode="json", by_alias=True) == {
        "id": "b5f0a1",
        "number": "C-10482",
        "orderId": "ord_1001",
        "orderLineIds": ["ln_1"],
        "category": "damaged_item",
        "subject": "Broken mug",
        "description": "It arrived in pieces",
        "priority": "high",
        "status": "waiting_on_customer",
        "assignee": {"id": "agt_2001", "name": "Sam Rivera"},
        "createdAt": "2026-03-01T09:30:00Z",
        "updatedAt": "2026-03-01T09:30:00Z",
        "firstResponseDueAt": "2026-03-01T09:30:00Z",
        "resolutionDueAt": None,
        "firstRespondedAt": None,
        "slaBreached": True,
        "etag": "7",
        "previousCaseNumber": "C-10001",
    }


def test_unset_enums_fall_back_instead_of_failing_the_page() -> None:
    case = CaseMapper(DIRECTORY).case(case_pb2.Case(name="cases/x", create_time=_ts(), update_time=_ts()))

    assert (case.priority, case.status, case.category, case.assignee) == ("normal", "open", "other", None)
    assert case.previous_case_number is None


def test_messages_and_timeline_show_names_and_never_bare_ids() -> None:
    mapper = CaseMapper(DIRECTORY)
    message = mapper.message(
        case_pb2.CaseMessage(
            name="cases/x/messages/m1",
            author_id="cus_1001",
            author_role=case_pb2.ACTOR_ROLE_CUSTOMER,
            body="Hello",
            create_time=_ts(),
        )
    )
    unknown_agent = mapper.timeline_entry(
        case_pb2.CaseEvent(
            name="cases/x/events/e1",
            kind=case_pb2.CASE_EVENT_KIND_NOTE_ADDED,
            actor_id="agt_9999",
            actor_role=case_pb2.ACTOR_ROLE_AGENT,
            summary="Note added",
            internal=True,
            create_time=_ts(),
        )
    )
    system = mapper.actor("", case_pb2.ACTOR_ROLE_SYSTEM)

    assert (message.id, message.author.name, message.author.role) == ("m1", "Ana Costa", "customer")
    assert (unknown_agent.kind, unknown_agent.internal) == ("note_added", True)
    assert unknown_agent.actor.name == "Support team"
    assert system.name == "Acme Support"


def test_an_order_maps_money_as_integer_minor_units() -> None:
    money = order_pb2.Money(amount_minor=1999, currency_code="EUR")
    proto = order_pb2.Order(
        name="orders/ord_1001",
        order_id="ord_1001",
        customer_id="cus_1001",
        lines=[
            order_pb2.OrderLine(
                line_id="ln_1",
                product=order_pb2.Product(title="Mug"),
                quantity=2,
                unit_price=money,
                paid_amount=order_pb2.Money(amount_minor=3598, currency_code="EUR"),
            )
        ],
        total_paid=order_pb2.Money(amount_minor=3598, currency_code="EUR"),
        status=order_pb2.ORDER_STATUS_SHIPPED,
        place_time=_ts(),
    )

    order = order_from_proto(proto).model_dump(mode="json", by_alias=True)

    assert order == {
        "id": "ord_1001",
        "placedAt": "2026-03-01T09:30:00Z",
        "deliveredAt": None,
        "status": "shipped",
        "total": {"amountMinor": 3598, "currency": "EUR"},
        "lines": [
            {
                "id": "ln_1",
                "productTitle": "Mug",
                "quantity": 2,
                "unitPrice": {"amountMinor": 1999, "currency": "EUR"},
                "paid": {"amountMinor": 3598, "currency": "EUR"},
            }
        ],
    }


def test_a_refund_maps_to_its_summary() -> None:
    refund = refund_from_proto(
        refund_pb2.Refund(
            name="refunds/r1",
            refund_number="R-2291",
            status=refund_pb2.REFUND_STATUS_PENDING_APPROVAL,
            total=refund_pb2.Money(amount_minor=500, currency_code="EUR"),
            create_time=_ts(),
        )
    )

    assert (refund.id, refund.number, refund.status, refund.total.amount_minor) == (
        "r1",
        "R-2291",
        "pending_approval",
        500,
    )


def test_queue_filters_become_a_list_cases_request() -> None:
    query = schemas.CaseQuery(
        status=["open", "in_progress"],
        priority=["high"],
        category=["billing"],
        assignee="unassigned",
        breached=True,
        q="broken",
        sort="due",
        pageToken="tok",
        pageSize=20,
    )

    request = list_cases_request(query, viewer_id="agt_2001")

    assert list(request.statuses) == [case_pb2.CASE_STATUS_OPEN, case_pb2.CASE_STATUS_IN_PROGRESS]
    assert list(request.priorities) == [case_pb2.CASE_PRIORITY_HIGH]
    assert list(request.categories) == [case_pb2.CASE_CATEGORY_BILLING]
    assert request.assignee_filter == case_service_pb2.ASSIGNEE_FILTER_UNASSIGNED
    assert request.breached_only
    assert (request.query, request.order_by) == ("broken", case_service_pb2.CASE_ORDER_DUE)
    assert (request.page_token, request.page_size) == ("tok", 20)


def test_the_assignee_filter_names_mine_or_someone() -> None:
    mine = list_cases_request(schemas.CaseQuery(assignee="mine"), viewer_id="agt_2001")
    someone = list_cases_request(schemas.CaseQuery(assignee="agt_2003"), viewer_id="agt_2001")
    anyone = list_cases_request(schemas.CaseQuery(), viewer_id="agt_2001")

    assert mine.assignee_filter == case_service_pb2.ASSIGNEE_FILTER_MINE
    assert (someone.assignee_filter, someone.assignee_id) == (
        case_service_pb2.ASSIGNEE_FILTER_SOMEONE,
        "agt_2003",
    )
    assert anyone.assignee_filter == case_service_pb2.ASSIGNEE_FILTER_UNSPECIFIED
    assert anyone.order_by == case_service_pb2.CASE_ORDER_NEWEST
