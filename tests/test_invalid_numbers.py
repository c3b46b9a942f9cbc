"""Negative and invalid numbers: flagged on pages, refused with a message on REST routes and MCP tools."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.rendering import human_count
from kg.terms import short_count
from tests.conftest import TOKEN

AUTH = {"Authorization": f"Bearer {TOKEN}"}
GRAPH = "https://w3id.org/aikg/graph/test-negative"
MODEL = "https://w3id.org/aikg/id/model/negative-count-model"
RPC = {"Host": "127.0.0.1:8000", "Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def negative_model(client: TestClient) -> Iterator[str]:
    update = (
        "PREFIX aikg: <https://w3id.org/aikg/ontology#> PREFIX schema: <https://schema.org/> "
        f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{MODEL}> a aikg:AIModel ; schema:name "Negative Count Model" ; '
        "aikg:totalParameters -5 } }"
    )
    assert client.post("/sparql", data={"update": update}, headers=AUTH).status_code == 204
    yield "/id/model/negative-count-model"
    assert client.post("/sparql", data={"update": f"DROP GRAPH <{GRAPH}>"}, headers=AUTH).status_code == 204


def test_a_negative_count_is_written_out_and_flagged() -> None:
    assert short_count(-5) == "-5 (invalid: a count cannot be negative)"
    assert human_count(-5) == "-5 (invalid: a count cannot be negative)"
    assert short_count(355_000_000_000) == "355B" and human_count(7_600_000_000) == "7.6B"


def test_entity_page_flags_a_negative_parameter_count(client: TestClient, negative_model: str) -> None:
    page = client.get(negative_model, headers={"Accept": "text/html"}).text
    assert "-5 (invalid: a count cannot be negative) parameters" in page  # the summary line
    assert '<span class="invalid" title="a count cannot be negative' in page  # the facts table
    assert "-5 parameters" not in page


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/search?q=glm&offset=-5", "offset"),
        ("/api/reviews?limit=-1", "limit"),
        ("/api/coverage?page=0", "page"),
        ("/api/imports?limit=-1", "limit"),
        ("/api/models/glm-4.5/lineage?depth=-1", "depth"),
        ("/api/analytics/path?from=glm-4.5&to=glm-4.6&limit=5", "limit"),
    ],
)
def test_an_undeclared_number_is_refused_not_ignored(client: TestClient, url: str, parameter: str) -> None:
    r = client.get(url, headers={"Accept": "application/json"})
    assert r.status_code == 422, r.text[:300]
    assert r.json()["parameter"] == parameter and "unknown parameter" in r.json()["detail"]


@pytest.mark.parametrize(
    ("url", "detail"),
    [
        ("/api/models?limit=-1", "limit='-1': Input should be greater than or equal to 1"),
        ("/models?page=0", "page='0': Input should be greater than or equal to 1"),
        ("/api/search?q=glm&limit=0", "limit='0': Input should be greater than or equal to 1"),
        ("/api/changes?since=2020-01-01&limit=-5", "limit='-5': Input should be greater than or equal to 0"),
        ("/graphs/landscape?year=abc", "year='abc': Input should be a valid integer"),
    ],
)
def test_an_out_of_range_number_is_a_422_quoting_it(client: TestClient, url: str, detail: str) -> None:
    r = client.get(url, headers={"Accept": "application/json"})
    assert r.status_code == 422, r.text[:300]
    assert detail in r.json()["detail"]


def test_mcp_arguments_are_named_with_what_they_accept(client: TestClient) -> None:
    arguments = {"year": "abc", "limit": -1, "sort": "size"}
    message = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "list_models", "arguments": arguments},
    }
    error = client.post("/mcp", json=message, headers=RPC).json()["error"]
    assert error["data"] == {"arguments": ["limit", "sort", "year"]}
    text = error["message"]
    assert text.startswith("list_models: ")
    assert "year='abc' is not accepted: it takes an integer of at least 0 (Released in this calendar year" in text
    assert "limit=-1 is not accepted: it takes an integer from 1 to 500" in text
    assert "sort='size' is not accepted: it takes one of 'name', 'date', 'parameters', 'active_parameters'" in text
    assert "pydantic" not in text and "validation error" not in text


def test_a_shared_link_with_campaign_tags_opens(client: TestClient) -> None:
    # A page shared through a newsletter or a social site arrives with tags that ask for nothing.
    r = client.get(
        "/id/model/glm-4.5?utm_source=newsletter&utm_medium=email&fbclid=abc", headers={"Accept": "text/html"}
    )
    assert r.status_code == 200 and "GLM-4.5" in r.text
    r = client.get("/api/search?q=glm&utm_campaign=x", headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.json()["total"] > 0
    r = client.get("/api/search?q=glm&utm=x", headers={"Accept": "application/json"})  # not a campaign tag
    assert r.status_code == 422 and r.json()["parameter"] == "utm"
