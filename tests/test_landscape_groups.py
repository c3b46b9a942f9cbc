"""The landscape's shape groups follow each model's recorded architecture: MoE, dense, other, or unknown."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from fastapi.testclient import TestClient

from kg.analysis.analytics.landscape import landscape_graph
from kg.engine.sparql import select

KINDS = """SELECT ?m ?group WHERE {
  ?m a aikg:AIModel .
  BIND(IF(EXISTS { ?m aikg:architecture/skos:broader* aikg:MixtureOfExperts }, "moe",
       IF(EXISTS { ?m aikg:architecture/skos:broader* aikg:DenseTransformer }, "dense",
       IF(EXISTS { ?m aikg:architecture ?a }, "other", "unknown"))) AS ?group)
}"""


def test_every_model_is_grouped_by_its_recorded_architecture(graph: Any) -> None:
    expected = {row["m"]: row["group"] for row in graph.read(select, KINDS)}
    G = graph.read(landscape_graph, max_nodes=5000)
    got = {n: d["variant"] for n, d in G.nodes(data=True) if d["kind"] == "model"}
    assert got == {m: expected[m] for m in got}
    counts = Counter(got.values())
    assert counts["other"] > 0 and counts["unknown"] > 0  # the embedded graph has both
    assert got["https://w3id.org/aikg/id/model/qwen-image"] == "other"  # a diffusion transformer is not dense
    assert all("architecture:" not in G.nodes[m]["title"] for m, v in got.items() if v == "unknown")
    assert all("architecture:" in G.nodes[m]["title"] for m, v in got.items() if v != "unknown")


def test_landscape_legend_counts_each_group(client: TestClient, graph: Any) -> None:
    html = client.get("/graphs/landscape?max_nodes=5000").text
    legend = dict(re.findall(r'data-kind="model" data-variant="([^"]*)">.*?\((\d+)\)</span>', html))
    expected = Counter(row["group"] for row in graph.read(select, KINDS))
    assert {k: int(v) for k, v in legend.items()} == dict(expected)
    assert "AI model, architecture unknown" in html and "AI model, other architecture" in html
