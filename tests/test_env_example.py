""".env.example lists every setting of every process (the README sends operators there)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import AliasChoices
from pydantic_settings import BaseSettings

from bff.config import Settings as BffSettings
from refund_svc.config import Settings as RefundSettings
from shop_stub.config import Settings as ShopSettings
from support_svc.config import Settings as SupportSettings

# NAME=value, or "# NAME=example" for a setting that is off (or derived) unless set.
LISTED = set(
    re.findall(
        r"^(?:# )?([A-Z][A-Z0-9_]*)=",
        (Path(__file__).resolve().parents[1] / ".env.example").read_text(),
        flags=re.MULTILINE,
    )
)


def env_names(settings: type[BaseSettings]) -> dict[str, set[str]]:
    """Per field, the environment variables that set it (its aliases, or the prefixed name)."""
    prefix = str(settings.model_config.get("env_prefix", ""))
    names: dict[str, set[str]] = {}
    for field_name, field in settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names[field_name] = {str(choice).upper() for choice in alias.choices}
        elif isinstance(alias, str):
            names[field_name] = {alias.upper()}
        else:
            names[field_name] = {(prefix + field_name).upper()}
    return names


@pytest.mark.parametrize("settings", [BffSettings, SupportSettings, RefundSettings, ShopSettings])
def test_every_setting_is_in_the_example_environment(settings: type[BaseSettings]) -> None:
    missing = sorted(field for field, names in env_names(settings).items() if not names & LISTED)
    assert not missing, f"{settings.__module__}: not in .env.example: {missing}"
