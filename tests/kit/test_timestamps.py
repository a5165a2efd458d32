from datetime import UTC, datetime, timedelta, timezone

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from kit.timestamps import epoch_ms, set_ms, to_datetime, to_timestamp


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 12, 5, 1, 2, 3, 456789, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),  # before the epoch: negative seconds
        datetime(2026, 3, 29, 2, 30, tzinfo=timezone(timedelta(hours=2))),  # another offset
        datetime(2026, 1, 1, 12, 0, 0, 1),  # naive: UTC
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ],
)
def test_it_agrees_with_from_datetime(moment: datetime) -> None:
    expected = Timestamp()
    expected.FromDatetime(moment)
    assert to_timestamp(moment) == expected


@pytest.mark.parametrize(
    ("seconds", "nanos"),
    [(1_764_900_000, 123_456_789), (0, 0), (-5, 999_999_999), (253_402_300_799, 999_999_999)],
)
def test_it_agrees_with_to_datetime(seconds: int, nanos: int) -> None:
    stamp = Timestamp(seconds=seconds, nanos=nanos)
    assert to_datetime(stamp) == stamp.ToDatetime(tzinfo=UTC)
    assert to_datetime(stamp).tzinfo is UTC


@pytest.mark.parametrize("ms", [1_764_900_000_123, 0, -1, -1_001, 253_402_300_799_999])
def test_milliseconds_go_to_the_timestamp_from_datetime_gives(ms: int) -> None:
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)
    expected = Timestamp()
    expected.FromDatetime(moment)
    stamp = Timestamp()
    set_ms(stamp, ms)
    assert stamp == expected
    assert epoch_ms(moment) == ms


def test_epoch_milliseconds_round_down_like_integer_division() -> None:
    assert epoch_ms(datetime(1970, 1, 1, 0, 0, 0, 999, tzinfo=UTC)) == 0
    assert epoch_ms(datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)) == -1
