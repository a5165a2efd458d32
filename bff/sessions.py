"""Browser sessions: an opaque random id in a cookie, the session itself in the store.

The store key is a hash of the id, so that whoever can read Redis still cannot use a key as a cookie.
A session ends after `idle_s` without use or `absolute_s` after sign-in, whichever comes first.

Every API request needs its session, and a Redis round trip costs about as much of the BFF's CPU as
the rest of a light request: a session read from the store is also kept in this process's memory
for `near_ttl_s`. Sign-out and sign-in through this process drop it at once; a sign-out through
another BFF process reaches this one within `near_ttl_s`. Idle and absolute expiry are judged on
every request, and a session that looks expired here is looked up in the store again before it ends
(another process may have used it since).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

import orjson
from cachetools import TTLCache

from bff.store import Clock, KeyValueStore

COOKIE_NAME = "__Host-acme_session"


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    user_id: str
    created_at: float
    last_seen_at: float


class SessionManager:
    def __init__(
        self,
        store: KeyValueStore,
        *,
        prefix: str,
        idle_s: float,
        absolute_s: float,
        near_ttl_s: float = 0.0,
        max_near: int = 100_000,
        clock: Clock = time.time,
    ) -> None:
        self._store = store
        self._prefix = prefix
        self._idle_s = idle_s
        self._absolute_s = absolute_s
        self._clock = clock
        # Refresh the idle timer at most this often: a write per request would double Redis traffic.
        self._touch_every_s = min(60.0, idle_s / 10)
        # session id -> the session as last read or written here (see the module docstring)
        self._near: TTLCache[str, Session] | None = (
            TTLCache(max_near, ttl=near_ttl_s, timer=clock) if near_ttl_s > 0 else None
        )

    @property
    def absolute_s(self) -> float:
        return self._absolute_s

    def _key(self, session_id: str) -> str:
        return f"{self._prefix}session:v1:{hashlib.sha256(session_id.encode()).hexdigest()}"

    async def _save(self, session: Session) -> None:
        now = self._clock()
        ttl = min(self._idle_s, session.created_at + self._absolute_s - now)
        body = orjson.dumps({"u": session.user_id, "c": session.created_at, "s": session.last_seen_at})
        await self._store.set(self._key(session.id), body, ttl)
        if self._near is not None:
            self._near[session.id] = session

    async def create(self, user_id: str, replaces: str | None = None) -> Session:
        """A new session; the one the browser had before (if any) ends, so an id planted before
        sign-in is worthless after it."""
        if replaces:
            await self._drop(replaces)
        now = self._clock()
        session = Session(id=secrets.token_urlsafe(32), user_id=user_id, created_at=now, last_seen_at=now)
        await self._save(session)
        return session

    async def get(self, session_id: str, *, touch: bool = True) -> Session | None:
        """The live session, its idle timer refreshed; `touch=False` only looks (a page left open
        with live updates must not keep its session alive forever)."""
        if not session_id or len(session_id) > 128:
            return None
        now = self._clock()
        session = self._near.get(session_id) if self._near is not None else None
        # Before its idle timer is refreshed a session is read from the store again: a copy kept here
        # must never write back a session that another process has ended.
        if session is None or self._expired(session, now) or (touch and self._touch_due(session, now)):
            session = await self._read(session_id)
            if session is None:
                return None
            if self._expired(session, now):
                await self._drop(session_id)
                return None
        if touch and self._touch_due(session, now):
            session = Session(session.id, session.user_id, session.created_at, now)
            await self._save(session)
        return session

    def _touch_due(self, session: Session, now: float) -> bool:
        return now - session.last_seen_at >= self._touch_every_s

    def _expired(self, session: Session, now: float) -> bool:
        return now - session.last_seen_at >= self._idle_s or now - session.created_at >= self._absolute_s

    async def _read(self, session_id: str) -> Session | None:
        raw = await self._store.get(self._key(session_id))
        if raw is None:
            return None
        data = orjson.loads(raw)
        session = Session(id=session_id, user_id=data["u"], created_at=data["c"], last_seen_at=data["s"])
        if self._near is not None:
            self._near[session_id] = session
        return session

    async def _drop(self, session_id: str) -> None:
        if self._near is not None:
            self._near.pop(session_id, None)
        await self._store.delete(self._key(session_id))

    async def destroy(self, session_id: str) -> None:
        if session_id:
            await self._drop(session_id)
