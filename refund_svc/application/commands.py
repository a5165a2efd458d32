"""What callers ask of the use cases, and what the read use cases return."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from refund_svc.domain.money import Money
from refund_svc.domain.order import Order
from refund_svc.domain.refund import Refund, RefundMethod, RefundReason, RefundStatus, RequestedLine
from refund_svc.domain.refundable import RefundableLine


@dataclass(frozen=True, slots=True)
class CreateRefundCommand:
    request_id: str
    case_name: str
    order_id: str
    lines: tuple[RequestedLine, ...]
    reason: RefundReason
    method: RefundMethod
    note: str = ""

    def fingerprint(self) -> str:
        """The request's content, to tell a retry (same content) from a reused key (other content)."""
        content = {
            "case": self.case_name,
            "order": self.order_id,
            # The order of lines in a request does not change what is asked for.
            "lines": sorted([line.order_line_id, line.quantity] for line in self.lines),
            "reason": self.reason.value,
            "method": self.method.value,
            "note": self.note.strip(),
        }
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ListRefundsQuery:
    page_size: int  # already within 1..100 (presentation applies AIP-158)
    page_token: str = ""
    case_name: str | None = None
    order_id: str | None = None
    statuses: frozenset[RefundStatus] = frozenset()


@dataclass(frozen=True, slots=True)
class RefundPage:
    refunds: tuple[Refund, ...]
    next_page_token: str


@dataclass(frozen=True, slots=True)
class RefundQuote:
    order: Order
    lines: tuple[RefundableLine, ...]
    window_end: datetime | None  # None while the order is not delivered
    window_open: bool


@dataclass(frozen=True, slots=True)
class StatisticsPeriod:
    start: datetime  # inclusive
    end: datetime  # exclusive, after start


@dataclass(frozen=True, slots=True)
class RefundStatistics:
    """The leads' dashboard numbers. Amounts: one per currency, ordered by currency code."""

    period: StatisticsPeriod
    pending_count: int  # waiting for approval now, whenever asked for
    pending: tuple[Money, ...]
    refunded_count: int  # paid back during the period
    refunded: tuple[Money, ...]
    computed_at: datetime


# --- decisions on an existing refund ------------------------------------------------------------
# `expected_version` comes from the etag the caller read; None means "whatever it is now".


@dataclass(frozen=True, slots=True)
class ApproveRefundCommand:
    refund_id: str
    expected_version: int | None = None
    comment: str = ""


@dataclass(frozen=True, slots=True)
class RejectRefundCommand:
    refund_id: str
    reason: str
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class CancelRefundCommand:
    refund_id: str
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class RetryRefundCommand:
    refund_id: str
    expected_version: int | None = None
    method: RefundMethod | None = None  # None keeps the refund's method
