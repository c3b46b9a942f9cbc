"""Claims against evidence: each checkable claim gets a ``schema:ClaimReview`` computed from the graph.

A claim's kind (``aikg:claimKind``) selects its evidence rule: a named SPARQL query in
``kg/queries/review_*.rq`` that gathers the facts, and a decision on those rows written out in the
rule functions below. Every review keeps the exact SPARQL and its bindings, the evidence items
(facts with their named graph, sources and dates), the claimant's interests, the date and the data
snapshot (named graphs with their digests) it was computed from.

Ratings (``aikg:RatingScheme``, ontology/modules/reviews.ttl):

``supported``     the facts agree with the claim and the rule found nothing against it;
``misleading``    part holds, but facts the wording hides change its meaning;
``contradicted``  the facts show the claim false as stated;
``unverifiable``  no evidence could decide it (opinions, predictions, missing facts, a claim
                  resting only on the claimant's own measurement). Never a guess.

Reviews live in their own named graph (:data:`REVIEWS_GRAPH`). :class:`ReviewKeeper` regenerates
them whenever the data they rest on changes (a store listener compares graph digests after every
write) and replaces the graph in the same write lock, so a stale review is never served.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import weakref
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg.analysis.licenses import license_findings
from kg.engine.dataset import union_dataset
from kg.engine.sparql import select
from kg.engine.store import DEFAULT_GRAPH, KnowledgeStore
from kg.errors import InvalidParameterError, NotFoundError
from kg.namespaces import AIKG, GRAPH, ID, PREFIXES
from kg.queries import named_query

__all__ = [
    "CLAIM_KINDS",
    "RATINGS",
    "REVIEWS_GRAPH",
    "RULE_DECISIONS",
    "Evidence",
    "Interest",
    "Review",
    "ReviewKeeper",
    "Snapshot",
    "evidence_graph",
    "keeper_for",
    "review_all",
    "review_claim",
    "snapshot",
]

log = logging.getLogger(__name__)

REVIEWS_GRAPH = str(GRAPH["reviews"])
"""Named graph holding the generated reviews; never an input of a review."""

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
_BEARINGS = {"for": str(AIKG.BearsFor), "against": str(AIKG.BearsAgainst), "context": str(AIKG.BearsContext)}
_INTEREST_KINDS = {
    "self-claim": str(AIKG.SelfClaim),
    "employment": str(AIKG.EmploymentLink),
    "ownership": str(AIKG.OwnershipLink),
    "competitor": str(AIKG.CompetitorLink),
}
_A = PREFIXES["aikg"]
_S = "https://schema.org/"
_RDF_TYPE = PREFIXES["rdf"] + "type"
_XSD = PREFIXES["xsd"]
_OPEN_SOURCE = re.compile(r"open[\s-]?sourc", re.IGNORECASE)
_MAX_PEERS = 8
"""At most this many earlier models without the claimed property are listed as context of a 'first'."""
_COMPARABLE_RATIO = 0.9
"""A subject is 'comparable' on a benchmark when its best independent score is at least 90% of the
compared model's best independent score on the same benchmark."""
_PROPERTY_NAMES = {
    _S + "creator": "developer",
    _S + "addressCountry": "country",
    _S + "datePublished": "release date",
}


# ------------------------------------------------------------------------------------------ data


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
        """Return JSON-ready data, with display names of the IRIs."""
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


@dataclass(slots=True)
class Review:
    """The review of one claim. See :meth:`to_dict` for the JSON form."""

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
    snapshot: Snapshot | None = None

    @property
    def iri(self) -> str:
        """The review's IRI: ``https://w3id.org/aikg/id/review/{claim slug}``."""
        return f"{ID}review/{_slug(self.claim)}"

    @property
    def has_stake(self) -> bool:
        """True when the claimant has at least one interest in the claim."""
        return bool(self.interests)

    def summary(self) -> dict[str, Any]:
        """Return the short form used in lists."""
        return {
            "review": self.iri,
            "claim": self.claim,
            "slug": _slug(self.claim),
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


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The data reviews are computed from: every named graph but the reviews graph, with digests.

    Attributes
    ----------
    version : str
        The store's dataset version when the snapshot was taken.
    graphs : tuple of (str, int, str, str or None)
        ``(graph IRI, triple count, "sha256:<hex>", prov:generatedAtTime or None)``, sorted by IRI.
    """

    version: str
    graphs: tuple[tuple[str, int, str, str | None], ...]

    @property
    def fingerprint(self) -> str:
        """A digest of all graph digests: equal fingerprints, equal data."""
        text = "\n".join(f"{g} {d}" for g, _, d, _ in self.graphs)
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def iri(self) -> str:
        """IRI of the snapshot node in the reviews graph."""
        return f"{ID}snapshot/{self.fingerprint[:16]}"

    def to_dict(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        return {
            "snapshot": self.iri,
            "datasetVersion": self.version,
            "graphs": [{"graph": g, "triples": n, "digest": d, "generatedAtTime": t} for g, n, d, t in self.graphs],
        }


def snapshot(
    store: KnowledgeStore,
    known: dict[str, tuple[int, str]] | None = None,
    changed: set[str] | frozenset[str] | None = None,
) -> Snapshot:
    """Take the data snapshot of a store: each named graph's triple count and content digest.

    Parameters
    ----------
    store : KnowledgeStore
        The store; :data:`REVIEWS_GRAPH` is left out. The default graph is listed as
        :data:`kg.engine.store.DEFAULT_GRAPH` when it holds triples (queries read it as part of the union).
    known : dict, optional
        Graph IRI -> ``(triple count, digest)`` of an earlier snapshot of the same store.
    changed : set of str, optional
        The graphs that may have changed since `known` was taken; the others reuse their known
        digest. None (the default) digests every graph.

    Returns
    -------
    Snapshot

    Notes
    -----
    The digest is SHA-256 over the graph's N-Triples lines, sorted, so it does not depend on the
    order triples were written in. Blank-node labels are part of the text: reloading the same file
    gives a new digest and recomputes the reviews, which is safe. O(n log n) in the triples of the
    graphs digested: with `known` and `changed`, only the changed graphs are read (a write to a
    small graph no longer re-reads a large bulk-loaded one: 0.4 s at 220k triples, 9 s at 2.2M).
    """
    inner = store.inner
    known = known or {}
    generated = {}
    names = store.named_graphs()
    for g in names:
        node = ox.NamedNode(g)
        for q in inner.quads_for_pattern(node, ox.NamedNode("http://www.w3.org/ns/prov#generatedAtTime"), None, node):
            generated[g] = q.object.value
    graphs = []
    # A remote engine is queried over the union of its named graphs only (kg.engine.remote), never its
    # default graph, which some engines make the union of everything.
    for g in names if getattr(store, "remote", False) else [*names, DEFAULT_GRAPH]:
        if g == REVIEWS_GRAPH:
            continue
        if changed is not None and g not in changed and g in known:
            count, digest = known[g]
        else:
            count, digest = _digest(inner, g)
        if g == DEFAULT_GRAPH and count == 0:
            continue
        graphs.append((g, count, digest, generated.get(g)))
    return Snapshot(store.version, tuple(graphs))


def _digest(inner: ox.Store, graph: str) -> tuple[int, str]:
    # The engine writes N-Triples in its own order; sorting the lines makes the digest depend on
    # the content only. Both steps run in native code (about 1 s for 200k triples).
    source = ox.DefaultGraph() if graph == DEFAULT_GRAPH else ox.NamedNode(graph)
    data = inner.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=source) or b""
    lines = sorted(line for line in data.split(b"\n") if line)
    digest = hashlib.sha256(b"\n".join(lines)).hexdigest()
    return len(lines), f"sha256:{digest}"


# ------------------------------------------------------------------------------------------ helpers


def _slug(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _rule_iri(name: str) -> str:
    return f"{ID}rule/{name.replace('_', '-')}"


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _name(names: dict[str, str], iri: Any) -> str:
    if iri is None:
        return "?"
    text = str(iri)
    if text in _PROPERTY_NAMES:
        return _PROPERTY_NAMES[text]
    return names.get(text) or _local(text)


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


_NAME_RANK = {_S + "name": 0, PREFIXES["skos"] + "prefLabel": 1, PREFIXES["rdfs"] + "label": 2, _S + "headline": 3}


class _Names(dict[str, str]):
    """Display names of IRIs, looked up one IRI at a time when first asked for.

    schema:name, else skos:prefLabel, else rdfs:label, else schema:headline (English or untagged
    literals). Reading every name of the graph up front scales with the graph (27k labels, 0.3 s
    at 220k triples, none of them needed by a review); reviews need a few hundred. Each lookup runs
    ``review_names.rq`` with ``?s`` bound, an index lookup. :meth:`freeze` drops the store once
    the reviews are built, so a kept review neither holds the store alive nor reads later data.
    """

    def __init__(self, store: ox.Store) -> None:
        super().__init__()
        self._store: ox.Store | None = store
        self._dataset = union_dataset(store)
        self._missing: set[str] = set()

    def _lookup(self, iri: str) -> str | None:
        if iri in self or iri in self._missing:
            return super().get(iri)
        if self._store is None or not iri.startswith(("http://", "https://", "urn:")):
            return None
        best: tuple[int, str] | None = None
        rows = self._store.query(
            named_query("review_names"),
            prefixes=PREFIXES,
            substitutions={ox.Variable("s"): ox.NamedNode(iri)},
            **self._dataset,
        )
        for row in rows:
            label = row["label"]
            if isinstance(label, ox.Literal) and label.language not in (None, "en"):
                continue
            key = (_NAME_RANK[row["p"].value], label.value)
            if best is None or key < best:
                best = key
        if best is None:
            self._missing.add(iri)
            return None
        self[iri] = best[1]
        return best[1]

    def get(self, iri: str, default: str | None = None) -> str | None:  # type: ignore[override]
        found = self._lookup(iri)
        return default if found is None else found

    def warm(self, reviews: list[Review]) -> None:
        """Look up every IRI the reviews' JSON and pictures name, then forget the store."""
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
            for iri in iris:
                if isinstance(iri, str):
                    self._lookup(iri)
        self._store = None


def _names(store: ox.Store) -> _Names:
    return _Names(store)


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


def _fmt(value: Any, names: dict[str, str]) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) and abs(value) >= 1_000_000:
        for unit, size in (("trillion", 10**12), ("billion", 10**9), ("million", 10**6)):
            if abs(value) >= size:
                return f"{value / size:g} {unit} ({value:,})"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return _name(names, value)
    return str(value)


def _join(items: list[str], limit: int = 6) -> str:
    if len(items) > limit:
        return ", ".join(items[:limit]) + f" and {len(items) - limit} more"
    return ", ".join(items)


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


# ------------------------------------------------------------------------------------------ rules

Decision = tuple[str, str, list[Evidence]]


def _rule_first(rows: list[dict[str, Any]], claim: dict[str, Any], names: dict[str, str], store: ox.Store) -> Decision:
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
    subjects, matches, peers = _Models(), _Models(), _Models()
    for row in rows:
        if row["role"] == "subject":
            subjects.add(row)["meets"] = row.get("meets")
        elif row["role"] == "match":
            matches.add(row)
        elif row["role"] == "peer":
            peers.add(row)["value"] = row.get("value")
    evidence: list[Evidence] = []
    failing = [s for s in subjects.data.values() if not s["meets"]]
    for s in sorted(subjects.data.values(), key=lambda s: s["name"] or ""):
        meets = "meets" if s["meets"] else "does not meet"
        evidence.append(
            _fact(
                s,
                f"{s['name']} (released {s['date'] or 'on an unknown date'}) {meets} the scope ({scope}).",
                "for" if s["meets"] else "against",
                _S + "datePublished",
                s["date"],
            )
        )
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
    before, unsure = [], []
    for m in sorted(matches.data.values(), key=lambda m: (m["date"] or "9999", m["name"] or "")):
        order = _date_order(m["date"], start) if m["date"] else "unknown"
        when = f"released {m['date']}" if m["date"] else "release date not recorded"
        if order == "before":
            before.append(m)
            evidence.append(
                _fact(
                    m,
                    f"{m['name']} ({when}) meets the same scope and came earlier.",
                    "against",
                    _S + "datePublished",
                    m["date"],
                )
            )
        elif order == "same":
            evidence.append(
                _fact(
                    m,
                    f"{m['name']} ({when}) meets the same scope, released the same day as the subject: not earlier.",
                    "context",
                    _S + "datePublished",
                    m["date"],
                )
            )
        elif order in ("overlap", "unknown"):
            unsure.append(m)
            evidence.append(
                _fact(
                    m,
                    f"{m['name']} ({when}) meets the same scope; its order against {start} cannot "
                    "be told from the recorded dates.",
                    "context",
                    _S + "datePublished",
                    m["date"],
                )
            )
    about = claim.get("property")
    earlier_peers = [p for p in peers.data.values() if p["date"] and _date_order(p["date"], start) == "before"]
    # The latest earlier models are the closest competitors for a 'first'; older ones add nothing.
    for p in sorted(earlier_peers, key=lambda p: (p["date"], p["name"] or ""))[-_MAX_PEERS:]:
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
    if before:
        names_before = _join([f"{m['name']} ({m['date']})" for m in before])
        if qualifiers:
            it = "it is" if len(before) == 1 else "they are"
            return (
                "unverifiable",
                f"{names_before} came earlier with the recorded properties ({scope}), but whether {it} "
                f"also {' and '.join(qualifiers)} is not recorded in the graph.",
                evidence,
            )
        return (
            "contradicted",
            f"An earlier model meets the same scope ({scope}): {names_before}, before {start}.",
            evidence,
        )
    if unsure:
        unchecked = (
            f" The claim's scope also says {' and '.join(qualifiers)}, which the graph does not record."
            if qualifiers
            else ""
        )
        return (
            "unverifiable",
            f"{_join([m['name'] for m in unsure])} also meets the scope ({scope}), but the recorded "
            f"release dates cannot tell whether it came before {start}.{unchecked}",
            evidence,
        )
    return (
        "supported",
        f"No model in the graph released before {start} meets the scope ({scope}); "
        f"{len(earlier_peers)} earlier model(s) meet it except {_name(names, about)}.",
        evidence,
    )


def _best(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    best: dict[str, dict[str, Any]] = {}
    for r in results:
        if r.get("score") is None:
            continue
        if r["benchmark"] not in best or r["score"] > best[r["benchmark"]]["score"]:
            best[r["benchmark"]] = r
    return best


def _rule_ranking(
    rows: list[dict[str, Any]], claim: dict[str, Any], names: dict[str, str], store: ox.Store
) -> Decision:
    claimed = {r["p"]: r["v"] for r in rows if r["role"] == "claimed"}
    rank = claimed.get(_A + "rank")
    results: dict[str, list[dict[str, Any]]] = defaultdict(list)
    sources: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if r["role"] in ("subject", "compared", "peer"):
            key = r["result"]
            if r.get("source"):
                sources[key].add(r["source"])
            if all(x["result"] != key or x["role"] != r["role"] for x in results[r["role"]]):
                results[r["role"]].append(r)
    for found in results.values():
        found.sort(key=lambda r: (r.get("name") or "", r["benchmark"], r["result"]))
    evidence: list[Evidence] = []

    def item(r: dict[str, Any], statement: str, bearing: str) -> Evidence:
        return Evidence(
            statement,
            bearing,
            r["model"],
            _A + "score",
            r.get("score"),
            None,
            r.get("graph"),
            sorted(sources[r["result"]]),
        )

    def describe(r: dict[str, Any]) -> str:
        who = "self-reported by its developer" if r.get("selfReported") else "independent"
        extra = f", rank {r['rank']}" if r.get("rank") is not None else ""
        return f"{r.get('name') or _local(r['model'])}: {r['benchmark']} {_fmt(r.get('score'), names)}{extra} ({who})"

    for group, models in (("subject", claim["about"]), ("compared", claim.get("comparedWith") or [])):
        measured = {r["model"] for r in results[group]}
        for m in models:
            if m["iri"] not in measured:
                evidence.append(
                    Evidence(
                        f"{m['name']}: no benchmark result, self-reported or independent, is recorded in the graph.",
                        "context",
                        m["iri"],
                        _A + "evaluatedModel",
                    )
                )
    own = [r for r in results["subject"] if r.get("selfReported") is not False]
    indep = [r for r in results["subject"] if r.get("selfReported") is False]
    for r in own:
        repeats = rank is not None and r.get("rank") == rank
        evidence.append(item(r, describe(r) + (": the claim repeats this result." if repeats else "."), "context"))
    only_self = (
        f"The claim rests only on self-reported results ({_join([describe(r) for r in own])}); "
        if own
        else "The graph holds no benchmark result for the subject; "
    )
    compared = claim.get("comparedWith") or []
    if compared:
        mine, theirs = _best(indep), _best([r for r in results["compared"] if r.get("selfReported") is False])
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
            evidence.append(item(a, text, "for" if ok else "against"))
            evidence.append(item(b, describe(b) + ".", "context"))
        verdict = "supported" if agree == len(shared) else "contradicted" if agree == 0 else "misleading"
        return (
            verdict,
            f"On {len(shared)} benchmark(s) measured independently for both, the subject reaches at least "
            f"{_COMPARABLE_RATIO:.0%} of the compared model's score on {agree}.",
            evidence,
        )
    if rank is None:
        return (
            "unverifiable",
            "The claim records no rank or comparison in structured form (aikg:claimedValue "
            "aikg:rank, aikg:comparedWith), so no rule can check it.",
            evidence,
        )
    if not indep:
        return (
            "unverifiable",
            only_self + f"no independent result (aikg:selfReported false) exists to confirm rank {rank}.",
            evidence,
        )
    peers_by_bench: dict[str, dict[str, float]] = defaultdict(dict)
    for r in results["peer"]:
        if r.get("score") is not None:
            bench = peers_by_bench[r["benchmark"]]
            bench[r["model"]] = max(bench.get(r["model"], r["score"]), r["score"])
    agree = 0
    best = _best(indep)
    for bench, r in sorted(best.items()):
        field_ = peers_by_bench.get(bench, {})
        place = 1 + sum(1 for s in field_.values() if s > r["score"])
        ok = place <= rank
        agree += ok
        evidence.append(
            item(
                r,
                f"{describe(r)}: place {place} of {len(field_) + 1} models with independent results "
                f"in the claim's scope (claimed rank {rank}).",
                "for" if ok else "against",
            )
        )
    verdict = "supported" if agree == len(best) else "contradicted" if agree == 0 else "misleading"
    return (
        verdict,
        f"Independent results put the subject at rank {rank} or better on {agree} of {len(best)} benchmark(s).",
        evidence,
    )


def _rule_openness(
    rows: list[dict[str, Any]], claim: dict[str, Any], names: dict[str, str], store: ox.Store
) -> Decision:
    claimed = [(r["p"], r["o"]) for r in rows if r["role"] == "claimed"]
    models: dict[str, dict[str, Any]] = {}
    licenses: dict[str, dict[str, Any]] = defaultdict(dict)
    license_sources: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in rows:
        if r["role"] == "claimed":
            continue
        m = models.setdefault(
            r["model"],
            {"iri": r["model"], "name": r.get("name") or _local(r["model"]), "facts": defaultdict(dict), "grades": {}},
        )
        if r["role"] == "subject":
            continue
        if r["role"] == "model":
            entry = m["facts"][r["p"]].setdefault(r["o"], {"graph": r.get("graph"), "sources": set()})
            if r.get("source") and r.get("graph") == entry["graph"]:
                entry["sources"].add(r["source"])
        elif r["role"] == "license":
            licenses[r["s"]].setdefault(r["p"], r["o"])
            if r.get("source"):
                license_sources[r["s"]][r.get("graph")].add(r["source"])
        elif r["role"] == "grade":
            m["grades"][r["dimension"]] = r["o"]
    if not models:
        return ("unverifiable", "The claim's subjects are not AI models or model families of the graph.", [])
    evidence: list[Evidence] = []

    def fact(m: dict[str, Any], prop: str, value: Any, statement: str, bearing: str) -> Evidence:
        info = m["facts"].get(prop, {}).get(value, {"graph": None, "sources": set()})
        return Evidence(statement, bearing, m["iri"], prop, value, None, info["graph"], sorted(info["sources"]))

    def license_fact(m: dict[str, Any], lic: str, statement: str, bearing: str) -> Evidence:
        by_graph = license_sources.get(lic, {})
        graph = sorted(by_graph)[0] if by_graph else None
        srcs = sorted({s for v in by_graph.values() for s in v})
        return Evidence(statement, bearing, lic, _A + "weightsLicense", lic, None, graph, srcs)

    def terms_of(lic: str) -> str:
        t = licenses.get(lic, {})
        parts = ["OSI-approved" if t.get(PREFIXES["spdx"] + "isOsiApproved") else "not OSI-approved"]
        if t.get(_A + "userThreshold") is not None:
            parts.append(f"licensees above {t[_A + 'userThreshold']:,} monthly active users need a separate license")
        if t.get(_A + "acceptableUsePolicy") is not None:
            parts.append("an acceptable-use policy applies")
        if t.get(_A + "commercialUseAllowed") is False:
            parts.append("no commercial use")
        if t.get(_A + "derivativesMustKeepLicense"):
            parts.append("derivatives must keep the license")
        return "; ".join(parts)

    # Standard 1: the claim names a license or a license flag: compare with the recorded weights license.
    if claimed:
        verdicts = []
        for prop, value in claimed:
            for m in sorted(models.values(), key=lambda m: m["name"]):
                recorded = list(m["facts"].get(_A + "weightsLicense", {}))
                if not recorded:
                    evidence.append(
                        Evidence(
                            f"{m['name']}: no weights license recorded.", "context", m["iri"], _A + "weightsLicense"
                        )
                    )
                    verdicts.append(None)
                    continue
                for lic in recorded:
                    if prop == _A + "weightsLicense":
                        ok = lic == value
                        evidence.append(
                            fact(
                                m,
                                _A + "weightsLicense",
                                lic,
                                f"{m['name']}: weights licensed under {_name(names, lic)} ({terms_of(lic)}).",
                                "for" if ok else "against",
                            )
                        )
                    else:
                        flag = licenses.get(lic, {}).get(prop)
                        ok = None if flag is None else flag == value
                        evidence.append(
                            license_fact(
                                m,
                                lic,
                                f"{m['name']}: {_name(names, lic)} — {_name(names, prop)}: "
                                f"{_fmt(flag, names) if flag is not None else 'not recorded'}.",
                                "context" if ok is None else "for" if ok else "against",
                            )
                        )
                    verdicts.append(ok)
                for lic in m["facts"].get(_A + "declaredLicense", {}):
                    evidence.append(
                        fact(
                            m,
                            _A + "declaredLicense",
                            lic,
                            f"{m['name']}: its model-card metadata declares {_name(names, lic)}.",
                            "context",
                        )
                    )
                evidence.extend(_lineage_evidence(store, m))
        checked = [v for v in verdicts if v is not None]
        wanted = "; ".join(f"{_name(names, p)}: {_fmt(v, names)}" for p, v in claimed)
        if not checked:
            return (
                "unverifiable",
                f"The claim states {wanted}, but the graph records no value to compare with.",
                evidence,
            )
        if all(checked) and len(checked) == len(verdicts):
            return ("supported", f"The graph records {wanted} for every subject.", evidence)
        if not any(checked):
            return ("contradicted", f"The claim states {wanted}; the graph records otherwise.", evidence)
        return ("misleading", f"The claim states {wanted}; the graph agrees for some subjects only.", evidence)

    framing = claim.get("framing") or claim.get("text") or claim.get("paraphrase") or ""
    strict = bool(_OPEN_SOURCE.search(framing))
    standard = (
        "open source: public weights under an OSI-approved license, and no contrary OSAID, MOF or "
        "openness-index judgement"
        if strict
        else "open weights: the weights can be downloaded"
    )
    verdicts = []
    for m in sorted(models.values(), key=lambda m: m["name"]):
        access = list(m["facts"].get(_A + "accessibility", {}))
        weights = list(m["facts"].get(_A + "weightsLicense", {}))
        public = None
        if access:
            public = any(a in _OPEN_WEIGHTS for a in access)
            for a in access:
                evidence.append(
                    fact(
                        m,
                        _A + "accessibility",
                        a,
                        f"{m['name']}: accessibility {_name(names, a)}.",
                        "for" if a in _OPEN_WEIGHTS else "against",
                    )
                )
        elif weights:
            public = True
        for lic in m["facts"].get(_S + "license", {}):
            evidence.append(fact(m, _S + "license", lic, f"{m['name']}: used under {_name(names, lic)}.", "against"))
        if public is None:
            verdicts.append("unknown")
            evidence.append(
                Evidence(f"{m['name']}: neither accessibility nor a weights license is recorded.", "context", m["iri"])
            )
            continue
        if not public:
            verdicts.append("closed")
            continue
        osi = [licenses.get(lic, {}).get(PREFIXES["spdx"] + "isOsiApproved") for lic in weights]
        restricted = False
        for lic, ok in zip(weights, osi, strict=True):
            bad = strict and ok is not True
            restricted |= bad
            evidence.append(
                fact(
                    m,
                    _A + "weightsLicense",
                    lic,
                    f"{m['name']}: weights under {_name(names, lic)} ({terms_of(lic)}).",
                    "against" if bad else "for" if strict else "context",
                )
            )
        for prop, bad_values, label in (
            (_A + "osaidCompliant", {False}, "OSAID compliant"),
            (_A + "mofClass", {_A + "MOFNotClassified"}, "MOF class"),
        ):
            for value in m["facts"].get(prop, {}):
                bad = value in bad_values
                restricted |= strict and bad
                evidence.append(
                    fact(m, prop, value, f"{m['name']}: {label}: {_fmt(value, names)}.", "against" if bad else "for")
                )
        for dim, grade in sorted(m["grades"].items()):
            bad = grade in (_A + "GradeClosed", _A + "GradePartial") and dim in ("license", "llmweights", "rlweights")
            restricted |= strict and bad
            evidence.append(
                Evidence(
                    f"{m['name']}: openness index grades {dim} {_name(names, grade)}.",
                    "against" if bad else "context",
                    m["iri"],
                    _A + "opennessGrade",
                    grade,
                )
            )
        if strict and not weights and not any(m["grades"]):
            verdicts.append("unknown")
            continue
        verdicts.append("restricted" if restricted else "open")
        evidence.extend(_lineage_evidence(store, m))
    known = [v for v in verdicts if v != "unknown"]
    reading = f"Read as '{standard}'."
    if not known:
        return ("unverifiable", f"{reading} The graph records neither access nor license for the subjects.", evidence)
    if all(v == "open" for v in known):
        gap = "" if len(known) == len(verdicts) else f" ({len(verdicts) - len(known)} subject(s) without data)"
        return ("supported", f"{reading} Every subject meets it{gap}.", evidence)
    if all(v == "closed" for v in known):
        return ("contradicted", f"{reading} No subject's weights are public.", evidence)
    counts = {v: known.count(v) for v in ("open", "restricted", "closed") if v in known}
    detail = ", ".join(f"{n} {v}" for v, n in counts.items())
    return (
        "misleading",
        f"{reading} The weights are public for some or all subjects, but not under the terms the wording "
        f"implies ({detail}).",
        evidence,
    )


_OPEN_WEIGHTS = {
    str(AIKG.OpenWeights),
    str(AIKG.OpenWeightsUnrestricted),
    str(AIKG.OpenWeightsRestricted),
    str(AIKG.OpenWeightsNonCommercial),
}


def _lineage_evidence(store: ox.Store, m: dict[str, Any]) -> list[Evidence]:
    # A declared license that breaks the terms of the model's bases is evidence against an openness claim.
    out = []
    for f in license_findings(store, m["iri"]):
        srcs = sorted({s for side in (*f.derived_sources, *f.base_sources) for s in side.get("sources", [])})
        out.append(
            Evidence(
                f"License check ({f.kind}): {f.detail}", "against", f.model, _A + "basedOn", f.base, None, None, srcs
            )
        )
    return out


def _rule_quantity(
    rows: list[dict[str, Any]], claim: dict[str, Any], names: dict[str, str], store: ox.Store
) -> Decision:
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
                "name": r.get("name") or _local(r["subject"]),
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


def _rule_trend(rows: list[dict[str, Any]], claim: dict[str, Any], names: dict[str, str], store: ox.Store) -> Decision:
    expectations: dict[str, dict[str, Any]] = {}
    for r in rows:
        e = expectations.setdefault(r["expectation"], {"constraints": [], "qualifiers": set(), "models": {}})
        if r["role"] == "expectation":
            e.update(
                expected=r["expected"],
                name=r.get("expectedName") or _local(r["expected"]),
                code=r.get("expectedCode"),
                start=str(r["start"]),
                end=str(r["end"]),
            )
            if r.get("qualifier"):
                e["qualifiers"].add(r["qualifier"])
            if r.get("cp") and (r["cp"], r["cv"]) not in e["constraints"]:
                e["constraints"].append((r["cp"], r["cv"]))
        else:
            m = e["models"].setdefault(
                r["model"],
                {
                    "name": r.get("name"),
                    "country": r.get("countryCode") or r.get("country"),
                    "graphs": set(),
                    "sources": set(),
                },
            )
            m["graphs"].add(r.get("graph"))
            if r.get("source"):
                m["sources"].add(r["source"])
    if not expectations:
        return (
            "unverifiable",
            "The claim does not record what it counts (aikg:expectedLeader), so no count can check it.",
            [],
        )
    evidence, holds, unsure = [], [], []
    for e in sorted(expectations.values(), key=lambda e: e.get("code") or ""):
        scope = "; ".join(f"{_name(names, p)}: {_name(names, v)}" for p, v in e["constraints"]) or "all models"
        period = f"{e['start']} to {e['end']}"
        by_country: dict[str, list[str]] = defaultdict(list)
        for m in e["models"].values():
            by_country[m["country"] or "unknown"].append(m["name"])
        total = len(e["models"])
        expected = e.get("code") or e["expected"]
        share = len(by_country.get(expected, [])) / total if total else 0.0
        for country, members in sorted(by_country.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            srcs = sorted(
                {s for m in e["models"].values() if (m["country"] or "unknown") == country for s in m["sources"]}
            )
            graphs = sorted(
                {g for m in e["models"].values() if (m["country"] or "unknown") == country for g in m["graphs"] if g}
            )
            evidence.append(
                Evidence(
                    f"{len(members)} of {total} models ({scope}; released {period}) come from {country}: "
                    f"{_join(sorted(members), 8)}.",
                    "context" if e["qualifiers"] else "for" if country == expected else "context",
                    None,
                    _S + "addressCountry",
                    country,
                    e["end"],
                    graphs[0] if graphs else None,
                    srcs,
                )
            )
        if e["qualifiers"]:
            unsure.append(f"{e['name']} leading among models that are {' and '.join(sorted(e['qualifiers']))}")
        elif not total:
            unsure.append(f"{e['name']} leading ({scope}, {period}): the graph holds no such model")
        else:
            holds.append((f"{e['name']} holds {share:.0%} ({scope}, {period})", share > 0.5))
    text = "; ".join(t for t, _ in holds)
    if unsure:
        return (
            "unverifiable",
            f"The graph does not record the population counted: {'; '.join(unsure)}. "
            "The counts in the graph are given as context." + (f" Checked: {text}." if text else ""),
            evidence,
        )
    if all(ok for _, ok in holds):
        return (
            "supported",
            f"Counting the models in the graph, each expected country holds more than half: {text}.",
            evidence,
        )
    if not any(ok for _, ok in holds):
        return (
            "contradicted",
            f"Counting the models in the graph, no expected country holds more than half: {text}.",
            evidence,
        )
    return ("misleading", f"Counting the models in the graph, only part of the claim holds: {text}.", evidence)


def _rule_none(kind: str | None, claim: dict[str, Any]) -> Decision:
    stance = _local(claim.get("stance") or "")
    if kind == "opinion":
        what = {"Predicts": "a prediction about the future", "Warns": "a statement of intent or a warning"}.get(
            stance, "a judgement of quality or value"
        )
        return (
            "unverifiable",
            f"This is {what}: no fact in the graph can confirm or refute it, and the review does not guess.",
            [],
        )
    return ("unverifiable", "The claim has no kind (aikg:claimKind), so no evidence rule applies to it.", [])


RULE_DECISIONS: dict[str, str] = {
    "review_first": (
        "Contradicted when the subject itself lacks the scope, or another model meeting the whole scope was released "
        "strictly earlier (and the scope has no unrecorded qualifier); unverifiable when the scope is not recorded, "
        "the subject's date is unknown, a match's order cannot be told from its dates, or only a qualified scope "
        "is refuted; supported otherwise. Models released the same day are not earlier."
    ),
    "review_ranking": (
        "Self-reported results are context only. With aikg:comparedWith: on each benchmark measured independently "
        "for both, the subject is comparable when its best score is at least 90% of the other's; all comparable: "
        "supported, none: contradicted, some: misleading. With a claimed rank: the subject's place among models of the "
        "scope with independent results, per benchmark; all within the rank: supported, none: contradicted, some: "
        "misleading. No independent result: unverifiable."
    ),
    "review_openness": (
        "A claimed license or license flag must equal the recorded weights license (or its flag). Otherwise the "
        "wording decides the standard: 'open source' asks for public weights under an OSI-approved license and no "
        "contrary OSAID judgement, MOF class or openness-index grade of license or weights; other wordings ('open', "
        "'openly released', 'open weights') ask for downloadable weights. All subjects meet it: supported; none has "
        "public weights: contradicted; public but not on those terms: misleading; nothing recorded: unverifiable. "
        "License-check findings along the lineage are evidence against."
    ),
    "review_quantity": (
        "Each claimed value is compared with every value the graph records for that subject and property, numbers at "
        "the precision of the less precise one, dates by prefix; any disagreement: contradicted; all recorded ones "
        "agree: supported; none recorded: unverifiable."
    ),
    "review_trend": (
        "For each count the claim makes, the models released in the period that meet its constraints are counted by "
        "the creator's country; the expected country must hold more than half. All hold: supported; none: "
        "contradicted; some: misleading; an unrecorded qualifier (e.g. 'notable') or no such model: unverifiable."
    ),
    "review_claim": (
        "No evidence rule applies (an opinion, intention or prediction, or a claim without a kind): unverifiable, "
        "never guessed."
    ),
    "review_interest": (
        "Self-claim, employment, ownership of the publisher and competition, as defined in kg/queries/review_interest.rq."
    ),
}
"""Rule (named query) -> the decision taken on its rows, in words (stored as the rule's schema:description)."""

_Rule = Callable[[list[dict[str, Any]], dict[str, Any], dict[str, str], ox.Store], Decision]
_RULES: dict[str, tuple[str, _Rule]] = {
    "first": ("review_first", _rule_first),
    "ranking": ("review_ranking", _rule_ranking),
    "openness": ("review_openness", _rule_openness),
    "quantity": ("review_quantity", _rule_quantity),
    "trend": ("review_trend", _rule_trend),
}
"""Claim kind -> (named query, decision function). Opinions and untagged claims have no rule."""


# ------------------------------------------------------------------------------------------ claims and interests


def _claim_info(claim: str, rows: list[dict[str, Any]], names: dict[str, str]) -> dict[str, Any]:
    if not rows:
        raise NotFoundError(f"no claim with IRI {claim}")
    first = rows[0]
    info: dict[str, Any] = {
        "iri": claim,
        "slug": _slug(claim),
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
            info["claimant"] = {"iri": r["claimant"], "name": r.get("claimantName") or _local(r["claimant"])}
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


def _interests(rows: list[dict[str, Any]], names: dict[str, str]) -> list[Interest]:
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


# ------------------------------------------------------------------------------------------ reviewing


def _decide(
    store: ox.Store, claim: str, rows: dict[str, dict[str, list[dict[str, Any]]]], names: dict[str, str]
) -> Review:
    info = _claim_info(claim, rows["review_claim"].get(claim, []), names)
    kind = info["kind"]
    rule = _RULES.get(kind or "")
    if rule is None:
        rating, reason, evidence = _rule_none(kind, info)
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
        interests=_interests(rows["review_interest"].get(claim, []), names),
        info=info,
        names=names,
    )


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


def _rule_queries(kind: str | None) -> list[str]:
    rule = _RULES.get(kind or "")
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
    >>> store = KnowledgeStore(); _ = load_default_graph(store)
    >>> review_claim(store.inner, "https://w3id.org/aikg/id/claim/scmp-meta-open-sourced-llama").rating
    'misleading'
    """
    kinds = _query(store, "review_claims", claim).get(claim)
    if not kinds:
        raise NotFoundError(f"no claim with IRI {claim}")
    kind = _KIND_BY_IRI.get(kinds[0].get("kind", ""))
    rows = {name: _query(store, name, claim) for name in _rule_queries(kind)}
    names = _names(store)
    review = _decide(store, claim, defaultdict(dict, rows), names)
    names.warm([review])
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
    """
    claims = sorted(_query(store, "review_claims"))
    names = _names(store)
    rows = {name: _query(store, name) for name in ("review_claim", "review_interest", *(q for q, _ in _RULES.values()))}
    reviews = [_decide(store, claim, rows, names) for claim in claims]
    names.warm(reviews)
    return reviews


# ------------------------------------------------------------------------------------------ the reviews graph


def _lit(value: Any) -> ox.Literal:
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(_XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(_XSD + "integer"))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode(_XSD + "decimal"))
    text = str(value)
    for pattern, dt in ((r"\d{4}-\d{2}-\d{2}", "date"), (r"\d{4}-\d{2}", "gYearMonth"), (r"\d{4}", "gYear")):
        if re.fullmatch(pattern, text):
            return ox.Literal(text, datatype=ox.NamedNode(_XSD + dt))
    return ox.Literal(text)


def _term(value: Any) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    if isinstance(value, str) and value.startswith(("http://", "https://", "urn:")):
        return ox.NamedNode(value)
    if isinstance(value, str) and value.startswith("_:"):
        return ox.BlankNode(value[2:])
    return _lit(value)


def _triples(reviews: list[Review], snap: Snapshot, published: str) -> list[ox.Triple]:
    n = ox.NamedNode
    t: list[ox.Triple] = []

    def add(s: Any, p: str, o: Any) -> None:
        t.append(
            ox.Triple(
                s if not isinstance(s, str) else n(s),
                n(p),
                o if isinstance(o, ox.NamedNode | ox.Literal | ox.BlankNode) else _term(o),
            )
        )

    prov, dcterms, dcat = "http://www.w3.org/ns/prov#", PREFIXES["dcterms"], PREFIXES["dcat"]
    when = ox.Literal(published, datatype=n(_XSD + "dateTime"))
    add(REVIEWS_GRAPH, _RDF_TYPE, n(prov + "Entity"))
    add(REVIEWS_GRAPH, _RDF_TYPE, n(dcat + "Dataset"))
    add(REVIEWS_GRAPH, dcterms + "title", ox.Literal("Reviews of the claims against the graph", language="en"))
    add(
        REVIEWS_GRAPH,
        dcterms + "description",
        ox.Literal(
            "One schema:ClaimReview per claim, generated by the evidence rules of kg/review.py from the other named graphs; "
            "regenerated whenever they change.",
            language="en",
        ),
    )
    add(REVIEWS_GRAPH, dcterms + "license", n("http://spdx.org/licenses/CC-BY-4.0"))
    add(REVIEWS_GRAPH, prov + "generatedAtTime", when)
    add(REVIEWS_GRAPH, str(AIKG.computedFrom), n(snap.iri))
    snap_iri = snap.iri
    add(snap_iri, _RDF_TYPE, n(str(AIKG.DataSnapshot)))
    add(snap_iri, str(AIKG.datasetVersion), ox.Literal(snap.version))
    for i, (g, count, digest, generated) in enumerate(snap.graphs):
        add(REVIEWS_GRAPH, prov + "wasDerivedFrom", n(g))
        gv = n(f"{snap_iri}#g{i}")
        add(snap_iri, str(AIKG.inputGraph), gv)
        add(gv, _RDF_TYPE, n(str(AIKG.GraphVersion)))
        add(gv, str(AIKG.namedGraph), n(g))
        add(gv, str(AIKG.tripleCount), count)
        add(gv, str(AIKG.graphDigest), ox.Literal(digest))
        if generated:
            add(gv, prov + "generatedAtTime", ox.Literal(generated, datatype=n(_XSD + "dateTime")))
    for rule in sorted({r.rule for r in reviews} | {"review_interest"}):
        iri = _rule_iri(rule)
        add(iri, _RDF_TYPE, n(str(AIKG.EvidenceRule)))
        add(iri, _S + "name", ox.Literal(rule))
        add(iri, str(AIKG.sparqlQuery), ox.Literal(named_query(rule)))
        add(iri, _S + "url", ox.Literal(f"kg/queries/{rule}.rq"))
        add(iri, _S + "description", ox.Literal(RULE_DECISIONS[rule], language="en"))
    for r in reviews:
        rv = r.iri
        add(rv, _RDF_TYPE, n(_S + "ClaimReview"))
        add(rv, _S + "itemReviewed", n(r.claim))
        if r.info.get("text") or r.info.get("paraphrase"):
            add(rv, _S + "claimReviewed", ox.Literal(r.info.get("text") or r.info["paraphrase"]))
        add(rv, _S + "reviewRating", n(RATINGS[r.rating]["iri"]))
        add(rv, _S + "reviewBody", ox.Literal(r.reason, language="en"))
        add(rv, _S + "datePublished", when)
        add(rv, str(AIKG.evidenceRule), n(_rule_iri(r.rule)))
        add(rv, str(AIKG.interestRule), n(_rule_iri("review_interest")))
        add(rv, str(AIKG.computedFrom), n(snap_iri))
        add(rv, str(AIKG.hasStake), r.has_stake)
        if r.kind:
            add(rv, str(AIKG.claimKind), n(CLAIM_KINDS[r.kind]))
        for var, value in r.bindings.items():
            b = n(f"{rv}#binding-{var}")
            add(rv, str(AIKG.queryBinding), b)
            add(b, _RDF_TYPE, n(_S + "PropertyValue"))
            add(b, _S + "name", ox.Literal(var))
            add(b, _S + "value", _term(value))
        for i, e in enumerate(r.evidence):
            ev = n(f"{rv}#e{i}")
            add(rv, str(AIKG.evidence), ev)
            add(ev, _RDF_TYPE, n(str(AIKG.EvidenceItem)))
            add(ev, _S + "description", ox.Literal(e.statement, language="en"))
            add(ev, str(AIKG.bearing), n(_BEARINGS[e.bearing]))
            add(ev, _S + "position", i)
            if e.subject:
                add(ev, str(AIKG.evidenceSubject), _term(e.subject))
            if e.property:
                add(ev, str(AIKG.evidenceProperty), n(e.property))
            if e.value is not None:
                add(ev, _S + "value", _term(e.value))
            if e.date:
                add(ev, dcterms + "date", _lit(e.date))
            if e.graph:
                add(ev, str(AIKG.fromGraph), n(e.graph))
            for s in e.sources:
                add(ev, dcterms + "source", n(s))
        for i, interest in enumerate(r.interests):
            it = n(f"{rv}#i{i}")
            add(rv, str(AIKG.interest), it)
            add(it, _RDF_TYPE, n(str(AIKG.InterestFinding)))
            add(it, str(AIKG.interestKind), n(_INTEREST_KINDS[interest.kind]))
            add(it, _S + "description", ox.Literal(interest.statement, language="en"))
            for v in interest.via:
                add(it, str(AIKG.via), n(v))
    return t


class ReviewKeeper:
    """Keeps the reviews of one store current, in memory and in :data:`REVIEWS_GRAPH`.

    Parameters
    ----------
    store : KnowledgeStore
        The store to review. :meth:`install` registers a listener so that every write whose data
        changes a graph digest regenerates all reviews inside the same write lock: once a write
        returns, the reviews graph matches the data, and no stale review is served.

    Notes
    -----
    On an engine that refuses updates (a read-only remote engine, see
    :attr:`kg.engine.store.KnowledgeStore.writable`) the reviews are computed and served from memory
    and the reviews graph is left as the engine has it (:attr:`in_memory` is True).
    Generation reads the data graphs only, so its own write is recognised (the snapshot
    fingerprint is unchanged) and does not trigger a second round. If generation fails, the
    reviews graph is dropped rather than left stale, and :meth:`get` raises until a later write
    succeeds.
    """

    def __init__(self, store: KnowledgeStore) -> None:
        # Weakly: the keeper must not keep its store (and an on-disk store's lock) alive.
        self._store = weakref.ref(store)
        self.reviews: dict[str, Review] = {}
        self.snapshot: Snapshot | None = None
        self.published = ""
        self.generations = 0
        self.error: str | None = None
        self.in_memory = False
        """True when the engine refuses updates: reviews are kept in memory only, not in :data:`REVIEWS_GRAPH`."""
        # Digests of the last snapshot, and the graphs written since (None: any graph may have
        # changed), as of store version _tracked_version; see _note_write.
        self._digests: dict[str, tuple[int, str]] = {}
        self._changed: set[str] | None = None
        self._tracked_version: str | None = None
        self._lock = threading.RLock()
        self._busy = False
        self._installed = False
        self._clean_version = ""

    @property
    def store(self) -> KnowledgeStore:
        """The store reviewed."""
        store = self._store()
        if store is None:
            raise RuntimeError("the reviewed store no longer exists")
        return store

    def install(self) -> ReviewKeeper:
        """Register the store listener (once) and compute the reviews now."""
        with self._lock:
            if not self._installed:
                self.store.add_listener(self._on_write)
                self._installed = True
        self.refresh()
        return self

    def _note_write(self) -> None:
        # Called after every write (under the store's write lock): remember which graphs it may
        # have changed, so the next snapshot digests those only.
        touched = self.store.touched
        if touched is None or self._changed is None:
            self._changed = None
        else:
            self._changed |= touched
        self._tracked_version = self.store.version

    def _on_write(self) -> None:
        self._note_write()
        if self._busy:
            return
        try:
            self.refresh()
        except Exception:  # a listener must not break the writer; the stale graph is dropped instead
            log.exception("review regeneration failed; the reviews graph was dropped")

    def refresh(self, force: bool = False) -> bool:
        """Regenerate the reviews when the data changed since the last run (or when forced).

        Returns
        -------
        bool
            True when the reviews were regenerated.
        """
        # Lock order: the store's write lock first (a listener already holds it), then ours.
        with self.store.lock, self._lock:
            # Only a listener that saw every write since the last snapshot can tell what changed; a
            # version it did not see (no listener yet, a remote engine's TTL) means anything may have.
            followed = self._installed and self._tracked_version == self.store.version
            snap = snapshot(self.store, self._digests, self._changed if followed else None)
            self._digests = {g: (n, d) for g, n, d, _ in snap.graphs}
            self._digests.setdefault(DEFAULT_GRAPH, (0, ""))  # left out of the snapshot when empty
            self._changed, self._tracked_version = set(), self.store.version
            if (
                not force
                and self.snapshot is not None
                and snap.fingerprint == self.snapshot.fingerprint
                and self.error is None
            ):
                self._clean_version = self.store.version
                return False
            writable = self.store.writable
            if not writable and not self.in_memory:
                log.warning(
                    "the engine refuses updates: reviews are computed in memory and served by the API, "
                    "but not written to %s (SPARQL does not see them)",
                    REVIEWS_GRAPH,
                )
            self.in_memory = not writable
            self._busy = True
            try:
                try:
                    reviews = review_all(self.store.inner)
                except Exception as exc:
                    self.error = f"{type(exc).__name__}: {exc}"
                    self.reviews, self.snapshot = {}, None
                    if writable:
                        self.store.replace_graph(REVIEWS_GRAPH, [])
                    raise
                published = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
                for r in reviews:
                    r.published, r.snapshot = published, snap
                if writable:
                    self.store.replace_graph(REVIEWS_GRAPH, _triples(reviews, snap, published))
                self.reviews = {r.claim: r for r in reviews}
                self.snapshot, self.published, self.error = snap, published, None
                self.generations += 1
                self._clean_version = self.store.version
            finally:
                self._busy = False
            return True

    def _current(self) -> None:
        # Without the listener (or after a failure) the data may have moved on: compare digests.
        if self.snapshot is None or self.error is not None or self.store.version != self._clean_version:
            self.refresh()

    def get(self, claim: str) -> Review:
        """Return the current review of a claim.

        Raises
        ------
        NotFoundError
            If `claim` is not a reviewed claim.
        """
        self._current()
        try:
            return self.reviews[claim]
        except KeyError as exc:
            raise NotFoundError(f"no review for {claim}: it is not a claim of the graph") from exc

    def list(self, rating: str | None = None, kind: str | None = None) -> list[Review]:
        """Return the current reviews, optionally filtered.

        Parameters
        ----------
        rating : str, optional
            One of :data:`RATINGS`.
        kind : str, optional
            One of :data:`CLAIM_KINDS`, or ``"none"`` for untagged claims.

        Raises
        ------
        InvalidParameterError
            If `rating` or `kind` is not a known value.
        """
        if rating is not None and rating not in RATINGS:
            raise InvalidParameterError("rating", f"must be one of {', '.join(RATINGS)}")
        if kind is not None and kind not in CLAIM_KINDS and kind != "none":
            raise InvalidParameterError("kind", f"must be one of {', '.join(CLAIM_KINDS)} or none")
        self._current()
        out = list(self.reviews.values())
        if rating:
            out = [r for r in out if r.rating == rating]
        if kind:
            out = [r for r in out if (r.kind or "none") == kind]
        return sorted(out, key=lambda r: r.claim)


_KEEPERS: weakref.WeakKeyDictionary[KnowledgeStore, ReviewKeeper] = weakref.WeakKeyDictionary()
_KEEPERS_LOCK = threading.Lock()


def keeper_for(store: KnowledgeStore, install: bool = True) -> ReviewKeeper:
    """Return the one :class:`ReviewKeeper` of a store, creating (and installing) it on first use.

    Parameters
    ----------
    store : KnowledgeStore
        The store.
    install : bool, optional
        Register the write listener and compute the reviews now (default True).

    Returns
    -------
    ReviewKeeper
    """
    with _KEEPERS_LOCK:
        keeper = _KEEPERS.get(store)
        if keeper is None:
            keeper = _KEEPERS[store] = ReviewKeeper(store)
    if install and not keeper._installed:
        keeper.install()
    return keeper


# ------------------------------------------------------------------------------------------ picture


def evidence_graph(review: Review) -> nx.MultiDiGraph:
    """Return what a review rests on as a graph: claim, claimant, subjects, sources, evidence facts.

    Parameters
    ----------
    review : Review
        A review.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes keyed by IRI (evidence items by ``{review}#e{n}``) with ``label``, ``kind`` and
        ``title``; edges with ``label``. Evidence against the claim is coloured red
        (``color``), evidence for it green.
    """
    names = review.names
    G = nx.MultiDiGraph()
    info = review.info

    def node(iri: str, kind: str, label: str | None = None, title: str | None = None, **extra: Any) -> None:
        if iri not in G:
            G.add_node(iri, label=label or _name(names, iri), kind=kind, title=title or iri, **extra)

    node(
        review.claim,
        "claim",
        info.get("label") or _slug(review.claim),
        info.get("text") or info.get("paraphrase"),
        borderColor={"supported": "#2e7d32", "misleading": "#ef6c00", "contradicted": "#c62828"}.get(
            review.rating, "#616161"
        ),
    )
    if info.get("claimant"):
        node(
            info["claimant"]["iri"],
            "person" if "/person/" in info["claimant"]["iri"] else "organization",
            info["claimant"]["name"],
        )
        G.add_edge(review.claim, info["claimant"]["iri"], label="claimant")
    for s in info["about"]:
        node(s["iri"], _kind(s["iri"]), s["name"])
        G.add_edge(review.claim, s["iri"], label="about")
    for s in info["comparedWith"]:
        node(s["iri"], _kind(s["iri"]), s["name"])
        G.add_edge(review.claim, s["iri"], label="compared with")
    for a in info["appearances"]:
        node(a["iri"], "article", a.get("name"))
        G.add_edge(review.claim, a["iri"], label="appeared in")
        if a.get("publisher"):
            node(a["publisher"], "organization", a.get("publisherName"))
            G.add_edge(a["iri"], a["publisher"], label="publisher")
    colors = {"for": "#2e7d32", "against": "#c62828", "context": "#9e9e9e"}
    for i, e in enumerate(review.evidence):
        ev = f"{review.iri}#e{i}"
        node(
            ev,
            "literal",
            f"{e.bearing}: {e.statement[:60]}{'…' if len(e.statement) > 60 else ''}",
            e.statement,
            color={"for": "#c8e6c9", "against": "#ffcdd2", "context": "#eeeeee"}[e.bearing],
        )
        G.add_edge(review.claim, ev, label=e.bearing, color=colors[e.bearing])
        if e.subject and e.subject.startswith("http"):
            node(e.subject, _kind(e.subject))
            G.add_edge(ev, e.subject, label=_name(names, e.property) if e.property else "about")
        if isinstance(e.value, str) and e.value.startswith("http") and e.value != e.subject:
            node(e.value, _kind(e.value))
            G.add_edge(ev, e.value, label="value")
        for s in e.sources:
            node(s, "article", _local(s) or s)
            G.add_edge(ev, s, label="source", dashes=True)
    for interest in review.interests:
        for v in interest.via:
            node(v, _kind(v))
        if interest.via:
            G.add_edge(
                review.claim,
                interest.via[0],
                label=f"interest: {interest.kind}",
                color="#6a1b9a",
                title=interest.statement,
            )
    return G


def _kind(iri: str) -> str:
    if iri.startswith(str(ID)):
        kind = iri[len(str(ID)) :].split("/", 1)[0]
        return kind if kind in {"model", "organization", "person", "license", "claim", "article", "family"} else "other"
    if iri.startswith("http://www.wikidata.org/entity/"):
        return "country"
    if iri.startswith("http://spdx.org/licenses/"):
        return "license"
    if iri.startswith(_A):
        return "concept"
    return "article"
