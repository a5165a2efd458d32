"""Demo data for `make run`: a few cases opened through the real services, so every screen has
something to show. Orders and products come from the shop stand-in's own seed. Seeding is skipped
when the support database already holds cases, so restarts keep what people did.
"""

from __future__ import annotations

import grpc
from acme.shop.v1 import order_service_pb2, order_service_pb2_grpc
from acme.support.v1 import case_pb2, case_service_pb2, case_service_pb2_grpc

from kit.identity import Identity, Role, bearer_metadata
from launcher.system import Layout

ANA = Identity("cus_1001", Role.CUSTOMER)
BEN = Identity("cus_1002", Role.CUSTOMER)
SAM = Identity("agt_2001", Role.AGENT)


async def seed_demo(layout: Layout) -> int:
    """Opens the demo cases unless some exist. Returns how many cases it opened."""
    secret = layout.identity_secret
    async with (
        grpc.aio.insecure_channel(layout.addr("support")) as support_channel,
        grpc.aio.insecure_channel(layout.addr("shop")) as shop_channel,
    ):
        cases = case_service_pb2_grpc.CaseServiceStub(support_channel)
        shop = order_service_pb2_grpc.OrderServiceStub(shop_channel)
        existing = await cases.ListCases(
            case_service_pb2.ListCasesRequest(page_size=1), metadata=bearer_metadata(secret, SAM), timeout=5
        )
        if existing.cases:
            return 0

        async def first_order(customer: Identity) -> str:
            reply = await shop.ListOrders(
                order_service_pb2.ListOrdersRequest(customer_id=customer.subject, page_size=1), timeout=5
            )
            return str(reply.orders[0].order_id)

        ben_case = await cases.CreateCase(
            case_service_pb2.CreateCaseRequest(
                case=case_pb2.Case(
                    order_id=await first_order(BEN),
                    category=case_pb2.CASE_CATEGORY_LATE_DELIVERY,
                    subject="My parcel is a week late",
                    description="Tracking has not moved since Monday. Can you check with the carrier?",
                ),
                request_id="demo-seed-ben-1",
            ),
            metadata=bearer_metadata(secret, BEN),
            timeout=5,
        )
        await cases.AddCaseMessage(
            case_service_pb2.AddCaseMessageRequest(
                parent=ben_case.case.name,
                body="Thanks for telling us. I have asked the carrier and will update you today.",
                request_id="demo-seed-sam-1",
            ),
            metadata=bearer_metadata(secret, SAM),
            timeout=5,
        )
        await cases.CreateCase(
            case_service_pb2.CreateCaseRequest(
                case=case_pb2.Case(
                    order_id=await first_order(ANA),
                    category=case_pb2.CASE_CATEGORY_QUALITY,
                    subject="The kettle lid does not close",
                    description="The lid springs open when the water boils.",
                ),
                request_id="demo-seed-ana-1",
            ),
            metadata=bearer_metadata(secret, ANA),
            timeout=5,
        )
        return 2
