"""Evidence rule for 'trend' claims: which country the models of a period come from.

For each count the claim makes, the models released in the period that meet its constraints are counted
by the creator's country; the expected country must hold more than half. All hold: supported; none:
contradicted; some: misleading; an unrecorded qualifier (e.g. 'notable') or no such model: unverifiable.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyoxigraph as ox

from kg.analysis.review._vocabulary import _S
from kg.analysis.review.evidence import Decision, Evidence
from kg.analysis.review.wording import _join, _name
from kg.terms import slug_of

__all__ = ["QUERY", "decide"]

QUERY = "review_trend"
"""The named query (``kg/queries/review_trend.rq``) that gathers this rule's rows."""


def _collect(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Gather each expectation of the claim: the expected country, period, constraints, qualifiers, models."""
    expectations: dict[str, dict[str, Any]] = {}
    for r in rows:
        e = expectations.setdefault(r["expectation"], {"constraints": [], "qualifiers": set(), "models": {}})
        if r["role"] == "expectation":
            e.update(
                expected=r["expected"],
                name=r.get("expectedName") or slug_of(r["expected"]),
                code=r.get("expectedCode"),
                start=str(r["start"]),
                end=str(r["end"]),
            )
            if r.get("qualifier"):
                e["qualifiers"].add(r["qualifier"])
            if r.get("cp") and (r["cp"], r["cv"]) not in e["constraints"]:
                e["constraints"].append((r["cp"], r["cv"]))
        else:
            m = e["models"].setdefault(
                r["model"],
                {
                    "name": r.get("name"),
                    "country": r.get("countryCode") or r.get("country"),
                    "graphs": set(),
                    "sources": set(),
                },
            )
            m["graphs"].add(r.get("graph"))
            if r.get("source"):
                m["sources"].add(r["source"])
    return expectations


def _count(
    e: dict[str, Any], names: dict[str, str], evidence: list[Evidence]
) -> tuple[str | None, tuple[str, bool] | None]:
    """Count one expectation's models by country, adding one fact per country (largest first).

    Returns ``(unsure, None)`` when the graph cannot count the population (a qualifier it does not
    record, or no such model), else ``(None, (text, holds))`` with `holds` True when the expected
    country has more than half.
    """
    scope = "; ".join(f"{_name(names, p)}: {_name(names, v)}" for p, v in e["constraints"]) or "all models"
    period = f"{e['start']} to {e['end']}"
    by_country: dict[str, list[str]] = defaultdict(list)
    for m in e["models"].values():
        by_country[m["country"] or "unknown"].append(m["name"])
    total = len(e["models"])
    expected = e.get("code") or e["expected"]
    share = len(by_country.get(expected, [])) / total if total else 0.0
    for country, members in sorted(by_country.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        srcs = sorted({s for m in e["models"].values() if (m["country"] or "unknown") == country for s in m["sources"]})
        graphs = sorted(
            {g for m in e["models"].values() if (m["country"] or "unknown") == country for g in m["graphs"] if g}
        )
        evidence.append(
            Evidence(
                f"{len(members)} of {total} models ({scope}; released {period}) come from {country}: "
                f"{_join(sorted(members), 8)}.",
                "context" if e["qualifiers"] else "for" if country == expected else "context",
                None,
                _S + "addressCountry",
                country,
                e["end"],
                graphs[0] if graphs else None,
                srcs,
            )
        )
    if e["qualifiers"]:
        return f"{e['name']} leading among models that are {' and '.join(sorted(e['qualifiers']))}", None
    if not total:
        return f"{e['name']} leading ({scope}, {period}): the graph holds no such model", None
    return None, (f"{e['name']} holds {share:.0%} ({scope}, {period})", share > 0.5)


def decide(rows: list[dict[str, Any]], claim: dict[str, Any], names: dict[str, str], store: ox.Store) -> Decision:
    """Decide a claim from the rows of ``review_trend.rq``.

    Parameters
    ----------
    rows : list of dict
        The query's rows for this claim (``?claim`` bound), variable name -> Python value.
    claim : dict
        The claim as recorded (see :func:`kg.analysis.review.claims.claim_info`).
    names : dict of str to str
        Display names by IRI.
    store : pyoxigraph.Store
        The engine, for rules that read more than their query (unused here).

    Returns
    -------
    Decision
        ``(rating, reason, evidence)``.
    """
    expectations = _collect(rows)
    if not expectations:
        return (
            "unverifiable",
            "The claim does not record what it counts (aikg:expectedLeader), so no count can check it.",
            [],
        )
    evidence: list[Evidence] = []
    holds: list[tuple[str, bool]] = []
    unsure: list[str] = []
    for e in sorted(expectations.values(), key=lambda e: e.get("code") or ""):
        doubt, held = _count(e, names, evidence)
        if doubt is not None:
            unsure.append(doubt)
        if held is not None:
            holds.append(held)
    text = "; ".join(t for t, _ in holds)
    if unsure:
        return (
            "unverifiable",
            f"The graph does not record the population counted: {'; '.join(unsure)}. "
            "The counts in the graph are given as context." + (f" Checked: {text}." if text else ""),
            evidence,
        )
    if all(ok for _, ok in holds):
        return (
            "supported",
            f"Counting the models in the graph, each expected country holds more than half: {text}.",
            evidence,
        )
    if not any(ok for _, ok in holds):
        return (
            "contradicted",
            f"Counting the models in the graph, no expected country holds more than half: {text}.",
            evidence,
        )
    return ("misleading", f"Counting the models in the graph, only part of the claim holds: {text}.", evidence)
