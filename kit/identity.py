"""The end user's identity as it travels between processes: a short-lived signed token.

The BFF puts one on every gRPC call from the browser session; support_svc and refund_svc verify
it (kit.grpc_server.AuthInterceptor). HS256 with a secret shared by the processes of one
deployment. Signing and verifying cost more than the rest of a point read together, so a caller
reuses a token for half its life (TokenIssuer) and a service remembers the tokens it has verified
until they expire (TokenVerifier).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import jwt
from cachetools import TLRUCache, TTLCache

ISSUER = "acme-bff"
AUDIENCE = "acme-services"
DEFAULT_TTL_S = 60
METADATA_KEY = "authorization"


class Role(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    LEAD = "lead"
    SYSTEM = "system"

    @property
    def is_staff(self) -> bool:
        return self in (Role.AGENT, Role.LEAD, Role.SYSTEM)


@dataclass(frozen=True, slots=True)
class Identity:
    """Who is calling: a subject id (customer id for customers, staff id otherwise) and a role."""

    subject: str
    role: Role

    @property
    def is_staff(self) -> bool:
        return self.role.is_staff


class InvalidTokenError(Exception):
    """The token is missing, malformed, forged or expired."""


def mint_token(secret: str, identity: Identity, ttl_s: int = DEFAULT_TTL_S, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    claims = {
        "sub": identity.subject,
        "role": identity.role.value,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": issued,
        "exp": issued + ttl_s,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def verify_token(secret: str, token: str) -> Identity:
    return _verified(secret, token)[0]


def _verified(secret: str, token: str) -> tuple[Identity, float]:
    """The identity a valid token carries, and when the token expires."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["sub", "role", "exp", "iat"]},
        )
        return Identity(subject=str(claims["sub"]), role=Role(claims["role"])), float(claims["exp"])
    except (jwt.PyJWTError, ValueError, KeyError) as exc:
        raise InvalidTokenError(str(exc)) from exc


class TokenIssuer:
    """Tokens for outgoing calls, one per identity reused for the first half of its life (so that
    every token sent still has at least `ttl_s / 2` to live when it arrives)."""

    def __init__(
        self,
        secret: str,
        *,
        ttl_s: int = DEFAULT_TTL_S,
        max_identities: int = 10_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret = secret
        self._ttl_s = ttl_s
        self._clock = clock
        self._issued: TTLCache[Identity, str] = TTLCache(max_identities, ttl=ttl_s / 2, timer=clock)

    def token(self, identity: Identity) -> str:
        token = self._issued.get(identity)
        if token is None:
            token = mint_token(self._secret, identity, self._ttl_s, now=self._clock())
            self._issued[identity] = token
        return token

    def metadata(self, identity: Identity) -> tuple[tuple[str, str], ...]:
        return ((METADATA_KEY, f"Bearer {self.token(identity)}"),)


class TokenVerifier:
    """Verifies tokens, remembering each valid one until it expires: a token is only ever the exact
    bytes that were signed, so the same string carries the same verified claims."""

    def __init__(
        self, secret: str, *, max_tokens: int = 10_000, clock: Callable[[], float] = time.time
    ) -> None:
        self._secret = secret
        # Each entry lives until its token's own expiry (the second half of the value).
        self._verified: TLRUCache[str, tuple[Identity, float]] = TLRUCache(
            max_tokens, ttu=lambda _token, value, _now: value[1], timer=clock
        )

    def verify(self, token: str) -> Identity:
        known = self._verified.get(token)
        if known is None:
            known = _verified(self._secret, token)
            self._verified[token] = known
        return known[0]


def bearer_metadata(
    secret: str, identity: Identity, ttl_s: int = DEFAULT_TTL_S
) -> tuple[tuple[str, str], ...]:
    return ((METADATA_KEY, f"Bearer {mint_token(secret, identity, ttl_s)}"),)
