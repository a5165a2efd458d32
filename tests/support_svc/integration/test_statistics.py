"""GetCaseStatistics end to end on a known history, built through the API with a controlled clock.

The history (hours from START; first-response due 8 h at NORMAL, 1 h at URGENT; resolution 48 h / 8 h):

  c0  opened -48 h, answered -47 h, never resolved: resolution due at 0 h -> breached at 0 h
  c1  opened   0 h, answered 0.5 h                                   (first response 30 min)
  c2  opened   1 h, answered 2.5 h, then waiting on the customer     (1 h 30 min)
  c3  opened   2 h, never answered: first response due 10 h -> breached at 10 h
  c4  URGENT, opened 3 h by an agent, answered 5 h (due 4 h -> breached at 4 h), resolved 6 h  (2 h)
  c5  opened   4 h, answered 13 h (due 12 h -> breached at 12 h)     (9 h)
  c6  opened  25 h, unanswered; first response due 33 h
  now: 26 h
"""

from datetime import timedelta

import grpc
import pytest
from acme.support.v1 import case_pb2, case_service_pb2
from google.protobuf.timestamp_pb2 import Timestamp

from tests.support_svc.fakes import START
from tests.support_svc.integration.harness import (
    ANA,
    BEN,
    LEE,
    SAM,
    SupportHarness,
    open_case,
    reply,
    rich_error,
)


def at(hours: float) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(START + timedelta(hours=hours))
    return stamp


async def build_history(support: SupportHarness) -> None:
    clock = support.clock

    def to(hours: float) -> None:
        clock.current = START + timedelta(hours=hours)

    to(-48)
    c0 = await open_case(support)
    to(-47)
    await reply(support, SAM, c0, "On it")
    to(0)
    c1 = await open_case(support)
    to(0.5)
    await reply(support, SAM, c1, "On it")
    to(1)
    c2 = await open_case(support, BEN, order_id="ord_2001")
    to(2)
    await open_case(support)  # c3
    to(2.5)
    answered = await reply(support, SAM, c2, "Which colour?")
    await support.as_(SAM).SetCaseWaiting(
        case_service_pb2.SetCaseWaitingRequest(name=c2.name, waiting=True, etag=answered.case.etag)
    )
    to(3)
    c4 = await open_case(support, SAM, priority=case_pb2.CASE_PRIORITY_URGENT)
    to(4)
    c5 = await open_case(support, BEN, order_id="ord_2001")
    to(5)
    answered = await reply(support, SAM, c4, "Sorry for the wait")
    to(6)
    await support.as_(SAM).ResolveCase(
        case_service_pb2.ResolveCaseRequest(name=c4.name, etag=answered.case.etag)
    )
    to(13)
    await reply(support, SAM, c5, "Sorry for the wait")
    to(25)
    await open_case(support)  # c6
    to(26)


async def statistics(
    support: SupportHarness, start: float, end: float
) -> case_service_pb2.GetCaseStatisticsResponse:
    request = case_service_pb2.GetCaseStatisticsRequest(period_start_time=at(start), period_end_time=at(end))
    response: case_service_pb2.GetCaseStatisticsResponse = await support.as_(LEE).GetCaseStatistics(request)
    return response


async def test_the_first_day_in_numbers(support: SupportHarness) -> None:
    await build_history(support)
    day = await statistics(support, 0, 24)
    assert [(c.status, c.count) for c in day.open_cases_by_status] == [
        (case_pb2.CASE_STATUS_OPEN, 2),  # c3, c6
        (case_pb2.CASE_STATUS_IN_PROGRESS, 3),  # c0, c1, c5
        (case_pb2.CASE_STATUS_WAITING_ON_CUSTOMER, 1),  # c2
    ]
    assert day.breached_open_cases == 3  # c0, c3, c5 (c4 breached but is resolved)
    assert day.breached_in_period == 4  # c0 at 0 h, c4 at 4 h, c3 at 10 h, c5 at 12 h
    assert (day.opened_in_period, day.answered_in_period, day.resolved_in_period) == (5, 4, 1)
    # 30 min, 1 h 30, 2 h, 9 h: the mean of the middle two
    assert day.median_first_response_duration.ToTimedelta() == timedelta(hours=1, minutes=45)
    assert (day.period_start_time, day.period_end_time) == (at(0), at(24))
    assert day.compute_time == at(26)


async def test_other_periods(support: SupportHarness) -> None:
    await build_history(support)
    before = await statistics(support, -72, 0)
    assert (before.opened_in_period, before.answered_in_period, before.breached_in_period) == (1, 1, 0)
    assert before.median_first_response_duration.ToTimedelta() == timedelta(hours=1)
    # c6 opened then, unanswered: no median. Its first response falls due (33 h) after now (26 h):
    # a breach still to come is not counted.
    after = await statistics(support, 24, 72)
    assert (after.opened_in_period, after.answered_in_period, after.breached_in_period) == (1, 0, 0)
    assert not after.HasField("median_first_response_duration")
    # the open cases and breaches of "now" do not depend on the period
    assert after.open_cases_by_status == before.open_cases_by_status
    assert after.breached_open_cases == before.breached_open_cases == 3
    morning = await statistics(support, 0, 4)
    assert (morning.breached_in_period, morning.answered_in_period) == (1, 3)
    # 30 min, 1 h 30, 2 h (c4, opened at 3 h): odd count, the middle one
    assert morning.median_first_response_duration.ToTimedelta() == timedelta(hours=1, minutes=30)


@pytest.mark.parametrize("who", [ANA, SAM], ids=["customer", "agent"])
async def test_only_leads_get_statistics(support: SupportHarness, who: object) -> None:
    request = case_service_pb2.GetCaseStatisticsRequest(period_start_time=at(0), period_end_time=at(24))
    error = await rich_error(support.as_(who).GetCaseStatistics(request))  # type: ignore[arg-type]
    assert (error.code, error.reason) == (grpc.StatusCode.PERMISSION_DENIED, "LEAD_ONLY")


async def test_a_period_without_an_end_is_invalid(support: SupportHarness) -> None:
    request = case_service_pb2.GetCaseStatisticsRequest(period_start_time=at(0))
    error = await rich_error(support.as_(LEE).GetCaseStatistics(request))
    assert (error.code, [v.field for v in error.field_violations]) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        ["period_end_time"],
    )
