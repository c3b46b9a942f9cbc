"""``kg viz``: the graph pictures and the charts page, as self-contained HTML files."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cli.common import STORE_OPTION, fail, open_graph, writable_output
from kg.errors import KGError

__all__ = ["viz"]


class _VizGroup(click.Group):
    """``kg viz KIND/SLUG -o f.html`` (the first form) still draws an ego graph."""

    def resolve_command(self, ctx: click.Context, args: list[str]):  # type: ignore[no-untyped-def]
        if args and args[0] not in self.commands and "/" in args[0]:
            args = ["ego", *args]
        return super().resolve_command(ctx, args)


_OUTPUT = click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    callback=writable_output,
    help="HTML file to write.",
)
_MAX_NODES = click.option(
    "--max-nodes", type=click.IntRange(10, 5000), help="Node cap; what is cut is listed on the page."
)


def _write_page(output: Path, build, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
    """Build a graph with ``graph.read(build, *args, **kwargs)``, render it and write `output`.

    `build` is the function the server's ``/graphs/...`` route reads with (``kg.views.pictures``
    or ``kg.analysis.analytics``), so the page shows the nodes and edges the server's page shows.
    """
    from viz import render_html

    max_nodes = kwargs.pop("render_max_nodes", None)
    extra = {"max_nodes": max_nodes} if max_nodes else {}
    query = kwargs.pop("shown_query", None)
    try:
        graph = open_graph(kwargs.pop("store", None))
        G = graph.read(build, *args, **kwargs)
    except KGError as exc:
        fail(exc)
        return
    output.write_text(render_html(G, query=query, **extra), encoding="utf-8")
    click.echo(f"wrote {output} ({G.number_of_nodes()} nodes, {G.number_of_edges()} edges)")


@click.group(cls=_VizGroup)
def viz() -> None:
    """Write graph pictures as self-contained HTML pages (they work offline).

    \b
    kg viz ego model/glm-4.5 -o glm.html --depth 2 --types model,organization
    kg viz lineage deepseek-r1 -o r1.html
    kg viz landscape -o landscape.html --year 2025 --openness osi,open-weights
    kg viz claims -o claims.html --about model/glm-4.5
    kg viz query "CONSTRUCT { ?m schema:creator ?o } WHERE { ?m schema:creator ?o }" -o q.html
    kg viz charts -o charts.html
    """


@viz.command("ego")
@click.argument("entity")
@_OUTPUT
@click.option("--depth", type=click.IntRange(1, 3), default=1, show_default=True, help="Hops from the entity.")
@click.option("--types", help="Comma list of kinds to keep (model,organization,…).")
@_MAX_NODES
@STORE_OPTION
def viz_ego(entity: str, output: Path, depth: int, types: str | None, max_nodes: int | None, store: str | None) -> None:
    """The neighbourhood of KIND/SLUG (e.g. model/glm-4.5)."""
    from kg.views import pictures

    if "/" not in entity and not entity.startswith(("http://", "https://")):
        raise click.BadParameter("give KIND/SLUG, e.g. model/glm-4.5", param_hint="ENTITY")
    _write_page(
        output,
        pictures.ego_picture,
        entity,
        "ENTITY",
        depth=depth,
        types=types.split(",") if types else None,
        store=store,
        render_max_nodes=max_nodes,
        **({"max_nodes": max_nodes} if max_nodes else {}),
    )


@viz.command("lineage")
@click.argument("model")
@_OUTPUT
@_MAX_NODES
@STORE_OPTION
def viz_lineage(model: str, output: Path, max_nodes: int | None, store: str | None) -> None:
    """Ancestors and descendants of a model (slug, name or IRI), as a hierarchy."""
    from kg.views import pictures

    ref = model if model.startswith(("http://", "https://")) else f"model/{model}"
    cap = {"max_nodes": max_nodes} if max_nodes else {}
    _write_page(output, pictures.lineage_picture, ref, "MODEL", store=store, render_max_nodes=max_nodes, **cap)


@viz.command("landscape")
@_OUTPUT
@click.option("--year", type=click.IntRange(1900, 2100), help="Keep models published in this year.")
@click.option("--modality", help="Keep models of this modality (text, code, image, video, audio, speech…).")
@click.option("--openness", help="Comma list of license-openness categories (osi, open-weights, closed, unknown).")
@_MAX_NODES
@STORE_OPTION
def viz_landscape(  # type: ignore[no-untyped-def]
    output: Path, year, modality, openness, max_nodes, store
) -> None:
    """Organizations and their models: coloured by country, sized by parameters, MoE as stars."""
    from kg.analysis import analytics

    cap = {"max_nodes": max_nodes} if max_nodes else {}
    _write_page(
        output,
        analytics.landscape_graph,
        year=year,
        modality=modality,
        openness=openness.split(",") if openness else None,
        store=store,
        render_max_nodes=max_nodes,
        **cap,
    )


@viz.command("claims")
@_OUTPUT
@click.option("--about", help="Only claims about this entity (KIND/SLUG or IRI).")
@_MAX_NODES
@STORE_OPTION
def viz_claims(output: Path, about: str | None, max_nodes: int | None, store: str | None) -> None:
    """Who claims what about whom; self-claims and conflicts of interest marked."""
    from kg.views import pictures

    cap = {"max_nodes": max_nodes} if max_nodes else {}
    _write_page(output, pictures.claims_picture, about, "--about", store=store, render_max_nodes=max_nodes, **cap)


@viz.command("query")
@click.argument("sparql")
@_OUTPUT
@_MAX_NODES
@STORE_OPTION
def viz_query(sparql: str, output: Path, max_nodes: int | None, store: str | None) -> None:
    """The result of a CONSTRUCT query (``-`` reads it from stdin)."""
    from kg.analysis import analytics

    text = sys.stdin.read() if sparql == "-" else sparql
    _write_page(output, analytics.construct_graph, text, store=store, render_max_nodes=max_nodes, shown_query=text)


@viz.command("charts")
@_OUTPUT
@click.option("--since", type=click.IntRange(1950, 2100), default=2023, show_default=True, help="First year counted.")
@STORE_OPTION
def viz_charts(output: Path, since: int, store: str | None) -> None:
    """The charts page: releases per quarter by country, MoE share, license openness mix."""
    from kg.analysis import analytics
    from kg.analysis.chart_gaps import chart_with_gaps
    from viz.charts import render_charts

    try:
        graph = open_graph(store)
        charts = [
            graph.read(chart_with_gaps, name, since=since, data_dir=graph.settings.data_dir)
            for name in analytics.CHARTS
        ]
    except KGError as exc:
        fail(exc)
        return
    output.write_text(render_charts(charts, since=since, openness=analytics.OPENNESS), encoding="utf-8")
    click.echo(f"wrote {output} ({len(charts)} charts)")
