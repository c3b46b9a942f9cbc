"""The interest rule: the stakes the claimant has in what it claims.

Self-claim, employment, ownership of the publisher and competition, as defined in
kg/queries/review_interest.rq.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from kg.analysis.review.evidence import _INTEREST_KINDS, Interest
from kg.analysis.review.wording import _join, _name

__all__ = ["QUERY", "interests"]

QUERY = "review_interest"
"""The named query (``kg/queries/review_interest.rq``) that finds the claimant's interests."""


def interests(rows: list[dict[str, Any]], names: dict[str, str]) -> list[Interest]:
    """Turn the rows of ``review_interest.rq`` for one claim into the claimant's interests.

    Parameters
    ----------
    rows : list of dict
        The query's rows for this claim, one per path (``?kind`` names the interest kind).
    names : dict of str to str
        Display names by IRI.

    Returns
    -------
    list of Interest
        One interest per kind and path, its subjects gathered, ordered by kind (self-claim,
        employment, ownership, competitor) and statement.
    """
    out: list[Interest] = []
    grouped: dict[tuple[Any, ...], list[str]] = defaultdict(list)
    extra: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in rows:
        kind = r["kind"]
        if kind == "self-claim":
            key = (kind, r["creator"])
        elif kind == "employment":
            key = (kind, r["owner"])
        elif kind == "ownership":
            key = (kind, r["appearance"], r["publisher"], r["owner"])
        else:
            key = (kind, r["maker"], r["rival"], r["modality"])
            extra[key] = r
        if r.get("subject") and r["subject"] not in grouped[key]:
            grouped[key].append(r["subject"])
        extra.setdefault(key, r)
    claimant = None
    for key, subjects in grouped.items():
        r = extra[key]
        claimant = r["claimant"]
        subject_names = _join([_name(names, s) for s in subjects], 3)
        kind = key[0]
        if kind == "self-claim":
            if r["creator"] == claimant:
                text = f"The claimant, {_name(names, claimant)}, created {subject_names}."
            else:
                text = (
                    f"{_name(names, r['creator'])}, which owns or is owned by the claimant "
                    f"{_name(names, claimant)}, created {subject_names}."
                )
            via = [*subjects, r["creator"]]
        elif kind == "employment":
            text = f"{_name(names, claimant)} works for {_name(names, r['owner'])}, the creator of {subject_names}."
            via = [r["owner"], *subjects]
        elif kind == "ownership":
            whose = "the claimant" if r["owner"] == claimant else f"the creator of {subject_names}"
            text = (
                f"Published by {_name(names, r['publisher'])} (in {_name(names, r['appearance'])}), which is owned by "
                f"{_name(names, r['owner'])}, {whose}."
            )
            via = [r["appearance"], r["publisher"], r["owner"], *subjects]
        else:
            maker = r["maker"]
            role = (
                "the claimant" if maker == claimant else f"owner or employer of the claimant {_name(names, claimant)}"
            )
            same = r.get("makerCountry") and r.get("makerCountry") == r.get("rivalCountry")
            where = (
                "in the same country"
                if same
                else f"in another country ({_name(names, r.get('makerCountry'))} vs {_name(names, r.get('rivalCountry'))})"
            )
            text = (
                f"{_name(names, maker)} ({role}) makes {_name(names, r['modality'])} models "
                f"({r['count']} in the graph, e.g. {_name(names, r['example'])}), as does {_name(names, r['rival'])}, "
                f"creator of {subject_names}; {where}."
            )
            via = [maker, r["rival"], *subjects]
        out.append(Interest(kind, text, via))
    order = list(_INTEREST_KINDS)
    return sorted(out, key=lambda i: (order.index(i.kind), i.statement))
