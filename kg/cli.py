"""The ``kg`` command line: serve, query, load, validate, viz.

The CLI is an edge, like the app factory: it builds settings from flags and ``KG_*`` variables.
It reaches the HTTP and rendering layers only by import string (uvicorn's app factory, the
``viz`` renderer), so the core never imports them.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import click

from kg import __version__
from kg.errors import KGError
from kg.settings import Settings

__all__ = ["main"]


def _open(store: str | None):  # type: ignore[no-untyped-def]
    from kg.service import KnowledgeGraph

    return KnowledgeGraph.open(Settings.from_env(store=store, workers=0))


def _fail(exc: KGError) -> None:
    click.echo(f"error: {exc.detail}", err=True)
    sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """AI Landscape KG: a sourced knowledge graph of the open-source AI race."""


@main.command()
@click.option(
    "--store", help="Directory of a persistent store (created and filled when new), or an http(s) SPARQL endpoint."
)
@click.option("--host", help="Interface to bind [default 127.0.0.1].")
@click.option("--port", type=int, help="TCP port [default 8000].")
@click.option("--update-token", help="Bearer token that SPARQL Update and imports require (else updates are refused).")
@click.option("--query-timeout", type=float, help="Per-query time limit in seconds [default 30].")
@click.option("--max-rows", type=int, help="Result-row cap [default 100000].")
@click.option("--workers", type=int, help="Query worker processes [default 2].")
@click.option("--query-memory-mb", type=int, help="Working memory per query worker in MiB, 0 = no cap [default 2048].")
@click.option("--allow-service/--no-allow-service", default=None, help="Allow SERVICE federation and remote LOAD.")
def serve(store, host, port, update_token, query_timeout, max_rows, workers, query_memory_mb, allow_service) -> None:  # type: ignore[no-untyped-def]
    """Serve SPARQL, REST and graph pages (default: the embedded graph in memory)."""
    import uvicorn

    flags = {
        "KG_STORE": store,
        "KG_HOST": host,
        "KG_PORT": port,
        "KG_UPDATE_TOKEN": update_token,
        "KG_QUERY_TIMEOUT": query_timeout,
        "KG_MAX_ROWS": max_rows,
        "KG_WORKERS": workers,
        "KG_QUERY_MEMORY_MB": query_memory_mb,
        "KG_ALLOW_SERVICE": None if allow_service is None else str(allow_service).lower(),
    }
    for key, value in flags.items():
        if value is not None:
            os.environ[key] = str(value)
    settings = Settings.from_env()
    click.echo(f"AI Landscape KG on http://{settings.host}:{settings.port}  (SPARQL: /sparql, docs: /docs)", err=True)
    uvicorn.run("api.app:create_app", factory=True, host=settings.host, port=settings.port, log_level="warning")


@main.command()
@click.argument("sparql")
@click.option("--store", help="Persistent store directory (default: the embedded graph in memory).")
@click.option(
    "--format",
    "fmt",
    default=None,
    help="Media type or short name: json, xml, csv, tsv (SELECT/ASK); turtle, nt, jsonld, rdfxml (graphs).",
)
def query(sparql: str, store: str | None, fmt: str | None) -> None:
    """Run one SPARQL query and print the result (``-`` reads it from stdin)."""
    from kg.sparql import GRAPH_MEDIA_TYPES, RESULT_MEDIA_TYPES, QueryRequest

    short = {
        "json": "application/sparql-results+json",
        "xml": "application/sparql-results+xml",
        "csv": "text/csv",
        "tsv": "text/tab-separated-values",
        "turtle": "text/turtle",
        "ttl": "text/turtle",
        "nt": "application/n-triples",
        "jsonld": "application/ld+json",
        "rdfxml": "application/rdf+xml",
        "trig": "application/trig",
    }
    media = short.get(fmt or "", fmt)
    text = sys.stdin.read() if sparql == "-" else sparql
    request = QueryRequest(
        text,
        result_media_type=media
        if media in RESULT_MEDIA_TYPES
        else ("text/tab-separated-values" if media is None else None),
        graph_media_type=media if media in GRAPH_MEDIA_TYPES else ("text/turtle" if media is None else None),
    )
    try:
        graph = _open(store)
        result = graph.query(request)
    except KGError as exc:
        _fail(exc)
        return
    sys.stdout.buffer.write(result.body)
    if not result.body.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--store", help="Persistent store directory (default: a throw-away in-memory store, to check files).")
@click.option("--graph", help="Named graph IRI for the files' triples (default: graph/{file stem}).")
def load(files: tuple[Path, ...], store: str | None, graph: str | None) -> None:
    """Load RDF files (any syntax) into named graphs: all of them or none."""
    from kg.load import load_files

    try:
        service = _open(store)
        counts = load_files(service.store, list(files), graph=graph)
        service.store.flush()
    except KGError as exc:
        _fail(exc)
        return
    for name, n in counts.items():
        click.echo(f"{n:>8} triples  {name}")


@main.command()
@click.option("--store", help="Persistent store directory (default: the embedded graph).")
def validate(store: str | None) -> None:
    """Check the graph against the SHACL shapes; exit 1 on violations."""
    from kg.validate import validate_store

    report = validate_store(_open(store).store)
    if report.conforms:
        click.echo("conforms: every shape holds")
        return
    click.echo(report.text)
    click.echo(f"{report.violations} violations", err=True)
    sys.exit(1)


@main.command()
@click.argument("entity")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="HTML file to write.")
@click.option("--depth", type=click.IntRange(1, 3), default=1, show_default=True, help="Hops from the entity.")
@click.option("--types", help="Comma list of kinds to keep (model,organization,…).")
@click.option("--store", help="Persistent store directory (default: the embedded graph).")
def viz(entity: str, output: Path, depth: int, types: str | None, store: str | None) -> None:
    """Write the ego graph of KIND/SLUG (e.g. model/glm-4.5) as a self-contained HTML page."""
    from kg import analytics, lookup

    kind, _, slug = entity.partition("/")
    if not slug:
        raise click.BadParameter("give KIND/SLUG, e.g. model/glm-4.5", param_hint="ENTITY")
    render_html = importlib.import_module("viz").render_html
    try:
        graph = _open(store)
        iri = lookup.resolve(graph.store.inner, kind, slug, version=graph.version)
        G = analytics.ego_graph(graph.store.inner, iri, depth=depth, types=types.split(",") if types else None)
    except KGError as exc:
        _fail(exc)
        return
    output.write_text(render_html(G, title=f"{G.nodes[iri]['label']}: neighbourhood (depth {depth})"), encoding="utf-8")
    click.echo(f"wrote {output} ({G.number_of_nodes()} nodes, {G.number_of_edges()} edges)")


if __name__ == "__main__":
    main()
