"""Inputs built to break a string-built query (known-traps case 21 and friends) get correct,
empty or 4xx answers from every REST parameter, never another entity's data and never a 5xx."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from kg.errors import InvalidParameterError, NotFoundError
from kg.find.label_index import normalize
from kg.find.resolve import resolve
from kg.service import KnowledgeGraph
from kg.views import collection_filters, listing

HOSTILE = [
    'x" || true) } #',
    "x\\u0022 || true) } #",  # case 21: \u0022 is decoded to a quote before the SPARQL grammar runs
    "x\\U00000022) } #",
    '"',
    "'",
    "} UNION { ?s ?p ?o } #",
    "'; DROP GRAPH <https://w3id.org/aikg/graph/landscape> ; #",
    'glm-4.5" } # \n SELECT * WHERE { ?s ?p ?o',
    "https://w3id.org/aikg/id/model/glm-4.5> ?p ?o } #",
    "<http://x> } #",
    "http://x> } # ",
    "a\nb\rc\td",
    "?model",
    "$x",
    "%",
    "\\",
    'Zhipu AI" . ?x ?y ?z . #',
    'CN" || "1"="1',
    "x" * 10_000,
]
"""Quotes, escaped quotes, braces, comments, newlines, variables, IRIs with '>' and 10k chars."""

ENTITY_IRI = "https://w3id.org/aikg/id/"


def _assert_safe(r, path: str, accept: str = "application/json") -> None:  # type: ignore[no-untyped-def]
    assert r.status_code < 500, (path, r.status_code, r.text[:300])
    assert r.status_code in (200, 404, 406, 422), (path, r.status_code)
    if r.status_code != 200 and accept == "text/html":  # a browser gets the error page, its text escaped
        assert r.headers["content-type"].startswith("text/html")
        assert "<script" not in r.text.split("</head>", 1)[1] and '" || true)' not in r.text
    elif r.status_code != 200:
        assert r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("value", HOSTILE)
def test_every_filter_refuses_or_matches_nothing(client: TestClient, value: str) -> None:
    for collection, specs in collection_filters.FILTERS.items():
        for name in specs:
            r = client.get(f"/api/{collection}", params={name: value})
            _assert_safe(r, f"/api/{collection}?{name}=")
            # None of these strings names an entity: a filter never silently widens to everything.
            assert r.status_code == 422, (collection, name, r.status_code)
            assert r.json()["parameter"] == name


@pytest.mark.parametrize("value", HOSTILE)
def test_search_treats_hostile_text_as_text(client: TestClient, value: str) -> None:
    r = client.get("/api/search", params={"q": value})
    _assert_safe(r, "/api/search")
    if len(value) > 200 or not normalize(value):
        assert r.status_code == 422
        return
    assert r.status_code == 200
    # Only names that really contain the text may come back (a lone quote is in "China's …").
    needle = normalize(value)
    compact = "".join(c for c in needle if c.isalnum())
    for hit in r.json()["results"]:
        label = normalize(hit["matched"])
        assert needle in label or (hit["loose"] and compact in "".join(c for c in label if c.isalnum()))
    if any(word in value for word in ("true", "UNION", "DROP", "SELECT", "?p ?o")):  # nothing is named so
        assert r.json()["total"] == 0


@pytest.mark.parametrize("value", HOSTILE)
def test_entity_and_id_paths(client: TestClient, value: str) -> None:
    slug = quote(value, safe="")
    for path in (f"/api/models/{slug}", f"/api/models/{slug}/lineage", f"/id/model/{slug}", f"/api/{slug}/glm-4.5"):
        for accept in ("application/json", "text/turtle", "text/html"):
            r = client.get(path, headers={"Accept": accept})
            _assert_safe(r, path, accept)
            assert r.status_code != 200, path
    r = client.get("/api/compare", params={"models": f"glm-4.5,{value}"})
    _assert_safe(r, "/api/compare")
    assert r.status_code == 422


@pytest.mark.parametrize(
    ("raw", "says"), [("%FF%FE", "not UTF-8"), ("a%00b", "control character"), ("glm%1B", "control character")]
)
def test_search_refuses_bytes_that_are_not_text(client: TestClient, raw: str, says: str) -> None:
    # Undecodable escapes became U+FFFD and a NUL matched 87 names loosely: both were 200s.
    r = client.get(f"/api/search?q={raw}")
    assert r.status_code == 422
    assert r.json()["parameter"] == "q" and says in r.json()["detail"]


def test_known_trap_21_exact_request(client: TestClient) -> None:
    # GET /entities?name=x%5Cu0022%20%7C%7C%20true)%20%7D%20%23 against our lookups.
    raw = "x%5Cu0022%20%7C%7C%20true)%20%7D%20%23"
    search = client.get(f"/api/search?q={raw}")
    assert search.status_code == 200 and search.json()["results"] == []
    for path in (f"/api/models?organization={raw}", f"/api/claims?about={raw}", f"/api/models?country={raw}"):
        r = client.get(path)
        assert r.status_code == 422
        assert "results" not in r.json()
    assert client.get(f"/api/models/{raw}").status_code == 404


def test_cursor_tampering_is_refused(client: TestClient) -> None:
    import base64
    import json

    for payload in (
        ["name", "asc", "after", 'x" } #', "y"],
        ["name", "asc", "sideways", "a", "b"],
        {"a": 1},
        "x" * 5000,
    ):
        cursor = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
        r = client.get("/api/models", params={"cursor": cursor})
        _assert_safe(r, "cursor")
        if r.status_code == 200:  # a well-formed cursor is only a position: it filters nothing
            assert r.json()["total"] == 105 or r.json()["total"] > 0
        else:
            assert r.json()["parameter"] == "cursor"


def test_core_resolution_binds_values(graph: KnowledgeGraph) -> None:
    store = graph.store.inner
    for value in HOSTILE:
        with pytest.raises(NotFoundError):
            resolve(store, "model", value, version=graph.version)
        with pytest.raises(InvalidParameterError):
            listing.list_collection(store, "models", {"organization": value}, version=graph.version)
    # An IRI that is not ours and not in the graph is not found, even if well-formed.
    with pytest.raises(NotFoundError):
        resolve(store, "model", ENTITY_IRI + "model/glm-4.5x", version=graph.version)
