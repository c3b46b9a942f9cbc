"""``as_of=DATE`` on the REST lists and entities: two imports of the real Epoch file on top of the
embedded graph; a date between them answers from the first, today from the second, a date before
both from the curated graphs only. Through HTTP, with a real query worker."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.engine.dataset import SNAPSHOT_PREFIX, graphs_as_of, read_as_of
from kg.ingest.run import run_import
from kg.service import KnowledgeGraph
from kg.settings import Settings
from kg.views.entity import read_entity
from kg.views.listing import list_collection
from tests.importing import EPOCH, ROOT, edited_epoch_copy, embedded_store, need_shared_data

pytestmark = pytest.mark.realdata

T1 = datetime(2025, 1, 1, tzinfo=UTC)
T2 = datetime(2025, 6, 1, tzinfo=UTC)
BETWEEN, BEFORE, TODAY = "2025-03-01", "2024-12-31", date.today().isoformat()
AIKG = "https://w3id.org/aikg/ontology#"
G = "https://w3id.org/aikg/graph/"
CURATED_MODELS = 539
"""Models of the embedded graph alone (no import)."""


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    need_shared_data()
    store = embedded_store()
    run_import(store, "epoch", [EPOCH / "notable_ai_models.csv"], now=T1)
    # The later release: mPLUG-Owl2 (Epoch only) and DeepSeek-R1 (also curated) become API-only,
    # Pangu-Weather (Epoch only) is gone. (Qwen2-72B and Pangu Ultra, the earlier picks, are curated since issue 17.)
    v2 = edited_epoch_copy(
        tmp_path_factory.mktemp("epoch-v2"),
        accessibility={"mPLUG-Owl2": "API access", "DeepSeek-R1": "API access"},
        drop=("Pangu-Weather",),
    )
    run_import(store, "epoch", [v2], now=T2)
    settings = Settings(workers=1, query_timeout_s=30)
    graph = KnowledgeGraph(store, settings)
    with TestClient(create_app(settings, graph)) as c:
        yield c
    graph.close()


def _access(record: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """Accessibility values of an entity record: (concept, graphs stating it), sorted."""
    values = record["properties"]["aikg:accessibility"]["values"]
    return sorted((v["iri"].removeprefix(AIKG), sorted(g.removeprefix(G) for g in v["graphs"])) for v in values)


def test_between_the_imports_the_first_answers(client: TestClient) -> None:
    owl = client.get("/api/models/mplug-owl2", params={"as_of": BETWEEN}).json()
    assert _access(owl) == [("OpenWeightsUnrestricted", ["snapshot/epoch/1"])]
    assert owl["asOf"]["date"] == BETWEEN
    assert [g for g in owl["asOf"]["graphs"] if g.startswith(SNAPSHOT_PREFIX)] == [G + "snapshot/epoch/1"]
    assert owl["links"]["api"].endswith("/api/models/mplug-owl2?as_of=2025-03-01")
    # The fact DeepSeek-R1's curated record and the first release share is one value, from both graphs.
    r1 = client.get("/api/models/deepseek-r1", params={"as_of": BETWEEN}).json()
    assert _access(r1) == [("OpenWeightsUnrestricted", ["landscape", "snapshot/epoch/1"])]
    # Pangu-Weather was in the first release only.
    assert client.get("/api/models/pangu-weather", params={"as_of": BETWEEN}).json()["name"] == "Pangu-Weather"
    page = client.get("/api/models", params={"as_of": BETWEEN, "limit": 1}).json()
    assert page["total"] == 1392 and page["asOf"]["date"] == BETWEEN


def test_as_of_today_answers_from_the_second(client: TestClient) -> None:
    owl = client.get("/api/models/mplug-owl2", params={"as_of": TODAY}).json()
    assert _access(owl) == [("APIAccess", ["snapshot/epoch/2"])]
    assert client.get("/api/models/pangu-weather", params={"as_of": TODAY}).status_code == 404
    # The snapshot keeps what Epoch said even where today's union holds the curated value back.
    r1 = client.get("/api/models/deepseek-r1", params={"as_of": TODAY}).json()
    assert _access(r1) == [("APIAccess", ["snapshot/epoch/2"]), ("OpenWeightsUnrestricted", ["landscape"])]
    today = client.get("/api/models/deepseek-r1").json()
    assert _access(today) == [("OpenWeightsUnrestricted", ["landscape"])] and "asOf" not in today
    # Counts are DISTINCT: a model in the curated data and in the snapshot counts once.
    assert client.get("/api/models", params={"as_of": TODAY, "limit": 1}).json()["total"] == 1391
    assert client.get("/api/models", params={"limit": 1}).json()["total"] == 1391
    orgs = {
        r["slug"]: r["modelCount"]
        for r in client.get("/api/organizations", params={"as_of": TODAY, "limit": 500}).json()["results"]
    }
    now = {
        r["slug"]: r["modelCount"] for r in client.get("/api/organizations", params={"limit": 500}).json()["results"]
    }
    assert orgs == now
    assert (orgs["deepseek"], orgs["alibaba"], orgs["meta"], orgs["huawei"]) == (34, 82, 64, 7)


def test_filters_run_in_the_view(client: TestClient) -> None:
    def alibaba_open(**extra: str) -> set[str]:
        body = client.get(
            "/api/models", params={"organization": "alibaba", "open_weights": "true", "limit": 500, **extra}
        ).json()
        return {r["slug"] for r in body["results"]}

    assert "mplug-owl2" in alibaba_open(as_of=BETWEEN)
    assert "mplug-owl2" not in alibaba_open(as_of=TODAY)
    assert "mplug-owl2" not in alibaba_open()
    huawei = client.get("/api/organizations/huawei", params={"as_of": BETWEEN}).json()
    assert huawei["name"] == "Huawei"
    by_huawei = client.get("/api/models", params={"organization": "huawei", "as_of": BETWEEN}).json()
    assert "pangu-weather" in {r["slug"] for r in by_huawei["results"]}
    by_huawei_now = client.get("/api/models", params={"organization": "huawei"}).json()
    assert "pangu-weather" not in {r["slug"] for r in by_huawei_now["results"]}


def test_before_any_import_only_the_curated_graphs(client: TestClient) -> None:
    assert list_collection(embedded_store().inner, "models", limit=1)["total"] == CURATED_MODELS
    page = client.get("/api/models", params={"as_of": BEFORE, "limit": 1}).json()
    assert page["total"] == CURATED_MODELS
    assert not [g for g in page["asOf"]["graphs"] if g.startswith(SNAPSHOT_PREFIX) or "/import/" in g]
    assert G + "landscape" in page["asOf"]["graphs"]
    assert client.get("/api/models/mplug-owl2", params={"as_of": BEFORE}).status_code == 404
    r1 = client.get("/api/models/deepseek-r1", params={"as_of": BEFORE}).json()
    assert _access(r1) == [("OpenWeightsUnrestricted", ["landscape"])]
    orgs = client.get("/api/organizations", params={"as_of": BEFORE, "limit": 500}).json()
    assert orgs["total"] == 59
    assert client.get("/api/organizations", params={"limit": 1}).json()["total"] == 374


@pytest.mark.parametrize("collection", ["models", "organizations", "people", "licenses", "architectures", "claims"])
def test_every_collection_takes_as_of(client: TestClient, collection: str) -> None:
    body = client.get(f"/api/{collection}", params={"as_of": BEFORE}).json()
    assert body["asOf"]["date"] == BEFORE and body["total"] > 0
    bad = client.get(f"/api/{collection}", params={"as_of": "2025-02-30"})
    assert bad.status_code == 422 and bad.json()["parameter"] == "as_of"


@pytest.mark.parametrize("value", ["2025-13-01", "yesterday", "2025-3-1", "20250301", "2025-03-01T00:00", ""])
def test_invalid_as_of_is_422_naming_it(client: TestClient, value: str) -> None:
    for path in ("/api/models", "/api/models/glm-4.5", "/id/model/glm-4.5"):
        r = client.get(path, params={"as_of": value})
        assert r.status_code == 422, (path, value)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["parameter"] == "as_of"


def test_linked_data_as_of(client: TestClient) -> None:
    page = client.get("/id/model/pangu-weather", params={"as_of": BETWEEN}, headers={"Accept": "text/html"})
    assert page.status_code == 200 and 'id="as-of"' in page.text and "Pangu-Weather" in page.text
    assert client.get("/id/model/pangu-weather", headers={"Accept": "text/html"}).status_code == 404
    turtle = client.get("/id/model/mplug-owl2", params={"as_of": BETWEEN}, headers={"Accept": "text/turtle"})
    assert "aikg:OpenWeightsUnrestricted" in turtle.text and "aikg:APIAccess" not in turtle.text
    assert turtle.headers["content-location"].endswith("format=ttl&as_of=2025-03-01")
    moved = client.get(
        "/id/model/mplug-owl2",
        params={"as_of": BETWEEN},
        headers={"Accept": "application/json"},
        follow_redirects=False,
    )
    assert moved.status_code == 303 and moved.headers["location"] == "/api/models/mplug-owl2?as_of=2025-03-01"


def test_etag_and_caches_key_on_as_of(client: TestClient) -> None:
    # Alternate views of one dataset version: each answer stays its own (no cache mixes them).
    for _ in range(2):
        assert client.get("/api/models", params={"limit": 1}).json()["total"] == 1391
        assert client.get("/api/models", params={"as_of": BETWEEN, "limit": 1}).json()["total"] == 1392
        assert client.get("/api/models", params={"as_of": BEFORE, "limit": 1}).json()["total"] == CURATED_MODELS
    tags = {
        client.get("/api/models/mplug-owl2", params=p).headers["etag"]
        for p in ({}, {"as_of": BETWEEN}, {"as_of": TODAY})
    }
    assert len(tags) == 3


def test_read_as_of_in_the_core(client: TestClient) -> None:
    store = client.app.state.graph.store.inner  # type: ignore[attr-defined]
    graphs, record = read_as_of(store, BETWEEN, read_entity, "model", "mplug-owl2", version="v")
    assert graphs == graphs_as_of(store, BETWEEN)
    assert _access(record) == [("OpenWeightsUnrestricted", ["snapshot/epoch/1"])]
    # Outside the view, the same store answers today.
    assert _access(read_entity(store, "model", "mplug-owl2")) == [("APIAccess", ["import/epoch"])]


def _readme_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("### The landscape as of a date")
    return text[start : text.index("\n## ", start)]


def test_the_readme_sparql_answers(client: TestClient) -> None:
    catalog, view = re.findall(r"```sparql\n(.*?)```", _readme_section(), re.S)
    listed = client.get("/sparql", params={"query": catalog}, headers={"Accept": "text/csv"})
    lines = listed.text.strip().splitlines()
    assert lines[0].strip() == "snapshot,source,version,time,triples"
    assert [ln.split(",")[:3] for ln in lines[1:]] == [
        [G + "snapshot/epoch/1", "epoch", "1"],
        [G + "snapshot/epoch/2", "epoch", "2"],
    ]
    then = client.get("/sparql", params={"query": view}, headers={"Accept": "text/csv"}).text
    assert sorted(then.strip().splitlines()[1:]) == [
        f"DeepSeek-R1,{AIKG}OpenWeightsUnrestricted",
        # Qwen2-72B is curated now (Tongyi Qianwen license: restricted); Epoch's release said unrestricted,
        # and the view lists both, each from its graph
        f"Qwen2-72B,{AIKG}OpenWeightsRestricted",
        f"Qwen2-72B,{AIKG}OpenWeightsUnrestricted",
    ]
    counted = client.post(
        "/sparql",
        data={
            "query": "SELECT (COUNT(DISTINCT ?m) AS ?models) WHERE { ?m a aikg:AIModel }",
            "default-graph-uri": [G + "snapshot/epoch/1", G + "landscape"],
        },
        headers={"Accept": "text/csv"},
    )
    assert counted.text.split() == ["models", "1392"]
