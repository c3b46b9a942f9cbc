"""What a rule decides from: evidence items, the claimant's interests, and a rule's decision."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kg.analysis.review.wording import _name
from kg.namespaces import AIKG

__all__ = ["Decision", "Evidence", "Interest"]

_BEARINGS = {"for": str(AIKG.BearsFor), "against": str(AIKG.BearsAgainst), "context": str(AIKG.BearsContext)}
_INTEREST_KINDS = {
    "self-claim": str(AIKG.SelfClaim),
    "employment": str(AIKG.EmploymentLink),
    "ownership": str(AIKG.OwnershipLink),
    "competitor": str(AIKG.CompetitorLink),
}


@dataclass(slots=True)
class Evidence:
    """One fact a review rests on.

    Attributes
    ----------
    statement : str
        The fact in words.
    bearing : str
        ``"for"``, ``"against"`` or ``"context"``: how it bears on the claim.
    subject, property : str or None
        IRIs of the entity and the property the fact is about.
    value : object
        The value as the graph states it (IRI string, number, date string, bool).
    date : str or None
        The date the fact refers to (e.g. the subject's release date), ISO 8601.
    graph : str or None
        The named graph it was read from.
    sources : list of str
        The ``dcterms:source`` IRIs that graph gives for the subject.
    """

    statement: str
    bearing: str = "context"
    subject: str | None = None
    property: str | None = None
    value: Any = None
    date: str | None = None
    graph: str | None = None
    sources: list[str] = field(default_factory=list)

    def to_dict(self, names: dict[str, str]) -> dict[str, Any]:
        """Return JSON-ready data, with display names of the IRIs.

        Parameters
        ----------
        names : dict of str to str
            Display names by IRI; an IRI without one is shown by its local name.

        Returns
        -------
        dict
            ``statement``, ``bearing``, ``subject``/``property``/``value`` when set (each IRI
            with a ``...Name``), ``date``, ``graph`` and ``sources`` (sorted).
        """
        out: dict[str, Any] = {"statement": self.statement, "bearing": self.bearing}
        for key in ("subject", "property", "value"):
            val = getattr(self, key)
            if val is None:
                continue
            out[key] = val
            if isinstance(val, str) and val.startswith(("http://", "https://")):
                out[key + "Name"] = _name(names, val)
        out.update({"date": self.date, "graph": self.graph, "sources": sorted(self.sources)})
        return out


@dataclass(slots=True)
class Interest:
    """A stake of the claimant: its kind (a key of the interest scheme), a sentence, the entities on its path."""

    kind: str
    statement: str
    via: list[str] = field(default_factory=list)


Decision = tuple[str, str, list[Evidence]]
"""What an evidence rule returns: ``(rating, reason, evidence)``."""
