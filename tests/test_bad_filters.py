"""Issue 18 item 3: an unknown filter is a 422 naming it, a repeated entity filter means OR."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kg.views import collection_filters


def _slugs(client: TestClient, query: str) -> set[str]:
    response = client.get(f"/api/models?{query}&limit=500")
    assert response.status_code == 200, response.text
    return {r["slug"] for r in response.json()["results"]}


# year is a filter since the model explorer (issue 14) needed it as a facet: released_in is not one
@pytest.mark.parametrize("query", ["released_in=2025", "openness=osi", "q=glm", "page=2", "format=csv"])
def test_unknown_collection_parameter_is_422_naming_it(client: TestClient, query: str) -> None:
    response = client.get(f"/api/models?{query}")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    name = query.split("=")[0]
    assert problem["parameter"] == name
    # it lists the real ones
    for real in ("country", "organization", "sort", "limit", "cursor", "as_of"):
        assert real in problem["detail"]


@pytest.mark.parametrize("collection", list(collection_filters.FILTERS))
def test_every_collection_refuses_unknown_parameters(client: TestClient, collection: str) -> None:
    response = client.get(f"/api/{collection}?nonsense=1")
    assert response.status_code == 422
    assert response.json()["parameter"] == "nonsense"


@pytest.mark.parametrize(
    "path",
    [
        "/graphs/landscape?country=CN",
        "/graphs/ego/model/glm-4.5?hops=2",
        "/graphs/lineage/deepseek-r1?depth=2",
        "/graphs/claims?subject=model/glm-4.5",
        "/graphs/query?query=CONSTRUCT%7B%3Fs%20%3Fp%20%3Fo%7DWHERE%7B%3Fs%20%3Fp%20%3Fo%7DLIMIT%201&limit=3",
    ],
)
def test_graph_pages_refuse_unknown_parameters(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["parameter"] == path.rsplit("&", 1)[-1].split("?")[-1].split("=")[0]
    assert "max_nodes" in response.json()["detail"]


def test_repeated_graph_parameter_is_422(client: TestClient) -> None:
    response = client.get("/graphs/landscape?year=2024&year=2025")
    assert response.status_code == 422
    assert response.json()["parameter"] == "year"


def test_repeated_entity_filter_means_or(client: TestClient) -> None:
    china, usa = _slugs(client, "country=CN"), _slugs(client, "country=US")
    assert china and usa and not china & usa
    assert _slugs(client, "country=CN&country=US") == china | usa
    body = client.get("/api/models?country=CN&country=US&limit=1").json()
    assert body["filters"]["country"]["value"] == ["CN", "US"]
    assert body["filters"]["country"]["iri"] == [
        "http://www.wikidata.org/entity/Q148",
        "http://www.wikidata.org/entity/Q30",
    ]
    # OR within a filter, AND across filters
    moe = _slugs(client, "architecture=moe")
    assert _slugs(client, "country=CN&country=US&architecture=moe") == (china | usa) & moe


def test_repeated_or_values_survive_paging(client: TestClient) -> None:
    first = client.get("/api/models?country=CN&country=US&limit=5").json()
    assert "country=CN" in first["links"]["next"] and "country=US" in first["links"]["next"]


@pytest.mark.parametrize("query", ["osi=true&osi=false", "min_parameters=1&min_parameters=2", "limit=3&limit=4"])
def test_repeated_single_value_parameter_is_422(client: TestClient, query: str) -> None:
    response = client.get(f"/api/models?{query}")
    assert response.status_code == 422
    assert response.json()["parameter"] == query.split("=")[0]


def test_repeated_filter_value_that_names_nothing_is_422(client: TestClient) -> None:
    response = client.get("/api/models?country=CN&country=Atlantis")
    assert response.status_code == 422
    assert response.json()["parameter"] == "country"


# -- parameter counts as people write them ------------------------------------------------------


@pytest.mark.parametrize(("written", "count"), [("7B", "7000000000"), ("1e9", "1000000000"), ("1.5t", "1500000000000")])
def test_counts_are_read_as_people_write_them(client: TestClient, written: str, count: str) -> None:
    assert _slugs(client, f"min_parameters={written}") == _slugs(client, f"min_parameters={count}")
    assert _slugs(client, f"max_active_parameters={written}") == _slugs(client, f"max_active_parameters={count}")
    page = client.get(f"/models?format=json&limit=200&min_parameters={written}")
    assert page.status_code == 200
    assert page.json()["total"] == client.get(f"/api/models?min_parameters={count}").json()["total"]


@pytest.mark.parametrize("written", ["7.5", "-1", "lots", "7X", "1e40"])
def test_a_bad_count_is_a_422_saying_what_is_accepted(client: TestClient, written: str) -> None:
    for path in ("/api/models", "/models"):
        response = client.get(f"{path}?min_parameters={written}", headers={"Accept": "application/json"})
        assert response.status_code == 422, (path, written)
        assert "7B" in response.text and "min_parameters" in response.text


def test_repeated_filter_on_the_explorer_page_is_or(client: TestClient) -> None:
    both = client.get("/models?format=json&country=CN&country=US").json()["total"]
    china = client.get("/models?format=json&country=CN").json()["total"]
    us = client.get("/models?format=json&country=US").json()["total"]
    assert both == china + us == client.get("/api/models?country=CN&country=US").json()["total"]
