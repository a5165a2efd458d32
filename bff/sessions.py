"""Browser sessions: an opaque random id in a cookie, the session itself in the store.

The store key is a hash of the id, so that whoever can read Redis still cannot use a key as a cookie.
A session ends after `idle_s` without use or `absolute_s` after sign-in, whichever comes first.

Every API request needs its session, and a Redis round trip costs about as much of the BFF's CPU as
the rest of a light request: a session read from the store is also kept in this process's memory
for `near_ttl_s`, but only while the process hears every sign-out (`follow_sign_outs`): each ended
session is told on a store channel, and every process drops its copy at once. While that channel
is not heard (at start, or after the store connection broke), nothing is kept: each request reads
the store. Idle and absolute expiry are judged on every request, and a session that looks expired
here is looked up in the store again before it ends (another process may have used it since). The
idle timer is refreshed by writing the session only where it still exists (SET XX), so a copy kept
here never brings back a session another process ended.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

import orjson
from cachetools import TTLCache

from bff.store import Clock, KeyValueStore
from kit.logs import get_logger

log = get_logger("bff.sessions")

COOKIE_NAME = "__Host-acme_session"
SIGN_OUTS = "sessions:ended:v1"  # store channel (after the key prefix): the store key of each ended session


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
        # store key -> the session as last read or written here (see the module docstring); keyed
        # like the store, because sign-outs are told by store key (never by id: ids are cookies)
        self._near: TTLCache[str, Session] | None = (
            TTLCache(max_near, ttl=near_ttl_s, timer=clock) if near_ttl_s > 0 else None
        )
        self._hearing = False  # every sign-out is heard: copies may be kept
        self._heard = 0  # sign-outs heard so far: a read that overlapped one is not kept

    @property
    def hears_sign_outs(self) -> bool:
        return self._hearing

    async def follow_sign_outs(self) -> None:
        """Runs until cancelled (a task of the app's lifespan): keeps copies only while it hears
        every sign-out."""
        await self._store.listen(self._prefix + SIGN_OUTS, self._signed_out, self._hear)

    def _hear(self, live: bool) -> None:
        # Both ways, what is kept goes: sign-outs may have been missed before, or from now on.
        self._hearing = live
        if self._near is not None:
            self._near.clear()
            if live:
                log.info("hearing sign-outs: sessions are kept in memory")
            else:
                log.warning("sign-outs not heard: every request reads its session from the store")

    def _signed_out(self, key: bytes) -> None:
        self._heard += 1
        if self._near is not None:
            self._near.pop(key.decode(), None)

    def _keep(self, key: str, session: Session, heard_before: int) -> None:
        """Keeps a copy, unless a sign-out was heard while it was being read or written (its
        answer and the sign-out travel on two connections: the sign-out may come in first)."""
        if self._near is not None and self._hearing and self._heard == heard_before:
            self._near[key] = session

    @property
    def absolute_s(self) -> float:
        return self._absolute_s

    def _key(self, session_id: str) -> str:
        """The session's store key (and key in memory): a hash, worked out once per request."""
        return f"{self._prefix}session:v1:{hashlib.sha256(session_id.encode()).hexdigest()}"

    def _body(self, session: Session) -> tuple[bytes, float]:
        ttl = min(self._idle_s, session.created_at + self._absolute_s - self._clock())
        return orjson.dumps({"u": session.user_id, "c": session.created_at, "s": session.last_seen_at}), ttl

    async def _save(self, session: Session) -> None:
        key, heard = self._key(session.id), self._heard
        await self._store.set(key, *self._body(session))
        self._keep(key, session, heard)

    async def _touch(self, key: str, session: Session) -> bool:
        """Refreshes the idle timer where the session still exists; False when it has ended."""
        heard = self._heard
        if not await self._store.replace(key, *self._body(session)):
            return False
        self._keep(key, session, heard)
        return True

    async def create(self, user_id: str, replaces: str | None = None) -> Session:
        """A new session; the one the browser had before (if any) ends, so an id planted before
        sign-in is worthless after it."""
        if replaces:
            await self._drop(self._key(replaces))
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
        key = self._key(session_id)
        near = self._near if self._hearing else None
        session = near.get(key) if near is not None else None
        if session is None or self._expired(session, now):
            session = await self._read(session_id, key)
            if session is None:
                return None
            if self._expired(session, now):
                await self._drop(key)
                return None
        if touch and self._touch_due(session, now):
            session = Session(session.id, session.user_id, session.created_at, now)
            if not await self._touch(key, session):
                self._forget(key)
                return None
        return session

    def _touch_due(self, session: Session, now: float) -> bool:
        return now - session.last_seen_at >= self._touch_every_s

    def _expired(self, session: Session, now: float) -> bool:
        return now - session.last_seen_at >= self._idle_s or now - session.created_at >= self._absolute_s

    async def _read(self, session_id: str, key: str) -> Session | None:
        heard = self._heard
        raw = await self._store.get(key)
        if raw is None:
            return None
        data = orjson.loads(raw)
        session = Session(id=session_id, user_id=data["u"], created_at=data["c"], last_seen_at=data["s"])
        self._keep(key, session, heard)
        return session

    def _forget(self, key: str) -> None:
        if self._near is not None:
            self._near.pop(key, None)

    async def _drop(self, key: str) -> None:
        """Ends the session everywhere: in the store, here, and (told) in every other process."""
        self._forget(key)
        await self._store.delete(key)
        await self._store.publish(self._prefix + SIGN_OUTS, key.encode())

    async def destroy(self, session_id: str) -> None:
        if session_id:
            await self._drop(self._key(session_id))
