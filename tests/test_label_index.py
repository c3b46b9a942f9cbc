"""The label index (kg/find/label_index.py): exact answers on a hand-built label set, and the same
answers as the straightforward scan it replaces on the embedded graph, for every kind of needle.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.find import label_index
from kg.find.label_index import LabelIndex, compact, normalize
from kg.find.search import label_index as index_of_version
from kg.service import KnowledgeGraph
from kg.settings import Settings
from kg.terms import slug_of
from tests.conftest import TOKEN

M = "https://example.org/model/"
ORG = "https://example.org/org/"
C = "https://example.org/concept/"

# (iri, label, rank): rank 0 = a name, 1 = an alternate name.
RECORDS = [
    (M + "glm-4.5", "GLM-4.5", 0),
    (M + "glm-4.5-air", "GLM-4.5-Air", 0),
    (M + "chatglm", "ChatGLM", 0),
    (M + "xglm", "XGLM 4.5", 0),
    (ORG + "zhipu", "Zhipu AI", 0),
    (ORG + "zhipu", "智谱", 1),
    (ORG + "zhipu", "智谱AI", 1),
    (ORG + "ali", "Alibaba Cloud", 0),
    (ORG + "ali", "阿里巴巴", 1),
    (M + "qwen", "Qwen", 0),
    (M + "qwen-ali", "Qwen", 0),  # a tie on everything but the IRI
    (C + "moe", "Mixture-of-Experts", 0),
    (C + "moe", "MoE", 1),
    (C + "dense", "Dense transformer", 0),
    (M + "zurich", "Zürich Model", 0),
]
KINDS = {
    M + "glm-4.5": "model",
    M + "glm-4.5-air": "model",
    M + "chatglm": "model",
    M + "xglm": "model",
    ORG + "zhipu": "organization",
    ORG + "ali": "organization",
    M + "qwen": "model",
    M + "qwen-ali": "model",
    C + "moe": "architecture",
    C + "dense": "concept",
    M + "zurich": "model",
}


@pytest.fixture(scope="module")
def small() -> LabelIndex:
    return LabelIndex(RECORDS, KINDS)


def hits(found: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    return [(h["slug"], h["match"], h["matched"], h["loose"]) for h in found["results"]]


def test_exact_prefix_contains_ranked(small: LabelIndex) -> None:
    found = small.search("glm-4.5")
    assert hits(found) == [
        ("glm-4.5", "exact", "GLM-4.5", False),
        ("glm-4.5-air", "prefix", "GLM-4.5-Air", False),
        # "glm45" (the compact needle) is in "xglm45" only with punctuation and spaces dropped
        ("xglm", "contains", "XGLM 4.5", True),
    ]
    assert found["total"] == 3


def test_compact_match_is_loose(small: LabelIndex) -> None:
    found = small.search("glm45")
    assert hits(found) == [
        ("glm-4.5", "exact", "GLM-4.5", True),
        ("glm-4.5-air", "prefix", "GLM-4.5-Air", True),
        ("xglm", "contains", "XGLM 4.5", True),
    ]


def test_contains_across_scripts(small: LabelIndex) -> None:
    assert hits(small.search("智谱")) == [("zhipu", "exact", "智谱", False)]
    assert small.search("智谱")["total"] == 1  # two labels, one entity
    assert hits(small.search("谱")) == [("zhipu", "contains", "智谱", False)]
    assert hits(small.search("巴巴")) == [("ali", "contains", "阿里巴巴", False)]
    assert hits(small.search("ZÜRICH")) == [("zurich", "prefix", "Zürich Model", False)]
    assert hits(small.search("ＲＩＣＨ")) == [("zurich", "contains", "Zürich Model", False)]


def test_one_and_two_character_needles(small: LabelIndex) -> None:
    one = small.search("g", limit=100)
    # prefix: glm-4.5, glm-4.5-air; contains, shorter key first: chatglm (7), "xglm 4.5" (8)
    assert [h["slug"] for h in one["results"]] == ["glm-4.5", "glm-4.5-air", "chatglm", "xglm"]
    assert one["total"] == 4
    two = small.search("ns", limit=100)
    assert hits(two) == [("dense", "contains", "Dense transformer", False)]
    assert small.search("q")["total"] == 2
    assert small.search("7")["total"] == 0


def test_ties_ordered_by_name_then_iri(small: LabelIndex) -> None:
    assert [h["iri"] for h in small.search("qwen")["results"]] == [M + "qwen", M + "qwen-ali"]


def test_name_before_alternate_name(small: LabelIndex) -> None:
    # "moe" is exact on the alternate name MoE; "mixture" a prefix of the name
    assert hits(small.search("moe")) == [("moe", "exact", "MoE", False)]
    index = LabelIndex([("urn:x:a", "Alpha", 0), ("urn:x:a", "Delta", 1), ("urn:x:b", "Delta Longer Name", 0)], {})
    # a name beats an alternate name before a shorter key does
    assert hits(index.search("elta")) == [
        ("urn:x:b", "contains", "Delta Longer Name", False),
        ("urn:x:a", "contains", "Delta", False),
    ]


def test_kind_filter_and_concept_includes_architecture(small: LabelIndex) -> None:
    assert [h["slug"] for h in small.search("e", kind="concept", limit=100)["results"]] == ["dense", "moe"]
    assert [h["slug"] for h in small.search("e", kind="architecture", limit=100)["results"]] == ["moe"]
    assert small.search("glm", kind="organization") == {"total": 0, "results": []}
    assert small.search("glm", kind="spaceship") == {"total": 0, "results": []}
    assert small.search("glm", kind="model")["total"] == 4


def test_limit_keeps_total(small: LabelIndex) -> None:
    found = small.search("glm", limit=2)
    assert [h["slug"] for h in found["results"]] == ["glm-4.5", "glm-4.5-air"]
    assert found["total"] == 4


def test_no_match_and_unknown_characters(small: LabelIndex) -> None:
    assert small.search("zzz") == {"total": 0, "results": []}
    assert small.search("☃") == {"total": 0, "results": []}
    assert LabelIndex([], {}).search("a") == {"total": 0, "results": []}


def test_long_needle_does_not_run_into_the_next_key() -> None:
    # keys "abcx" and "defg…": "xdef" spans the boundary of two sorted keys and must not match
    index = LabelIndex([("urn:a", "abcx", 0), ("urn:b", "defgh", 0)], {})
    assert index.search("xdef")["total"] == 0
    assert index.search("cx")["total"] == 1
    assert index.search("bcx")["total"] == 1
    assert index.search("efgh")["total"] == 1


@pytest.mark.parametrize(("block", "pack_bits"), [(3, 63), (1 << 16, 0), (2, 0)])
def test_build_in_blocks_and_without_packing_gives_the_same_index(
    small: LabelIndex, monkeypatch: pytest.MonkeyPatch, block: int, pack_bits: int
) -> None:
    monkeypatch.setattr(label_index, "_BLOCK", block)
    monkeypatch.setattr(label_index, "_PACK_BITS", pack_bits)
    other = LabelIndex(RECORDS, KINDS)
    assert other._postings.tolist() == small._postings.tolist()
    assert other._gram_codes.tolist() == small._gram_codes.tolist()
    assert other._gram_start.tolist() == small._gram_start.tolist()
    for q in ("g", "gl", "glm", "glm-4", "智谱", "e", "ert"):
        assert other.search(q, limit=100) == small.search(q, limit=100)


def test_items_in_first_seen_order(small: LabelIndex) -> None:
    items = dict(small.items())
    assert list(items)[:2] == ["glm-4.5", "glm45"]
    assert items["智谱"] == [(ORG + "zhipu", "智谱", 1)]
    concepts = dict(small.items(kinds={"concept", "architecture"}))
    assert list(concepts) == ["mixture-of-experts", "mixtureofexperts", "moe", "dense transformer", "densetransformer"]
    assert concepts["moe"] == [(C + "moe", "MoE", 1)]
    assert dict(small.items(kinds={"spaceship"})) == {}


# -- the same answers as a scan of every key ---------------------------------------------------


def reference_search(index: LabelIndex, q: str, kind: str | None, limit: int) -> dict[str, Any]:
    """The scan the index replaces (kg/find/search.py before the index): every key, in Python."""
    entries = dict(index.items())
    keys = sorted(entries)
    needle = normalize(q)
    needles = [n for n in dict.fromkeys((needle, compact(needle))) if n]
    best: dict[str, tuple[int, bool, int, int, str, str]] = {}

    def offer(key: str, rank: int, n: str) -> None:
        for iri, label, prop_rank in entries[key]:
            entry_kind = index.kinds.get(iri, "other")
            if kind and entry_kind != kind and not (kind == "concept" and entry_kind == "architecture"):
                continue
            loose = n != needle or key != normalize(label)
            candidate = (rank, loose, prop_rank, len(key), label, iri)
            if iri not in best or candidate < best[iri]:
                best[iri] = candidate

    for n in needles:
        if n in entries:
            offer(n, 0, n)
        for key in keys[bisect.bisect_left(keys, n) :]:
            if not key.startswith(n):
                break
            if key != n:
                offer(key, 1, n)
    for key in keys:
        for n in needles:
            if n in key and not key.startswith(n):
                offer(key, 2, n)
    ranked = sorted(best.values(), key=lambda t: (t[0], t[1], t[2], t[3], index.names[t[5]].casefold(), t[5]))
    return {
        "total": len(ranked),
        "results": [
            {
                "iri": iri,
                "slug": slug_of(iri),
                "kind": index.kinds.get(iri, "other"),
                "name": index.names[iri],
                "matched": label,
                "match": ("exact", "prefix", "contains")[rank],
                "loose": loose,
            }
            for rank, loose, _p, _l, label, iri in ranked[:limit]
        ],
    }


def test_small_set_agrees_with_the_scan(small: LabelIndex) -> None:
    needles = {k[i : i + n] for k, _ in small.items() for n in (1, 2, 3, 5) for i in range(len(k))}
    for q in sorted(needles):
        for kind in (None, "model", "concept"):
            assert small.search(q, kind=kind, limit=3) == reference_search(small, q, kind, 3), (q, kind)


def test_embedded_graph_agrees_with_the_scan(graph: KnowledgeGraph) -> None:
    index = index_of_version(graph.store.inner, graph.version)
    keys = [k for k, _ in index.items()]
    rng = random.Random(11)
    needles = {"智谱", "glm-4.5", "glm45", "GLM 4.5", "qwen", "mixture of experts", "Zhìpú", "e", "-", "4", " "}
    for key in rng.sample(keys, 60):
        for n in (1, 2, 3, 4, 7):
            start = rng.randrange(max(1, len(key) - n + 1))
            needles.add(key[start : start + n])
    needles = {q for q in needles if normalize(q)}
    assert len(needles) > 150
    for q in sorted(needles):
        for kind, limit in ((None, 20), ("model", 5), ("concept", 100), ("organization", 1)):
            assert index.search(q, kind=kind, limit=limit) == reference_search(index, q, kind, limit), (q, kind)


# -- search answers follow writes ---------------------------------------------------------------

PROBE = "https://w3id.org/aikg/id/model/search-probe"
INSERT = (
    "INSERT DATA { GRAPH <https://w3id.org/aikg/graph/test-search> "
    f'{{ <{PROBE}> a aikg:AIModel ; schema:name "Qxzv Probe 9" }} }}'
)
DROP = "DROP GRAPH <https://w3id.org/aikg/graph/test-search>"


@pytest.fixture(scope="module")
def writable() -> Iterator[TestClient]:
    settings = Settings(workers=1, update_token=TOKEN, query_timeout_s=20)
    service = KnowledgeGraph.open(settings)
    with TestClient(create_app(settings, service)) as c:
        yield c
    service.close()


def test_search_follows_writes(writable: TestClient) -> None:
    client = writable
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}

    def probe() -> dict[str, Any]:
        r = client.get("/api/search", params={"q": "xzv pro", "kind": "model"})
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    assert probe()["total"] == 0
    assert client.post("/sparql", content=INSERT, headers=auth).status_code == 204
    found = probe()
    assert found["total"] == 1
    assert [(h["slug"], h["match"], h["matched"]) for h in found["results"]] == [
        ("search-probe", "contains", "Qxzv Probe 9")
    ]
    assert client.post("/sparql", content=DROP, headers=auth).status_code == 204
    assert probe()["total"] == 0


def test_suggestions_rank_exact_and_prefix_names_first(client: TestClient) -> None:
    """What the search box shows (8 suggestions): "glm" gives the GLM family and GLM models before ChatGLM."""
    names = [r["name"] for r in client.get("/api/search?q=glm&limit=8").json()["results"]]
    assert names[0] == "GLM" and all(n.upper().startswith("GLM") for n in names), names
    everything = [r["name"] for r in client.get("/api/search?q=glm&limit=100").json()["results"]]
    first_inner = next(i for i, n in enumerate(everything) if not n.upper().startswith("GLM"))
    assert all(not n.upper().startswith("GLM") for n in everything[first_inner:])  # substrings (ChatGLM…) after
    assert "ChatGLM-6B" in everything[first_inner:]
