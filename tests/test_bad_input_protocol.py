"""Issue 18, protocol and messages: HEAD, malformed query strings, raw UTF-8 URLs, syntax errors a
person can act on, and the texts of 401/403/413."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

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


# -- item 8: HEAD on every GET route is GET without the body ----------------------------------------

_FALLBACK = {"kind": "model", "query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 5"}
"""Values for required parameters the schema gives no example of."""


def _example(parameter: dict[str, Any]) -> str:
    schema = parameter.get("schema", {})
    if "example" in parameter:
        return str(parameter["example"])
    if parameter.get("examples"):
        return str(next(iter(parameter["examples"].values()))["value"])
    if schema.get("examples"):
        return str(schema["examples"][0])
    if schema.get("enum"):
        return str(schema["enum"][0])
    return _FALLBACK[parameter["name"]]


def _get_urls(client: TestClient) -> list[str]:
    urls = []
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        if "get" not in operations:
            continue
        query = {}
        for parameter in operations["get"].get("parameters", []):
            if not parameter.get("required"):
                continue
            if parameter["in"] == "path":
                path = path.replace("{" + parameter["name"] + "}", quote(_example(parameter), safe=""))
            elif parameter["in"] == "query":
                query[parameter["name"]] = _example(parameter)
        urls.append(path + ("?" + urlencode(query) if query else ""))
    return urls


_VOLATILE = {"date", "content-length", "etag", "x-total-count", "x-result-count"}


def test_head_answers_every_get_route_like_get_without_a_body(client: TestClient) -> None:
    urls = _get_urls(client)
    assert len(urls) > 30 and any(u.startswith("/api/search?q=") for u in urls)
    for url in urls:
        get = client.get(url)
        head = client.head(url)
        assert head.status_code == get.status_code, url
        assert head.content == b"", url
        assert head.headers.get("etag") == get.headers.get("etag"), url
        assert head.headers.get("content-length") == get.headers.get("content-length"), url
        same = {k: v for k, v in get.headers.items() if k not in _VOLATILE}
        assert {k: v for k, v in head.headers.items() if k not in _VOLATILE} == same, url
    # The query operation and a conditional HEAD too.
    sparql = client.head("/sparql", params={"query": "ASK {}"})
    assert sparql.status_code == 200 and sparql.content == b""
    assert sparql.headers["content-type"].startswith("application/sparql-results+json")
    etag = client.get("/api/models").headers["etag"]
    assert client.head("/api/models", headers={"If-None-Match": etag}).status_code == 304


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


# -- item 10: a URL the HTTP parser refuses still gets a problem document --------------------------


def _raw(url: str, request: bytes, head: bool = False) -> bytes:
    """Send raw bytes; read one response (its headers, then Content-Length bytes unless `head`)."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=60) as sock:
        sock.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data and (chunk := sock.recv(65536)):
            data += chunk
        top, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in top.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length" and not head:
                length = int(value)
        while len(body) < length and (chunk := sock.recv(65536)):
            body += chunk
    return top + b"\r\n\r\n" + body


def test_raw_utf8_url_is_a_problem_from_a_real_server(live_server: Any) -> None:
    import json

    answer = _raw(live_server.url, "GET /api/search?q=智谱 HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    assert lines[0] == "HTTP/1.1 400 Bad Request"
    assert headers["content-type"] == PROBLEM
    assert int(headers["content-length"]) == len(body)
    problem = json.loads(body)
    assert problem["status"] == 400
    assert "percent-encode" in problem["detail"] and "--data-urlencode" in problem["detail"]


def test_a_url_too_long_for_the_parser_is_told_so(live_server: Any) -> None:
    import json

    # 70,000 percent-encoded characters: the parser refuses it, and the answer must not only
    # talk about raw spaces (the URL has none); it says where long text goes instead.
    answer = _raw(live_server.url, f"GET /api/search?q={'a' * 70_000} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    detail = json.loads(body)["detail"]
    assert "too long" in detail and "POST body" in detail
    # The encoded URL, as the README now writes it, is answered.
    ok = _raw(live_server.url, f"GET /api/search?q={quote('智谱')} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert ok.startswith(b"HTTP/1.1 200")
    # HEAD over the real server: headers only (uvicorn sends no body after the headers).
    head_answer = _raw(live_server.url, b"HEAD /api/models HTTP/1.1\r\nHost: x\r\n\r\n", head=True)
    assert head_answer.startswith(b"HTTP/1.1 200") and head_answer.endswith(b"\r\n\r\n")
    assert b"etag:" in head_answer.lower()


def test_readme_example_encodes_the_url() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "curl -s 'http://127.0.0.1:8000/api/search?q=智谱'" not in readme
    assert "--data-urlencode q=智谱" in readme


# -- item 11: syntax errors a person can act on ------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "position", "says"),
    [
        ("SELECT * WHERE { ?s foo:bar ?o }", (1, 21), "unknown prefix foo: (declared: aikg, article,"),
        ("SELECT * WHERE { ?s schma:name ?o }", (1, 21), "did you mean schema:?"),
        ("SELECT * WHERE { ?s ?p ?o } LIMT 3", (1, 29), "unknown keyword LIMT (did you mean LIMIT?)"),
        ("SELECT * WHERE {\n  <rel> ?p ?o }", (2, 3), "relative IRI <rel> needs a BASE"),
    ],
)
def test_query_syntax_errors_name_the_mistake(
    client: TestClient, query: str, position: tuple[int, int], says: str
) -> None:
    r = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 400
    problem = r.json()
    assert (problem["line"], problem["column"]) == position
    first, source, caret = problem["detail"].split("\n")
    assert says in first
    assert "\\u{" not in problem["detail"] and "OPTIONAL" not in problem["detail"]
    assert source == "  " + query.splitlines()[position[0] - 1]
    assert caret == " " * (2 + position[1] - 1) + "^"  # under the token, after the two-space indent


@pytest.mark.parametrize(
    ("update", "position", "says"),
    [
        ("INSERT DATA {\n  GRAPH <urn:x:g> { <urn:x:a> <urn:x:b> }\n}", (2, 41), "expected one of"),
        (
            "INSRT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:b> 1 } }",
            (1, 1),
            "unknown keyword INSRT (did you mean INSERT?)",
        ),
        ("DELETE DATA { GRAPH <urn:x:g> { <urn:x:a> foo:b 1 } }", (1, 43), "unknown prefix foo:"),
    ],
)
def test_update_syntax_errors_are_where_they_are(
    client: TestClient, update: str, position: tuple[int, int], says: str
) -> None:
    from tests.conftest import TOKEN

    r = client.post("/sparql", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 400
    problem = r.json()
    assert (problem["line"], problem["column"]) == position
    assert says in problem["detail"]
    assert problem["detail"].endswith(" " * (position[1] + 1) + "^")
    assert "\\u{" not in problem["detail"]


def test_query_page_shows_the_named_mistake(live_server: Any, browser_page: Any) -> None:
    page = browser_page.page
    page.goto(live_server.url + "/sparql")
    editor = page.locator("#query")
    editor.fill("SELECT * WHERE { ?s ?p ?o } LIMT 3")
    editor.press("Control+Enter")
    page.wait_for_selector("#error")
    error = page.locator("#error").inner_text()
    assert "unknown keyword LIMT (did you mean LIMIT?)" in error
    assert "line 1, column 29" in error
    assert error.count("^") == 1  # the page draws one caret, under LIMT
    assert page.evaluate("document.getElementById('query').selectionStart") == 28
