"""Request validation: every problem at once, each naming its request field."""

import pytest
from acme.support.v1 import case_pb2, case_service_pb2, refund_event_service_pb2
from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.timestamp_pb2 import Timestamp

from kit.errors import ValidationError
from support_svc.presentation import validation


def fields(error: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return [v.field for v in error.value.violations]


def valid_case(**overrides: object) -> case_pb2.Case:
    values: dict[str, object] = {
        "order_id": "ord_1001",
        "category": case_pb2.CASE_CATEGORY_QUALITY,
        "subject": "Lid",
        "description": "The lid does not close",
    } | overrides
    return case_pb2.Case(**values)  # type: ignore[arg-type]


def test_a_valid_create_passes() -> None:
    validation.validate_create_case(
        case_service_pb2.CreateCaseRequest(
            case=valid_case(order_line_ids=["ln_1"]), request_id="demo-seed-ben-1"
        )
    )


def test_an_empty_create_names_every_missing_field() -> None:
    with pytest.raises(ValidationError) as err:
        validation.validate_create_case(case_service_pb2.CreateCaseRequest())
    assert fields(err) == ["case.order_id", "case.category", "case.subject", "case.description"]


@pytest.mark.parametrize(
    ("case", "field", "description"),
    [
        (valid_case(subject="x" * 201), "case.subject", "case.subject must be at most 200 characters"),
        (valid_case(subject=" \n "), "case.subject", "case.subject is required"),
        (valid_case(description="x" * 10_001), "case.description", "must be at most 10000"),
        (valid_case(category=42), "case.category", "42 is not a known category"),
        (valid_case(priority=9), "case.priority", "9 is not a known priority"),
        (valid_case(order_id="../etc"), "case.order_id", "letters, digits"),
        (valid_case(order_line_ids=["ln_1", "ln_1"]), "case.order_line_ids[1]", "listed twice"),
        (valid_case(order_line_ids=[""]), "case.order_line_ids[0]", "is required"),
        (valid_case(order_line_ids=[f"l{i}" for i in range(51)]), "case.order_line_ids", "at most 50"),
    ],
)
def test_create_problems_name_the_field(case: case_pb2.Case, field: str, description: str) -> None:
    with pytest.raises(ValidationError) as err:
        validation.validate_create_case(case_service_pb2.CreateCaseRequest(case=case))
    (violation,) = err.value.violations
    assert violation.field == field
    assert description in violation.description


def test_a_request_id_must_be_a_plain_token() -> None:
    with pytest.raises(ValidationError) as err:
        validation.validate_create_case(
            case_service_pb2.CreateCaseRequest(case=valid_case(), request_id="a b")
        )
    assert fields(err) == ["request_id"]


@pytest.mark.parametrize("name", ["", "cases/", "cases/0", "cases/abc", "orders/1", "cases/1/messages/2"])
def test_case_names_are_checked(name: str) -> None:
    with pytest.raises(ValidationError) as err:
        validation.validate_get_case(case_service_pb2.GetCaseRequest(name=name))
    assert fields(err) == ["name"]


def test_a_case_name_parses_to_its_id() -> None:
    assert validation.parse_case_name("cases/10001") == 10001
    with pytest.raises(ValueError, match="not a case name"):
        validation.parse_case_name("cases/x")


def test_update_mask_paths_must_be_known_and_their_values_set() -> None:
    request = case_service_pb2.UpdateCaseRequest(
        case=case_pb2.Case(name="cases/10001", etag="3"),
        update_mask=FieldMask(paths=["subject", "priority"]),
    )
    with pytest.raises(ValidationError) as err:
        validation.validate_update_case(request)
    assert fields(err) == ["update_mask", "case.priority"]
    assert "'subject' cannot be changed" in err.value.violations[0].description


def test_update_needs_a_mask_and_an_etag() -> None:
    with pytest.raises(ValidationError) as err:
        validation.validate_update_case(
            case_service_pb2.UpdateCaseRequest(case=case_pb2.Case(name="cases/10001"))
        )
    assert fields(err) == ["case.etag", "update_mask"]


@pytest.mark.parametrize("etag", ["", "W/1", "-1", "1" * 19])
def test_changes_need_an_etag_this_service_issued(etag: str) -> None:
    with pytest.raises(ValidationError) as err:
        validation.validate_case_change("cases/10001", etag)
    assert fields(err) == ["etag"]


def test_messages_need_a_body_within_limits() -> None:
    for body in ("", "   ", "x" * 10_001):
        with pytest.raises(ValidationError) as err:
            validation.validate_add_case_message(
                case_service_pb2.AddCaseMessageRequest(parent="cases/1", body=body)
            )
        assert fields(err) == ["body"]


def test_list_filters_are_checked() -> None:
    request = case_service_pb2.ListCasesRequest(
        page_size=-1,
        statuses=[case_pb2.CASE_STATUS_OPEN, 0],  # type: ignore[list-item]  # deliberately invalid
        priorities=[77],  # type: ignore[list-item]
        categories=[case_pb2.CASE_CATEGORY_OTHER],
        assignee_filter=case_service_pb2.ASSIGNEE_FILTER_SOMEONE,
        query="q" * 201,
        order_by=9,  # type: ignore[arg-type]
        customer_id="bad id",
    )
    with pytest.raises(ValidationError) as err:
        validation.validate_list_cases(request)
    assert fields(err) == [
        "page_size",
        "statuses[1]",
        "priorities[0]",
        "assignee_id",
        "query",
        "order_by",
        "customer_id",
    ]


def test_an_assignee_id_contradicting_the_assignee_filter_is_refused() -> None:
    request = case_service_pb2.ListCasesRequest(
        assignee_filter=case_service_pb2.ASSIGNEE_FILTER_UNASSIGNED, assignee_id="agt_1"
    )
    with pytest.raises(ValidationError) as err:
        validation.validate_list_cases(request)
    assert fields(err) == ["assignee_id"]


def test_assign_and_events_requests() -> None:
    with pytest.raises(ValidationError) as err:
        validation.validate_assign_case(
            case_service_pb2.AssignCaseRequest(name="x", etag="1", assignee_id="a b")
        )
    assert fields(err) == ["name", "assignee_id"]
    with pytest.raises(ValidationError) as err:
        validation.validate_list_case_events(
            case_service_pb2.ListCaseEventsRequest(parent="cases/1", page_size=-5)
        )
    assert fields(err) == ["page_size"]


# --- refund events, statistics, watching ----------------------------------------------------------


def refund_event_request(**overrides: object) -> refund_event_service_pb2.RecordRefundEventRequest:
    values: dict[str, object] = {
        "parent": "cases/10001",
        "event_id": "0b0c9d0e-1111-4222-8333-444455556666",
        "refund": "refunds/4f1e2a",
        "refund_number": "R-2001",
        "kind": refund_event_service_pb2.REFUND_EVENT_KIND_APPROVED,
        "amount_minor": 3508,
        "currency_code": "EUR",
        "actor_id": "system",
        "occur_time": Timestamp(seconds=1_780_000_000),
        "refund_open": True,
    } | overrides
    return refund_event_service_pb2.RecordRefundEventRequest(**values)  # type: ignore[arg-type]


def test_a_valid_refund_event_passes() -> None:
    validation.validate_record_refund_event(refund_event_request())
    validation.validate_record_refund_event(refund_event_request(refund_number="", actor_id="", sequence=3))


def test_an_empty_refund_event_names_every_missing_field() -> None:
    with pytest.raises(ValidationError) as err:
        validation.validate_record_refund_event(refund_event_service_pb2.RecordRefundEventRequest())
    assert fields(err) == ["parent", "event_id", "refund", "kind", "currency_code", "occur_time"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"parent": "case/1"}, "parent"),
        ({"event_id": "has space"}, "event_id"),
        ({"event_id": "e" * 129}, "event_id"),
        ({"refund": "4f1e2a"}, "refund"),
        ({"refund": "refunds/"}, "refund"),
        ({"refund_number": "R 2001"}, "refund_number"),
        ({"kind": 99}, "kind"),
        ({"amount_minor": -1}, "amount_minor"),
        ({"currency_code": "eur"}, "currency_code"),
        ({"currency_code": "EURO"}, "currency_code"),
        ({"actor_id": "<script>"}, "actor_id"),
        ({"note": "n" * 10_001}, "note"),
        ({"occur_time": Timestamp(seconds=300_000_000_000)}, "occur_time"),
        ({"sequence": -1}, "sequence"),
        ({"actor_role": 42}, "actor_role"),
        ({"kind": refund_event_service_pb2.REFUND_EVENT_KIND_REFUNDED, "refund_open": True}, "refund_open"),
        ({"kind": refund_event_service_pb2.REFUND_EVENT_KIND_REJECTED, "refund_open": True}, "refund_open"),
    ],
)
def test_a_malformed_refund_event_names_its_field(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as err:
        validation.validate_record_refund_event(refund_event_request(**overrides))
    assert fields(err) == [field]


def test_statistics_need_a_period_that_ends_after_it_starts() -> None:
    start, end = Timestamp(seconds=1_780_000_000), Timestamp(seconds=1_780_086_400)
    validation.validate_get_case_statistics(
        case_service_pb2.GetCaseStatisticsRequest(period_start_time=start, period_end_time=end)
    )
    with pytest.raises(ValidationError) as err:
        validation.validate_get_case_statistics(case_service_pb2.GetCaseStatisticsRequest())
    assert fields(err) == ["period_start_time", "period_end_time"]
    with pytest.raises(ValidationError) as err:
        validation.validate_get_case_statistics(
            case_service_pb2.GetCaseStatisticsRequest(period_start_time=end, period_end_time=start)
        )
    assert fields(err) == ["period_end_time"]
    with pytest.raises(ValidationError) as err:
        validation.validate_get_case_statistics(
            case_service_pb2.GetCaseStatisticsRequest(
                period_start_time=Timestamp(seconds=-(10**12)), period_end_time=end
            )
        )
    assert fields(err) == ["period_start_time"]


def test_a_watch_needs_a_case_name() -> None:
    validation.validate_watch_case(case_service_pb2.WatchCaseRequest(name="cases/10001"))
    with pytest.raises(ValidationError) as err:
        validation.validate_watch_case(case_service_pb2.WatchCaseRequest(name="cases/abc"))
    assert fields(err) == ["name"]
