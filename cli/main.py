"""The ``kg`` command line: serve, query, load, import, diff, history, validate, viz, analytics, review, mcp, dump.

The CLI is the top tier (``tests/test_layers.py``): it builds settings from flags and ``KG_*``
variables and may import ``kg``, ``api`` and ``viz``; nothing imports it. Every command opens the
graph as the server does (:meth:`kg.service.KnowledgeGraph.open`: default graph, ``--load`` files,
reviews graph) and reads through the same functions the server's routes read with
(:meth:`kg.service.KnowledgeGraph.read`, ``kg.views.pictures``), so both answer alike
(``tests/test_edges_agree.py``).
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

import click

from cli.agents import dump, mcp
from cli.analytics import analytics_group
from cli.common import JSON_OPTION, STORE_OPTION, CLIError, check_port, fail, open_graph, reading_store, run_read
from cli.pictures import viz
from kg import __version__
from kg.errors import KGError
from kg.settings import Settings

__all__ = ["main"]


class _Main(click.Group):
    """The ``kg`` group: no traceback reaches a user.

    A core error (:class:`kg.errors.KGError`) or a file-system error is the user's to fix: one
    line, exit 2. Anything else is a bug of ours: one line, exit 1, and ``KG_DEBUG=1`` shows the
    traceback.
    """

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KGError as exc:
            raise CLIError(exc.detail) from None
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise CLIError(f"{where}{exc.strerror or exc}") from None
        except Exception as exc:
            if os.environ.get("KG_DEBUG"):
                raise
            click.echo(f"error: internal error ({type(exc).__name__}: {exc}); KG_DEBUG=1 shows the traceback", err=True)
            sys.exit(1)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
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
@click.option(
    "--load",
    "load_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="RDF file to bulk-load at start into graph/{stem} (repeatable); prints the load time.",
)
@click.option("--update-endpoint", help="Remote engine: SPARQL Update endpoint, when it differs from --store.")
@click.option(
    "--engine-union-default",
    is_flag=True,
    default=None,
    help="Remote engine: its default graph is the union of its named graphs (oxigraph serve "
    "--union-default-graph); queries then name no dataset, which is faster.",
)
def serve(  # type: ignore[no-untyped-def]
    store,
    host,
    port,
    update_token,
    query_timeout,
    max_rows,
    workers,
    query_memory_mb,
    allow_service,
    load_files,
    update_endpoint,
    engine_union_default,
) -> None:
    """Serve SPARQL, REST and graph pages (default: the embedded graph in memory).

    The graph is opened (and --load files bulk-loaded) before the server starts, so the query
    workers fork from a loaded store and the first request does not wait for a load.
    """
    import uvicorn

    # The app's modules (FastAPI, the routes, the MCP server...) are imported before the graph
    # opens and forks its query workers, so that workers and server share them copy-on-write
    # (frozen out of the collector's sight with the rest: KnowledgeGraph._warm_index); imported
    # after, they were the server's alone and their allocations copied pages the workers shared.
    from api.app import create_app
    from api.http_protocol import ProblemHttpProtocol
    from kg.service import KnowledgeGraph

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
        "KG_LOAD": os.pathsep.join(load_files) if load_files else None,
        "KG_UPDATE_ENDPOINT": update_endpoint,
        "KG_REMOTE_UNION_DEFAULT": "true" if engine_union_default else None,
    }
    for key, value in flags.items():
        if value is not None:
            os.environ[key] = str(value)
    settings = Settings.from_env()
    check_port(settings.host, settings.port)
    try:
        graph = KnowledgeGraph.open(settings)
    except KGError as exc:
        fail(exc)
        return
    for item in graph.loaded:
        rate = item["triples"] / item["seconds"] if item["seconds"] else 0.0
        click.echo(
            f"loaded {item['triples']} triples from {item['path']} in {item['seconds']:.2f} s ({rate:,.0f} triples/s)",
            err=True,
        )
    app = create_app(settings, graph)
    click.echo(f"AI Landscape KG on http://{settings.host}:{settings.port}  (SPARQL: /sparql, docs: /docs)", err=True)
    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again under the handler it
    # found: with the default one the process ended there and `graph.close()` below never ran (the
    # writer process was left to notice, the checkpoints stayed on disk). This handler ends it
    # through the `finally` instead.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        # An unparseable request (e.g. a raw non-ASCII URL) is answered as problem+json too.
        uvicorn.run(app, **uvicorn_options(settings), http=ProblemHttpProtocol)
    finally:
        graph.close()


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


@main.command()
@click.argument("sparql")
@click.option(
    "--store", callback=reading_store, help="Persistent store directory (default: the embedded graph in memory)."
)
@click.option(
    "--format",
    "fmt",
    default=None,
    help="Media type or short name: json, xml, csv, tsv (SELECT/ASK); turtle, nt, jsonld, rdfxml (graphs).",
)
def query(sparql: str, store: str | None, fmt: str | None) -> None:
    """Run one SPARQL query and print the result (``-`` reads it from stdin)."""
    from kg.engine.sparql import GRAPH_MEDIA_TYPES, RESULT_MEDIA_TYPES, QueryRequest

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
        graph = open_graph(store)
        result = graph.query(request)
    except KGError as exc:
        fail(exc)
        return
    sys.stdout.buffer.write(result.body)
    if not result.body.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--store", help="Persistent store directory (default: a throw-away in-memory store, to check files).")
@click.option("--graph", help="Named graph IRI for the files' triples (default: graph/{file stem}).")
@click.option("--replace", is_flag=True, help="Replace the triples of target graphs that already hold data.")
@click.option("--append", is_flag=True, help="Add to target graphs that already hold data.")
def load(files: tuple[Path, ...], store: str | None, graph: str | None, replace: bool, append: bool) -> None:
    """Load RDF files (any syntax) into named graphs: all of them or none.

    A graph that already holds triples (the curated landscape, an import, an earlier load) is
    left alone and the load refused, unless --replace or --append says what to do with it.
    """
    if replace and append:
        raise CLIError("--replace and --append exclude each other: choose one")
    existing = "replace" if replace else "append" if append else "refuse"
    try:
        if store and not store.startswith(("http://", "https://")):
            # On disk: Oxigraph's bulk loader into a copy of the store, swapped in when complete.
            from kg.engine.staging import staged_load

            data_dir = Settings.from_env(store=store, workers=0).data_dir
            counts = staged_load(
                store, list(files), graph, existing=existing, default_graph=True, data_dir=data_dir
            ).graphs
        else:
            from kg.engine.load import load_files

            service = open_graph(store)
            counts = load_files(service.store, list(files), graph=graph, existing=existing)
            service.store.flush()
    except KGError as exc:
        fail(exc)
        return
    for name, n in counts.items():
        click.echo(f"{n:>8} triples  {name}")


@main.command("import")
@click.argument("source", type=click.Choice(["epoch", "mot", "osai", "modelcard"]))
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--store", help="Persistent store directory (default: a throw-away in-memory copy of the embedded graph)."
)
@click.option("--dry-run", is_flag=True, help="Resolve and count; print every match and new entity; write nothing.")
@click.option(
    "--strict", is_flag=True, help="Fail the whole import on the first malformed row (default: skip and report it)."
)
@click.option(
    "--replace",
    is_flag=True,
    help="Write the import even if it drops most entities of the source's current import (default: refuse).",
)
def import_(
    source: str, paths: tuple[Path, ...], store: str | None, dry_run: bool, strict: bool, replace: bool
) -> None:
    """Import a source's files (a PATH is a file or a folder) into its own named graph, atomically.

    An import is the source's whole current content: give all of its files at once. An import
    that would remove most entities of the source's current import is refused unless --replace.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from kg.ingest.run import run_import

    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:

        def track(items, description="", total=None):  # type: ignore[no-untyped-def]
            task = progress.add_task(description, total=total)
            for item in items:
                yield item
                progress.advance(task)

        def on_write(message: str) -> None:
            click.echo(message, err=True)
            sys.stderr.flush()

        try:
            service = open_graph(store)
            outcome = run_import(
                service.store,
                source,
                list(paths),
                strict=strict,
                dry_run=dry_run,
                track=track,
                on_write=on_write,
                replace=replace,
            )
        except KGError as exc:
            for issue in getattr(exc, "issues", [])[:50]:
                click.echo(f"  {issue}", err=True)
            fail(exc)
            return
    report = outcome.report()
    if dry_run:
        for match in outcome.batch.matches:
            click.echo(str(match))
    counts = "  ".join(f"{k}={v}" for k, v in report["counts"].items())
    where = f"snapshot {outcome.version} -> {outcome.graph}" if not dry_run else "dry run: nothing written"
    click.echo(f"{source}: {counts}  triples={outcome.triples}  held_back={outcome.held_back}  ({where})")
    for f in report["files"]:
        click.echo(f"  read {f['name']} ({f['kind']}, {f['rows']} rows, sha256 {f['sha256'][:12]})")
    for issue in outcome.batch.skipped:
        click.echo(f"  skipped [{issue.kind}] {issue}")
    warnings = outcome.batch.warnings
    for issue in warnings[:20]:
        click.echo(f"  warning {issue}")
    if len(warnings) > 20:
        click.echo(f"  … {len(warnings) - 20} more warnings (all are in the import graph as aikg:importIssue)")
    if store is None and not dry_run:
        click.echo("note: no --store given: the import went into a throw-away in-memory store", err=True)


@main.command()
@click.argument("source", type=click.Choice(["epoch", "mot", "osai", "modelcard"]))
@click.option("--from", "from_version", type=int, help="Older import version (default: the one before --to).")
@click.option("--to", "to_version", type=int, help="Newer import version (default: the latest).")
@click.option("--store", required=True, callback=reading_store, help="Persistent store directory holding the imports.")
@click.option("--json", "as_json", is_flag=True, help="Print the diff as JSON.")
def diff(source: str, from_version: int | None, to_version: int | None, store: str, as_json: bool) -> None:
    """Facts added (+), removed (-) and changed (~) between two imports of a source."""
    import json

    from kg.ingest import history

    try:
        result = history.diff(open_graph(store).store.inner, source, from_version, to_version)
    except KGError as exc:
        fail(exc)
        return
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
        return
    before = f"version {result.before.version} ({result.before.time:%Y-%m-%d %H:%M})" if result.before else "nothing"
    after = f"version {result.after.version} ({result.after.time:%Y-%m-%d %H:%M})" if result.after else "nothing"
    click.echo(
        f"{source}: {before} -> {after}: {len(result.added)} added, {len(result.removed)} removed, {len(result.changed)} changed"
    )
    for line in result.lines():
        click.echo(line)


@main.command()
@click.option("--store", required=True, callback=reading_store, help="Persistent store directory holding the imports.")
def history(store: str) -> None:
    """List the kept imports (snapshots) of every source."""
    from kg.engine import dataset

    for snap in dataset.snapshots(open_graph(store).store.inner):
        click.echo(
            f"{snap.source:<10} v{snap.version:<3} {snap.time:%Y-%m-%d %H:%M:%S}Z  {snap.triples:>7} triples  {snap.graph}"
        )


@main.command()
@click.option("--store", callback=reading_store, help="Persistent store directory (default: the embedded graph).")
def validate(store: str | None) -> None:
    """Check the graph against the SHACL shapes; exit 1 on violations."""
    from kg.engine.validate import validate_store

    report = validate_store(open_graph(store).store)
    if report.conforms:
        click.echo("conforms: every shape holds")
        return
    click.echo(report.text)
    click.echo(f"{report.violations} violations", err=True)
    sys.exit(1)


@main.command("coverage")
@JSON_OPTION
@STORE_OPTION
def coverage_command(as_json: bool, store: str | None) -> None:
    """What the graph covers: completeness per field, newest release per organization, gaps."""
    from kg.analysis.coverage import FIELDS, coverage

    def pct(cell):  # type: ignore[no-untyped-def]
        return "-" if cell["share"] is None else f"{cell['share']:.0%} ({cell['have']}/{cell['of']})"

    def show(result):  # type: ignore[no-untyped-def]
        click.echo(f"curated releases through {result['curated_through'] or 'unknown'}")
        for p in result["periods"]:
            declared = f"{p['start'] or '?'} to {p['end'] or '?'}" if p["start"] or p["end"] else "not declared"
            click.echo(f"  {p['graph']}: period {declared}; {p['models']} models; data through {p['curated_through']}")
        o = result["overall"]
        click.echo(f"\n{o['models']} models, {o['open_weight_models']} open-weight")
        click.echo(f"{'field':<20}{'all models':>18}{'open-weight':>18}")
        for field in FIELDS:
            click.echo(f"{field:<20}{pct(o['all'][field]):>18}{pct(o['open_weight'][field]):>18}")
        click.echo("\nper release year (all models):")
        click.echo(f"{'year':<10}{'models':>7}" + "".join(f"{f[:14]:>16}" for f in FIELDS))
        for year, y in result["by_year"].items():
            click.echo(f"{year:<10}{y['models']:>7}" + "".join(f"{pct(y['all'][f]):>16}" for f in FIELDS))
        click.echo("\nnewest release per organization:")
        for n in result["newest_by_organization"]:
            tag = "" if n["open_weight"] is None else (" (open-weight)" if n["open_weight"] else " (closed)")
            click.echo(f"  {n['name']:<32} {n['date'] or 'no dated model':<14} {n['model_name'] or ''}{tag}")
        click.echo(f"\nmodels without a release date ({len(result['undated'])}):")
        for u in result["undated"]:
            click.echo(f"  {u['name']}  [{', '.join(u['organizations'])}]  {u['model']}")

    # what counts as curated: the releases of the data files the graph was loaded from (KG_DATA_DIR)
    data_dir = Settings.from_env(store=store, workers=0).data_dir
    run_read(coverage, as_json=as_json, show=show, store=store, data_dir=data_dir)


@main.command()
@click.argument("claim", required=False)
@click.option(
    "--store",
    callback=reading_store,
    help="Persistent store directory (default: the embedded graph); its reviews graph is updated.",
)
@click.option(
    "--rating", type=click.Choice(["supported", "misleading", "contradicted", "unverifiable"]), help="Keep one rating."
)
@click.option(
    "--kind",
    type=click.Choice(["first", "ranking", "openness", "quantity", "trend", "opinion", "none"]),
    help="Keep one claim kind.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the review of CLAIM, or the list).")
@click.option("--licenses", is_flag=True, help="Instead of claims, list license inconsistencies along every lineage.")
def review(
    claim: str | None, store: str | None, rating: str | None, kind: str | None, as_json: bool, licenses: bool
) -> None:
    """Review CLAIM (slug, name or IRI) against the graph, or list every claim's rating."""
    import json

    from kg.analysis.licenses import all_license_findings
    from kg.analysis.review import keeper_for
    from kg.find.resolve import resolve

    try:
        graph = open_graph(store)
        if licenses:
            findings = [f.to_dict() for f in all_license_findings(graph.store.inner)]
            if as_json:
                click.echo(json.dumps(findings, indent=2, ensure_ascii=False))
            for f in [] if as_json else findings:
                click.echo(f"{f['kind']:<21} {f['modelName']} <- {f['baseName']}: {f['detail']}")
            return
        keeper = keeper_for(graph.store)
        graph.store.flush()
        if claim:
            result = keeper.get(resolve(graph.store.inner, "claim", claim, version=graph.version)).to_dict()
            if as_json:
                click.echo(json.dumps(result, indent=2, ensure_ascii=False))
                return
            click.echo(
                f"{result['claim']['label'] or result['claim']['slug']}\n  rating: {result['rating']['name']}\n  reason: {result['reason']}"
            )
            for item in result["interest"]["findings"]:
                click.echo(f"  interest ({item['kind']}): {item['statement']}")
            for item in result["evidence"]:
                click.echo(f"  [{item['bearing']}] {item['statement']}  sources: {', '.join(item['sources']) or '-'}")
            click.echo(f"  rule: kg/queries/{result['rule']['name']}.rq with ?claim = <{result['claim']['iri']}>")
            return
        reviews = keeper.list(rating=rating, kind=kind)
    except KGError as exc:
        fail(exc)
        return
    if as_json:
        click.echo(json.dumps([r.summary() for r in reviews], indent=2, ensure_ascii=False))
        return
    for r in reviews:
        stake = " [stake: " + ", ".join(sorted({i.kind for i in r.interests})) + "]" if r.interests else ""
        click.echo(f"{r.rating:<13} {r.kind or 'none':<9} {r.info['slug']}{stake}")
    click.echo(f"{len(reviews)} reviews", err=True)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Return how uvicorn serves the app: address, and which proxies' headers it believes.

    Parameters
    ----------
    settings : Settings
        ``host``, ``port`` and ``trusted_proxies``.

    Returns
    -------
    dict
        Keyword arguments of :func:`uvicorn.run`. ``X-Forwarded-*`` headers are honoured only
        from :attr:`Settings.trusted_proxies` (uvicorn's own default trusts 127.0.0.1, so any
        local client could claim to be another scheme or client address).
    """
    trusted = list(settings.trusted_proxies)
    return {
        "host": settings.host,
        "port": settings.port,
        "log_level": "warning",
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or [],
    }


main.add_command(viz)
main.add_command(analytics_group)
main.add_command(mcp)
main.add_command(dump)


if __name__ == "__main__":
    main()
