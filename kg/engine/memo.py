"""Per-process memo of values computed from one dataset version (one per worker process: a forked worker never sees a later write)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_CACHE: dict[tuple[str, str], Any] = {}
_READS: dict[str, Callable[[], frozenset[str] | None]] = {}
_READ_SETS: dict[str, frozenset[str] | None] = {}


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


def reads(name: str, predicates: Callable[[], frozenset[str] | None]) -> None:
    """Declare which predicates the value `name` is computed from, so it can outlive writes to others.

    Parameters
    ----------
    name : str
        What is cached (``"labels"``, ``"claims"``…), as passed to :func:`cached`.
    predicates : callable
        Returns the predicate IRIs the value reads (called once, on the first write after which
        the value might be carried over), or None when it may read any predicate.
    """
    _READS[name] = predicates


def carry_untouched(old_version: str, new_version: str, touched: frozenset[str] | None) -> set[str]:
    """Carry every value of `old_version` whose declared predicates a write left alone over to `new_version`.

    Parameters
    ----------
    old_version, new_version : str
        The dataset version before and after one write.
    touched : frozenset of str or None
        The predicates the write could change (:attr:`kg.engine.store.KnowledgeStore.touched_predicates`);
        None: any.

    Returns
    -------
    set of str
        The names carried over (values declared with :func:`reads` only; the others are computed
        again at `new_version` when asked for).

    Examples
    --------
    >>> reads("demo-names", lambda: frozenset({"http://e/name"}))
    >>> _ = cached("v1", "demo-names", lambda: ["a"])
    >>> carry_untouched("v1", "v2", frozenset({"http://e/other"}))
    {'demo-names'}
    >>> carry_untouched("v2", "v3", frozenset({"http://e/name"}))
    set()
    """
    if touched is None:
        return set()
    out = set()
    for version, name in [k for k in _CACHE if k[0] == old_version]:
        if name not in _READS:
            continue
        if name not in _READ_SETS:
            _READ_SETS[name] = _READS[name]()
        predicates = _READ_SETS[name]
        if predicates is not None and not (predicates & touched) and carry(version, new_version, name):
            out.add(name)
    return out


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
