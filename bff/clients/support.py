"""CaseService (support_svc)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

import grpc
from acme.support.v1 import case_pb2, case_service_pb2, case_service_pb2_grpc
from google.protobuf import field_mask_pb2
from google.protobuf.message import Message

from bff import schemas
from bff.clients.base import RpcCaller
from bff.clients.mappers import (
    CaseMapper,
    case_change,
    case_id_of,
    case_name,
    case_statistics_from_proto,
    category_to_proto,
    list_cases_request,
    priority_to_proto,
    timestamp,
)
from bff.records import CaseChange, CaseChanged
from kit.identity import Identity

# Case numbers never change, so the id -> number pairs seen are kept (bounded): refunds name their
# case by id, and most of those cases went through this process already.
_NUMBERS_KEPT = 100_000
# Cases per BatchGetCases (support_svc's limit).
_BATCH_MAX = 100
# A batch of case numbers that fails with these is asked for again one case at a time.
_ONE_BY_ONE_ON = frozenset({grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT})


class FullCase(NamedTuple):
    """A case as GetCase's FULL view answers it; `customer_id`, whose case it is, is not shown."""

    case: schemas.Case
    customer_id: str
    messages: list[schemas.Message]
    timeline: list[schemas.TimelineEntry]


SERVICE_NAME = case_service_pb2.DESCRIPTOR.services_by_name["CaseService"].full_name


class SupportClient:
    """`on_change(case_id)`: told of each case this client changed, once the call has ended (failed
    ones too: a call that timed out may still have made its change); bff.case_pages."""

    def __init__(
        self,
        channel: object,
        caller: RpcCaller,
        mapper: CaseMapper,
        on_change: Callable[[str], None] | None = None,
    ) -> None:
        self._stub = case_service_pb2_grpc.CaseServiceStub(channel)
        self._caller = caller
        self._call = caller.call
        self._map = mapper
        self._on_change = on_change
        self._numbers: dict[str, str] = {}

    @contextlib.contextmanager
    def _changing(self, case_id: str) -> Iterator[None]:
        try:
            yield
        finally:
            if self._on_change is not None:
                self._on_change(case_id)

    def _remember(self, case_id: str, number: str) -> None:
        if len(self._numbers) >= _NUMBERS_KEPT:
            self._numbers.clear()
        self._numbers[case_id] = number

    def _cases(self, protos: Sequence[case_pb2.Case]) -> list[schemas.Case]:
        cases = [self._map.case(c) for c in protos]
        for case in cases:
            self._remember(case.id, case.number)
        return cases

    def _one(self, proto: case_pb2.Case) -> schemas.Case:
        return self._cases([proto])[0]

    async def get_case(self, who: Identity, case_id: str) -> schemas.Case:
        """The case alone (NOT_FOUND for another customer's case)."""
        request = case_service_pb2.GetCaseRequest(
            name=case_name(case_id), view=case_service_pb2.CASE_VIEW_BASIC
        )
        response = await self._call(self._stub.GetCase, request, who, idempotent=True)
        return self._one(response.case)

    async def case_numbers(self, who: Identity, case_ids: Iterable[str]) -> dict[str, str]:
        """The numbers of these cases: known ones at once, the others with one BatchGetCases per
        `_BATCH_MAX` of them (all at the same time). A case that cannot be read is left out (shown
        without a number)."""
        wanted = set(case_ids)
        unknown = sorted(i for i in wanted if i not in self._numbers)
        batches = [unknown[at : at + _BATCH_MAX] for at in range(0, len(unknown), _BATCH_MAX)]
        await asyncio.gather(*(self._learn_numbers(who, batch) for batch in batches))
        return {i: self._numbers[i] for i in wanted if i in self._numbers}

    async def _learn_numbers(self, who: Identity, case_ids: Sequence[str]) -> None:
        """Learns the numbers of these cases in one call. That call fails whole when one of them cannot
        be read (gone, another customer's: NOT_FOUND; an id that is no case id: INVALID_ARGUMENT), which
        a list of the caller's own refunds hardly ever has: then each is asked for alone, as before,
        so that the others still get their numbers."""
        request = case_service_pb2.BatchGetCasesRequest(names=[case_name(i) for i in case_ids])
        try:
            response = await self._call(self._stub.BatchGetCases, request, who, idempotent=True)
        except grpc.aio.AioRpcError as exc:
            # Else support_svc is away or slow: every number is left out, as each GetCase's would be.
            if exc.code() in _ONE_BY_ONE_ON:
                await asyncio.gather(*(self._learn_number(who, i) for i in case_ids))
            return
        for case in response.cases:  # only the numbers are wanted: no mapping of the whole case
            self._remember(case_id_of(case.name), case.case_number)

    async def _learn_number(self, who: Identity, case_id: str) -> None:
        with contextlib.suppress(grpc.aio.AioRpcError):
            await self.get_case(who, case_id)

    async def create_case(
        self, who: Identity, body: schemas.CreateCaseRequest, request_id: str
    ) -> schemas.Case:
        request = case_service_pb2.CreateCaseRequest(
            case=case_pb2.Case(
                order_id=body.order_id,
                order_line_ids=body.order_line_ids,
                category=category_to_proto(body.category),
                subject=body.subject,
                description=body.description,
            ),
            request_id=request_id,
        )
        response = await self._call(self._stub.CreateCase, request, who, idempotent=True)
        return self._one(response.case)

    async def list_cases(
        self, who: Identity, query: schemas.CaseQuery
    ) -> tuple[list[schemas.Case], str | None]:
        request = list_cases_request(query, viewer_id=who.subject)
        response = await self._call(self._stub.ListCases, request, who, idempotent=True)
        return self._cases(response.cases), response.next_page_token or None

    async def get_case_full(self, who: Identity, case_id: str) -> FullCase:
        request = case_service_pb2.GetCaseRequest(
            name=case_name(case_id), view=case_service_pb2.CASE_VIEW_FULL
        )
        response = await self._call(self._stub.GetCase, request, who, idempotent=True)
        return FullCase(
            self._one(response.case),
            response.case.customer_id,
            [self._map.message(m) for m in response.messages],
            [self._map.timeline_entry(e) for e in response.events],
        )

    async def add_message(
        self, who: Identity, case_id: str, body: schemas.AddMessageRequest, request_id: str
    ) -> tuple[schemas.Message, schemas.Case]:
        request = case_service_pb2.AddCaseMessageRequest(
            parent=case_name(case_id), body=body.body, internal=body.internal, request_id=request_id
        )
        with self._changing(case_id):
            response = await self._call(self._stub.AddCaseMessage, request, who, idempotent=True)
        return self._map.message(response.message), self._one(response.case)

    async def assign(self, who: Identity, case_id: str, body: schemas.AssignRequest) -> schemas.Case:
        request = case_service_pb2.AssignCaseRequest(
            name=case_name(case_id), assignee_id=body.assignee_id or "", etag=body.etag
        )
        with self._changing(case_id):
            response = await self._call(self._stub.AssignCase, request, who, idempotent=False)
        return self._one(response.case)

    async def update(self, who: Identity, case_id: str, body: schemas.UpdateCaseRequest) -> schemas.Case:
        case = case_pb2.Case(name=case_name(case_id), etag=body.etag)
        paths = []
        if body.priority is not None:
            case.priority = priority_to_proto(body.priority)
            paths.append("priority")
        if body.category is not None:
            case.category = category_to_proto(body.category)
            paths.append("category")
        request = case_service_pb2.UpdateCaseRequest(
            case=case, update_mask=field_mask_pb2.FieldMask(paths=paths)
        )
        with self._changing(case_id):
            response = await self._call(self._stub.UpdateCase, request, who, idempotent=False)
        return self._one(response.case)

    async def change_status(
        self, who: Identity, case_id: str, action: schemas.StatusAction, etag: str
    ) -> schemas.Case:
        name = case_name(case_id)
        stub = self._stub
        method: Callable[..., Any]
        request: Message
        match action:
            case "wait" | "work":
                method = stub.SetCaseWaiting
                waiting = action == "wait"
                request = case_service_pb2.SetCaseWaitingRequest(name=name, waiting=waiting, etag=etag)
            case "resolve":
                method, request = stub.ResolveCase, case_service_pb2.ResolveCaseRequest(name=name, etag=etag)
            case "close":
                method, request = stub.CloseCase, case_service_pb2.CloseCaseRequest(name=name, etag=etag)
            case "reopen":
                method, request = stub.ReopenCase, case_service_pb2.ReopenCaseRequest(name=name, etag=etag)
        with self._changing(case_id):
            response = await self._call(method, request, who, idempotent=False)
        return self._one(response.case)

    async def statistics(self, who: Identity, start: datetime, end: datetime) -> schemas.CaseStatistics:
        request = case_service_pb2.GetCaseStatisticsRequest(
            period_start_time=timestamp(start), period_end_time=timestamp(end)
        )
        response = await self._call(self._stub.GetCaseStatistics, request, who, idempotent=True)
        return case_statistics_from_proto(response)

    async def watch_all(self, who: Identity) -> AsyncGenerator[CaseChanged | None]:
        """Every committed change of any case (see WatchCases; the system identity only): None once
        the stream is live, then each case that changed and whose it is. Ends when support_svc ends
        the stream; closing the iterator cancels the call."""
        messages = self._caller.stream(self._stub.WatchCases, case_service_pb2.WatchCasesRequest(), who)
        try:
            async for change in messages:
                yield (
                    None
                    if change.initial
                    else CaseChanged(case_id_of(change.name), change.customer_id, change.etag)
                )
        finally:
            await messages.aclose()  # cancels the call

    async def watch(self, who: Identity, case_id: str) -> AsyncGenerator[CaseChange]:
        """Follows the case: its current etag first, then one change at a time (see WatchCase). Ends
        when support_svc ends the stream; closing the iterator cancels the call."""
        messages = self._caller.stream(
            self._stub.WatchCase, case_service_pb2.WatchCaseRequest(name=case_name(case_id)), who
        )
        try:
            async for change in messages:
                yield case_change(change)
        finally:
            await messages.aclose()  # cancels the call
