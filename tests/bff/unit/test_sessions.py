"""Sessions in real Redis: creation, idle and absolute expiry, rotation, sign-out; and over HTTP."""

from __future__ import annotations

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
    assert set_cookie.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in set_cookie
    assert "Path=/" in set_cookie
    assert "SameSite=lax" in set_cookie
    assert old_cookie != new_cookie
    assert with_old.status_code == 401
    assert with_new.json() == {
        "user": {"id": "cus_1001", "name": "Ana Costa", "email": "ana@example.com", "role": "customer"}
    }


async def test_the_cookie_is_secure_over_tls_and_on_loopback_by_default() -> None:
    async with running(settings(cookie_secure="auto")) as app:
        async with client(app, base_url="https://bff.example") as http:
            over_tls = await sign_in(http, "ana")
        async with client(app, base_url="http://localhost:8000") as http:
            loopback = await sign_in(http, "ana")
        async with client(app, base_url="http://bff.internal:8000") as http:
            plain = await sign_in(http, "ana")

    assert "Secure" in over_tls.headers["set-cookie"]
    assert "strict-transport-security" in over_tls.headers
    assert "Secure" in loopback.headers["set-cookie"]
    assert "strict-transport-security" not in loopback.headers
    assert "Secure" not in plain.headers["set-cookie"]


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
