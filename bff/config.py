"""The BFF's settings, read from the environment (prefix BFF_) once, in __main__ or by tests."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kit.identity import DEFAULT_TTL_S

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_ORIGINS = "http://127.0.0.1:8000,http://localhost:8000,http://127.0.0.1:5173,http://localhost:5173"


class Settings(BaseSettings):
    # hide_input_in_errors: a bad secret must not be echoed into logs by a validation error.
    model_config = SettingsConfigDict(
        env_prefix="BFF_", extra="ignore", frozen=True, hide_input_in_errors=True
    )

    host: str = "127.0.0.1"
    port: int = 8000
    support_addr: str = "127.0.0.1:50051"
    refund_addr: str = "127.0.0.1:50052"
    shop_addr: str = "127.0.0.1:50053"
    # Empty string: an in-process store (one process only; warned about loudly at start-up).
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_max_connections: int = Field(default=64, ge=1)
    # Prefix of every Redis key this process writes; tests give each app its own.
    redis_key_prefix: str = "bff:"
    order_cache_ttl_s: float = Field(default=60.0, gt=0)
    # Orders also kept in this process's memory, at most this long and never past the shared entry's
    # end (bff.orders): most pages need one, and a Redis round trip costs more of the BFF's CPU than
    # the rest of a lookup.
    order_cache_near_ttl_s: float = Field(default=60.0, ge=0)
    # Staff list pages (the queue, a search, the approvals queue) shared by the team for this long;
    # nobody sees one older than their own last change (bff.shared_pages). 0: never shared.
    shared_page_ttl_s: float = Field(default=1.0, ge=0, le=60)
    # Case pages kept until their case changes (bff.case_pages): this many cases' views at most,
    # each for at most case_page_max_age_s (only a bound in case a change were ever missed; the
    # order on a page comes from the order cache on every read). 0 for either: never kept.
    case_page_cache_size: int = Field(default=10_000, ge=0)
    case_page_max_age_s: float = Field(default=300.0, ge=0, le=3600)
    session_idle_timeout_s: float = Field(default=30 * 60, gt=0)
    session_absolute_timeout_s: float = Field(default=12 * 60 * 60, gt=0)
    # Sessions also kept in this process's memory for this long (bff.sessions): every request needs
    # one. Only while the process hears every sign-out (told on a Redis channel): a sign-out through
    # any BFF process ends the session in all of them at once. 0: always ask Redis.
    session_near_ttl_s: float = Field(default=60.0, ge=0, le=60)
    static_dir: Path = Path("frontend/dist")
    # The session cookie is always Secure: its __Host- prefix requires it (browsers drop a __Host-
    # cookie without Secure), and browsers keep Secure cookies from http://localhost too. Only "auto"
    # and true are accepted (both mean Secure); false is refused with an error saying why.
    cookie_secure: Literal["auto"] | bool = "auto"
    # Proxies whose X-Forwarded-Proto/-For uvicorn believes (comma-separated addresses, or "*"). Behind
    # a TLS proxy that is not on 127.0.0.1, list it here: otherwise requests look like plain http (no
    # HSTS) and every client address is the proxy's (one sign-in limit for everybody).
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        validation_alias=AliasChoices(
            "BFF_FORWARDED_ALLOW_IPS", "FORWARDED_ALLOW_IPS", "forwarded_allow_ips"
        ),
    )
    allowed_origins: str = DEFAULT_ORIGINS
    rpc_deadline_s: float = Field(default=2.0, gt=0)
    rpc_retries: int = Field(default=2, ge=0)
    accounts_file: Path = PACKAGE_DIR / "demo_accounts.json"
    sign_in_limit_per_account: int = Field(default=5, ge=1)
    sign_in_limit_per_address: int = Field(default=20, ge=1)
    sign_in_window_s: int = Field(default=60, ge=1)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    # API requests worked on at once; past it, 503 SERVER_BUSY with Retry-After at once (load shedding).
    max_in_flight: int = Field(default=256, ge=1)
    # Fewer than that while the median answer takes longer than this (bff.admission); 0: a fixed bound.
    latency_target_ms: int = Field(default=50, ge=0)
    # Refund requests each person may send per window; beyond, 429 with Retry-After.
    refund_create_limit: int = Field(default=10, ge=1)
    refund_create_window_s: int = Field(default=60, ge=1)
    # Live case updates (server-sent events): a comment this often keeps proxies from closing an idle
    # connection; support_svc's stream is re-opened this often, with a new identity token and the
    # session checked again (so below the token's lifetime); after `events_max_s` the response ends
    # and the browser's EventSource reconnects.
    events_keepalive_s: float = Field(default=15.0, gt=0)
    events_reopen_s: float = Field(default=50.0, gt=0, lt=DEFAULT_TTL_S)
    events_max_s: float = Field(default=3600.0, gt=0)
    # GET /readyz: how long each dependency may take to answer.
    readiness_timeout_s: float = Field(default=1.0, gt=0)
    # OpenTelemetry: spans go to this OTLP/gRPC collector (e.g. http://127.0.0.1:4317); unset: off.
    otlp_endpoint: str | None = None
    # Prometheus metrics also on their own loopback port; unset: only at GET /metrics.
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    log_level: str = Field(default="INFO", validation_alias=AliasChoices("LOG_LEVEL", "BFF_LOG_LEVEL"))
    identity_secret: SecretStr = Field(
        min_length=32, validation_alias=AliasChoices("ACME_IDENTITY_SECRET", "identity_secret"), repr=False
    )

    @field_validator("cookie_secure", mode="before")
    @classmethod
    def _parse_cookie_secure(cls, value: object) -> object:
        text = str(value).strip().lower()
        if text == "auto":
            return "auto"
        if value is False or text in ("false", "0", "no", "off"):
            raise ValueError(
                "BFF_COOKIE_SECURE cannot be false: the __Host- session cookie must be Secure, or browsers "
                "drop it and nobody can sign in. Browsers accept Secure cookies from http://localhost; "
                "anywhere else serve the BFF over TLS. Leave it unset (auto)."
            )
        return value

    @property
    def origins(self) -> frozenset[str]:
        return frozenset(o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip())
