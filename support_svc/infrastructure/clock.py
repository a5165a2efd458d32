"""The system clock, at millisecond precision (what the database stores)."""

from __future__ import annotations

from datetime import UTC, datetime

from support_svc.application.ports import Clock


class SystemClock(Clock):
    def now(self) -> datetime:
        moment = datetime.now(UTC)
        # Truncated to what is stored, so a case reads back exactly as it was written.
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
