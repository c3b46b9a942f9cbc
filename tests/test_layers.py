"""Dependencies run one way, by tier (DESIGN.md "Layout"), with no cycle and no allow-list.

``kg.errors, kg.settings, kg.namespaces < kg.terms < kg.engine < kg.find < kg.ingest, kg.analysis
< kg.views, kg.service < api < cli``; ``viz`` sits beside ``api`` and imports nothing of ``kg``.
Every import counts: module level, inside functions, and module names given as strings to
``importlib.import_module``/``__import__`` or as ``"module:attribute"`` import strings.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("kg", "api", "viz", "cli")

# (module prefix, tier): the longest matching prefix decides a module's tier.
TIERS: tuple[tuple[str, int], ...] = (
    ("kg", 0),
    ("kg.errors", 0),
    ("kg.settings", 0),
    ("kg.namespaces", 0),
    ("kg.terms", 1),
    ("kg.engine", 2),
    ("kg.find", 3),
    ("kg.ingest", 4),
    ("kg.analysis", 4),
    ("kg.views", 5),
    ("kg.service", 5),
    ("viz", 6),
    ("api", 6),
    ("cli", 7),
)
# Tiers beside each other that must not import one another (besides the tier order).
APART = {("viz", "kg"), ("viz", "api")}
THIRD_PARTY_FORBIDDEN = {
    "kg": {"fastapi", "starlette", "pyvis", "uvicorn", "jinja2"},
    "viz": {"fastapi", "starlette"},
}
_MODULE_STRING = re.compile(r"^(kg|api|viz|cli)(\.[A-Za-z_]\w*)*(:[A-Za-z_]\w*)?$")


def tier_of(module: str) -> int | None:
    """Return the tier of a project module (None for third-party modules)."""
    best = None
    for prefix, tier in TIERS:
        if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, tier)
    return None if best is None else best[1]


def module_name(path: Path, root: Path = ROOT) -> str:
    """Return the dotted module name of a file under the project root."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, root: Path = ROOT) -> set[str]:
    """Return every module a file imports: statements anywhere, importlib strings, import strings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path, root) if path.name == "__init__.py" else module_name(path, root).rpartition(".")[0]
    found: set[str] = set()
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            # `from kg.find import search` imports the module kg.find.search.
            folder = root / base.replace(".", "/")
            found |= {
                f"{base}.{alias.name}"
                for alias in node.names
                if (folder / alias.name).is_dir() or (folder / f"{alias.name}.py").is_file()
            }
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and _MODULE_STRING.match(node.value)
            and ("." in node.value or ":" in node.value)
        ):
            found.add(node.value.partition(":")[0])
    return found


def project_files() -> list[Path]:
    """Return every Python file of the project's packages."""
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def violations(files: list[Path], root: Path = ROOT) -> list[str]:
    """Return every import that runs upward, between packages kept apart, or to a forbidden library."""
    bad = []
    for path in files:
        here = module_name(path, root)
        here_tier = tier_of(here)
        assert here_tier is not None, f"{here} has no tier: add it to TIERS"
        top_here = here.split(".")[0]
        for target in imported_modules(path, root):
            top = target.split(".")[0]
            if top == "tests":
                bad.append(f"{here} imports tests")
            if top in THIRD_PARTY_FORBIDDEN.get(top_here, set()):
                bad.append(f"{here} imports {target}")
            tier = tier_of(target)
            if tier is None:
                continue
            if (top_here, top) in APART:
                bad.append(f"{here} imports {target} ({top_here} and {top} are kept apart)")
            elif tier > here_tier:
                bad.append(f"{here} (tier {here_tier}) imports {target} (tier {tier}): an arrow upward")
    return bad


def cycles(files: list[Path], root: Path = ROOT) -> list[list[str]]:
    """Return the import cycles among project modules (strongly connected components, Tarjan)."""
    names = {module_name(p, root) for p in files}
    edges: dict[str, set[str]] = defaultdict(set)
    for path in files:
        here = module_name(path, root)
        for target in imported_modules(path, root):
            # Importing a package's module also runs the package's __init__: count the module.
            if target in names and target != here and not here.startswith(target + "."):
                edges[here].add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for name in sorted(names):
        if name not in index:
            visit(name)
    return found


def test_every_import_runs_down_the_tiers() -> None:
    files = project_files()
    assert len(files) > 50
    assert violations(files) == []


def test_no_import_cycle() -> None:
    assert cycles(project_files()) == []


def test_the_checks_can_fail(tmp_path: Path) -> None:
    # A fake project with an upward import inside a function, an importlib string and a cycle.
    (tmp_path / "kg" / "engine").mkdir(parents=True)
    (tmp_path / "kg" / "__init__.py").write_text("")
    (tmp_path / "kg" / "engine" / "__init__.py").write_text("")
    (tmp_path / "kg" / "terms.py").write_text("def f():\n    from kg.engine import store\n")
    (tmp_path / "kg" / "engine" / "store.py").write_text(
        "import importlib\nimport kg.terms\nimportlib.import_module('api.app')\n"
    )
    files = sorted((tmp_path / "kg").rglob("*.py"))
    found = violations(files, tmp_path)
    assert any("kg.terms (tier 1) imports kg.engine" in v for v in found)
    assert any("kg.engine.store (tier 2) imports api.app" in v for v in found)
    assert cycles(files, tmp_path) == [["kg.engine.store", "kg.terms"]]
