"""The MCP server, driven by the official ``mcp`` client: ``kg mcp`` over stdio, and ``/mcp`` of a running ``kg serve``.

The same checks run on both transports: the tools with their JSON schemas, a search in Chinese,
an entity with sources, an update refused with the HTTP message, and a runaway query stopped within
the time limit.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.shared.exceptions import MCPError

from api.mcp_server import EXAMPLE_QUERIES, TOOLS
from tests.conftest import ROOT

LIMIT_S = 3.0
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
INSERT = "INSERT DATA { <http://ex.org/a> <http://ex.org/b> 1 }"


def _stdio() -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "cli.main", "mcp", "--query-timeout", str(LIMIT_S), "--workers", "1"],
        env={**os.environ, "KG_CACHE_BYTES": "0"},
        cwd=str(ROOT),
    )


def _drive(server: Any, check: Callable[[Client], Awaitable[None]]) -> None:
    async def main() -> None:
        async with Client(server, read_timeout_seconds=60) as client:
            await check(client)

    # In a thread of its own: Playwright's sync API (the page tests' session browser) keeps an
    # event loop running in the main thread, where anyio.run would refuse to start another.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(anyio.run, main).result()


def _data(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    return result.structured_content  # type: ignore[no-any-return]


async def _all_checks(client: Client, seen: dict[str, str] | None = None) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(TOOLS) <= set(tools)
    for name in TOOLS:
        assert tools[name].input_schema["type"] == "object"
        assert tools[name].output_schema is not None and "sources" in tools[name].output_schema["properties"]
    assert "query" in tools["sparql"].input_schema["properties"]
    assert tools["search"].annotations.read_only_hint is True

    found = _data(await client.call_tool("search", {"query": "智谱"}))
    assert found["results"][0]["name"] == "Zhipu AI"
    assert found["results"][0]["kind"] == "organization"

    glm = _data(await client.call_tool("get_entity", {"ref": "glm-4.5"}))
    total = glm["properties"]["aikg:totalParameters"]["values"][0]
    active = glm["properties"]["aikg:activeParameters"]["values"][0]
    assert (total["value"], active["value"]) == (355_000_000_000, 32_000_000_000)
    assert "https://github.com/zai-org/GLM-4.5" in total["sources"]
    assert any(s["graph"].endswith("/landscape") for s in glm["sources"])

    listed = _data(await client.call_tool("list_models", {"country": "CN", "architecture": "moe", "limit": 500}))
    assert "glm-4.5" in {r["slug"] for r in listed["results"]}
    assert all(r["country"]["code"] == "CN" for r in listed["results"])

    checked = _data(await client.call_tool("license_check", {"model": "deepseek-r1-distill-llama-70b"}))
    assert checked["flag"] is True

    family = _data(await client.call_tool("lineage", {"model": "llama-3.1-8b"}))
    assert "deepseek-r1-distill-llama-8b" in {d["slug"] for d in family["descendants"]}

    side = _data(await client.call_tool("compare", {"models": ["glm-4.5", "deepseek-v3"]}))
    assert [m["slug"] for m in side["models"]] == ["glm-4.5", "deepseek-v3"]

    quiet = _data(await client.call_tool("changes_since", {"since": "2020-01-01"}))
    assert quiet["count"] == 0  # the embedded graph: no import, no update yet

    claims = _data(await client.call_tool("claims_about", {"subject": "glm-4.5"}))
    assert claims["count"] > 0 and all("rating" in r and "evidence" in r for r in claims["results"])

    asked = _data(
        await client.call_tool("sparql", {"query": "ASK { model:glm-4.5 schema:creator organization:zhipu-ai }"})
    )
    assert asked["result"]["boolean"] is True
    rows = _data(await client.call_tool("sparql", {"query": next(iter(EXAMPLE_QUERIES.values()))}))
    assert "GLM-4.5" in {b["name"]["value"] for b in rows["result"]["results"]["bindings"]}

    with pytest.raises(MCPError) as refused:
        await client.call_tool("sparql", {"query": INSERT})
    assert "update" in refused.value.message.lower()
    if seen is not None:
        seen["refused"] = refused.value.message

    with pytest.raises(MCPError) as missing:
        await client.call_tool("get_entity", {"ref": "no-such-model-xyz"})
    assert "no-such-model-xyz" in missing.value.message

    started = time.monotonic()
    with pytest.raises(MCPError) as stopped:
        await client.call_tool("sparql", {"query": RUNAWAY})
    assert time.monotonic() - started < LIMIT_S + 5
    assert "time limit" in stopped.value.message or "timed out" in stopped.value.message.lower()

    resources = {str(r.uri) for r in (await client.list_resources()).resources}
    assert {"aikg://ontology.ttl", "aikg://context.jsonld"} <= resources
    ontology = await client.read_resource("aikg://ontology.ttl")
    assert "AIModel" in ontology.contents[0].text
    prompt = await client.get_prompt("write_sparql", {"question": "Which MoE models are from China?"})
    assert "aikg:AIModel" in prompt.messages[0].content.text


def test_mcp_over_stdio() -> None:
    _drive(_stdio(), _all_checks)


def test_mcp_over_streamable_http(live_server_factory: Callable[..., Any]) -> None:
    server = live_server_factory("--query-timeout", str(LIMIT_S), "--workers", "1", env={"KG_CACHE_BYTES": "0"})
    seen: dict[str, str] = {}
    _drive(server.url + "/mcp", lambda client: _all_checks(client, seen))
    # The MCP error says what the HTTP problem document says.
    problem = httpx.get(server.url + "/sparql", params={"query": INSERT}, timeout=30)
    assert problem.status_code == 400
    assert seen["refused"] == problem.json()["detail"]


@pytest.mark.parametrize("title", list(EXAMPLE_QUERIES))
def test_the_prompt_examples_answer_on_the_embedded_graph(graph: Any, title: str) -> None:
    from kg.engine.sparql import select

    rows = graph.read(select, EXAMPLE_QUERIES[title])
    assert len(rows) >= 2, title


def test_http_mcp_lets_in_local_and_public_hosts_only() -> None:
    """DNS-rebinding protection on a loopback bind: the public base URL's host (behind a proxy) is let in."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from kg.settings import Settings

    hello = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
    }
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    settings = Settings(workers=0, base_url="https://kg.example.org")
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8000") as client:
        assert client.post("/mcp", json=hello, headers=headers).json()["result"]["serverInfo"]["name"] == "aikg"
        assert client.post("/mcp", json=hello, headers={**headers, "Host": "kg.example.org"}).status_code == 200
        assert client.post("/mcp", json=hello, headers={**headers, "Host": "evil.example"}).status_code == 421
