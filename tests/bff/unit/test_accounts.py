"""The committed demo accounts hold argon2id hashes, and passwords are checked against them."""

from __future__ import annotations

from bff.accounts import JsonFileUserDirectory, PasswordChecker
from bff.config import PACKAGE_DIR
from kit.identity import Role

DEMO_FILE = PACKAGE_DIR / "demo_accounts.json"


def test_the_demo_file_has_the_five_demo_people_with_hashes_only() -> None:
    directory = JsonFileUserDirectory(DEMO_FILE)
    text = DEMO_FILE.read_text()

    people = {(a.id, a.email, a.role) for a in directory.accounts()}
    assert people == {
        ("cus_1001", "ana@example.com", Role.CUSTOMER),
        ("cus_1002", "ben@example.com", Role.CUSTOMER),
        ("agt_2001", "sam@example.com", Role.AGENT),
        ("agt_2003", "kim@example.com", Role.AGENT),
        ("agt_2002", "lee@example.com", Role.LEAD),
    }
    assert "demo-password" not in text
    assert all(a.password_hash.startswith("$argon2id$") for a in directory.accounts())
    assert [a.name for a in directory.staff()] == ["Kim Park", "Lee Moreau", "Sam Rivera"]
    assert directory.by_email("  ANA@example.com ") == directory.by_id("cus_1001")


async def test_the_demo_password_opens_an_account_and_nothing_else_does() -> None:
    directory = JsonFileUserDirectory(DEMO_FILE)
    checker = PasswordChecker(directory)
    ana = directory.by_id("cus_1001")

    assert await checker.verify(ana, "demo-password")
    assert not await checker.verify(ana, "demo-passwordx")
    assert not await checker.verify(None, "demo-password")  # unknown email: checked, then refused
