"""One entity, one name (issue 12): the REST record, the graph pictures and the reviews take an
entity's display name from the one order of kg.terms (schema:name, skos:prefLabel, rdfs:label,
schema:headline, spdx:name; English or untagged first)."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient

from kg.analysis.analytics import ego_graph
from kg.analysis.review.names import Names
from kg.service import KnowledgeGraph

GROK_LICENSE = "https://w3id.org/aikg/id/license/licenseref-grok-2-community"


def test_a_license_has_one_name_in_json_picture_and_review(client: TestClient, graph: KnowledgeGraph) -> None:
    # Its rdfs:label and spdx:name differ ("... License" vs "... License Agreement"): the three
    # copies of the name order used to pick differently.
    expected = "Grok 2 Community License"
    assert client.get("/api/licenses/licenseref-grok-2-community").json()["name"] == expected
    picture = graph.read(ego_graph, "https://w3id.org/aikg/id/model/grok-2.5")
    assert picture.nodes[GROK_LICENSE]["label"] == expected
    page = html.unescape(client.get("/graphs/ego/model/grok-2.5").text)
    assert expected in page and "Grok 2 Community License Agreement (license)" not in page
    assert Names(graph.store.inner).get(GROK_LICENSE) == expected
