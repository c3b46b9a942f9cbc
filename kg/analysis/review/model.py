"""The review record and the rating scheme: what a review of a claim says and how it is rated.

Ratings (``aikg:RatingScheme``, ontology/modules/reviews.ttl):

``supported``     the facts agree with the claim and the rule found nothing against it;
``misleading``    part holds, but facts the wording hides change its meaning;
``contradicted``  the facts show the claim false as stated;
``unverifiable``  no evidence could decide it (opinions, predictions, missing facts, a claim
                  resting only on the claimant's own measurement). Never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kg.analysis.review.data_snapshot import REVIEWS_GRAPH, DataSnapshot
from kg.analysis.review.evidence import Evidence, Interest
from kg.analysis.review.rules import RULE_DECISIONS
from kg.namespaces import AIKG, ID
from kg.queries import named_query
from kg.terms import slug_of

__all__ = ["CLAIM_KINDS", "RATINGS", "REVIEWS_GRAPH", "Review"]


RATINGS: dict[str, dict[str, Any]] = {
    "supported": {"iri": str(AIKG.Supported), "ratingValue": 3},
    "misleading": {"iri": str(AIKG.Misleading), "ratingValue": 2},
    "contradicted": {"iri": str(AIKG.Contradicted), "ratingValue": 1},
    "unverifiable": {"iri": str(AIKG.Unverifiable), "ratingValue": 0},
}
"""Rating name (``schema:alternateName``) -> concept IRI and ``schema:ratingValue`` (best 3, worst 1)."""

CLAIM_KINDS: dict[str, str] = {
    "first": str(AIKG.FirstClaim),
    "ranking": str(AIKG.RankingClaim),
    "openness": str(AIKG.OpennessClaim),
    "quantity": str(AIKG.QuantityClaim),
    "trend": str(AIKG.TrendClaim),
    "opinion": str(AIKG.OpinionClaim),
}
"""Claim kind (``skos:notation``) -> concept IRI of ``aikg:ClaimKindScheme``."""

_KIND_BY_IRI = {iri: kind for kind, iri in CLAIM_KINDS.items()}


def _rule_iri(name: str) -> str:
    return f"{ID}rule/{name.replace('_', '-')}"


@dataclass(slots=True)
class Review:
    """The review of one claim. See :meth:`to_dict` for the JSON form.

    Attributes
    ----------
    claim : str
        IRI of the ``schema:Claim``.
    kind : str or None
        Its kind (a key of :data:`CLAIM_KINDS`), None when it has none.
    rating : str
        A key of :data:`RATINGS`.
    reason : str
        The decision in words.
    evidence : list of Evidence
        The facts the decision rests on.
    rule : str
        The named query of the evidence rule (a key of :data:`RULE_DECISIONS`).
    bindings : dict of str to str
        The query's bound variables (``claim``).
    interests : list of Interest
        The claimant's stakes in the claim.
    info : dict
        The claim as recorded (text, claimant, subjects, appearances).
    names : dict of str to str
        Display names of the IRIs the review mentions.
    published : str
        ``xsd:dateTime`` the review was stored at; empty until :class:`ReviewKeeper` stores it.
    snapshot : DataSnapshot or None
        The data it was computed from; None until :class:`ReviewKeeper` stores it.
    """

    claim: str
    kind: str | None
    rating: str
    reason: str
    evidence: list[Evidence]
    rule: str
    bindings: dict[str, str]
    interests: list[Interest]
    info: dict[str, Any]
    names: dict[str, str] = field(repr=False, default_factory=dict)
    published: str = ""
    snapshot: DataSnapshot | None = None

    @property
    def iri(self) -> str:
        """The review's IRI: ``https://w3id.org/aikg/id/review/{claim slug}``."""
        return f"{ID}review/{slug_of(self.claim)}"

    @property
    def has_stake(self) -> bool:
        """True when the claimant has at least one interest in the claim."""
        return bool(self.interests)

    def summary(self) -> dict[str, Any]:
        """Return the short form used in lists.

        Returns
        -------
        dict
            ``review`` (IRI), ``claim`` (IRI), ``slug``, ``label``, ``claimant``, ``kind``,
            ``rating``, ``reason``, ``hasStake`` and ``interests`` (the interest kinds, sorted).
        """
        return {
            "review": self.iri,
            "claim": self.claim,
            "slug": slug_of(self.claim),
            "label": self.info.get("label"),
            "claimant": self.info.get("claimant"),
            "kind": self.kind,
            "rating": self.rating,
            "reason": self.reason,
            "hasStake": self.has_stake,
            "interests": sorted({i.kind for i in self.interests}),
        }

    def to_dict(self) -> dict[str, Any]:
        """Return the whole review as JSON-ready data.

        Returns
        -------
        dict
            ``review`` (IRI), ``claim`` (the claim: text, claimant, subjects, appearances),
            ``kind``, ``rating`` (``name``, ``iri``, ``ratingValue``, ``bestRating``,
            ``worstRating``), ``reason``, ``evidence`` (list of facts), ``rule`` (``name``,
            ``iri``, ``sparql`` text, ``bindings``), ``interest`` (``hasStake``, ``findings``,
            ``rule``), ``datePublished`` and ``computedFrom`` (dataset version and graphs with
            digests).
        """
        return {
            "review": self.iri,
            "claim": self.info,
            "kind": self.kind,
            "rating": {"name": self.rating, **RATINGS[self.rating], "bestRating": 3, "worstRating": 1},
            "reason": self.reason,
            "evidence": [e.to_dict(self.names) for e in self.evidence],
            "rule": {
                "name": self.rule,
                "iri": _rule_iri(self.rule),
                "decision": RULE_DECISIONS[self.rule],
                "sparql": named_query(self.rule),
                "bindings": self.bindings,
            },
            "interest": {
                "hasStake": self.has_stake,
                "findings": [{"kind": i.kind, "statement": i.statement, "via": i.via} for i in self.interests],
                "rule": {
                    "name": "review_interest",
                    "iri": _rule_iri("review_interest"),
                    "sparql": named_query("review_interest"),
                    "bindings": {"claim": self.claim},
                },
            },
            "datePublished": self.published,
            "computedFrom": self.snapshot.to_dict() if self.snapshot else None,
        }
