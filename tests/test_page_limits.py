"""Issue 18 item 13 (page parts): counted words agree, long literals are cut with a link to the
full value, right-to-left overrides stay isolated, and /graphs/query caps edges as well as nodes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.service import KnowledgeGraph
from kg.settings import Settings
from viz import render_html

BIG = 5_000_000  # characters of one literal
RLO = "\u202eevil\u202c"


@pytest.fixture(scope="module")
def odd_client() -> Iterator[TestClient]:
    graph = KnowledgeGraph.open(Settings(workers=0))
    graph.update(
        'INSERT DATA { GRAPH <https://w3id.org/aikg/graph/landscape> { model:glm-4.5 schema:description "'
        + "a" * BIG
        + '" ; schema:alternateName "\\u202Eevil\\u202C" . '
        + 'model:rlo-probe a aikg:AIModel ; schema:name "\\u202Eevil\\u202C" ; aikg:basedOn model:glm-4.5 } }'
    )
    with TestClient(create_app(Settings(workers=0), graph)) as client:
        yield client
    graph.close()


def test_display_text_isolates_each_line() -> None:
    from viz.render import display_text

    assert (
        display_text(f"about: {RLO}, GLM-4.5\ntext: t", 100)
        == f"\u2068about: {RLO}, GLM-4.5\u2069\n\u2068text: t\u2069"
    )
    assert display_text("plain", 100) == "plain"
    assert display_text("x" * 10, 4) == "xxxx… (10 characters in all)"


def test_one_more_node_is_singular() -> None:
    G = nx.MultiDiGraph(truncated=1, max_nodes=10)
    G.add_edge("http://e/a", "http://e/b", key="http://e/p", label="p")
    html = render_html(G)
    assert "1 more node was left out" in html and "1 more nodes" not in html
    G = nx.MultiDiGraph(truncated=2, truncated_unit="claims")
    G.add_edge("http://e/a", "http://e/b", key="http://e/p", label="p")
    assert "2 more claims were left out" in render_html(G)
    G = nx.MultiDiGraph(truncated=1, truncated_unit="claims")
    G.add_edge("http://e/a", "http://e/b", key="http://e/p", label="p")
    assert "1 more claim was left out" in render_html(G)


def test_node_cap_notice_counts_in_words() -> None:
    G = nx.path_graph(11, create_using=nx.MultiDiGraph)
    html = render_html(G, max_nodes=10)
    assert "left out: 1 node and 1 of 10 edges" in html


def test_render_caps_edges_with_a_notice() -> None:
    G = nx.MultiDiGraph()
    for i in range(6000):
        G.add_edge("http://e/a", "http://e/b", key=f"http://e/p{i}", label=f"p{i}")
    html = render_html(G, max_edges=5000)
    assert "2 nodes, 5000 edges" in html
    assert "Showing 5000 of 6000 edges" in html and "left out: 1000 edges" in html


def test_graphs_query_caps_edges(client: TestClient) -> None:
    query = (
        "CONSTRUCT { model:glm-4.5 ?q model:deepseek-r1 } WHERE { ?s a aikg:AIModel . ?t a aikg:AIModel . "
        'BIND(IRI(CONCAT("http://example.org/p/", STRAFTER(STR(?s), "model/"), "/", STRAFTER(STR(?t), "model/"))) AS ?q) } '
        "LIMIT 7000"
    )
    response = client.get("/graphs/query?query=" + quote(query))
    assert response.status_code == 200, response.text[:300]
    counts = re.search(r'<span id="counts">(\d+) nodes, (\d+) edges</span>', response.text)
    assert counts and int(counts.group(1)) == 2 and int(counts.group(2)) == 5000
    assert "Showing 5000 of 7000 edges" in response.text
    assert len(response.content) < 4_000_000


def test_long_literal_is_cut_with_a_link_to_the_full_value(odd_client: TestClient) -> None:
    response = odd_client.get("/id/model/glm-4.5", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert len(response.content) < 1_500_000  # the 5 MB literal is not on the page
    assert f"{BIG:,} characters in all" in response.text
    assert 'href="/api/models/glm-4.5">the full value in the record</a>' in response.text
    assert len(odd_client.get("/api/models/glm-4.5").content) > BIG  # where the full value is


def test_right_to_left_override_is_isolated(odd_client: TestClient) -> None:
    page = odd_client.get("/id/model/glm-4.5", headers={"Accept": "text/html"}).text
    assert f"<bdi>{RLO}</bdi>" in page
    picture = odd_client.get("/graphs/ego/model/glm-4.5").text
    assert f'"label": "\u2068{RLO}\u2069"' in picture
