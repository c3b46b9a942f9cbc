"""HTML pages and the SPARQL service description (presentation only; data comes from kg)."""

from __future__ import annotations

import json
from pathlib import Path

import jinja2
import pyoxigraph as ox

from kg.namespaces import PREFIXES
from kg.settings import Settings

__all__ = ["EXAMPLE_QUERIES", "query_page", "render", "service_description"]

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
        """SELECT ?claimant ?text ?stance ?source WHERE {
  ?c a schema:Claim ; schema:about model:glm-4.5 ;
     schema:author/schema:name ?claimant ; schema:appearance ?src .
  OPTIONAL { ?c schema:text ?text }
  OPTIONAL { ?c aikg:stance/skos:prefLabel ?stance }
  OPTIONAL { ?src schema:headline|schema:name ?title }
  BIND(COALESCE(?title, STR(?src)) AS ?source)
}""",
    ),
    (
        "Claims whose source is owned by a company in the story (conflict of interest)",
        """SELECT ?claim ?text ?publisher ?owner WHERE {
  ?claim a schema:Claim ; schema:appearance ?article .
  OPTIONAL { ?claim schema:text ?text }
  ?article schema:publisher ?pub . ?pub schema:name ?publisher ;
           schema:parentOrganization/schema:name ?owner .
}""",
    ),
    (
        "Open-weight models per country",
        """SELECT ?country (COUNT(DISTINCT ?m) AS ?models) WHERE {
  ?m a aikg:AIModel ; aikg:accessibility/skos:broader aikg:OpenWeights ;
     schema:creator/schema:addressCountry/schema:name ?country .
}
GROUP BY ?country ORDER BY DESC(?models)""",
    ),
    (
        "Lineage: everything derived from a Qwen2.5 or Llama model",
        """SELECT ?derived ?base ?type WHERE {
  ?d aikg:basedOn ?b ; schema:name ?derived .
  ?b schema:name ?base .
  OPTIONAL { ?d aikg:derivationType/skos:prefLabel ?type }
}
ORDER BY ?base""",
    ),
]
"""(title, query) pairs shown on the query page; the competency questions in SPARQL."""


def render(template: str, **context: object) -> str:
    """Render one of ``api/templates`` with autoescaping."""
    return _ENV.get_template(template).render(**context)


def _prefix_block() -> str:
    return "\n".join(f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items())


def query_page(settings: Settings) -> str:
    """Return the offline SPARQL query page (editor, prefixes, examples, results table)."""
    return render(
        "query.html",
        prefixes=_prefix_block(),
        examples=EXAMPLE_QUERIES,
        examples_json=json.dumps([q for _, q in EXAMPLE_QUERIES]).replace("<", "\\u003c"),
        timeout=settings.query_timeout_s,
    )


def service_description(endpoint: str, settings: Settings, media_type: str) -> tuple[bytes, str]:
    """Return the SPARQL 1.1 Service Description of the endpoint.

    Parameters
    ----------
    endpoint : str
        The endpoint's absolute URL.
    settings : Settings
        Limits shown in the description.
    media_type : str
        One of ``text/turtle``, ``application/n-triples``, ``application/ld+json``,
        ``application/rdf+xml``.

    Returns
    -------
    (bytes, str)
        The document and its media type.

    References
    ----------
    .. [1] W3C, "SPARQL 1.1 Service Description", 2013.
    """
    sd = "http://www.w3.org/ns/sparql-service-description#"
    fmt = "http://www.w3.org/ns/formats/"
    service = ox.BlankNode("service")
    dataset = ox.BlankNode("dataset")

    def n(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    triples = [
        ox.Triple(service, n(PREFIXES["rdf"] + "type"), n(sd + "Service")),
        ox.Triple(service, n(sd + "endpoint"), n(endpoint)),
        ox.Triple(service, n(sd + "supportedLanguage"), n(sd + "SPARQL11Query")),
        ox.Triple(service, n(sd + "supportedLanguage"), n(sd + "SPARQL11Update")),
        ox.Triple(service, n(sd + "feature"), n(sd + "UnionDefaultGraph")),
        ox.Triple(service, n(sd + "feature"), n(sd + "BasicFederatedQuery")) if settings.allow_service else None,
        ox.Triple(service, n(sd + "defaultDataset"), dataset),
        ox.Triple(dataset, n(PREFIXES["rdf"] + "type"), n(sd + "Dataset")),
        ox.Triple(
            service,
            n(PREFIXES["rdfs"] + "comment"),
            ox.Literal(
                f"AI Landscape KG. Time limit {settings.query_timeout_s:g} s per query; at most {settings.max_rows} rows.",
                language="en",
            ),
        ),
    ]
    for name in (
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
    ):
        triples.append(ox.Triple(service, n(sd + "resultFormat"), n(fmt + name)))
    fmt_map = {
        "text/turtle": ox.RdfFormat.TURTLE,
        "application/n-triples": ox.RdfFormat.N_TRIPLES,
        "application/ld+json": ox.RdfFormat.JSON_LD,
        "application/rdf+xml": ox.RdfFormat.RDF_XML,
    }
    rdf_format = fmt_map.get(media_type, ox.RdfFormat.TURTLE)
    kept = [t for t in triples if t is not None]
    if rdf_format == ox.RdfFormat.TURTLE:
        body = ox.serialize(kept, format=rdf_format, prefixes={"sd": sd, "rdfs": PREFIXES["rdfs"]})
    else:
        body = ox.serialize(kept, format=rdf_format)
    return body or b"", rdf_format.media_type
