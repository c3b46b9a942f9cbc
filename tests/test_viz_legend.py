"""The node legend has one entry per style drawn: kinds without a style of their own share the
``other`` entry (one line, counts added), and an unknown variant shares its kind's base entry."""

from __future__ import annotations

import re

import networkx as nx

from viz.render import render_html

_ITEM = re.compile(
    r'<span class="legend-item" data-kind="([^"]*)" data-variant="([^"]*)">.*?'
    r'<span class="legend-text">([^<]*)</span> <span class="count">\((\d+)\)</span>',
    re.S,
)


def _legend(G: nx.MultiDiGraph, **kwargs: object) -> list[tuple[str, str, str, int]]:
    html = render_html(G, title="legend", **kwargs)  # type: ignore[arg-type]
    block = html[html.index('id="legend"') : html.index("</div>", html.index('id="legend"'))]
    return [(k, v, text, int(n)) for k, v, text, n in _ITEM.findall(block)]


def test_unknown_kinds_share_one_other_entry() -> None:
    G = nx.MultiDiGraph()
    G.add_node("a", label="A", kind="widget")
    G.add_node("b", label="B", kind="gadget")
    G.add_node("c", label="C", kind="other")
    G.add_node("d", label="D", kind=None)
    G.add_node("e", label="E")
    G.add_node("f", label="F", kind="organization")
    G.add_edge("a", "b", label="x")
    assert _legend(G) == [("organization", "", "organization", 1), ("other", "", "other", 5)]


def test_an_unknown_variant_falls_back_to_its_kind() -> None:
    G = nx.MultiDiGraph()
    G.add_node("m1", label="M1", kind="model", variant="moe")
    G.add_node("m2", label="M2", kind="model", variant="hybrid")
    G.add_node("m3", label="M3", kind="model")
    G.add_node("x", label="X", kind="widget", variant="moe")  # a variant of no style stays "other"
    assert _legend(G) == [
        ("model", "", "AI model", 2),
        ("model", "moe", "AI model, Mixture-of-Experts", 1),
        ("other", "", "other", 1),
    ]


def test_coloured_by_country_the_entries_stay_one_per_style() -> None:
    G = nx.MultiDiGraph()
    for i, kind in enumerate(["widget", "gadget", "model", "model"]):
        G.add_node(str(i), label=str(i), kind=kind, country="CN")
    legend = _legend(G, color_by="country")
    assert [(k, n) for k, _v, _t, n in legend] == [("model", 2), ("other", 2)]
