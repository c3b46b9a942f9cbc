"""HTML rendering: the Jinja environment of ``api/templates`` and the SPARQL query page (presentation only)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from kg.namespaces import PREFIXES
from kg.settings import Settings
from kg.terms import short_count
from kg.views import documents
from viz.render import SITE_NAV

__all__ = [
    "EXAMPLE_QUERIES",
    "human_count",
    "prefix_block",
    "query_page",
    "render",
    "web_url",
]

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
    autoescape=jinja2.select_autoescape(["html"]),
)


def web_url(value: object) -> str | None:
    """Return `value` if it is an ``http``/``https`` URL a page may link, else None.

    Any other scheme (``javascript:``, ``data:``, ``file:``, a URN…) is shown as text, never as a
    link: an IRI in the data is not trusted to be harmless when clicked.

    Parameters
    ----------
    value : object
        An IRI or URL, usually from the graph.

    Returns
    -------
    str or None
    """
    text = str(value or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else None


def entity_href(value: dict[str, Any]) -> str | None:
    """Where a link to an entity leads: its page (``/id/{kind}/{slug}``), else another site's IRI.

    Nodes without a page (a review's evidence items) get no link: pages fold them into their claim.
    """
    iri = value.get("iri") or ""
    ref = documents.page_ref(iri, value.get("kind"))
    if ref:
        return f"/id/{ref[0]}/{quote(ref[1], safe='')}"
    return None if iri.startswith(str(documents.ID)) else web_url(iri)


def human_count(value: object) -> str:
    """Return a parameter count the way people write it: ``355B``, ``1.2T``, ``560M``; other values as text.

    Examples
    --------
    >>> human_count(355_000_000_000), human_count(1_200_000_000_000), human_count(7_600_000_000)
    ('355B', '1.2T', '7.6B')
    """
    if not isinstance(value, int) or isinstance(value, bool):
        return "" if value is None else str(value)
    if value < 0:
        return short_count(value)  # flagged as invalid, as on entity pages
    for size, suffix in ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K")):
        if value >= size:
            return f"{value / size:.3g}{suffix}"
    return str(value)


_ENV.globals["web_url"] = web_url
_ENV.globals["SITE_NAV"] = SITE_NAV  # one list for every page's header (viz's pages too)
_ENV.filters["human_count"] = human_count
_ENV.globals["MAX_VALUE_CHARS"] = 2000  # longer literals are cut on pages, with a link to the full value

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


def render(template: str, **context: object) -> str:
    """Render one of ``api/templates`` with autoescaping."""
    return _ENV.get_template(template).render(**context)


def prefix_block() -> str:
    """Return the project's prefixes as SPARQL ``PREFIX`` lines (what the query editor starts with)."""
    return "\n".join(f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items())


def _script_json(value: object) -> str:
    # JSON inside <script>: "<" escaped so no "</script>" or "<!--" in data can end the element.
    return json.dumps(value).replace("<", "\\u003c")


def query_page(settings: Settings, query: str | None = None, title: str = "", saved: str | None = None) -> str:
    """Return the offline SPARQL query page.

    Parameters
    ----------
    settings : Settings
        For the time limit and row cap shown on the page.
    query : str, optional
        A query to put into the editor and run at once (``/sparql?query=...`` opened in a
        browser); default: the prefixes and the first example.
    title : str, optional
        Title of a saved query (shown as the page heading and in the save form).
    saved : str, optional
        Id of the saved query being reopened (``/q/{id}``), shown as its short link.

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
        title=title,
        saved=saved,
        max_title=200,
        examples_json=_script_json([q for _, q in examples]),
        prefixes_json=_script_json(PREFIXES),
        timeout=settings.query_timeout_s,
        max_rows=settings.max_rows,
    )
