"""Protobuf <-> JSON models: ids from resource names, enums, times, money, and names for ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from acme.refund.v1 import refund_pb2, refund_service_pb2
from acme.shop.v1 import order_pb2
from acme.support.v1 import case_pb2, case_service_pb2
from google.protobuf import duration_pb2, timestamp_pb2

from bff import schemas
from bff.clients.mappers import (
    CaseMapper,
    case_change,
    case_statistics_from_proto,
    create_refund_request,
    list_cases_request,
    list_refunds_request,
    order_from_proto,
    quote_from_proto,
    refund_method_to_proto,
    refund_record,
    refund_statistics_from_proto,
)
from bff.records import CaseChange, DecisionRecord, RefundLineRecord
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
        previous_case_number="C-10001",
    )

    case = CaseMapper(DIRECTORY).case(proto)

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


def test_an_assignment_entry_names_who_the_case_was_assigned_to() -> None:
    mapper = CaseMapper(DIRECTORY)

    def assignment(to: str, summary: str) -> schemas.TimelineEntry:
        return mapper.timeline_entry(
            case_pb2.CaseEvent(
                name="cases/x/events/e2",
                kind=case_pb2.CASE_EVENT_KIND_ASSIGNED,
                actor_id="agt_2001",
                actor_role=case_pb2.ACTOR_ROLE_AGENT,
                summary=summary,
                details={"from": "", "to": to},
                create_time=_ts(),
            )
        )

    sam = schemas.Person(id="agt_2001", name="Sam Rivera")
    assert assignment("agt_2001", "Self-assigned").assignee == sam
    assert assignment("agt_9999", "Assigned to an agent").assignee == schemas.Person(
        id="agt_9999", name="Support team"
    )
    assert assignment("", "Unassigned").assignee is None


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


def _eur(amount_minor: int) -> refund_pb2.Money:
    return refund_pb2.Money(amount_minor=amount_minor, currency_code="EUR")


def test_a_refund_maps_to_the_facts_the_bff_decides_with() -> None:
    record = refund_record(
        refund_pb2.Refund(
            name="refunds/r1",
            refund_number="R-2291",
            case="cases/10482",
            order_id="ord_1001",
            customer_id="cus_1001",
            lines=[refund_pb2.RefundLine(order_line_id="ln_1", quantity=2, amount=_eur(500))],
            total=_eur(500),
            reason=refund_pb2.REFUND_REASON_NOT_AS_DESCRIBED,
            method=refund_pb2.REFUND_METHOD_STORE_CREDIT,
            status=refund_pb2.REFUND_STATUS_REJECTED,
            requested_by="agt_2001",
            create_time=_ts(),
            update_time=_ts(WHEN + timedelta(hours=1)),
            etag='"3"',
            note="Courier confirmed",
            decision=refund_pb2.RefundDecision(
                outcome=refund_pb2.REFUND_STATUS_REJECTED,
                decided_by="agt_2002",
                policy=refund_pb2.APPROVAL_POLICY_LEAD_APPROVAL,
                comment="Used item",
                decide_time=_ts(),
            ),
            required_approval=refund_pb2.APPROVAL_POLICY_LEAD_APPROVAL,
            outside_refund_window=True,
            failure_reason="",
        )
    )

    assert (record.id, record.number, record.case_id, record.order_id) == (
        "r1",
        "R-2291",
        "10482",
        "ord_1001",
    )
    assert (record.customer_id, record.requested_by) == ("cus_1001", "agt_2001")
    assert record.lines == (RefundLineRecord("ln_1", 2, schemas.Money(amount_minor=500, currency="EUR")),)
    assert (record.status, record.reason, record.method) == ("rejected", "not_as_described", "store_credit")
    assert (record.required_approval, record.outside_refund_window, record.etag) == ("lead", True, '"3"')
    assert record.updated_at == WHEN + timedelta(hours=1)
    assert record.decision == DecisionRecord("rejected", "agt_2002", "lead_approval", "Used item", WHEN)


def test_unset_refund_enums_fall_back_to_the_safest_reading() -> None:
    record = refund_record(refund_pb2.Refund(name="refunds/r1", case="cases/1"))

    assert (record.status, record.reason, record.method) == ("pending_approval", "other", "original_payment")
    assert record.required_approval == "lead"  # nobody is offered an approval the service would refuse
    assert record.decision is None


def test_a_refund_request_carries_the_cases_order_and_the_request_id() -> None:
    body = schemas.CreateRefundRequest.model_validate(
        {"lines": [{"lineId": "ln_2", "quantity": 2}], "reason": "damaged", "note": "Box crushed"}
    )

    request = create_refund_request("10482", "ord_1001", body, "req-1")

    assert (request.refund.case, request.refund.order_id, request.request_id) == (
        "cases/10482",
        "ord_1001",
        "req-1",
    )
    assert [(ln.order_line_id, ln.quantity) for ln in request.refund.lines] == [("ln_2", 2)]
    assert request.refund.reason == refund_pb2.REFUND_REASON_DAMAGED
    assert request.refund.method == refund_pb2.REFUND_METHOD_ORIGINAL_PAYMENT
    assert request.refund.note == "Box crushed"
    assert refund_method_to_proto(None) == refund_pb2.REFUND_METHOD_UNSPECIFIED
    assert refund_method_to_proto("store_credit") == refund_pb2.REFUND_METHOD_STORE_CREDIT


def test_refund_filters_become_a_list_refunds_request() -> None:
    query = schemas.RefundQuery(
        status=["pending_approval", "failed"], caseId="10482", pageSize=20, pageToken="t"
    )

    request = list_refunds_request(query)

    assert list(request.statuses) == [
        refund_pb2.REFUND_STATUS_PENDING_APPROVAL,
        refund_pb2.REFUND_STATUS_FAILED,
    ]
    assert (request.case, request.page_size, request.page_token) == ("cases/10482", 20, "t")
    assert list_refunds_request(schemas.RefundQuery()).case == ""


def test_a_quote_maps_each_line() -> None:
    quote = quote_from_proto(
        "ord_1001",
        refund_service_pb2.QuoteRefundResponse(
            lines=[
                refund_pb2.RefundableLine(
                    order_line_id="ln_2",
                    product_title="Phone case",
                    quantity_bought=3,
                    quantity_refundable=1,
                    amount_paid=_eur(3508),
                    amount_refundable=_eur(1170),
                )
            ],
            currency_code="EUR",
            refund_window_open=True,
            refund_window_end_time=_ts(),
        ),
    )

    assert quote.model_dump(mode="json", by_alias=True) == {
        "orderId": "ord_1001",
        "currency": "EUR",
        "windowOpen": True,
        "windowEndsAt": "2026-03-01T09:30:00Z",
        "lines": [
            {
                "lineId": "ln_2",
                "productTitle": "Phone case",
                "quantityBought": 3,
                "quantityRefundable": 1,
                "amountPaid": {"amountMinor": 3508, "currency": "EUR"},
                "amountRefundable": {"amountMinor": 1170, "currency": "EUR"},
            }
        ],
    }


def test_statistics_map_to_the_dashboards_halves() -> None:
    cases = case_statistics_from_proto(
        case_service_pb2.GetCaseStatisticsResponse(
            open_cases_by_status=[
                case_service_pb2.CaseStatusCount(status=case_pb2.CASE_STATUS_OPEN, count=4),
                case_service_pb2.CaseStatusCount(status=case_pb2.CASE_STATUS_WAITING_ON_CUSTOMER, count=1),
            ],
            breached_open_cases=2,
            breached_in_period=3,
            opened_in_period=9,
            resolved_in_period=5,
            median_first_response_duration=duration_pb2.Duration(seconds=5400),
        )
    )
    unanswered = case_statistics_from_proto(case_service_pb2.GetCaseStatisticsResponse())
    refunds = refund_statistics_from_proto(
        refund_service_pb2.GetRefundStatisticsResponse(
            pending_count=2,
            pending_amounts=[_eur(8000), refund_pb2.Money(amount_minor=100, currency_code="USD")],
            refunded_count=1,
            refunded_amounts=[_eur(1169)],
        )
    )

    assert [(s.status, s.count) for s in cases.open_by_status] == [("open", 4), ("waiting_on_customer", 1)]
    assert (cases.breached_open, cases.breached_in_period) == (2, 3)
    assert (cases.cases_opened, cases.cases_resolved, cases.median_first_response_seconds) == (9, 5, 5400.0)
    assert unanswered.median_first_response_seconds is None
    assert refunds.model_dump(mode="json", by_alias=True) == {
        "pendingCount": 2,
        "pending": [{"amountMinor": 8000, "currency": "EUR"}, {"amountMinor": 100, "currency": "USD"}],
        "refundedCount": 1,
        "refunded": [{"amountMinor": 1169, "currency": "EUR"}],
    }


def test_a_watched_change_names_its_kinds_like_the_timeline() -> None:
    change = case_change(
        case_service_pb2.WatchCaseResponse(
            etag="8", kinds=[case_pb2.CASE_EVENT_KIND_MESSAGE_ADDED, case_pb2.CASE_EVENT_KIND_STATUS_CHANGED]
        )
    )
    first = case_change(case_service_pb2.WatchCaseResponse(etag="7", initial=True))

    assert change == CaseChange("8", ("message_added", "status_changed"), initial=False)
    assert first == CaseChange("7", (), initial=True)


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
