"""The adaptive bound on API requests in flight (bff.admission), on a clock the test moves."""

from __future__ import annotations

import asyncio

from fastapi.routing import APIRoute
from prometheus_client import REGISTRY

from bff.admission import AdmissionLimit
from tests.bff.helpers import client, memory_store, running, settings

TARGET = 0.05


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _gauge() -> float:
    value = REGISTRY.get_sample_value("bff_admission_limit")
    assert value is not None
    return value


def _window(limit: AdmissionLimit, clock: Clock, took: list[float]) -> None:
    """One window: as many requests as `took` enter together, then leave with those latencies."""
    for _ in took:
        assert limit.try_enter()
    for i, seconds in enumerate(took):
        if i == len(took) - 1:
            clock.now += TARGET
        limit.leave(seconds)


def test_no_more_than_the_limit_enter_and_a_place_comes_back_when_one_leaves() -> None:
    limit = AdmissionLimit(ceiling=3, target_s=TARGET, clock=Clock())

    assert [limit.try_enter() for _ in range(4)] == [True, True, True, False]
    limit.leave(0.001)
    assert limit.try_enter()
    assert limit.in_flight == 3


def test_windows_whose_median_answer_is_slow_cut_the_limit_down_to_the_floor() -> None:
    clock = Clock()
    limit = AdmissionLimit(ceiling=100, target_s=TARGET, floor=20, backoff=0.5, clock=clock)

    _window(limit, clock, [0.2, 0.2, 0.01])
    assert limit.limit == 50
    _window(limit, clock, [0.2, 0.2, 0.01])
    assert limit.limit == 25
    _window(limit, clock, [0.2, 0.2, 0.01])
    assert limit.limit == 20
    assert _gauge() == 20


def test_a_few_slow_answers_do_not_cut_the_limit() -> None:
    """One slow dependency slows its own routes; the rest of the BFF keeps its bound."""
    clock = Clock()
    limit = AdmissionLimit(ceiling=100, target_s=TARGET, clock=clock)

    _window(limit, clock, [2.0, 0.01, 0.01])
    assert limit.limit == 100


def test_fast_windows_that_use_most_of_the_limit_raise_it_by_one_up_to_the_ceiling() -> None:
    clock = Clock()
    limit = AdmissionLimit(ceiling=25, target_s=TARGET, floor=4, backoff=0.5, clock=clock)
    _window(limit, clock, [1.0] * 20)
    assert limit.limit == 12

    _window(limit, clock, [0.01] * 12)
    assert limit.limit == 13
    _window(limit, clock, [0.01] * 13)
    assert limit.limit == 14
    for _ in range(20):
        _window(limit, clock, [0.01] * limit.limit)
    assert limit.limit == 25


def test_fast_windows_that_leave_most_of_the_limit_unused_let_it_grow_back_by_a_tenth() -> None:
    """After an overload the bound is low; once the load is gone it must not shed the next burst."""
    clock = Clock()
    limit = AdmissionLimit(ceiling=200, target_s=TARGET, floor=4, backoff=0.5, clock=clock)
    for _ in range(3):
        _window(limit, clock, [1.0] * 30)
    assert limit.limit == 25

    _window(limit, clock, [0.01] * 3)  # a quiet window: the bound is not what holds anything back
    assert limit.limit == 27
    for _ in range(30):
        _window(limit, clock, [0.01] * 3)
    assert limit.limit == 200


def test_the_limit_is_judged_once_per_window() -> None:
    clock = Clock()
    limit = AdmissionLimit(ceiling=100, target_s=TARGET, backoff=0.5, clock=clock)

    for _ in range(10):  # all within one window
        assert limit.try_enter()
        limit.leave(1.0)
    assert limit.limit == 100
    clock.now += TARGET
    assert limit.try_enter()
    limit.leave(1.0)
    assert limit.limit == 50


def test_with_no_target_the_bound_is_fixed() -> None:
    clock = Clock()
    limit = AdmissionLimit(ceiling=10, target_s=0, clock=clock)

    _window(limit, clock, [5.0] * 10)
    assert limit.limit == 10


async def test_the_front_door_sheds_below_its_ceiling_once_answers_are_slow_and_recovers() -> None:
    """Through the real middleware: slow answers lower the bound, so fewer requests are taken at once
    than BFF_MAX_IN_FLIGHT; fast answers raise it again."""
    # Slow is three times the target, fast a fiftieth of it. The target is long (250 ms) and the
    # waves small (at most 24 requests), so that the test client's own CPU time per request, which
    # every answer in a wave also waits for, stays far below it on a slow machine under coverage:
    # with a 50 ms target and waves of 40, a slow CI machine saw "fast" windows as slow and the bound
    # never rose again.
    delay = {"s": 0.75}

    async def work() -> dict[str, str]:
        await asyncio.sleep(delay["s"])
        return {"done": "yes"}

    config = settings(redis_url="", max_in_flight=24, latency_target_ms=250)
    async with running(config, store_factory=memory_store) as application:
        application.router.routes.insert(0, APIRoute("/api/work", work, methods=["GET"]))
        async with client(application) as http, asyncio.timeout(60):

            async def wave(size: int) -> list[int]:
                answers = await asyncio.gather(*(http.get("/api/work") for _ in range(size)))
                return [answer.status_code for answer in answers]

            assert set(await wave(20)) == {200}  # under the ceiling, before anything was slow
            for _ in range(5):  # slow windows: the bound comes down to the floor (24, 21, 18, 16)
                await wave(16)
            assert _gauge() == 16
            shed = await wave(24)
            assert shed.count(200) == 16
            assert shed.count(503) == 8

            delay["s"] = 0.005
            while _gauge() < 24:  # fast windows that fill the bound raise it, up to the ceiling
                await wave(int(_gauge()))
                await asyncio.sleep(0.01)  # let a window end between waves
            assert set(await wave(24)) == {200}
