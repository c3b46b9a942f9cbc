"""Evidence rule for 'quantity' claims: claimed values against the values the graph records.

Each claimed value is compared with every value the graph records for that subject and property, numbers
at the precision of the less precise one, dates by prefix; any disagreement: contradicted; all recorded
ones agree: supported; none recorded: unverifiable.
"""

from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox

from kg.analysis.review._vocabulary import _S
from kg.analysis.review.evidence import Decision, Evidence
from kg.analysis.review.wording import _fmt, _join, _name
from kg.terms import slug_of

__all__ = ["QUERY", "decide"]

QUERY = "review_quantity"
"""The named query (``kg/queries/review_quantity.rq``) that gathers this rule's rows."""


def _significant(value: float) -> int:
    digits = f"{abs(value):.15g}".replace(".", "").lstrip("0").split("e")[0].rstrip("0")
    return max(len(digits), 1)


def _values_agree(claimed: Any, recorded: Any) -> bool:
    """Compare a claimed value with the graph's, at the precision the less precise of them has.

    Numbers are compared after rounding both to the smaller number of significant digits ("30
    billion" agrees with 30.5 billion, "3.6B" does not with 3.3 billion); dates agree when one is
    a prefix of the other ("2025-07" and "2025-07-28"); anything else must be equal.

    Examples
    --------
    >>> _values_agree(30_000_000_000, 30_500_000_000), _values_agree(3_600_000_000, 3_300_000_000)
    (True, False)
    >>> _values_agree("2025-07-28", "2025-07")
    True
    """
    if isinstance(claimed, bool) or isinstance(recorded, bool):
        return claimed is recorded
    if isinstance(claimed, int | float) and isinstance(recorded, int | float):
        digits = min(_significant(claimed), _significant(recorded))
        return float(f"{claimed:.{digits - 1}e}") == float(f"{recorded:.{digits - 1}e}")
    a, b = str(claimed), str(recorded)
    if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", a) and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", b):
        return a.startswith(b) or b.startswith(a)
    return a == b


def decide(rows: list[dict[str, Any]], claim: dict[str, Any], names: dict[str, str], store: ox.Store) -> Decision:
    """Decide a claim from the rows of ``review_quantity.rq``.

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
    if not rows:
        return (
            "unverifiable",
            "The claim's values are not recorded in structured form (aikg:claimedValue), so there "
            "is nothing to compare with the graph.",
            [],
        )
    pairs: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in rows:
        key = (r["subject"], r["p"], repr(r["claimed"]))
        entry = pairs.setdefault(
            key,
            {
                "subject": r["subject"],
                "name": r.get("name") or slug_of(r["subject"]),
                "p": r["p"],
                "claimed": r["claimed"],
                "values": {},
            },
        )
        if "value" in r:
            v = entry["values"].setdefault(
                repr(r["value"]), {"value": r["value"], "graph": r.get("graph"), "sources": set()}
            )
            if r.get("source"):
                v["sources"].add(r["source"])
    evidence, agree, disagree, missing = [], [], [], []
    for e in pairs.values():
        what = f"{e['name']} {_name(names, e['p'])}"
        if not e["values"]:
            missing.append(what)
            evidence.append(
                Evidence(
                    f"{what}: claimed {_fmt(e['claimed'], names)}; the graph records no value.",
                    "context",
                    e["subject"],
                    e["p"],
                )
            )
            continue
        for v in e["values"].values():
            ok = _values_agree(e["claimed"], v["value"])
            (agree if ok else disagree).append(what)
            date = str(v["value"]) if e["p"] == _S + "datePublished" else None
            exact = _values_agree(e["claimed"], v["value"]) and str(e["claimed"]) == str(v["value"])
            note = "" if exact else " (agrees at the claim's precision)" if ok else " (disagrees)"
            evidence.append(
                Evidence(
                    f"{what}: claimed {_fmt(e['claimed'], names)}; the graph records {_fmt(v['value'], names)}{note}.",
                    "for" if ok else "against",
                    e["subject"],
                    e["p"],
                    v["value"],
                    date,
                    v["graph"],
                    sorted(v["sources"]),
                )
            )
    unchecked = f" Not recorded in the graph: {_join(missing)}." if missing else ""
    if disagree:
        return ("contradicted", f"The graph records different values for {_join(disagree)}.{unchecked}", evidence)
    if agree:
        return (
            "supported",
            f"The graph records the claimed values for {_join(agree)} (compared at the claim's precision).{unchecked}",
            evidence,
        )
    return ("unverifiable", f"None of the claimed values is recorded in the graph.{unchecked}", evidence)
