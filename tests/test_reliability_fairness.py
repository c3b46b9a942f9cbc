"""Slow queries do not freeze the service (issue 13, kind 2), through real clients and ``kg serve``.

With the default two query workers, two slow anonymous queries used to make a trivial ASK, a
search and an entity lookup wait until the slow ones hit the time limit; ten at once left some
without an answer within the limit. The pool now keeps a reserved lane for short calls, counts
waiting in the time limit, and answers a request it cannot admit in time with 503 + Retry-After.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer

LIMIT_S = 6.0
MARGIN_S = 2.0  # each runaway's 503 arrives within the limit plus this, counted from its arrival
SHORT_S = 2.0  # what a short request may take while slow queries run (a shared 2-core machine)
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
ASK = "ASK { <https://w3id.org/aikg/id/model/glm-4.5> ?p ?o }"


@pytest.fixture(scope="module")
def server() -> Any:
    started = LiveServer("--query-timeout", str(LIMIT_S))  # the default two workers
    yield started
    started.stop()


class Runaway(threading.Thread):
    """One slow anonymous query; records when it was sent and what came back when."""

    def __init__(self, url: str, method: str = "GET") -> None:
        super().__init__(daemon=True)
        self.method = method
        self.sent = self.elapsed = 0.0
        self.response: httpx.Response | None = None
        # Built (and connected) before the clock starts: what is timed is the server's answer.
        self.client = httpx.Client(base_url=url, timeout=60)
        assert self.client.get("/health").status_code == 200

    def run(self) -> None:
        self.sent = time.monotonic()
        if self.method == "GET":
            self.response = self.client.get("/sparql", params={"query": RUNAWAY})
        else:
            self.response = self.client.post(
                "/sparql", content=RUNAWAY, headers={"Content-Type": "application/sparql-query"}
            )
        self.elapsed = time.monotonic() - self.sent
        self.client.close()


def timed(request: Any) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = request()
    return response, time.monotonic() - started


def short_requests(url: str) -> dict[str, tuple[httpx.Response, float]]:
    with httpx.Client(base_url=url, timeout=30) as client:
        return {
            "ask": timed(lambda: client.get("/sparql", params={"query": ASK})),
            "ask-post": timed(
                lambda: client.post("/sparql", content=ASK, headers={"Content-Type": "application/sparql-query"})
            ),
            "search": timed(lambda: client.get("/api/search", params={"q": "glm"})),
            "model": timed(lambda: client.get("/api/models/glm-4.5")),
            "health": timed(lambda: client.get("/health")),
        }


def assert_runaway_stopped_in_time(runaway: Runaway) -> None:
    assert runaway.response is not None, "the runaway query got no answer"
    assert runaway.response.status_code == 503, runaway.response.text[:300]
    assert runaway.response.headers["content-type"].startswith("application/problem+json")
    assert runaway.response.headers.get("retry-after"), "a 503 without Retry-After"
    assert runaway.elapsed <= LIMIT_S + MARGIN_S, f"503 after {runaway.elapsed:.1f} s (limit {LIMIT_S:g} s)"


def test_two_slow_queries_leave_short_requests_answered(server: LiveServer, record_property: Any) -> None:
    runaways = [Runaway(server.url, method) for method in ("GET", "POST")]
    for runaway in runaways:
        runaway.start()
    time.sleep(1.0)  # both hold a worker now
    answers = short_requests(server.url)
    for name, (response, seconds) in answers.items():
        record_property(f"{name}_s", round(seconds, 3))
        assert response.status_code == 200, (name, response.text[:300])
        assert seconds < SHORT_S, f"{name} took {seconds:.2f} s while two slow queries ran"
    assert answers["ask"][0].json()["boolean"] is True
    assert answers["model"][0].json()["name"] == "GLM-4.5"
    assert any("glm-4.5" in str(hit) for hit in answers["search"][0].json()["results"])
    assert all(r.is_alive() for r in runaways), "the slow queries ended before the short requests were timed"
    for runaway in runaways:
        runaway.join(timeout=LIMIT_S + 10)
        assert_runaway_stopped_in_time(runaway)


def test_ten_runaway_queries_each_get_503_in_time_and_short_requests_go_on(
    server: LiveServer, record_property: Any
) -> None:
    runaways = [Runaway(server.url, "GET" if i % 2 else "POST") for i in range(10)]
    for runaway in runaways:
        runaway.start()
    slowest = 0.0
    rounds = 0
    while any(r.is_alive() for r in runaways):
        for name, (response, seconds) in short_requests(server.url).items():
            assert response.status_code == 200, (name, response.status_code, response.text[:300])
            slowest = max(slowest, seconds)
        rounds += 1
        time.sleep(0.3)
    record_property("slowest_short_s", round(slowest, 3))
    assert rounds >= 3
    assert slowest < 2 * SHORT_S, f"a short request took {slowest:.2f} s while ten slow queries ran"
    for runaway in runaways:
        assert_runaway_stopped_in_time(runaway)
    # And the service is whole afterwards.
    assert httpx.get(server.url + "/sparql", params={"query": ASK}, timeout=10).json()["boolean"] is True
