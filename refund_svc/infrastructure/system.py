"""The real clock and id generator."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from refund_svc.application.ports import Clock, IdGenerator


class SystemClock(Clock):
    def now(self) -> datetime:
        return datetime.now(UTC)


class UuidGenerator(IdGenerator):
    def new_refund_id(self) -> str:
        return uuid.uuid4().hex
