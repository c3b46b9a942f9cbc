"""viz.render on small graphs: labels, legend, escaping, node ids (known-traps case 28), caps,
self-containment. The same pages are drawn in Chromium by tests/test_viz_pages.py."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest

from kg.analysis import analytics
from kg.engine.load import load_default_graph, load_files
from kg.engine.store import KnowledgeStore
from viz import render_html
from viz.render import COUNTRY_COLOR, KIND_STYLE, cap_graph, node_id

DATA = Path(__file__).resolve().parent / "data"
EVIL_MODEL = 'Evil "Quote" <b>bold</b> & </script><script>window.pwned=1</script> 🚀 智谱'
EVIL_ORG = 'O\'Brien & <Sons> "Ltd" <img src=x onerror=window.pwned=2> 🤖 阿里巴巴'
EVIL_PROPERTY = '<i>admires</i> & "loves" </script>'
ID = "https://w3id.org/aikg/id/"


class _Elements(HTMLParser):
    """Every start tag and the text of <title>, <h1> and .edge-label elements, as a browser parses them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.texts: dict[str, list[str]] = {"title": [], "h1": [], "edge-label": []}
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        key = "edge-label" if ("class", "edge-label") in attrs else tag
        self._open.append(key)
        if key in self.texts:
            self.texts[key].append("")

    def handle_endtag(self, tag: str) -> None:
        if self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open and self._open[-1] in self.texts:
            self.texts[self._open[-1]][-1] += data


def parse(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    return parser


def dataset(html: str, name: str) -> list[dict]:
    """The JSON given to ``new vis.DataSet`` for nodes (0) or edges (1)."""
    found = re.findall(r"new vis\.DataSet\((.*?)\);\n", html)
    return json.loads(found[{"nodes": 0, "edges": 1}[name]])


@pytest.fixture(scope="module")
def tricky() -> ox.Store:
    ks = KnowledgeStore()
    load_default_graph(ks, DATA / "no-such-folder")
    load_files(ks, [DATA / "viz-tricky.ttl"])
    return ks.inner


@pytest.fixture(scope="module")
def fixture_store() -> ox.Store:
    ks = KnowledgeStore()
    load_default_graph(ks, DATA / "no-such-folder")
    load_files(ks, [DATA / "analytics.ttl"])
    return ks.inner


def test_every_label_is_escaped(tricky: ox.Store) -> None:
    G = analytics.ego_graph(tricky, ID + "model/evil")
    html = render_html(G)
    page = parse(html)
    assert page.tags.count("script") == 2  # vis-network, and ours: nothing injected
    assert not {"b", "i", "img", "sons"} & set(page.tags)
    assert page.texts["title"] == [f"{EVIL_MODEL}: neighbourhood (depth 1) · AI Landscape KG"]
    assert page.texts["h1"] == [f"{EVIL_MODEL}: neighbourhood (depth 1)"]
    assert EVIL_PROPERTY in page.texts["edge-label"]
    assert html.count("</script>") == 2  # only the two real end tags
    labels = {n["label"] for n in dataset(html, "nodes")}
    assert {EVIL_MODEL, EVIL_ORG} <= labels
    assert EVIL_PROPERTY in {e.get("label") for e in dataset(html, "edges")}
    tooltip = next(n["title"] for n in dataset(html, "nodes") if n["label"] == EVIL_MODEL)
    assert tooltip.startswith(f"{EVIL_MODEL} (model)") and f"creator: {EVIL_ORG}" in tooltip


def test_case_28_seven_unique_node_ids() -> None:
    triples = ox.parse((DATA / "case28.ttl").read_bytes(), format=ox.RdfFormat.TURTLE)
    html = render_html(analytics.rdf_to_networkx(triples), title="case 28")
    nodes = dataset(html, "nodes")
    ids = [n["id"] for n in nodes]
    assert len(ids) == len(set(ids)) == 7
    assert set(ids) == {
        "<http://ex.org/acme>", "<http://ex.org/beta>", '"ACME"@en', '"ACME"@de', '"ACME"',
        '"1999"^^<http://www.w3.org/2001/XMLSchema#gYear>', '"1999"^^<http://www.w3.org/2001/XMLSchema#integer>',
    }  # fmt: skip
    labels = sorted(n["label"] for n in nodes)
    assert labels == ["1999 (xsd:gYear)", "1999 (xsd:integer)", "ACME", "ACME @de", "ACME @en", "acme", "beta"]
    edges = dataset(html, "edges")
    assert len(edges) == 6 and len({e["id"] for e in edges}) == 6


def test_node_id_never_collides() -> None:
    from rdflib import Literal, URIRef

    terms = [
        "http://e/ACME",
        '"ACME"',
        '"ACME"@en',
        "_:ACME",
        ox.Literal("ACME"),
        Literal("ACME", lang="de"),
        URIRef("http://e/x"),
    ]
    ids = [node_id(t) for t in terms]
    assert ids == ["<http://e/ACME>", '"ACME"', '"ACME"@en', "_:ACME", '"ACME"', '"ACME"@de', "<http://e/x>"]


def test_parallel_edges_with_different_properties_are_all_kept() -> None:
    G = nx.MultiDiGraph(title="parallel")
    G.add_node("http://e/a", label="a", kind="model")
    G.add_node("http://e/b", label="b", kind="model")
    for p in ("basedOn", "distilledFrom", "mentions"):
        G.add_edge("http://e/a", "http://e/b", key=f"http://e/{p}", label=p)
    G.add_edge("http://e/b", "http://e/a", key="http://e/cites", label="cites")
    edges = dataset(render_html(G), "edges")
    assert [e["label"] for e in edges] == ["basedOn", "distilledFrom", "mentions", "cites"]
    assert "smooth" not in edges[0]
    assert [e["smooth"]["type"] for e in edges[1:]] == ["curvedCW", "curvedCCW", "curvedCW"]
    assert [e["smooth"]["roundness"] for e in edges[1:]] == [0.2, 0.2, 0.4]


def test_legend_lists_the_kinds_drawn_with_counts(fixture_store: ox.Store) -> None:
    html = render_html(analytics.claims_graph(fixture_store))
    legend = re.findall(r'data-kind="([^"]+)" data-variant="[^"]*">.*?\((\d+)\)</span>', html)
    assert dict(legend) == {"model": "3", "organization": "4", "person": "1", "claim": "4", "article": "2"}
    assert 'data-flag="self-claim"' in html and 'data-flag="conflict of interest"' in html
    nodes = {n["label"]: n for n in dataset(html, "nodes")}
    claim = nodes["Org A leads Org B in open models."]
    assert claim["shape"] == KIND_STYLE["claim"]["shape"] and claim["borderWidth"] == 4
    assert claim["color"]["border"] == "#d62728"
    assert "text: “Org A now leads Org B in open models.”" in claim["title"]


def test_landscape_is_coloured_by_country_and_shaped_by_architecture(fixture_store: ox.Store) -> None:
    html = render_html(analytics.landscape_graph(fixture_store))
    nodes = {n["label"]: n for n in dataset(html, "nodes")}
    assert nodes["Alpha-2"]["shape"] == "star" and nodes["Alpha-1"]["shape"] == "dot"
    assert nodes["Alpha-2"]["color"] == COUNTRY_COLOR["CN"][0] and nodes["Org B"]["color"] == COUNTRY_COLOR["US"][0]
    assert nodes["Delta-1"]["color"] == COUNTRY_COLOR["FR"][0]
    assert nodes["Alpha-2"]["value"] == pytest.approx(11.0) and "value" not in nodes["Gamma-1-Q-LoRA"]
    assert nodes["Gamma-1-Q-LoRA"]["size"] == 7  # parameters unknown: the smallest mark
    assert re.findall(r'<span class="legend-text">([^<]+)</span> <span class="count">\((\d+)\)', html)[-3:] == [
        ("China", "7"), ("United States", "5"), ("France", "2"),
    ]  # fmt: skip
    assert "AI model, Mixture-of-Experts" in html and "AI model, dense" in html
    assert {e["label"] for e in dataset(html, "edges")} == {"creator"}


def test_lineage_is_hierarchical_with_levels(fixture_store: ox.Store) -> None:
    html = render_html(analytics.lineage_graph(fixture_store, ID + "model/c1"))
    options = json.loads(re.search(r"var options = (\{.*?\});\n", html).group(1))
    assert options["layout"]["hierarchical"]["enabled"] is True
    assert options["layout"]["hierarchical"]["direction"] == "UD"
    assert options["physics"] == {"enabled": False}
    assert {n["label"]: n["level"] for n in dataset(html, "nodes")} == {
        "Alpha-1": 0, "Gamma-1": 1, "Gamma-1-Q": 2, "Gamma-1-Q-LoRA": 3,
    }  # fmt: skip


def synthetic(n: int = 5000) -> nx.MultiDiGraph:
    B = nx.barabasi_albert_graph(n, 2, seed=1)
    G = nx.MultiDiGraph(title=f"Synthetic graph of {n} nodes")
    kinds = ["model", "organization", "person", "claim", "license"]
    for i in B:
        G.add_node(f"https://example.org/n{i}", label=f"node {i}", kind=kinds[i % 5])
    for a, b in B.edges():
        G.add_edge(
            f"https://example.org/n{a}", f"https://example.org/n{b}", key="https://example.org/links", label="links"
        )
    return G


def test_node_cap_with_a_notice() -> None:
    G = synthetic()
    assert (G.number_of_nodes(), G.number_of_edges()) == (5000, 9996)
    html = render_html(G, max_nodes=1000)
    nodes, edges = dataset(html, "nodes"), dataset(html, "edges")
    assert len(nodes) == 1000
    H, cut_nodes, cut_edges = cap_graph(G, 1000)
    assert (cut_nodes, len(edges)) == (4000, H.number_of_edges()) and cut_edges == 9996 - len(edges)
    assert "Showing 1000 of 5000 nodes" in html and f"left out: 4000 nodes and {cut_edges} of 9996 edges" in html
    assert "To narrow it:" in html
    options = json.loads(re.search(r"var options = (\{.*?\});\n", html).group(1))
    assert options["physics"]["stabilization"]["iterations"] == 150  # bounded, then physics off
    assert options["edges"]["smooth"] is False and "label" not in edges[0]
    # the best connected are kept: the hub of a Barabási–Albert graph is among them
    hub = max(G.degree, key=lambda kv: kv[1])[0]
    assert f"<{hub}>" in {n["id"] for n in nodes}


def test_cap_keeps_the_neighbourhood_of_the_centre() -> None:
    G = nx.MultiDiGraph(nx.path_graph(10), center=5)
    H, cut, _ = cap_graph(G, 3)
    assert sorted(H) == [4, 5, 6] and cut == 7


def test_page_is_self_contained(fixture_store: ox.Store) -> None:
    html = render_html(analytics.ego_graph(fixture_store, ID + "organization/a", depth=2))
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html)
    for needle in ("cdnjs", "unpkg", "jsdelivr", "node_modules", "bootstrap", "<link"):
        assert needle not in html
    assert "vis.Network" in html and "window.aikgNetwork" in html


def test_edge_labels_are_property_labels_not_iris(fixture_store: ox.Store) -> None:
    G = analytics.ego_graph(fixture_store, ID + "model/b2")
    labels = {d["label"] for *_, d in G.edges(data=True)}
    assert {"creator", "based on", "distilled from", "derivation type", "architecture"} <= labels
    assert not any("://" in label or "#" in label for label in labels)
