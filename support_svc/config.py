"""support_svc's settings, from the environment (SUPPORT_*, plus ACME_IDENTITY_SECRET and LOG_LEVEL).

Built once in __main__ (or by a test) and passed down; nothing reads the environment at import.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from support_svc.domain.sla import SlaPolicy, SlaTargets
from support_svc.domain.values import CasePriority

PRIORITY_KEYS = tuple(p.value.lower() for p in CasePriority)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUPPORT_", populate_by_name=True, extra="ignore")

    port: int = Field(50051, ge=0, le=65535)
    host: str = "127.0.0.1"
    db_path: Path = Path("support.db")
    shop_addr: str = "127.0.0.1:50053"
    shop_timeout_s: float = Field(2.0, gt=0)
    metrics_port: int | None = None
    identity_secret: SecretStr = Field(
        validation_alias=AliasChoices("ACME_IDENTITY_SECRET", "identity_secret"), min_length=32
    )
    log_level: str = Field("INFO", validation_alias=AliasChoices("LOG_LEVEL", "log_level"))
    # OpenTelemetry: traces go to this OTLP/gRPC endpoint; unset: tracing is off.
    otlp_endpoint: str | None = None
    # SLA targets in hours per priority, e.g. SUPPORT_SLA_FIRST_RESPONSE_HOURS='{"urgent": 0.5}';
    # priorities left out keep their defaults (DESIGN.md §3).
    sla_first_response_hours: dict[str, float] = Field(default_factory=dict)
    sla_resolution_hours: dict[str, float] = Field(default_factory=dict)
    reopen_window_days: float = Field(14.0, gt=0)
    # Stopping: health says NOT_SERVING for drain_s while calls are still taken (so that pollers such
    # as a load balancer move away first), then calls in flight get what is left of grace_s.
    grace_s: float = Field(10.0, ge=0)
    drain_s: float = Field(0.0, ge=0)
    # When the last open refund of a case is paid back, resolve the case by rule (DESIGN.md §3).
    auto_resolve_on_refund: bool = True
    # WatchCase: changes queued per watcher before it counts as too slow and is dropped, and how
    # many watchers (WatchCase and WatchCases together) the process keeps at most.
    watch_queue_size: int = Field(64, ge=1, le=10_000)
    watch_max_subscribers: int = Field(10_000, ge=1)
    # WatchCases (every case's changes): changes queued per watcher before it is dropped.
    watch_all_queue_size: int = Field(1_024, ge=1, le=1_000_000)
    # GetCase answers kept until their case changes (application/case_pages.py); 0 keeps none.
    case_page_cache_size: int = Field(10_000, ge=0, le=1_000_000)

    @field_validator("sla_first_response_hours", "sla_resolution_hours")
    @classmethod
    def _known_priorities(cls, hours: dict[str, float]) -> dict[str, float]:
        unknown = set(hours) - set(PRIORITY_KEYS)
        if unknown:
            raise ValueError(f"unknown priorities {sorted(unknown)}; use {', '.join(PRIORITY_KEYS)}")
        if any(value <= 0 for value in hours.values()):
            raise ValueError("SLA hours must be positive")
        return hours

    def sla_policy(self) -> SlaPolicy:
        defaults = SlaPolicy.default()
        targets = {}
        for priority in CasePriority:
            default = defaults.for_priority(priority)
            key = priority.value.lower()
            first = self.sla_first_response_hours.get(key)
            resolution = self.sla_resolution_hours.get(key)
            targets[priority] = SlaTargets(
                timedelta(hours=first) if first else default.first_response,
                timedelta(hours=resolution) if resolution else default.resolution,
            )
        return SlaPolicy(targets)

    @property
    def reopen_window(self) -> timedelta:
        return timedelta(days=self.reopen_window_days)
