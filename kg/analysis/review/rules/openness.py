"""Evidence rule for 'openness' claims: public weights, and the license terms the wording implies.

A claimed license or license flag must equal the recorded weights license (or its flag). Otherwise the
wording decides the standard: 'open source' asks for public weights under an OSI-approved license and no
contrary OSAID judgement, MOF class or openness-index grade of license or weights; other wordings
('open', 'openly released', 'open weights') ask for downloadable weights. All subjects meet it:
supported; none has public weights: contradicted; public but not on those terms: misleading; nothing
recorded: unverifiable. License-check findings along the lineage are evidence against.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.analysis.licenses import LicenseFinding, license_findings_of
from kg.analysis.review._vocabulary import _A, _S
from kg.analysis.review.evidence import Decision, Evidence
from kg.analysis.review.wording import _fmt, _name
from kg.namespaces import AIKG, PREFIXES
from kg.terms import slug_of

__all__ = ["QUERY", "decide"]

QUERY = "review_openness"
"""The named query (``kg/queries/review_openness.rq``) that gathers this rule's rows."""

_OPEN_SOURCE = re.compile(r"open[\s-]?sourc", re.IGNORECASE)
_OPEN_WEIGHTS = {
    str(AIKG.OpenWeights),
    str(AIKG.OpenWeightsUnrestricted),
    str(AIKG.OpenWeightsRestricted),
    str(AIKG.OpenWeightsNonCommercial),
}
_OSI = PREFIXES["spdx"] + "isOsiApproved"
_WEIGHTS = _A + "weightsLicense"


@dataclass
class _Facts:
    """The rows of ``review_openness.rq`` for one claim, by model and by license.

    ``models``: model IRI -> ``iri``, ``name``, ``facts`` (property -> value -> graph and sources)
    and ``grades`` (openness-index dimension -> grade). ``licenses``: license IRI -> property ->
    its first value. ``license_sources``: license IRI -> graph -> the sources that graph gives.
    """

    claimed: list[tuple[str, Any]] = field(default_factory=list)
    models: dict[str, dict[str, Any]] = field(default_factory=dict)
    licenses: dict[str, dict[str, Any]] = field(default_factory=lambda: defaultdict(dict))
    license_sources: dict[str, dict[str, set[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set))
    )

    def fact(self, m: dict[str, Any], prop: str, value: Any, statement: str, bearing: str) -> Evidence:
        """Return a fact about model `m`, with the graph and sources that recorded it."""
        info = m["facts"].get(prop, {}).get(value, {"graph": None, "sources": set()})
        return Evidence(statement, bearing, m["iri"], prop, value, None, info["graph"], sorted(info["sources"]))

    def license_fact(self, lic: str, statement: str, bearing: str) -> Evidence:
        """Return a fact about license `lic`, with the first graph that describes it and all its sources."""
        by_graph = self.license_sources.get(lic, {})
        graph = sorted(by_graph)[0] if by_graph else None
        srcs = sorted({s for v in by_graph.values() for s in v})
        return Evidence(statement, bearing, lic, _WEIGHTS, lic, None, graph, srcs)

    def terms_of(self, lic: str) -> str:
        """Put the recorded terms of a license in words (OSI approval, user threshold, use policy, ...)."""
        t = self.licenses.get(lic, {})
        parts = ["OSI-approved" if t.get(_OSI) else "not OSI-approved"]
        if t.get(_A + "userThreshold") is not None:
            parts.append(f"licensees above {t[_A + 'userThreshold']:,} monthly active users need a separate license")
        if t.get(_A + "acceptableUsePolicy") is not None:
            parts.append("an acceptable-use policy applies")
        if t.get(_A + "commercialUseAllowed") is False:
            parts.append("no commercial use")
        if t.get(_A + "derivativesMustKeepLicense"):
            parts.append("derivatives must keep the license")
        return "; ".join(parts)

    def by_name(self) -> list[dict[str, Any]]:
        """Return the models, ordered by display name."""
        return sorted(self.models.values(), key=lambda m: m["name"])


def _collect(rows: list[dict[str, Any]]) -> _Facts:
    """Sort the query's rows by role: the claimed values, and the facts of each model and license."""
    facts = _Facts()
    for r in rows:
        if r["role"] == "claimed":
            facts.claimed.append((r["p"], r["o"]))
            continue
        m = facts.models.setdefault(
            r["model"],
            {"iri": r["model"], "name": r.get("name") or slug_of(r["model"]), "facts": defaultdict(dict), "grades": {}},
        )
        if r["role"] == "model":
            entry = m["facts"][r["p"]].setdefault(r["o"], {"graph": r.get("graph"), "sources": set()})
            if r.get("source") and r.get("graph") == entry["graph"]:
                entry["sources"].add(r["source"])
        elif r["role"] == "license":
            facts.licenses[r["s"]].setdefault(r["p"], r["o"])
            if r.get("source"):
                facts.license_sources[r["s"]][r.get("graph")].add(r["source"])
        elif r["role"] == "grade":
            m["grades"][r["dimension"]] = r["o"]
    return facts


def _lineage_evidence(findings: dict[str, list[LicenseFinding]], m: dict[str, Any]) -> list[Evidence]:
    # A declared license that breaks the terms of the model's bases is evidence against an openness claim.
    out = []
    for f in findings[m["iri"]]:
        srcs = sorted({s for side in (*f.derived_sources, *f.base_sources) for s in side.get("sources", [])})
        out.append(
            Evidence(
                f"License check ({f.kind}): {f.detail}", "against", f.model, _A + "basedOn", f.base, None, None, srcs
            )
        )
    return out


# ------------------------------------------------------------------ standard 1: a claimed license or flag


def _compare_license(
    facts: _Facts, m: dict[str, Any], prop: str, value: Any, names: dict[str, str], evidence: list[Evidence]
) -> list[bool | None]:
    """Compare one claimed license (or license flag) with each weights license recorded for `m`.

    Returns one verdict per recorded license: True (agrees), False (differs) or None (the flag is
    not recorded).
    """
    verdicts: list[bool | None] = []
    for lic in m["facts"].get(_WEIGHTS, {}):
        if prop == _WEIGHTS:
            ok: bool | None = lic == value
            statement = f"{m['name']}: weights licensed under {_name(names, lic)} ({facts.terms_of(lic)})."
            evidence.append(facts.fact(m, _WEIGHTS, lic, statement, "for" if ok else "against"))
        else:
            flag = facts.licenses.get(lic, {}).get(prop)
            ok = None if flag is None else flag == value
            evidence.append(
                facts.license_fact(
                    lic,
                    f"{m['name']}: {_name(names, lic)} — {_name(names, prop)}: "
                    f"{_fmt(flag, names) if flag is not None else 'not recorded'}.",
                    "context" if ok is None else "for" if ok else "against",
                )
            )
        verdicts.append(ok)
    return verdicts


def _declared_licenses(facts: _Facts, m: dict[str, Any], names: dict[str, str]) -> list[Evidence]:
    """Return the licenses the model card declares, as context."""
    return [
        facts.fact(
            m,
            _A + "declaredLicense",
            lic,
            f"{m['name']}: its model-card metadata declares {_name(names, lic)}.",
            "context",
        )
        for lic in m["facts"].get(_A + "declaredLicense", {})
    ]


def _decide_claimed(facts: _Facts, names: dict[str, str], findings: dict[str, list[LicenseFinding]]) -> Decision:
    """Decide by standard 1: the claim names a license or a license flag; compare with the recorded one."""
    evidence: list[Evidence] = []
    verdicts: list[bool | None] = []
    for prop, value in facts.claimed:
        for m in facts.by_name():
            if not m["facts"].get(_WEIGHTS):
                evidence.append(Evidence(f"{m['name']}: no weights license recorded.", "context", m["iri"], _WEIGHTS))
                verdicts.append(None)
                continue
            verdicts.extend(_compare_license(facts, m, prop, value, names, evidence))
            evidence.extend(_declared_licenses(facts, m, names))
            evidence.extend(_lineage_evidence(findings, m))
    checked = [v for v in verdicts if v is not None]
    wanted = "; ".join(f"{_name(names, p)}: {_fmt(v, names)}" for p, v in facts.claimed)
    if not checked:
        return ("unverifiable", f"The claim states {wanted}, but the graph records no value to compare with.", evidence)
    if all(checked) and len(checked) == len(verdicts):
        return ("supported", f"The graph records {wanted} for every subject.", evidence)
    if not any(checked):
        return ("contradicted", f"The claim states {wanted}; the graph records otherwise.", evidence)
    return ("misleading", f"The claim states {wanted}; the graph agrees for some subjects only.", evidence)


# ------------------------------------------------------------------ standard 2: what the wording implies


def _standard(claim: dict[str, Any]) -> tuple[bool, str]:
    """Read the claim's wording: strict ('open source') or not ('open weights'), and the standard in words."""
    framing = claim.get("framing") or claim.get("text") or claim.get("paraphrase") or ""
    strict = bool(_OPEN_SOURCE.search(framing))
    standard = (
        "open source: public weights under an OSI-approved license, and no contrary OSAID, MOF or "
        "openness-index judgement"
        if strict
        else "open weights: the weights can be downloaded"
    )
    return strict, standard


def _public(facts: _Facts, m: dict[str, Any], names: dict[str, str], evidence: list[Evidence]) -> bool | None:
    """Whether the weights of `m` are public: by its accessibility, else by having a weights license.

    Adds the accessibility facts, and any license the model is used under (``schema:license``, a
    product's terms of use) as evidence against. None when neither is recorded.
    """
    access = list(m["facts"].get(_A + "accessibility", {}))
    public = None
    if access:
        public = any(a in _OPEN_WEIGHTS for a in access)
        for a in access:
            statement = f"{m['name']}: accessibility {_name(names, a)}."
            evidence.append(
                facts.fact(m, _A + "accessibility", a, statement, "for" if a in _OPEN_WEIGHTS else "against")
            )
    elif m["facts"].get(_WEIGHTS):
        public = True
    for lic in m["facts"].get(_S + "license", {}):
        evidence.append(facts.fact(m, _S + "license", lic, f"{m['name']}: used under {_name(names, lic)}.", "against"))
    return public


def _weights_terms(
    facts: _Facts, m: dict[str, Any], strict: bool, names: dict[str, str], evidence: list[Evidence]
) -> bool:
    """Add each weights license with its terms; True when a strict reading finds one not OSI-approved."""
    restricted = False
    for lic in m["facts"].get(_WEIGHTS, {}):
        bad = strict and facts.licenses.get(lic, {}).get(_OSI) is not True
        restricted |= bad
        evidence.append(
            facts.fact(
                m,
                _WEIGHTS,
                lic,
                f"{m['name']}: weights under {_name(names, lic)} ({facts.terms_of(lic)}).",
                "against" if bad else "for" if strict else "context",
            )
        )
    return restricted


def _judgements(
    facts: _Facts, m: dict[str, Any], strict: bool, names: dict[str, str], evidence: list[Evidence]
) -> bool:
    """Add the OSAID and MOF judgements; True when a strict reading finds a contrary one."""
    restricted = False
    for prop, bad_values, label in (
        (_A + "osaidCompliant", {False}, "OSAID compliant"),
        (_A + "mofClass", {_A + "MOFNotClassified"}, "MOF class"),
    ):
        for value in m["facts"].get(prop, {}):
            bad = value in bad_values
            restricted |= strict and bad
            statement = f"{m['name']}: {label}: {_fmt(value, names)}."
            evidence.append(facts.fact(m, prop, value, statement, "against" if bad else "for"))
    return restricted


def _grades(m: dict[str, Any], strict: bool, names: dict[str, str], evidence: list[Evidence]) -> bool:
    """Add the openness-index grades; True when a strict reading finds license or weights closed or partial."""
    restricted = False
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
    return restricted


def _judge_model(
    facts: _Facts,
    m: dict[str, Any],
    strict: bool,
    names: dict[str, str],
    findings: dict[str, list[LicenseFinding]],
    evidence: list[Evidence],
) -> str:
    """One subject against the standard: ``open``, ``restricted``, ``closed`` or ``unknown``."""
    public = _public(facts, m, names, evidence)
    if public is None:
        evidence.append(
            Evidence(f"{m['name']}: neither accessibility nor a weights license is recorded.", "context", m["iri"])
        )
        return "unknown"
    if not public:
        return "closed"
    # Every step runs (each adds its evidence) before the verdict: no short-circuit.
    restricted = _weights_terms(facts, m, strict, names, evidence)
    restricted |= _judgements(facts, m, strict, names, evidence)
    restricted |= _grades(m, strict, names, evidence)
    if strict and not m["facts"].get(_WEIGHTS) and not any(m["grades"]):
        return "unknown"
    evidence.extend(_lineage_evidence(findings, m))
    return "restricted" if restricted else "open"


def _decide_wording(
    facts: _Facts, claim: dict[str, Any], names: dict[str, str], findings: dict[str, list[LicenseFinding]]
) -> Decision:
    """Decide by standard 2: no license is claimed; judge every subject by the standard its wording implies."""
    strict, standard = _standard(claim)
    evidence: list[Evidence] = []
    verdicts = [_judge_model(facts, m, strict, names, findings, evidence) for m in facts.by_name()]
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


_PREFETCHED: contextvars.ContextVar[dict[str, list[LicenseFinding]] | None] = contextvars.ContextVar(
    "openness_findings", default=None
)


@contextlib.contextmanager
def prefetch_findings(store: ox.Store, rows: dict[str, list[dict[str, Any]]]) -> Iterator[None]:
    """Read the license checks of every model in `rows` with one query, for the decisions made inside.

    A review of all claims decided each openness claim's license checks with a query of its own (23
    at start: 2.4 s on an on-disk store at 10k models); one query over every subject gives the same
    findings (:func:`kg.analysis.licenses.license_findings_of`).

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    rows : dict of str to list of dict
        The rows of ``review_openness.rq`` by claim IRI, for all claims.

    Yields
    ------
    None
    """
    models = sorted(
        {
            r["model"]
            for claim_rows in rows.values()
            for r in claim_rows
            if r.get("role") != "claimed" and r.get("model")
        }
    )
    token = _PREFETCHED.set(license_findings_of(store, models) if models else {})
    try:
        yield
    finally:
        _PREFETCHED.reset(token)


def decide(rows: list[dict[str, Any]], claim: dict[str, Any], names: dict[str, str], store: ox.Store) -> Decision:
    """Decide a claim from the rows of ``review_openness.rq``.

    Parameters
    ----------
    rows : list of dict
        The query's rows for this claim (``?claim`` bound), variable name -> Python value.
    claim : dict
        The claim as recorded (its ``framing``, ``text`` or ``paraphrase`` selects the standard).
    names : dict of str to str
        Display names by IRI.
    store : pyoxigraph.Store
        The engine, for the license checks along each subject's lineage.

    Returns
    -------
    Decision
        ``(rating, reason, evidence)``.
    """
    facts = _collect(rows)
    if not facts.models:
        return ("unverifiable", "The claim's subjects are not AI models or model families of the graph.", [])
    # The license checks of every claim's subjects were read at once (prefetch_findings) when all
    # claims are reviewed together; otherwise this claim's subjects in one query.
    known = _PREFETCHED.get()
    if known is not None and all(m in known for m in facts.models):
        findings = {m: known[m] for m in facts.models}
    else:
        findings = license_findings_of(store, facts.models)
    if facts.claimed:
        return _decide_claimed(facts, names, findings)
    return _decide_wording(facts, claim, names, findings)
