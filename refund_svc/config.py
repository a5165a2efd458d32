"""refund_svc settings from the environment (prefix REFUND_; the identity secret is shared)."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from refund_svc.domain.policy import RefundRules


class Settings(BaseSettings):
    # hide_input_in_errors: a bad secret must not be echoed into logs by a validation error.
    model_config = SettingsConfigDict(env_prefix="REFUND_", extra="ignore", hide_input_in_errors=True)

    port: int = Field(default=50052, ge=0, le=65535)  # 0: any free port (tests)
    host: str = "127.0.0.1"
    db_path: Path = Path("refund.db")
    shop_addr: str = "127.0.0.1:50053"
    shop_deadline_s: float = Field(default=2.0, gt=0)
    window_days: int = Field(default=30, ge=0)
    auto_approve_limit_minor: int = Field(default=5000, ge=0)
    lead_limit_minor: int = Field(default=50000, ge=0)
    # support_svc, where the outbox relay delivers refund events.
    support_addr: str = "127.0.0.1:50051"
    support_deadline_s: float = Field(default=2.0, gt=0)
    relay_backoff_max_s: float = Field(default=10.0, gt=0)
    # Woken by a commit, the relay waits this long before it reads the outbox, so that the events of
    # a refund that commit within a moment of each other go to support in one call (0: at once).
    relay_gather_ms: int = Field(default=50, ge=0, le=10_000)
    # The simulated payment gateway: it remembers its payouts in its own file (next to db_path
    # unless set), declines this share of payouts to the original payment method, and takes this long.
    gateway_db_path: Path | None = None
    gateway_failure_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    gateway_latency_ms: int = Field(default=50, ge=0)
    # Payouts: how many at once, how long a claim keeps others off (longer than any gateway call),
    # and the longest wait between tries when the gateway's answer is unknown.
    payout_concurrency: int = Field(default=8, ge=1, le=100)
    payout_lease_s: float = Field(default=60.0, gt=0)
    payout_backoff_max_s: float = Field(default=60.0, gt=0)
    # Idempotency keys are kept at least 24 hours (the API promises it), then deleted.
    idempotency_ttl_h: int = Field(default=48, ge=24)
    idempotency_cleanup_interval_s: float = Field(default=3600.0, gt=0)
    # Shared by every process; no default so that a missing secret fails at start-up.
    identity_secret: SecretStr = Field(
        validation_alias=AliasChoices("ACME_IDENTITY_SECRET"), min_length=32, repr=False
    )
    log_level: str = Field(default="INFO", validation_alias=AliasChoices("LOG_LEVEL", "REFUND_LOG_LEVEL"))
    # Stopping: health says NOT_SERVING for drain_s while calls are still taken (so that pollers such
    # as a load balancer move away first), then calls in flight get what is left of grace_s.
    grace_s: float = Field(default=10.0, ge=0)
    drain_s: float = Field(default=0.0, ge=0)
    # Prometheus metrics on their own loopback port; unset: not served.
    metrics_port: int | None = None
    # OpenTelemetry: traces go to this OTLP/gRPC endpoint; unset: tracing is off.
    otlp_endpoint: str | None = None

    def rules(self) -> RefundRules:
        return RefundRules(
            window_days=self.window_days,
            auto_approve_limit_minor=self.auto_approve_limit_minor,
            lead_limit_minor=self.lead_limit_minor,
        )

    def gateway_db_file(self) -> Path:
        return self.gateway_db_path or self.db_path.with_name(f"{self.db_path.stem}-gateway.db")
