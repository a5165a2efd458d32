"""Sign-in attempts are limited per account and per address (in Redis): 429 with Retry-After."""

from __future__ import annotations

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
