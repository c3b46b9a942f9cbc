"""Dependencies flow one way: api -> viz -> kg, api -> kg. Nothing imports tests."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The CLI is an edge like the app factory: `kg serve` starts uvicorn (by import string, so the
# core still never imports the api package).
ALLOWED_IN = {"kg/cli.py": {"uvicorn"}}
FORBIDDEN = {
    "kg": {"api", "viz", "fastapi", "starlette", "pyvis", "uvicorn"},
    "viz": {"api", "fastapi", "starlette"},
    "api": set(),
}


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_flow_one_way(package: str) -> None:
    files = list((ROOT / package).rglob("*.py"))
    assert files
    for path in files:
        allowed = ALLOWED_IN.get(path.relative_to(ROOT).as_posix(), set())
        bad = _imported_roots(path) & (FORBIDDEN[package] | {"tests"}) - allowed
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"
