"""MCP over HTTP without an MCP client: the GET answer, unknown arguments, and list_models's filters."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from kg.views.collection_filters import FILTERS

LOCAL = {"Host": "127.0.0.1:8000"}
RPC = {**LOCAL, "Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def _call(client: TestClient, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    message = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": arguments}}
    r = client.post("/mcp", json=message, headers=RPC)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _slugs(answer: dict[str, Any]) -> set[str]:
    assert "error" not in answer and not answer["result"].get("isError"), answer
    return {r["slug"] for r in answer["result"]["structuredContent"]["results"]}


@pytest.mark.parametrize("accept", ["*/*", None, "text/event-stream", "application/json"])
def test_get_mcp_answers_at_once_how_to_use_it(client: TestClient, accept: str | None) -> None:
    r = client.get("/mcp", headers={**LOCAL, **({"Accept": accept} if accept else {})})
    assert r.status_code == 405 and r.headers["allow"] == "POST"
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "POST JSON-RPC" in r.json()["detail"] and "kg mcp" in r.json()["detail"]


def test_list_models_takes_exactly_the_filters_of_api_models(client: TestClient) -> None:
    message = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    tools = {t["name"]: t for t in client.post("/mcp", json=message, headers=RPC).json()["result"]["tools"]}
    properties = set(tools["list_models"]["inputSchema"]["properties"])
    assert properties == set(FILTERS["models"]) | {"sort", "order", "limit", "cursor"}


def test_unknown_argument_is_refused_naming_the_allowed_ones(client: TestClient) -> None:
    answer = _call(client, "list_models", {"contry": "CN"})
    assert answer["error"]["code"] == -32602
    assert "'contry'" in answer["error"]["message"] and "country" in answer["error"]["message"]
    assert "year" in answer["error"]["data"]["allowed"]
    refused = _call(client, "search", {"query": "glm", "kidn": "model"})
    assert "kidn" in refused["error"]["message"]


def test_list_models_year_lists_and_counts_match_the_rest_api(client: TestClient) -> None:
    cases = [
        ({"year": 2025}, "year=2025"),
        ({"country": ["CN", "US"]}, "country=CN&country=US"),
        ({"country": "CN", "min_parameters": "100B"}, "country=CN&min_parameters=100B"),
        ({"min_active_parameters": 30_000_000_000}, "min_active_parameters=30000000000"),
    ]
    for arguments, query in cases:
        rest = client.get(f"/api/models?{query}&limit=500")
        assert rest.status_code == 200, (query, rest.text)
        expected = {r["slug"] for r in rest.json()["results"]}
        assert expected, query
        assert _slugs(_call(client, "list_models", {**arguments, "limit": 500})) == expected, query
    both = _slugs(_call(client, "list_models", {"country": ["CN", "US"], "limit": 500}))
    china = _slugs(_call(client, "list_models", {"country": "CN", "limit": 500}))
    assert china < both


def test_list_models_bad_count_is_an_mcp_error(client: TestClient) -> None:
    answer = _call(client, "list_models", {"min_parameters": "lots"})
    assert answer["error"]["code"] == -32602 and "7B" in answer["error"]["message"]
