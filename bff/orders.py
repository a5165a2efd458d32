"""Order lookups: cache-aside in the store with a TTL, one upstream call per key at a time.

The shop is upstream and slow to change, so its orders are cached for `ttl_s`. Concurrent misses of
the same key share one upstream call (single-flight, within this process). The cache is only an
optimisation: when the store is down, lookups go straight to the shop. In front of the store, each
process keeps what it looked up in memory until the shared entry ends (at most `near_ttl_s`): a
Redis round trip and parsing cost more CPU than the rest of a page's order lookup. Each entry carries
when it was asked of the shop, so that no copy, shared or in memory, is shown more than `ttl_s` after
that. The objects handed out are shared between requests: read them, never change them.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from cachetools import TLRUCache
from pydantic import BaseModel, TypeAdapter

from bff import metrics, schemas
from bff.store import KeyValueStore, StoreUnavailableError
from kit.identity import Identity
from kit.logs import get_logger

log = get_logger("bff.orders")

T = TypeVar("T")


class ShopOrder(BaseModel):
    """An order and whose it is (the owner never goes to the browser, only into checks)."""

    customer_id: str
    order: schemas.Order


_ONE = TypeAdapter(ShopOrder)
_MANY = TypeAdapter(list[ShopOrder])


def _stamped(fetched_at: float, body: bytes) -> bytes:
    """A cache entry: when it was asked of the shop (wall clock, shared by every process), then the JSON."""
    return b"%.3f\n%s" % (fetched_at, body)


def _unstamped(entry: bytes) -> tuple[float, bytes] | None:
    """(fetched_at, JSON), or None for an entry this code cannot read."""
    stamp, newline, body = entry.partition(b"\n")  # JSON text holds no raw newline
    try:
        return (float(stamp), body) if newline else None
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class _Near:
    value: Any
    until: float


class OrderSource(abc.ABC):
    """The shop, as the BFF needs it (the gRPC adapter is bff.clients.shop.ShopClient)."""

    @abc.abstractmethod
    async def orders_of(self, who: Identity, customer_id: str) -> list[ShopOrder]: ...

    @abc.abstractmethod
    async def order(self, who: Identity, order_id: str) -> ShopOrder | None:
        """None when the shop has no such order."""


class OrderReader(Protocol):
    """What reading one order needs (OrderLookup, cached)."""

    async def order(self, who: Identity, order_id: str) -> ShopOrder | None: ...


async def order_if_reachable(orders: OrderReader, who: Identity, order_id: str) -> ShopOrder | None:
    """The order, or None when it cannot be looked up now (the shop away): a page then shows no
    order and no product titles rather than failing."""
    try:
        return await orders.order(who, order_id)
    except Exception as exc:
        log.warning("order lookup failed", error=type(exc).__name__)
        return None


class OrderLookup:
    def __init__(
        self,
        source: OrderSource,
        store: KeyValueStore,
        *,
        prefix: str,
        ttl_s: float,
        near_ttl_s: float = 0.0,
        near_size: int = 10_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._source = source
        self._store = store
        self._prefix = prefix
        self._ttl_s = ttl_s
        self._near_ttl_s = near_ttl_s
        self._clock = clock  # wall clock: entries carry when they were asked of the shop, for every process
        self._inflight: dict[str, asyncio.Future[Any]] = {}
        # key -> parsed value and until when it may be shown; off when near_ttl_s is 0
        self._near: TLRUCache[str, _Near] | None = (
            TLRUCache(near_size, ttu=lambda _key, near, _now: near.until, timer=clock)
            if near_ttl_s > 0
            else None
        )

    # v2: entries carry when they were asked of the shop (_stamped); v1 entries are simply not read.
    def order_key(self, order_id: str) -> str:
        return f"{self._prefix}order:v2:{order_id}"

    def customer_key(self, customer_id: str) -> str:
        return f"{self._prefix}orders:v2:{customer_id}"

    async def orders_of(self, who: Identity, customer_id: str) -> list[ShopOrder]:
        key = self.customer_key(customer_id)
        near: list[ShopOrder] | None = self._near_get(key)
        if near is not None:
            metrics.order_cache("orders", hit=True)
            return near

        async def load() -> list[ShopOrder]:
            cached = await self._cached(key)
            metrics.order_cache("orders", hit=cached is not None)
            if cached is not None:
                fetched_at, body = cached
                return self._near_put(key, _MANY.validate_json(body), fetched_at)
            fetched_at = self._clock()
            orders = await self._source.orders_of(who, customer_id)
            items = [(key, _stamped(fetched_at, _MANY.dump_json(orders)))]
            items += [(self.order_key(o.order.id), _stamped(fetched_at, _ONE.dump_json(o))) for o in orders]
            await self._remember(items)
            return self._near_put(key, orders, fetched_at)

        return await self._single_flight(key, load)

    async def order(self, who: Identity, order_id: str) -> ShopOrder | None:
        key = self.order_key(order_id)
        near: ShopOrder | None = self._near_get(key)
        if near is not None:
            metrics.order_cache("order", hit=True)
            return near

        async def load() -> ShopOrder | None:
            cached = await self._cached(key)
            metrics.order_cache("order", hit=cached is not None)
            if cached is not None:
                fetched_at, body = cached
                return self._near_put(key, _ONE.validate_json(body), fetched_at)
            fetched_at = self._clock()
            order = await self._source.order(who, order_id)
            if order is not None:  # misses are not cached: a new order must show up at once
                await self._remember([(key, _stamped(fetched_at, _ONE.dump_json(order)))])
                self._near_put(key, order, fetched_at)
            return order

        return await self._single_flight(key, load)

    def _near_get(self, key: str) -> Any:
        near = None if self._near is None else self._near.get(key)
        return None if near is None else near.value

    def _near_put(self, key: str, value: T, fetched_at: float) -> T:
        """Kept in memory until the shared entry ends (`ttl_s` after it was asked of the shop), at most
        `near_ttl_s`."""
        if self._near is not None:
            until = min(fetched_at + self._ttl_s, self._clock() + self._near_ttl_s)
            # When full, the expired go first, then the least recently used.
            self._near[key] = _Near(value, until)
        return value

    async def _cached(self, key: str) -> tuple[float, bytes] | None:
        """The shared entry (when it was asked of the shop, its JSON), or None: missing, expired, unreadable,
        or the store down."""
        try:
            entry = await self._store.get(key)
        except StoreUnavailableError:
            return None  # the store is down: a miss
        cached = None if entry is None else _unstamped(entry)
        # Redis expires it too; checked here as well, so that no copy is shown past `ttl_s`.
        if cached is None or cached[0] + self._ttl_s <= self._clock():
            return None
        return cached

    async def _remember(self, items: list[tuple[str, bytes]]) -> None:
        with contextlib.suppress(StoreUnavailableError):  # the next lookup asks the shop again
            await self._store.set_many(items, self._ttl_s)

    async def _single_flight(self, key: str, load: Callable[[], Awaitable[T]]) -> T:
        future: asyncio.Future[T] | None = self._inflight.get(key)
        if future is None:
            future = asyncio.ensure_future(load())
            self._inflight[key] = future
            future.add_done_callback(lambda done: self._landed(key, done))
        # shield: one caller giving up (client gone) must not cancel the call the others wait for.
        return await asyncio.shield(future)

    def _landed(self, key: str, done: asyncio.Future[Any]) -> None:
        if self._inflight.get(key) is done:
            del self._inflight[key]
        if not done.cancelled():
            done.exception()  # retrieved, so a failure nobody awaited is not reported as lost
