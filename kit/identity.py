"""The end user's identity as it travels between processes: a short-lived signed token.

The BFF mints one per gRPC call from the browser session; support_svc and refund_svc verify it
(see `kit.grpc_auth`). HS256 with a secret shared by the processes of one deployment.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum

import jwt

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
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["sub", "role", "exp", "iat"]},
        )
        return Identity(subject=str(claims["sub"]), role=Role(claims["role"]))
    except (jwt.PyJWTError, ValueError, KeyError) as exc:
        raise InvalidTokenError(str(exc)) from exc


def bearer_metadata(
    secret: str, identity: Identity, ttl_s: int = DEFAULT_TTL_S
) -> tuple[tuple[str, str], ...]:
    return ((METADATA_KEY, f"Bearer {mint_token(secret, identity, ttl_s)}"),)
