"""The layers of refund_svc keep their dependencies pointing inwards (checked on the import AST)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
FORBIDDEN_IN_APPLICATION = ("grpc", "grpc_status", "grpc_health", "aiosqlite", "acme", "fastapi", "redis")


def imports_of(path: Path, root: Path = ROOT) -> list[str]:
    """Every module a file imports, absolute (relative imports resolved against its package)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = path.relative_to(root).with_suffix("").parts[:-1]
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1])
                names.append(f"{base}.{node.module}" if node.module else base)
            elif node.module:
                names.append(node.module)
    return names


def non_stdlib_imports_of_domain(path: Path, root: Path = ROOT) -> list[str]:
    return [
        name
        for name in imports_of(path, root)
        if not name.startswith("refund_svc.domain") and name.split(".")[0] not in sys.stdlib_module_names
    ]


def forbidden_imports_of_application(path: Path, root: Path = ROOT) -> list[str]:
    return [
        name
        for name in imports_of(path, root)
        if name.split(".")[0] in FORBIDDEN_IN_APPLICATION
        or name.startswith(("refund_svc.infrastructure", "refund_svc.presentation"))
    ]


def _files(layer: str) -> list[Path]:
    files = sorted((ROOT / "refund_svc" / layer).rglob("*.py"))
    assert files, f"no files in refund_svc/{layer}"
    return files


@pytest.mark.parametrize("path", _files("domain"), ids=lambda p: p.name)
def test_the_domain_imports_only_the_standard_library_and_itself(path: Path) -> None:
    assert non_stdlib_imports_of_domain(path) == []


@pytest.mark.parametrize("path", _files("application"), ids=lambda p: p.name)
def test_the_application_knows_no_frameworks_or_generated_code(path: Path) -> None:
    assert forbidden_imports_of_application(path) == []


def test_the_checks_catch_violations(tmp_path: Path) -> None:
    layer = tmp_path / "refund_svc" / "domain"
    layer.mkdir(parents=True)
    bad = layer / "bad.py"
    bad.write_text(
        "import json\nimport grpc\nfrom aiosqlite import connect\nfrom ..infrastructure import database\n"
        "from .money import Money\nfrom acme.refund.v1 import refund_pb2\n"
    )

    assert non_stdlib_imports_of_domain(bad, tmp_path) == [
        "grpc",
        "aiosqlite",
        "refund_svc.infrastructure",
        "acme.refund.v1",
    ]
    assert forbidden_imports_of_application(bad, tmp_path) == [
        "grpc",
        "aiosqlite",
        "refund_svc.infrastructure",
        "acme.refund.v1",
    ]
