"""Rendering of relationship graphs as self-contained, offline HTML (pyvis + vis-network)."""

from viz.render import KIND_STYLE, SITE_NAV, graph_json, render_html

__all__ = ["KIND_STYLE", "SITE_NAV", "graph_json", "render_html"]
