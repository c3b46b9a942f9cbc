"""How reviews put IRIs and values into words: display names, numbers, lists."""

from __future__ import annotations

from typing import Any

from kg.analysis.review._vocabulary import _S
from kg.terms import slug_of

_PROPERTY_NAMES = {
    _S + "creator": "developer",
    _S + "addressCountry": "country",
    _S + "datePublished": "release date",
}


def _name(names: dict[str, str], iri: Any) -> str:
    if iri is None:
        return "?"
    text = str(iri)
    if text in _PROPERTY_NAMES:
        return _PROPERTY_NAMES[text]
    return names.get(text) or slug_of(text)


def _fmt(value: Any, names: dict[str, str]) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) and abs(value) >= 1_000_000:
        for unit, size in (("trillion", 10**12), ("billion", 10**9), ("million", 10**6)):
            if abs(value) >= size:
                return f"{value / size:g} {unit} ({value:,})"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return _name(names, value)
    return str(value)


def _join(items: list[str | None], limit: int = 6) -> str:
    # An entity whose name graph was replaced (kg load --replace) has no name left: still say it.
    items = ["(unnamed)" if item is None else item for item in items]
    if len(items) > limit:
        return ", ".join(items[:limit]) + f" and {len(items) - limit} more"
    return ", ".join(items)
