"""The dependency rule, read from the import statements of the source (AST, nothing imported)."""

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[3] / "support_svc"
APPLICATION_FORBIDDEN = (
    "grpc",
    "grpc_status",
    "grpc_health",
    "aiosqlite",
    "acme",
    "fastapi",
    "redis",
    "google",
)


def imported_modules(folder: Path) -> list[tuple[Path, str]]:
    found: list[tuple[Path, str]] = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                found += [(path, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{path}: use absolute imports"
                found.append((path, node.module or ""))
    return found


def top(module: str) -> str:
    return module.split(".")[0]


def test_there_is_code_to_check() -> None:
    assert len(imported_modules(PACKAGE / "domain")) > 10
    assert len(imported_modules(PACKAGE / "application")) > 10


def test_the_domain_imports_only_the_standard_library_and_itself() -> None:
    offenders = [
        f"{path.name}: {module}"
        for path, module in imported_modules(PACKAGE / "domain")
        if not (module.startswith("support_svc.domain") or top(module) in sys.stdlib_module_names)
    ]
    assert offenders == []


def test_the_application_layer_knows_no_frameworks_drivers_or_generated_code() -> None:
    offenders = [
        f"{path.name}: {module}"
        for path, module in imported_modules(PACKAGE / "application")
        if top(module) in APPLICATION_FORBIDDEN
        or module.startswith(("support_svc.infrastructure", "support_svc.presentation"))
    ]
    assert offenders == []


@pytest.mark.parametrize("layer", ["domain", "application", "infrastructure"])
def test_only_presentation_and_the_shop_gateway_touch_generated_code(layer: str) -> None:
    offenders = [
        f"{path.name}: {module}"
        for path, module in imported_modules(PACKAGE / layer)
        if top(module) == "acme" and path.name != "shop_gateway.py"
    ]
    assert offenders == []
