"""Settings from the environment: defaults that run on a laptop, fail fast on the secret."""

from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from support_svc.config import Settings
from support_svc.domain.values import CasePriority

SECRET = "x" * 32


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_IDENTITY_SECRET", SECRET)
    settings = Settings()  # type: ignore[call-arg]
    assert (settings.port, settings.host, settings.shop_addr) == (50051, "127.0.0.1", "127.0.0.1:50053")
    assert settings.db_path == Path("support.db")
    assert settings.reopen_window == timedelta(days=14)
    assert settings.sla_policy().for_priority(CasePriority.URGENT).first_response == timedelta(hours=1)
    assert settings.identity_secret.get_secret_value() == SECRET
    assert SECRET not in repr(settings)
    assert settings.auto_resolve_on_refund is True
    assert (settings.watch_queue_size, settings.watch_max_subscribers) == (64, 10_000)
    assert settings.watch_all_queue_size == 1_024


def test_the_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_IDENTITY_SECRET", SECRET)
    monkeypatch.setenv("SUPPORT_PORT", "6000")
    monkeypatch.setenv("SUPPORT_DB_PATH", "/tmp/x.db")
    monkeypatch.setenv("SUPPORT_SHOP_ADDR", "shop:1")
    monkeypatch.setenv("SUPPORT_REOPEN_WINDOW_DAYS", "7")
    monkeypatch.setenv("SUPPORT_SLA_FIRST_RESPONSE_HOURS", '{"urgent": 0.5}')
    monkeypatch.setenv("SUPPORT_SLA_RESOLUTION_HOURS", '{"low": 200}')
    monkeypatch.setenv("SUPPORT_REFUND_ADDR", "ignored:1")  # the launcher sets it; not used yet
    monkeypatch.setenv("SUPPORT_AUTO_RESOLVE_ON_REFUND", "false")
    monkeypatch.setenv("SUPPORT_WATCH_QUEUE_SIZE", "8")
    monkeypatch.setenv("SUPPORT_WATCH_MAX_SUBSCRIBERS", "500")
    monkeypatch.setenv("SUPPORT_WATCH_ALL_QUEUE_SIZE", "4096")
    settings = Settings()  # type: ignore[call-arg]
    policy = settings.sla_policy()
    assert settings.auto_resolve_on_refund is False
    assert (settings.watch_queue_size, settings.watch_max_subscribers) == (8, 500)
    assert settings.watch_all_queue_size == 4096
    assert (settings.port, settings.db_path, settings.shop_addr) == (6000, Path("/tmp/x.db"), "shop:1")
    assert settings.reopen_window == timedelta(days=7)
    assert policy.for_priority(CasePriority.URGENT).first_response == timedelta(minutes=30)
    assert policy.for_priority(CasePriority.URGENT).resolution == timedelta(hours=8)
    assert policy.for_priority(CasePriority.LOW).resolution == timedelta(hours=200)


def test_the_identity_secret_is_required_and_long(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACME_IDENTITY_SECRET", raising=False)
    with pytest.raises(ValidationError, match="ACME_IDENTITY_SECRET"):
        Settings()  # type: ignore[call-arg]
    monkeypatch.setenv("ACME_IDENTITY_SECRET", "short")
    with pytest.raises(ValidationError, match="at least 32"):
        Settings()  # type: ignore[call-arg]


def test_sla_overrides_must_name_priorities_and_be_positive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_IDENTITY_SECRET", SECRET)
    monkeypatch.setenv("SUPPORT_SLA_FIRST_RESPONSE_HOURS", '{"critical": 1}')
    with pytest.raises(ValidationError, match="unknown priorities"):
        Settings()  # type: ignore[call-arg]
    monkeypatch.setenv("SUPPORT_SLA_FIRST_RESPONSE_HOURS", '{"low": 0}')
    with pytest.raises(ValidationError, match="positive"):
        Settings()  # type: ignore[call-arg]
