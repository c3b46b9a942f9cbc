"""The charts of the race, each computed by its named SPARQL query ``chart_{name}.rq``."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from kg.analysis.analytics.landscape import OPENNESS
from kg.engine.sparql import select
from kg.errors import InvalidParameterError
from kg.queries import named_query

CHARTS: dict[str, str] = {
    "releases-by-country": "Model releases per quarter: China, United States, others (all and open-weight)",
    "moe-share": "Share of Mixture-of-Experts models among new releases, per quarter",
    "license-mix": "License openness of each region's models",
}
"""Chart name -> title; each is computed by the named query ``chart_{name}.rq``."""
_REGIONS = ("China", "United States", "others")


def chart_data(store: ox.Store, name: str, since: int = 2023) -> dict[str, Any]:
    """Compute one chart of the race by its named SPARQL query.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    name : str
        A key of :data:`CHARTS`: ``releases-by-country``, ``moe-share``, ``license-mix``.
    since : int, optional
        First year counted by the per-quarter charts (bound as ``?since``).

    Returns
    -------
    dict
        ``name``, ``title``, ``query`` (the SPARQL text that computed it), ``bindings``,
        ``rows`` (the query's solutions) and ``series``: for ``releases-by-country``
        ``{"quarters": [...], "regions": {region: {"releases": [...], "openWeights": [...]}}}``;
        for ``moe-share`` ``{"quarters", "releases", "moe", "share"}``; for ``license-mix``
        ``{"regions": [...], "categories": [...], "counts": {region: {category: n}}}``.

    Raises
    ------
    InvalidParameterError
        If `name` or `since` is not acceptable.

    Examples
    --------
    >>> s = ox.Store()
    >>> s.load(b'''@prefix aikg: <https://w3id.org/aikg/ontology#> . @prefix schema: <https://schema.org/> .
    ... @prefix m: <https://w3id.org/aikg/id/model/> . @prefix o: <https://w3id.org/aikg/id/organization/> .
    ... m:a a aikg:AIModel ; schema:name "A" ; schema:creator o:x .
    ... m:b a aikg:AIModel ; schema:name "B" ; schema:creator o:x ; aikg:basedOn m:a .
    ... m:c a aikg:AIModel ; schema:name "C" ; schema:creator o:y ; aikg:basedOn m:b .
    ... o:x a schema:Organization ; schema:name "X" . o:y a schema:Organization ; schema:name "Y" .
    ... ''', format=ox.RdfFormat.TURTLE)
    >>> chart_data(s, "license-mix")["series"]["counts"]["China"]
    {'osi': 0, 'open-weights': 0, 'closed': 0, 'unknown': 0}
    """
    if name not in CHARTS:
        raise InvalidParameterError("chart", f"unknown chart {name!r}; use one of {', '.join(CHARTS)}")
    if not 1950 <= since <= 2100:
        raise InvalidParameterError("since", "give a four-digit year, e.g. 2023")
    text = named_query("chart_" + name.replace("-", "_"))
    bindings = {"since": since} if "?since" in text else {}
    rows = select(store, text, bindings)
    for row in rows:
        row.pop("since", None)
    series: dict[str, Any]
    if name == "releases-by-country":
        quarters = _quarters(sorted({r["quarter"] for r in rows}))
        regions: dict[str, dict[str, list[int]]] = {
            region: {"releases": [0] * len(quarters), "openWeights": [0] * len(quarters)} for region in _REGIONS
        }
        for r in rows:
            i = quarters.index(r["quarter"])
            regions[r["region"]]["releases"][i] = int(r["releases"])
            regions[r["region"]]["openWeights"][i] = int(r["openWeights"])
        series = {"quarters": quarters, "regions": regions}
    elif name == "moe-share":
        quarters = _quarters([r["quarter"] for r in rows])
        by_q = {r["quarter"]: r for r in rows}
        releases = [int(by_q[q]["releases"]) if q in by_q else 0 for q in quarters]
        moe = [int(by_q[q]["moeReleases"]) if q in by_q else 0 for q in quarters]
        series = {
            "quarters": quarters,
            "releases": releases,
            "moe": moe,
            "share": [round(m / n, 4) if n else None for m, n in zip(moe, releases, strict=True)],
        }
    else:
        counts = {region: dict.fromkeys(OPENNESS, 0) for region in _REGIONS}
        for r in rows:
            counts[r["region"]][r["openness"]] = int(r["models"])
        series = {"regions": list(_REGIONS), "categories": list(OPENNESS), "counts": counts}
    return {"name": name, "title": CHARTS[name], "query": text, "bindings": bindings, "rows": rows, "series": series}


def _quarters(seen: list[str]) -> list[str]:
    """Every quarter from the first to the last seen, so empty quarters show as gaps."""
    if not seen:
        return []
    first, last = min(seen), max(seen)
    year, q = int(first[:4]), int(first[-1])
    out = []
    while f"{year}-Q{q}" <= last:
        out.append(f"{year}-Q{q}")
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    return out
