"""Sign-in attempts are limited per account and per address (in Redis): 429 with Retry-After."""

from __future__ import annotations

import asyncio

from tests.bff.helpers import CSRF, client, running, settings, sign_in


async def test_failed_attempts_on_one_account_lock_it_for_a_while() -> None:
    config = settings(sign_in_limit_per_account=3, sign_in_limit_per_address=100)
    async with running(config) as app, client(app) as http:
        failures = [(await sign_in(http, "ana", password="guess")).status_code for _ in range(3)]
        blocked = await sign_in(http, "ana", password="guess")
        right_password = await sign_in(http, "ana")
        other_account = await sign_in(http, "ben")

    assert failures == [401, 401, 401]
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["retry-after"]) <= 60
    assert blocked.json()["reason"] == "TOO_MANY_ATTEMPTS"
    assert blocked.headers["content-type"] == "application/problem+json"
    assert right_password.status_code == 429  # locked is locked, whatever the password
    assert other_account.status_code == 200


async def test_failed_attempts_from_one_address_are_limited_across_accounts() -> None:
    config = settings(sign_in_limit_per_account=100, sign_in_limit_per_address=4)
    async with running(config) as app, client(app) as http:
        codes = []
        for i in range(5):
            response = await http.post(
                "/api/session", json={"email": f"user{i}@example.com", "password": "x"}, headers=CSRF
            )
            codes.append(response.status_code)

    assert codes == [401, 401, 401, 401, 429]


async def test_successful_sign_ins_are_not_counted() -> None:
    config = settings(sign_in_limit_per_account=2, sign_in_limit_per_address=2)
    async with running(config) as app, client(app) as http:
        codes = [(await sign_in(http, "lee")).status_code for _ in range(4)]

    assert codes == [200, 200, 200, 200]


async def test_guesses_sent_all_at_once_cannot_get_past_the_account_limit() -> None:
    # Counted before the password is checked: with a check-then-count limit all 30 were verified.
    config = settings(sign_in_limit_per_account=3, sign_in_limit_per_address=1000)
    async with running(config) as app, client(app) as http:
        guesses = [sign_in(http, "ana", password=f"guess-{i}") for i in range(29)]
        codes = [r.status_code for r in await asyncio.gather(*guesses, sign_in(http, "ana"))]
        afterwards = await sign_in(http, "ana")

    verified = codes.count(401) + codes.count(200)
    assert verified == 3, codes
    assert codes.count(429) == 27
    if codes[-1] != 200:  # the right password came too late: the account is locked
        assert afterwards.status_code == 429


async def test_guesses_sent_all_at_once_cannot_get_past_the_address_limit() -> None:
    config = settings(sign_in_limit_per_account=1000, sign_in_limit_per_address=4)
    async with running(config) as app, client(app) as http:
        guesses = [
            http.post("/api/session", json={"email": f"user{i}@example.com", "password": "x"}, headers=CSRF)
            for i in range(19)
        ]
        codes = [r.status_code for r in await asyncio.gather(*guesses, sign_in(http, "ben"))]
        afterwards = await sign_in(http, "ben")

    assert codes.count(401) + codes.count(200) == 4, codes
    assert codes.count(429) == 16
    if codes[-1] != 200:
        assert afterwards.status_code == 429


async def test_successful_sign_ins_at_the_same_time_are_not_counted() -> None:
    config = settings(sign_in_limit_per_account=100, sign_in_limit_per_address=3)
    async with running(config) as app, client(app) as http:
        first = [r.status_code for r in await asyncio.gather(*(sign_in(http, "lee") for _ in range(3)))]
        later = [(await sign_in(http, "lee")).status_code for _ in range(3)]

    assert first == [200, 200, 200]
    assert later == [200, 200, 200]
