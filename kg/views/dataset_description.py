"""What the dataset is, for downstream users: each named graph's size, entities, sources and license, as VoID + DCAT.

The facts come from the PROV metadata every graph already carries (``dcterms:title``,
``dcterms:license``, ``prov:wasDerivedFrom``/``dcterms:source``, ``prov:generatedAtTime``: see
``kg/queries/graph_sources.rq``), so an import that brings its own license (CC BY 4.0 for Epoch AI
and the openness index, MIT for the Model Openness Tool) is described with it, and the curated graphs
with ours. The same provenance is the ``sources`` block of every MCP answer.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from kg import __version__
from kg.engine.dataset import current_graphs
from kg.engine.memo import cached
from kg.engine.sparql import select
from kg.namespaces import PREFIXES
from kg.queries import named_query

__all__ = ["CITATION", "dataset_description", "graph_provenance", "void_document"]

CITATION = (
    "AI Landscape KG contributors. AI Landscape KG: a sourced knowledge graph of the open-source AI race "
    "(version {version}). https://w3id.org/aikg. Data: CC BY 4.0 unless a graph states another license."
)
"""The suggested citation (``{version}`` is filled in); ``CITATION.cff`` at the repository root says the same."""

_VOID = "http://rdfs.org/ns/void#"
_DCAT = PREFIXES["dcat"]
_DCT = PREFIXES["dcterms"]
_RDF = PREFIXES["rdf"]
_XSD = PREFIXES["xsd"]
_SCHEMA = PREFIXES["schema"]


def graph_provenance(store: ox.Store, version: str = "") -> list[dict[str, Any]]:
    """Describe each graph behind today's default graph: size, entities and provenance.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    version : str, optional
        Dataset version (cache key).

    Returns
    -------
    list of dict
        Sorted by graph IRI: ``graph``, ``triples`` (int), ``entities`` (typed subjects under
        ``https://w3id.org/aikg/id/``), ``title``, ``licenses`` and ``sources`` (sorted IRIs) and
        ``generated`` (``prov:generatedAtTime`` or None).
    """
    return cached(version, "graph_provenance", lambda: _provenance(store))  # type: ignore[no-any-return]


def _provenance(store: ox.Store) -> list[dict[str, Any]]:
    graphs: dict[str, dict[str, Any]] = {
        g: {
            "graph": g,
            "triples": 0,
            "entities": 0,
            "title": None,
            "generated": None,
            "licenses": set(),
            "sources": set(),
        }
        for g in current_graphs(store)
    }
    for row in select(store, named_query("graph_sizes")):
        if row["g"] in graphs:
            graphs[row["g"]]["triples"] = int(row["triples"])
    for row in select(store, named_query("void_entities")):
        if row["g"] in graphs:
            graphs[row["g"]]["entities"] = int(row["entities"])
    for row in select(store, named_query("graph_sources")):
        entry = graphs.get(row["g"])
        if entry is None:
            continue
        entry["title"] = entry["title"] or row.get("title")
        entry["generated"] = entry["generated"] or row.get("generated")
        if row.get("license"):
            entry["licenses"].add(row["license"])
        if row.get("source"):
            entry["sources"].add(row["source"])
    out = []
    for name in sorted(graphs):
        entry = graphs[name]
        out.append({**entry, "licenses": sorted(entry["licenses"]), "sources": sorted(entry["sources"])})
    return out


def dataset_description(store: ox.Store, base_url: str, version: str = "") -> dict[str, Any]:
    """Return the dataset's description as JSON-ready data (what :func:`void_document` states in RDF).

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    base_url : str
        Public base URL of the service, without a trailing slash (``http://127.0.0.1:8000``).
    version : str, optional
        Dataset version (cache key; also stated as the dataset's ``owl:versionInfo``-like version).

    Returns
    -------
    dict
        ``dataset`` (IRI of the description), ``triples`` and ``entities`` (totals), ``graphs``
        (:func:`graph_provenance`), ``licenses`` (all), ``sparqlEndpoint``, ``dataDump``,
        ``version`` (software version and dataset version) and ``citation``.
    """
    graphs = graph_provenance(store, version=version)
    return {
        "dataset": f"{base_url}/.well-known/void#dataset",
        "title": "AI Landscape KG",
        "triples": sum(g["triples"] for g in graphs),
        "entities": sum(g["entities"] for g in graphs),
        "graphs": graphs,
        "licenses": sorted({lic for g in graphs for lic in g["licenses"]}),
        "sparqlEndpoint": f"{base_url}/sparql",
        "dataDump": f"{base_url}/dumps/dataset.nq.gz",
        "version": {"software": __version__, "dataset": version},
        "citation": CITATION.format(version=__version__),
    }


def _lit(value: Any) -> ox.Literal:
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(_XSD + "integer"))
    return ox.Literal(str(value))


def void_document(description: dict[str, Any], fmt: str = "turtle") -> bytes:
    """Serialize a :func:`dataset_description` as VoID + DCAT.

    Parameters
    ----------
    description : dict
        From :func:`dataset_description`.
    fmt : {"turtle", "jsonld"}, optional
        Output syntax.

    Returns
    -------
    bytes
        A ``void:Dataset``/``dcat:Dataset`` with ``void:triples``, ``void:entities``,
        ``void:sparqlEndpoint``, ``void:dataDump`` and a ``dcat:distribution``; one
        ``void:subset`` per named graph (``void:triples``, ``void:entities``, ``dcterms:license``,
        ``dcterms:source``, ``dcterms:title``, ``prov:generatedAtTime``); the version and the
        suggested citation (``schema:citation``).

    References
    ----------
    .. [1] W3C, "Describing Linked Datasets with the VoID Vocabulary", 2011.
    .. [2] W3C, "Data Catalog Vocabulary (DCAT) - Version 3", 2024.
    """
    iri = ox.NamedNode(description["dataset"])
    a = ox.NamedNode(_RDF + "type")
    triples = [
        ox.Triple(iri, a, ox.NamedNode(_VOID + "Dataset")),
        ox.Triple(iri, a, ox.NamedNode(_DCAT + "Dataset")),
        ox.Triple(iri, ox.NamedNode(_DCT + "title"), _lit(description["title"])),
        ox.Triple(iri, ox.NamedNode(_VOID + "triples"), _lit(description["triples"])),
        ox.Triple(iri, ox.NamedNode(_VOID + "entities"), _lit(description["entities"])),
        ox.Triple(iri, ox.NamedNode(_VOID + "sparqlEndpoint"), ox.NamedNode(description["sparqlEndpoint"])),
        ox.Triple(iri, ox.NamedNode(_VOID + "dataDump"), ox.NamedNode(description["dataDump"])),
        ox.Triple(iri, ox.NamedNode(_VOID + "uriSpace"), _lit("https://w3id.org/aikg/id/")),
        ox.Triple(iri, ox.NamedNode(_DCAT + "version"), _lit(description["version"]["software"])),
        ox.Triple(iri, ox.NamedNode(_SCHEMA + "version"), _lit(description["version"]["dataset"])),
        ox.Triple(iri, ox.NamedNode(_SCHEMA + "citation"), _lit(description["citation"])),
    ]
    dist = ox.NamedNode(description["dataDump"] + "#distribution")
    triples += [
        ox.Triple(iri, ox.NamedNode(_DCAT + "distribution"), dist),
        ox.Triple(dist, a, ox.NamedNode(_DCAT + "Distribution")),
        ox.Triple(dist, ox.NamedNode(_DCAT + "downloadURL"), ox.NamedNode(description["dataDump"])),
        ox.Triple(dist, ox.NamedNode(_DCAT + "mediaType"), _lit("application/n-quads")),
        ox.Triple(dist, ox.NamedNode(_DCAT + "compressFormat"), _lit("application/gzip")),
    ]
    for lic in description["licenses"]:
        triples.append(ox.Triple(iri, ox.NamedNode(_DCT + "license"), ox.NamedNode(lic)))
    for g in description["graphs"]:
        sub = ox.NamedNode(g["graph"])
        triples += [
            ox.Triple(iri, ox.NamedNode(_VOID + "subset"), sub),
            ox.Triple(sub, a, ox.NamedNode(_VOID + "Dataset")),
            ox.Triple(sub, ox.NamedNode(_VOID + "triples"), _lit(g["triples"])),
            ox.Triple(sub, ox.NamedNode(_VOID + "entities"), _lit(g["entities"])),
        ]
        if g["title"]:
            triples.append(ox.Triple(sub, ox.NamedNode(_DCT + "title"), _lit(g["title"])))
        if g["generated"]:
            stamp = ox.Literal(g["generated"], datatype=ox.NamedNode(_XSD + "dateTime"))
            triples.append(ox.Triple(sub, ox.NamedNode(PREFIXES["prov"] + "generatedAtTime"), stamp))
        triples += [ox.Triple(sub, ox.NamedNode(_DCT + "license"), ox.NamedNode(x)) for x in g["licenses"]]
        triples += [ox.Triple(sub, ox.NamedNode(_DCT + "source"), ox.NamedNode(x)) for x in g["sources"]]
    if fmt == "jsonld":
        return ox.serialize(triples, format=ox.RdfFormat.JSON_LD) or b""
    prefixes = {"void": _VOID, "dcat": _DCAT, "dcterms": _DCT, "schema": _SCHEMA, "prov": PREFIXES["prov"]}
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b""
