import time

import jwt
import pytest

from kit.identity import Identity, InvalidTokenError, Role, mint_token, verify_token

SECRET = "s" * 40


def test_a_minted_token_verifies_to_the_same_identity() -> None:
    identity = Identity("cus_1001", Role.CUSTOMER)
    assert verify_token(SECRET, mint_token(SECRET, identity)) == identity


def test_an_expired_token_is_refused() -> None:
    token = mint_token(SECRET, Identity("agt_2001", Role.AGENT), ttl_s=60, now=time.time() - 3600)
    with pytest.raises(InvalidTokenError):
        verify_token(SECRET, token)


def test_a_token_signed_with_another_secret_is_refused() -> None:
    token = mint_token("x" * 40, Identity("agt_2001", Role.LEAD))
    with pytest.raises(InvalidTokenError):
        verify_token(SECRET, token)


def test_a_token_with_an_unknown_role_is_refused() -> None:
    now = int(time.time())
    claims = {
        "sub": "u",
        "role": "admin",
        "iss": "acme-bff",
        "aud": "acme-services",
        "iat": now,
        "exp": now + 60,
    }
    with pytest.raises(InvalidTokenError):
        verify_token(SECRET, jwt.encode(claims, SECRET, algorithm="HS256"))


def test_an_unsigned_token_is_refused() -> None:
    now = int(time.time())
    claims = {
        "sub": "u",
        "role": "lead",
        "iss": "acme-bff",
        "aud": "acme-services",
        "iat": now,
        "exp": now + 60,
    }
    with pytest.raises(InvalidTokenError):
        verify_token(SECRET, jwt.encode(claims, None, algorithm="none"))


def test_staff_roles() -> None:
    assert [r for r in Role if r.is_staff] == [Role.AGENT, Role.LEAD, Role.SYSTEM]
