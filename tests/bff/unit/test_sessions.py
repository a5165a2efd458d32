"""Sessions in real Redis: creation, idle and absolute expiry, rotation, sign-out; and over HTTP."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bff.__main__ import server_options
from bff.sessions import COOKIE_NAME, SessionManager
from bff.store import RedisStore
from tests.bff.helpers import CSRF, client, running, settings, sign_in


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


def _near(store: RedisStore, prefix: str, clock: FakeClock, near_ttl_s: float = 5) -> SessionManager:
    return SessionManager(
        store, prefix=prefix, idle_s=1800, absolute_s=12 * 3600, near_ttl_s=near_ttl_s, clock=clock
    )


async def _drop_from_redis(store: RedisStore, prefix: str) -> None:
    async for key in store._redis.scan_iter(match=f"{prefix}*"):
        await store._redis.delete(key)


async def test_a_session_read_is_kept_in_memory_for_the_near_ttl_only(
    redis_store: RedisStore, prefix: str
) -> None:
    clock = FakeClock()
    here = _near(redis_store, prefix, clock)
    session = await _manager(redis_store, prefix, clock).create("cus_1001")
    await here.get(session.id)
    await _drop_from_redis(redis_store, prefix)  # as a sign-out through another process would

    clock.now += 4.9
    still_kept = await here.get(session.id)
    clock.now += 0.2
    gone = await here.get(session.id)

    assert still_kept is not None
    assert still_kept.user_id == "cus_1001"
    assert gone is None


async def test_a_sign_out_through_another_process_ends_the_session_within_the_near_ttl(
    redis_store: RedisStore, prefix: str
) -> None:
    clock = FakeClock()
    here, there = _near(redis_store, prefix, clock), _near(redis_store, prefix, clock)
    session = await there.create("cus_1001")
    await here.get(session.id)

    await there.destroy(session.id)
    there_after = await there.get(session.id)
    clock.now += 5
    here_after = await here.get(session.id)

    assert there_after is None  # the process that signed out forgets it at once
    assert here_after is None


async def test_a_kept_copy_never_writes_back_a_session_another_process_ended(
    redis_store: RedisStore, prefix: str
) -> None:
    # The idle timer is refreshed every 60 s; a copy kept longer than that must not be written back.
    clock = FakeClock()
    here, there = _near(redis_store, prefix, clock, near_ttl_s=600), _near(redis_store, prefix, clock)
    session = await there.create("cus_1001")
    await here.get(session.id)
    await there.destroy(session.id)

    clock.now += 61
    touched = await here.get(session.id)

    assert touched is None
    assert [k async for k in redis_store._redis.scan_iter(match=f"{prefix}*")] == []


async def test_a_copy_that_looks_idle_is_checked_in_the_store_before_the_session_ends(
    redis_store: RedisStore, prefix: str
) -> None:
    clock = FakeClock()
    here, there = _near(redis_store, prefix, clock, near_ttl_s=3600), _near(redis_store, prefix, clock)
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
