"""CaseService end to end: a real grpc.aio server, a real SQLite file, a real (fake) shop over gRPC."""

import asyncio
from datetime import UTC, timedelta
from pathlib import Path

import grpc
import pytest
from acme.support.v1 import case_pb2, case_service_pb2
from google.protobuf import text_format
from grpc_health.v1 import health_pb2, health_pb2_grpc

from kit.errors import FieldViolation
from kit.identity import mint_token
from support_svc.server import create_server
from tests.support_svc.integration.harness import (
    ANA,
    BEN,
    KIM,
    LEE,
    SAM,
    SECRET,
    SupportHarness,
    create_request,
    get_full,
    open_case,
    reply,
    rich_error,
    support_settings,
    update_request,
)

GRPCURL = Path(__file__).resolve().parents[3] / ".venv" / "bin" / "grpcurl"


# --- plumbing -----------------------------------------------------------------------------------


async def test_health_reports_serving_after_start(support: SupportHarness) -> None:
    health = health_pb2_grpc.HealthStub(support.channel)
    for service in ("", "acme.support.v1.CaseService"):
        status = await health.Check(health_pb2.HealthCheckRequest(service=service))
        assert status.status == health_pb2.HealthCheckResponse.SERVING


async def test_reflection_lists_the_service_for_grpcurl(support: SupportHarness) -> None:
    process = await asyncio.create_subprocess_exec(
        str(GRPCURL), "-plaintext", support.address, "list", stdout=asyncio.subprocess.PIPE
    )
    out, _ = await asyncio.wait_for(process.communicate(), 10)
    assert process.returncode == 0
    assert {"acme.support.v1.CaseService", "grpc.health.v1.Health"} <= set(out.decode().split())


@pytest.mark.parametrize(
    "token",
    [None, "not-a-token", mint_token("f" * 40, ANA), mint_token(SECRET, ANA, now=1000.0)],
    ids=["missing", "garbage", "forged", "expired"],
)
async def test_calls_without_a_valid_token_are_unauthenticated(
    support: SupportHarness, token: str | None
) -> None:
    metadata = (("authorization", f"Bearer {token}"),) if token else ()
    error = await rich_error(support.stub.ListCases(case_service_pb2.ListCasesRequest(), metadata=metadata))
    assert (error.code, error.reason) == (grpc.StatusCode.UNAUTHENTICATED, "UNAUTHENTICATED")


async def test_an_unreachable_shop_is_unavailable_and_stores_nothing(tmp_path: Path) -> None:
    server, startup, shutdown = create_server(support_settings(tmp_path, shop_port=1, shop_timeout_s=0.3))
    await server.start(startup)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            harness = SupportHarness(server, channel, None, None)  # type: ignore[arg-type]
            error = await rich_error(harness.as_(ANA).CreateCase(create_request()))
            assert (error.code, error.reason) == (grpc.StatusCode.UNAVAILABLE, "SHOP_UNAVAILABLE")
            listed = await harness.as_(SAM).ListCases(case_service_pb2.ListCasesRequest())
            assert list(listed.cases) == []
    finally:
        await server.stop()
        await shutdown()


# --- opening ------------------------------------------------------------------------------------


async def test_a_customer_opens_gets_and_lists_their_case(support: SupportHarness) -> None:
    case = await open_case(support, order_line_ids=["ln_2"], priority=case_pb2.CASE_PRIORITY_URGENT)
    assert (case.name, case.case_number, case.customer_id) == ("cases/10001", "C-10001", "cus_1001")
    assert (case.status, case.priority, case.etag) == (
        case_pb2.CASE_STATUS_OPEN,
        case_pb2.CASE_PRIORITY_NORMAL,
        "1",
    )
    assert list(case.order_line_ids) == ["ln_2"]
    assert case.first_response_due_time.ToDatetime() - case.create_time.ToDatetime() == timedelta(hours=8)
    got = await support.as_(ANA).GetCase(case_service_pb2.GetCaseRequest(name=case.name))
    assert got.case == case
    assert (list(got.messages), list(got.events)) == ([], [])  # BASIC view
    mine = await support.as_(ANA).ListCases(case_service_pb2.ListCasesRequest())
    assert [c.name for c in mine.cases] == [case.name]
    bens = await support.as_(BEN).ListCases(case_service_pb2.ListCasesRequest(customer_id="cus_1001"))
    assert list(bens.cases) == []


async def test_case_numbers_count_up(support: SupportHarness) -> None:
    numbers = [(await open_case(support)).case_number for _ in range(3)]
    assert numbers == ["C-10001", "C-10002", "C-10003"]


async def test_bad_input_names_every_field_and_stores_nothing(support: SupportHarness) -> None:
    request = create_request(order_id="", subject="", category=42, description="x" * 10_001)
    error = await rich_error(support.as_(ANA).CreateCase(request))
    assert (error.code, error.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    assert [v.field for v in error.field_violations] == [
        "case.order_id",
        "case.category",
        "case.subject",
        "case.description",
    ]
    too_long = await rich_error(support.as_(ANA).CreateCase(create_request(subject="s" * 201)))
    assert too_long.field_violations == (
        FieldViolation("case.subject", "case.subject must be at most 200 characters"),
    )
    assert support.shop.calls == 0
    assert list((await support.as_(SAM).ListCases(case_service_pb2.ListCasesRequest())).cases) == []


@pytest.mark.parametrize("order_id", ["ord_404", "ord_2001"], ids=["unknown", "someone-elses"])
async def test_an_order_that_is_not_the_callers_is_refused_on_case_order_id(
    support: SupportHarness, order_id: str
) -> None:
    error = await rich_error(support.as_(ANA).CreateCase(create_request(order_id=order_id)))
    assert (error.code, error.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "ORDER_NOT_FOUND")
    assert error.field_violations == (
        FieldViolation("case.order_id", f"There is no order {order_id} in your orders"),
    )
    assert list((await support.as_(SAM).ListCases(case_service_pb2.ListCasesRequest())).cases) == []


async def test_an_unknown_order_line_is_refused_on_its_index(support: SupportHarness) -> None:
    error = await rich_error(support.as_(ANA).CreateCase(create_request(order_line_ids=["ln_1", "ln_7"])))
    assert error.reason == "ORDER_LINE_NOT_FOUND"
    assert [v.field for v in error.field_violations] == ["case.order_line_ids[1]"]


async def test_an_agent_opens_a_case_for_the_orders_customer(support: SupportHarness) -> None:
    case = await open_case(support, SAM, order_id="ord_2001", priority=case_pb2.CASE_PRIORITY_HIGH)
    assert (case.customer_id, case.priority) == ("cus_1002", case_pb2.CASE_PRIORITY_HIGH)
    assert [
        c.name for c in (await support.as_(BEN).ListCases(case_service_pb2.ListCasesRequest())).cases
    ] == [case.name]


async def test_a_retried_create_returns_the_first_case_and_a_changed_one_is_refused(
    support: SupportHarness,
) -> None:
    first = await support.as_(ANA).CreateCase(create_request(request_id="demo-seed-ana-1"))
    again = await support.as_(ANA).CreateCase(create_request(request_id="demo-seed-ana-1"))
    assert again.case.name == first.case.name
    assert support.shop.calls == 1
    changed = await rich_error(
        support.as_(ANA).CreateCase(create_request(request_id="demo-seed-ana-1", subject="New"))
    )
    assert (changed.code, changed.reason) == (grpc.StatusCode.ALREADY_EXISTS, "REQUEST_ID_REUSED")
    bens = await support.as_(BEN).CreateCase(
        create_request(order_id="ord_2001", request_id="demo-seed-ana-1")
    )
    assert bens.case.name != first.case.name


# --- who sees what ------------------------------------------------------------------------------


async def test_another_customers_case_does_not_exist_for_you(support: SupportHarness) -> None:
    case = await open_case(support)
    ben = support.as_(BEN)
    for call in (
        ben.GetCase(case_service_pb2.GetCaseRequest(name=case.name)),
        ben.GetCase(case_service_pb2.GetCaseRequest(name="cases/99999")),
        ben.AddCaseMessage(case_service_pb2.AddCaseMessageRequest(parent=case.name, body="hi")),
        ben.ListCaseEvents(case_service_pb2.ListCaseEventsRequest(parent=case.name)),
        ben.CloseCase(case_service_pb2.CloseCaseRequest(name=case.name, etag=case.etag)),
    ):
        error = await rich_error(call)
        assert (error.code, error.reason) == (grpc.StatusCode.NOT_FOUND, "CASE_NOT_FOUND")


async def test_an_internal_note_never_reaches_the_customer(support: SupportHarness) -> None:
    case = await open_case(support)
    await reply(support, SAM, case, "Zebra: customer has asked for refunds three times", internal=True)
    answer = await reply(support, ANA, case, "Any news about my mug?")
    responses = [
        answer,
        await get_full(support, ANA, case.name),
        await support.as_(ANA).ListCaseEvents(case_service_pb2.ListCaseEventsRequest(parent=case.name)),
        await support.as_(ANA).ListCases(case_service_pb2.ListCasesRequest(query="zebra")),
        await support.as_(ANA).ListCases(case_service_pb2.ListCasesRequest(query="mug")),
        await support.as_(ANA).GetCase(case_service_pb2.GetCaseRequest(name=case.name)),
    ]
    for response in responses:
        text = text_format.MessageToString(response)
        assert "Zebra" not in text
        assert "internal: true" not in text
        assert "NOTE_ADDED" not in text
    assert list(responses[3].cases) == []
    assert [c.name for c in responses[4].cases] == [case.name]
    # Staff see it all, and find the case by the note.
    staff_view = await get_full(support, SAM, case.name)
    assert [m.internal for m in staff_view.messages] == [True, False]
    found = await support.as_(SAM).ListCases(case_service_pb2.ListCasesRequest(query="zebra"))
    assert [c.name for c in found.cases] == [case.name]


async def test_the_full_view_has_case_conversation_and_timeline_oldest_first(support: SupportHarness) -> None:
    opened_at = support.clock.now()
    case = await open_case(support)
    asked_at = support.clock.advance(minutes=7)
    await reply(support, SAM, case, "Could you send a photo?")
    answered_at = support.clock.advance(hours=2, seconds=3)
    await reply(support, ANA, case, "Here it is")
    support.clock.advance(days=1)  # reading later must not move what the timeline says
    full = await get_full(support, LEE, case.name)
    # "when" of the audit trail: each entry carries the time of its own change, from the server's clock
    assert [e.create_time.ToDatetime(tzinfo=UTC) for e in full.events] == [
        opened_at,
        asked_at,
        asked_at,
        answered_at,
    ]
    assert [m.create_time.ToDatetime(tzinfo=UTC) for m in full.messages] == [asked_at, answered_at]
    assert [(m.author_id, m.author_role, m.body) for m in full.messages] == [
        ("agt_2001", case_pb2.ACTOR_ROLE_AGENT, "Could you send a photo?"),
        ("cus_1001", case_pb2.ACTOR_ROLE_CUSTOMER, "Here it is"),
    ]
    assert [e.kind for e in full.events] == [
        case_pb2.CASE_EVENT_KIND_OPENED,
        case_pb2.CASE_EVENT_KIND_MESSAGE_ADDED,
        case_pb2.CASE_EVENT_KIND_STATUS_CHANGED,
        case_pb2.CASE_EVENT_KIND_MESSAGE_ADDED,
    ]
    change = full.events[2]
    assert (change.actor_id, change.summary) == ("agt_2001", "Status changed from open to in progress")
    assert dict(change.details) == {"from": "OPEN", "to": "IN_PROGRESS", "cause": "AGENT_REPLY"}
    assert full.messages[0].name == f"{case.name}/messages/1"
    assert full.case.status == case_pb2.CASE_STATUS_IN_PROGRESS


# --- the workflow -------------------------------------------------------------------------------


async def test_the_workflow_from_open_to_closed(support: SupportHarness) -> None:
    case = await open_case(support)
    sam, ana = support.as_(SAM), support.as_(ANA)
    case = (await reply(support, SAM, case, "Looking into it")).case
    case = (
        await sam.SetCaseWaiting(
            case_service_pb2.SetCaseWaitingRequest(name=case.name, etag=case.etag, waiting=True)
        )
    ).case
    assert case.status == case_pb2.CASE_STATUS_WAITING_ON_CUSTOMER
    case = (await reply(support, ANA, case, "Photo attached")).case
    assert case.status == case_pb2.CASE_STATUS_IN_PROGRESS
    case = (await sam.ResolveCase(case_service_pb2.ResolveCaseRequest(name=case.name, etag=case.etag))).case
    assert case.status == case_pb2.CASE_STATUS_RESOLVED
    assert case.HasField("resolve_time")
    case = (await ana.ReopenCase(case_service_pb2.ReopenCaseRequest(name=case.name, etag=case.etag))).case
    assert case.status == case_pb2.CASE_STATUS_IN_PROGRESS
    case = (await sam.ResolveCase(case_service_pb2.ResolveCaseRequest(name=case.name, etag=case.etag))).case
    case = (await ana.CloseCase(case_service_pb2.CloseCaseRequest(name=case.name, etag=case.etag))).case
    assert case.status == case_pb2.CASE_STATUS_CLOSED
    error = await rich_error(
        sam.ReopenCase(case_service_pb2.ReopenCaseRequest(name=case.name, etag=case.etag))
    )
    assert (error.code, error.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "CASE_CLOSED")
    (violation,) = error.precondition_violations
    assert (violation.type, violation.subject) == ("STATUS", case.name)


async def test_an_illegal_transition_is_refused_with_the_reason(support: SupportHarness) -> None:
    case = await open_case(support)
    error = await rich_error(
        support.as_(SAM).ResolveCase(case_service_pb2.ResolveCaseRequest(name=case.name, etag=case.etag))
    )
    assert (error.code, error.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "INVALID_STATE_TRANSITION")
    assert error.message == "Case C-10001 is open: it cannot become resolved"
    assert error.precondition_violations[0].description == error.message
    assert dict(error.metadata) == {"case_id": "10001", "from": "OPEN", "to": "RESOLVED"}


async def test_customers_may_not_assign_or_reprioritise(support: SupportHarness) -> None:
    case = await open_case(support)
    ana = support.as_(ANA)
    for call in (
        ana.AssignCase(
            case_service_pb2.AssignCaseRequest(name=case.name, etag=case.etag, assignee_id="agt_2001")
        ),
        ana.UpdateCase(update_request(case, priority=case_pb2.CASE_PRIORITY_URGENT)),
        ana.AddCaseMessage(case_service_pb2.AddCaseMessageRequest(parent=case.name, body="x", internal=True)),
    ):
        error = await rich_error(call)
        assert error.code == grpc.StatusCode.PERMISSION_DENIED


async def test_assign_update_and_stale_etags(support: SupportHarness) -> None:
    case = await open_case(support)
    lee = support.as_(LEE)
    assigned = (
        await lee.AssignCase(
            case_service_pb2.AssignCaseRequest(name=case.name, etag=case.etag, assignee_id="agt_2003")
        )
    ).case
    assert (assigned.assignee_id, assigned.etag) == ("agt_2003", "2")
    updated = (
        await support.as_(KIM).UpdateCase(
            update_request(
                assigned, priority=case_pb2.CASE_PRIORITY_URGENT, category=case_pb2.CASE_CATEGORY_WRONG_ITEM
            )
        )
    ).case
    assert (updated.priority, updated.category, updated.etag) == (
        case_pb2.CASE_PRIORITY_URGENT,
        case_pb2.CASE_CATEGORY_WRONG_ITEM,
        "3",
    )
    assert updated.first_response_due_time.ToDatetime() - updated.create_time.ToDatetime() == timedelta(
        hours=1
    )
    stale = await rich_error(
        lee.UpdateCase(update_request(case, etag="2", priority=case_pb2.CASE_PRIORITY_LOW))
    )
    assert (stale.code, stale.reason) == (grpc.StatusCode.ABORTED, "ETAG_MISMATCH")
    unknown_path = await rich_error(lee.UpdateCase(update_request(updated, subject="Renamed")))
    assert unknown_path.code == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in unknown_path.field_violations] == ["update_mask"]
    unassigned = (
        await lee.AssignCase(
            case_service_pb2.AssignCaseRequest(name=case.name, etag=updated.etag, assignee_id="")
        )
    ).case
    assert unassigned.assignee_id == ""


async def test_a_reply_to_a_closed_case_opens_a_linked_follow_up(support: SupportHarness) -> None:
    case = await open_case(support)
    case = (await reply(support, SAM, case, "Refunded")).case
    case = (
        await support.as_(SAM).ResolveCase(
            case_service_pb2.ResolveCaseRequest(name=case.name, etag=case.etag)
        )
    ).case
    await support.as_(SAM).CloseCase(case_service_pb2.CloseCaseRequest(name=case.name, etag=case.etag))
    added = await reply(support, ANA, case, "The new one is broken too")
    assert added.case.name == "cases/10002"
    assert (added.case.previous_case, added.case.status) == (case.name, case_pb2.CASE_STATUS_OPEN)
    assert added.case.previous_case_number == "C-10001"  # the BFF shows it without another call
    assert (await get_full(support, ANA, added.case.name)).case.previous_case_number == "C-10001"
    assert case.previous_case_number == ""
    assert added.message.name.startswith("cases/10002/messages/")
    old = await get_full(support, ANA, case.name)
    assert old.case.status == case_pb2.CASE_STATUS_CLOSED
    assert old.events[-1].kind == case_pb2.CASE_EVENT_KIND_FOLLOW_UP_OPENED
    assert dict(old.events[-1].details) == {"follow_up_case": "C-10002"}


async def test_the_reopen_window_closes_after_fourteen_days(support: SupportHarness) -> None:
    case = await open_case(support)
    case = (await reply(support, SAM, case, "Done")).case
    case = (
        await support.as_(SAM).ResolveCase(
            case_service_pb2.ResolveCaseRequest(name=case.name, etag=case.etag)
        )
    ).case
    support.clock.advance(days=14, seconds=1)
    error = await rich_error(
        support.as_(ANA).ReopenCase(case_service_pb2.ReopenCaseRequest(name=case.name, etag=case.etag))
    )
    assert (error.code, error.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "REOPEN_WINDOW_EXPIRED")
    assert error.precondition_violations[0].type == "REOPEN_WINDOW"
    added = await reply(support, ANA, case, "It is back")
    assert added.case.previous_case == case.name


async def test_retried_messages_are_added_once(support: SupportHarness) -> None:
    case = await open_case(support)
    request = case_service_pb2.AddCaseMessageRequest(parent=case.name, body="Hello", request_id="msg-1")
    first = await support.as_(ANA).AddCaseMessage(request)
    again = await support.as_(ANA).AddCaseMessage(request)
    assert again.message == first.message
    assert len((await get_full(support, ANA, case.name)).messages) == 1


# --- SLA and the queue --------------------------------------------------------------------------


async def test_breaches_show_in_the_queue_and_waiting_stops_the_clock(support: SupportHarness) -> None:
    urgent = await open_case(support, SAM, priority=case_pb2.CASE_PRIORITY_URGENT)
    normal = await open_case(support)
    support.clock.advance(hours=1, seconds=1)
    breached = await support.as_(SAM).ListCases(case_service_pb2.ListCasesRequest(breached_only=True))
    assert [(c.name, c.sla_breached) for c in breached.cases] == [(urgent.name, True)]
    # Normal case: answered, then waiting for 10 hours; its resolution due moves 10 hours later.
    normal = (await reply(support, SAM, normal, "Which colour?")).case
    normal = (
        await support.as_(SAM).SetCaseWaiting(
            case_service_pb2.SetCaseWaitingRequest(name=normal.name, etag=normal.etag, waiting=True)
        )
    ).case
    support.clock.advance(hours=60)
    assert not (
        await support.as_(SAM).GetCase(case_service_pb2.GetCaseRequest(name=normal.name))
    ).case.sla_breached
    normal = (await reply(support, ANA, normal, "Blue")).case
    waited = normal.resolution_due_time.ToDatetime() - normal.create_time.ToDatetime()
    assert waited == timedelta(hours=48 + 60)
    assert not normal.sla_breached


async def test_queue_filters(support: SupportHarness) -> None:
    a = await open_case(support, category=case_pb2.CASE_CATEGORY_BILLING)
    b = await open_case(support, order_id="ord_1002", subject="Refunds take ages")
    c = await open_case(support, BEN, order_id="ord_2001")
    await support.as_(LEE).AssignCase(
        case_service_pb2.AssignCaseRequest(name=b.name, etag=b.etag, assignee_id=SAM.subject)
    )
    await support.as_(LEE).UpdateCase(update_request(c, priority=case_pb2.CASE_PRIORITY_HIGH))
    await reply(support, SAM, a, "Hello")
    sam = support.as_(SAM)

    async def names(**query: object) -> list[str]:
        return [x.name for x in (await sam.ListCases(case_service_pb2.ListCasesRequest(**query))).cases]  # type: ignore[arg-type]

    assert await names() == [c.name, b.name, a.name]
    assert await names(order_by=case_service_pb2.CASE_ORDER_OLDEST) == [a.name, b.name, c.name]
    assert await names(statuses=[case_pb2.CASE_STATUS_IN_PROGRESS]) == [a.name]
    assert await names(priorities=[case_pb2.CASE_PRIORITY_HIGH]) == [c.name]
    assert await names(categories=[case_pb2.CASE_CATEGORY_BILLING]) == [a.name]
    assert await names(assignee_filter=case_service_pb2.ASSIGNEE_FILTER_MINE) == [b.name]
    assert await names(assignee_filter=case_service_pb2.ASSIGNEE_FILTER_UNASSIGNED) == [c.name, a.name]
    assert await names(assignee_filter=case_service_pb2.ASSIGNEE_FILTER_SOMEONE, assignee_id="agt_2001") == [
        b.name
    ]
    assert await names(customer_id="cus_1002") == [c.name]
    assert await names(order_id="ord_1002") == [b.name]
    assert await names(query="refund") == [b.name]  # stemmed: "Refunds"
    assert await names(query="refund", customer_id="cus_1001") == [b.name]
    assert await names(query="hello") == [a.name]  # messages are searched too
    assert await names(query="!!!") == [c.name, b.name, a.name]  # no words: no text filter
    # Due first: the high-priority case is due soonest (4 h); a's first response is met, so 48 h.
    assert await names(order_by=case_service_pb2.CASE_ORDER_DUE) == [c.name, b.name, a.name]


async def test_the_queue_pages_with_tokens_bound_to_the_query(support: SupportHarness) -> None:
    created = [await open_case(support) for _ in range(5)]
    sam = support.as_(SAM)
    for order_by in (case_service_pb2.CASE_ORDER_NEWEST, case_service_pb2.CASE_ORDER_DUE):
        seen: list[str] = []
        token = ""
        while True:
            page = await sam.ListCases(
                case_service_pb2.ListCasesRequest(page_size=2, page_token=token, order_by=order_by)
            )
            seen += [c.name for c in page.cases]
            token = page.next_page_token
            if not token:
                break
        assert sorted(seen) == sorted(c.name for c in created)
        assert len(seen) == 5
    first = await sam.ListCases(case_service_pb2.ListCasesRequest(page_size=2))
    for request in (
        case_service_pb2.ListCasesRequest(page_size=2, page_token=first.next_page_token, query="mug"),
        case_service_pb2.ListCasesRequest(page_token="garbage!"),
    ):
        error = await rich_error(sam.ListCases(request))
        assert (error.code, error.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN")
        assert [v.field for v in error.field_violations] == ["page_token"]
    negative = await rich_error(sam.ListCases(case_service_pb2.ListCasesRequest(page_size=-1)))
    assert [v.field for v in negative.field_violations] == ["page_size"]


async def test_the_timeline_pages_oldest_first(support: SupportHarness) -> None:
    case = await open_case(support)
    for n in range(3):
        await reply(support, ANA, case, f"message {n}")
    events: list[str] = []
    token = ""
    while True:
        page = await support.as_(ANA).ListCaseEvents(
            case_service_pb2.ListCaseEventsRequest(parent=case.name, page_size=3, page_token=token)
        )
        events += [e.summary for e in page.events]
        token = page.next_page_token
        if not token:
            break
    assert events == ["Case opened"] + ["Message from the customer"] * 3


async def test_the_stop_settings_reach_the_server(tmp_path: Path) -> None:
    server, _, _ = create_server(support_settings(tmp_path, shop_port=1, grace_s=7.0, drain_s=1.5))
    assert (server.grace_s, server.drain_s) == (7.0, 1.5)
