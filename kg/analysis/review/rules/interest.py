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


def _group(
    rows: list[dict[str, Any]],
) -> tuple[dict[tuple[Any, ...], list[str]], dict[tuple[Any, ...], dict[str, Any]]]:
    """Group the rows by interest path, gathering the claim's subjects each path reaches.

    Returns the subjects per path key and the row that describes each path (the first row; for a
    competitor, the last).
    """
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
    return grouped, extra


def _competition(r: dict[str, Any], subject_names: str, names: dict[str, str]) -> str:
    """Put a competitor link in words: who makes models of the same modality as the subjects' creator."""
    claimant, maker = r["claimant"], r["maker"]
    role = "the claimant" if maker == claimant else f"owner or employer of the claimant {_name(names, claimant)}"
    same = r.get("makerCountry") and r.get("makerCountry") == r.get("rivalCountry")
    where = (
        "in the same country"
        if same
        else f"in another country ({_name(names, r.get('makerCountry'))} vs {_name(names, r.get('rivalCountry'))})"
    )
    return (
        f"{_name(names, maker)} ({role}) makes {_name(names, r['modality'])} models "
        f"({r['count']} in the graph, e.g. {_name(names, r['example'])}), as does {_name(names, r['rival'])}, "
        f"creator of {subject_names}; {where}."
    )


def _state(kind: str, r: dict[str, Any], subjects: list[str], names: dict[str, str]) -> tuple[str, list[str]]:
    """Put one interest path in words; return the sentence and the entities on the path."""
    claimant = r["claimant"]
    subject_names = _join([_name(names, s) for s in subjects], 3)
    if kind == "self-claim":
        if r["creator"] == claimant:
            text = f"The claimant, {_name(names, claimant)}, created {subject_names}."
        else:
            text = (
                f"{_name(names, r['creator'])}, which owns or is owned by the claimant "
                f"{_name(names, claimant)}, created {subject_names}."
            )
        return text, [*subjects, r["creator"]]
    if kind == "employment":
        text = f"{_name(names, claimant)} works for {_name(names, r['owner'])}, the creator of {subject_names}."
        return text, [r["owner"], *subjects]
    if kind == "ownership":
        whose = "the claimant" if r["owner"] == claimant else f"the creator of {subject_names}"
        text = (
            f"Published by {_name(names, r['publisher'])} (in {_name(names, r['appearance'])}), which is owned by "
            f"{_name(names, r['owner'])}, {whose}."
        )
        return text, [r["appearance"], r["publisher"], r["owner"], *subjects]
    return _competition(r, subject_names, names), [r["maker"], r["rival"], *subjects]


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
    grouped, extra = _group(rows)
    out = [Interest(key[0], *_state(key[0], extra[key], subjects, names)) for key, subjects in grouped.items()]
    order = list(_INTEREST_KINDS)
    return sorted(out, key=lambda i: (order.index(i.kind), i.statement))
