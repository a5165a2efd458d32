"""acme.support.v1.CaseService: validate, translate, call the use case, translate back.

No rules live here: validation.py checks the request's shape, the application and domain decide.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator
from typing import Any

from acme.support.v1 import case_pb2, case_service_pb2, case_service_pb2_grpc

from kit.context import current_identity
from kit.pagination import page_size
from kit.timestamps import epoch_ms
from support_svc.application.commands import AssignCase, CloseCase, ReopenCase, ResolveCase, SetWaiting
from support_svc.application.queries import CaseDetails
from support_svc.application.service import SupportCaseService
from support_svc.domain.case import SupportCase
from support_svc.domain.values import Actor
from support_svc.presentation import mappers, validation
from support_svc.presentation.errors import grpc_errors, grpc_stream_errors
from support_svc.presentation.validation import parse_case_name


def _caller() -> Actor:
    return mappers.actor_from_identity(current_identity())


class CaseServicer(case_service_pb2_grpc.CaseServiceServicer):
    def __init__(self, cases: SupportCaseService) -> None:
        self._cases = cases

    def _case(self, case: SupportCase) -> case_pb2.Case:
        return mappers.case_to_proto(case, self._cases.now())

    @grpc_errors(field_prefix="case.")
    async def CreateCase(
        self, request: case_service_pb2.CreateCaseRequest, context: Any
    ) -> case_service_pb2.CreateCaseResponse:
        validation.validate_create_case(request)
        case = await self._cases.open_case(mappers.open_case_command(request, _caller()))
        return case_service_pb2.CreateCaseResponse(case=self._case(case))

    @grpc_errors()
    async def GetCase(
        self, request: case_service_pb2.GetCaseRequest, context: Any
    ) -> case_service_pb2.GetCaseResponse:
        validation.validate_get_case(request)
        full = request.view == case_service_pb2.CASE_VIEW_FULL
        # The answer may be one kept from an earlier read (application/case_pages.py): never changed.
        return await self._cases.read_case(
            _caller(), parse_case_name(request.name), with_history=full, render=self._case_page
        )

    @grpc_errors()
    async def BatchGetCases(
        self, request: case_service_pb2.BatchGetCasesRequest, context: Any
    ) -> case_service_pb2.BatchGetCasesResponse:
        validation.validate_batch_get_cases(request)
        cases = await self._cases.get_cases(_caller(), [parse_case_name(name) for name in request.names])
        now = self._cases.now()
        protos: dict[int, case_pb2.Case] = {}  # a repeated name's case is mapped once
        for case in cases:
            if case.id not in protos:
                protos[case.id] = mappers.case_to_proto(case, now)
        return case_service_pb2.BatchGetCasesResponse(cases=[protos[case.id] for case in cases])

    def _case_page(self, details: CaseDetails) -> case_service_pb2.GetCaseResponse:
        return case_service_pb2.GetCaseResponse(
            case=self._case(details.case),
            messages=[mappers.message_to_proto(m) for m in details.messages],
            events=[mappers.event_to_proto(e) for e in details.events],
        )

    @grpc_errors()
    async def ListCases(
        self, request: case_service_pb2.ListCasesRequest, context: Any
    ) -> case_service_pb2.ListCasesResponse:
        validation.validate_list_cases(request)
        page = await self._cases.list_cases(mappers.list_cases_query(request, _caller()))
        now_ms = epoch_ms(self._cases.now())
        return case_service_pb2.ListCasesResponse(
            cases=[mappers.summary_to_proto(case, now_ms) for case in page.cases],
            next_page_token=page.next_page_token,
        )

    @grpc_errors(field_prefix="case.")
    async def UpdateCase(
        self, request: case_service_pb2.UpdateCaseRequest, context: Any
    ) -> case_service_pb2.UpdateCaseResponse:
        validation.validate_update_case(request)
        case = await self._cases.update_case(mappers.update_case_command(request, _caller()))
        return case_service_pb2.UpdateCaseResponse(case=self._case(case))

    @grpc_errors()
    async def AddCaseMessage(
        self, request: case_service_pb2.AddCaseMessageRequest, context: Any
    ) -> case_service_pb2.AddCaseMessageResponse:
        validation.validate_add_case_message(request)
        added = await self._cases.add_message(mappers.add_message_command(request, _caller()))
        return case_service_pb2.AddCaseMessageResponse(
            message=mappers.message_to_proto(added.message), case=self._case(added.case)
        )

    @grpc_errors()
    async def AssignCase(
        self, request: case_service_pb2.AssignCaseRequest, context: Any
    ) -> case_service_pb2.AssignCaseResponse:
        validation.validate_assign_case(request)
        case = await self._cases.assign_case(
            AssignCase(
                actor=_caller(),
                case_id=parse_case_name(request.name),
                expected_version=mappers.version_from_etag(request.etag),
                assignee_id=request.assignee_id or None,
            )
        )
        return case_service_pb2.AssignCaseResponse(case=self._case(case))

    @grpc_errors()
    async def SetCaseWaiting(
        self, request: case_service_pb2.SetCaseWaitingRequest, context: Any
    ) -> case_service_pb2.SetCaseWaitingResponse:
        validation.validate_case_change(request.name, request.etag)
        case = await self._cases.set_waiting(
            SetWaiting(
                actor=_caller(),
                case_id=parse_case_name(request.name),
                expected_version=mappers.version_from_etag(request.etag),
                waiting=request.waiting,
            )
        )
        return case_service_pb2.SetCaseWaitingResponse(case=self._case(case))

    @grpc_errors()
    async def ResolveCase(
        self, request: case_service_pb2.ResolveCaseRequest, context: Any
    ) -> case_service_pb2.ResolveCaseResponse:
        validation.validate_case_change(request.name, request.etag)
        case = await self._cases.resolve_case(mappers.case_change(ResolveCase, request, _caller()))
        return case_service_pb2.ResolveCaseResponse(case=self._case(case))

    @grpc_errors()
    async def CloseCase(
        self, request: case_service_pb2.CloseCaseRequest, context: Any
    ) -> case_service_pb2.CloseCaseResponse:
        validation.validate_case_change(request.name, request.etag)
        case = await self._cases.close_case(mappers.case_change(CloseCase, request, _caller()))
        return case_service_pb2.CloseCaseResponse(case=self._case(case))

    @grpc_errors()
    async def ReopenCase(
        self, request: case_service_pb2.ReopenCaseRequest, context: Any
    ) -> case_service_pb2.ReopenCaseResponse:
        validation.validate_case_change(request.name, request.etag)
        case = await self._cases.reopen_case(mappers.case_change(ReopenCase, request, _caller()))
        return case_service_pb2.ReopenCaseResponse(case=self._case(case))

    @grpc_errors()
    async def ListCaseEvents(
        self, request: case_service_pb2.ListCaseEventsRequest, context: Any
    ) -> case_service_pb2.ListCaseEventsResponse:
        validation.validate_list_case_events(request)
        page = await self._cases.list_events(
            _caller(),
            parse_case_name(request.parent),
            page_size=page_size(request.page_size),
            page_token=request.page_token,
        )
        return case_service_pb2.ListCaseEventsResponse(
            events=[mappers.event_to_proto(e) for e in page.events], next_page_token=page.next_page_token
        )

    @grpc_errors()
    async def GetCaseStatistics(
        self, request: case_service_pb2.GetCaseStatisticsRequest, context: Any
    ) -> case_service_pb2.GetCaseStatisticsResponse:
        validation.validate_get_case_statistics(request)
        stats = await self._cases.case_statistics(_caller(), mappers.statistics_period(request))
        return mappers.statistics_to_proto(stats)

    @grpc_stream_errors
    async def WatchCase(
        self, request: case_service_pb2.WatchCaseRequest, context: Any
    ) -> AsyncGenerator[case_service_pb2.WatchCaseResponse]:
        validation.validate_watch_case(request)
        notices = self._cases.watch_case(_caller(), parse_case_name(request.name))
        async with contextlib.aclosing(notices):
            async for notice in notices:
                yield mappers.watch_notice_to_proto(notice)

    @grpc_stream_errors
    async def WatchCases(
        self, request: case_service_pb2.WatchCasesRequest, context: Any
    ) -> AsyncGenerator[case_service_pb2.WatchCasesResponse]:
        # WatchCasesRequest has no fields: there is nothing to validate.
        notices = self._cases.watch_cases(_caller())
        async with contextlib.aclosing(notices):
            async for notice in notices:
                yield mappers.cases_notice_to_proto(notice)
