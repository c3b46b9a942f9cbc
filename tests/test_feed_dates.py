"""An empty change feed is dated by the data's last change, the same on every request, with Last-Modified."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from email.utils import format_datetime

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.analysis.review import REVIEWS_GRAPH
from kg.service import KnowledgeGraph
from kg.settings import Settings
from kg.views.dataset_description import graph_provenance
from tests.conftest import TOKEN

EMPTY = "/feeds/changes.atom?year=1999"  # no model of 1999: no entry


@pytest.fixture
def fresh() -> Iterator[tuple[TestClient, KnowledgeGraph]]:
    """Its own graph: nothing written yet, and the writes here stay out of the session's graph."""
    settings = Settings(workers=0, update_token=TOKEN, cache_bytes=0)
    graph = KnowledgeGraph.open(settings)
    with TestClient(create_app(settings, graph)) as client:
        yield client, graph
    graph.close()


def _updated(client: TestClient, url: str) -> tuple[str, str | None]:
    r = client.get(url)
    assert r.status_code == 200 and "<entry>" not in r.text
    found = re.search(r"<updated>([^<]+)</updated>", r.text)
    assert found
    return found.group(1), r.headers.get("last-modified")


def test_an_empty_feed_is_dated_by_the_newest_source_graph(fresh: tuple[TestClient, KnowledgeGraph]) -> None:
    client, graph = fresh
    stamps = [g["generated"] for g in graph.read(graph_provenance) if g["generated"] and g["graph"] != REVIEWS_GRAPH]
    newest = max(datetime.fromisoformat(s.replace("Z", "+00:00")) for s in stamps)
    first, modified = _updated(client, EMPTY)
    assert datetime.fromisoformat(first) == newest
    assert modified == format_datetime(newest, usegmt=True)
    assert _updated(client, EMPTY) == (first, modified)  # the same on the next request
    assert client.get(EMPTY, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get("/feeds/changes.json?year=1999").headers["last-modified"] == modified


def test_after_an_update_an_empty_feed_is_dated_by_it(fresh: tuple[TestClient, KnowledgeGraph]) -> None:
    client, _ = fresh
    update = 'INSERT DATA { GRAPH graph:landscape { model:feed-date-test a aikg:AIModel ; schema:name "Feed Date" } }'
    assert (
        client.post("/sparql", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 204
    )
    newest = client.get("/feeds/changes.json").json()["items"][0]["date_modified"]
    updated, modified = _updated(client, EMPTY)
    assert datetime.fromisoformat(updated) == datetime.fromisoformat(newest.replace("Z", "+00:00"))
    assert modified == format_datetime(datetime.fromisoformat(updated).replace(microsecond=0), usegmt=True)
