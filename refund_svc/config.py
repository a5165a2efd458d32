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
    db_path: Path  # required: where refunds live must be a decision, not an accident
    shop_addr: str = "127.0.0.1:50053"
    shop_deadline_s: float = Field(default=2.0, gt=0)
    window_days: int = Field(default=30, ge=0)
    auto_approve_limit_minor: int = Field(default=5000, ge=0)
    lead_limit_minor: int = Field(default=50000, ge=0)
    # Shared by every process; no default so that a missing secret fails at start-up.
    identity_secret: SecretStr = Field(
        validation_alias=AliasChoices("ACME_IDENTITY_SECRET"), min_length=32, repr=False
    )
    log_level: str = Field(default="INFO", validation_alias=AliasChoices("LOG_LEVEL", "REFUND_LOG_LEVEL"))

    def rules(self) -> RefundRules:
        return RefundRules(
            window_days=self.window_days,
            auto_approve_limit_minor=self.auto_approve_limit_minor,
            lead_limit_minor=self.lead_limit_minor,
        )
