"""Who may sign in: the UserDirectory port, its JSON-file adapter, and password checks (argon2id)."""

from __future__ import annotations

import abc
import asyncio
import contextlib
import secrets
from dataclasses import dataclass
from pathlib import Path

import orjson
from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kit.identity import Identity, Role


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    name: str
    email: str
    role: Role
    password_hash: str

    @property
    def identity(self) -> Identity:
        return Identity(subject=self.id, role=self.role)


class UserDirectory(abc.ABC):
    """The people who use the product. Lookups are in memory: they sit on every request's path."""

    @abc.abstractmethod
    def by_email(self, email: str) -> Account | None: ...

    @abc.abstractmethod
    def by_id(self, user_id: str) -> Account | None: ...

    @abc.abstractmethod
    def accounts(self) -> list[Account]: ...

    def staff(self) -> list[Account]:
        return sorted((a for a in self.accounts() if a.role.is_staff), key=lambda a: a.name)


class JsonFileUserDirectory(UserDirectory):
    """Accounts from a JSON file: [{id, name, email, role, passwordHash}]. Hashes only, never passwords."""

    def __init__(self, path: Path) -> None:
        rows = orjson.loads(path.read_bytes())
        accounts = [
            Account(
                id=str(row["id"]),
                name=str(row["name"]),
                email=str(row["email"]).strip().lower(),
                role=Role(row["role"]),
                password_hash=str(row["passwordHash"]),
            )
            for row in rows
        ]
        self._by_id = {a.id: a for a in accounts}
        self._by_email = {a.email: a for a in accounts}

    def by_email(self, email: str) -> Account | None:
        return self._by_email.get(email.strip().lower())

    def by_id(self, user_id: str) -> Account | None:
        return self._by_id.get(user_id)

    def accounts(self) -> list[Account]:
        return list(self._by_id.values())


class PasswordChecker:
    """argon2id verification off the event loop (argon2 releases the GIL), a few at a time so that a
    burst of sign-ins cannot take all memory (64 MiB each). Unknown emails are checked against a dummy
    hash made with the same parameters as the accounts' hashes, so that they take as long."""

    def __init__(self, directory: UserDirectory, concurrency: int = 4) -> None:
        self._hasher = PasswordHasher()
        sample = next((a.password_hash for a in directory.accounts()), None)
        dummy_hasher = self._hasher
        if sample is not None:
            with contextlib.suppress(InvalidHashError):
                dummy_hasher = PasswordHasher.from_parameters(extract_parameters(sample))
        self._dummy_hash = dummy_hasher.hash(secrets.token_urlsafe(16))
        self._slots = asyncio.Semaphore(concurrency)

    async def verify(self, account: Account | None, password: str) -> bool:
        encoded = account.password_hash if account is not None else self._dummy_hash
        async with self._slots:
            ok = await asyncio.to_thread(self._verify, encoded, password)
        return ok and account is not None

    def _verify(self, encoded: str, password: str) -> bool:
        try:
            return bool(self._hasher.verify(encoded, password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
