"""The ASGI shortcut for SPARQL queries answers exactly as the FastAPI route does.

Requests carrying ``Origin`` take the full stack (CORS, routing, the route); the same request
without it takes the shortcut (api/middleware/sparql_fastpath.py). Status, media type, body and protocol
headers must agree, errors included.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

SELECT = "SELECT ?name WHERE { ?m a aikg:AIModel ; schema:name ?name } ORDER BY ?name LIMIT 3"
CONSTRUCT = "CONSTRUCT { ?m schema:name ?n } WHERE { ?m a aikg:AIModel ; schema:name ?n } ORDER BY ?n LIMIT 2"

CASES = [
    ("post", {"content": SELECT, "headers": {"Content-Type": "application/sparql-query"}}),
    ("post", {"data": {"query": SELECT}, "headers": {"Accept": "text/csv"}}),
    ("get", {"params": {"query": SELECT}, "headers": {"Accept": "application/sparql-results+xml"}}),
    ("get", {"params": {"query": CONSTRUCT}, "headers": {"Accept": "application/n-triples"}}),
    (
        "post",
        {
            "content": "ASK { ?s ?p ?o }",
            "headers": {"Content-Type": "application/sparql-query", "Accept": "text/tab-separated-values"},
        },
    ),
    ("post", {"content": "SELECT ?x WHERE { ?x ?p }", "headers": {"Content-Type": "application/sparql-query"}}),
    ("get", {"params": {"query": SELECT}, "headers": {"Accept": "image/png"}}),
    ("get", {"params": {"query": "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }"}}),
    ("post", {"data": {"query": [SELECT, SELECT]}}),
    ("post", {"data": {"query": 'SELECT ?x WHERE { BIND("a%41" AS ?x) }'}}),
    ("get", {"params": {"query": SELECT, "default-graph-uri": "https://w3id.org/aikg/graph/landscape"}}),
]


@pytest.mark.parametrize(("method", "kwargs"), CASES)
def test_shortcut_and_route_agree(client: TestClient, method: str, kwargs: dict) -> None:
    fast = getattr(client, method)("/sparql", **kwargs)
    routed_headers = {**kwargs.get("headers", {}), "Origin": "http://example.org"}
    routed = getattr(client, method)("/sparql", **{**kwargs, "headers": routed_headers})
    assert fast.status_code == routed.status_code
    assert fast.headers["content-type"] == routed.headers["content-type"]
    assert fast.content == routed.content
    for header in ("x-result-count", "cache-control"):
        assert fast.headers.get(header) == routed.headers.get(header)
    # CORS adds "Origin" to Vary on cross-origin answers; the rest must agree.
    vary = [v.strip() for v in routed.headers.get("vary", "").split(",") if v.strip() and v.strip() != "Origin"]
    assert fast.headers.get("vary", "") == ", ".join(vary)
    assert "access-control-allow-origin" in routed.headers  # the routed one really went through CORS


def test_percent_literal_is_decoded_once(client: TestClient) -> None:
    r = client.post("/sparql", data={"query": 'SELECT ?x WHERE { BIND("a%41" AS ?x) }'})
    assert r.json()["results"]["bindings"][0]["x"]["value"] == "a%41"
