"""Issue 18, protocol and messages: HEAD, malformed query strings, raw UTF-8 URLs, syntax errors a
person can act on, and the texts of 401/403/413."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"


# -- item 9: a query string without `query` is malformed, whatever the Accept ---------------------


@pytest.mark.parametrize(
    "accept", ["application/json", "application/sparql-results+json", "text/turtle", "text/html", None]
)
def test_query_string_without_query_is_a_400(client: TestClient, accept: str | None) -> None:
    headers = {"Accept": accept} if accept else {}
    r = client.get("/sparql?foo=1", headers=headers)
    assert r.status_code == 400
    assert r.headers["content-type"].startswith(PROBLEM)
    assert "missing 'query' parameter (got foo)" in r.json()["detail"]


def test_bare_sparql_is_still_the_description_or_page(client: TestClient) -> None:
    assert client.get("/sparql", headers={"Accept": "text/turtle"}).status_code == 200
    assert client.get("/sparql", headers={"Accept": "text/html"}).headers["content-type"].startswith("text/html")


# -- item 13: a missing and a wrong token say which; one row cap, one number -----------------------


def test_missing_and_wrong_token_say_which(client: TestClient) -> None:
    update = "INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:p> 1 } }"
    missing = client.post("/sparql", data={"update": update})
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert "the update token is missing" in missing.json()["detail"]
    wrong = client.post("/sparql", data={"update": update}, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    assert "the token is not valid" in wrong.json()["detail"]
    assert wrong.json()["detail"] != missing.json()["detail"]
    scheme = client.post("/sparql", data={"update": update}, headers={"Authorization": "nope"})
    assert scheme.status_code == 403
    assert "not a Bearer token" in scheme.json()["detail"]
    assert "nope" not in scheme.json()["detail"]


@pytest.mark.parametrize(
    ("query", "unit"),
    [("SELECT * WHERE { ?s ?p ?o }", "rows"), ("CONSTRUCT WHERE { ?s ?p ?o }", "triples")],
)
def test_row_cap_reads_as_the_configured_number(query: str, unit: str) -> None:
    import pyoxigraph as ox

    from kg.engine.sparql import QueryRequest, execute
    from kg.errors import ResultTooLargeError

    store = ox.Store()
    g = ox.NamedNode("urn:x:g")
    for i in range(6):
        store.add(ox.Quad(ox.NamedNode(f"urn:x:{i}"), ox.NamedNode("urn:x:p"), ox.Literal(str(i)), g))
    assert execute(store, QueryRequest(query, max_rows=6)).count == 6  # exactly the cap is allowed
    with pytest.raises(ResultTooLargeError) as caught:
        execute(store, QueryRequest(query, max_rows=5))
    assert f"more than 5 {unit}" in caught.value.detail
