"""``kg analytics``: network measures and chart numbers over the graph's projections."""

from __future__ import annotations

import click

from cli.common import JSON_OPTION, STORE_OPTION, run_read

__all__ = ["analytics_group"]


@click.group("analytics")
def analytics_group() -> None:
    """Measure the graph: centrality, lineage chains, paths, communities, chart numbers.

    Every result names the projection it was computed on; ``--json`` prints the full result.
    """


_PROJECTION = click.option(
    "--projection",
    type=click.Choice(["organization-model", "lineage", "claims", "entities"]),
    default="organization-model",
    show_default=True,
    help="The projection to measure.",
)


@analytics_group.command("centrality")
@_PROJECTION
@click.option(
    "--measure", type=click.Choice(["degree", "pagerank", "betweenness"]), default="pagerank", show_default=True
)
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--kind", help="Rank only this kind (model, organization, …).")
@JSON_OPTION
@STORE_OPTION
def analytics_centrality(projection, measure, limit, kind, as_json, store) -> None:  # type: ignore[no-untyped-def]
    """Rank entities by degree, PageRank or betweenness centrality."""
    from kg.analysis import analytics

    def show(result):  # type: ignore[no-untyped-def]
        for row in result["results"]:
            click.echo(f"{row['rank']:>4}  {row['score']:.6f}  {row['label']}  ({row['kind']}, degree {row['degree']})")

    run_read(analytics.centrality, projection, measure, limit=limit, kind=kind, as_json=as_json, show=show, store=store)


@analytics_group.command("chains")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@JSON_OPTION
@STORE_OPTION
def analytics_chains(limit, as_json, store) -> None:  # type: ignore[no-untyped-def]
    """The longest lineage chains, model -> base -> … -> root."""
    from kg.analysis import analytics

    def show(result):  # type: ignore[no-untyped-def]
        for chain in result["chains"]:
            parts = [chain["models"][0]["label"]]
            for step in chain["steps"]:
                distilled = any(p.endswith("#distilledFrom") for p in step["properties"])
                how = ", ".join(step["derivation"]) or ("distilled from" if distilled else "based on")
                parts.append(f"-[{how}]-> {step['to']['label']}")
            click.echo(f"{chain['length']:>3}  " + " ".join(parts))

    run_read(analytics.lineage_chains, limit=limit, as_json=as_json, show=show, store=store)


@analytics_group.command("path")
@click.argument("source")
@click.argument("target")
@click.option(
    "--projection",
    type=click.Choice(["entities", "organization-model", "lineage", "claims"]),
    default="entities",
    show_default=True,
)
@JSON_OPTION
@STORE_OPTION
def analytics_path(source, target, projection, as_json, store) -> None:  # type: ignore[no-untyped-def]
    """A shortest path between two entities (KIND/SLUG or IRI), with the properties on the way."""
    from kg.analysis import analytics

    def build(inner, a, b):  # type: ignore[no-untyped-def]
        # The reads the server's /api/analytics/path makes, in one in-process read (no workers here).
        return analytics.shortest_path(
            inner, analytics.resolve_ref(inner, a, "SOURCE"), analytics.resolve_ref(inner, b, "TARGET"), projection
        )

    def show(result):  # type: ignore[no-untyped-def]
        if result["length"] is None:
            click.echo(f"no path from {result['source']['label']} to {result['target']['label']}")
            return
        click.echo(f"{result['length']} steps")
        for step in result["steps"]:
            props = ", ".join(
                p["label"] if p["direction"] == "forward" else f"^{p['label']}" for p in step["properties"]
            )
            click.echo(f"  {step['from']['label']} -[{props}]-> {step['to']['label']}")

    run_read(build, source, target, as_json=as_json, show=show, store=store)


@analytics_group.command("communities")
@_PROJECTION
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--resolution", type=click.FloatRange(0, 10, min_open=True), default=1.0, show_default=True)
@JSON_OPTION
@STORE_OPTION
def analytics_communities(projection, seed, resolution, as_json, store) -> None:  # type: ignore[no-untyped-def]
    """Communities of a projection (Louvain, seeded)."""
    from kg.analysis import analytics

    def show(result):  # type: ignore[no-untyped-def]
        click.echo(f"modularity {result['modularity']:.4f} (louvain, seed {result['seed']})")
        for i, c in enumerate(result["communities"], 1):
            names = ", ".join(m["label"] for m in c["members"][:12]) + (" …" if c["size"] > 12 else "")
            click.echo(f"{i:>3}  ({c['size']})  {names}")

    run_read(
        analytics.communities, projection, seed=seed, resolution=resolution, as_json=as_json, show=show, store=store
    )


@analytics_group.command("chart")
@click.argument("name", type=click.Choice(["releases-by-country", "moe-share", "license-mix"]))
@click.option("--since", type=click.IntRange(1950, 2100), default=2023, show_default=True)
@JSON_OPTION
@STORE_OPTION
def analytics_chart(name, since, as_json, store) -> None:  # type: ignore[no-untyped-def]
    """The numbers behind one chart, as the SPARQL query gives them, and what it leaves out."""
    from kg.analysis.chart_gaps import chart_with_gaps

    def show(result):  # type: ignore[no-untyped-def]
        rows = result["rows"]
        columns = list(rows[0]) if rows else []
        click.echo("\t".join(columns))
        for row in rows:
            click.echo("\t".join(str(row.get(c, "")) for c in columns))
        gaps = result["gaps"]
        left = ", ".join(f"{g['models']} with {g['reason']}" for g in gaps["left_out"]) or "none"
        click.echo(f"# counts {gaps['counted']} of {gaps['models']} models; left out: {left}")
        if gaps["incomplete_quarters"]:
            through = gaps["curated_through"]
            click.echo(f"# incomplete (curated releases through {through}): {', '.join(gaps['incomplete_quarters'])}")

    run_read(chart_with_gaps, name, since=since, as_json=as_json, show=show, store=store)
