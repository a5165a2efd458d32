"""Sessions in real Redis: creation, idle and absolute expiry, rotation, sign-out; and over HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from fastapi import FastAPI
from pydantic import ValidationError
from structlog.testing import capture_logs

from bff.__main__ import server_options
from bff.sessions import COOKIE_NAME, SessionManager
from bff.store import KeyValueStore, RedisStore
from tests.bff.helpers import CSRF, REDIS_URL, PrivateRedis, client, running, settings, sign_in


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def _manager(store: RedisStore, prefix: str, clock: FakeClock) -> SessionManager:
    return SessionManager(store, prefix=prefix, idle_s=1800, absolute_s=12 * 3600, clock=clock)


async def test_a_session_lives_while_used_and_ends_after_idling(redis_store: RedisStore, prefix: str) -> None:
    clock = FakeClock()
    sessions = _manager(redis_store, prefix, clock)
    session = await sessions.create("cus_1001")

    clock.now += 1700
    still = await sessions.get(session.id)
    clock.now += 1700  # used 1,700 s ago: still inside the idle timeout
    again = await sessions.get(session.id)
    clock.now += 1801
    gone = await sessions.get(session.id)

    assert still is not None
    assert still.user_id == "cus_1001"
    assert again is not None
    assert gone is None
    assert (
        await redis_store.get_many([k async for k in redis_store._redis.scan_iter(match=f"{prefix}*")]) == []
    )


async def test_looking_without_touching_does_not_keep_a_session_alive(
    redis_store: RedisStore, prefix: str
) -> None:
    clock = FakeClock()
    sessions = _manager(redis_store, prefix, clock)
    session = await sessions.create("cus_1001")

    clock.now += 1700
    looked = await sessions.get(session.id, touch=False)  # a live page checking, not the person
    clock.now += 200
    gone = await sessions.get(session.id, touch=False)

    assert looked is not None
    assert gone is None  # idle since sign-in: 1,900 s


async def test_a_session_ends_at_the_absolute_timeout_even_when_used(
    redis_store: RedisStore, prefix: str
) -> None:
    clock = FakeClock()
    sessions = _manager(redis_store, prefix, clock)
    session = await sessions.create("cus_1001")

    for _ in range(30):  # every 25 minutes for 12.5 hours
        clock.now += 1500
        last = await sessions.get(session.id)

    assert last is None


async def test_the_store_key_is_not_the_cookie_value(redis_store: RedisStore, prefix: str) -> None:
    sessions = _manager(redis_store, prefix, FakeClock())
    session = await sessions.create("cus_1001")

    keys = [k.decode() async for k in redis_store._redis.scan_iter(match=f"{prefix}*")]

    assert len(keys) == 1
    assert session.id not in keys[0]
    assert len(session.id) >= 43  # 32 random bytes


async def test_creating_a_session_ends_the_one_it_replaces(redis_store: RedisStore, prefix: str) -> None:
    sessions = _manager(redis_store, prefix, FakeClock())
    planted = await sessions.create("cus_1001")
    fresh = await sessions.create("cus_1001", replaces=planted.id)

    assert await sessions.get(planted.id) is None
    assert await sessions.get(fresh.id) is not None
    assert fresh.id != planted.id


def _near(store: KeyValueStore, prefix: str, clock: FakeClock, near_ttl_s: float = 60) -> SessionManager:
    return SessionManager(
        store, prefix=prefix, idle_s=1800, absolute_s=12 * 3600, near_ttl_s=near_ttl_s, clock=clock
    )


async def _eventually(check: Callable[[], Awaitable[bool]], timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not await check():
        assert time.monotonic() < deadline, "not within the time allowed"
        await asyncio.sleep(0.01)


@asynccontextmanager
async def hearing(*managers: SessionManager) -> AsyncIterator[None]:
    """The managers follow sign-outs (as the app's lifespan makes them), until the block ends."""
    tasks = [asyncio.ensure_future(m.follow_sign_outs()) for m in managers]

    async def all_hear() -> bool:
        return all(m.hears_sign_outs for m in managers)

    try:
        await _eventually(all_hear)
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _drop_from_redis(store: RedisStore, prefix: str) -> None:
    """As an operator deleting keys by hand would: no sign-out is told."""
    async for key in store._redis.scan_iter(match=f"{prefix}*"):
        await store._redis.delete(key)


async def test_a_session_read_is_kept_in_memory_for_the_near_ttl_only(
    redis_store: RedisStore, prefix: str
) -> None:
    clock = FakeClock()
    here = _near(redis_store, prefix, clock, near_ttl_s=5)
    async with hearing(here):
        session = await _manager(redis_store, prefix, clock).create("cus_1001")
        await here.get(session.id)
        await _drop_from_redis(redis_store, prefix)

        clock.now += 4.9
        still_kept = await here.get(session.id)
        clock.now += 0.2
        gone = await here.get(session.id)

    assert still_kept is not None
    assert still_kept.user_id == "cus_1001"
    assert gone is None


async def test_a_sign_out_through_another_process_ends_the_session_here_at_once(
    redis_store: RedisStore, prefix: str
) -> None:
    clock = FakeClock()  # never moves: the copy kept here would last a minute
    here, there = _near(redis_store, prefix, clock), _near(redis_store, prefix, clock)
    async with hearing(here, there):
        session = await there.create("cus_1001")
        kept = await here.get(session.id)
        await there.destroy(session.id)
        there_after = await there.get(session.id)

        async def ended_here() -> bool:
            return await here.get(session.id) is None

        await _eventually(ended_here, timeout_s=2)

    assert kept is not None
    assert there_after is None  # the process that signed out forgets it at once


async def test_nothing_is_kept_while_sign_outs_are_not_heard(redis_store: RedisStore, prefix: str) -> None:
    clock = FakeClock()
    here = _near(redis_store, prefix, clock)  # not following the channel
    session = await _manager(redis_store, prefix, clock).create("cus_1001")
    read = await here.get(session.id)
    await _drop_from_redis(redis_store, prefix)
    again = await here.get(session.id)

    assert read is not None
    assert again is None  # read from Redis again: nothing was kept


async def test_what_was_kept_goes_when_the_channel_is_lost(private_redis: PrivateRedis) -> None:
    store = RedisStore(f"redis://127.0.0.1:{private_redis.port}/0", timeout_s=0.2, cooldown_s=0.05)
    here = _near(store, "t:", FakeClock())
    try:
        with capture_logs() as logs:
            async with hearing(here):
                session = await here.create("cus_1001")
                private_redis.stop()  # its sessions are gone with it (it keeps nothing on disk)

                async def deaf() -> bool:
                    return not here.hears_sign_outs

                await _eventually(deaf)
                private_redis.start()

                async def hears_again() -> bool:
                    return here.hears_sign_outs

                await _eventually(hears_again)
                after = await here.get(session.id)  # not from memory: Redis, which no longer has it
    finally:
        await store.close()

    assert after is None
    told = [(e["log_level"], e["event"]) for e in logs if "sign-outs" in e["event"]]
    assert told[:3] == [
        ("info", "hearing sign-outs: sessions are kept in memory"),
        ("warning", "sign-outs not heard: every request reads its session from the store"),
        ("info", "hearing sign-outs: sessions are kept in memory"),
    ]


async def test_a_read_that_overlapped_a_sign_out_is_not_kept(redis_store: RedisStore, prefix: str) -> None:
    class SlowReads(RedisStore):
        """Holds each GET's answer until released, as a slow connection would."""

        def __init__(self) -> None:
            super().__init__(REDIS_URL)
            self.release = asyncio.Event()

        async def get(self, key: str) -> bytes | None:
            value = await super().get(key)
            await self.release.wait()
            return value

    slow = SlowReads()
    clock = FakeClock()
    here, there = _near(slow, prefix, clock), _near(redis_store, prefix, clock)
    try:
        async with hearing(here, there):
            session, other = await there.create("cus_1001"), await there.create("cus_1002")
            reading = asyncio.ensure_future(here.get(session.id))
            await asyncio.sleep(0.05)  # the GET has its answer, held back
            await there.destroy(other.id)  # another session's sign-out is heard meanwhile

            async def heard() -> bool:
                return here._heard == 1

            await _eventually(heard)
            slow.release.set()
            read = await reading
            await redis_store._redis.delete(
                there._key(session.id)
            )  # no notice: only a kept copy would answer
            again = await here.get(session.id)
    finally:
        await slow.close()

    assert read is not None  # this request still has its session
    assert again is None  # but it was not kept: the sign-out heard may have been this one's


async def test_a_kept_copy_never_writes_back_a_session_ended_without_a_notice(
    redis_store: RedisStore, prefix: str
) -> None:
    # The idle timer is refreshed every 60 s, only where the session still exists (SET XX).
    clock = FakeClock()
    here = _near(redis_store, prefix, clock, near_ttl_s=60)
    async with hearing(here):
        session = await _manager(redis_store, prefix, clock).create("cus_1001")
        clock.now += 50
        kept = await here.get(session.id, touch=False)  # last seen 50 s ago: kept until 60 s from now
        await _drop_from_redis(redis_store, prefix)

        clock.now += 10
        touched = await here.get(session.id)  # its idle timer is due: written only where it exists

    assert kept is not None
    assert touched is None
    assert [k async for k in redis_store._redis.scan_iter(match=f"{prefix}*")] == []


async def test_a_copy_that_looks_idle_is_checked_in_the_store_before_the_session_ends(
    redis_store: RedisStore, prefix: str
) -> None:
    clock = FakeClock()
    here, there = _near(redis_store, prefix, clock), _near(redis_store, prefix, clock)
    async with hearing(here, there):
        session = await there.create("cus_1001")
        await here.get(session.id)  # kept here with the sign-in time as last seen

        clock.now += 1000
        await there.get(session.id)  # used through another process: its idle timer is refreshed there
        clock.now += 1000  # 2,000 s after sign-in, 1,000 s after the last use
        here_now = await here.get(session.id, touch=False)

    assert here_now is not None


async def test_sign_in_sets_a_hardened_cookie_and_rotates_it() -> None:
    async with running(settings()) as app, client(app) as http:
        first = await sign_in(http, "ana")
        old_cookie = http.cookies[COOKIE_NAME]
        second = await sign_in(http, "ana")
        new_cookie = http.cookies[COOKIE_NAME]
        http.cookies.set(COOKIE_NAME, old_cookie)
        with_old = await http.get("/api/session")
        http.cookies.set(COOKIE_NAME, new_cookie)
        with_new = await http.get("/api/session")

    assert first.status_code == second.status_code == 200
    set_cookie = second.headers["set-cookie"]
    name, _, value = set_cookie.partition("=")
    attributes = [a.strip() for a in value.split(";")[1:]]
    assert name == COOKIE_NAME
    assert name.startswith("__Host-")  # browsers pin it: Secure, Path=/, no Domain, this host only
    assert "Path=/" in attributes
    assert "Secure" in attributes
    assert "HttpOnly" in attributes
    assert "SameSite=lax" in attributes
    assert not any(a.lower().startswith("domain") for a in attributes)
    assert old_cookie != new_cookie
    assert with_old.status_code == 401
    assert with_new.json() == {
        "user": {"id": "cus_1001", "name": "Ana Costa", "email": "ana@example.com", "role": "customer"}
    }


async def test_the_cookie_is_secure_over_tls_on_loopback_and_on_plain_http_elsewhere() -> None:
    # A __Host- cookie without Secure is dropped by browsers: sign-in would silently not stick.
    async with running(settings(cookie_secure="auto")) as app:
        async with client(app, base_url="https://bff.example") as http:
            over_tls = await sign_in(http, "ana")
        async with client(app, base_url="http://localhost:8000") as http:
            loopback = await sign_in(http, "ana")
            signed_out = await http.delete("/api/session", headers=CSRF)
        async with client(app, base_url="http://bff.internal:8000") as http:
            plain = await sign_in(http, "ana")

    assert "strict-transport-security" in over_tls.headers
    assert "strict-transport-security" not in loopback.headers
    for response in (over_tls, loopback, signed_out, plain):
        assert "Secure" in [a.strip() for a in response.headers["set-cookie"].split(";")]


@pytest.mark.parametrize("value", ["false", "0", "off", False])
def test_a_cookie_that_is_not_secure_is_refused_at_start_up(value: object) -> None:
    with pytest.raises(ValidationError, match="must be Secure"):
        settings(cookie_secure=value)


@pytest.mark.parametrize("value", ["auto", "true", True])
def test_auto_and_true_are_accepted(value: object) -> None:
    assert settings(cookie_secure=value).cookie_secure in ("auto", True)


async def test_sign_out_ends_the_session() -> None:
    async with running(settings()) as app, client(app) as http:
        await sign_in(http, "sam")
        cookie = http.cookies[COOKIE_NAME]
        out = await http.delete("/api/session", headers=CSRF)
        http.cookies.set(COOKIE_NAME, cookie)  # a copy of the cookie kept by an attacker
        after = await http.get("/api/session")

    assert out.status_code == 204
    assert "Max-Age=0" in out.headers["set-cookie"] or "expires=" in out.headers["set-cookie"].lower()
    assert after.status_code == 401
    assert after.headers["content-type"] == "application/problem+json"
    assert after.json()["reason"] == "NOT_SIGNED_IN"


def _hear(*apps: FastAPI) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return all(app.state.bff.sessions.hears_sign_outs for app in apps)

    return check


async def test_a_sign_out_through_one_bff_process_ends_the_session_in_another_at_once() -> None:
    shared = settings()  # one Redis and key prefix: two processes behind a balancer
    async with (
        running(shared) as first,
        running(shared) as second,
        client(first) as here,
        client(second) as there,
    ):
        await _eventually(_hear(first, second))  # both follow the channel, once subscribed
        await sign_in(here, "sam")
        there.cookies.set(COOKIE_NAME, here.cookies[COOKIE_NAME])
        before = await there.get("/api/session")  # the second process now keeps the session
        out = await here.delete("/api/session", headers=CSRF)
        deadline = time.monotonic() + 2  # a notice on a Redis channel, not a minute's wait
        while (after := await there.get("/api/session")).status_code == 200:
            assert time.monotonic() < deadline, "the second process still takes the cookie"
            await asyncio.sleep(0.01)

    assert before.status_code == 200
    assert out.status_code == 204
    assert after.status_code == 401
    assert after.json()["reason"] == "NOT_SIGNED_IN"


async def test_a_request_looks_its_session_up_once_whatever_gates_it_passes() -> None:
    # Creating a case passes the customers-only gate and derives its request id from the user: one
    # session lookup for both.
    async with running(settings()) as app, client(app) as http:
        await sign_in(http, "ana")
        sessions = app.state.bff.sessions
        looked_up = 0
        real_get = sessions.get

        async def counting_get(session_id: str, *, touch: bool = True) -> object:
            nonlocal looked_up
            looked_up += 1
            return await real_get(session_id, touch=touch)

        sessions.get = counting_get
        answer = await http.post(
            "/api/cases",
            json={
                "orderId": "ord_1001",
                "category": "damaged_item",
                "subject": "Broken",
                "description": "In pieces",
            },
            headers={**CSRF, "Idempotency-Key": "k-1"},
        )

    assert answer.status_code == 503  # support_svc is not running here: the call itself fails
    assert looked_up == 1


async def test_wrong_password_and_unknown_email_get_the_same_answer() -> None:
    async with running(settings()) as app, client(app) as http:
        wrong = await sign_in(http, "ana", password="not-the-password")
        unknown = await http.post(
            "/api/session", json={"email": "nobody@example.com", "password": "x"}, headers=CSRF
        )

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert "set-cookie" not in wrong.headers


@pytest.mark.parametrize("variable", ["BFF_FORWARDED_ALLOW_IPS", "FORWARDED_ALLOW_IPS"])
def test_uvicorn_believes_forwarded_headers_from_the_configured_proxies_only(
    monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    # Behind a TLS proxy not on 127.0.0.1, X-Forwarded-Proto decides HSTS (and the client address the
    # sign-in limit): uvicorn must be told to believe that proxy.
    default = server_options(settings())
    monkeypatch.setenv(variable, "10.0.0.5")
    configured = server_options(settings())

    assert default["proxy_headers"] is True
    assert default["forwarded_allow_ips"] == "127.0.0.1"
    assert configured["forwarded_allow_ips"] == "10.0.0.5"
