"""Commands: what a caller asks the service to change, already validated for shape."""

from __future__ import annotations

from dataclasses import dataclass

from support_svc.domain.case import CaseMessage, SupportCase
from support_svc.domain.values import Actor, CaseCategory, CasePriority


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenCase:
    actor: Actor
    order_id: str
    category: CaseCategory
    subject: str
    description: str
    order_line_ids: tuple[str, ...] = ()
    priority: CasePriority | None = None  # staff only; customers' cases start NORMAL
    request_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeCase:
    """A change to an existing case, guarded by the version (etag) the caller last saw."""

    actor: Actor
    case_id: int
    expected_version: int


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateCase(ChangeCase):
    priority: CasePriority | None = None
    category: CaseCategory | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AssignCase(ChangeCase):
    assignee_id: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SetWaiting(ChangeCase):
    waiting: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolveCase(ChangeCase):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class CloseCase(ChangeCase):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class ReopenCase(ChangeCase):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class AddMessage:
    actor: Actor
    case_id: int
    body: str
    internal: bool = False
    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class MessageAdded:
    """The message, and the case it went to: the same one or a new follow-up."""

    message: CaseMessage
    case: SupportCase
