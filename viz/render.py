"""networkx graph -> one self-contained HTML page (vis-network inlined, no request to any host).

The graphs come from :mod:`kg.analysis.analytics` and carry meaning only (``kind``, ``variant``,
``country``, ``flags``); every colour and shape is decided here, from the style tables below.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, deque
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import networkx as nx

__all__ = [
    "COUNTRY_COLOR",
    "DEFAULT_MAX_NODES",
    "FLAG_STYLE",
    "KIND_STYLE",
    "cap_graph",
    "graph_json",
    "node_id",
    "render_html",
]

KIND_STYLE: dict[str, dict[str, Any]] = {
    "model": {
        "color": "#4c78a8",
        "shape": "dot",
        "legend": "AI model",
        "variants": {
            "dense": {"shape": "dot", "legend": "AI model, dense"},
            "moe": {"shape": "star", "legend": "AI model, Mixture-of-Experts"},
            "other": {"shape": "triangle", "legend": "AI model, other architecture (diffusion, hybrid…)"},
            "unknown": {"shape": "square", "legend": "AI model, architecture unknown"},
        },
    },
    "organization": {"color": "#f58518", "shape": "box", "legend": "organization"},
    "person": {"color": "#e45756", "shape": "ellipse", "legend": "person"},
    "claim": {"color": "#b279a2", "shape": "diamond", "legend": "claim"},
    "article": {"color": "#9d755d", "shape": "box", "legend": "article / source"},
    "license": {"color": "#54a24b", "shape": "triangle", "legend": "license"},
    "family": {"color": "#72b7b2", "shape": "hexagon", "legend": "model family"},
    "benchmark-result": {"color": "#d37295", "shape": "triangleDown", "legend": "benchmark result"},
    "country": {"color": "#eeca3b", "shape": "square", "legend": "country"},
    "concept": {"color": "#bab0ac", "shape": "ellipse", "legend": "concept (architecture, modality…)"},
    "literal": {"color": "#dddddd", "shape": "box", "legend": "value (literal)"},
    "other": {"color": "#888888", "shape": "dot", "legend": "other"},
}
"""Entity kind -> vis-network colour, shape and legend text (variants override the shape): the
one table every view draws from."""

COUNTRY_COLOR: dict[str, tuple[str, str]] = {
    "CN": ("#d62728", "China"),
    "US": ("#1f77b4", "United States"),
    "FR": ("#9467bd", "France"),
    "GB": ("#17becf", "United Kingdom"),
    "DE": ("#8c564b", "Germany"),
    "CA": ("#bcbd22", "Canada"),
    "AE": ("#2ca02c", "United Arab Emirates"),
    "KR": ("#e377c2", "South Korea"),
    "JP": ("#ff9896", "Japan"),
    "IL": ("#98df8a", "Israel"),
    "": ("#7f7f7f", "other or unknown country"),
}
"""ISO 3166 code -> (colour, legend) for views coloured by country (the landscape)."""

FLAG_STYLE: dict[str, dict[str, str]] = {
    "focus": {"border": "#111111", "legend": "the entity in focus (thick border)"},
    "self-claim": {"border": "#ff7f0e", "edge": "#ff7f0e", "legend": "self-claim: the claimant made the subject"},
    "conflict of interest": {
        "border": "#d62728",
        "edge": "#d62728",
        "legend": "conflict of interest: the source's publisher is owned by a party to the claim",
    },
    "license inconsistency": {
        "edge": "#b30000",
        "legend": "license inconsistency: the derived model's license breaks the terms of its base (kg.analysis.licenses)",
    },
}
"""Flag -> node border / edge colour and legend: marks drawn over the kind's style."""

DEFAULT_MAX_NODES = 1000
"""Node cap of a page: beyond it the best-connected nodes are kept and a notice says what was cut."""

DEFAULT_MAX_EDGES = 5000
"""Edge cap of a page: a CONSTRUCT can relate few nodes by very many triples (an 18 MB page
under the node cap alone); beyond it the first edges are kept and a notice says how many were cut."""

MAX_LABEL_CHARS = 120
MAX_TITLE_CHARS = 2000
"""Longest node/edge caption and tooltip drawn; longer text is cut with a note of its length."""

_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

_LARGE = 300  # above this many nodes: cheaper physics, straight edges, no edge captions on the canvas

SITE_NAV: tuple[tuple[str, str], ...] = (
    ("/", "Home"),
    ("/models", "Models"),
    ("/compare", "Compare"),
    ("/graphs", "Graphs"),
    ("/charts", "Charts"),
    ("/sparql", "SPARQL"),
    ("/docs", "API"),
)
"""The site's navigation, (path, label) in order: every page's header, the graph and chart pages' too."""

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
    autoescape=jinja2.select_autoescape(["html"]),
)
_TEMPLATES.globals["SITE_NAV"] = SITE_NAV


@lru_cache(maxsize=1)
def _vis_assets() -> tuple[str, str]:
    import pyvis  # imported where used: with IPython and traitlets, 9 MB of every server that draws nothing

    lib = resources.files(pyvis).joinpath("lib/vis-9.1.2")
    return lib.joinpath("vis-network.min.js").read_text("utf-8"), lib.joinpath("vis-network.css").read_text("utf-8")


VIS_ASSETS = {"vis-network-9.1.2.min.js": "text/javascript", "vis-network-9.1.2.css": "text/css"}
"""File names of the graph library a page may link instead of inlining it (:func:`render_html`'s
`assets_url`), with their media types; the version is in the name, so a cache may keep them forever."""


def vis_asset(name: str) -> str:
    """Return the text of one file of the graph library (vis-network, as pyvis ships it).

    Parameters
    ----------
    name : str
        A key of :data:`VIS_ASSETS`.

    Returns
    -------
    str
        The file's text: the same bytes a self-contained page inlines.

    Raises
    ------
    KeyError
        If `name` is not a key of :data:`VIS_ASSETS`.
    """
    js, css = _vis_assets()
    return {"vis-network-9.1.2.min.js": js, "vis-network-9.1.2.css": css}[name]


def node_id(term: Any) -> str:
    """Return a vis-network node id that never collides across IRIs, blank nodes and literals.

    Parameters
    ----------
    term : str or pyoxigraph/rdflib term
        A node key of a :mod:`kg.analysis.analytics` graph (an IRI string, or the N-Triples form of a
        literal or blank node), or an rdflib/pyoxigraph term.

    Returns
    -------
    str
        The N-Triples form: IRIs as ``<iri>``, blank nodes as ``_:label``, literals with their
        datatype or language, so ``"ACME"@en``, ``"ACME"@de``, ``"ACME"`` and ``<ACME>`` are
        four ids (RDF 1.1 Concepts §3.3; known-traps case 28).

    Examples
    --------
    >>> node_id("https://w3id.org/aikg/id/model/glm-4.5")
    '<https://w3id.org/aikg/id/model/glm-4.5>'
    >>> node_id('"ACME"@en')
    '"ACME"@en'
    """
    if hasattr(term, "n3"):  # rdflib terms (str subclasses): their own N-Triples form
        return str(term.n3())
    if not isinstance(term, str):  # pyoxigraph terms print as N-Triples
        return str(term)
    if term.startswith(('"', "_:", "<")):
        return term
    return f"<{term}>"


def _script_json(value: Any) -> str:
    # JSON inside <script>: escape what could end the element or start markup.
    return (
        json.dumps(value, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def display_text(text: str, limit: int) -> str:
    """Return text as a picture shows it: cut to `limit` characters, bidi controls isolated.

    Parameters
    ----------
    text : str
        A label or tooltip from the graph (any length, any script).
    limit : int
        Most characters kept before the cut note.

    Returns
    -------
    str
        `text`, or its first `limit` characters with ``… (N characters in all)``; wrapped in
        FIRST STRONG ISOLATE / POP DIRECTIONAL ISOLATE (Unicode UAX #9) when it holds
        directional controls (each line on its own), so a right-to-left override cannot
        reorder the text around it.
    """
    if len(text) > limit:
        text = f"{text[:limit]}… ({len(text):,} characters in all)"
    if _BIDI_CONTROLS.intersection(text):  # per line: a tooltip's lines are separate facts
        text = "\n".join(f"\u2068{line}\u2069" for line in text.split("\n"))
    return text


def cap_edges(G: nx.MultiDiGraph, max_edges: int) -> tuple[nx.MultiDiGraph, int]:
    """Keep the first `max_edges` edges of `G` (in its insertion order) and every node.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        m edges.
    max_edges : int
        Cap, >= 0.

    Returns
    -------
    (networkx.MultiDiGraph, int)
        The graph with at most `max_edges` edges (a copy when cut), and the number cut.
    """
    if G.number_of_edges() <= max_edges:
        return G, 0
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    H.add_nodes_from(G.nodes(data=True))
    for index, (s, o, key, data) in enumerate(G.edges(keys=True, data=True)):
        if index >= max_edges:
            break
        H.add_edge(s, o, key=key, **data)
    return H, G.number_of_edges() - max_edges


def cap_graph(G: nx.MultiDiGraph, max_nodes: int) -> tuple[nx.MultiDiGraph, int, int]:
    """Keep at most `max_nodes` nodes of `G`: nearest the centre first, else best connected.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        n nodes, m edges; ``G.graph["center"]`` (optional) is the node to keep around.
    max_nodes : int
        Cap, >= 1.

    Returns
    -------
    (networkx.MultiDiGraph, int, int)
        The kept subgraph (a copy, graph attributes kept), and the numbers of nodes and edges
        left out.

    Examples
    --------
    >>> H, cut_nodes, cut_edges = cap_graph(nx.MultiDiGraph(nx.path_graph(5)), 3)
    >>> sorted(H), cut_nodes, cut_edges
    ([1, 2, 3], 2, 4)
    """
    if G.number_of_nodes() <= max_nodes:
        return G, 0, 0
    degree = dict(G.degree())
    center = G.graph.get("center")
    order: list[Any] = []
    if center in G:
        seen = {center}
        queue = deque([center])
        U = G.to_undirected(as_view=True)
        while queue and len(order) < max_nodes:
            node = queue.popleft()
            order.append(node)
            for nb in sorted(U.neighbors(node), key=lambda n: (-degree[n], str(n))):
                if nb not in seen:
                    seen.add(nb)
                    queue.append(nb)
    if len(order) < max_nodes:
        chosen = set(order)
        rest = sorted((n for n in G if n not in chosen), key=lambda n: (-degree[n], str(n)))
        order += rest[: max_nodes - len(order)]
    H = G.subgraph(order).copy()
    H.graph.update(G.graph)
    return H, G.number_of_nodes() - H.number_of_nodes(), G.number_of_edges() - H.number_of_edges()


def _node_style(data: dict[str, Any], color_by: str) -> tuple[dict[str, Any], tuple[str, ...]]:
    kind = data.get("kind") if data.get("kind") in KIND_STYLE else "other"
    style = KIND_STYLE[kind]
    variant = style.get("variants", {}).get(data.get("variant") or "")
    shape = (variant or style)["shape"]
    if color_by == "country":
        code = data.get("country") or ""
        color = COUNTRY_COLOR.get(code, COUNTRY_COLOR[""])[0]
    else:
        color = style["color"]
    options: dict[str, Any] = {"shape": shape, "color": color}
    flags = [f for f in data.get("flags") or [] if f in FLAG_STYLE]
    if flags:
        border = FLAG_STYLE[flags[-1]]["border"]  # the most serious flag is listed last
        options["color"] = {"background": color, "border": border, "highlight": {"background": color, "border": border}}
        options["borderWidth"] = 4
        options["borderWidthSelected"] = 5
    legend_key = (kind, data.get("variant") if variant else "")
    return options, legend_key


def render_html(
    G: nx.MultiDiGraph,
    *,
    title: str | None = None,
    notice: str | None = None,
    hierarchical: bool | None = None,
    height_px: int = 720,
    query: str | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
    color_by: str | None = None,
    max_edges: int = DEFAULT_MAX_EDGES,
    embed: bool = False,
    shareable: bool = True,
    assets_url: str | None = None,
) -> str:
    """Return a self-contained HTML page drawing `G`.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A graph from :mod:`kg.analysis.analytics` (or any multigraph with the same attributes): nodes
        with ``label``, ``kind`` (a key of :data:`KIND_STYLE`), optional ``variant``,
        ``country`` (ISO 3166 code), ``flags`` (keys of :data:`FLAG_STYLE`), ``title``
        (tooltip text, shown as text), ``value`` (size) and ``level`` (hierarchy); edges keyed
        by predicate with ``label``, optional ``title`` and ``flags``. ``G.graph`` may hold
        ``title``, ``hierarchical``, ``color_by``, ``center``, ``truncated`` (what the builder
        left out), ``max_nodes`` and ``narrow_hint``.
    title : str, optional
        Page heading; default ``G.graph["title"]``.
    notice : str, optional
        An extra line shown above the graph.
    hierarchical : bool, optional
        Lay out top-down by ``level`` (lineage); default ``G.graph["hierarchical"]``. Otherwise
        force-directed, with stabilisation bounded (at most 300 iterations, then physics off).
    height_px : int, optional
        Canvas height in CSS pixels.
    query : str, optional
        SPARQL text shown under the graph.
    max_nodes : int, optional
        Node cap (see :func:`cap_graph`); what is cut is said in a notice with how to narrow.
    color_by : {"kind", "country"}, optional
        Colour nodes by kind (default) or by country (``G.graph["color_by"]``).
    max_edges : int, optional
        Edge cap after the node cap (see :func:`cap_edges`), said in a notice. Captions and
        tooltips are cut and bidi-isolated by :func:`display_text`.
    embed : bool, optional
        The page for an ``<iframe>``: no header, tools or notes, the graph fills the frame.
    shareable : bool, optional
        Offer the link and ``<iframe>`` code of this page (False for a POSTed query, whose URL
        does not reproduce it).
    assets_url : str, optional
        Where the server serves :data:`VIS_ASSETS` (e.g. ``/graphs/assets``): the page links the
        graph library there (cached once, 470 KB less per page) instead of inlining it, so it is
        no longer self-contained. Default None: inlined.

    Returns
    -------
    str
        One HTML document: vis-network's script and style are inlined, every text is escaped
        (HTML by the template; ``<``, ``>``, ``&`` as JSON escapes inside the script; tooltips
        are set as text by vis-network), and the page makes no request to any other host. The
        page exposes ``window.aikgNetwork`` and ``window.aikgNodes`` / ``window.aikgEdges``
        (vis DataSets) and sets ``body[data-stable]`` once the layout has settled.

    Examples
    --------
    >>> G = nx.MultiDiGraph(title="A <tiny> graph")
    >>> _ = G.add_edge("http://e/a", "http://e/b", key="http://e/p", label="likes")
    >>> html = render_html(G)
    >>> "<title>A &lt;tiny&gt; graph · AI Landscape KG</title>" in html, "cdn" in html
    (True, False)
    """
    title = title or G.graph.get("title") or "Graph"
    hierarchical = bool(G.graph.get("hierarchical")) if hierarchical is None else hierarchical
    color_by = color_by or G.graph.get("color_by") or "kind"
    notices = [notice] if notice else []
    if G.graph.get("truncated"):
        unit = G.graph.get("truncated_unit", "nodes")
        cap = f" of {G.graph['max_nodes']} nodes" if G.graph.get("max_nodes") else ""
        n = int(G.graph["truncated"])
        word = (unit[:-1] if unit.endswith("s") else unit) if n == 1 else unit
        notices.append(f"{n} more {word} {'was' if n == 1 else 'were'} left out by the view's cap{cap}.")
    total_nodes, total_edges = G.number_of_nodes(), G.number_of_edges()
    G, cut_nodes, cut_edges = cap_graph(G, max_nodes)
    if cut_nodes:
        notices.append(
            f"Showing {G.number_of_nodes()} of {total_nodes} nodes (the {max_nodes}-node cap keeps those nearest the "
            f"centre, else the best connected); left out: {_plural(cut_nodes, 'node')} and {cut_edges} of "
            f"{_plural(total_edges, 'edge')}."
        )
    kept_edges = G.number_of_edges()
    G, cut_by_edge_cap = cap_edges(G, max_edges)
    if cut_by_edge_cap:
        notices.append(
            f"Showing {max_edges} of {kept_edges} edges between the drawn nodes (the {max_edges}-edge cap keeps the "
            f"first ones); left out: {_plural(cut_by_edge_cap, 'edge')}."
        )
    if G.graph.get("truncated") or cut_nodes or cut_by_edge_cap:
        hint = G.graph.get("narrow_hint") or "draw a smaller part of the graph (fewer hops, a type filter, a LIMIT)"
        notices.append(f"To narrow it: {hint}; or raise the cap (max_nodes, up to 5000).")
    large = G.number_of_nodes() > _LARGE

    nodes, edges, drawn = _vis_elements(G, color_by, large)
    legend_keys, countries, flags_used, edge_labels = drawn

    vis_options: dict[str, Any] = {
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": large},
        "edges": {
            "font": {"size": 10, "align": "middle", "color": "#333333"},
            "color": {"color": "#9a9a9a", "highlight": "#333333", "hover": "#555555", "inherit": False},
            "smooth": False if large else {"type": "continuous"},
        },
        "nodes": {"font": {"size": 13}, "scaling": {"min": 8, "max": 40}, "widthConstraint": {"maximum": 180}},
        "layout": {"randomSeed": 7, "improvedLayout": not large},
    }
    if hierarchical:
        levels = all("level" in n for n in nodes)
        vis_options["layout"]["hierarchical"] = {
            "enabled": True,
            "direction": "UD",
            "sortMethod": "directed" if not levels else "hubsize",
            "levelSeparation": 130,
            "nodeSpacing": 190,
            "shakeTowards": "roots",
        }
        vis_options["edges"]["smooth"] = {"type": "cubicBezier", "forceDirection": "vertical", "roundness": 0.4}
        vis_options["edges"]["font"].update(align="horizontal", background="#ffffff")
        vis_options["physics"] = {"enabled": False}
    elif large:
        vis_options["physics"] = {
            "solver": "barnesHut",
            "barnesHut": {"gravitationalConstant": -8000, "springLength": 120, "damping": 0.3},
            "stabilization": {"enabled": True, "iterations": 150, "updateInterval": 25, "fit": True},
            "minVelocity": 2,
        }
    else:
        vis_options["physics"] = {
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -90, "springLength": 150, "avoidOverlap": 0.4},
            "stabilization": {"enabled": True, "iterations": 300, "updateInterval": 25, "fit": True},
            "minVelocity": 1,
        }
    vis_js, vis_css = _vis_assets()
    legend = _legend(legend_keys, color_by)
    country_legend = [
        {"code": c, "color": COUNTRY_COLOR[c][0], "legend": COUNTRY_COLOR[c][1], "count": n}
        for c, n in sorted(countries.items(), key=lambda kv: (kv[0] == "", -kv[1], kv[0]))
    ]
    flag_legend = [{"flag": f, **FLAG_STYLE[f]} for f in flags_used]
    quarters = _quarters(n.get("quarter") for n in nodes)
    return _TEMPLATES.get_template("graph.html").render(
        title=title,
        notices=notices,
        legend=legend,
        country_legend=country_legend,
        flag_legend=flag_legend,
        edge_labels=edge_labels,
        node_count=len(nodes),
        edge_count=len(edges),
        large=large,
        query=query,
        height_px=height_px,
        vis_js=None if assets_url else vis_js.replace("</script", "<\\/script"),
        vis_css=None if assets_url else vis_css,
        assets_url=assets_url,
        nodes_json=_script_json(nodes),
        edges_json=_script_json(edges),
        options_json=_script_json(vis_options),
        embed=embed,
        shareable=shareable,
        color_by=color_by,
        page_json=_script_json(
            {
                "colorBy": color_by,
                "countries": [c for c in COUNTRY_COLOR if c],
                "quarters": quarters,
                "hierarchical": hierarchical,
                "title": title,
            }
        ),
    )


FIRST_QUARTER = "2023-Q1"
"""First stop of the landscape's time slider (earlier releases are shown from the start)."""


def _quarters(values: Any) -> list[str]:
    # Every quarter from FIRST_QUARTER to the last one drawn, gaps included (the slider's stops).
    last = max((v for v in values if v), default=None)
    if last is None:
        return []
    year, q = int(FIRST_QUARTER[:4]), 1
    out = []
    while f"{year}-Q{q}" <= last:
        out.append(f"{year}-Q{q}")
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    return out


def graph_json(
    G: nx.MultiDiGraph, *, color_by: str | None = None, max_nodes: int = DEFAULT_MAX_NODES
) -> dict[str, Any]:
    """Return the nodes and edges of `G` as a graph page draws them (for expanding a page in place).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        As for :func:`render_html`.
    color_by : {"kind", "country"}, optional
        The colouring of the page the nodes join; default ``G.graph["color_by"]`` or kind.
    max_nodes : int, optional
        Node cap (:func:`cap_graph`).

    Returns
    -------
    dict
        ``nodes`` and ``edges`` (vis-network items with the ids, labels, shapes, colours and
        tooltips :func:`render_html` gives the same entities and edges, plus ``kind``,
        ``country`` and ``quarter``), ``title``, and ``left_out`` (nodes cut by the cap).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("http://e/a", label="A", kind="model")
    >>> _ = G.add_edge("http://e/a", "http://e/b", key="http://e/p", label="likes")
    >>> data = graph_json(G)
    >>> [n["id"] for n in data["nodes"]], data["edges"][0]["from"]
    (['<http://e/a>', '<http://e/b>'], '<http://e/a>')
    """
    color_by = color_by or G.graph.get("color_by") or "kind"
    G, cut_nodes, _ = cap_graph(G, max_nodes)
    G, _ = cap_edges(G, DEFAULT_MAX_EDGES)
    nodes, edges, _ = _vis_elements(G, color_by, G.number_of_nodes() > _LARGE)
    return {"title": G.graph.get("title") or "", "nodes": nodes, "edges": edges, "left_out": cut_nodes}


def _edge_id(source: str, key: str, target: str) -> str:
    # The same edge gets the same id on the page and in an expansion (/api/neighbours), so a
    # neighbour already drawn is not drawn twice.
    return "e" + hashlib.sha1(f"{source}\x00{key}\x00{target}".encode()).hexdigest()[:16]


def _vis_elements(
    G: nx.MultiDiGraph, color_by: str, large: bool
) -> tuple[
    list[dict[str, Any]], list[dict[str, Any]], tuple[Counter[tuple[str, str]], Counter[str], list[str], list[str]]
]:
    """Return vis-network nodes and edges of `G` and what the legends need (one styling for page and API)."""
    from pyvis.network import Network  # imported where used (see _vis_assets)

    sized = any(data.get("value") is not None for _, data in G.nodes(data=True))
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    ids: dict[Any, str] = {}
    legend_keys: Counter[tuple[str, str]] = Counter()
    countries: Counter[str] = Counter()
    flags_used: list[str] = []
    for node, data in G.nodes(data=True):
        vid = ids[node] = node_id(node)
        options, legend_key = _node_style(data, color_by)
        legend_keys[legend_key] += 1
        if color_by == "country":
            code = data.get("country") or ""
            countries[code if code in COUNTRY_COLOR else ""] += 1
        for flag in data.get("flags") or []:
            if flag in FLAG_STYLE and flag not in flags_used:
                flags_used.append(flag)
        for key in ("value", "level"):
            if data.get(key) is not None:
                options[key] = data[key]
        if sized and data.get("value") is None:
            options["size"] = 7  # size unknown in a view sized by value: the smallest mark
        label = str(data.get("label") or "") or vid
        title_text = display_text(str(data.get("title") or label), MAX_TITLE_CHARS)
        # Meaning the page's filters, search, time slider and "open page" link read (vis ignores them).
        options["kind"] = data.get("kind") if data.get("kind") in KIND_STYLE else "other"
        options["country"] = data.get("country") or ""
        options["variant"] = legend_key[1]
        if data.get("quarter"):
            options["quarter"] = data["quarter"]
        net.add_node(vid, label=display_text(label, MAX_LABEL_CHARS), title=title_text, **options)
    edge_labels: list[str] = []
    pair_count: Counter[frozenset[str]] = Counter()
    edges: list[dict[str, Any]] = []
    for s, o, _key, data in G.edges(keys=True, data=True):
        label = display_text(str(data.get("label") or ""), MAX_LABEL_CHARS)
        edge: dict[str, Any] = {
            "id": _edge_id(ids[s], str(_key), ids[o]),
            "from": ids[s],
            "to": ids[o],
            "arrows": "to",
            "title": display_text(str(data.get("title") or label), MAX_TITLE_CHARS),
        }
        if label and not large:
            edge["label"] = label
        flags = [f for f in data.get("flags") or [] if f in FLAG_STYLE and "edge" in FLAG_STYLE[f]]
        if flags:
            edge["color"] = {"color": FLAG_STYLE[flags[-1]]["edge"], "highlight": FLAG_STYLE[flags[-1]]["edge"]}
            edge["width"] = 3
            for flag in flags:
                if flag not in flags_used:
                    flags_used.append(flag)
        pair = frozenset((ids[s], ids[o]))
        nth = pair_count[pair]
        pair_count[pair] += 1
        if nth:  # parallel edges: bend each further, so every property stays visible
            edge["smooth"] = {
                "enabled": True,
                "type": "curvedCW" if nth % 2 else "curvedCCW",
                "roundness": 0.2 * ((nth + 1) // 2),
            }
        edges.append(edge)
        if label and label not in edge_labels:
            edge_labels.append(label)
    return net.get_network_data()[0], edges, (legend_keys, countries, flags_used, edge_labels)


def _legend(keys: Counter[tuple[str, str]], color_by: str) -> list[dict[str, Any]]:
    out = []
    order = list(KIND_STYLE)
    for kind, variant in sorted(keys, key=lambda k: (order.index(k[0]), k[1])):
        style = KIND_STYLE[kind]
        shaped = style.get("variants", {}).get(variant) or style
        out.append(
            {
                "kind": kind,
                "variant": variant,
                "shape": shaped["shape"],
                "color": "#888888" if color_by == "country" else style["color"],
                "legend": shaped["legend"],
                "count": keys[(kind, variant)],
            }
        )
    return out
