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


# --- reuse: a token per identity for half its life, a verification per token ----------------------


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_an_issuer_reuses_a_token_for_half_its_life_then_signs_a_new_one() -> None:
    from kit.identity import TokenIssuer, verify_token

    clock = Clock(time.time() - 40)  # in the past: the tokens it signs must be valid now
    issuer = TokenIssuer(SECRET, ttl_s=60, clock=clock)
    ana, ben = Identity("cus_1001", Role.CUSTOMER), Identity("cus_1002", Role.CUSTOMER)

    first = issuer.token(ana)
    clock.now += 29
    again = issuer.token(ana)
    other = issuer.token(ben)
    clock.now += 2  # 31 s: under 30 s of life left, so a new one
    renewed = issuer.token(ana)

    assert first == again != renewed
    assert other != first
    assert verify_token(SECRET, other) == ben
    assert issuer.metadata(ana) == (("authorization", f"Bearer {renewed}"),)


def test_a_verifier_remembers_valid_tokens_until_they_expire_and_never_a_bad_one() -> None:
    from kit.identity import TokenVerifier

    verifier = TokenVerifier(SECRET)
    ana = Identity("cus_1001", Role.CUSTOMER)
    # Issued ~58.5 s ago with a 60 s life: valid for another 0.5 to 1.5 s (whole seconds; PyJWT
    # reads the real clock).
    token = mint_token(SECRET, ana, ttl_s=60, now=time.time() - 58.5)
    forged = mint_token("another-secret-that-is-long-enough-000", ana, ttl_s=60)

    assert verifier.verify(token) == ana
    assert verifier.verify(token) == ana  # remembered
    for _ in range(2):  # refused, and not remembered as refused either
        with pytest.raises(InvalidTokenError):
            verifier.verify(forged)
    time.sleep(1.6)
    with pytest.raises(InvalidTokenError):  # expired: the memory does not outlive the token
        verifier.verify(token)
