import datetime

from acme.refund.v1 import refund_pb2 as _refund_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateRefundRequest(_message.Message):
    __slots__ = ("refund", "request_id")
    REFUND_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    refund: _refund_pb2.Refund
    request_id: str
    def __init__(self, refund: _Optional[_Union[_refund_pb2.Refund, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateRefundResponse(_message.Message):
    __slots__ = ("refund",)
    REFUND_FIELD_NUMBER: _ClassVar[int]
    refund: _refund_pb2.Refund
    def __init__(self, refund: _Optional[_Union[_refund_pb2.Refund, _Mapping]] = ...) -> None: ...

class GetRefundRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetRefundResponse(_message.Message):
    __slots__ = ("refund",)
    REFUND_FIELD_NUMBER: _ClassVar[int]
    refund: _refund_pb2.Refund
    def __init__(self, refund: _Optional[_Union[_refund_pb2.Refund, _Mapping]] = ...) -> None: ...

class ListRefundsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "case", "order_id", "statuses")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CASE_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    case: str
    order_id: str
    statuses: _containers.RepeatedScalarFieldContainer[_refund_pb2.RefundStatus]
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., case: _Optional[str] = ..., order_id: _Optional[str] = ..., statuses: _Optional[_Iterable[_Union[_refund_pb2.RefundStatus, str]]] = ...) -> None: ...

class ListRefundsResponse(_message.Message):
    __slots__ = ("refunds", "next_page_token")
    REFUNDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    refunds: _containers.RepeatedCompositeFieldContainer[_refund_pb2.Refund]
    next_page_token: str
    def __init__(self, refunds: _Optional[_Iterable[_Union[_refund_pb2.Refund, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class QuoteRefundRequest(_message.Message):
    __slots__ = ("order_id",)
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    def __init__(self, order_id: _Optional[str] = ...) -> None: ...

class QuoteRefundResponse(_message.Message):
    __slots__ = ("lines", "currency_code", "refund_window_end_time", "refund_window_open")
    LINES_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    REFUND_WINDOW_END_TIME_FIELD_NUMBER: _ClassVar[int]
    REFUND_WINDOW_OPEN_FIELD_NUMBER: _ClassVar[int]
    lines: _containers.RepeatedCompositeFieldContainer[_refund_pb2.RefundableLine]
    currency_code: str
    refund_window_end_time: _timestamp_pb2.Timestamp
    refund_window_open: bool
    def __init__(self, lines: _Optional[_Iterable[_Union[_refund_pb2.RefundableLine, _Mapping]]] = ..., currency_code: _Optional[str] = ..., refund_window_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., refund_window_open: _Optional[bool] = ...) -> None: ...

class ApproveRefundRequest(_message.Message):
    __slots__ = ("name", "etag", "comment")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    comment: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ..., comment: _Optional[str] = ...) -> None: ...

class ApproveRefundResponse(_message.Message):
    __slots__ = ("refund",)
    REFUND_FIELD_NUMBER: _ClassVar[int]
    refund: _refund_pb2.Refund
    def __init__(self, refund: _Optional[_Union[_refund_pb2.Refund, _Mapping]] = ...) -> None: ...

class RejectRefundRequest(_message.Message):
    __slots__ = ("name", "etag", "reason")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    reason: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RejectRefundResponse(_message.Message):
    __slots__ = ("refund",)
    REFUND_FIELD_NUMBER: _ClassVar[int]
    refund: _refund_pb2.Refund
    def __init__(self, refund: _Optional[_Union[_refund_pb2.Refund, _Mapping]] = ...) -> None: ...

class CancelRefundRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class CancelRefundResponse(_message.Message):
    __slots__ = ("refund",)
    REFUND_FIELD_NUMBER: _ClassVar[int]
    refund: _refund_pb2.Refund
    def __init__(self, refund: _Optional[_Union[_refund_pb2.Refund, _Mapping]] = ...) -> None: ...

class RetryRefundRequest(_message.Message):
    __slots__ = ("name", "etag", "method")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    method: _refund_pb2.RefundMethod
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ..., method: _Optional[_Union[_refund_pb2.RefundMethod, str]] = ...) -> None: ...

class RetryRefundResponse(_message.Message):
    __slots__ = ("refund",)
    REFUND_FIELD_NUMBER: _ClassVar[int]
    refund: _refund_pb2.Refund
    def __init__(self, refund: _Optional[_Union[_refund_pb2.Refund, _Mapping]] = ...) -> None: ...

class GetRefundStatisticsRequest(_message.Message):
    __slots__ = ("period_start_time", "period_end_time")
    PERIOD_START_TIME_FIELD_NUMBER: _ClassVar[int]
    PERIOD_END_TIME_FIELD_NUMBER: _ClassVar[int]
    period_start_time: _timestamp_pb2.Timestamp
    period_end_time: _timestamp_pb2.Timestamp
    def __init__(self, period_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., period_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetRefundStatisticsResponse(_message.Message):
    __slots__ = ("pending_count", "pending_amounts", "refunded_count", "refunded_amounts", "period_start_time", "period_end_time", "compute_time")
    PENDING_COUNT_FIELD_NUMBER: _ClassVar[int]
    PENDING_AMOUNTS_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_COUNT_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_AMOUNTS_FIELD_NUMBER: _ClassVar[int]
    PERIOD_START_TIME_FIELD_NUMBER: _ClassVar[int]
    PERIOD_END_TIME_FIELD_NUMBER: _ClassVar[int]
    COMPUTE_TIME_FIELD_NUMBER: _ClassVar[int]
    pending_count: int
    pending_amounts: _containers.RepeatedCompositeFieldContainer[_refund_pb2.Money]
    refunded_count: int
    refunded_amounts: _containers.RepeatedCompositeFieldContainer[_refund_pb2.Money]
    period_start_time: _timestamp_pb2.Timestamp
    period_end_time: _timestamp_pb2.Timestamp
    compute_time: _timestamp_pb2.Timestamp
    def __init__(self, pending_count: _Optional[int] = ..., pending_amounts: _Optional[_Iterable[_Union[_refund_pb2.Money, _Mapping]]] = ..., refunded_count: _Optional[int] = ..., refunded_amounts: _Optional[_Iterable[_Union[_refund_pb2.Money, _Mapping]]] = ..., period_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., period_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., compute_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
