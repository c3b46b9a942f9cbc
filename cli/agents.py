"""``kg mcp`` (the MCP server over stdio, for AI assistants) and ``kg dump`` (the dataset as a file)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from cli.common import STORE_OPTION, CLIError, fail, open_graph, writable_output
from kg.errors import KGError

__all__ = ["dump", "mcp"]


@click.command()
@STORE_OPTION
@click.option("--query-timeout", type=float, help="Per-query time limit in seconds [default 30].")
@click.option("--max-rows", type=int, help="Result-row cap [default 100000].")
@click.option("--workers", type=int, help="Query worker processes (the time limit needs at least 1) [default 1].")
@click.option("--query-memory-mb", type=int, help="Working memory per query worker in MiB [default 2048].")
def mcp(
    store: str | None,
    query_timeout: float | None,
    max_rows: int | None,
    workers: int | None,
    query_memory_mb: int | None,
) -> None:
    """Serve the MCP server over stdio (read-only tools: search, get_entity, sparql…).

    An assistant starts this command itself (see the README for its configuration); stdout
    carries the protocol, so nothing else is printed there. Queries run in forked workers under
    the same time, row and memory limits as ``kg serve``; ``KG_*`` variables apply too.
    """
    import anyio

    from api.mcp_server import build_server
    from kg.service import KnowledgeGraph
    from kg.settings import Settings

    flags = {
        "KG_STORE": store,
        "KG_QUERY_TIMEOUT": query_timeout,
        "KG_MAX_ROWS": max_rows,
        "KG_WORKERS": workers if workers is not None else os.environ.get("KG_WORKERS", 1),
        "KG_QUERY_MEMORY_MB": query_memory_mb,
    }
    for key, value in flags.items():
        if value is not None:
            os.environ[key] = str(value)
    settings = Settings.from_env()
    try:
        graph = KnowledgeGraph.open(settings)
    except KGError as exc:
        fail(exc)
        return
    try:
        anyio.run(build_server(lambda: graph, settings.public_base_url()).run_stdio_async)
    finally:
        graph.close()


@click.command()
@STORE_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["nq", "trig", "ttl"]),
    default="nq",
    show_default=True,
    help="N-Quads or TriG (every graph), or Turtle (one graph: needs --graph).",
)
@click.option("--graph", help="IRI of one named graph (default: every graph behind the default graph).")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    callback=writable_output,
    required=True,
    help="File to write ('-' for stdout).",
)
def dump(store: str | None, fmt: str, graph: str | None, output: Path) -> None:
    """Write the dataset (or one named graph) as N-Quads, TriG or Turtle, batch by batch.

    Import snapshots are left out (they are history, not today's data). The file loads back
    with ``kg load`` or any RDF reader; memory stays flat whatever the store's size.
    """
    from kg.engine.dump import dump as write_dump

    service = open_graph(store)
    try:
        if str(output) == "-":
            written = write_dump(service.store.inner, sys.stdout.buffer, fmt, graph)
        else:
            partial = output.with_name(output.name + ".partial")
            with partial.open("wb") as out:
                written = write_dump(service.store.inner, out, fmt, graph)
            partial.replace(output)  # a failed dump never leaves a truncated file under the name
    except KGError as exc:
        output.with_name(output.name + ".partial").unlink(missing_ok=True)
        raise CLIError(exc.detail) from None
    finally:
        service.close()
    click.echo(f"{written:,} bytes written to {output}", err=True)
