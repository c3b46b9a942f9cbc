"""Per-process memo of values computed from one dataset version (one per worker process: a forked worker never sees a later write)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_CACHE: dict[tuple[str, str], Any] = {}


def cached(version: str, name: str, build: Callable[[], Any]) -> Any:
    """Return ``build()`` computed once per dataset version and name in this process.

    Parameters
    ----------
    version : str
        Dataset version (``KnowledgeGraph.version``); an empty string disables caching. A
        suffix after ``@`` names a view of that version (``kg.engine.dataset.read_as_of``): views of
        the same version are kept side by side.
    name : str
        What is cached (``"labels"``, ``"models"``…).
    build : callable
        Computes the value from the store.

    Returns
    -------
    object
        The cached value; entries of other versions are dropped when a new version is seen.
    """
    if not version:
        return build()
    key = (version, name)
    if key not in _CACHE:
        base = version.partition("@")[0]
        for old in [k for k in _CACHE if k[0].partition("@")[0] != base]:
            del _CACHE[old]
        _CACHE[key] = build()
    return _CACHE[key]


def carry(old_version: str, new_version: str, name: str) -> bool:
    """Let the value `name` of `old_version` stand for `new_version` too (a write that did not change its input).

    Parameters
    ----------
    old_version, new_version : str
        Dataset versions: the one the value was computed at, and a later one whose writes left
        the data it reads unchanged (the caller's judgement, e.g. no predicate it reads was written).
    name : str
        What is cached (``"labels"``…).

    Returns
    -------
    bool
        True when a value of `old_version` existed and now serves `new_version`.

    Examples
    --------
    >>> _ = cached("v1", "demo", lambda: 41 + 1)
    >>> carry("v1", "v2", "demo"), cached("v2", "demo", lambda: 0)
    (True, 42)
    """
    value = _CACHE.get((old_version, name), _MISSING)
    if value is _MISSING or not new_version:
        return False
    _CACHE[(new_version, name)] = value
    return True


_MISSING = object()
