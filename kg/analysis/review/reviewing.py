"""Reviewing claims: run the rule queries, decide each claim by its kind's rule, note the interests."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox

from kg.analysis.review.claims import _claim_record, claim_info
from kg.analysis.review.model import _KIND_BY_IRI, Review
from kg.analysis.review.names import Names
from kg.analysis.review.rules import RULES, none, openness
from kg.analysis.review.rules.interest import interests
from kg.engine.sparql import select
from kg.errors import NotFoundError
from kg.queries import named_query

__all__ = ["review_all", "review_claim"]


def _query(store: ox.Store, name: str, claim: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Run a named rule query and group its rows by ``?claim``.

    With `claim`, the query runs with ``?claim`` bound to it (substitution, never concatenation);
    without, it runs once for every claim, which gives each claim the very rows the bound query
    gives (a substitution is a join on the projected ``?claim``), in one evaluation.
    """
    rows = select(store, named_query(name), {"claim": ox.NamedNode(claim)} if claim else None)
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row.get("claim", "")].append(row)
    return grouped


def _iris_named_by(reviews: list[Review]) -> Iterator[Any]:
    """Every IRI the reviews' JSON and pictures name (and some non-IRI values, which are skipped)."""
    for r in reviews:
        iris: list[Any] = [r.claim, r.info.get("stance")]
        for key in ("about", "comparedWith"):
            iris.extend(x["iri"] for x in r.info[key])
        if r.info.get("claimant"):
            iris.append(r.info["claimant"]["iri"])
        for a in r.info["appearances"]:
            iris.extend((a["iri"], a.get("publisher")))
        for e in r.evidence:
            iris.extend((e.subject, e.property, e.value))
        for i in r.interests:
            iris.extend(i.via)
        yield from iris


def _decide(
    store: ox.Store, claim: str, rows: dict[str, dict[str, list[dict[str, Any]]]], names: dict[str, str]
) -> Review:
    info = claim_info(claim, rows["review_claim"].get(claim, []), names)
    kind = info["kind"]
    rule = RULES.get(kind or "")
    if rule is None:
        rating, reason, evidence = none.decide(kind, info)
        rule_name = "review_claim"
    else:
        rule_name = rule[0]
        rating, reason, evidence = rule[1](rows[rule_name].get(claim, []), info, names, store)
    if not any(e.sources for e in evidence):
        evidence = [*evidence, _claim_record(info, names)]
    return Review(
        claim=claim,
        kind=kind,
        rating=rating,
        reason=reason,
        evidence=evidence,
        rule=rule_name,
        bindings={"claim": claim},
        interests=interests(rows["review_interest"].get(claim, []), names),
        info=info,
        names=names,
    )


def _rule_queries(kind: str | None) -> list[str]:
    rule = RULES.get(kind or "")
    return ["review_claim", "review_interest", *([rule[0]] if rule else [])]


def review_claim(store: ox.Store, claim: str) -> Review:
    """Review one claim against the graph.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine; the union of its named graphs is the evidence (the rules read none of the
        terms the reviews graph holds, so stored reviews never feed back into a review).
    claim : str
        IRI of a ``schema:Claim``.

    Returns
    -------
    Review
        Rating, reason, evidence, rule and bindings, interests and the claim's own data. The
        ``published`` date and ``snapshot`` stay empty: :class:`ReviewKeeper` sets them when it
        stores the review.

    Raises
    ------
    NotFoundError
        If `claim` is not a ``schema:Claim``.

    Examples
    --------
    >>> from kg.engine.load import load_default_graph
    >>> from kg.engine.store import KnowledgeStore
    >>> store = KnowledgeStore(); _ = load_default_graph(store)
    >>> review_claim(store.inner, "https://w3id.org/aikg/id/claim/scmp-meta-open-sourced-llama").rating
    'misleading'
    """
    kinds = _query(store, "review_claims", claim).get(claim)
    if not kinds:
        raise NotFoundError(f"no claim with IRI {claim}")
    kind = _KIND_BY_IRI.get(kinds[0].get("kind", ""))
    rows = {name: _query(store, name, claim) for name in _rule_queries(kind)}
    names = Names(store)
    review = _decide(store, claim, defaultdict(dict, rows), names)
    names.warm(_iris_named_by([review]))
    return review


def review_all(store: ox.Store) -> list[Review]:
    """Review every ``schema:Claim`` of the graph, ordered by claim IRI.

    Each rule query runs once for all claims; each claim gets the rows the query gives with
    ``?claim`` bound to it (the binding the review records).

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.

    Returns
    -------
    list of Review
        One review per claim; ``published`` and ``snapshot`` stay empty (see :func:`review_claim`).
    """
    claims = sorted(_query(store, "review_claims"))
    names = Names(store)
    rows = {name: _query(store, name) for name in ("review_claim", "review_interest", *(q for q, _ in RULES.values()))}
    with openness.prefetch_findings(store, rows[openness.QUERY]):
        reviews = [_decide(store, claim, rows, names) for claim in claims]
    names.warm(_iris_named_by(reviews))
    return reviews
