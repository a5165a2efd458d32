"""The use cases with in-memory fakes of every port (no SQLite, no gRPC)."""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from support_svc.application.commands import (
    AddMessage,
    AssignCase,
    CloseCase,
    OpenCase,
    ReopenCase,
    ResolveCase,
    SetWaiting,
    UpdateCase,
)
from support_svc.application.ports import ShopOrder
from support_svc.application.queries import AssigneeScope, CaseFilter, ListCases
from support_svc.application.service import SupportCaseService, WorkflowSettings
from support_svc.domain.errors import (
    CaseNotFoundError,
    ConcurrencyConflictError,
    DependencyUnavailableError,
    InvalidArgumentError,
    PermissionDeniedError,
    RequestIdReusedError,
)
from support_svc.domain.sla import SlaPolicy
from support_svc.domain.values import Actor, CaseCategory, CasePriority, CaseStatus, EventKind, Role
from tests.support_svc.fakes import FakeCaseReader, FakeShop, FakeUnitOfWork, FixedClock, Store

ANA = Actor("cus_1001", Role.CUSTOMER)
BEN = Actor("cus_1002", Role.CUSTOMER)
SAM = Actor("agt_2001", Role.AGENT)


@dataclass
class World:
    store: Store = field(default_factory=Store)
    shop: FakeShop = field(
        default_factory=lambda: FakeShop(
            ShopOrder("ord_1", ANA.id, frozenset({"ln_1", "ln_2"})),
            ShopOrder("ord_2", BEN.id, frozenset({"ln_1"})),
        )
    )
    clock: FixedClock = field(default_factory=FixedClock)
    units: list[FakeUnitOfWork] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.reader = FakeCaseReader(self.store)
        self.service = SupportCaseService(
            unit_of_work=self._unit_of_work,
            reader=self.reader,
            shop=self.shop,
            clock=self.clock,
            settings=WorkflowSettings(SlaPolicy.default(), timedelta(days=14)),
        )

    def _unit_of_work(self) -> FakeUnitOfWork:
        self.units.append(FakeUnitOfWork(self.store))
        return self.units[-1]


def opening(actor: Actor = ANA, **overrides: object) -> OpenCase:
    values: dict[str, object] = {
        "actor": actor,
        "order_id": "ord_1",
        "category": CaseCategory.DAMAGED_ITEM,
        "subject": "Broken",
        "description": "It broke",
    } | overrides
    return OpenCase(**values)  # type: ignore[arg-type]


@pytest.fixture
def world() -> World:
    return World()


async def test_a_customer_opens_a_case_on_their_order_with_the_next_number(world: World) -> None:
    first = await world.service.open_case(opening())
    second = await world.service.open_case(opening(priority=CasePriority.URGENT))
    assert (first.id, second.id) == (10001, 10002)
    assert second.priority is CasePriority.NORMAL  # customers do not choose priority
    assert world.store.cases[10001].customer_id == ANA.id
    assert [e.kind for e in world.store.events if e.case_id == 10001] == [EventKind.OPENED]
    assert all(unit.committed for unit in world.units)


@pytest.mark.parametrize("order_id", ["ord_404", "ord_2"], ids=["unknown", "someone-elses"])
async def test_an_order_that_is_not_the_callers_is_refused_and_nothing_is_stored(
    world: World, order_id: str
) -> None:
    with pytest.raises(InvalidArgumentError) as err:
        await world.service.open_case(opening(order_id=order_id))
    assert err.value.reason == "ORDER_NOT_FOUND"
    (problem,) = err.value.problems
    assert (problem.field, problem.description) == (
        "order_id",
        f"There is no order {order_id} in your orders",
    )
    assert world.store.cases == {}


async def test_order_lines_must_belong_to_the_order(world: World) -> None:
    with pytest.raises(InvalidArgumentError) as err:
        await world.service.open_case(opening(order_line_ids=("ln_1", "ln_9")))
    assert err.value.reason == "ORDER_LINE_NOT_FOUND"
    assert [p.field for p in err.value.problems] == ["order_line_ids[1]"]


async def test_staff_open_a_case_for_the_customer_who_owns_the_order(world: World) -> None:
    case = await world.service.open_case(opening(SAM, order_id="ord_2", priority=CasePriority.HIGH))
    assert (case.customer_id, case.priority) == (BEN.id, CasePriority.HIGH)


async def test_the_shop_being_down_is_reported_and_nothing_is_stored(world: World) -> None:
    world.shop.unavailable = True
    with pytest.raises(DependencyUnavailableError):
        await world.service.open_case(opening())
    assert world.store.cases == {}


async def test_a_retried_create_returns_the_first_case_without_asking_the_shop_again(world: World) -> None:
    first = await world.service.open_case(opening(request_id="key-1"))
    world.shop.unavailable = True
    again = await world.service.open_case(opening(request_id="key-1"))
    assert again.id == first.id
    assert len(world.store.cases) == 1
    assert world.shop.calls == ["ord_1"]


async def test_a_request_id_is_per_caller_and_bound_to_its_content(world: World) -> None:
    await world.service.open_case(opening(request_id="key-1"))
    other = await world.service.open_case(opening(BEN, order_id="ord_2", request_id="key-1"))
    assert other.id == 10002
    with pytest.raises(RequestIdReusedError):
        await world.service.open_case(opening(request_id="key-1", subject="Something else"))


async def test_a_customer_cannot_read_another_customers_case(world: World) -> None:
    case = await world.service.open_case(opening())
    with pytest.raises(CaseNotFoundError):
        await world.service.get_case(BEN, case.id, with_history=True)
    with pytest.raises(CaseNotFoundError):
        await world.service.get_case(BEN, case.id, with_history=False)
    with pytest.raises(CaseNotFoundError):
        await world.service.list_events(BEN, case.id, page_size=10, page_token="")
    with pytest.raises(CaseNotFoundError):
        await world.service.get_case(ANA, 99999, with_history=False)


async def test_a_batch_read_returns_the_cases_in_the_order_asked_repeats_too(world: World) -> None:
    first = await world.service.open_case(opening())
    second = await world.service.open_case(opening())
    bens = await world.service.open_case(opening(BEN, order_id="ord_2"))

    mine = await world.service.get_cases(ANA, [second.id, first.id, second.id])
    staff = await world.service.get_cases(SAM, [bens.id, first.id])

    assert [c.id for c in mine] == [second.id, first.id, second.id]
    assert [c.id for c in staff] == [bens.id, first.id]
    assert world.reader.batches == [sorted([first.id, second.id]), sorted([first.id, bens.id])]


@pytest.mark.parametrize("missing", ["someone-elses", "unknown"])
async def test_a_batch_read_with_a_case_the_caller_may_not_see_fails_whole_naming_it(
    world: World, missing: str
) -> None:
    mine = await world.service.open_case(opening())
    bens = await world.service.open_case(opening(BEN, order_id="ord_2"))
    other = bens.id if missing == "someone-elses" else 99999

    with pytest.raises(CaseNotFoundError) as err:
        await world.service.get_cases(ANA, [mine.id, other, 99998])

    # The first one in the order asked for, and the same error either way: nothing tells them apart.
    assert err.value.message == f"Case {other} was not found"
    assert err.value.metadata == {"case_id": str(other)}


async def test_a_batch_read_of_too_many_cases_is_refused_before_reading(world: World) -> None:
    with pytest.raises(InvalidArgumentError) as err:
        await world.service.get_cases(SAM, list(range(10001, 10102)))
    assert [p.field for p in err.value.problems] == ["names"]
    assert world.reader.batches == []


async def test_internal_notes_are_filtered_for_customers_even_if_a_query_returned_them(world: World) -> None:
    case = await world.service.open_case(opening())
    await world.service.add_message(AddMessage(actor=SAM, case_id=case.id, body="secret", internal=True))
    await world.service.add_message(AddMessage(actor=SAM, case_id=case.id, body="Hello Ana"))
    for_ana = await world.service.get_case(ANA, case.id, with_history=True)
    for_sam = await world.service.get_case(SAM, case.id, with_history=True)
    assert [m.body for m in for_ana.messages] == ["Hello Ana"]
    assert [m.body for m in for_sam.messages] == ["secret", "Hello Ana"]
    assert not any(e.internal for e in for_ana.events)
    events = await world.service.list_events(ANA, case.id, page_size=50, page_token="")
    assert EventKind.NOTE_ADDED not in [e.kind for e in events.events]


async def test_a_customers_list_is_always_their_own_and_searches_only_public_text(world: World) -> None:
    wanted = CaseFilter(customer_id=BEN.id, text="refund")
    await world.service.list_cases(ListCases(actor=ANA, filter=wanted, page_size=10))
    (search,) = world.reader.searches
    assert search.filter.customer_id == ANA.id
    assert not search.include_internal_text
    assert search.now == world.clock.now()


async def test_mine_means_the_caller(world: World) -> None:
    await world.service.list_cases(
        ListCases(actor=SAM, filter=CaseFilter(assignee=AssigneeScope.MINE), page_size=10)
    )
    (search,) = world.reader.searches
    assert (search.filter.assignee, search.filter.assignee_id) == (AssigneeScope.SOMEONE, SAM.id)
    assert search.include_internal_text


async def test_a_stale_version_is_refused_and_changes_nothing(world: World) -> None:
    case = await world.service.open_case(opening())
    updated = await world.service.update_case(
        UpdateCase(actor=SAM, case_id=case.id, expected_version=1, priority=CasePriority.HIGH)
    )
    assert updated.version == 2
    with pytest.raises(ConcurrencyConflictError):
        await world.service.update_case(
            UpdateCase(actor=SAM, case_id=case.id, expected_version=1, category=CaseCategory.OTHER)
        )
    assert world.store.cases[case.id].category is CaseCategory.DAMAGED_ITEM
    assert not world.units[-1].committed


async def test_a_change_that_changes_nothing_keeps_the_version(world: World) -> None:
    case = await world.service.open_case(opening())
    same = await world.service.assign_case(
        AssignCase(actor=SAM, case_id=case.id, expected_version=1, assignee_id=None)
    )
    assert same.version == 1


async def test_permission_errors_roll_back(world: World) -> None:
    case = await world.service.open_case(opening())
    with pytest.raises(PermissionDeniedError):
        await world.service.assign_case(
            AssignCase(actor=ANA, case_id=case.id, expected_version=1, assignee_id="x")
        )
    assert not world.units[-1].committed
    assert world.store.cases[case.id].assignee_id is None


async def test_the_whole_workflow_through_the_use_cases(world: World) -> None:
    case = await world.service.open_case(opening())
    added = await world.service.add_message(AddMessage(actor=SAM, case_id=case.id, body="Send a photo?"))
    assert added.case.status is CaseStatus.IN_PROGRESS
    waiting = await world.service.set_waiting(
        SetWaiting(actor=SAM, case_id=case.id, expected_version=2, waiting=True)
    )
    back = await world.service.set_waiting(
        SetWaiting(actor=SAM, case_id=case.id, expected_version=3, waiting=False)
    )
    resolved = await world.service.resolve_case(ResolveCase(actor=SAM, case_id=case.id, expected_version=4))
    reopened = await world.service.reopen_case(ReopenCase(actor=ANA, case_id=case.id, expected_version=5))
    resolved = await world.service.resolve_case(ResolveCase(actor=SAM, case_id=case.id, expected_version=6))
    closed = await world.service.close_case(CloseCase(actor=ANA, case_id=case.id, expected_version=7))
    assert [waiting.status, back.status, reopened.status, resolved.status, closed.status] == [
        CaseStatus.WAITING_ON_CUSTOMER,
        CaseStatus.IN_PROGRESS,
        CaseStatus.IN_PROGRESS,
        CaseStatus.RESOLVED,
        CaseStatus.CLOSED,
    ]


async def test_a_customer_writing_to_a_closed_case_opens_a_linked_follow_up(world: World) -> None:
    case = await world.service.open_case(opening())
    await world.service.add_message(AddMessage(actor=SAM, case_id=case.id, body="Done"))
    await world.service.resolve_case(ResolveCase(actor=SAM, case_id=case.id, expected_version=2))
    await world.service.close_case(CloseCase(actor=SAM, case_id=case.id, expected_version=3))
    added = await world.service.add_message(AddMessage(actor=ANA, case_id=case.id, body="It broke again"))
    follow_up = added.case
    assert (follow_up.id, follow_up.previous_case_id, follow_up.status) == (10002, case.id, CaseStatus.OPEN)
    assert added.message.case_id == follow_up.id
    old = world.store.cases[case.id]
    assert old.status is CaseStatus.CLOSED
    assert [e.kind for e in world.store.events if e.case_id == case.id][-1] is EventKind.FOLLOW_UP_OPENED


async def test_a_retried_message_is_added_once(world: World) -> None:
    case = await world.service.open_case(opening())
    first = await world.service.add_message(
        AddMessage(actor=ANA, case_id=case.id, body="Hi", request_id="m-1")
    )
    again = await world.service.add_message(
        AddMessage(actor=ANA, case_id=case.id, body="Hi", request_id="m-1")
    )
    assert again.message.id == first.message.id
    assert len(world.store.messages) == 1
    with pytest.raises(RequestIdReusedError):
        await world.service.add_message(
            AddMessage(actor=ANA, case_id=case.id, body="Other", request_id="m-1")
        )
