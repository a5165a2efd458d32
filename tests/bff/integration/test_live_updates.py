"""GET /api/cases/{id}/events over real HTTP (uvicorn) against the real services: support_svc's WatchCase
stream as server-sent events, kept alive, re-opened on time, and cancelled when the browser leaves."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from prometheus_client import REGISTRY

from tests.bff.helpers import CSRF, browser_client, eventually, open_case, running, serving, sign_in
from tests.bff.integration.conftest import Services, bff_settings


@dataclass
class Block:
    """One block of an event stream (the lines up to a blank line)."""

    fields: dict[str, str] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)

    @property
    def data(self) -> dict[str, Any]:
        parsed: dict[str, Any] = orjson.loads(self.fields["data"])
        return parsed


class EventStream:
    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines = response.aiter_lines()

    async def next(self, timeout_s: float = 5.0) -> Block | None:
        """The next block; None when the stream has ended."""
        block = Block()
        async with asyncio.timeout(timeout_s):
            async for line in self._lines:
                if line == "":
                    return block
                if line.startswith(":"):
                    block.comments.append(line[1:].strip())
                else:
                    name, _, value = line.partition(":")
                    block.fields[name] = value.removeprefix(" ")
        return None

    async def next_event(self, timeout_s: float = 5.0) -> Block:
        """The next block that is an event (comments and settings skipped)."""
        async with asyncio.timeout(timeout_s):
            while True:
                block = await self.next()
                assert block is not None, "the stream ended"
                if "event" in block.fields:
                    return block


@asynccontextmanager
async def events(http: httpx.AsyncClient, case_id: str, **kwargs: Any) -> AsyncIterator[EventStream]:
    async with http.stream("GET", f"/api/cases/{case_id}/events", **kwargs) as response:
        assert response.status_code == 200, (await response.aread()).decode()
        assert response.headers["content-type"].startswith("text/event-stream")
        yield EventStream(response)


@asynccontextmanager
async def browsers(services: Services, *who: str, **overrides: Any) -> AsyncIterator[list[httpx.AsyncClient]]:
    """Signed-in clients of a BFF served over real HTTP (its streams last 30 s unless overridden)."""
    async with (
        running(bff_settings(services, **({"events_max_s": 30} | overrides))) as app,
        serving(app) as base_url,
    ):
        clients = [browser_client(base_url=base_url, timeout=10) for _ in who]
        try:
            for http, name in zip(clients, who, strict=True):
                assert (await sign_in(http, name)).status_code == 200
            yield clients
        finally:
            for http in clients:
                await http.aclose()


def watchers() -> float:
    """WatchCase streams support_svc (in this process) has open now."""
    return REGISTRY.get_sample_value("support_case_watchers") or 0.0


async def test_a_change_reaches_the_open_page_as_an_event(services: Services) -> None:
    async with browsers(services, "ana", "sam") as (ana, sam):
        case = await open_case(ana)
        async with events(ana, case["id"]) as stream:
            opening = await stream.next()
            reply = await sam.post(f"/api/cases/{case['id']}/messages", json={"body": "On it"}, headers=CSRF)
            changed = await stream.next_event()
            note = await sam.post(
                f"/api/cases/{case['id']}/messages", json={"body": "psst", "internal": True}, headers=CSRF
            )
            customer_reply = await ana.post(
                f"/api/cases/{case['id']}/messages", json={"body": "Thanks"}, headers=CSRF
            )
            next_for_ana = await stream.next_event()

    assert opening is not None
    assert (opening.fields["retry"], opening.fields["id"]) == ("2000", case["etag"])
    assert "event" not in opening.fields  # no event: the page is current
    assert (reply.status_code, note.status_code, customer_reply.status_code) == (201, 201, 201)
    assert changed.fields["event"] == "case-changed"
    assert changed.data["kind"] == "message_added"
    assert set(changed.data["kinds"]) == {"message_added", "status_changed"}  # the first answer starts work
    assert changed.data["etag"] == changed.fields["id"] == reply.json()["case"]["etag"]
    # The internal note was never announced to Ana; her own reply is the next event.
    assert next_for_ana.data["etag"] == customer_reply.json()["case"]["etag"]


async def test_staff_are_told_of_internal_notes(services: Services) -> None:
    async with browsers(services, "ana", "sam") as (ana, sam):
        case = await open_case(ana)
        async with events(sam, case["id"]) as stream:
            await stream.next()
            await sam.post(
                f"/api/cases/{case['id']}/messages", json={"body": "psst", "internal": True}, headers=CSRF
            )
            changed = await stream.next_event()

    assert changed.data["kind"] == "note_added"


async def test_a_page_that_missed_a_change_hears_of_it_at_once(services: Services) -> None:
    async with browsers(services, "ana", "sam", events_keepalive_s=0.2) as (ana, sam):
        case = await open_case(ana)
        await sam.post(f"/api/cases/{case['id']}/messages", json={"body": "Hello"}, headers=CSRF)
        current = (await ana.get(f"/api/cases/{case['id']}")).json()["case"]["etag"]
        async with events(ana, case["id"], params={"etag": case["etag"]}) as stale_page:
            await stale_page.next()
            resync = await stale_page.next_event()
        async with events(ana, case["id"], headers={"Last-Event-ID": case["etag"]}) as reconnected:
            await reconnected.next()
            after_reconnect = await reconnected.next_event()
        async with events(ana, case["id"], params={"etag": current}) as current_page:
            opening = await current_page.next()
            quiet = await current_page.next()

    assert (resync.data["kind"], resync.data["etag"]) == ("resync", current)
    assert (after_reconnect.data["kind"], after_reconnect.data["etag"]) == ("resync", current)
    assert opening is not None
    assert "event" not in opening.fields
    assert quiet is not None
    assert quiet.comments == ["keep-alive"]  # and nothing else to tell


async def test_keep_alive_comments_and_the_stream_survives_being_reopened(services: Services) -> None:
    async with browsers(services, "ana", "sam", events_keepalive_s=0.1, events_reopen_s=0.3) as (ana, sam):
        case = await open_case(ana)
        async with events(ana, case["id"]) as stream:
            await stream.next()
            keep_alive = await stream.next()
            await asyncio.sleep(1.0)  # three streams later
            reply = await sam.post(f"/api/cases/{case['id']}/messages", json={"body": "Later"}, headers=CSRF)
            changed = await stream.next_event()
            open_streams = watchers()

    assert keep_alive is not None
    assert keep_alive.comments == ["keep-alive"]
    assert changed.data["etag"] == reply.json()["case"]["etag"]
    assert changed.data["kind"] == "message_added"
    assert open_streams >= 1


async def test_the_stream_ends_when_the_session_does_and_after_its_longest_life(services: Services) -> None:
    async with browsers(services, "ana", events_reopen_s=0.2) as (ana,):
        case = await open_case(ana)
        async with events(ana, case["id"]) as stream:
            await stream.next()
            await ana.delete("/api/session", headers=CSRF)
            ended = await stream.next()  # at the next re-open, the session is found gone
    async with browsers(services, "ana", events_max_s=0.3) as (ana,):
        case = await open_case(ana)
        started = time.monotonic()
        async with events(ana, case["id"]) as stream:
            async with asyncio.timeout(5):
                body = await stream.response.aread()
        lived = time.monotonic() - started

    assert ended is None
    assert body.startswith(b"id: ")
    assert 0.3 <= lived < 3


async def test_leaving_the_page_cancels_supports_stream(services: Services) -> None:
    async with browsers(services, "ana") as (ana,):
        case = await open_case(ana)
        before = watchers()
        async with events(ana, case["id"]) as stream:
            await stream.next()
            during = watchers()

        async def closed() -> bool:
            return watchers() == before

        await eventually(closed)

    assert during == before + 1


async def test_someone_elses_case_is_a_404_problem_not_a_stream(services: Services) -> None:
    async with browsers(services, "ana", "ben") as (ana, ben):
        case = await open_case(ana)
        refused = await ben.get(f"/api/cases/{case['id']}/events")
        async with httpx.AsyncClient(base_url=str(ana.base_url)) as nobody:
            anonymous = await nobody.get(f"/api/cases/{case['id']}/events")

    assert refused.status_code == 404
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["reason"] == "CASE_NOT_FOUND"
    assert anonymous.status_code == 401
