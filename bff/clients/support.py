"""CaseService (support_svc)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import grpc
from acme.support.v1 import case_pb2, case_service_pb2, case_service_pb2_grpc
from google.protobuf import field_mask_pb2

from bff import schemas
from bff.clients.base import RpcCaller
from bff.clients.mappers import (
    CaseMapper,
    case_name,
    category_to_proto,
    list_cases_request,
    priority_to_proto,
)
from kit.identity import Identity

# Case numbers never change, so the id -> number pairs seen are kept (bounded) to name the earlier
# case of a follow-up without asking support_svc again.
_NUMBERS_KEPT = 100_000


class SupportClient:
    def __init__(self, channel: object, caller: RpcCaller, mapper: CaseMapper) -> None:
        self._stub = case_service_pb2_grpc.CaseServiceStub(channel)
        self._call = caller.call
        self._map = mapper
        self._numbers: dict[str, str] = {}

    async def _cases(self, who: Identity, protos: Sequence[case_pb2.Case]) -> list[schemas.Case]:
        """Maps cases, with the number of each one's earlier case (Case.previous_case is a name)."""
        if len(self._numbers) > _NUMBERS_KEPT:
            self._numbers.clear()
        for case in protos:
            self._numbers[case.name] = case.case_number
        missing = {
            c.previous_case for c in protos if c.previous_case and c.previous_case not in self._numbers
        }
        if missing:
            await asyncio.gather(*(self._learn_number(who, name) for name in missing))
        return [self._map.case(c, self._numbers.get(c.previous_case)) for c in protos]

    async def _learn_number(self, who: Identity, name: str) -> None:
        request = case_service_pb2.GetCaseRequest(name=name, view=case_service_pb2.CASE_VIEW_BASIC)
        try:
            response = await self._call(self._stub.GetCase, request, who, idempotent=True)
        except grpc.aio.AioRpcError:
            return  # the link is shown without a number rather than failing the whole answer
        self._numbers[name] = response.case.case_number

    async def _one(self, who: Identity, proto: case_pb2.Case) -> schemas.Case:
        return (await self._cases(who, [proto]))[0]

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
        return await self._one(who, response.case)

    async def list_cases(
        self, who: Identity, query: schemas.CaseQuery
    ) -> tuple[list[schemas.Case], str | None]:
        request = list_cases_request(query, viewer_id=who.subject)
        response = await self._call(self._stub.ListCases, request, who, idempotent=True)
        return await self._cases(who, response.cases), response.next_page_token or None

    async def get_case_full(
        self, who: Identity, case_id: str
    ) -> tuple[schemas.Case, list[schemas.Message], list[schemas.TimelineEntry]]:
        request = case_service_pb2.GetCaseRequest(
            name=case_name(case_id), view=case_service_pb2.CASE_VIEW_FULL
        )
        response = await self._call(self._stub.GetCase, request, who, idempotent=True)
        return (
            await self._one(who, response.case),
            [self._map.message(m) for m in response.messages],
            [self._map.timeline_entry(e) for e in response.events],
        )

    async def add_message(
        self, who: Identity, case_id: str, body: schemas.AddMessageRequest, request_id: str
    ) -> tuple[schemas.Message, schemas.Case]:
        request = case_service_pb2.AddCaseMessageRequest(
            parent=case_name(case_id), body=body.body, internal=body.internal, request_id=request_id
        )
        response = await self._call(self._stub.AddCaseMessage, request, who, idempotent=True)
        return self._map.message(response.message), await self._one(who, response.case)

    async def assign(self, who: Identity, case_id: str, body: schemas.AssignRequest) -> schemas.Case:
        request = case_service_pb2.AssignCaseRequest(
            name=case_name(case_id), assignee_id=body.assignee_id or "", etag=body.etag
        )
        response = await self._call(self._stub.AssignCase, request, who, idempotent=False)
        return await self._one(who, response.case)

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
        response = await self._call(self._stub.UpdateCase, request, who, idempotent=False)
        return await self._one(who, response.case)

    async def change_status(
        self, who: Identity, case_id: str, action: schemas.StatusAction, etag: str
    ) -> schemas.Case:
        name = case_name(case_id)
        stub = self._stub
        match action:
            case "wait" | "work":
                response = await self._call(
                    stub.SetCaseWaiting,
                    case_service_pb2.SetCaseWaitingRequest(name=name, waiting=action == "wait", etag=etag),
                    who,
                    idempotent=False,
                )
            case "resolve":
                response = await self._call(
                    stub.ResolveCase,
                    case_service_pb2.ResolveCaseRequest(name=name, etag=etag),
                    who,
                    idempotent=False,
                )
            case "close":
                response = await self._call(
                    stub.CloseCase,
                    case_service_pb2.CloseCaseRequest(name=name, etag=etag),
                    who,
                    idempotent=False,
                )
            case "reopen":
                response = await self._call(
                    stub.ReopenCase,
                    case_service_pb2.ReopenCaseRequest(name=name, etag=etag),
                    who,
                    idempotent=False,
                )
        return await self._one(who, response.case)
