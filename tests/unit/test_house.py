"""The shape of the house: what the import contracts in pyproject.toml cannot say."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import cad110

SRC = Path(cad110.__file__).parent
LIFECYCLES = sorted((SRC / "lifecycles").glob("*.py"))


def imported_modules(source: str) -> set[str]:
    """Every module a source file imports, at any depth (under TYPE_CHECKING too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def foreign(modules: set[str]) -> set[str]:
    """What is neither the standard library nor `cad110.errors`."""
    allowed = set(sys.stdlib_module_names) | {"__future__"}
    return {m for m in modules if m.split(".")[0] not in allowed and m != "cad110.errors"}


def test_the_lifecycle_modules_are_found() -> None:
    assert {p.stem for p in LIFECYCLES} >= {"incident", "unit"}


@pytest.mark.parametrize("path", LIFECYCLES, ids=lambda p: p.stem)
def test_a_lifecycle_imports_only_the_standard_library_and_errors(path: Path) -> None:
    assert foreign(imported_modules(path.read_text(encoding="utf-8"))) == set()


def test_the_purity_check_catches_a_database_import() -> None:
    source = "from sqlalchemy import select\nfrom cad110.models.incident import Incident\n"
    assert foreign(imported_modules(source)) == {"sqlalchemy", "cad110.models.incident"}
