"""Browser sessions: an opaque random id in a cookie, the session itself in the store.

The store key is a hash of the id, so that whoever can read Redis still cannot use a key as a cookie.
A session ends after `idle_s` without use or `absolute_s` after sign-in, whichever comes first.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

import orjson

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
        clock: Clock = time.time,
    ) -> None:
        self._store = store
        self._prefix = prefix
        self._idle_s = idle_s
        self._absolute_s = absolute_s
        self._clock = clock
        # Refresh the idle timer at most this often: a write per request would double Redis traffic.
        self._touch_every_s = min(60.0, idle_s / 10)

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

    async def create(self, user_id: str, replaces: str | None = None) -> Session:
        """A new session; the one the browser had before (if any) ends, so an id planted before
        sign-in is worthless after it."""
        if replaces:
            await self._store.delete(self._key(replaces))
        now = self._clock()
        session = Session(id=secrets.token_urlsafe(32), user_id=user_id, created_at=now, last_seen_at=now)
        await self._save(session)
        return session

    async def get(self, session_id: str, *, touch: bool = True) -> Session | None:
        """The live session, its idle timer refreshed; `touch=False` only looks (a page left open
        with live updates must not keep its session alive forever)."""
        if not session_id or len(session_id) > 128:
            return None
        raw = await self._store.get(self._key(session_id))
        if raw is None:
            return None
        data = orjson.loads(raw)
        session = Session(id=session_id, user_id=data["u"], created_at=data["c"], last_seen_at=data["s"])
        now = self._clock()
        if now - session.last_seen_at >= self._idle_s or now - session.created_at >= self._absolute_s:
            await self._store.delete(self._key(session_id))
            return None
        if touch and now - session.last_seen_at >= self._touch_every_s:
            session = Session(session.id, session.user_id, session.created_at, now)
            await self._save(session)
        return session

    async def destroy(self, session_id: str) -> None:
        if session_id:
            await self._store.delete(self._key(session_id))
