"""Faults through real clients against a real ``kg serve`` (issue 13, kind 3 and the fault tests).

Deeply nested or chained SPARQL used to crash the engine's parser (SIGSEGV in the worker: a plain
text 500; ``kg query`` exited 139). It is refused before parsing with a 400 naming the limit; and a
worker that dies for any reason answers problem+json, after which the next query is answered.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
import time
from typing import Any

import httpx
import psutil
import pytest

from kg.engine.query_checks import MAX_CHAIN, MAX_NESTING
from tests.conftest import ROOT, TOKEN, LiveServer

PROBLEM = "application/problem+json"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
ASK = "ASK { ?s ?p ?o }"
DEEP_BRACES = "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000
DEEP_PARENS = "SELECT * WHERE { FILTER(" + "(" * 10000 + "1" + ")" * 10000 + ") }"
LONG_UNION = "ASK{{?s?p?o}" + "UNION{?s?p?o}" * 3000 + "}"  # 39 KB: under the text cap (KG_MAX_QUERY_CHARS)
DEEP_CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000
DEEP_UPDATE = (
    "INSERT DATA { GRAPH <http://ex.org/deep> { <http://ex.org/s> <http://ex.org/p> " + "(" * 5000 + ")" * 5000 + " } }"
)
DEEP_WHERE_UPDATE = "DELETE WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000


@pytest.fixture(scope="module")
def server() -> Any:
    started = LiveServer("--query-timeout", "20")
    yield started
    started.stop()


def assert_problem(response: httpx.Response, status: int, *words: str) -> dict[str, Any]:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith(PROBLEM), response.headers["content-type"]
    body = response.json()
    for word in words:
        assert word in body["detail"], body["detail"]
    return body


def assert_alive(server: LiveServer) -> None:
    response = httpx.get(server.url + "/sparql", params={"query": ASK}, timeout=20)
    assert response.status_code == 200 and response.json()["boolean"] is True


@pytest.mark.parametrize("query", [DEEP_BRACES, DEEP_PARENS, LONG_UNION], ids=["braces", "parens", "union"])
def test_deep_query_is_a_400_naming_the_limit_on_every_query_path(server: LiveServer, query: str) -> None:
    limit = str(MAX_CHAIN) if "UNION" in query else str(MAX_NESTING)
    sparql = server.url + "/sparql"
    assert_problem(httpx.post(sparql, content=query, headers={"Content-Type": "application/sparql-query"}), 400, limit)
    assert_problem(httpx.post(sparql, data={"query": query}), 400, limit)
    if len(query) < 30_000:
        assert_problem(httpx.get(sparql, params={"query": query}), 400, limit)
    assert_alive(server)


def test_deep_construct_is_a_400_on_graph_pictures(server: LiveServer) -> None:
    url = server.url + "/graphs/query"
    assert_problem(httpx.post(url, data={"query": DEEP_CONSTRUCT}), 400, str(MAX_NESTING))
    assert_problem(httpx.get(url, params={"query": DEEP_CONSTRUCT}), 400, str(MAX_NESTING))
    assert_alive(server)


@pytest.mark.parametrize("update", [DEEP_UPDATE, DEEP_WHERE_UPDATE], ids=["data", "where"])
def test_deep_update_is_a_400_and_changes_nothing(server: LiveServer, update: str) -> None:
    sparql = server.url + "/sparql"
    assert_problem(httpx.post(sparql, data={"update": update}, headers=AUTH), 400, str(MAX_NESTING))
    assert_problem(
        httpx.post(sparql, content=update, headers={**AUTH, "Content-Type": "application/sparql-update"}),
        400,
        str(MAX_NESTING),
    )
    assert_alive(server)


def test_nesting_within_the_limit_is_answered(server: LiveServer) -> None:
    query = "SELECT * WHERE " + "{" * 150 + " ?s ?p ?o " + "}" * 150 + " LIMIT 1"
    response = httpx.post(server.url + "/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 200, response.text[:300]
    assert len(response.json()["results"]["bindings"]) == 1


def test_cli_query_refuses_deep_nesting_with_a_message(tmp_path: Any) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "query", "-"],
        input=DEEP_BRACES,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 2, (done.returncode, done.stderr[-500:])
    assert str(MAX_NESTING) in done.stderr and "nests" in done.stderr


def busy_worker(server_pid: int, window_s: float = 0.3) -> int | None:
    """The child of the server that used the most CPU over `window_s`, or None if none worked."""
    before: dict[int, float] = {}
    for child in psutil.Process(server_pid).children():
        with contextlib.suppress(psutil.Error):
            before[child.pid] = sum(child.cpu_times()[:2])
    time.sleep(window_s)
    used: dict[int, float] = {}
    for pid, cpu in before.items():
        with contextlib.suppress(psutil.Error):
            used[pid] = sum(psutil.Process(pid).cpu_times()[:2]) - cpu
    busiest = max(used, key=used.__getitem__, default=None)
    return busiest if busiest is not None and used[busiest] >= 0.05 * window_s else None


@pytest.mark.parametrize("method", ["GET", "POST-form", "POST-direct"])
def test_killed_worker_mid_query_answers_problem_json_and_the_next_query_works(server: LiveServer, method: str) -> None:
    outcome: dict[str, httpx.Response] = {}

    def runaway() -> None:
        url = server.url + "/sparql"
        if method == "GET":
            outcome["r"] = httpx.get(url, params={"query": RUNAWAY}, timeout=60)
        elif method == "POST-form":
            outcome["r"] = httpx.post(url, data={"query": RUNAWAY}, timeout=60)
        else:
            outcome["r"] = httpx.post(
                url, content=RUNAWAY, headers={"Content-Type": "application/sparql-query"}, timeout=60
            )

    thread = threading.Thread(target=runaway)
    thread.start()
    victim = None
    deadline = time.monotonic() + 10
    while victim is None and time.monotonic() < deadline:
        victim = busy_worker(server.process.pid)
    assert victim is not None, "the runaway query never kept a worker busy"
    psutil.Process(victim).kill()
    thread.join(timeout=30)
    assert not thread.is_alive(), "the client of the killed worker got no answer"
    body = assert_problem(outcome["r"], 503, "worker")
    assert "SIGKILL" in body["detail"]
    assert_alive(server)
