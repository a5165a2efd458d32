"""The stand-in shop's settings, from the environment (prefix SHOP_)."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHOP_", extra="ignore")

    port: int = Field(default=50053, ge=0, le=65535)  # 0: any free port (tests)
    host: str = "127.0.0.1"
    # Generated customers cus_100000, cus_100001, ... with a few orders each, for benchmarks.
    customers: int = Field(default=0, ge=0)
    log_level: str = Field(default="INFO", validation_alias=AliasChoices("LOG_LEVEL", "SHOP_LOG_LEVEL"))
    # Prometheus metrics on their own loopback port; unset: not served.
    metrics_port: int | None = None
    # OpenTelemetry: traces go to this OTLP/gRPC endpoint; unset: tracing is off.
    otlp_endpoint: str | None = None
