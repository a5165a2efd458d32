import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CaseCategory(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CASE_CATEGORY_UNSPECIFIED: _ClassVar[CaseCategory]
    CASE_CATEGORY_DAMAGED_ITEM: _ClassVar[CaseCategory]
    CASE_CATEGORY_WRONG_ITEM: _ClassVar[CaseCategory]
    CASE_CATEGORY_MISSING_ITEM: _ClassVar[CaseCategory]
    CASE_CATEGORY_NOT_DELIVERED: _ClassVar[CaseCategory]
    CASE_CATEGORY_LATE_DELIVERY: _ClassVar[CaseCategory]
    CASE_CATEGORY_QUALITY: _ClassVar[CaseCategory]
    CASE_CATEGORY_BILLING: _ClassVar[CaseCategory]
    CASE_CATEGORY_REFUND_OR_RETURN: _ClassVar[CaseCategory]
    CASE_CATEGORY_OTHER: _ClassVar[CaseCategory]

class CasePriority(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CASE_PRIORITY_UNSPECIFIED: _ClassVar[CasePriority]
    CASE_PRIORITY_LOW: _ClassVar[CasePriority]
    CASE_PRIORITY_NORMAL: _ClassVar[CasePriority]
    CASE_PRIORITY_HIGH: _ClassVar[CasePriority]
    CASE_PRIORITY_URGENT: _ClassVar[CasePriority]

class CaseStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CASE_STATUS_UNSPECIFIED: _ClassVar[CaseStatus]
    CASE_STATUS_OPEN: _ClassVar[CaseStatus]
    CASE_STATUS_IN_PROGRESS: _ClassVar[CaseStatus]
    CASE_STATUS_WAITING_ON_CUSTOMER: _ClassVar[CaseStatus]
    CASE_STATUS_RESOLVED: _ClassVar[CaseStatus]
    CASE_STATUS_CLOSED: _ClassVar[CaseStatus]

class ActorRole(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACTOR_ROLE_UNSPECIFIED: _ClassVar[ActorRole]
    ACTOR_ROLE_CUSTOMER: _ClassVar[ActorRole]
    ACTOR_ROLE_AGENT: _ClassVar[ActorRole]
    ACTOR_ROLE_LEAD: _ClassVar[ActorRole]
    ACTOR_ROLE_SYSTEM: _ClassVar[ActorRole]

class CaseEventKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CASE_EVENT_KIND_UNSPECIFIED: _ClassVar[CaseEventKind]
    CASE_EVENT_KIND_OPENED: _ClassVar[CaseEventKind]
    CASE_EVENT_KIND_STATUS_CHANGED: _ClassVar[CaseEventKind]
    CASE_EVENT_KIND_ASSIGNED: _ClassVar[CaseEventKind]
    CASE_EVENT_KIND_PRIORITY_CHANGED: _ClassVar[CaseEventKind]
    CASE_EVENT_KIND_CATEGORY_CHANGED: _ClassVar[CaseEventKind]
    CASE_EVENT_KIND_MESSAGE_ADDED: _ClassVar[CaseEventKind]
    CASE_EVENT_KIND_NOTE_ADDED: _ClassVar[CaseEventKind]
    CASE_EVENT_KIND_REFUND_EVENT: _ClassVar[CaseEventKind]
    CASE_EVENT_KIND_FOLLOW_UP_OPENED: _ClassVar[CaseEventKind]
CASE_CATEGORY_UNSPECIFIED: CaseCategory
CASE_CATEGORY_DAMAGED_ITEM: CaseCategory
CASE_CATEGORY_WRONG_ITEM: CaseCategory
CASE_CATEGORY_MISSING_ITEM: CaseCategory
CASE_CATEGORY_NOT_DELIVERED: CaseCategory
CASE_CATEGORY_LATE_DELIVERY: CaseCategory
CASE_CATEGORY_QUALITY: CaseCategory
CASE_CATEGORY_BILLING: CaseCategory
CASE_CATEGORY_REFUND_OR_RETURN: CaseCategory
CASE_CATEGORY_OTHER: CaseCategory
CASE_PRIORITY_UNSPECIFIED: CasePriority
CASE_PRIORITY_LOW: CasePriority
CASE_PRIORITY_NORMAL: CasePriority
CASE_PRIORITY_HIGH: CasePriority
CASE_PRIORITY_URGENT: CasePriority
CASE_STATUS_UNSPECIFIED: CaseStatus
CASE_STATUS_OPEN: CaseStatus
CASE_STATUS_IN_PROGRESS: CaseStatus
CASE_STATUS_WAITING_ON_CUSTOMER: CaseStatus
CASE_STATUS_RESOLVED: CaseStatus
CASE_STATUS_CLOSED: CaseStatus
ACTOR_ROLE_UNSPECIFIED: ActorRole
ACTOR_ROLE_CUSTOMER: ActorRole
ACTOR_ROLE_AGENT: ActorRole
ACTOR_ROLE_LEAD: ActorRole
ACTOR_ROLE_SYSTEM: ActorRole
CASE_EVENT_KIND_UNSPECIFIED: CaseEventKind
CASE_EVENT_KIND_OPENED: CaseEventKind
CASE_EVENT_KIND_STATUS_CHANGED: CaseEventKind
CASE_EVENT_KIND_ASSIGNED: CaseEventKind
CASE_EVENT_KIND_PRIORITY_CHANGED: CaseEventKind
CASE_EVENT_KIND_CATEGORY_CHANGED: CaseEventKind
CASE_EVENT_KIND_MESSAGE_ADDED: CaseEventKind
CASE_EVENT_KIND_NOTE_ADDED: CaseEventKind
CASE_EVENT_KIND_REFUND_EVENT: CaseEventKind
CASE_EVENT_KIND_FOLLOW_UP_OPENED: CaseEventKind

class Case(_message.Message):
    __slots__ = ("name", "case_number", "customer_id", "order_id", "order_line_ids", "category", "subject", "description", "priority", "status", "assignee_id", "create_time", "update_time", "first_response_due_time", "resolution_due_time", "first_response_time", "sla_breached", "etag", "previous_case", "resolve_time", "open_refund_count", "previous_case_number")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CASE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_LINE_IDS_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ASSIGNEE_ID_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    FIRST_RESPONSE_DUE_TIME_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_DUE_TIME_FIELD_NUMBER: _ClassVar[int]
    FIRST_RESPONSE_TIME_FIELD_NUMBER: _ClassVar[int]
    SLA_BREACHED_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_CASE_FIELD_NUMBER: _ClassVar[int]
    RESOLVE_TIME_FIELD_NUMBER: _ClassVar[int]
    OPEN_REFUND_COUNT_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_CASE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    name: str
    case_number: str
    customer_id: str
    order_id: str
    order_line_ids: _containers.RepeatedScalarFieldContainer[str]
    category: CaseCategory
    subject: str
    description: str
    priority: CasePriority
    status: CaseStatus
    assignee_id: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    first_response_due_time: _timestamp_pb2.Timestamp
    resolution_due_time: _timestamp_pb2.Timestamp
    first_response_time: _timestamp_pb2.Timestamp
    sla_breached: bool
    etag: str
    previous_case: str
    resolve_time: _timestamp_pb2.Timestamp
    open_refund_count: int
    previous_case_number: str
    def __init__(self, name: _Optional[str] = ..., case_number: _Optional[str] = ..., customer_id: _Optional[str] = ..., order_id: _Optional[str] = ..., order_line_ids: _Optional[_Iterable[str]] = ..., category: _Optional[_Union[CaseCategory, str]] = ..., subject: _Optional[str] = ..., description: _Optional[str] = ..., priority: _Optional[_Union[CasePriority, str]] = ..., status: _Optional[_Union[CaseStatus, str]] = ..., assignee_id: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., first_response_due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., resolution_due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., first_response_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sla_breached: _Optional[bool] = ..., etag: _Optional[str] = ..., previous_case: _Optional[str] = ..., resolve_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., open_refund_count: _Optional[int] = ..., previous_case_number: _Optional[str] = ...) -> None: ...

class CaseMessage(_message.Message):
    __slots__ = ("name", "author_id", "author_role", "body", "internal", "create_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ROLE_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    INTERNAL_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    author_id: str
    author_role: ActorRole
    body: str
    internal: bool
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., author_id: _Optional[str] = ..., author_role: _Optional[_Union[ActorRole, str]] = ..., body: _Optional[str] = ..., internal: _Optional[bool] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CaseEvent(_message.Message):
    __slots__ = ("name", "kind", "actor_id", "actor_role", "summary", "details", "create_time", "internal")
    class DetailsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ROLE_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    INTERNAL_FIELD_NUMBER: _ClassVar[int]
    name: str
    kind: CaseEventKind
    actor_id: str
    actor_role: ActorRole
    summary: str
    details: _containers.ScalarMap[str, str]
    create_time: _timestamp_pb2.Timestamp
    internal: bool
    def __init__(self, name: _Optional[str] = ..., kind: _Optional[_Union[CaseEventKind, str]] = ..., actor_id: _Optional[str] = ..., actor_role: _Optional[_Union[ActorRole, str]] = ..., summary: _Optional[str] = ..., details: _Optional[_Mapping[str, str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., internal: _Optional[bool] = ...) -> None: ...
