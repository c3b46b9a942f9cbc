"""Licenses along the lineage: whether a derived model's license keeps the terms of its bases.

For every model, the check walks ``aikg:basedOn+`` to each ancestor and compares each license the
graph gives for the model's weights (``aikg:weightsLicense``, and ``aikg:declaredLicense`` as a
publisher declares it in model-card metadata) with the terms of the ancestor's weights license.
Four kinds of inconsistency are findings, each with the sources on both sides:

``license-not-carried``
    The base license says derivatives must keep it (``aikg:derivativesMustKeepLicense``, the
    share-alike or "derivative must carry" clause of the Llama and Gemma terms) and the derived
    model declares another license.
``naming-rule``
    The base license has a naming rule (``aikg:derivativeNamingRule``, e.g. Llama 3.1+: a derived
    model's name must begin with "Llama") and the derived model's name does not follow it.
``non-commercial-base``
    The base license forbids commercial use (``aikg:commercialUseAllowed false``) and the derived
    model declares a license that allows it.
``restrictions-dropped``
    The base license is not OSI-approved and restricts use (``aikg:userThreshold``,
    ``aikg:acceptableUsePolicy``) without a must-keep clause, and the derived model declares an
    OSI-approved license, which carries none of those restrictions.

A licensor may relicense its own models: no finding is made when the derived model and the
ancestor have the same creator, or creators one of which owns the other
(``schema:parentOrganization+``); such pairs are listed as exempt. An ancestor without a weights
license cannot be checked and is listed as unchecked, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.engine.sparql import select
from kg.errors import NotFoundError
from kg.namespaces import AIKG, PREFIXES
from kg.queries import named_query

__all__ = [
    "FINDING_KINDS",
    "LicenseFinding",
    "all_license_findings",
    "license_check",
    "license_findings",
    "license_findings_of",
    "naming_prefix",
    "offending_edges",
]

FINDING_KINDS: dict[str, str] = {
    "license-not-carried": "the base license requires derivatives to keep it; the derived model declares another",
    "naming-rule": "the base license requires a name prefix the derived model does not carry",
    "non-commercial-base": "a commercial license over a base licensed for non-commercial use only",
    "restrictions-dropped": "an OSI-approved license over a base whose license is not OSI-approved and restricts use",
}
"""Finding kind -> what it means (the kinds of inconsistency the check reports)."""

_SPDX = PREFIXES["spdx"]
_TERM_KEYS = {
    _SPDX + "licenseId": "licenseId",
    _SPDX + "isOsiApproved": "osiApproved",
    str(AIKG.commercialUseAllowed): "commercialUseAllowed",
    str(AIKG.userThreshold): "userThreshold",
    str(AIKG.acceptableUsePolicy): "acceptableUsePolicy",
    str(AIKG.derivativesMustKeepLicense): "derivativesMustKeepLicense",
    str(AIKG.derivativeNamingRule): "derivativeNamingRule",
    PREFIXES["rdfs"] + "label": "label",
    "https://schema.org/url": "url",
}
_PREFIX_RULE = re.compile(r'include\s+["“]([^"”]+)["”]\s+at\s+the\s+beginning', re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class LicenseFinding:
    """One inconsistency between a derived model's license and the terms of a model it is based on.

    Attributes
    ----------
    kind : str
        A key of :data:`FINDING_KINDS`.
    model, model_name : str
        The derived model checked (IRI, name).
    base, base_name : str
        The ancestor whose license terms are broken (IRI, name).
    path : tuple of str
        The lineage from `model` to `base` (IRIs, ``aikg:basedOn`` hops).
    edge : tuple of (str, str)
        The ``aikg:basedOn`` edge (derived, base) where the lineage departs from the base's terms:
        the first model below `base` on `path` that breaks the same clause, and its parent.
    derived_license, base_license : str or None
        License IRIs: the one declared for `model` (None for naming findings) and the base's.
    detail : str
        The finding in one sentence.
    derived_sources, base_sources : tuple of dict
        Where each side comes from: ``{"graph", "sources", "property"}`` for the derived model's
        declaration; for the base, its weights-license statement and the license's clause.
    """

    kind: str
    model: str
    model_name: str
    base: str
    base_name: str
    path: tuple[str, ...]
    edge: tuple[str, str]
    derived_license: str | None
    base_license: str
    detail: str
    derived_sources: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    base_sources: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """Return the finding as JSON-ready data (tuples become lists)."""
        data = asdict(self)
        data["path"] = list(self.path)
        data["edge"] = list(self.edge)
        data["derived_sources"] = list(self.derived_sources)
        data["base_sources"] = list(self.base_sources)
        return {_camel(k): v for k, v in data.items()}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.title() for w in rest)


def naming_prefix(rule: str) -> str | None:
    """Return the name prefix a derivative naming rule requires, or None if it names none.

    Parameters
    ----------
    rule : str
        The text of ``aikg:derivativeNamingRule``, which quotes the license clause.

    Returns
    -------
    str or None
        The quoted words a derived model's name must begin with.

    References
    ----------
    .. [1] Meta, "Llama 3.1 Community License Agreement", section 1.b.i, 2024.

    Examples
    --------
    >>> naming_prefix('... must include "Llama" at the beginning of its name.')
    'Llama'
    >>> naming_prefix("no quoted prefix here") is None
    True
    """
    match = _PREFIX_RULE.search(rule)
    return match.group(1).strip() if match else None


def _fold(text: str) -> str:
    # Names are compared without case, accents, spaces or punctuation: "Llama-3-8B" begins with "Llama 3".
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed.casefold() if c.isalnum())


class _Lineage:
    """The rows of ``license_lineage.rq`` for one model, arranged for the checks."""

    def __init__(self, model: str, rows: list[dict[str, Any]]) -> None:
        self.model = model
        self.names: dict[str, str] = {}
        self.owners: dict[str, set[str]] = defaultdict(set)
        self.parents: dict[str, list[str]] = defaultdict(list)
        self.derivation: dict[tuple[str, str], str] = {}
        # node -> list of declarations {"license", "property", "graph", "sources"}
        self.declarations: dict[str, list[dict[str, Any]]] = defaultdict(list)
        # license -> clause key -> value ; license -> clause key -> [{"graph","sources"}]
        self.terms: dict[str, dict[str, Any]] = defaultdict(dict)
        self.term_sources: dict[str, dict[str, dict[str, set[str]]]] = defaultdict(lambda: defaultdict(dict))
        nodes: set[str] = set()
        for row in rows:
            role, node = row["role"], row.get("node")
            if node:
                nodes.add(node)
            if role == "edge":
                if row["base"] not in self.parents[node]:
                    self.parents[node].append(row["base"])
                if row.get("derivation"):
                    self.derivation[(node, row["base"])] = row["derivation"]
            elif role == "node":
                if row.get("name"):
                    self.names.setdefault(node, row["name"])
                if row.get("creator"):
                    self.owners[node].add(row["creator"])
                if row.get("o"):
                    self.owners[node].add(row["o"])
            elif role == "declaration":
                self._declare(node, row)
            elif role == "term":
                key = _TERM_KEYS.get(row["p"])
                if key:
                    self.terms[row["license"]].setdefault(key, row["o"])
                    sources = self.term_sources[row["license"]][key].setdefault(row["graph"], set())
                    if row.get("source"):
                        sources.add(row["source"])
        if model not in nodes:
            raise NotFoundError(f"no AI model with IRI {model}")

    def _declare(self, node: str, row: dict[str, Any]) -> None:
        prop = "weightsLicense" if row["p"] == str(AIKG.weightsLicense) else "declaredLicense"
        for decl in self.declarations[node]:
            if decl["license"] == row["license"] and decl["graph"] == row["graph"] and decl["property"] == prop:
                if row.get("source") and row["source"] not in decl["sources"]:
                    decl["sources"].append(row["source"])
                return
        self.declarations[node].append(
            {
                "license": row["license"],
                "property": prop,
                "graph": row["graph"],
                "sources": [row["source"]] if row.get("source") else [],
            }
        )

    def name(self, node: str) -> str:
        return self.names.get(node) or node.rsplit("/", 1)[-1]

    def label(self, license_iri: str | None) -> str:
        if license_iri is None:
            return "no license"
        terms = self.terms.get(license_iri, {})
        return str(terms.get("label") or terms.get("licenseId") or license_iri.rsplit("/", 1)[-1])

    def paths(self) -> dict[str, tuple[str, ...]]:
        """Shortest ``aikg:basedOn`` path from the model to each ancestor (breadth-first)."""
        paths: dict[str, tuple[str, ...]] = {self.model: (self.model,)}
        queue = deque([self.model])
        while queue:
            node = queue.popleft()
            for parent in self.parents.get(node, []):
                if parent not in paths:
                    paths[parent] = (*paths[node], parent)
                    queue.append(parent)
        return paths

    def same_licensor(self, a: str, b: str) -> bool:
        return bool(self.owners.get(a, set()) & self.owners.get(b, set()))

    def governing(self, node: str) -> list[dict[str, Any]]:
        """Return the node's weights-license statements (the terms that bind its derivatives)."""
        return [d for d in self.declarations.get(node, []) if d["property"] == "weightsLicense"]

    def clause_sources(self, license_iri: str, key: str) -> dict[str, Any]:
        by_graph = self.term_sources.get(license_iri, {}).get(key, {})
        return {
            "license": license_iri,
            "clause": key,
            "graphs": sorted(by_graph),
            "sources": sorted({s for sources in by_graph.values() for s in sources}),
        }


def _declaration_source(decl: dict[str, Any]) -> dict[str, Any]:
    return {
        "property": decl["property"],
        "license": decl["license"],
        "graph": decl["graph"],
        "sources": sorted(decl["sources"]),
    }


def _breaks(lineage: _Lineage, kind: str, node: str, base_license: str, prefix: str | None) -> bool:
    """Return whether `node` itself breaks the clause of `kind` that `base_license` sets."""
    if kind == "naming-rule":
        return prefix is not None and not _fold(lineage.name(node)).startswith(_fold(prefix))
    for decl in lineage.declarations.get(node, []):
        terms = lineage.terms.get(decl["license"], {})
        if kind == "license-not-carried" and decl["license"] != base_license:
            return True
        if kind == "non-commercial-base" and terms.get("commercialUseAllowed") is True:
            return True
        if kind == "restrictions-dropped" and terms.get("osiApproved") is True:
            return True
    return False


def _edge(
    lineage: _Lineage, path: tuple[str, ...], kind: str, base_license: str, prefix: str | None
) -> tuple[str, str]:
    # Walk down from the base: the first model that breaks the clause (and is not the base's own
    # licensor) is where the lineage departs; its edge to its parent on the path is the offending one.
    base = path[-1]
    for i in range(len(path) - 2, -1, -1):
        node = path[i]
        if lineage.same_licensor(node, base):
            continue
        if _breaks(lineage, kind, node, base_license, prefix):
            return (node, path[i + 1])
    return (path[0], path[1])


def _check(lineage: _Lineage) -> tuple[list[LicenseFinding], list[dict[str, Any]], list[dict[str, Any]]]:
    model = lineage.model
    findings: list[LicenseFinding] = []
    unchecked: list[dict[str, Any]] = []
    exempt: list[dict[str, Any]] = []
    own = lineage.declarations.get(model, [])
    for ancestor, path in sorted(lineage.paths().items(), key=lambda kv: (len(kv[1]), kv[0])):
        if ancestor == model:
            continue
        if lineage.same_licensor(model, ancestor):
            shared = sorted(lineage.owners[model] & lineage.owners[ancestor])
            exempt.append(
                {
                    "model": model,
                    "base": ancestor,
                    "baseName": lineage.name(ancestor),
                    "licensor": shared,
                    "reason": "same creator or owner: the licensor may relicense its own models",
                }
            )
            continue
        bases = lineage.governing(ancestor)
        if not bases:
            unchecked.append(
                {
                    "base": ancestor,
                    "baseName": lineage.name(ancestor),
                    "reason": "the graph records no weights license for this model",
                }
            )
            continue
        for base_decl in {d["license"]: d for d in bases}.values():
            findings.extend(_check_pair(lineage, path, base_decl, own))
    if not own:
        unchecked.append(
            {
                "base": model,
                "baseName": lineage.name(model),
                "reason": "the graph records no license for this model's weights",
            }
        )
    return findings, unchecked, exempt


def _check_pair(
    lineage: _Lineage, path: tuple[str, ...], base_decl: dict[str, Any], own: list[dict[str, Any]]
) -> list[LicenseFinding]:
    model, ancestor = path[0], path[-1]
    base_license = base_decl["license"]
    terms = lineage.terms.get(base_license, {})
    base_side = _declaration_source(base_decl)
    out: list[LicenseFinding] = []

    def add(kind: str, derived: dict[str, Any] | None, clause: str, detail: str, prefix: str | None = None) -> None:
        out.append(
            LicenseFinding(
                kind=kind,
                model=model,
                model_name=lineage.name(model),
                base=ancestor,
                base_name=lineage.name(ancestor),
                path=path,
                edge=_edge(lineage, path, kind, base_license, prefix),
                derived_license=derived["license"] if derived else None,
                base_license=base_license,
                detail=detail,
                derived_sources=(_declaration_source(derived),) if derived else (),
                base_sources=(base_side, lineage.clause_sources(base_license, clause)),
            )
        )

    via = "" if len(path) == 2 else " (via " + ", ".join(lineage.name(n) for n in path[1:-1]) + ")"
    base_label = lineage.label(base_license)
    for decl in {(d["license"], d["property"]): d for d in own}.values():
        lic = decl["license"]
        lic_terms = lineage.terms.get(lic, {})
        declared = "declares" if decl["property"] == "declaredLicense" else "is licensed under"
        carried = terms.get("derivativesMustKeepLicense") is True and lic != base_license
        if carried:
            add(
                "license-not-carried",
                decl,
                "derivativesMustKeepLicense",
                f"{lineage.name(model)} {declared} {lineage.label(lic)}, but it is based on {lineage.name(ancestor)}{via}, "
                f"whose {base_label} requires derivatives to keep its terms" + _restrictions(terms) + ".",
            )
        if terms.get("commercialUseAllowed") is False and lic_terms.get("commercialUseAllowed") is True:
            add(
                "non-commercial-base",
                decl,
                "commercialUseAllowed",
                f"{lineage.name(model)} {declared} {lineage.label(lic)}, which allows commercial use, but it is based on "
                f"{lineage.name(ancestor)}{via}, whose {base_label} allows non-commercial use only.",
            )
        restricted = terms.get("userThreshold") is not None or terms.get("acceptableUsePolicy") is not None
        if (
            not carried
            and terms.get("osiApproved") is False
            and restricted
            and lic != base_license
            and lic_terms.get("osiApproved") is True
        ):
            add(
                "restrictions-dropped",
                decl,
                "userThreshold" if terms.get("userThreshold") is not None else "acceptableUsePolicy",
                f"{lineage.name(model)} {declared} {lineage.label(lic)} (OSI-approved, no use restrictions), but it is based on "
                f"{lineage.name(ancestor)}{via}, whose {base_label} is not OSI-approved" + _restrictions(terms) + ".",
            )
    rule = terms.get("derivativeNamingRule")
    prefix = naming_prefix(str(rule)) if rule else None
    if prefix and not _fold(lineage.name(model)).startswith(_fold(prefix)):
        add(
            "naming-rule",
            None,
            "derivativeNamingRule",
            f"The name {lineage.name(model)!r} does not begin with {prefix!r}, which the {base_label} of "
            f"{lineage.name(ancestor)}{via} requires of derived models.",
            prefix,
        )
    return out


def _restrictions(terms: dict[str, Any]) -> str:
    parts = []
    if terms.get("userThreshold") is not None:
        parts.append(f"licensees above {int(terms['userThreshold']):,} monthly active users need a separate license")
    if terms.get("acceptableUsePolicy") is not None:
        parts.append("an acceptable-use policy applies")
    if terms.get("commercialUseAllowed") is False:
        parts.append("commercial use is not allowed")
    return " (" + "; ".join(parts) + ")" if parts else ""


def _lineage(store: ox.Store, iri: str) -> _Lineage:
    return _Lineage(iri, select(store, named_query("license_lineage"), {"model": ox.NamedNode(iri)}))


def license_findings(store: ox.Store, iri: str) -> list[LicenseFinding]:
    """Return every inconsistency between a model's licenses and those of the models it is based on.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine (the union of all named graphs is read).
    iri : str
        IRI of an ``aikg:AIModel``.

    Returns
    -------
    list of LicenseFinding
        Ordered by ancestor distance, then kind; empty when the lineage is consistent or the model is
        based on nothing.

    Raises
    ------
    NotFoundError
        If `iri` is not an ``aikg:AIModel``.

    Examples
    --------
    >>> from kg.engine.store import KnowledgeStore
    >>> from kg.engine.load import load_default_graph
    >>> store = KnowledgeStore(); _ = load_default_graph(store)
    >>> sorted({f.kind for f in license_findings(store.inner,
    ...     "https://w3id.org/aikg/id/model/deepseek-r1-distill-llama-70b")})
    ['license-not-carried', 'naming-rule']
    """
    return _check(_lineage(store, iri))[0]


def license_findings_of(store: ox.Store, iris: Iterable[str]) -> dict[str, list[LicenseFinding]]:
    """Return the license findings of several models, read with one query.

    The same findings per model as :func:`license_findings`, from one evaluation of
    ``license_lineage.rq`` over a ``VALUES`` list of the models instead of one evaluation each: what
    a remote engine pays for is the round trip and the dataset set-up of every query (the 122 models
    the claim reviews check: 16 s one by one against Oxigraph server, 0.19 s at once).

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine (the union of all named graphs is read).
    iris : iterable of str
        IRIs of ``aikg:AIModel`` resources; repeats are read once.

    Returns
    -------
    dict of str to list of LicenseFinding
        Model IRI -> its findings, ordered as :func:`license_findings` orders them.

    Raises
    ------
    NotFoundError
        If one of `iris` is not an ``aikg:AIModel``.
    ValueError
        If one of `iris` is not an IRI.
    """
    wanted = sorted(set(iris))
    if not wanted:
        return {}
    # IRIs as pyoxigraph terms, written by pyoxigraph (escaped, validated): never raw text.
    values = "VALUES ?model { " + " ".join(str(ox.NamedNode(iri)) for iri in wanted) + " }"
    text = named_query("license_lineage")
    at = text.index("WHERE {") + len("WHERE {")
    rows_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in select(store, text[:at] + values + text[at:]):
        rows_of[row["model"]].append(row)
    return {iri: _check(_Lineage(iri, rows_of.get(iri, [])))[0] for iri in wanted}


def license_check(store: ox.Store, iri: str) -> dict[str, Any]:
    """Return the full license check of one model: findings, lineage, declarations, gaps.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    iri : str
        IRI of an ``aikg:AIModel``.

    Returns
    -------
    dict
        ``model``, ``name``, ``flag`` (True when there is at least one finding),
        ``licenseFindings`` (list of :meth:`LicenseFinding.to_dict`), ``declarations`` (the
        licenses the graph gives for the model's weights, with graph and sources), ``lineage``
        (``aikg:basedOn`` edges ``{derived, base, derivationType}``), ``unchecked`` (ancestors
        whose license is unknown), ``exempt`` (ancestors of the same licensor), ``rules``
        (:data:`FINDING_KINDS`) and ``sparql`` (the query that gathered the facts).

    Raises
    ------
    NotFoundError
        If `iri` is not an ``aikg:AIModel``.
    """
    lineage = _lineage(store, iri)
    findings, unchecked, exempt = _check(lineage)
    edges = [
        {
            "derived": d,
            "derivedName": lineage.name(d),
            "base": b,
            "baseName": lineage.name(b),
            "derivationType": lineage.derivation.get((d, b)),
        }
        for d, bases in sorted(lineage.parents.items())
        for b in bases
    ]
    return {
        "model": iri,
        "name": lineage.name(iri),
        "flag": bool(findings),
        "licenseFindings": [f.to_dict() for f in findings],
        "declarations": [
            {**_declaration_source(d), "label": lineage.label(d["license"])} for d in lineage.declarations.get(iri, [])
        ],
        "lineage": edges,
        "unchecked": unchecked,
        "exempt": exempt,
        "rules": FINDING_KINDS,
        "sparql": {"name": "license_lineage", "text": named_query("license_lineage"), "bindings": {"model": iri}},
    }


def offending_edges(store: ox.Store, iri: str) -> list[tuple[str, str, str]]:
    """Return the lineage edges to mark as license inconsistencies in the lineage of a model.

    The lineage is the model with every model it is based on and every model based on it
    (``aikg:basedOn*`` either way); each of those models is checked with :func:`license_findings`.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    iri : str
        IRI of an ``aikg:AIModel``.

    Returns
    -------
    list of (str, str, str)
        ``(derived_iri, base_iri, reason)`` per ``aikg:basedOn`` edge where a lineage departs from
        a base's license terms (see :attr:`LicenseFinding.edge`), sorted; one entry per edge, the
        reasons of several findings joined with "; ".

    Raises
    ------
    NotFoundError
        If `iri` is not an ``aikg:AIModel``.

    Examples
    --------
    >>> from kg.engine.store import KnowledgeStore
    >>> from kg.engine.load import load_default_graph
    >>> store = KnowledgeStore(); _ = load_default_graph(store)
    >>> [(d.rsplit("/", 1)[1], b.rsplit("/", 1)[1]) for d, b, _ in
    ...  offending_edges(store.inner, "https://w3id.org/aikg/id/model/llama-3.3-70b")]
    [('deepseek-r1-distill-llama-70b', 'llama-3.3-70b'), ('llama-3.3-nemotron-super-49b', 'llama-3.3-70b')]
    """
    members = [row["member"] for row in select(store, named_query("license_family"), {"model": ox.NamedNode(iri)})]
    if not members:
        raise NotFoundError(f"no AI model with IRI {iri}")
    reasons: dict[tuple[str, str], list[str]] = {}
    for member in sorted(set(members)):
        for finding in license_findings(store, member):
            texts = reasons.setdefault(finding.edge, [])
            if finding.detail not in texts:
                texts.append(finding.detail)
    return [(d, b, "; ".join(texts)) for (d, b), texts in sorted(reasons.items())]


def all_license_findings(store: ox.Store) -> list[LicenseFinding]:
    """Return the findings of every model that is based on another, ordered by model IRI.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.

    Returns
    -------
    list of LicenseFinding
    """
    out: list[LicenseFinding] = []
    for row in select(store, named_query("license_derived")):
        out.extend(license_findings(store, row["model"]))
    return out
