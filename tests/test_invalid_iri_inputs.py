"""Names and IRIs that are not valid IRIs (spaces, ``<>"{}|^`\\``, NUL, bidi controls) on every
route that takes an entity: 200 when they name something, 404 (or 422 for a filter) when not,
never a 500. Every path and string query parameter is taken from the OpenAPI schema, so a route
added later is covered too."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

BAD_REFS = [
    "Llama 3.1 8B",
    "llama 3.1 8b",
    "GLM-4.5 ",
    "a<b>c",
    '"quoted"',
    "{x}",
    "x\\y",
    "^`|",
    "%",
    "\x00",
    "\u202egnp.exe",
    "..",
    " ",
    "💥",
    "_:b0",
    "model/glm-4.5",
    "http://x y",
    "urn:x y",
    "https://",
    "https://w3id.org/aikg/id/model/a b",
    "<https://w3id.org/aikg/id/model/glm-4.5>",
    "https://w3id.org/aikg/id/model/glm-4.5> . <x",
]
"""References a person or a script might type; none is a valid IRI or slug as written."""

PINNED = {"kind": "model", "collection": "models"}
"""Path parameters held at a valid value while the other one gets the bad reference."""

COMPANIONS = {
    "/api/analytics/path": {"from": "model/glm-4.5", "to": "model/deepseek-v3"},
    "/api/changes": {"since": "2025-01-01"},
    "/api/compare": {"models": "glm-4.5,deepseek-v3"},
}
"""Required parameters held valid while another gets the bad reference."""

# Query parameters that are not entity references (SPARQL text, dates, opaque cursors, enums).
_NOT_REFS = {"query", "since", "cursor", "as_of", "released_after", "released_before", "projection", "measure"}


def _operations(client: TestClient) -> list[tuple[str, dict[str, Any]]]:
    spec = client.get("/openapi.json").json()
    return [(path, ops["get"]) for path, ops in spec["paths"].items() if "get" in ops]


def _string_query_params(op: dict[str, Any]) -> list[str]:
    out = []
    for p in op.get("parameters", []):
        schema = p["schema"]
        types = [s.get("type") for s in schema.get("anyOf", [schema])]
        if p["in"] == "query" and "string" in types and "enum" not in str(schema) and p["name"] not in _NOT_REFS:
            out.append(p["name"])
    return out


def test_the_schema_lists_the_routes_that_take_entities(client: TestClient) -> None:
    paths = {path for path, _op in _operations(client) if "{slug}" in path}
    assert paths == {
        "/api/{collection}/{slug}",
        "/api/models/{slug}/lineage",
        "/api/models/{slug}/license-check",
        "/api/claims/{slug}/review",
        "/claims/{slug}",
        "/claims/{slug}/graph",
        "/id/{kind}/{slug}",
        "/graphs/ego/{kind}/{slug}",
        "/graphs/lineage/{slug}",
    }


@pytest.mark.parametrize("ref", BAD_REFS)
def test_path_parameters_never_500(client: TestClient, ref: str) -> None:
    failures = []
    for path, _op in _operations(client):
        names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
        for target in names:
            if target == "name":  # chart names: a fixed list, covered by the fuzz test
                continue
            values = {n: PINNED.get(n, "glm-4.5") for n in names}
            values[target] = ref
            url = path
            for n, v in values.items():
                url = url.replace("{" + n + "}", quote(v, safe=""))
            r = client.get(url, headers={"Accept": "application/json, text/html;q=0.9"}, follow_redirects=False)
            if r.request.url.raw_path.decode() != url:
                # The client removed a ".." segment (RFC 3986 §5.2.4), so another route answered
                # (/q/.. is the home page): the route itself never saw the reference.
                assert ref == ".." and r.status_code < 500, (url, r.request.url)
                continue
            expected = {200, 404} if target == "slug" else {404, 422}
            if ref.endswith("/"):
                expected.add(307)  # %2F is a path separator to the router, which redirects a trailing slash
            if r.status_code not in expected:
                failures.append(f"{r.status_code} {url}: {r.text[:150]}")
            elif r.status_code >= 400 and r.headers["content-type"] != "application/problem+json":
                failures.append(f"{r.status_code} {url} is not a problem document")
    assert failures == []


@pytest.mark.parametrize("ref", BAD_REFS)
def test_query_parameters_never_500(client: TestClient, ref: str) -> None:
    failures = []
    for path, op in _operations(client):
        if "{" in path:
            continue
        for name in _string_query_params(op):
            params = {**COMPANIONS.get(path, {}), name: ref}
            if path == "/api/compare":
                params = {"models": f"glm-4.5,{ref}"}
            r = client.get(path, params=params)
            if r.status_code >= 500 or r.status_code not in {200, 404, 422}:
                failures.append(f"{r.status_code} {path}?{name}={ref!r}: {r.text[:150]}")
    assert failures == []


def test_a_name_with_spaces_finds_the_model(client: TestClient) -> None:
    record = client.get("/api/models/Llama%203.1%208B")
    assert record.status_code == 200 and record.json()["slug"] == "llama-3.1-8b"
    assert client.get("/api/models/Llama%203.1%208B/lineage").json()["model"]["slug"] == "llama-3.1-8b"
    assert client.get("/api/models/Llama%203.1%208B/license-check").json()["name"] == "Llama 3.1 8B"
    assert client.get("/graphs/lineage/Llama%203.1%208B").status_code == 200
    assert client.get("/api/models", params={"based_on": "Llama 3.1 8B"}).json()["filters"]["based_on"]["iri"] == (
        "https://w3id.org/aikg/id/model/llama-3.1-8b"
    )
    # The IRI path is exact: a name is no slug there, but the 404 points at the right one.
    missing = client.get("/id/model/Llama%203.1%208B", headers={"Accept": "application/json"})
    assert missing.status_code == 404 and missing.json()["suggestions"] == ["llama-3.1-8b"]
    page = client.get("/id/model/Llama%203.1%208B", headers={"Accept": "text/html"})  # a browser: the error page
    assert page.status_code == 404 and ">llama-3.1-8b</a>" in page.text
