"""SIGTERM to support_svc, then to refund_svc, under a load of creates and messages (then messages
and refund reads until both restarts are over).

Every request either succeeds and is stored, or fails with a retryable status and succeeds when
retried with the same request id; nothing is stored twice. The processes are the real ones, run by
the launcher's supervisor, which restarts a process that exits.

CANCELLED is retryable here: when a grpc.aio server stops, calls that reached it but were not yet
handed to a handler are cancelled by gRPC core (grpc/grpc#41785), and some whose handler had already
finished may be reported CANCELLED too; retried with the same request id, each is stored once.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import grpc
import pytest
from acme.refund.v1 import refund_pb2, refund_service_pb2, refund_service_pb2_grpc
from acme.shop.v1 import order_service_pb2, order_service_pb2_grpc
from acme.support.v1 import case_pb2, case_service_pb2, case_service_pb2_grpc

from kit.identity import Identity, Role, bearer_metadata
from launcher.system import DEFAULT_PORTS, Layout, Supervisor, free_port, grpc_serving, new_secret

pytestmark = pytest.mark.integration

CUSTOMERS = 40  # generated shop customers cus_100000.., three orders each
RETRYABLE = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED}
AGENT = Identity("agt_2001", Role.AGENT)


@pytest.fixture
async def supervisor(tmp_path: Path) -> AsyncIterator[Supervisor]:
    layout = Layout(
        data_dir=tmp_path,
        ports={name: free_port() for name in DEFAULT_PORTS},
        redis_url="",
        identity_secret=new_secret(),
        extra_env={"SHOP_CUSTOMERS": str(CUSTOMERS), "LOG_LEVEL": "WARNING", "SUPPORT_GRACE_S": "5"},
    )
    sup = Supervisor(layout, echo=lambda name, line: None)
    await sup.start()
    stop = asyncio.Event()
    watcher = asyncio.create_task(sup.watch(stop))
    yield sup
    stop.set()
    await watcher
    assert await sup.stop(), f"not every process stopped cleanly: {sup.exits}"


async def with_retries(
    call: Callable[[], Awaitable[Any]], failures: list[grpc.StatusCode], deadline_s: float = 40.0
) -> Any:
    """Retries a call (which reuses its request id) on retryable statuses only; appends each failed
    attempt's status to `failures`."""
    give_up = time.monotonic() + deadline_s
    while True:
        try:
            return await call()
        except grpc.aio.AioRpcError as err:
            failures.append(err.code())
            if err.code() not in RETRYABLE or time.monotonic() > give_up:
                raise
            await asyncio.sleep(0.1)


async def restart(
    sup: Supervisor, name: str, load: asyncio.Task[None], failures: list[grpc.StatusCode]
) -> Counter[str]:
    """SIGTERM, as an operator would, while `load` runs; the supervisor starts the process again.
    Returns the statuses of the calls that failed from the SIGTERM until the new process serves."""
    assert not load.done(), f"the load ended before {name} was restarted: nothing would be tested"
    before = len(failures)
    proc = sup.procs[name]
    proc.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(proc.wait(), 30) == 0, f"{name} did not stop cleanly"
    for _ in range(300):
        if sup.procs[name] is not proc and await grpc_serving(sup.layout.addr(name)):
            return Counter(code.name for code in failures[before:])
        await asyncio.sleep(0.1)
    raise AssertionError(f"{name} was not restarted")


async def test_sigterm_under_load_loses_nothing_and_stores_nothing_twice(supervisor: Supervisor) -> None:
    layout = supervisor.layout
    secret = layout.identity_secret
    agent_md = bearer_metadata(secret, AGENT, ttl_s=600)
    async with (
        grpc.aio.insecure_channel(layout.addr("support")) as support_ch,
        grpc.aio.insecure_channel(layout.addr("refund")) as refund_ch,
        grpc.aio.insecure_channel(layout.addr("shop")) as shop_ch,
    ):
        cases = case_service_pb2_grpc.CaseServiceStub(support_ch)
        refunds = refund_service_pb2_grpc.RefundServiceStub(refund_ch)
        shop = order_service_pb2_grpc.OrderServiceStub(shop_ch)
        customers = [f"cus_{100_000 + i}" for i in range(CUSTOMERS)]
        orders = {
            c: list((await shop.ListOrders(order_service_pb2.ListOrdersRequest(customer_id=c))).orders)
            for c in customers
        }
        marker = uuid.uuid4().hex[:8]
        created: dict[str, str] = {}  # request id -> case name
        messages: dict[str, str] = {}  # request id -> case name
        refunded: dict[str, str] = {}  # request id -> refund name
        failures: list[grpc.StatusCode] = []  # every failed attempt, retried or not

        async def open_case(customer: str, n: int) -> None:
            request_id = f"case-{marker}-{customer}-{n}"
            md = bearer_metadata(secret, Identity(customer, Role.CUSTOMER), ttl_s=600)
            request = case_service_pb2.CreateCaseRequest(
                case=case_pb2.Case(
                    order_id=orders[customer][n].order_id,
                    category=case_pb2.CASE_CATEGORY_DAMAGED_ITEM,
                    subject=f"Load {marker} {customer} {n}",
                    description="Arrived broken.",
                ),
                request_id=request_id,
            )
            reply = await with_retries(lambda: cases.CreateCase(request, metadata=md, timeout=5), failures)
            created[request_id] = reply.case.name
            for m in range(2):
                message_id = f"msg-{marker}-{customer}-{n}-{m}"
                add = case_service_pb2.AddCaseMessageRequest(
                    parent=reply.case.name, body=f"Update {m}", request_id=message_id
                )
                await with_retries(
                    lambda add=add: cases.AddCaseMessage(add, metadata=md, timeout=5),  # type: ignore[misc]
                    failures,
                )
                messages[message_id] = reply.case.name
            line = orders[customer][n].lines[0]
            refund_id = f"refund-{marker}-{customer}-{n}"
            create = refund_service_pb2.CreateRefundRequest(
                refund=refund_pb2.Refund(
                    case=reply.case.name,
                    order_id=orders[customer][n].order_id,
                    lines=[refund_pb2.RefundLine(order_line_id=line.line_id, quantity=1)],
                    reason=refund_pb2.REFUND_REASON_DAMAGED,
                    method=refund_pb2.REFUND_METHOD_STORE_CREDIT,
                    note="Created by an agent during the restart test.",
                ),
                request_id=refund_id,
            )
            made = await with_retries(
                lambda: refunds.CreateRefund(create, metadata=agent_md, timeout=5), failures
            )
            refunded[refund_id] = made.refund.name

        both_restarted = asyncio.Event()

        async def keep_going() -> None:
            # However fast the waves went, calls stay in flight until both restarts are over: messages
            # to the cases made (support) and reads of the refunds made (refund).
            k = 0
            while not both_restarted.is_set():
                case_name = list(created.values())[k % len(created)]
                message_id = f"msg-{marker}-more-{k}"
                add = case_service_pb2.AddCaseMessageRequest(
                    parent=case_name, body=f"Update more {k}", request_id=message_id
                )
                await with_retries(
                    lambda add=add: cases.AddCaseMessage(add, metadata=agent_md, timeout=5),  # type: ignore[misc]
                    failures,
                )
                messages[message_id] = case_name
                read = refund_service_pb2.GetRefundRequest(name=list(refunded.values())[k % len(refunded)])
                await with_retries(
                    lambda read=read: refunds.GetRefund(read, metadata=agent_md, timeout=5),  # type: ignore[misc]
                    failures,
                )
                k += 1

        async def load() -> None:
            # Waves of creates, then more calls until both restarts are over, so that each restart
            # happens while requests are in flight.
            for n in range(len(orders[customers[0]])):
                await asyncio.gather(*(open_case(c, n) for c in customers))
            await keep_going()

        load_task = asyncio.create_task(load())
        await asyncio.sleep(0.5)
        around_support = await restart(supervisor, "support", load_task, failures)
        await asyncio.sleep(0.5)
        around_refund = await restart(supervisor, "refund", load_task, failures)
        both_restarted.set()
        await asyncio.wait_for(load_task, 120)

        # Each restart really happened under load: calls failed with a retryable status around it
        # (UNAVAILABLE while it was down; CANCELLED, counted apart, for calls cut at its stop).
        assert set(around_support) | set(around_refund) <= {code.name for code in RETRYABLE}
        assert around_support.total() > 0, f"no call failed around support's restart: {around_support}"
        assert around_refund.total() > 0, f"no call failed around refund's restart: {around_refund}"
        print(f"failed around the restarts: support {dict(around_support)}, refund {dict(around_refund)}")

        expected_cases = CUSTOMERS * len(orders[customers[0]])
        assert len(created) == expected_cases
        assert len(set(created.values())) == expected_cases  # one case per request id

        stored_cases: list[case_pb2.Case] = []
        token = ""
        while True:
            page = await cases.ListCases(
                case_service_pb2.ListCasesRequest(page_size=100, page_token=token, query=marker),
                metadata=agent_md,
            )
            stored_cases.extend(page.cases)
            token = page.next_page_token
            if not token:
                break
        assert sorted(c.name for c in stored_cases) == sorted(created.values())  # nothing twice, nothing lost

        per_case: dict[str, int] = {}
        for name in messages.values():
            per_case[name] = per_case.get(name, 0) + 1
        for name, count in per_case.items():
            full = await cases.GetCase(
                case_service_pb2.GetCaseRequest(name=name, view=case_service_pb2.CASE_VIEW_FULL),
                metadata=agent_md,
            )
            bodies = [m.body for m in full.messages if m.body.startswith("Update ")]
            assert len(bodies) == count, f"{name}: {bodies}"

        stored_refunds: set[str] = set()
        for case_name in created.values():
            listed = await refunds.ListRefunds(
                refund_service_pb2.ListRefundsRequest(case=case_name), metadata=agent_md
            )
            stored_refunds.update(r.name for r in listed.refunds)
        assert stored_refunds == set(refunded.values())
        assert len(stored_refunds) == len(refunded) == expected_cases


async def test_a_process_that_dies_is_restarted(supervisor: Supervisor) -> None:
    old = supervisor.procs["shop"]
    with contextlib.suppress(ProcessLookupError):
        old.kill()
    for _ in range(100):
        if supervisor.procs["shop"] is not old:
            break
        await asyncio.sleep(0.1)
    assert supervisor.procs["shop"] is not old
    assert supervisor.restarts["shop"] == 1
    # Serving again (and so, like every process, it stops cleanly at the end).
    for _ in range(300):
        if await grpc_serving(supervisor.layout.addr("shop")):
            return
        await asyncio.sleep(0.1)
    raise AssertionError("shop did not serve again after its restart")
