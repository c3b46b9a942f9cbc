"""kg.analysis.analytics on a small fixture graph (tests/data/analytics.ttl) with values computed by hand,
and on the embedded default graph where the curated data fixes the answer.

Hand computations for the fixture (n nodes, m edges of each projection):

* organization-model: 14 nodes (Org A, Org B, Org C, Delta Lab; ten models), 11 edges. Degree
  centrality = degree / 13: Org B 4/13, Org A and Org C 3/13, Joint AB 2/13. Betweenness,
  normalised by (n-1)(n-2)/2 = 78 pairs: Org B lies between {b1}, {b2}, {b3} and the 4 nodes on
  the Org A side: 1+1+1+4+4+4 = 15 pairs -> 15/78; Joint AB between Org A's side (3) and Org B's
  (4): 12/78; Org A: 1·1 + 1·5 + 1·5 = 11/78; Org C: 3/78; leaves 0.
* lineage: 10 models, 5 edges (c1->a1, c2->c1, d1->c2, b2->b1, b2->a2). Degree / 9: Gamma-1,
  Gamma-1-Q and Beta-2 2/9. Betweenness (directed, / (9·8) = 72): Gamma-1-Q on d1->c1 and
  d1->a1, Gamma-1 on d1->a1 and c2->a1: 2/72 each.
* Louvain on organization-model: {Org A, a1, a2, Joint AB}, {Org B, b1, b2, b3},
  {Org C, c1, c2, d1}, {Delta Lab, e1}; modularity = 10/11 - (7²+7²+6²+2²)/22² = 151/242
  (Joint AB with Org B instead gives 10/11 - 146/484, lower).
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest

from kg.analysis import analytics
from kg.engine.load import load_default_graph, load_files
from kg.engine.store import KnowledgeStore
from kg.errors import InvalidParameterError, NotFoundError, QueryFormError, QuerySyntaxError

DATA = Path(__file__).resolve().parent / "data"
ID = "https://w3id.org/aikg/id/"
M = ID + "model/"
ORG = ID + "organization/"


@pytest.fixture(scope="module")
def store() -> ox.Store:
    ks = KnowledgeStore()
    load_default_graph(ks, DATA / "no-such-folder")  # the ontology only
    load_files(ks, [DATA / "analytics.ttl"])
    return ks.inner


def _scores(result: dict) -> dict[str, float]:
    return {row["label"]: row["score"] for row in result["results"]}


def test_degree_centrality_organization_model(store: ox.Store) -> None:
    result = analytics.centrality(store, "organization-model", "degree", limit=100)
    assert result["projection"]["name"] == "organization-model"
    assert (result["projection"]["nodes"], result["projection"]["edges"]) == (14, 11)
    scores = _scores(result)
    assert scores["Org B"] == pytest.approx(4 / 13)
    assert scores["Org A"] == pytest.approx(3 / 13)
    assert scores["Org C"] == pytest.approx(3 / 13)
    assert scores["Joint AB"] == pytest.approx(2 / 13)
    assert scores["Delta Lab"] == pytest.approx(1 / 13)
    assert [r["label"] for r in result["results"][:3]] == ["Org B", "Org A", "Org C"]
    assert result["results"][0]["degree"] == 4


def test_betweenness_organization_model(store: ox.Store) -> None:
    scores = _scores(analytics.centrality(store, "organization-model", "betweenness", limit=100))
    assert scores["Org B"] == pytest.approx(15 / 78)
    assert scores["Joint AB"] == pytest.approx(12 / 78)
    assert scores["Org A"] == pytest.approx(11 / 78)
    assert scores["Org C"] == pytest.approx(3 / 78)
    assert scores["Alpha-1"] == 0 and scores["Delta Lab"] == 0


def test_lineage_degree_and_betweenness(store: ox.Store) -> None:
    degree = analytics.centrality(store, "lineage", "degree", limit=100)
    assert (degree["projection"]["nodes"], degree["projection"]["edges"]) == (10, 5)
    d = _scores(degree)
    assert d["Gamma-1"] == d["Gamma-1-Q"] == d["Beta-2"] == pytest.approx(2 / 9)
    assert d["Joint AB"] == 0
    b = _scores(analytics.centrality(store, "lineage", "betweenness", limit=100))
    assert b["Gamma-1-Q"] == pytest.approx(2 / 72) and b["Gamma-1"] == pytest.approx(2 / 72)
    assert sum(b.values()) == pytest.approx(4 / 72)


def _power_iteration(G: nx.DiGraph, alpha: float = 0.85, tol: float = 1e-13) -> dict[str, float]:
    """PageRank by definition (dangling nodes spread uniformly), independent of networkx."""
    nodes = list(G)
    n = len(nodes)
    rank = dict.fromkeys(nodes, 1 / n)
    for _ in range(10_000):
        dangling = sum(rank[v] for v in nodes if G.out_degree(v) == 0)
        new = {v: (1 - alpha) / n + alpha * dangling / n for v in nodes}
        for v in nodes:
            for w in G.successors(v):
                new[w] += alpha * rank[v] / G.out_degree(v)
        if sum(abs(new[v] - rank[v]) for v in nodes) < tol:
            return new
        rank = new
    raise AssertionError("no convergence")


@pytest.mark.parametrize("name", ["lineage", "organization-model"])
def test_pagerank_matches_the_definition(store: ox.Store, name: str) -> None:
    result = analytics.centrality(store, name, "pagerank", limit=100)
    G = analytics.projection(store, name)
    expected = _power_iteration(G if G.is_directed() else G.to_directed())
    assert len(result["results"]) == G.number_of_nodes()
    for row in result["results"]:
        assert row["score"] == pytest.approx(expected[row["iri"]], abs=1e-6)
    assert sum(r["score"] for r in result["results"]) == pytest.approx(1.0)
    if name == "lineage":  # rank flows from derived models to their bases: the chain's root ranks first
        assert result["results"][0]["label"] == "Alpha-1"


def test_lineage_pagerank_by_hand_for_the_chain_root(store: ox.Store) -> None:
    # n = 10, alpha = 0.85. Dangling mass D (models with no base) is spread evenly. Along the chain
    # d1 -> c2 -> c1 -> a1 each node passes all its rank to its base, so with t = 0.015 + 0.085·D:
    # r(d1) = t, r(c2) = t + 0.85 t, r(c1) = t + 0.85 r(c2), r(a1) = t + 0.85 r(c1).
    result = {r["label"]: r["score"] for r in analytics.centrality(store, "lineage", "pagerank", limit=100)["results"]}
    dangling = sum(result[n] for n in ("Alpha-1", "Alpha-2", "Joint AB", "Beta-1", "Beta-3", "Delta-1"))
    t = 0.15 / 10 + 0.85 * dangling / 10
    c2 = t + 0.85 * t
    c1 = t + 0.85 * c2
    assert result["Gamma-1-Q-LoRA"] == pytest.approx(t, abs=1e-7)
    assert result["Gamma-1"] == pytest.approx(c1, abs=1e-7)
    assert result["Alpha-1"] == pytest.approx(t + 0.85 * c1, abs=1e-7)


def test_centrality_kind_filter_and_bad_values(store: ox.Store) -> None:
    result = analytics.centrality(store, "organization-model", "degree", kind="organization")
    assert [r["label"] for r in result["results"]] == ["Org B", "Org A", "Org C", "Delta Lab"]
    with pytest.raises(InvalidParameterError):
        analytics.centrality(store, "nope", "degree")
    with pytest.raises(InvalidParameterError):
        analytics.centrality(store, "lineage", "closeness")
    with pytest.raises(InvalidParameterError):
        analytics.centrality(store, "lineage", "degree", limit=0)


def test_lineage_chains(store: ox.Store) -> None:
    result = analytics.lineage_chains(store)
    assert result["projection"]["name"] == "lineage"
    assert result["longest"] == 3
    assert result["cycles"] == []
    chains = [[m["label"] for m in c["models"]] for c in result["chains"]]
    # Beta-2 has two bases, Beta-1 (fine-tune) and Alpha-2 (its teacher): equally long, names decide
    assert chains == [["Gamma-1-Q-LoRA", "Gamma-1-Q", "Gamma-1", "Alpha-1"], ["Beta-2", "Alpha-2"]]
    steps = result["chains"][0]["steps"]
    assert [s["derivation"] for s in steps] == [["adapter"], ["quantization"], ["fine-tune"]]
    assert result["chains"][1]["steps"][0]["properties"] == ["https://w3id.org/aikg/ontology#distilledFrom"]
    # cross-check: networkx's longest path in the DAG has the same length
    assert len(nx.dag_longest_path(analytics.projection(store, "lineage"))) - 1 == 3


def test_shortest_path_with_properties(store: ox.Store) -> None:
    result = analytics.shortest_path(store, M + "d1", ID + "person/p1")
    assert result["projection"]["name"] == "entities"
    assert result["length"] == 5
    walk = [
        (s["from"]["iri"].rsplit("/", 1)[-1], [(p["label"], p["direction"]) for p in s["properties"]])
        for s in result["steps"]
    ]
    assert walk == [
        ("d1", [("creator", "forward")]),
        ("c", [("author", "backward")]),
        ("c-about-a1", [("appearance", "forward")]),
        ("news", [("appearance", "backward")]),
        ("news", [("author", "forward")]),
    ]
    assert result["steps"][-1]["to"]["label"] == "Pat Reporter"
    assert result["steps"][3]["to"]["label"] == "Org A leads Org B in open models."


def test_shortest_path_in_a_projection_and_no_path(store: ox.Store) -> None:
    result = analytics.shortest_path(store, M + "d1", M + "a1", "lineage")
    assert result["length"] == 3
    assert [s["properties"][0]["iri"].rsplit("#", 1)[-1] for s in result["steps"]] == ["basedOn"] * 3
    none = analytics.shortest_path(store, M + "e1", M + "a1", "organization-model")
    assert none["length"] is None and none["steps"] == []
    with pytest.raises(NotFoundError):
        analytics.shortest_path(store, ORG + "a", M + "a1", "lineage")


def test_communities_louvain_seeded(store: ox.Store) -> None:
    result = analytics.communities(store, "organization-model", seed=42)
    assert result["projection"]["name"] == "organization-model"
    assert result["method"] == "louvain" and result["seed"] == 42
    groups = [{m["label"] for m in c["members"]} for c in result["communities"]]
    assert groups == [
        {"Alpha-1", "Alpha-2", "Joint AB", "Org A"},
        {"Beta-1", "Beta-2", "Beta-3", "Org B"},
        {"Gamma-1", "Gamma-1-Q", "Gamma-1-Q-LoRA", "Org C"},
        {"Delta Lab", "Delta-1"},
    ]
    assert result["modularity"] == pytest.approx(151 / 242)
    assert analytics.communities(store, "organization-model", seed=42) == result  # same seed, same answer
    with pytest.raises(InvalidParameterError):
        analytics.communities(store, "lineage", resolution=0)


def test_claims_projection(store: ox.Store) -> None:
    G = analytics.projection(store, "claims")
    edges = {(G.nodes[a]["label"], G.nodes[b]["label"]) for a, b in G.edges}
    assert edges == {("Org A", "Alpha-2"), ("Pat Reporter", "Org A"), ("Org B", "Beta-2"), ("Org C", "Alpha-1")}


# ---------------------------------------------------------------------------------- charts


def test_chart_releases_by_country(store: ox.Store) -> None:
    data = analytics.chart_data(store, "releases-by-country", since=2023)
    series = data["series"]
    assert series["quarters"] == [
        "2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3",
    ]  # fmt: skip
    assert series["regions"]["China"] == {
        "releases": [0, 0, 1, 0, 0, 1, 1, 2, 1],
        "openWeights": [0, 0, 1, 0, 0, 1, 1, 2, 0],
    }
    # Joint AB (Org A, CN + Org B, US) counts once in each region
    assert series["regions"]["United States"] == {
        "releases": [1, 0, 0, 1, 0, 0, 2, 0, 0],
        "openWeights": [0, 0, 0, 0, 0, 0, 2, 0, 0],
    }
    assert series["regions"]["others"]["releases"] == [0, 0, 0, 0, 0, 0, 0, 1, 0]
    assert "?since" in data["query"] and data["bindings"] == {"since": 2023}
    later = analytics.chart_data(store, "releases-by-country", since=2025)["series"]
    assert later["quarters"] == ["2025-Q1", "2025-Q2", "2025-Q3"]


def test_chart_moe_share(store: ox.Store) -> None:
    series = analytics.chart_data(store, "moe-share", since=2023)["series"]
    assert series["releases"] == [1, 0, 1, 1, 0, 1, 2, 3, 1]
    assert series["moe"] == [0, 0, 0, 0, 0, 1, 1, 1, 0]  # Delta-1's hybrid Mamba MoE counts as MoE
    assert series["share"] == [0.0, None, 0.0, 0.0, None, 1.0, 0.5, 0.3333, 0.0]


def test_charts_leave_out_a_year_only_date() -> None:
    # a model dated by its year alone (xsd:gYear) has no quarter: it is left out, and the other rows still chart
    ks = KnowledgeStore()
    load_default_graph(ks, DATA / "no-such-folder")
    load_files(ks, [DATA / "analytics.ttl"])
    ks.inner.load(
        b"""@prefix aikg: <https://w3id.org/aikg/ontology#> . @prefix schema: <https://schema.org/> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <https://w3id.org/aikg/id/model/year-only> a aikg:AIModel ; schema:name "Year Only" ;
            schema:datePublished "2025"^^xsd:gYear ; schema:creator <https://w3id.org/aikg/id/organization/a> .""",
        format=ox.RdfFormat.TURTLE,
    )
    assert analytics.chart_data(ks.inner, "moe-share", since=2023)["series"]["releases"] == [1, 0, 1, 1, 0, 1, 2, 3, 1]
    china = analytics.chart_data(ks.inner, "releases-by-country", since=2023)["series"]["regions"]["China"]
    assert china["releases"] == [0, 0, 1, 0, 0, 1, 1, 2, 1]


def test_chart_license_mix(store: ox.Store) -> None:
    series = analytics.chart_data(store, "license-mix")["series"]
    assert series["counts"] == {
        "China": {"osi": 4, "open-weights": 1, "closed": 0, "unknown": 1},
        "United States": {"osi": 1, "open-weights": 1, "closed": 2, "unknown": 0},
        "others": {"osi": 1, "open-weights": 0, "closed": 0, "unknown": 0},
    }
    with pytest.raises(InvalidParameterError):
        analytics.chart_data(store, "pie")


# ---------------------------------------------------------------------------------- pictures


def test_landscape_filters(store: ox.Store) -> None:
    every = analytics.landscape_graph(store)
    assert analytics.graph_summary(every)["kinds"] == {"organization": 4, "model": 10}
    assert every.nodes[M + "a2"]["variant"] == "moe" and every.nodes[M + "b1"]["variant"] == "dense"
    assert every.nodes[M + "a2"]["value"] == pytest.approx(11.0)  # log10 of 100e9 parameters
    assert every.nodes[ORG + "b"]["country"] == "US"
    models = lambda G: sorted(G.nodes[n]["label"] for n in G if G.nodes[n]["kind"] == "model")  # noqa: E731
    assert models(analytics.landscape_graph(store, year=2025)) == [
        "Beta-2", "Delta-1", "Gamma-1", "Gamma-1-Q", "Gamma-1-Q-LoRA", "Joint AB",
    ]  # fmt: skip
    assert models(analytics.landscape_graph(store, modality="video")) == ["Gamma-1-Q-LoRA"]
    assert models(analytics.landscape_graph(store, openness=["osi"])) == [
        "Alpha-1",
        "Delta-1",
        "Gamma-1",
        "Gamma-1-Q",
        "Joint AB",
    ]
    assert models(analytics.landscape_graph(store, openness=["closed"])) == ["Beta-1", "Beta-3"]
    assert models(analytics.landscape_graph(store, modality="image")) == ["Beta-1"]
    for bad in ({"openness": ["free"]}, {"modality": "smell"}, {"year": 99}):
        with pytest.raises(InvalidParameterError):
            analytics.landscape_graph(store, **bad)


def test_landscape_cap_keeps_whole_organizations(store: ox.Store) -> None:
    G = analytics.landscape_graph(store, max_nodes=10)
    # largest first: Org B (5 nodes with Joint AB), Org A (3 more); Org C's 4 would pass the cap, so
    # it is left out whole, and Delta Lab's 2 still fit
    assert {G.nodes[n]["label"] for n in G if G.nodes[n]["kind"] == "organization"} == {"Org A", "Org B", "Delta Lab"}
    assert G.number_of_nodes() == 10 and G.graph["truncated"] == 4


def test_claims_graph_marks_self_claims_and_conflicts(store: ox.Store) -> None:
    G = analytics.claims_graph(store)
    flags = {n.rsplit("/", 1)[-1]: G.nodes[n]["flags"] for n in G if G.nodes[n]["kind"] == "claim"}
    assert flags == {
        "a-self": ["self-claim"],
        "news": ["conflict of interest"],  # NewsCo is owned by Org A, the subject
        "news2": ["self-claim"],  # Org B about its own Beta-2; NewsCo's owner is not a party
        "c-about-a1": ["conflict of interest"],  # Org A, owner of NewsCo, made the subject Alpha-1
    }
    assert G.edges[ID + "article/news", ORG + "newsco", "https://schema.org/publisher"]["flags"] == [
        "conflict of interest"
    ]
    assert G.edges[ORG + "newsco", ORG + "a", "https://schema.org/parentOrganization"]["flags"] == [
        "conflict of interest"
    ]
    assert "owned by Org A, the subject" in G.nodes[ID + "claim/news"]["title"]
    about = analytics.claims_graph(store, about=M + "a2")
    assert {n.rsplit("/", 1)[-1] for n in about if about.nodes[n]["kind"] == "claim"} == {"a-self"}


def test_lineage_graph_levels_and_roles(store: ox.Store) -> None:
    G = analytics.lineage_graph(store, M + "c1")
    assert {G.nodes[n]["label"]: (G.nodes[n]["level"], G.nodes[n]["role"]) for n in G} == {
        "Alpha-1": (0, "ancestor"),
        "Gamma-1": (1, "focus"),
        "Gamma-1-Q": (2, "descendant"),
        "Gamma-1-Q-LoRA": (3, "descendant"),
    }
    assert sorted(d["label"] for *_, d in G.edges(data=True)) == ["adapter", "fine-tune", "quantization"]
    teacher = analytics.lineage_graph(store, M + "a2")
    assert {teacher.nodes[n]["label"]: teacher.nodes[n]["role"] for n in teacher} == {
        "Alpha-2": "focus", "Beta-2": "descendant", "Beta-1": "other parent",
    }  # fmt: skip
    assert sorted(d["label"] for *_, d in teacher.edges(data=True)) == ["distilled from (teacher)", "fine-tune"]


def test_ego_graph_depth_types_and_errors(store: ox.Store) -> None:
    G = analytics.ego_graph(store, ORG + "c")
    assert {G.nodes[n]["label"] for n in G if G.nodes[n]["kind"] == "model"} == {
        "Gamma-1",
        "Gamma-1-Q",
        "Gamma-1-Q-LoRA",
    }
    assert "China" in {G.nodes[n]["label"] for n in G}
    only = analytics.ego_graph(store, ORG + "c", depth=2, types=["model"])
    assert {only.nodes[n]["kind"] for n in only} == {"model", "organization"}  # the centre stays
    assert "Alpha-1" in {only.nodes[n]["label"] for n in only}  # two hops: c1 -> a1
    capped = analytics.ego_graph(store, ORG + "c", depth=3, max_nodes=5)
    assert capped.number_of_nodes() == 5 and capped.graph["truncated"] > 0
    with pytest.raises(InvalidParameterError):
        analytics.ego_graph(store, ORG + "c", depth=4)
    with pytest.raises(InvalidParameterError):
        analytics.ego_graph(store, ORG + "c", types=["planet"])
    with pytest.raises(NotFoundError):
        analytics.ego_graph(store, ORG + "nobody")


def test_ego_graph_of_an_entity_without_links_is_its_centre_alone() -> None:
    # A country only named and typed (Canada in the embedded graph) has no link to another IRI:
    # the picture is the centre, not a KeyError (HTTP 500).
    s = ox.Store()
    s.load(
        b"""<http://www.wikidata.org/entity/Q16> a <https://schema.org/Country> ;
        <https://schema.org/name> "Canada" ; <https://schema.org/identifier> "CA" .""",
        format=ox.RdfFormat.TURTLE,
    )
    G = analytics.ego_graph(s, "http://www.wikidata.org/entity/Q16")
    assert list(G.nodes) == ["http://www.wikidata.org/entity/Q16"]
    center = G.nodes["http://www.wikidata.org/entity/Q16"]
    assert (center["label"], center["kind"], center["flags"]) == ("Canada", "country", ["focus"])
    assert G.number_of_edges() == 0
    assert G.graph["title"] == "Canada: neighbourhood (depth 1)"


def test_ego_graph_does_not_expand_through_concepts(store: ox.Store) -> None:
    # depth 2 from Beta-3 reaches the text modality and dense-transformer concepts but not, through
    # them, every other text model
    G = analytics.ego_graph(store, M + "b3", depth=2)
    models = {G.nodes[n]["label"] for n in G if G.nodes[n]["kind"] == "model"}
    assert models == {"Beta-3", "Beta-1", "Beta-2", "Joint AB"}  # via Org B only


def test_construct_graph_and_query_forms(store: ox.Store) -> None:
    G = analytics.construct_graph(
        store, "CONSTRUCT { ?m schema:creator ?o ; schema:name ?n } WHERE { ?m schema:creator ?o ; schema:name ?n }"
    )
    assert G.number_of_edges() == 11 + 10
    assert G.nodes[M + "a1"]["kind"] == "model" and G.nodes[M + "a1"]["label"] == "Alpha-1"
    assert G.nodes['"Alpha-1"']["kind"] == "literal"
    with pytest.raises(QueryFormError):
        analytics.construct_graph(store, "SELECT * WHERE { ?s ?p ?o }")
    with pytest.raises(QueryFormError):
        analytics.construct_graph(store, "ASK { ?s ?p ?o }")
    with pytest.raises(QuerySyntaxError):
        analytics.construct_graph(store, "CONSTRUCT WHERE { ?s ?p }")
    capped = analytics.construct_graph(store, "CONSTRUCT WHERE { ?s ?p ?o }", max_triples=10)
    assert capped.number_of_edges() == 10 and capped.graph["truncated"] == 1


def test_case_28_literals_and_iris_stay_distinct() -> None:
    """Known-traps case 28: 7 distinct nodes, parallel edges of different properties kept."""
    data = (DATA / "case28.ttl").read_bytes()
    G = analytics.rdf_to_networkx(ox.parse(data, format=ox.RdfFormat.TURTLE))
    assert G.number_of_nodes() == 7
    assert G.number_of_edges() == 6
    assert {k for k, d in G.nodes(data=True) if d["term"] == "literal"} == {
        '"ACME"@en', '"ACME"@de', '"ACME"',
        '"1999"^^<http://www.w3.org/2001/XMLSchema#gYear>', '"1999"^^<http://www.w3.org/2001/XMLSchema#integer>',
    }  # fmt: skip
    # the one plain "ACME" literal is shared by ex:acme and ex:beta, as RDF says
    assert G.in_degree('"ACME"') == 2


def test_resolve_ref(store: ox.Store) -> None:
    assert analytics.resolve_ref(store, "model/a1") == M + "a1"
    assert analytics.resolve_ref(store, "organization/Org A") == ORG + "a"  # a name with a space
    assert analytics.resolve_ref(store, "organization/org a") == ORG + "a"
    assert analytics.resolve_ref(store, M + "a1") == M + "a1"
    with pytest.raises(InvalidParameterError):
        analytics.resolve_ref(store, "a1")
    with pytest.raises(NotFoundError):
        analytics.resolve_ref(store, "model/zzz")


# ------------------------------------------------------------------------ the embedded graph


def test_glm45_ego_graph_on_the_embedded_graph(graph) -> None:  # type: ignore[no-untyped-def]
    G = graph.read(analytics.ego_graph, M + "glm-4.5")
    labels = {G.nodes[n]["label"]: G.nodes[n]["kind"] for n in G}
    for label, kind in {
        "GLM-4.5": "model", "Zhipu AI": "organization", "GLM": "family", "MIT License": "license",
        "Apache License 2.0": "license", "Mixture-of-Experts": "concept",
    }.items():  # fmt: skip
        assert labels[label] == kind
    assert sum(1 for k in labels.values() if k == "claim") >= 4
    title = G.nodes[M + "glm-4.5"]["title"]
    assert "parameters: 355 B total, 32 B active" in title and "creator: Zhipu AI" in title
    assert (
        "sources: https://contextqmd.com/libraries/huggingface-transformers/versions/5.8.0/pages/docs/source/en/"
        "model_doc/glm4_moe; zai-org/GLM-4.5 (GitHub repository and README)\n"
    ) in title
    edge_labels = {d["label"] for *_, d in G.edges(data=True)}
    assert {"creator", "weights license", "code license", "architecture"} <= edge_labels
    assert not any(label.startswith("http") for label in edge_labels)


def test_deepseek_r1_lineage_on_the_embedded_graph(graph) -> None:  # type: ignore[no-untyped-def]
    G = graph.read(analytics.lineage_graph, M + "deepseek-r1")
    roles = {G.nodes[n]["label"]: G.nodes[n]["role"] for n in G}
    assert roles["DeepSeek-R1"] == "focus" and roles["DeepSeek-V3"] == "ancestor"
    descendants = {label for label, role in roles.items() if role == "descendant"}
    # the six R1 distills, the R1-0528 update (a fine-tune of R1) and its own Qwen3-8B distill
    assert descendants == {
        "DeepSeek-R1-Distill-Qwen-1.5B", "DeepSeek-R1-Distill-Qwen-7B", "DeepSeek-R1-Distill-Qwen-14B",
        "DeepSeek-R1-Distill-Qwen-32B", "DeepSeek-R1-Distill-Llama-8B", "DeepSeek-R1-Distill-Llama-70B",
        "DeepSeek-R1-0528", "DeepSeek-R1-0528-Qwen3-8B",
    }  # fmt: skip
    teachers = {(G.nodes[a]["label"], G.nodes[b]["label"]) for a, b, d in G.edges(data=True)
                if d["label"] == "distilled from (teacher)"}  # fmt: skip
    assert {child for child, teacher in teachers if teacher == "DeepSeek-R1"} == {
        "DeepSeek-R1-Distill-Qwen-1.5B", "DeepSeek-R1-Distill-Qwen-7B", "DeepSeek-R1-Distill-Qwen-14B",
        "DeepSeek-R1-Distill-Qwen-32B", "DeepSeek-R1-Distill-Llama-8B", "DeepSeek-R1-Distill-Llama-70B",
    }  # fmt: skip
    bases = {label for label, role in roles.items() if role == "other parent"}
    assert bases == {
        "Qwen2.5-Math-1.5B",
        "Qwen2.5-Math-7B",
        "Qwen2.5-14B",
        "Qwen2.5-32B",
        "Llama 3.1 8B",
        "Llama 3.3 70B",
        "Qwen3-8B",
    }
    by_edge = {(G.nodes[a]["label"], G.nodes[b]["label"]): d["label"] for a, b, d in G.edges(data=True)}
    assert by_edge[("DeepSeek-R1-Distill-Llama-8B", "Llama 3.1 8B")] == "distillation"
    assert by_edge[("DeepSeek-R1-Distill-Llama-8B", "DeepSeek-R1")] == "distilled from (teacher)"
    assert by_edge[("DeepSeek-R1-0528", "DeepSeek-R1")] == "fine-tune"
    assert by_edge[("DeepSeek-R1-0528-Qwen3-8B", "DeepSeek-R1-0528")] == "distilled from (teacher)"
    assert G.nodes[M + "deepseek-v3"]["level"] == 0 and G.nodes[M + "deepseek-r1"]["level"] == 1
    assert G.nodes[M + "deepseek-r1-0528-qwen3-8b"]["level"] == 3


def test_scmp_conflict_of_interest_on_the_embedded_graph(graph) -> None:  # type: ignore[no-untyped-def]
    G = graph.read(analytics.claims_graph)
    flagged = {n for n in G if "conflict of interest" in (G.nodes[n].get("flags") or [])}
    # the SCMP, owned by Alibaba, reports Alibaba's claims about its Wan 2.2
    # also Zuckerberg's Llama 3.1 claim in Meta's own newsroom (ontology/data/reviews-input.ttl), his 2025
    # superintelligence letter on meta.com, and Joe Tsai on Qwen in Alibaba's own news site
    own_publisher = {"zuckerberg-llama-3.1-open-source", "zuckerberg-careful-what-to-open-source",
                     "zuckerberg-superintelligence-in-sight", "joe-tsai-qwen-open-source"}  # fmt: skip
    assert {n.rsplit("/", 1)[-1] for n in flagged} == {
        "alibaba-wan-2.2-first-moe-video", "alibaba-wan-2.2-film-level", "alibaba-wan-2.2-open-source",
    } | own_publisher  # fmt: skip
    for slug in own_publisher:
        assert "conflict of interest: the source is published by" in G.nodes[ID + "claim/" + slug]["title"]
    for claim in flagged - {ID + "claim/" + slug for slug in own_publisher}:
        assert "South China Morning Post, is owned by Alibaba Group" in G.nodes[claim]["title"]
    scmp, alibaba = ORG + "scmp", ORG + "alibaba"
    assert G.edges[scmp, alibaba, "https://schema.org/parentOrganization"]["flags"] == ["conflict of interest"]
    # a developer's claim in its own README is a self-claim, not a conflict
    assert G.nodes[ID + "claim/zhipu-glm-4.5-parameters"]["flags"] == ["self-claim"]


def test_path_from_a_distill_to_meta_on_the_embedded_graph(graph) -> None:  # type: ignore[no-untyped-def]
    result = graph.read(analytics.shortest_path, M + "deepseek-r1-distill-llama-8b", ORG + "meta")
    assert result["length"] == 2
    assert [(s["to"]["label"], s["properties"][0]["label"]) for s in result["steps"]] == [
        ("Llama 3.1 8B", "based on"),
        ("Meta", "creator"),
    ]


def test_ego_page_of_a_country_without_organizations(client) -> None:  # type: ignore[no-untyped-def]
    # Canada is in the embedded graph as a named country that no organization points to.
    r = client.get("/graphs/ego/country/CA")
    assert r.status_code == 200
    assert "Canada" in r.text
