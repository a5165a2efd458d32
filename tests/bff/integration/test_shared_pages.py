"""Staff list pages shared for a moment (bff.shared_pages), through the real BFF, services and Redis:
the team shares one answer, and whoever changes something sees their change at once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY

from tests.bff.helpers import CSRF, ask_refund, open_case, running
from tests.bff.integration.conftest import People, Services, bff_settings

QUEUE = "/api/cases?status=open&sort=newest"
APPROVALS = "/api/refunds?status=pending_approval"


@pytest.fixture
async def long_shared_app(services: Services) -> AsyncIterator[FastAPI]:
    # A minute, so that "still shared" cannot turn into "expired" on a slow machine.
    async with running(bff_settings(services, shared_page_ttl_s=60)) as application:
        yield application


@pytest.fixture
async def team(long_shared_app: FastAPI) -> AsyncIterator[People]:
    async with AsyncExitStack() as stack:
        yield People(long_shared_app, stack)


def case_ids(page: dict[str, object]) -> list[str]:
    cases = page["cases"]
    assert isinstance(cases, list)
    return [c["id"] for c in cases]


async def test_the_team_shares_a_queue_page_and_sees_its_own_changes_at_once(team: People) -> None:
    ana, sam, kim = await team("ana"), await team("sam"), await team("kim")
    first = await open_case(ana)
    sams_queue = (await sam.get(QUEUE)).json()
    assert first["id"] in case_ids(sams_queue)

    # A customer's new case: the page the team shares was fetched before it.
    second = await open_case(ana)
    kims_queue = await kim.get(QUEUE)
    assert kims_queue.status_code == 200
    assert kims_queue.json() == sams_queue

    # Kim changes something (takes the first case): Kim's next page is fetched after that change.
    take = {"assigneeId": "agt_2003", "etag": first["etag"]}
    taken = await kim.post(f"/api/cases/{first['id']}/assign", json=take, headers=CSRF)
    assert taken.status_code == 200, taken.text
    kims_queue = (await kim.get(QUEUE)).json()
    assert second["id"] in case_ids(kims_queue)
    kims_first = next(c for c in kims_queue["cases"] if c["id"] == first["id"])
    assert kims_first["assignee"]["id"] == "agt_2003"
    # ... and it is the page kept for the team from then on.
    assert (await sam.get(QUEUE)).json() == kims_queue


async def test_whats_assigned_to_me_and_customers_lists_are_never_shared(team: People) -> None:
    ana, ben, sam, kim = await team("ana"), await team("ben"), await team("sam"), await team("kim")
    case = await open_case(ana)
    taken = await sam.post(
        f"/api/cases/{case['id']}/assign", json={"assigneeId": "agt_2001", "etag": case["etag"]}, headers=CSRF
    )
    assert taken.status_code == 200, taken.text

    assert case_ids((await sam.get("/api/cases?assignee=mine")).json()) == [case["id"]]
    assert (await kim.get("/api/cases?assignee=mine")).json()["cases"] == []
    assert case_ids((await ana.get("/api/cases")).json()) == [case["id"]]
    assert (await ben.get("/api/cases")).json()["cases"] == []


def answered(outcome: str) -> float:
    return REGISTRY.get_sample_value("bff_shared_pages_total", {"outcome": outcome}) or 0.0


async def test_the_approvals_queue_is_shared_by_role(team: People) -> None:
    sam, kim, lee = await team("sam"), await team("kim"), await team("lee")
    misses, hits = answered("miss"), answered("hit")
    for who in (sam, kim, lee, lee):
        response = await who.get(APPROVALS)
        assert response.status_code == 200, response.text
    # Sam's call serves Kim; the lead's page is the leads' own.
    assert (answered("miss") - misses, answered("hit") - hits) == (2, 2)


async def test_with_a_ttl_of_zero_every_page_is_fresh(services: Services) -> None:
    async with running(bff_settings(services, shared_page_ttl_s=0)) as app, AsyncExitStack() as stack:
        people = People(app, stack)
        ana, sam = await people("ana"), await people("sam")
        await open_case(ana)
        await sam.get(QUEUE)
        newer = await open_case(ana)
        assert newer["id"] in case_ids((await sam.get(QUEUE)).json())


async def test_the_approvals_queue_shows_each_viewer_what_they_may_do(team: People) -> None:
    """Shared as JSON within a role, except for whoever asked for a refund on it: nobody approves
    their own request, and only a lead what needs a lead."""
    ana, sam, kim, lee = await team("ana"), await team("sam"), await team("kim"), await team("lee")
    old_case = await open_case(ana, "ord_1002")  # outside the refund window: an agent asks, with a note
    by_sam = await ask_refund(sam, old_case["id"], ("ln_1", 1), note="Courier confirmed the damage")
    big_case = await open_case(ana, "ord_1004")
    big = await ask_refund(ana, big_case["id"], ("ln_1", 1))  # 649.00: waits for a lead
    assert (by_sam.status_code, big.status_code) == (201, 201), (by_sam.text, big.text)
    ids = (by_sam.json()["refund"]["id"], big.json()["refund"]["id"])

    async def may_approve(who: httpx.AsyncClient) -> tuple[bool, bool]:
        response = await who.get(APPROVALS)
        assert response.status_code == 200, response.text
        by_id = {r["id"]: r["canApprove"] for r in response.json()["refunds"]}
        return by_id[ids[0]], by_id[ids[1]]

    # Sam's page is the agents' shared page from now on; Kim's view of it is kept for the agents,
    # Lee's for the leads.
    seen = [await may_approve(who) for who in (sam, kim, sam, kim, lee, lee)]
    assert seen == [(False, False), (True, False), (False, False), (True, False), (True, True), (True, True)]
