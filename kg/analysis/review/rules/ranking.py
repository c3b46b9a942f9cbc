"""Evidence rule for 'ranking' claims: independent results against a claimed rank or a compared model.

Self-reported results are context only. With aikg:comparedWith: on each benchmark measured independently
for both, the subject is comparable when its best score is at least 90% of the other's; all comparable:
supported, none: contradicted, some: misleading. With a claimed rank: the subject's place among models
of the scope with independent results, per benchmark; all within the rank: supported, none:
contradicted, some: misleading. No independent result: unverifiable.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.analysis.review._vocabulary import _A
from kg.analysis.review.evidence import Decision, Evidence
from kg.analysis.review.wording import _fmt, _join
from kg.terms import slug_of

__all__ = ["QUERY", "decide"]

QUERY = "review_ranking"
"""The named query (``kg/queries/review_ranking.rq``) that gathers this rule's rows."""

_COMPARABLE_RATIO = 0.9
"""A subject is 'comparable' on a benchmark when its best independent score is at least 90% of the
compared model's best independent score on the same benchmark."""


def _best(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    best: dict[str, dict[str, Any]] = {}
    for r in results:
        if r.get("score") is None:
            continue
        if r["benchmark"] not in best or r["score"] > best[r["benchmark"]]["score"]:
            best[r["benchmark"]] = r
    return best


def _verdict(agree: int, total: int) -> str:
    """Rate by how many benchmarks agree: all ``supported``, none ``contradicted``, some ``misleading``."""
    return "supported" if agree == total else "contradicted" if agree == 0 else "misleading"


@dataclass
class _Results:
    """The benchmark results of the query's rows by role (``subject``, ``compared``, ``peer``), with sources."""

    names: dict[str, str]
    by_role: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    sources: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def item(self, r: dict[str, Any], statement: str, bearing: str) -> Evidence:
        """Return result `r` as evidence: the model's score, its graph and the result's sources."""
        return Evidence(
            statement,
            bearing,
            r["model"],
            _A + "score",
            r.get("score"),
            None,
            r.get("graph"),
            sorted(self.sources[r["result"]]),
        )

    def describe(self, r: dict[str, Any]) -> str:
        """Put result `r` in words: model, benchmark, score, rank, and who measured it."""
        who = "self-reported by its developer" if r.get("selfReported") else "independent"
        extra = f", rank {r['rank']}" if r.get("rank") is not None else ""
        return f"{r.get('name') or slug_of(r['model'])}: {r['benchmark']} {_fmt(r.get('score'), self.names)}{extra} ({who})"

    def independent(self, role: str) -> list[dict[str, Any]]:
        """Return the results of `role` measured independently (``aikg:selfReported false``)."""
        return [r for r in self.by_role[role] if r.get("selfReported") is False]


def _collect(rows: list[dict[str, Any]], names: dict[str, str]) -> _Results:
    """Gather each result once per role, with every source given for it, ordered by model name."""
    results = _Results(names)
    for r in rows:
        if r["role"] in ("subject", "compared", "peer"):
            key = r["result"]
            if r.get("source"):
                results.sources[key].add(r["source"])
            if all(x["result"] != key or x["role"] != r["role"] for x in results.by_role[r["role"]]):
                results.by_role[r["role"]].append(r)
    for found in results.by_role.values():
        found.sort(key=lambda r: (r.get("name") or "", r["benchmark"], r["result"]))
    return results


def _unmeasured(results: _Results, claim: dict[str, Any]) -> list[Evidence]:
    """Note each subject or compared model that has no benchmark result at all."""
    out = []
    for group, models in (("subject", claim["about"]), ("compared", claim.get("comparedWith") or [])):
        measured = {r["model"] for r in results.by_role[group]}
        for m in models:
            if m["iri"] not in measured:
                out.append(
                    Evidence(
                        f"{m['name']}: no benchmark result, self-reported or independent, is recorded in the graph.",
                        "context",
                        m["iri"],
                        _A + "evaluatedModel",
                    )
                )
    return out


def _decide_comparison(
    results: _Results, compared: list[dict[str, Any]], only_self: str, evidence: list[Evidence]
) -> Decision:
    """With ``aikg:comparedWith``: compare best independent scores on each benchmark measured for both."""
    names = results.names
    mine, theirs = _best(results.independent("subject")), _best(results.independent("compared"))
    shared = sorted(set(mine) & set(theirs))
    if not shared:
        return (
            "unverifiable",
            only_self + "no independent result measures the subject and "
            f"{_join([c['name'] for c in compared])} on the same benchmark.",
            evidence,
        )
    agree = 0
    for bench in shared:
        a, b = mine[bench], theirs[bench]
        ratio = a["score"] / b["score"] if b["score"] else float("inf")
        ok = ratio >= _COMPARABLE_RATIO
        agree += ok
        text = (
            f"{bench} (independent): {a.get('name')} {_fmt(a['score'], names)} vs {b.get('name')} "
            f"{_fmt(b['score'], names)}, {ratio:.0%} of it: {'comparable' if ok else 'not comparable'}."
        )
        evidence.append(results.item(a, text, "for" if ok else "against"))
        evidence.append(results.item(b, results.describe(b) + ".", "context"))
    return (
        _verdict(agree, len(shared)),
        f"On {len(shared)} benchmark(s) measured independently for both, the subject reaches at least "
        f"{_COMPARABLE_RATIO:.0%} of the compared model's score on {agree}.",
        evidence,
    )


def _decide_rank(results: _Results, rank: Any, evidence: list[Evidence]) -> Decision:
    """With a claimed rank: the subject's place among the peers' best independent scores, per benchmark."""
    peers_by_bench: dict[str, dict[str, float]] = defaultdict(dict)
    for r in results.by_role["peer"]:
        if r.get("score") is not None:
            bench = peers_by_bench[r["benchmark"]]
            bench[r["model"]] = max(bench.get(r["model"], r["score"]), r["score"])
    agree = 0
    best = _best(results.independent("subject"))
    for bench, r in sorted(best.items()):
        field_ = peers_by_bench.get(bench, {})
        place = 1 + sum(1 for s in field_.values() if s > r["score"])
        ok = place <= rank
        agree += ok
        evidence.append(
            results.item(
                r,
                f"{results.describe(r)}: place {place} of {len(field_) + 1} models with independent results "
                f"in the claim's scope (claimed rank {rank}).",
                "for" if ok else "against",
            )
        )
    return (
        _verdict(agree, len(best)),
        f"Independent results put the subject at rank {rank} or better on {agree} of {len(best)} benchmark(s).",
        evidence,
    )


def decide(rows: list[dict[str, Any]], claim: dict[str, Any], names: dict[str, str], store: ox.Store) -> Decision:
    """Decide a claim from the rows of ``review_ranking.rq``.

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
    claimed = {r["p"]: r["v"] for r in rows if r["role"] == "claimed"}
    rank = claimed.get(_A + "rank")
    results = _collect(rows, names)
    evidence = _unmeasured(results, claim)
    own = [r for r in results.by_role["subject"] if r.get("selfReported") is not False]
    for r in own:
        repeats = rank is not None and r.get("rank") == rank
        statement = results.describe(r) + (": the claim repeats this result." if repeats else ".")
        evidence.append(results.item(r, statement, "context"))
    only_self = (
        f"The claim rests only on self-reported results ({_join([results.describe(r) for r in own])}); "
        if own
        else "The graph holds no benchmark result for the subject; "
    )
    compared = claim.get("comparedWith") or []
    if compared:
        return _decide_comparison(results, compared, only_self, evidence)
    if rank is None:
        return (
            "unverifiable",
            "The claim records no rank or comparison in structured form (aikg:claimedValue "
            "aikg:rank, aikg:comparedWith), so no rule can check it.",
            evidence,
        )
    if not results.independent("subject"):
        return (
            "unverifiable",
            only_self + f"no independent result (not one its developer reported) confirms rank {rank}.",
            evidence,
        )
    return _decide_rank(results, rank, evidence)
