"""The signed-in customer's orders (from the shop, through the cache)."""

from __future__ import annotations

from fastapi import APIRouter

from bff.deps import CustomerCaller
from bff.routers.common import READ_ERRORS, problems
from bff.schemas import OrdersResponse

router = APIRouter(prefix="/api/orders", tags=["orders"])


@router.get(
    "", operation_id="listOrders", response_model=OrdersResponse, responses=problems(*READ_ERRORS, 403)
)
async def list_orders(caller: CustomerCaller) -> OrdersResponse:
    user, state = caller.user, caller.state
    orders = await state.orders.orders_of(user.identity, user.id)
    # The BFF asked for this customer's orders; checking the owner again costs nothing.
    return OrdersResponse(orders=[o.order for o in orders if o.customer_id == user.id])
