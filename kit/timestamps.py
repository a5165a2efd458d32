"""datetime <-> google.protobuf.Timestamp, exactly and without Timestamp.FromDatetime's and
ToDatetime's Python-level calendar arithmetic (it was ~8% of a case read's CPU in support_svc, and
as much of a queue page's in the BFF: a page carries hundreds of times)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from google.protobuf.timestamp_pb2 import Timestamp

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def set_datetime(stamp: Timestamp, moment: datetime) -> None:
    """Sets a Timestamp (a message's own field, in place: see set_ms) as FromDatetime would: a naive
    datetime is taken as UTC."""
    delta = (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)) - _EPOCH
    stamp.seconds = delta.days * 86_400 + delta.seconds
    stamp.nanos = delta.microseconds * 1000


def to_timestamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    set_datetime(stamp, moment)
    return stamp


_ONE_MS = timedelta(milliseconds=1)


def epoch_ms(moment: datetime) -> int:
    """Milliseconds since the epoch, by integer arithmetic (a float timestamp can land 1 ms short)."""
    return (moment - _EPOCH) // _ONE_MS


def set_ms(stamp: Timestamp, ms: int) -> None:
    """Sets a Timestamp (a message's own field, in place) to an epoch-milliseconds value, with no
    datetime in between. In place, because passing a Timestamp to a message's constructor copies it:
    half of a list page's mapping time went to that."""
    stamp.seconds, millis = divmod(ms, 1000)
    stamp.nanos = millis * 1_000_000


def to_datetime(stamp: Timestamp) -> datetime:
    """The same datetime as stamp.ToDatetime(tzinfo=UTC) (microseconds; nanoseconds are dropped)."""
    return _EPOCH + timedelta(seconds=stamp.seconds, microseconds=stamp.nanos // 1000)
