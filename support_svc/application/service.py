"""The use cases of the support-case context.

Each write runs in one unit of work (one BEGIN IMMEDIATE transaction). Customers reach only their
own cases: anything else is "not found", never "forbidden", so case numbers leak nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncGenerator, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import cast

from support_svc.application.case_pages import CasePages
from support_svc.application.commands import (
    AddMessage,
    AssignCase,
    ChangeCase,
    CloseCase,
    MessageAdded,
    OpenCase,
    ReopenCase,
    ResolveCase,
    SetWaiting,
    UpdateCase,
)
from support_svc.application.ports import (
    CaseChangeFeed,
    CaseReader,
    CaseRepository,
    Clock,
    CreationKey,
    ShopPort,
    UnitOfWork,
)
from support_svc.application.queries import (
    CASES_PER_BATCH_MAX,
    AssigneeScope,
    CaseDetails,
    CasePage,
    CaseSearch,
    CasesNotice,
    CaseStatistics,
    EventPage,
    ListCases,
    StatisticsPeriod,
    WatchNotice,
)
from support_svc.domain.case import CaseMessage, ReplyRoute, SupportCase
from support_svc.domain.errors import (
    CaseNotFoundError,
    ConcurrencyConflictError,
    FieldProblem,
    InvalidArgumentError,
    PermissionDeniedError,
    RequestIdReusedError,
)
from support_svc.domain.sla import SlaPolicy
from support_svc.domain.values import Actor, CasePriority, Role

DEFAULT_REOPEN_WINDOW = timedelta(days=14)


@dataclass(frozen=True, slots=True)
class WorkflowSettings:
    sla: SlaPolicy = field(default_factory=SlaPolicy.default)
    reopen_window: timedelta = DEFAULT_REOPEN_WINDOW


def _fingerprint(command: OpenCase) -> str:
    content = [
        command.order_id,
        list(command.order_line_ids),
        command.category.value,
        command.subject,
        command.description,
        command.priority.value if command.priority else None,
    ]
    return hashlib.sha256(json.dumps(content).encode()).hexdigest()


class SupportCaseService:
    def __init__(
        self,
        *,
        unit_of_work: Callable[[], UnitOfWork],
        reader: CaseReader,
        shop: ShopPort,
        clock: Clock,
        settings: WorkflowSettings | None = None,
        feed: CaseChangeFeed | None = None,
        pages: CasePages | None = None,
    ) -> None:
        self._uow = unit_of_work
        self._reader = reader
        self._shop = shop
        self._clock = clock
        self._settings = settings or WorkflowSettings()
        self._feed = feed
        self._pages = pages

    # --- opening ---------------------------------------------------------------------------------

    async def open_case(self, command: OpenCase) -> SupportCase:
        actor = command.actor
        creation = (
            CreationKey(actor.id, command.request_id, _fingerprint(command)) if command.request_id else None
        )
        if creation is not None:
            # A retry finds its case without asking the shop again (which may be down by now).
            replay = self._replay(
                creation, await self._reader.find_created(creation.scope, creation.request_id)
            )
            if replay is not None:
                return replay
        owner_id = await self._check_order(command)
        # Customers do not choose their priority; staff opening a case for a customer may.
        priority = (command.priority if actor.is_staff else None) or CasePriority.NORMAL
        async with self._uow() as uow:
            if creation is not None:
                replay = self._replay(
                    creation, await uow.cases.find_created(creation.scope, creation.request_id)
                )
                if replay is not None:
                    return replay
            case = SupportCase.open(
                case_id=await uow.cases.next_id(),
                customer_id=owner_id,
                order_id=command.order_id,
                order_line_ids=command.order_line_ids,
                category=command.category,
                subject=command.subject,
                description=command.description,
                priority=priority,
                opened_by=actor,
                now=self._clock.now(),
                sla_policy=self._settings.sla,
            )
            await uow.cases.add(case, creation)
            await uow.commit()
        return case

    @staticmethod
    def _replay(creation: CreationKey, found: tuple[SupportCase, str] | None) -> SupportCase | None:
        if found is None:
            return None
        case, fingerprint = found
        if fingerprint != creation.fingerprint:
            raise RequestIdReusedError(creation.request_id)
        return case

    async def _check_order(self, command: OpenCase) -> str:
        """The id of the customer who owns the order; the order must be the caller's unless staff."""
        order = await self._shop.get_order(command.order_id)
        if order is None or (not command.actor.is_staff and order.customer_id != command.actor.id):
            # Someone else's order looks exactly like a missing one: nothing about it leaks.
            whose = "the shop" if command.actor.is_staff else "your orders"
            raise InvalidArgumentError(
                [FieldProblem("order_id", f"There is no order {command.order_id} in {whose}")],
                reason="ORDER_NOT_FOUND",
            )
        problems = [
            FieldProblem(f"order_line_ids[{index}]", f"Order {order.order_id} has no line {line_id}")
            for index, line_id in enumerate(command.order_line_ids)
            if line_id not in order.line_ids
        ]
        if problems:
            raise InvalidArgumentError(problems, reason="ORDER_LINE_NOT_FOUND")
        return order.customer_id

    # --- conversation ----------------------------------------------------------------------------

    async def add_message(self, command: AddMessage) -> MessageAdded:
        actor = command.actor
        if command.request_id:
            replay = await self._replay_message(
                command, await self._reader.find_message(actor.id, command.request_id)
            )
            if replay is not None:
                return replay
        async with self._uow() as uow:
            if command.request_id:
                found = await uow.cases.find_message(actor.id, command.request_id)
                replay = await self._replay_message(command, found, uow.cases)
                if replay is not None:
                    return replay
            case = await self._load_visible(uow.cases, actor, command.case_id)
            now = self._clock.now()
            target = case
            if case.reply_route(actor, now, self._settings.reopen_window) is ReplyRoute.FOLLOW_UP:
                target = SupportCase.open_follow_up(
                    case,
                    case_id=await uow.cases.next_id(),
                    opened_by=actor,
                    now=now,
                    sla_policy=self._settings.sla,
                )
            message = target.add_message(
                actor,
                command.body,
                internal=command.internal,
                now=now,
                reopen_window=self._settings.reopen_window,
                request_id=command.request_id,
            )
            if target is not case:
                case.record_follow_up(target, actor, now)
                await uow.cases.add(target)
            await uow.cases.save(case)
            await uow.commit()
        return MessageAdded(message, target)

    async def _replay_message(
        self, command: AddMessage, found: CaseMessage | None, cases: CaseRepository | None = None
    ) -> MessageAdded | None:
        if found is None:
            return None
        if (found.body, found.internal) != (command.body, command.internal):
            raise RequestIdReusedError(command.request_id or "")
        case = await (cases.get(found.case_id) if cases else self._reader.get_case(found.case_id))
        if case is None or not case.is_visible_to(command.actor):
            raise CaseNotFoundError(found.case_id)
        return MessageAdded(found, case)

    # --- workflow --------------------------------------------------------------------------------

    async def update_case(self, command: UpdateCase) -> SupportCase:
        def apply(case: SupportCase, now: datetime) -> bool:
            changed = False
            if command.priority is not None:
                changed |= case.change_priority(command.actor, command.priority, now, self._settings.sla)
            if command.category is not None:
                changed |= case.change_category(command.actor, command.category, now)
            return changed

        return await self._change(command, apply)

    async def assign_case(self, command: AssignCase) -> SupportCase:
        return await self._change(
            command, lambda case, now: case.assign(command.actor, command.assignee_id, now)
        )

    async def set_waiting(self, command: SetWaiting) -> SupportCase:
        def apply(case: SupportCase, now: datetime) -> None:
            if command.waiting:
                case.wait_on_customer(command.actor, now)
            else:
                case.resume_work(command.actor, now)
            return None

        return await self._change(command, apply)

    async def resolve_case(self, command: ResolveCase) -> SupportCase:
        return await self._change(command, lambda case, now: case.resolve(command.actor, now))

    async def close_case(self, command: CloseCase) -> SupportCase:
        return await self._change(command, lambda case, now: case.close(command.actor, now))

    async def reopen_case(self, command: ReopenCase) -> SupportCase:
        window = self._settings.reopen_window
        return await self._change(command, lambda case, now: case.reopen(command.actor, now, window))

    async def _change(
        self, command: ChangeCase, apply: Callable[[SupportCase, datetime], bool | None]
    ) -> SupportCase:
        """Loads, checks the caller's version, applies, and saves unless `apply` says nothing changed."""
        async with self._uow() as uow:
            case = await self._load_visible(uow.cases, command.actor, command.case_id)
            if case.version != command.expected_version:
                raise ConcurrencyConflictError(case.id)
            if apply(case, self._clock.now()) is not False:
                await uow.cases.save(case)
                await uow.commit()
        return case

    # --- reading ---------------------------------------------------------------------------------

    async def get_case(self, actor: Actor, case_id: int, *, with_history: bool) -> CaseDetails:
        if not with_history:
            case = await self._reader.get_case(case_id)
            if case is None or not case.is_visible_to(actor):
                raise CaseNotFoundError(case_id)
            return CaseDetails(case)
        details = await self._reader.get_case_details(case_id, include_internal=actor.is_staff)
        if details is None or not details.case.is_visible_to(actor):
            raise CaseNotFoundError(case_id)
        # The query already left out what the caller may not see; the domain rule has the last word.
        return CaseDetails(
            details.case,
            [m for m in details.messages if m.is_visible_to(actor)],
            [e for e in details.events if e.is_visible_to(actor)],
        )

    async def read_case[T](
        self, actor: Actor, case_id: int, *, with_history: bool, render: Callable[[CaseDetails], T]
    ) -> T:
        """`get_case`, made into an answer by `render`. A repeated read of a case that has not changed
        since is answered from the case pages (application/case_pages.py), the caller's right to see
        the case checked again each time."""
        pages = self._pages
        if pages is None:
            return render(await self.get_case(actor, case_id, with_history=with_history))
        key = (case_id, actor.is_staff, with_history)
        now = self._clock.now()
        kept = pages.get(key, now)
        if kept is not None:
            case, answer = kept
            if not case.is_visible_to(actor):
                raise CaseNotFoundError(case_id)
            return cast(T, answer)
        changes_seen = pages.changes_seen()
        details = await self.get_case(actor, case_id, with_history=with_history)
        answer = render(details)
        pages.put(key, details.case, answer, now=now, changes_seen=changes_seen)
        return answer

    async def get_cases(self, actor: Actor, case_ids: Sequence[int]) -> list[SupportCase]:
        """Several cases alone (BatchGetCases), in the order asked for, a repeated id at each of its
        places; read in one statement, never from the case pages. All or nothing: the first id (in
        the order asked for) whose case does not exist or that the caller may not see fails the read
        as not found, as `get_case` does for one, so a customer learns nothing of others' cases."""
        if len(case_ids) > CASES_PER_BATCH_MAX:
            raise InvalidArgumentError(
                [FieldProblem("names", f"at most {CASES_PER_BATCH_MAX} cases at once")]
            )
        found = await self._reader.get_cases(case_ids)
        for case_id in case_ids:
            case = found.get(case_id)
            if case is None or not case.is_visible_to(actor):
                raise CaseNotFoundError(case_id)
        return [found[case_id] for case_id in case_ids]

    async def list_cases(self, request: ListCases) -> CasePage:
        actor, wanted = request.actor, request.filter
        if not actor.is_staff:
            wanted = replace(wanted, customer_id=actor.id)
        if wanted.assignee is AssigneeScope.MINE:
            wanted = replace(wanted, assignee=AssigneeScope.SOMEONE, assignee_id=actor.id)
        search = CaseSearch(
            filter=wanted,
            include_internal_text=actor.is_staff,
            now=self._clock.now(),
            page_size=request.page_size,
            page_token=request.page_token,
        )
        return await self._reader.list_cases(search)

    async def list_events(self, actor: Actor, case_id: int, *, page_size: int, page_token: str) -> EventPage:
        case = await self._reader.get_case(case_id)
        if case is None or not case.is_visible_to(actor):
            raise CaseNotFoundError(case_id)
        page = await self._reader.list_events(
            case_id, include_internal=actor.is_staff, page_size=page_size, page_token=page_token
        )
        return EventPage([e for e in page.events if e.is_visible_to(actor)], page.next_page_token)

    async def case_statistics(self, actor: Actor, period: StatisticsPeriod) -> CaseStatistics:
        """The leads' dashboard: open cases, breaches, first-response time, cases in and out."""
        if actor.role is not Role.LEAD:
            raise PermissionDeniedError("Only leads may see the case statistics", reason="LEAD_ONLY")
        return await self._reader.case_statistics(period, self._clock.now())

    async def watch_case(self, actor: Actor, case_id: int) -> AsyncGenerator[WatchNotice]:
        """The case's current version, then one notice per committed change the caller may see.

        Subscribes before reading, so that no change falls between the two; changes already
        contained in what was read are skipped by version. Customers are told nothing of
        internal-only changes, and of a mixed change only the kinds they may see. Ends when the
        feed closes; raises WatchLaggingError when the watcher was dropped for falling behind.
        """
        if self._feed is None:
            raise RuntimeError("watching needs a change feed")
        watch = self._feed.subscribe(case_id)
        try:
            case = await self._reader.get_case(case_id)
            if case is None or not case.is_visible_to(actor):
                raise CaseNotFoundError(case_id)
            yield WatchNotice(case.version, initial=True)
            seen = case.version
            while (change := await watch.next()) is not None:
                if change.version <= seen:
                    continue
                seen = change.version
                kinds = change.kinds if actor.is_staff else change.public_kinds
                if kinds:
                    yield WatchNotice(change.version, kinds, internal=change.internal)
        finally:
            watch.close()

    async def watch_cases(self, actor: Actor) -> AsyncGenerator[CasesNotice]:
        """Every case's changes, for a service that keeps what it read until it changes (the BFF's
        kept case pages and customers' lists): an initial notice once subscribed, then one notice
        per committed change of any case, internal ones included, with the case, its new version and
        its customer.

        The system only: anyone else is refused before anything is subscribed. Ends when the feed
        closes; raises WatchLaggingError when the watcher was dropped for falling behind (whatever
        the caller kept may then be stale).
        """
        if self._feed is None:
            raise RuntimeError("watching needs a change feed")
        if actor.role is not Role.SYSTEM:
            raise PermissionDeniedError("Only the system may watch every case", reason="SYSTEM_ONLY")
        watch = self._feed.subscribe_all()
        try:
            yield CasesNotice(initial=True)
            while (change := await watch.next()) is not None:
                yield CasesNotice(change.case_id, change.version, change.customer_id)
        finally:
            watch.close()

    def now(self) -> datetime:
        return self._clock.now()

    @staticmethod
    async def _load_visible(cases: CaseRepository, actor: Actor, case_id: int) -> SupportCase:
        case = await cases.get(case_id)
        if case is None or not case.is_visible_to(actor):
            raise CaseNotFoundError(case_id)
        return case
