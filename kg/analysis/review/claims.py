"""A claim as the graph records it: its text, kind, claimant, subjects and where it appeared."""

from __future__ import annotations

from typing import Any

from kg.analysis.review._vocabulary import _S
from kg.analysis.review.evidence import Evidence
from kg.analysis.review.model import _KIND_BY_IRI
from kg.analysis.review.wording import _join, _name
from kg.errors import NotFoundError
from kg.terms import slug_of

__all__ = ["claim_info"]


def claim_info(claim: str, rows: list[dict[str, Any]], names: dict[str, str]) -> dict[str, Any]:
    """Gather what the graph records about a claim from the rows of ``review_claim.rq``.

    Parameters
    ----------
    claim : str
        IRI of the claim.
    rows : list of dict
        The query's rows for this claim.
    names : dict of str to str
        Display names by IRI (for subjects the rows give no name of).

    Returns
    -------
    dict
        ``iri``, ``slug``, ``label``, ``text``, ``paraphrase``, ``framing``, ``stance``, ``kind``
        (a key of :data:`CLAIM_KINDS` or None), ``kindIri``, ``property``, ``date``, ``claimant``
        (``iri``, ``name``), ``about`` and ``comparedWith`` (``iri``, ``name`` each) and
        ``appearances``.

    Raises
    ------
    NotFoundError
        If `rows` is empty: `claim` is not a ``schema:Claim``.
    """
    if not rows:
        raise NotFoundError(f"no claim with IRI {claim}")
    first = rows[0]
    info: dict[str, Any] = {
        "iri": claim,
        "slug": slug_of(claim),
        "label": first.get("label"),
        "text": first.get("text"),
        "paraphrase": first.get("paraphrase"),
        "framing": first.get("framing"),
        "stance": first.get("stance"),
        "kind": _KIND_BY_IRI.get(first.get("kind", "")),
        "kindIri": first.get("kind"),
        "property": first.get("property"),
        "date": str(first["date"]) if first.get("date") else None,
        "claimant": None,
        "about": [],
        "comparedWith": [],
        "appearances": [],
    }
    for r in rows:
        if r.get("claimant") and info["claimant"] is None:
            info["claimant"] = {"iri": r["claimant"], "name": r.get("claimantName") or slug_of(r["claimant"])}
        for key, iri, name in (
            ("about", r.get("about"), r.get("aboutName")),
            ("comparedWith", r.get("comparedWith"), r.get("comparedName")),
        ):
            if iri and all(x["iri"] != iri for x in info[key]):
                info[key].append({"iri": iri, "name": name or _name(names, iri)})
        if r.get("appearance") and all(a["iri"] != r["appearance"] for a in info["appearances"]):
            info["appearances"].append(
                {
                    "iri": r["appearance"],
                    "name": r.get("appearanceName"),
                    "url": r.get("appearanceUrl"),
                    "date": str(r["appearanceDate"]) if r.get("appearanceDate") else None,
                    "publisher": r.get("publisher"),
                    "publisherName": r.get("publisherName"),
                }
            )
    return info


def _claim_record(info: dict[str, Any], names: dict[str, str]) -> Evidence:
    # When no fact bears on a claim, the review still shows what it rests on: the claim as recorded.
    where = _join([a.get("name") or _name(names, a["iri"]) for a in info["appearances"]]) or "no recorded source"
    stance = _name(names, info["stance"]) if info.get("stance") else "no stance"
    sources = sorted({a.get("url") or a["iri"] for a in info["appearances"]})
    return Evidence(
        f"The claim as recorded: {info['claimant']['name'] if info.get('claimant') else 'unknown claimant'}, "
        f"stance '{stance}', kind '{info.get('kind') or 'none'}', in {where}"
        f"{', ' + info['date'] if info.get('date') else ''}.",
        "context",
        info["iri"],
        _S + "appearance",
        None,
        info.get("date"),
        None,
        sources,
    )
