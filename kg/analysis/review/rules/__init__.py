"""The evidence rules: one module per claim kind, each a named query and a decision on its rows.

Each rule module's docstring is its decision in words: the paragraph after the summary line is
stored, whitespace-joined, as the rule's ``schema:description`` in the reviews graph and shown in
each review's JSON (:data:`RULE_DECISIONS`). Editing that paragraph changes the reviews graph.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pyoxigraph as ox

from kg.analysis.review.evidence import Decision
from kg.analysis.review.rules import first, interest, none, openness, quantity, ranking, trend

__all__ = ["RULES", "RULE_DECISIONS", "Rule", "decision_of"]

Rule = Callable[[list[dict[str, Any]], dict[str, Any], dict[str, str], ox.Store], Decision]
"""A rule's decision: ``(rows, claim, names, store) -> (rating, reason, evidence)``."""


def decision_of(module: ModuleType) -> str:
    """Return a rule module's decision text: its docstring after the summary line, whitespace-joined.

    Parameters
    ----------
    module : module
        A rule module of this package.

    Returns
    -------
    str
        The decision as one line of text.

    Raises
    ------
    RuntimeError
        If the module has no docstring with a decision paragraph (e.g. under ``python -OO``,
        which strips docstrings: the reviews need them).
    """
    doc = module.__doc__ or ""
    if "\n\n" not in doc:
        raise RuntimeError(f"{module.__name__} has no decision text in its docstring (python -OO strips it)")
    return " ".join(doc.split("\n\n", 1)[1].split())


RULES: dict[str, tuple[str, Rule]] = {
    "first": (first.QUERY, first.decide),
    "ranking": (ranking.QUERY, ranking.decide),
    "openness": (openness.QUERY, openness.decide),
    "quantity": (quantity.QUERY, quantity.decide),
    "trend": (trend.QUERY, trend.decide),
}
"""Claim kind -> (named query, decision function). Opinions and untagged claims have no rule."""

RULE_DECISIONS: dict[str, str] = {
    module.QUERY: decision_of(module) for module in (first, ranking, openness, quantity, trend, none, interest)
}
"""Rule (named query) -> the decision taken on its rows, in words (stored as the rule's schema:description)."""
