"""The MCP server: read-only tools over the knowledge graph for AI assistants (Model Context Protocol).

Built on the official SDK (``mcp``, :class:`mcp.server.mcpserver.MCPServer`); ``kg mcp`` serves it
over stdio and ``kg serve`` at ``/mcp`` over streamable HTTP (:func:`streamable_endpoint`,
mounted lazily by :mod:`api.mcp_route`). The tools read through
the same functions as the REST routes (``kg.find.search``, ``kg.views.*``, ``kg.analysis.licenses``,
the review keeper, the change entries of the feeds, the SPARQL funnel of ``/sparql``), under the same
time, row and memory limits, so an assistant and a REST client get the same facts. Every answer
carries sources: per fact where the read model has them (entity records, comparisons, evidence), and
the provenance of the graphs it was read from. A core error becomes an MCP error whose message is
the ``detail`` of the HTTP problem document (:func:`api.errors.error_response`).

(Not named ``mcp.py``: that would shadow the SDK.)
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from mcp.shared.exceptions import MCPError
from mcp_types import INTERNAL_ERROR, INVALID_PARAMS
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.routing import Route

from api.errors import error_response
from api.filter_params import filter_parameters, filter_values
from api.routes.feeds import read_changes
from api.sparql_protocol import BadRequest, query_request
from kg import __version__
from kg.analysis.licenses import license_check as check_licenses
from kg.analysis.review import keeper_for
from kg.engine.dump import dump_chunks
from kg.errors import KGError
from kg.find.resolve import resolve
from kg.find.search import search as search_labels
from kg.namespaces import GRAPH
from kg.service import KnowledgeGraph
from kg.terms import ENTITY_KINDS
from kg.views.compare import compare as compare_models
from kg.views.dataset_description import graph_provenance
from kg.views.documents import CONTEXT_PATH
from kg.views.entity import entity_record
from kg.views.lineage import lineage as model_lineage
from kg.views.listing import list_collection

__all__ = ["EXAMPLE_QUERIES", "TOOLS", "build_server", "streamable_endpoint"]

TOOLS = (
    "search",
    "get_entity",
    "list_models",
    "lineage",
    "claims_about",
    "license_check",
    "compare",
    "changes_since",
    "sparql",
)
"""The tools every MCP server of this service offers (read-only)."""

EXAMPLE_QUERIES = {
    "Chinese MoE models released in 2025 and the licenses of their weights": """\
SELECT ?name ?license ?date WHERE {
  ?m a aikg:AIModel ; schema:name ?name ;
     schema:creator/schema:addressCountry wd:Q148 ;
     aikg:architecture/skos:broader* aikg:MixtureOfExperts ;
     schema:datePublished ?date ; aikg:weightsLicense/spdx:licenseId ?license .
  FILTER(YEAR(?date) = 2025)
} ORDER BY ?date""",
    "Who claimed what about GLM-4.5, and where": """\
SELECT ?claimant ?text ?source WHERE {
  ?c a schema:Claim ; schema:about model:glm-4.5 ; schema:author/schema:name ?claimant ;
     schema:appearance ?source . OPTIONAL { ?c schema:text ?text } }""",
    "Models derived from Llama 3.1 8B, with the derivation type": """\
SELECT ?derived ?type WHERE {
  ?d aikg:basedOn+ model:llama-3.1-8b ; schema:name ?derived .
  OPTIONAL { ?d aikg:derivationType/skos:prefLabel ?type }
} ORDER BY ?derived""",
}
"""Three queries that run on the embedded graph (the prompt shows them; tests run them)."""

MAIN_CLASSES = {
    "aikg:AIModel": "a model; schema:name, schema:creator (organization), schema:datePublished, aikg:architecture "
    "(SKOS concept: aikg:MixtureOfExperts, aikg:Dense…; use skos:broader* for narrower ones), aikg:totalParameters and "
    "aikg:activeParameters (plain counts), aikg:weightsLicense / aikg:codeLicense (SPDX IRIs), aikg:basedOn + "
    "aikg:derivationType, schema:isPartOf (aikg:ModelFamily)",
    "schema:Organization": "a developer; schema:addressCountry is the Wikidata IRI (China wd:Q148, United States "
    "wd:Q30) with schema:identifier 'CN'; schema:parentOrganization",
    "schema:Person": "a person (claimants, employees)",
    "schema:Claim": "a claim; schema:author (claimant), schema:about (subjects), schema:text, aikg:paraphrase, "
    "aikg:stance, schema:dateCreated, schema:appearance (the NewsArticle, README or paper it appeared in)",
    "schema:ClaimReview": "the computed review of a claim, in graph graph:reviews: schema:itemReviewed, "
    "schema:reviewRating (schema:alternateName: supported, misleading, contradicted, unverifiable), schema:reviewBody",
    "spdx:License": "a license; spdx:licenseId, spdx:isOsiApproved; custom AI licenses are LicenseRef- IRIs",
}

_PROBLEM_STATUS_CODE = {400: INVALID_PARAMS, 404: INVALID_PARAMS, 406: INVALID_PARAMS, 413: INVALID_PARAMS}


class Answer(BaseModel):
    """Every tool's answer: the result fields, and ``sources`` (the provenance of the graphs read)."""

    model_config = ConfigDict(extra="allow")
    sources: list[dict[str, Any]] = Field(
        description="Named graphs the answer was read from: graph IRI, title, licenses, sources (prov:wasDerivedFrom)."
    )


def _mcp_error(exc: Exception) -> MCPError:
    """The MCP error of a core error or a malformed SPARQL request: the HTTP problem's detail as message."""
    if isinstance(exc, BadRequest):
        return MCPError(INVALID_PARAMS, exc.detail, {"status": exc.status, "title": "Bad SPARQL request"})
    assert isinstance(exc, KGError)
    body = json.loads(error_response(exc).body)
    status = int(body["status"])
    code = INVALID_PARAMS if 400 <= status < 500 else INTERNAL_ERROR
    return MCPError(code, body["detail"], {k: v for k, v in body.items() if k != "detail"})


class _StrictServer(MCPServer):
    """The SDK's server, refusing a tool call with an argument the tool does not take.

    The SDK ignores unknown arguments, so a misspelt filter (``year`` where the tool has none, or
    ``contry``) would silently widen the answer; here it is an MCP error naming the allowed ones.
    """

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        tool = self._tool_manager.get_tool(name)
        if tool is not None:
            allowed = sorted(tool.parameters.get("properties", {}))
            unknown = sorted(set(arguments) - set(allowed))
            if unknown:
                raise MCPError(
                    INVALID_PARAMS,
                    f"{name} takes no argument {', '.join(repr(u[:100]) for u in unknown)}; it takes: {', '.join(allowed)}",
                    {"unknown": unknown, "allowed": allowed},
                )
            try:
                tool.fn_metadata.validate_arguments(arguments)  # as the SDK does next, to word its errors
            except ValidationError as exc:
                raise _argument_error(name, tool.parameters.get("properties", {}), exc) from None
        return await super().call_tool(name, arguments, context)


def _accepts(schema: dict[str, Any]) -> str:
    """What a tool argument accepts, said from its JSON Schema: type, range, choices, description."""
    options = [o for o in schema.get("anyOf", [schema]) if o.get("type") != "null"]
    said = []
    for option in options:
        kind = option.get("type", "value")
        if "enum" in option:
            said.append("one of " + ", ".join(repr(v) for v in option["enum"]))
        elif kind == "integer" and "minimum" in option and option.get("maximum", 0) < 10**9:
            said.append(f"an integer from {option['minimum']} to {option['maximum']}")
        elif kind == "integer" and "minimum" in option:
            said.append(f"an integer of at least {option['minimum']}")
        elif kind == "array":
            said.append("a list of them")
        else:
            said.append({"integer": "an integer", "string": "a string", "number": "a number"}.get(kind, kind))
    text = " or ".join(dict.fromkeys(said)) or "a value"
    description = schema.get("description")
    return f"{text} ({description})" if description else text


def _argument_error(tool: str, properties: dict[str, Any], exc: ValidationError) -> MCPError:
    """The MCP error of arguments that do not validate: each argument named, with the value sent and what it accepts."""
    problems: dict[str, str] = {}
    for error in exc.errors():
        argument = str(error["loc"][0]) if error.get("loc") else "arguments"
        if argument in problems:
            continue
        sent = repr(error.get("input"))[:60]
        problems[argument] = f"{argument}={sent} is not accepted: it takes {_accepts(properties.get(argument, {}))}"
    return MCPError(INVALID_PARAMS, f"{tool}: " + "; ".join(problems.values()), {"arguments": sorted(problems)})


def build_server(get_graph: Callable[[], KnowledgeGraph], base_url: str) -> MCPServer:
    """Build the MCP server over a knowledge graph.

    Parameters
    ----------
    get_graph : callable
        Returns the open :class:`~kg.service.KnowledgeGraph` (the app opens it in its lifespan,
        after the server is built).
    base_url : str
        Public base URL for links to entity pages and records (no trailing slash).

    Returns
    -------
    mcp.server.mcpserver.MCPServer
        With the tools of :data:`TOOLS`, the resources ``aikg://ontology.ttl`` and
        ``aikg://context.jsonld`` and the prompt ``write_sparql``.
    """
    server = _StrictServer(
        name="aikg",
        log_level="WARNING",  # the SDK configures the root logger; the service logs only warnings by default
        title="AI Landscape KG",
        version=__version__,
        instructions=(
            "A sourced knowledge graph of the open-source AI race: models, developers, countries, architectures "
            "(MoE with total/active parameters), licenses of weights and code, lineage, and claims with their "
            "reviews. Read-only. Start with `search` to turn a name into an entity, then `get_entity`; `sparql` "
            "for anything else (see the prompt `write_sparql`). Cite the `sources` every answer carries."
        ),
    )

    def run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return get_graph().read(fn, *args, **kwargs)
        except (KGError, BadRequest) as exc:
            raise _mcp_error(exc) from None

    def sources(graphs: set[str] | None = None) -> list[dict[str, Any]]:
        rows = run(graph_provenance)
        return [
            {k: g[k] for k in ("graph", "title", "licenses", "sources")}
            for g in rows
            if graphs is None or g["graph"] in graphs
        ]

    def link(kind: str, slug: str) -> dict[str, str]:
        return {"page": f"{base_url}/id/{kind}/{slug}", "record": f"{base_url}/api/{kind}s/{slug}"}

    read_only = {"readOnlyHint": True, "openWorldHint": False}

    @server.tool(annotations=read_only)
    def search(
        query: Annotated[
            str, Field(min_length=1, max_length=200, description="Name in any script, e.g. 智谱 or GLM-4.5")
        ],
        kind: Annotated[Literal[ENTITY_KINDS] | None, Field(description="Keep one kind of entity")] = None,  # type: ignore[valid-type]
        limit: Annotated[int, Field(ge=1, le=100)] = 20,
    ) -> Answer:
        """Find entities by name or alternate name (any script): models, organizations, people, licenses…"""
        found = run(search_labels, query, kind=kind, limit=limit)
        for hit in found["results"]:
            hit["links"] = link(hit["kind"], hit["slug"])
        return Answer(query=query, **found, sources=sources())

    @server.tool(annotations=read_only)
    def get_entity(
        ref: Annotated[str, Field(max_length=500, description="Slug, name (any script) or IRI, e.g. glm-4.5")],
        kind: Annotated[Literal[ENTITY_KINDS], Field(description="Entity kind")] = "model",  # type: ignore[valid-type]
    ) -> Answer:
        """Every fact of one entity, each value with its named graph and sources; claims about and by it."""
        record = run(entity_record, kind, ref)
        # The record's own `sources` is already the provenance of the graphs its facts come from.
        return Answer(**record, links=link(record["kind"], record["slug"]))

    def list_models(
        sort: Literal["name", "date", "parameters", "active_parameters"] = "name",
        order: Literal["asc", "desc"] = "asc",
        limit: int = 50,
        cursor: str | None = None,
        **filters: Any,
    ) -> Answer:
        """Models filtered as /api/models filters them (all filters must hold; a list of values for one filter means any of them), sorted and paged."""
        chosen = filter_values("models", filters)
        page = run(list_collection, "models", chosen, sort=sort, order=order, cursor=cursor, limit=limit)
        for record in page["results"]:
            record["links"] = link("model", record["slug"])
        return Answer(**page, sources=sources())

    # The filters are /api/models's own list (api/filter_params.py), each entity filter also as a list (OR).
    keyword = inspect.Parameter.KEYWORD_ONLY
    list_models.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            *filter_parameters("models", Field, lists=True),
            inspect.Parameter(
                "sort", keyword, default="name", annotation=Literal["name", "date", "parameters", "active_parameters"]
            ),
            inspect.Parameter("order", keyword, default="asc", annotation=Literal["asc", "desc"]),
            inspect.Parameter("limit", keyword, default=50, annotation=Annotated[int, Field(ge=1, le=500)]),
            inspect.Parameter(
                "cursor",
                keyword,
                default=None,
                annotation=Annotated[str | None, Field(max_length=4000, description="`next` of a previous answer")],
            ),
        ],
        return_annotation=Answer,
    )
    server.tool(annotations=read_only)(list_models)

    @server.tool(annotations=read_only)
    def lineage(
        model: Annotated[str, Field(max_length=500, description="Model slug, name or IRI")],
        max_depth: Annotated[int | None, Field(ge=1, le=50)] = None,
    ) -> Answer:
        """Ancestors and descendants of a model (fine-tune, distillation, quantization, merge), with depth."""
        return Answer(**run(model_lineage, model, max_depth=max_depth), sources=sources())

    @server.tool(annotations=read_only)
    def claims_about(
        subject: Annotated[str, Field(max_length=500, description="Model or organization: slug, name or IRI")],
        kind: Literal["model", "organization"] = "model",
    ) -> Answer:
        """Claims about an entity with their review: rating, reason, evidence (facts with graph and sources), interests."""
        iri = run(resolve, kind, subject)
        keeper = keeper_for(get_graph().store)
        reviews = [
            r.to_dict() for r in keeper.list() if any(s["iri"] == iri for s in r.info["about"] + r.info["comparedWith"])
        ]
        graphs = {str(GRAPH) + "reviews", str(GRAPH) + "reviews-input", str(GRAPH) + "seed-article"}
        return Answer(subject=iri, count=len(reviews), results=reviews, sources=sources(graphs))

    @server.tool(annotations=read_only)
    def license_check(model: Annotated[str, Field(max_length=500, description="Model slug, name or IRI")]) -> Answer:
        """Does the model's weights license keep the terms of every model it is based on? Findings with reasons and sources."""
        iri = run(resolve, "model", model)
        return Answer(**run(check_licenses, iri), sources=sources())

    @server.tool(annotations=read_only)
    def compare(
        models: Annotated[
            list[str], Field(min_length=2, max_length=10, description="2 to 10 models: slug, name or IRI")
        ],
    ) -> Answer:
        """Models side by side: one row per property, each value with its sources; `same` when all agree."""
        return Answer(**run(compare_models, models), sources=sources())

    @server.tool(annotations=read_only)
    def changes_since(
        since: Annotated[str, Field(max_length=40, description="YYYY-MM-DD (end of day, UTC) or ISO 8601 date-time")],
        kind: Annotated[Literal[ENTITY_KINDS] | None, Field(description="Keep entries about one kind")] = None,  # type: ignore[valid-type]
        limit: Annotated[int, Field(ge=1, le=500)] = 50,
    ) -> Answer:
        """What imports and SPARQL updates changed since a date: new models and claims, changed facts, rating changes, license findings."""
        try:
            entries = read_changes(get_graph(), since=since, kind=kind, limit=limit)
        except KGError as exc:
            raise _mcp_error(exc) from None
        return Answer(since=since, count=len(entries), results=entries, sources=sources())

    @server.tool(annotations=read_only)
    def sparql(
        query: Annotated[
            str,
            Field(
                min_length=1, description="SELECT, ASK, CONSTRUCT or DESCRIBE, at most KG_MAX_QUERY_CHARS characters"
            ),
        ],
    ) -> Answer:
        """Run a read-only SPARQL 1.1 query under the /sparql limits (text size, time, rows, memory); no updates.

        Prefixes aikg:, schema:, skos:, spdx:, wd:, model:, graph:, prov:, dcterms: … are predeclared.
        SELECT/ASK answer SPARQL JSON results; CONSTRUCT/DESCRIBE answer Turtle.
        """
        graph = get_graph()
        try:
            request = query_request(
                graph.settings, {"query": [query]}, "application/sparql-results+json, text/turtle;q=0.9"
            )
            assert not hasattr(request, "status_code"), "both result kinds are acceptable"
            result = graph.query(request)  # type: ignore[arg-type]
        except (KGError, BadRequest) as exc:
            raise _mcp_error(exc) from None
        text = result.body.decode("utf-8")
        body: Any = json.loads(text) if result.media_type.endswith("json") else text
        return Answer(
            form=request.form,  # type: ignore[union-attr]
            mediaType=result.media_type,
            count=result.count,
            result=body,
            sources=sources(),
        )

    @server.resource(
        "aikg://ontology.ttl",
        name="ontology",
        description="The AIKG ontology (classes and properties) in Turtle",
        mime_type="text/turtle",
    )
    def ontology() -> str:
        return b"".join(run(_ontology_turtle)).decode("utf-8")

    @server.resource(
        "aikg://context.jsonld",
        name="context",
        description="The JSON-LD context of the REST API and entity documents",
        mime_type="application/ld+json",
    )
    def context() -> str:
        return CONTEXT_PATH.read_text("utf-8")

    @server.prompt(title="Write SPARQL for the AI Landscape KG")
    def write_sparql(question: str = "") -> str:
        """The ontology's main classes and three example queries, to write correct SPARQL for the `sparql` tool."""
        classes = "\n".join(f"- {name}: {text}" for name, text in MAIN_CLASSES.items())
        examples = "\n\n".join(f"# {title}\n{text}" for title, text in EXAMPLE_QUERIES.items())
        ask = f"\n\nQuestion: {question}" if question else ""
        return (
            "Write one SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE) for the `sparql` tool of the AI "
            "Landscape KG. Entities are https://w3id.org/aikg/id/{kind}/{slug} (prefix model: for models). "
            "Prefixes aikg: schema: skos: spdx: wd: model: graph: prov: dcterms: are predeclared. "
            "Main classes:\n" + classes + "\n\nExamples:\n\n" + examples + ask
        )

    return server


def _ontology_turtle(store: Any) -> list[bytes]:
    return list(dump_chunks(store, "ttl", str(GRAPH) + "ontology"))


def _transport_security(base_url: str, host: str) -> TransportSecuritySettings:
    """DNS-rebinding protection (the SDK's) for a loopback bind: local Host/Origin, plus the public base URL's.

    Behind a reverse proxy the server binds 127.0.0.1 and the proxy passes the public host
    (``KG_BASE_URL``), which must be let in; a server bound to another interface is reached by names
    it cannot know, so it checks none (as for every other route).
    """
    if host not in ("127.0.0.1", "localhost", "::1"):
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    public = urlsplit(base_url)
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*", public.netloc],
        allowed_origins=[
            "http://127.0.0.1:*",
            "http://localhost:*",
            "http://[::1]:*",
            f"{public.scheme}://{public.netloc}",
        ],
    )


def streamable_endpoint(get_graph: Callable[[], KnowledgeGraph], base_url: str, host: str) -> tuple[MCPServer, Any]:
    """Build the MCP server and the ASGI endpoint that serves it over streamable HTTP (stateless, JSON answers).

    Parameters
    ----------
    get_graph : callable
        Returns the app's open graph.
    base_url : str
        Public base URL for links.
    host : str
        The bind address: on a loopback address the SDK's DNS-rebinding protection stays on.

    Returns
    -------
    tuple
        The server (its ``session_manager`` must run while the endpoint serves) and the endpoint,
        an ASGI app (:func:`api.mcp_route.mount` routes ``/mcp`` to it).
    """
    server = build_server(get_graph, base_url)
    sub = server.streamable_http_app(
        streamable_http_path="/mcp",
        stateless_http=True,
        json_response=True,
        transport_security=_transport_security(base_url, host),
        host=host,
    )
    [route] = [r for r in sub.routes if isinstance(r, Route) and r.path == "/mcp"]
    return server, route.app
