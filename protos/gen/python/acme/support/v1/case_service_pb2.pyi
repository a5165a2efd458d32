import datetime

from acme.support.v1 import case_pb2 as _case_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CaseView(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CASE_VIEW_UNSPECIFIED: _ClassVar[CaseView]
    CASE_VIEW_BASIC: _ClassVar[CaseView]
    CASE_VIEW_FULL: _ClassVar[CaseView]

class AssigneeFilter(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ASSIGNEE_FILTER_UNSPECIFIED: _ClassVar[AssigneeFilter]
    ASSIGNEE_FILTER_MINE: _ClassVar[AssigneeFilter]
    ASSIGNEE_FILTER_UNASSIGNED: _ClassVar[AssigneeFilter]
    ASSIGNEE_FILTER_SOMEONE: _ClassVar[AssigneeFilter]

class CaseOrder(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CASE_ORDER_UNSPECIFIED: _ClassVar[CaseOrder]
    CASE_ORDER_NEWEST: _ClassVar[CaseOrder]
    CASE_ORDER_OLDEST: _ClassVar[CaseOrder]
    CASE_ORDER_DUE: _ClassVar[CaseOrder]
CASE_VIEW_UNSPECIFIED: CaseView
CASE_VIEW_BASIC: CaseView
CASE_VIEW_FULL: CaseView
ASSIGNEE_FILTER_UNSPECIFIED: AssigneeFilter
ASSIGNEE_FILTER_MINE: AssigneeFilter
ASSIGNEE_FILTER_UNASSIGNED: AssigneeFilter
ASSIGNEE_FILTER_SOMEONE: AssigneeFilter
CASE_ORDER_UNSPECIFIED: CaseOrder
CASE_ORDER_NEWEST: CaseOrder
CASE_ORDER_OLDEST: CaseOrder
CASE_ORDER_DUE: CaseOrder

class CreateCaseRequest(_message.Message):
    __slots__ = ("case", "request_id")
    CASE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.Case
    request_id: str
    def __init__(self, case: _Optional[_Union[_case_pb2.Case, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.Case
    def __init__(self, case: _Optional[_Union[_case_pb2.Case, _Mapping]] = ...) -> None: ...

class GetCaseRequest(_message.Message):
    __slots__ = ("name", "view")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    name: str
    view: CaseView
    def __init__(self, name: _Optional[str] = ..., view: _Optional[_Union[CaseView, str]] = ...) -> None: ...

class GetCaseResponse(_message.Message):
    __slots__ = ("case", "messages", "events")
    CASE_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.Case
    messages: _containers.RepeatedCompositeFieldContainer[_case_pb2.CaseMessage]
    events: _containers.RepeatedCompositeFieldContainer[_case_pb2.CaseEvent]
    def __init__(self, case: _Optional[_Union[_case_pb2.Case, _Mapping]] = ..., messages: _Optional[_Iterable[_Union[_case_pb2.CaseMessage, _Mapping]]] = ..., events: _Optional[_Iterable[_Union[_case_pb2.CaseEvent, _Mapping]]] = ...) -> None: ...

class BatchGetCasesRequest(_message.Message):
    __slots__ = ("names",)
    NAMES_FIELD_NUMBER: _ClassVar[int]
    names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, names: _Optional[_Iterable[str]] = ...) -> None: ...

class BatchGetCasesResponse(_message.Message):
    __slots__ = ("cases",)
    CASES_FIELD_NUMBER: _ClassVar[int]
    cases: _containers.RepeatedCompositeFieldContainer[_case_pb2.Case]
    def __init__(self, cases: _Optional[_Iterable[_Union[_case_pb2.Case, _Mapping]]] = ...) -> None: ...

class ListCasesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "statuses", "priorities", "categories", "assignee_filter", "assignee_id", "breached_only", "query", "order_by", "customer_id", "order_id")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    PRIORITIES_FIELD_NUMBER: _ClassVar[int]
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    ASSIGNEE_FILTER_FIELD_NUMBER: _ClassVar[int]
    ASSIGNEE_ID_FIELD_NUMBER: _ClassVar[int]
    BREACHED_ONLY_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    statuses: _containers.RepeatedScalarFieldContainer[_case_pb2.CaseStatus]
    priorities: _containers.RepeatedScalarFieldContainer[_case_pb2.CasePriority]
    categories: _containers.RepeatedScalarFieldContainer[_case_pb2.CaseCategory]
    assignee_filter: AssigneeFilter
    assignee_id: str
    breached_only: bool
    query: str
    order_by: CaseOrder
    customer_id: str
    order_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., statuses: _Optional[_Iterable[_Union[_case_pb2.CaseStatus, str]]] = ..., priorities: _Optional[_Iterable[_Union[_case_pb2.CasePriority, str]]] = ..., categories: _Optional[_Iterable[_Union[_case_pb2.CaseCategory, str]]] = ..., assignee_filter: _Optional[_Union[AssigneeFilter, str]] = ..., assignee_id: _Optional[str] = ..., breached_only: _Optional[bool] = ..., query: _Optional[str] = ..., order_by: _Optional[_Union[CaseOrder, str]] = ..., customer_id: _Optional[str] = ..., order_id: _Optional[str] = ...) -> None: ...

class ListCasesResponse(_message.Message):
    __slots__ = ("cases", "next_page_token")
    CASES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    cases: _containers.RepeatedCompositeFieldContainer[_case_pb2.Case]
    next_page_token: str
    def __init__(self, cases: _Optional[_Iterable[_Union[_case_pb2.Case, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateCaseRequest(_message.Message):
    __slots__ = ("case", "update_mask")
    CASE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.Case
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, case: _Optional[_Union[_case_pb2.Case, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.Case
    def __init__(self, case: _Optional[_Union[_case_pb2.Case, _Mapping]] = ...) -> None: ...

class AddCaseMessageRequest(_message.Message):
    __slots__ = ("parent", "body", "internal", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    INTERNAL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    body: str
    internal: bool
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., body: _Optional[str] = ..., internal: _Optional[bool] = ..., request_id: _Optional[str] = ...) -> None: ...

class AddCaseMessageResponse(_message.Message):
    __slots__ = ("message", "case")
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    CASE_FIELD_NUMBER: _ClassVar[int]
    message: _case_pb2.CaseMessage
    case: _case_pb2.Case
    def __init__(self, message: _Optional[_Union[_case_pb2.CaseMessage, _Mapping]] = ..., case: _Optional[_Union[_case_pb2.Case, _Mapping]] = ...) -> None: ...

class AssignCaseRequest(_message.Message):
    __slots__ = ("name", "assignee_id", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ASSIGNEE_ID_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    assignee_id: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., assignee_id: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class AssignCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.Case
    def __init__(self, case: _Optional[_Union[_case_pb2.Case, _Mapping]] = ...) -> None: ...

class SetCaseWaitingRequest(_message.Message):
    __slots__ = ("name", "waiting", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    WAITING_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    waiting: bool
    etag: str
    def __init__(self, name: _Optional[str] = ..., waiting: _Optional[bool] = ..., etag: _Optional[str] = ...) -> None: ...

class SetCaseWaitingResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.Case
    def __init__(self, case: _Optional[_Union[_case_pb2.Case, _Mapping]] = ...) -> None: ...

class ResolveCaseRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class ResolveCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.Case
    def __init__(self, case: _Optional[_Union[_case_pb2.Case, _Mapping]] = ...) -> None: ...

class CloseCaseRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class CloseCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.Case
    def __init__(self, case: _Optional[_Union[_case_pb2.Case, _Mapping]] = ...) -> None: ...

class ReopenCaseRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class ReopenCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.Case
    def __init__(self, case: _Optional[_Union[_case_pb2.Case, _Mapping]] = ...) -> None: ...

class ListCaseEventsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListCaseEventsResponse(_message.Message):
    __slots__ = ("events", "next_page_token")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_case_pb2.CaseEvent]
    next_page_token: str
    def __init__(self, events: _Optional[_Iterable[_Union[_case_pb2.CaseEvent, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetCaseStatisticsRequest(_message.Message):
    __slots__ = ("period_start_time", "period_end_time")
    PERIOD_START_TIME_FIELD_NUMBER: _ClassVar[int]
    PERIOD_END_TIME_FIELD_NUMBER: _ClassVar[int]
    period_start_time: _timestamp_pb2.Timestamp
    period_end_time: _timestamp_pb2.Timestamp
    def __init__(self, period_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., period_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CaseStatusCount(_message.Message):
    __slots__ = ("status", "count")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    status: _case_pb2.CaseStatus
    count: int
    def __init__(self, status: _Optional[_Union[_case_pb2.CaseStatus, str]] = ..., count: _Optional[int] = ...) -> None: ...

class GetCaseStatisticsResponse(_message.Message):
    __slots__ = ("open_cases_by_status", "breached_open_cases", "breached_in_period", "opened_in_period", "resolved_in_period", "answered_in_period", "median_first_response_duration", "period_start_time", "period_end_time", "compute_time")
    OPEN_CASES_BY_STATUS_FIELD_NUMBER: _ClassVar[int]
    BREACHED_OPEN_CASES_FIELD_NUMBER: _ClassVar[int]
    BREACHED_IN_PERIOD_FIELD_NUMBER: _ClassVar[int]
    OPENED_IN_PERIOD_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_IN_PERIOD_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_IN_PERIOD_FIELD_NUMBER: _ClassVar[int]
    MEDIAN_FIRST_RESPONSE_DURATION_FIELD_NUMBER: _ClassVar[int]
    PERIOD_START_TIME_FIELD_NUMBER: _ClassVar[int]
    PERIOD_END_TIME_FIELD_NUMBER: _ClassVar[int]
    COMPUTE_TIME_FIELD_NUMBER: _ClassVar[int]
    open_cases_by_status: _containers.RepeatedCompositeFieldContainer[CaseStatusCount]
    breached_open_cases: int
    breached_in_period: int
    opened_in_period: int
    resolved_in_period: int
    answered_in_period: int
    median_first_response_duration: _duration_pb2.Duration
    period_start_time: _timestamp_pb2.Timestamp
    period_end_time: _timestamp_pb2.Timestamp
    compute_time: _timestamp_pb2.Timestamp
    def __init__(self, open_cases_by_status: _Optional[_Iterable[_Union[CaseStatusCount, _Mapping]]] = ..., breached_open_cases: _Optional[int] = ..., breached_in_period: _Optional[int] = ..., opened_in_period: _Optional[int] = ..., resolved_in_period: _Optional[int] = ..., answered_in_period: _Optional[int] = ..., median_first_response_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., period_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., period_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., compute_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class WatchCaseRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class WatchCaseResponse(_message.Message):
    __slots__ = ("etag", "kinds", "internal", "initial")
    ETAG_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    INTERNAL_FIELD_NUMBER: _ClassVar[int]
    INITIAL_FIELD_NUMBER: _ClassVar[int]
    etag: str
    kinds: _containers.RepeatedScalarFieldContainer[_case_pb2.CaseEventKind]
    internal: bool
    initial: bool
    def __init__(self, etag: _Optional[str] = ..., kinds: _Optional[_Iterable[_Union[_case_pb2.CaseEventKind, str]]] = ..., internal: _Optional[bool] = ..., initial: _Optional[bool] = ...) -> None: ...

class WatchCasesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class WatchCasesResponse(_message.Message):
    __slots__ = ("name", "etag", "initial", "customer_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    INITIAL_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    initial: bool
    customer_id: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ..., initial: _Optional[bool] = ..., customer_id: _Optional[str] = ...) -> None: ...
