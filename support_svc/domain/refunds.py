"""Refunds as the support case sees them: events told by refund_svc, and which refunds are open.

refund_svc owns refunds; a case only learns what happens to them (at least once, possibly out of
order) and keeps, per refund, a RefundTrack: whether it is open and which event it was last set by.

The ordering rule (which event decides whether a refund is open):

1. A refund that reached a final kind (REFUNDED, REJECTED, CANCELLED) stays finished: nothing that
   arrives later changes it, whatever its time. refund_svc's workflow never leaves those states,
   so a late REQUESTED or APPROVED can never reopen a refund that was paid or rejected.
2. A final event always wins over a refund that is not finished, whatever the times say.
3. Otherwise the latest event wins: by `sequence` (the position in the refund's history) when both
   events carry one, else by `occurred_at`, ties broken by how far along the workflow the kind is
   (REQUESTED < APPROVED < PROCESSING < FAILED). An older event still gets its timeline entry; it
   just does not set the flag.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from support_svc.domain.values import Actor, Role

# The id of the system as an actor: policy decisions, payouts, rules.
SYSTEM_ACTOR_ID = "system"
# A note is accepted up to NOTE_MAX_CHARS (refusing an event for a long note would lose the event
# for good), kept up to _KEPT_NOTE_MAX_CHARS in the entry's details, up to 300 in its summary.
NOTE_MAX_CHARS = 10_000
_KEPT_NOTE_MAX_CHARS = 2_000
_SUMMARY_NOTE_MAX_CHARS = 300


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class RefundEventKind(StrEnum):
    REQUESTED = "REQUESTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"
    PROCESSING = "PROCESSING"
    REFUNDED = "REFUNDED"
    FAILED = "FAILED"

    @property
    def is_final(self) -> bool:
        return self in FINAL_KINDS


FINAL_KINDS = frozenset({RefundEventKind.REFUNDED, RefundEventKind.REJECTED, RefundEventKind.CANCELLED})
# How far along the workflow a kind is: the tie-break between events of the same instant.
_PROGRESS = {
    RefundEventKind.REQUESTED: 1,
    RefundEventKind.APPROVED: 2,
    RefundEventKind.PROCESSING: 3,
    RefundEventKind.FAILED: 4,
    RefundEventKind.REFUNDED: 5,
    RefundEventKind.REJECTED: 5,
    RefundEventKind.CANCELLED: 5,
}

# Currencies whose minor unit is not a hundredth (ISO 4217 exponents); all others have two decimals.
_ZERO_DECIMALS = frozenset(
    {
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "ISK",
        "JPY",
        "KMF",
        "KRW",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    }
)
_THREE_DECIMALS = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}


def format_money(amount_minor: int, currency_code: str) -> str:
    """An amount as people read it: "€35.08", "$1,200.00", "12.50 CHF"; never through a float."""
    decimals = 0 if currency_code in _ZERO_DECIMALS else 3 if currency_code in _THREE_DECIMALS else 2
    sign = "-" if amount_minor < 0 else ""
    whole, fraction = divmod(abs(amount_minor), 10**decimals)
    number = f"{whole:,}" + (f".{fraction:0{decimals}d}" if decimals else "")
    symbol = _SYMBOLS.get(currency_code)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {currency_code}"


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundEvent:
    """What happened to one refund, as refund_svc tells it."""

    event_id: str
    refund_id: str
    refund_number: str  # for people: "R-2291"; may be empty
    kind: RefundEventKind
    amount_minor: int
    currency_code: str
    actor_id: str  # a customer or staff id, or "system"
    actor_role: Role | None  # None: not told, inferred from the id
    note: str
    occurred_at: datetime
    refund_open: bool  # pending, approved or processing after this event
    sequence: int = 0  # position in the refund's history (1, 2, ...); 0 when not told

    @property
    def label(self) -> str:
        return self.refund_number or f"refund {self.refund_id}"

    def actor_on(self, customer_id: str) -> Actor:
        """Who caused it, with the role the sender gave, or the one the id implies."""
        actor_id = self.actor_id or SYSTEM_ACTOR_ID
        if self.actor_role is not None:
            return Actor(actor_id, self.actor_role)
        if actor_id == SYSTEM_ACTOR_ID:
            return Actor(actor_id, Role.SYSTEM)
        return Actor(actor_id, Role.CUSTOMER if actor_id == customer_id else Role.AGENT)

    def summary(self) -> str:
        """One plain sentence for the timeline, e.g. "Refund R-2001 of €35.08 was paid back"."""
        what = f"Refund {self.refund_number}" if self.refund_number else "A refund"
        what += f" of {format_money(self.amount_minor, self.currency_code)}"
        match self.kind:
            case RefundEventKind.REQUESTED:
                return f"{what} was requested"
            case RefundEventKind.APPROVED:
                return f"{what} was approved"
            case RefundEventKind.REJECTED:
                reason = _shorten(" ".join(self.note.split()), _SUMMARY_NOTE_MAX_CHARS)
                return f"{what} was rejected: {reason}" if reason else f"{what} was rejected"
            case RefundEventKind.CANCELLED:
                return f"{what} was cancelled"
            case RefundEventKind.PROCESSING:
                return f"{what} is being paid back"
            case RefundEventKind.REFUNDED:
                return f"{what} was paid back"
            case RefundEventKind.FAILED:
                # The payout's failure note is technical (the gateway's words): it stays in refund_svc.
                return f"{what} could not be paid back yet"

    def details(self) -> dict[str, str]:
        details = {
            "refund": f"refunds/{self.refund_id}",
            "refund_number": self.refund_number,
            "refund_event": self.kind.value,
            "amount_minor": str(self.amount_minor),
            "currency_code": self.currency_code,
            "refund_open": "true" if self.refund_open and not self.kind.is_final else "false",
            "occur_time": self.occurred_at.isoformat(),
        }
        if self.note and self.kind in (RefundEventKind.REJECTED, RefundEventKind.CANCELLED):
            details["note"] = _shorten(self.note, _KEPT_NOTE_MAX_CHARS)
        return details


@dataclass(frozen=True, slots=True)
class OpenRefund:
    """A refund of the case that is still pending, approved or processing."""

    refund_id: str
    refund_number: str = ""

    @property
    def name(self) -> str:
        return f"refunds/{self.refund_id}"

    @property
    def label(self) -> str:
        return f"Refund {self.refund_number}" if self.refund_number else "A refund"


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundTrack:
    """One refund of a case: open or not, and the event that last set it (see the module's rule)."""

    refund_id: str
    refund_number: str
    open: bool
    finished: bool  # reached a final kind: never changes again
    last_kind: RefundEventKind
    last_occurred_at: datetime
    last_sequence: int = 0

    @classmethod
    def from_event(cls, event: RefundEvent) -> RefundTrack:
        return cls(
            refund_id=event.refund_id,
            refund_number=event.refund_number,
            open=event.refund_open and not event.kind.is_final,
            finished=event.kind.is_final,
            last_kind=event.kind,
            last_occurred_at=event.occurred_at,
            last_sequence=event.sequence,
        )

    def is_superseded_by(self, event: RefundEvent) -> bool:
        """Whether `event` is newer than the one this track was last set by."""
        if self.finished:
            return False
        if event.kind.is_final:
            return True
        if event.sequence > 0 and self.last_sequence > 0:
            return event.sequence > self.last_sequence
        return (event.occurred_at, _PROGRESS[event.kind]) > (self.last_occurred_at, _PROGRESS[self.last_kind])

    def after(self, event: RefundEvent) -> RefundTrack:
        """This track once `event` is taken into account (itself when the event is older)."""
        return RefundTrack.from_event(event) if self.is_superseded_by(event) else self


def track_after(track: RefundTrack | None, event: RefundEvent) -> RefundTrack:
    return RefundTrack.from_event(event) if track is None else track.after(event)
