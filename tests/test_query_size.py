"""The query text cap (KG_MAX_QUERY_CHARS) on every entrance, and the pattern-count guard.

A flat query of 20,000 ``?s ?p ?o .`` patterns (240 KB) used to kill its worker with SIGSEGV (a 503);
8,200 patterns do it, 57 KB when written tightly. Now a text over the cap is a 413 naming the limit,
the size and the setting, and a shorter text with too many patterns is a 400 naming the pattern
limit; a 50 KB ``VALUES`` query still runs.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.engine.query_checks import MAX_PATTERNS, check_query, check_update
from kg.errors import QueryTooComplexError, QueryTooLargeError
from kg.service import KnowledgeGraph
from kg.settings import Settings
from tests.conftest import TOKEN

LIMIT = Settings().max_query_chars
FLAT_240KB = "SELECT * WHERE { " + "?s ?p ?o . " * 20_000 + "}"
TIGHT_FLAT = "SELECT*WHERE{" + "?s?p?o." * 8_500 + "}"  # 59.5 KB: under the cap, over the crash threshold
OPTIONALS = "SELECT*WHERE{?s?p?o" + "OPTIONAL{?s?p?o}" * 3_000 + "}"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
RPC = {"Host": "127.0.0.1:8000", "Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def _values_query(target_chars: int) -> str:
    """A legitimate VALUES query of about `target_chars`: IRIs, typed literals, language strings, decimals."""
    rows, i = [], 0
    while sum(len(r) + 1 for r in rows) < target_chars:
        rows.append(f'(<https://w3id.org/aikg/id/model/m-{i}> "{i}"^^xsd:integer "name {i}"@en-GB {i}.5)')
        i += 1
    return "SELECT ?m ?n WHERE { VALUES (?m ?n ?label ?x) { " + " ".join(rows) + " } } LIMIT 3"


def _assert_413(response: Any, size: int) -> None:
    assert response.status_code == 413, response.text[:300]
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert (body["limit"], body["size"], body["setting"]) == (LIMIT, size, "KG_MAX_QUERY_CHARS")
    assert f"{size:,}" in body["detail"] and f"{LIMIT:,}" in body["detail"] and "KG_MAX_QUERY_CHARS" in body["detail"]


def test_the_default_cap_is_64_kib_and_set_by_its_variable() -> None:
    assert LIMIT == 65_536
    assert Settings.from_env({"KG_MAX_QUERY_CHARS": "1000"}).max_query_chars == 1000


def test_a_text_over_the_cap_is_refused_before_parsing() -> None:
    with pytest.raises(QueryTooLargeError) as caught:
        check_query(FLAT_240KB, max_chars=LIMIT)
    assert (caught.value.size, caught.value.limit) == (len(FLAT_240KB), LIMIT)
    with pytest.raises(QueryTooLargeError):
        check_update("DELETE WHERE { " + "?s ?p ?o . " * 7_000 + "}", max_chars=LIMIT)


@pytest.mark.parametrize("text", [TIGHT_FLAT, OPTIONALS], ids=["flat", "optional"])
def test_too_many_patterns_under_the_cap_is_refused(text: str) -> None:
    assert len(text) < LIMIT
    with pytest.raises(QueryTooComplexError, match=f"more than {MAX_PATTERNS} triple patterns"):
        check_query(text, max_chars=LIMIT)


def test_a_50kb_values_query_and_a_big_insert_data_pass_the_checks() -> None:
    query = _values_query(50_000)
    assert 50_000 <= len(query) < LIMIT
    assert check_query(query, max_chars=LIMIT) == "SELECT"
    triples = " . ".join(f'<http://e/s{i}> <http://e/p> "o {i}"@en-GB , 1.5' for i in range(10_000))
    check_update("INSERT DATA { GRAPH <http://e/g> { " + triples + " } }", max_chars=LIMIT)  # 560 KB: data only


def test_query_entrances_answer_413_naming_limit_size_and_setting(client: TestClient) -> None:
    query = FLAT_240KB
    _assert_413(client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"}), len(query))
    _assert_413(client.post("/sparql", data={"query": query}), len(query))
    _assert_413(client.post("/q", json={"query": query}), len(query))


def test_get_query_over_a_lower_cap_is_413(settings: Settings, graph: KnowledgeGraph) -> None:
    query = "SELECT * WHERE { " + "?s ?p ?o . " * 100 + "}"
    with TestClient(create_app(replace(settings, max_query_chars=1000), graph)) as small:
        r = small.get("/sparql", params={"query": query})
        assert r.status_code == 413 and (r.json()["limit"], r.json()["size"]) == (1000, len(query))
        assert small.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_update_over_the_cap_is_413_and_changes_nothing(client: TestClient) -> None:
    update = "DELETE WHERE { " + "?s ?p ?o . " * 7_000 + "}"
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    before = client.get("/sparql", params={"query": count}).json()["results"]["bindings"][0]["n"]["value"]
    _assert_413(client.post("/sparql", data={"update": update}, headers=AUTH), len(update))
    after = client.get("/sparql", params={"query": count}).json()["results"]["bindings"][0]["n"]["value"]
    assert int(before) == int(after) > 1000


def test_tight_flat_query_is_a_400_not_a_dead_worker(client: TestClient) -> None:
    r = client.post("/sparql", content=TIGHT_FLAT, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400, r.text[:300]
    assert f"more than {MAX_PATTERNS} triple patterns" in r.json()["detail"]


def test_a_50kb_values_query_is_answered(client: TestClient) -> None:
    r = client.post("/sparql", data={"query": _values_query(50_000)})
    assert r.status_code == 200, r.text[:300]
    assert [b["n"]["value"] for b in r.json()["results"]["bindings"]] == ["0", "1", "2"]


def test_mcp_sparql_names_the_limit_and_the_setting(client: TestClient) -> None:
    message = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "sparql", "arguments": {}}}
    message["params"]["arguments"] = {"query": FLAT_240KB}  # type: ignore[index]
    answer = client.post("/mcp", json=message, headers=RPC).json()
    error = answer.get("error") or {}
    text = error.get("message") or str(answer["result"]["content"])
    assert "KG_MAX_QUERY_CHARS" in text and f"{LIMIT:,}" in text and f"{len(FLAT_240KB):,}" in text
