"""HTML pages and the SPARQL service description (presentation only; data comes from kg)."""

from __future__ import annotations

import json
from pathlib import Path

import jinja2
import pyoxigraph as ox

from kg.namespaces import PREFIXES
from kg.settings import Settings

__all__ = [
    "EXAMPLE_QUERIES",
    "SERVICE_DESCRIPTION_TYPES",
    "prefix_block",
    "query_page",
    "render",
    "service_description",
]

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
    autoescape=jinja2.select_autoescape(["html"]),
)

EXAMPLE_QUERIES: list[tuple[str, str]] = [
    (
        "Chinese MoE models of 2025 with OSI-approved weights",
        """SELECT ?model ?name ?date ?license WHERE {
  ?model a aikg:AIModel ; schema:name ?name ;
         schema:creator/schema:addressCountry wd:Q148 ;
         aikg:architecture/skos:broader* aikg:MixtureOfExperts ;
         schema:datePublished ?date ;
         aikg:weightsLicense ?l .
  ?l spdx:isOsiApproved true ; spdx:licenseId ?license .
  FILTER(YEAR(?date) = 2025)
}
ORDER BY ?date ?name""",
    ),
    (
        "Who claimed what about GLM-4.5, according to which source",
        """SELECT DISTINCT ?claimant ?text ?stance ?source WHERE {
  ?c a schema:Claim ; schema:about model:glm-4.5 ;
     schema:author/schema:name ?claimant ; schema:text ?text ; schema:appearance ?src .
  OPTIONAL { ?c aikg:stance/skos:prefLabel ?stance }
  OPTIONAL { ?src schema:headline|schema:name ?title }
  BIND(COALESCE(?title, STR(?src)) AS ?source)
}
ORDER BY ?text ?source""",
    ),
    (
        "Self-claims: what developers say about their own models",
        """SELECT DISTINCT ?claim ?claimant ?subject ?text WHERE {
  ?claim a schema:Claim ; schema:author ?who ; schema:about ?s ; schema:text ?text .
  ?s (schema:creator|schema:isPartOf/schema:creator) ?who .
  ?who schema:name ?claimant . ?s schema:name ?subject .
}
ORDER BY ?claimant ?subject ?text""",
    ),
    (
        "Conflict of interest: claims published by an outlet the claimant owns",
        """SELECT DISTINCT ?claimant ?text ?publisher ?owner WHERE {
  ?claim a schema:Claim ; schema:author ?who ; schema:text ?text ;
         schema:appearance/schema:publisher ?pub .
  ?who schema:name ?claimant .
  ?pub schema:name ?publisher ; schema:parentOrganization ?o .
  ?o schema:name ?owner .
  FILTER(?o = ?who || EXISTS { ?claim schema:about/(schema:creator|schema:isPartOf/schema:creator) ?o })
}
ORDER BY ?claimant ?text""",
    ),
    (
        "Open-weight models per country",
        """SELECT ?country (COUNT(DISTINCT ?m) AS ?models) WHERE {
  ?m a aikg:AIModel ; aikg:accessibility/skos:broader aikg:OpenWeights ;
     schema:creator/schema:addressCountry/schema:name ?country .
}
GROUP BY ?country ORDER BY DESC(?models) ?country""",
    ),
    (
        "The largest open-weight MoE models (total and active parameters)",
        """SELECT ?name ?developer ?total ?active WHERE {
  ?m a aikg:AIModel ; schema:name ?name ; aikg:architecture/skos:broader* aikg:MixtureOfExperts ;
     aikg:accessibility/skos:broader aikg:OpenWeights ;
     aikg:totalParameters ?total ; schema:creator/schema:name ?developer .
  OPTIONAL { ?m aikg:activeParameters ?active }
}
ORDER BY DESC(?total) ?name
LIMIT 10""",
    ),
    (
        "Lineage: what each model is derived from, and how",
        """SELECT ?derived ?base ?type WHERE {
  ?d aikg:basedOn ?b ; schema:name ?derived .
  ?b schema:name ?base .
  OPTIONAL { ?d aikg:derivationType/skos:prefLabel ?type }
}
ORDER BY ?base ?derived""",
    ),
    (
        "Everything built on a Meta Llama model, directly or transitively",
        """SELECT ?derived ?base ?type WHERE {
  ?m aikg:basedOn+ ?ancestor ; schema:name ?derived ; aikg:basedOn/schema:name ?base .
  ?ancestor schema:creator organization:meta .
  OPTIONAL { ?m aikg:derivationType/skos:prefLabel ?type }
}
ORDER BY ?base ?derived""",
    ),
]
"""(title, query) pairs shown on the query page: the competency questions in SPARQL. Each has an
ORDER BY, so its answer is one exact sequence (the concurrency tests compare it row for row)."""

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


def render(template: str, **context: object) -> str:
    """Render one of ``api/templates`` with autoescaping."""
    return _ENV.get_template(template).render(**context)


def prefix_block() -> str:
    """Return the project's prefixes as SPARQL ``PREFIX`` lines (what the query editor starts with)."""
    return "\n".join(f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items())


def _script_json(value: object) -> str:
    # JSON inside <script>: "<" escaped so no "</script>" or "<!--" in data can end the element.
    return json.dumps(value).replace("<", "\\u003c")


def query_page(settings: Settings, query: str | None = None) -> str:
    """Return the offline SPARQL query page.

    Parameters
    ----------
    settings : Settings
        For the time limit and row cap shown on the page.
    query : str, optional
        A query to put into the editor and run at once (``/sparql?query=...`` opened in a
        browser); default: the prefixes and the first example.

    Returns
    -------
    str
        One HTML document; its script and style are inline, so it needs no network.
    """
    prefixes = prefix_block()
    examples = [(title, f"{prefixes}\n\n{q}") for title, q in EXAMPLE_QUERIES]
    return render(
        "query.html",
        prefixes=prefixes,
        examples=examples,
        initial=query if query is not None else examples[0][1],
        autorun=query is not None,
        examples_json=_script_json([q for _, q in examples]),
        prefixes_json=_script_json(PREFIXES),
        timeout=settings.query_timeout_s,
        max_rows=settings.max_rows,
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
