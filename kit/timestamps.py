"""datetime <-> google.protobuf.Timestamp, exactly and without Timestamp.FromDatetime's and
ToDatetime's Python-level calendar arithmetic (it was ~8% of a case read's CPU in support_svc, and
as much of a queue page's in the BFF: a page carries hundreds of times)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from google.protobuf.timestamp_pb2 import Timestamp

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_timestamp(moment: datetime) -> Timestamp:
    """The same Timestamp as FromDatetime: a naive datetime is taken as UTC."""
    delta = (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)) - _EPOCH
    return Timestamp(seconds=delta.days * 86_400 + delta.seconds, nanos=delta.microseconds * 1000)


def to_datetime(stamp: Timestamp) -> datetime:
    """The same datetime as stamp.ToDatetime(tzinfo=UTC) (microseconds; nanoseconds are dropped)."""
    return _EPOCH + timedelta(seconds=stamp.seconds, microseconds=stamp.nanos // 1000)
