"""Claims against evidence: each checkable claim gets a ``schema:ClaimReview`` computed from the graph.

A claim's kind (``aikg:claimKind``) selects its evidence rule (:mod:`.rules`, one module per
kind): a named SPARQL query in ``kg/queries/review_*.rq`` that gathers the facts, and a decision
on those rows, written out in words in the rule module's docstring. Every review keeps the exact
SPARQL and its bindings, the evidence items (facts with their named graph, sources and dates), the
claimant's interests, the date and the data snapshot (named graphs with their digests) it was
computed from. The ratings are described in :mod:`.model`.

Reviews live in their own named graph (:data:`REVIEWS_GRAPH`). :class:`ReviewKeeper` (:mod:`.keeper`)
regenerates them whenever the data they rest on changes (graph digests are compared; a write that
changed no predicate the rules read does not count) and replaces the graph under the store's write
lock, so a stale review is never served: inside the write by default, or, once deferred (the
service), at the first read of a review after it.

Modules: :mod:`.model` (the review record, ratings, claim kinds), :mod:`.evidence` (evidence items,
interests), :mod:`.claims` (a claim as recorded), :mod:`.rules` (the evidence rules and the interest
rule), :mod:`.reviewing` (running the rules), :mod:`.data_snapshot` (the data a review rests on),
:mod:`.digest_cache` (its digests kept beside an on-disk store), :mod:`.reviews_graph` (the reviews
as triples), :mod:`.keeper` (keeping them current), :mod:`.picture` (a review as a graph to draw).
"""

from __future__ import annotations

from kg.analysis.review.data_snapshot import DataSnapshot, snapshot
from kg.analysis.review.evidence import Evidence, Interest
from kg.analysis.review.keeper import ReviewKeeper, keeper_for
from kg.analysis.review.model import CLAIM_KINDS, RATINGS, REVIEWS_GRAPH, Review
from kg.analysis.review.picture import evidence_graph
from kg.analysis.review.reviewing import review_all, review_claim
from kg.analysis.review.rules import RULE_DECISIONS

__all__ = [
    "CLAIM_KINDS",
    "RATINGS",
    "REVIEWS_GRAPH",
    "RULE_DECISIONS",
    "DataSnapshot",
    "Evidence",
    "Interest",
    "Review",
    "ReviewKeeper",
    "evidence_graph",
    "keeper_for",
    "review_all",
    "review_claim",
    "snapshot",
]
