"""networkx graph -> one self-contained HTML page (vis-network inlined, no request to any host)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import networkx as nx
import pyvis
from pyvis.network import Network

__all__ = ["KIND_STYLE", "node_id", "render_html"]

KIND_STYLE: dict[str, dict[str, str]] = {
    "model": {"color": "#4c78a8", "shape": "dot", "legend": "AI model"},
    "organization": {"color": "#f58518", "shape": "box", "legend": "organization"},
    "person": {"color": "#e45756", "shape": "ellipse", "legend": "person"},
    "claim": {"color": "#b279a2", "shape": "diamond", "legend": "claim"},
    "article": {"color": "#9d755d", "shape": "box", "legend": "article / source"},
    "license": {"color": "#54a24b", "shape": "triangle", "legend": "license"},
    "family": {"color": "#72b7b2", "shape": "hexagon", "legend": "model family"},
    "country": {"color": "#eeca3b", "shape": "star", "legend": "country"},
    "concept": {"color": "#bab0ac", "shape": "ellipse", "legend": "concept (architecture, modality…)"},
    "literal": {"color": "#dddddd", "shape": "box", "legend": "value"},
    "other": {"color": "#888888", "shape": "dot", "legend": "other"},
}
"""Entity kind -> vis-network colour, shape and legend text: the one style table."""

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
    autoescape=jinja2.select_autoescape(["html"]),
)


@lru_cache(maxsize=1)
def _vis_assets() -> tuple[str, str]:
    lib = resources.files(pyvis).joinpath("lib/vis-9.1.2")
    return lib.joinpath("vis-network.min.js").read_text("utf-8"), lib.joinpath("vis-network.css").read_text("utf-8")


def node_id(term: Any) -> str:
    """Return a vis-network node id that never collides across IRIs, blank nodes and literals.

    Parameters
    ----------
    term : str or pyoxigraph/rdflib term
        An IRI string, or a term whose ``str()`` is its N-Triples form.

    Returns
    -------
    str
        IRIs as ``<iri>``, blank nodes as ``_:label``, literals in N-Triples form with datatype
        and language, so ``"ACME"@en``, ``"ACME"@de`` and ``"ACME"`` are three nodes
        (RDF 1.1 Concepts §3.3).

    Examples
    --------
    >>> node_id("https://w3id.org/aikg/id/model/glm-4.5")
    '<https://w3id.org/aikg/id/model/glm-4.5>'
    """
    text = str(term)
    if isinstance(term, str) and type(term) is str and text.startswith(("http://", "https://", "urn:")):
        return f"<{text}>"
    if hasattr(term, "n3"):
        return term.n3()
    return text


def _script_json(value: Any) -> str:
    # JSON inside <script>: escape what could end the element or start markup.
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_html(
    G: nx.MultiDiGraph,
    *,
    title: str,
    notice: str | None = None,
    hierarchical: bool = False,
    height_px: int = 720,
    query: str | None = None,
) -> str:
    """Return a self-contained HTML page drawing `G`.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Nodes keyed by IRI (or any id) with attributes ``label``, ``kind`` (a key of
        :data:`KIND_STYLE`), optional ``title`` (tooltip text) and ``value`` (size); edges keyed
        by predicate with attribute ``label``. n nodes, m edges; keep n under a few thousand.
    title : str
        Page heading (escaped).
    notice : str, optional
        A line shown above the graph, e.g. what a node cap left out and how to narrow.
    hierarchical : bool, optional
        Lay out top-down (for lineage); otherwise force-directed with bounded stabilisation.
    height_px : int, optional
        Canvas height in CSS pixels.
    query : str, optional
        SPARQL text shown under the graph (escaped).

    Returns
    -------
    str
        One HTML document: vis-network's script and style are inlined, every label is escaped
        (HTML by the template, ``<``/``>``/``&`` as JSON escapes inside the script), and the page
        makes no request to any other host.
    """
    net = Network(height=f"{height_px}px", width="100%", directed=True, cdn_resources="in_line")
    used_kinds: list[str] = []
    for node, data in G.nodes(data=True):
        kind = data.get("kind", "other")
        style = KIND_STYLE.get(kind, KIND_STYLE["other"])
        if kind not in used_kinds:
            used_kinds.append(kind)
        options: dict[str, Any] = {
            "color": data.get("color", style["color"]),
            "shape": data.get("shape", style["shape"]),
        }
        if data.get("value") is not None:
            options["value"] = data["value"]
        if data.get("borderColor"):
            options["color"] = {"background": options["color"], "border": data["borderColor"]}
            options["borderWidth"] = 3
        net.add_node(
            node_id(node),
            label=str(data.get("label", node)),
            title=str(data.get("title") or data.get("label", node)),
            **options,
        )
    edge_labels: list[str] = []
    for s, o, _key, data in G.edges(keys=True, data=True):
        label = str(data.get("label", ""))
        options = {"color": data["color"]} if data.get("color") else {}
        if data.get("dashes"):
            options["dashes"] = True
        net.add_edge(node_id(s), node_id(o), label=label, title=str(data.get("title") or label), arrows="to", **options)
        if label and label not in edge_labels:
            edge_labels.append(label)
    nodes, edges, _heading, _height, _width, _options = net.get_network_data()
    vis_options: dict[str, Any] = {
        "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False},
        "edges": {"font": {"size": 10, "align": "middle"}, "smooth": {"type": "dynamic"}},
        "nodes": {"font": {"size": 13}, "scaling": {"min": 8, "max": 40}},
    }
    if hierarchical:
        vis_options["layout"] = {
            "hierarchical": {
                "enabled": True,
                "direction": "DU",
                "sortMethod": "directed",
                "levelSeparation": 120,
                "nodeSpacing": 160,
            }
        }
        vis_options["physics"] = {"enabled": False}
    else:
        vis_options["physics"] = {
            "solver": "forceAtlas2Based",
            "stabilization": {"enabled": True, "iterations": 300, "updateInterval": 50, "fit": True},
            "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 120},
        }
    vis_js, vis_css = _vis_assets()
    legend = [{"kind": k, **KIND_STYLE.get(k, KIND_STYLE["other"])} for k in used_kinds]
    return _TEMPLATES.get_template("graph.html").render(
        title=title,
        notice=notice,
        legend=legend,
        edge_labels=edge_labels,
        node_count=len(nodes),
        edge_count=len(edges),
        query=query,
        height_px=height_px,
        vis_js=vis_js.replace("</script", "<\\/script"),
        vis_css=vis_css,
        nodes_json=_script_json(nodes),
        edges_json=_script_json(edges),
        options_json=_script_json(vis_options),
    )
