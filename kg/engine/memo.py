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
