"""Issue 18 item 7: one rule for XML output: a literal XML 1.0 cannot carry is a 406 everywhere."""

from __future__ import annotations

from collections.abc import Iterator
from xml.dom import minidom

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.service import KnowledgeGraph
from kg.settings import Settings

BELL = "ring\u0007ring"


@pytest.fixture(scope="module")
def bell_client() -> Iterator[TestClient]:
    graph = KnowledgeGraph.open(Settings(workers=0))
    graph.update(
        'INSERT DATA { GRAPH <https://w3id.org/aikg/graph/landscape> { model:glm-4.5 schema:description "'
        + BELL.replace("\u0007", "\\u0007")
        + '" } }'
    )
    with TestClient(create_app(Settings(workers=0), graph)) as client:
        yield client
    graph.close()


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/api/models/glm-4.5?format=rdfxml", "*/*"),
        ("/api/models/glm-4.5", "application/rdf+xml"),
        ("/id/model/glm-4.5", "application/rdf+xml"),
        (
            "/sparql?query=CONSTRUCT%20%7Bmodel%3Aglm-4.5%20%3Fp%20%3Fo%7D%20WHERE%20%7Bmodel%3Aglm-4.5%20%3Fp%20%3Fo%7D",
            "application/rdf+xml",
        ),
        (
            "/sparql?query=SELECT%20%3Fo%20WHERE%20%7Bmodel%3Aglm-4.5%20schema%3Adescription%20%3Fo%7D",
            "application/sparql-results+xml",
        ),
    ],
)
def test_control_character_is_406_naming_it_everywhere(bell_client: TestClient, path: str, accept: str) -> None:
    response = bell_client.get(path, headers={"Accept": accept})
    assert response.status_code == 406, response.text[:300]
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "U+0007" in response.json()["detail"]


def test_other_formats_still_carry_the_literal(bell_client: TestClient) -> None:
    response = bell_client.get("/api/models/glm-4.5?format=nt")
    assert response.status_code == 200
    assert "ring\\u0007ring" in response.text or BELL in response.text


def test_rdfxml_without_control_characters_is_well_formed(bell_client: TestClient) -> None:
    response = bell_client.get("/api/models/deepseek-r1?format=rdfxml")
    assert response.status_code == 200
    minidom.parseString(response.content)  # raises if not well-formed
