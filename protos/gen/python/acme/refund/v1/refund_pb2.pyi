import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RefundReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFUND_REASON_UNSPECIFIED: _ClassVar[RefundReason]
    REFUND_REASON_DAMAGED: _ClassVar[RefundReason]
    REFUND_REASON_WRONG_ITEM: _ClassVar[RefundReason]
    REFUND_REASON_MISSING_ITEM: _ClassVar[RefundReason]
    REFUND_REASON_NOT_DELIVERED: _ClassVar[RefundReason]
    REFUND_REASON_NOT_AS_DESCRIBED: _ClassVar[RefundReason]
    REFUND_REASON_CHANGED_MIND: _ClassVar[RefundReason]
    REFUND_REASON_OTHER: _ClassVar[RefundReason]

class RefundMethod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFUND_METHOD_UNSPECIFIED: _ClassVar[RefundMethod]
    REFUND_METHOD_ORIGINAL_PAYMENT: _ClassVar[RefundMethod]
    REFUND_METHOD_STORE_CREDIT: _ClassVar[RefundMethod]

class RefundStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFUND_STATUS_UNSPECIFIED: _ClassVar[RefundStatus]
    REFUND_STATUS_PENDING_APPROVAL: _ClassVar[RefundStatus]
    REFUND_STATUS_APPROVED: _ClassVar[RefundStatus]
    REFUND_STATUS_REJECTED: _ClassVar[RefundStatus]
    REFUND_STATUS_CANCELLED: _ClassVar[RefundStatus]
    REFUND_STATUS_PROCESSING: _ClassVar[RefundStatus]
    REFUND_STATUS_REFUNDED: _ClassVar[RefundStatus]
    REFUND_STATUS_FAILED: _ClassVar[RefundStatus]

class ApprovalPolicy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    APPROVAL_POLICY_UNSPECIFIED: _ClassVar[ApprovalPolicy]
    APPROVAL_POLICY_AUTO_APPROVE: _ClassVar[ApprovalPolicy]
    APPROVAL_POLICY_AGENT_APPROVAL: _ClassVar[ApprovalPolicy]
    APPROVAL_POLICY_LEAD_APPROVAL: _ClassVar[ApprovalPolicy]
REFUND_REASON_UNSPECIFIED: RefundReason
REFUND_REASON_DAMAGED: RefundReason
REFUND_REASON_WRONG_ITEM: RefundReason
REFUND_REASON_MISSING_ITEM: RefundReason
REFUND_REASON_NOT_DELIVERED: RefundReason
REFUND_REASON_NOT_AS_DESCRIBED: RefundReason
REFUND_REASON_CHANGED_MIND: RefundReason
REFUND_REASON_OTHER: RefundReason
REFUND_METHOD_UNSPECIFIED: RefundMethod
REFUND_METHOD_ORIGINAL_PAYMENT: RefundMethod
REFUND_METHOD_STORE_CREDIT: RefundMethod
REFUND_STATUS_UNSPECIFIED: RefundStatus
REFUND_STATUS_PENDING_APPROVAL: RefundStatus
REFUND_STATUS_APPROVED: RefundStatus
REFUND_STATUS_REJECTED: RefundStatus
REFUND_STATUS_CANCELLED: RefundStatus
REFUND_STATUS_PROCESSING: RefundStatus
REFUND_STATUS_REFUNDED: RefundStatus
REFUND_STATUS_FAILED: RefundStatus
APPROVAL_POLICY_UNSPECIFIED: ApprovalPolicy
APPROVAL_POLICY_AUTO_APPROVE: ApprovalPolicy
APPROVAL_POLICY_AGENT_APPROVAL: ApprovalPolicy
APPROVAL_POLICY_LEAD_APPROVAL: ApprovalPolicy

class Money(_message.Message):
    __slots__ = ("amount_minor", "currency_code")
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    amount_minor: int
    currency_code: str
    def __init__(self, amount_minor: _Optional[int] = ..., currency_code: _Optional[str] = ...) -> None: ...

class RefundDecision(_message.Message):
    __slots__ = ("outcome", "decided_by", "policy", "comment", "decide_time")
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    DECIDE_TIME_FIELD_NUMBER: _ClassVar[int]
    outcome: RefundStatus
    decided_by: str
    policy: ApprovalPolicy
    comment: str
    decide_time: _timestamp_pb2.Timestamp
    def __init__(self, outcome: _Optional[_Union[RefundStatus, str]] = ..., decided_by: _Optional[str] = ..., policy: _Optional[_Union[ApprovalPolicy, str]] = ..., comment: _Optional[str] = ..., decide_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RefundLine(_message.Message):
    __slots__ = ("order_line_id", "quantity", "amount")
    ORDER_LINE_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    order_line_id: str
    quantity: int
    amount: Money
    def __init__(self, order_line_id: _Optional[str] = ..., quantity: _Optional[int] = ..., amount: _Optional[_Union[Money, _Mapping]] = ...) -> None: ...

class Refund(_message.Message):
    __slots__ = ("name", "refund_number", "case", "order_id", "customer_id", "lines", "total", "reason", "method", "status", "requested_by", "create_time", "update_time", "etag", "note", "decision", "required_approval", "outside_refund_window", "failure_reason", "payout_reference")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REFUND_NUMBER_FIELD_NUMBER: _ClassVar[int]
    CASE_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_APPROVAL_FIELD_NUMBER: _ClassVar[int]
    OUTSIDE_REFUND_WINDOW_FIELD_NUMBER: _ClassVar[int]
    FAILURE_REASON_FIELD_NUMBER: _ClassVar[int]
    PAYOUT_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    name: str
    refund_number: str
    case: str
    order_id: str
    customer_id: str
    lines: _containers.RepeatedCompositeFieldContainer[RefundLine]
    total: Money
    reason: RefundReason
    method: RefundMethod
    status: RefundStatus
    requested_by: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    etag: str
    note: str
    decision: RefundDecision
    required_approval: ApprovalPolicy
    outside_refund_window: bool
    failure_reason: str
    payout_reference: str
    def __init__(self, name: _Optional[str] = ..., refund_number: _Optional[str] = ..., case: _Optional[str] = ..., order_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[RefundLine, _Mapping]]] = ..., total: _Optional[_Union[Money, _Mapping]] = ..., reason: _Optional[_Union[RefundReason, str]] = ..., method: _Optional[_Union[RefundMethod, str]] = ..., status: _Optional[_Union[RefundStatus, str]] = ..., requested_by: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., etag: _Optional[str] = ..., note: _Optional[str] = ..., decision: _Optional[_Union[RefundDecision, _Mapping]] = ..., required_approval: _Optional[_Union[ApprovalPolicy, str]] = ..., outside_refund_window: _Optional[bool] = ..., failure_reason: _Optional[str] = ..., payout_reference: _Optional[str] = ...) -> None: ...

class RefundableLine(_message.Message):
    __slots__ = ("order_line_id", "product_title", "quantity_bought", "quantity_refundable", "amount_paid", "amount_refundable")
    ORDER_LINE_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_TITLE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_BOUGHT_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_REFUNDABLE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_PAID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_REFUNDABLE_FIELD_NUMBER: _ClassVar[int]
    order_line_id: str
    product_title: str
    quantity_bought: int
    quantity_refundable: int
    amount_paid: Money
    amount_refundable: Money
    def __init__(self, order_line_id: _Optional[str] = ..., product_title: _Optional[str] = ..., quantity_bought: _Optional[int] = ..., quantity_refundable: _Optional[int] = ..., amount_paid: _Optional[_Union[Money, _Mapping]] = ..., amount_refundable: _Optional[_Union[Money, _Mapping]] = ...) -> None: ...
