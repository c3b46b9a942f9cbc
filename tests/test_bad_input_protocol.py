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
