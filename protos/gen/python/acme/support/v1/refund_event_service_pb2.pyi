import datetime

from acme.support.v1 import case_pb2 as _case_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RefundEventKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFUND_EVENT_KIND_UNSPECIFIED: _ClassVar[RefundEventKind]
    REFUND_EVENT_KIND_REQUESTED: _ClassVar[RefundEventKind]
    REFUND_EVENT_KIND_APPROVED: _ClassVar[RefundEventKind]
    REFUND_EVENT_KIND_REJECTED: _ClassVar[RefundEventKind]
    REFUND_EVENT_KIND_CANCELLED: _ClassVar[RefundEventKind]
    REFUND_EVENT_KIND_PROCESSING: _ClassVar[RefundEventKind]
    REFUND_EVENT_KIND_REFUNDED: _ClassVar[RefundEventKind]
    REFUND_EVENT_KIND_FAILED: _ClassVar[RefundEventKind]
REFUND_EVENT_KIND_UNSPECIFIED: RefundEventKind
REFUND_EVENT_KIND_REQUESTED: RefundEventKind
REFUND_EVENT_KIND_APPROVED: RefundEventKind
REFUND_EVENT_KIND_REJECTED: RefundEventKind
REFUND_EVENT_KIND_CANCELLED: RefundEventKind
REFUND_EVENT_KIND_PROCESSING: RefundEventKind
REFUND_EVENT_KIND_REFUNDED: RefundEventKind
REFUND_EVENT_KIND_FAILED: RefundEventKind

class RecordRefundEventRequest(_message.Message):
    __slots__ = ("parent", "event_id", "refund", "refund_number", "kind", "amount_minor", "currency_code", "actor_id", "note", "occur_time", "refund_open", "sequence", "actor_role")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    REFUND_FIELD_NUMBER: _ClassVar[int]
    REFUND_NUMBER_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    REFUND_OPEN_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ROLE_FIELD_NUMBER: _ClassVar[int]
    parent: str
    event_id: str
    refund: str
    refund_number: str
    kind: RefundEventKind
    amount_minor: int
    currency_code: str
    actor_id: str
    note: str
    occur_time: _timestamp_pb2.Timestamp
    refund_open: bool
    sequence: int
    actor_role: _case_pb2.ActorRole
    def __init__(self, parent: _Optional[str] = ..., event_id: _Optional[str] = ..., refund: _Optional[str] = ..., refund_number: _Optional[str] = ..., kind: _Optional[_Union[RefundEventKind, str]] = ..., amount_minor: _Optional[int] = ..., currency_code: _Optional[str] = ..., actor_id: _Optional[str] = ..., note: _Optional[str] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., refund_open: _Optional[bool] = ..., sequence: _Optional[int] = ..., actor_role: _Optional[_Union[_case_pb2.ActorRole, str]] = ...) -> None: ...

class RecordRefundEventResponse(_message.Message):
    __slots__ = ("applied",)
    APPLIED_FIELD_NUMBER: _ClassVar[int]
    applied: bool
    def __init__(self, applied: _Optional[bool] = ...) -> None: ...

class BatchRecordRefundEventsRequest(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[RecordRefundEventRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[RecordRefundEventRequest, _Mapping]]] = ...) -> None: ...

class BatchRecordRefundEventsResponse(_message.Message):
    __slots__ = ("responses",)
    RESPONSES_FIELD_NUMBER: _ClassVar[int]
    responses: _containers.RepeatedCompositeFieldContainer[RecordRefundEventResponse]
    def __init__(self, responses: _Optional[_Iterable[_Union[RecordRefundEventResponse, _Mapping]]] = ...) -> None: ...
