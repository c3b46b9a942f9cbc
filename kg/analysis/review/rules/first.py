"""Evidence rule for 'first' claims: no model meeting the claimed scope was released earlier.

Contradicted when the subject itself lacks the scope, or another model meeting the whole scope was
released strictly earlier (and the scope has no unrecorded qualifier); unverifiable when the scope is
not recorded, the subject's date is unknown, a match's order cannot be told from its dates, or only a
qualified scope is refuted; supported otherwise. Models released the same day are not earlier.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from kg.analysis.review._vocabulary import _S
from kg.analysis.review.evidence import Decision, Evidence
from kg.analysis.review.wording import _join, _name

__all__ = ["QUERY", "decide"]

QUERY = "review_first"
"""The named query (``kg/queries/review_first.rq``) that gathers this rule's rows."""

_MAX_PEERS = 8
"""At most this many earlier models without the claimed property are listed as context of a 'first'."""


class _Models:
    """Model rows of a rule query: name, dates and sources per graph."""

    def __init__(self) -> None:
        self.data: dict[str, dict[str, Any]] = {}

    def add(self, row: dict[str, Any]) -> dict[str, Any]:
        entry = self.data.setdefault(
            row["model"],
            {"iri": row["model"], "name": row.get("name"), "date": None, "graph": None, "sources": set(), "rows": []},
        )
        if row.get("date") is not None and entry["date"] is None:
            entry["date"], entry["graph"] = str(row["date"]), row.get("graph")
        if row.get("source") and row.get("graph") == entry["graph"]:
            entry["sources"].add(row["source"])
        entry["rows"].append(row)
        return entry


def _fact(entry: dict[str, Any], statement: str, bearing: str, prop: str | None = None, value: Any = None) -> Evidence:
    return Evidence(
        statement, bearing, entry["iri"], prop, value, entry.get("date"), entry.get("graph"), sorted(entry["sources"])
    )


def _date_order(a: str, b: str) -> str:
    """Order two ISO dates of any precision: ``before``, ``after``, ``same`` or ``overlap``.

    Examples
    --------
    >>> _date_order("2025-02-25", "2025-07-28"), _date_order("2025-07", "2025-07-28")
    ('before', 'overlap')
    """
    n = min(len(a), len(b))
    if a[:n] < b[:n]:
        return "before"
    if a[:n] > b[:n]:
        return "after"
    return "same" if len(a) == len(b) else "overlap"


def _split(rows: list[dict[str, Any]]) -> tuple[_Models, _Models, _Models]:
    """Sort the query's model rows by role: the subjects, the matches of the scope, and the near peers."""
    subjects, matches, peers = _Models(), _Models(), _Models()
    for row in rows:
        if row["role"] == "subject":
            subjects.add(row)["meets"] = row.get("meets")
        elif row["role"] == "match":
            matches.add(row)
        elif row["role"] == "peer":
            peers.add(row)["value"] = row.get("value")
    return subjects, matches, peers


def _subject_evidence(subjects: _Models, scope: str) -> list[Evidence]:
    """State for each subject whether it meets the claimed scope itself."""
    out = []
    for s in sorted(subjects.data.values(), key=lambda s: s["name"] or ""):
        meets = "meets" if s["meets"] else "does not meet"
        out.append(
            _fact(
                s,
                f"{s['name']} (released {s['date'] or 'on an unknown date'}) {meets} the scope ({scope}).",
                "for" if s["meets"] else "against",
                _S + "datePublished",
                s["date"],
            )
        )
    return out


def _order_matches(
    matches: _Models, start: str, evidence: list[Evidence]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Place each model meeting the scope against the subject's date `start`, oldest first.

    Returns the models released strictly before `start` and those whose order the recorded dates
    cannot tell (same-day releases are context, not earlier); adds a fact for each.
    """
    before, unsure = [], []
    for m in sorted(matches.data.values(), key=lambda m: (m["date"] or "9999", m["name"] or "")):
        order = _date_order(m["date"], start) if m["date"] else "unknown"
        when = f"released {m['date']}" if m["date"] else "release date not recorded"
        if order == "before":
            before.append(m)
            statement, bearing = f"{m['name']} ({when}) meets the same scope and came earlier.", "against"
        elif order == "same":
            statement = f"{m['name']} ({when}) meets the same scope, released the same day as the subject: not earlier."
            bearing = "context"
        elif order in ("overlap", "unknown"):
            unsure.append(m)
            statement = (
                f"{m['name']} ({when}) meets the same scope; its order against {start} cannot "
                "be told from the recorded dates."
            )
            bearing = "context"
        else:
            continue
        evidence.append(_fact(m, statement, bearing, _S + "datePublished", m["date"]))
    return before, unsure


def _peer_evidence(
    peers: _Models, start: str, about: str | None, names: dict[str, str], evidence: list[Evidence]
) -> int:
    """Add the latest earlier models that meet the scope except the claimed property; return how many there are."""
    earlier = [p for p in peers.data.values() if p["date"] and _date_order(p["date"], start) == "before"]
    # The latest earlier models are the closest competitors for a 'first'; older ones add nothing.
    for p in sorted(earlier, key=lambda p: (p["date"], p["name"] or ""))[-_MAX_PEERS:]:
        evidence.append(
            _fact(
                p,
                f"{p['name']} (released {p['date']}) meets the scope except {_name(names, about)}: "
                f"it has {_name(names, p.get('value')) if p.get('value') else 'no recorded value'}.",
                "context",
                about,
                p.get("value"),
            )
        )
    return len(earlier)


def _decide_earlier(before: list[dict[str, Any]], qualifiers: list[str], scope: str, start: str) -> tuple[str, str]:
    """Rate a claim that an earlier model contradicts, unless the scope has qualifiers the graph lacks."""
    names_before = _join([f"{m['name']} ({m['date']})" for m in before])
    if qualifiers:
        it = "it is" if len(before) == 1 else "they are"
        return (
            "unverifiable",
            f"{names_before} came earlier with the recorded properties ({scope}), but whether {it} "
            f"also {' and '.join(qualifiers)} is not recorded in the graph.",
        )
    return ("contradicted", f"An earlier model meets the same scope ({scope}): {names_before}, before {start}.")


def _decide_unsure(unsure: list[dict[str, Any]], qualifiers: list[str], scope: str, start: str) -> tuple[str, str]:
    """Rate a claim whose matches cannot be ordered against the subject: unverifiable."""
    unchecked = (
        f" The claim's scope also says {' and '.join(qualifiers)}, which the graph does not record."
        if qualifiers
        else ""
    )
    return (
        "unverifiable",
        f"{_join([m['name'] for m in unsure])} also meets the scope ({scope}), but the recorded "
        f"release dates cannot tell whether it came before {start}.{unchecked}",
    )


def decide(rows: list[dict[str, Any]], claim: dict[str, Any], names: dict[str, str], store: ox.Store) -> Decision:
    """Decide a claim from the rows of ``review_first.rq``.

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
    constraints = [(r["p"], r["v"]) for r in rows if r["role"] == "constraint"]
    qualifiers = sorted({r["qualifier"] for r in rows if r["role"] == "qualifier"})
    if not constraints:
        return (
            "unverifiable",
            "The claim does not record what its subject is said to be first among "
            "(aikg:firstAmong), so no rule can look for an earlier model.",
            [],
        )
    scope = "; ".join(f"{_name(names, p)}: {_name(names, v)}" for p, v in constraints)
    subjects, matches, peers = _split(rows)
    evidence = _subject_evidence(subjects, scope)
    failing = [s for s in subjects.data.values() if not s["meets"]]
    if failing:
        return (
            "contradicted",
            f"{_join([s['name'] for s in failing])} itself does not meet the claimed scope ({scope}) "
            "according to the graph.",
            evidence,
        )
    undated = [s["name"] for s in subjects.data.values() if not s["date"]]
    if undated:
        return (
            "unverifiable",
            f"The release date of {_join(undated)} is not recorded, so no model can be shown to come before it.",
            evidence,
        )
    start = min(s["date"] for s in subjects.data.values())
    before, unsure = _order_matches(matches, start, evidence)
    about = claim.get("property")
    earlier_peers = _peer_evidence(peers, start, about, names, evidence)
    if before:
        return (*_decide_earlier(before, qualifiers, scope, start), evidence)
    if unsure:
        return (*_decide_unsure(unsure, qualifiers, scope, start), evidence)
    return (
        "supported",
        f"No model in the graph released before {start} meets the scope ({scope}); "
        f"{earlier_peers} earlier model(s) meet it except {_name(names, about)}.",
        evidence,
    )
