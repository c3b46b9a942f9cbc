"""The SPARQL 1.1 Service Description of ``/sparql`` (what ``GET /sparql`` without a query returns)."""

from __future__ import annotations

import pyoxigraph as ox

from kg.namespaces import PREFIXES
from kg.settings import Settings

__all__ = ["SERVICE_DESCRIPTION_TYPES", "service_description"]

SERVICE_DESCRIPTION_TYPES: list[str] = [
    "text/turtle",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-triples",
]
"""Media types of the service description; the first is the default."""

_SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS = "http://www.w3.org/ns/formats/"
_VOID = "http://rdfs.org/ns/void#"
_RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
    "TriG",
    "N-Quads",
)


def service_description(
    endpoint: str,
    settings: Settings,
    media_type: str,
    graphs: list[dict[str, object]],
    update_enabled: bool,
) -> bytes:
    """Return the SPARQL 1.1 Service Description of the endpoint.

    Parameters
    ----------
    endpoint : str
        The endpoint's absolute URL (``sd:endpoint``).
    settings : Settings
        Limits shown in the description; ``allow_service`` adds ``sd:BasicFederatedQuery``.
    media_type : str
        One of :data:`SERVICE_DESCRIPTION_TYPES`.
    graphs : list of dict
        The named graphs: ``graph`` (IRI), ``triples`` (int), optional ``title``; as
        :meth:`kg.service.KnowledgeGraph.named_graphs` returns them.
    update_enabled : bool
        Whether SPARQL Update is accepted (a token is configured): adds ``sd:SPARQL11Update``.

    Returns
    -------
    bytes
        The document in `media_type`.

    References
    ----------
    .. [1] W3C, "SPARQL 1.1 Service Description", 2013, §3 (vocabulary): sd:Service,
       sd:defaultDataset, sd:namedGraph / sd:name, sd:resultFormat, sd:feature.
    .. [2] W3C, "Unique URIs for File Formats" (http://www.w3.org/ns/formats/).
    """
    rdf_type = ox.NamedNode(PREFIXES["rdf"] + "type")

    def n(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    service, dataset, default_graph = ox.BlankNode("service"), ox.BlankNode("dataset"), ox.BlankNode("default")
    triples = [
        ox.Triple(service, rdf_type, n(_SD + "Service")),
        ox.Triple(service, n(_SD + "endpoint"), n(endpoint)),
        ox.Triple(service, n(_SD + "supportedLanguage"), n(_SD + "SPARQL11Query")),
        ox.Triple(service, n(_SD + "feature"), n(_SD + "UnionDefaultGraph")),
        ox.Triple(service, n(_SD + "defaultEntailmentRegime"), n("http://www.w3.org/ns/entailment/Simple")),
        ox.Triple(service, n(PREFIXES["dcterms"] + "title"), ox.Literal("AI Landscape KG", language="en")),
        ox.Triple(
            service,
            n(PREFIXES["rdfs"] + "comment"),
            ox.Literal(
                f"A sourced knowledge graph of the open-source AI race. Time limit {settings.query_timeout_s:g} s "
                f"per query; at most {settings.max_rows} result rows. The default graph is the union of the "
                "named graphs, one per source.",
                language="en",
            ),
        ),
        ox.Triple(service, n(_SD + "defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, n(_SD + "Dataset")),
        ox.Triple(dataset, n(_SD + "defaultGraph"), default_graph),
        ox.Triple(default_graph, rdf_type, n(_SD + "Graph")),
        ox.Triple(
            default_graph,
            n(PREFIXES["rdfs"] + "comment"),
            ox.Literal("The union of all named graphs.", language="en"),
        ),
    ]
    # The dataset's VoID + DCAT description (sizes, sources, licenses, dump, citation): /.well-known/void.
    void = endpoint.removesuffix("/sparql") + "/.well-known/void"
    triples.append(ox.Triple(dataset, n(PREFIXES["rdfs"] + "seeAlso"), n(void)))
    if update_enabled:
        triples.append(ox.Triple(service, n(_SD + "supportedLanguage"), n(_SD + "SPARQL11Update")))
    if settings.allow_service:
        triples.append(ox.Triple(service, n(_SD + "feature"), n(_SD + "BasicFederatedQuery")))
    triples += [ox.Triple(service, n(_SD + "resultFormat"), n(_FORMATS + name)) for name in _RESULT_FORMATS]
    for i, entry in enumerate(graphs):
        named, described = ox.BlankNode(f"g{i}"), ox.BlankNode(f"g{i}graph")
        triples += [
            ox.Triple(dataset, n(_SD + "namedGraph"), named),
            ox.Triple(named, rdf_type, n(_SD + "NamedGraph")),
            ox.Triple(named, n(_SD + "name"), n(str(entry["graph"]))),
            ox.Triple(named, n(_SD + "graph"), described),
            ox.Triple(described, rdf_type, n(_SD + "Graph")),
            ox.Triple(
                described,
                n(_VOID + "triples"),
                ox.Literal(str(entry["triples"]), datatype=n(PREFIXES["xsd"] + "integer")),
            ),
        ]
        if entry.get("title"):
            triples.append(ox.Triple(described, n(PREFIXES["dcterms"] + "title"), ox.Literal(str(entry["title"]))))
    rdf_format = ox.RdfFormat.from_media_type(media_type) or ox.RdfFormat.TURTLE
    if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
        prefixes = {
            "sd": _SD,
            "formats": _FORMATS,
            "void": _VOID,
            "dcterms": PREFIXES["dcterms"],
            "rdfs": PREFIXES["rdfs"],
        }
        return ox.serialize(triples, format=rdf_format, prefixes=prefixes) or b""
    return ox.serialize(triples, format=rdf_format) or b""
