"""Competency questions: the questions the graph exists to answer, with their exact answers.

Each answer was checked against the sources named in ontology/data (official repositories and
model cards, Epoch AI, the seed article); a change to the data that changes an answer fails here.
"""

from __future__ import annotations

import pytest

from kg.engine.sparql import select
from kg.service import KnowledgeGraph


def ask(graph: KnowledgeGraph, text: str) -> list[dict]:
    return select(graph.store.inner, text)


def column(graph: KnowledgeGraph, text: str, var: str) -> list:
    return [row.get(var) for row in ask(graph, text)]


def test_cq01_chinese_moe_models_of_2025_with_osi_weights(graph: KnowledgeGraph) -> None:
    rows = ask(
        graph,
        """SELECT ?name ?license WHERE {
          ?m a aikg:AIModel ; schema:name ?name ; schema:creator/schema:addressCountry wd:Q148 ;
             aikg:architecture/skos:broader* aikg:MixtureOfExperts ; schema:datePublished ?d ;
             aikg:weightsLicense ?l . ?l spdx:isOsiApproved true ; spdx:licenseId ?license .
          FILTER(YEAR(?d) = 2025) } ORDER BY ?name""",
    )
    assert [(r["name"], r["license"]) for r in rows] == [
        ("BAGEL-7B-MoT", "Apache-2.0"),
        ("DeepSeek-R1", "MIT"),
        ("DeepSeek-R1-0528", "MIT"),
        ("DeepSeek-V3-0324", "MIT"),
        ("DeepSeek-V3.1", "MIT"),
        ("DeepSeek-V3.1-Terminus", "MIT"),
        ("DeepSeek-V3.2", "MIT"),
        ("DeepSeek-V3.2-Exp", "MIT"),
        ("DeepSeek-V3.2-Speciale", "MIT"),
        ("DeepSeekMath-V2", "Apache-2.0"),
        ("ERNIE-4.5-21B-A3B", "Apache-2.0"),
        ("ERNIE-4.5-21B-A3B-Thinking", "Apache-2.0"),
        ("ERNIE-4.5-300B-A47B", "Apache-2.0"),
        ("ERNIE-4.5-300B-A47B-Base", "Apache-2.0"),
        ("ERNIE-4.5-VL-28B-A3B", "Apache-2.0"),
        ("ERNIE-4.5-VL-424B-A47B", "Apache-2.0"),
        ("GLM-4.5", "MIT"),
        ("GLM-4.5-Air", "MIT"),
        ("GLM-4.5V", "MIT"),
        ("GLM-4.6", "MIT"),
        ("GLM-4.6V", "MIT"),
        ("GLM-4.7", "MIT"),
        ("Intern-S1", "Apache-2.0"),
        ("Kimi Linear 48B-A3B", "MIT"),
        ("Ling-1T", "MIT"),
        ("Ling-lite", "MIT"),
        ("Ling-mini-2.0", "MIT"),
        ("Ling-plus", "MIT"),
        ("LongCat-Flash-Chat", "MIT"),
        ("LongCat-Flash-Omni", "MIT"),
        ("LongCat-Flash-Thinking", "MIT"),
        ("MiMo-V2-Flash", "Apache-2.0"),
        ("MiMo-V2-Flash-Base", "Apache-2.0"),
        ("MiniMax-M1", "Apache-2.0"),
        ("Qwen3-235B-A22B", "Apache-2.0"),
        ("Qwen3-235B-A22B-Instruct-2507", "Apache-2.0"),
        ("Qwen3-235B-A22B-Thinking-2507", "Apache-2.0"),
        ("Qwen3-30B-A3B", "Apache-2.0"),
        ("Qwen3-30B-A3B-Instruct-2507", "Apache-2.0"),
        ("Qwen3-30B-A3B-Thinking-2507", "Apache-2.0"),
        ("Qwen3-Coder-30B-A3B-Instruct", "Apache-2.0"),
        ("Qwen3-Coder-480B-A35B-Instruct", "Apache-2.0"),
        ("Qwen3-Next-80B-A3B-Instruct", "Apache-2.0"),
        ("Qwen3-Next-80B-A3B-Thinking", "Apache-2.0"),
        ("Qwen3-Omni-30B-A3B", "Apache-2.0"),
        ("Qwen3-VL-235B-A22B", "Apache-2.0"),
        ("Qwen3-VL-30B-A3B", "Apache-2.0"),
        ("Ring-1T", "MIT"),
        ("Step3", "Apache-2.0"),
        ("Wan2.2-I2V-A14B", "Apache-2.0"),
        ("Wan2.2-T2V-A14B", "Apache-2.0"),
    ]


def test_cq02_who_claimed_what_about_glm45_and_where(graph: KnowledgeGraph) -> None:
    rows = ask(
        graph,
        """SELECT DISTINCT ?claimant ?claim ?source WHERE { ?claim a schema:Claim ; schema:about model:glm-4.5 ;
           schema:author/schema:name ?claimant ; schema:appearance ?source } ORDER BY ?claim ?source""",
    )
    assert {r["claimant"] for r in rows} == {"Zhipu AI"}
    by_claim: dict[str, set[str]] = {}
    for r in rows:
        by_claim.setdefault(r["claim"].rsplit("/", 1)[-1], set()).add(r["source"])
    article = "https://w3id.org/aikg/id/article/scmp-meta-careful-open-source"
    readme = "https://github.com/zai-org/GLM-4.5"
    assert by_claim["zhipu-glm-4.5-most-advanced"] == {article, readme}
    assert by_claim["zhipu-glm-4.5-third-globally"] == {article, readme}
    assert by_claim["zhipu-glm-4.5-open-source"] == {article, readme}


def test_cq03_glm45_architecture_parameters_and_licenses(graph: KnowledgeGraph) -> None:
    [row] = ask(
        graph,
        """SELECT ?arch ?total ?active ?weights ?code WHERE { model:glm-4.5 aikg:architecture/skos:notation ?arch ;
           aikg:totalParameters ?total ; aikg:activeParameters ?active ;
           aikg:weightsLicense/spdx:licenseId ?weights ; aikg:codeLicense/spdx:licenseId ?code }""",
    )
    assert row == {
        "arch": "moe",
        "total": 355_000_000_000,
        "active": 32_000_000_000,
        "weights": "MIT",
        "code": "Apache-2.0",
    }


def test_cq04_deepseek_v3_weights_vs_code_license(graph: KnowledgeGraph) -> None:
    [row] = ask(
        graph,
        """SELECT ?w ?wOsi ?c ?cOsi WHERE { model:deepseek-v3 aikg:weightsLicense ?wl ; aikg:codeLicense ?cl .
           ?wl spdx:licenseId ?w ; spdx:isOsiApproved ?wOsi . ?cl spdx:licenseId ?c ; spdx:isOsiApproved ?cOsi }""",
    )
    assert row == {"w": "LicenseRef-DeepSeek-Model", "wOsi": False, "c": "MIT", "cOsi": True}


def test_cq05_models_meta_released(graph: KnowledgeGraph) -> None:
    names = column(
        graph,
        "SELECT ?n WHERE { ?m a aikg:AIModel ; schema:creator organization:meta ; schema:name ?n } ORDER BY ?n",
        "n",
    )
    assert names == [
        "Code World Model",
        "LLaMA 13B",
        "LLaMA 33B",
        "LLaMA 65B",
        "LLaMA 7B",
        "Llama 2 13B",
        "Llama 2 13B Chat",
        "Llama 2 70B",
        "Llama 2 70B Chat",
        "Llama 2 7B",
        "Llama 2 7B Chat",
        "Llama 3 70B",
        "Llama 3 8B",
        "Llama 3.1 405B",
        "Llama 3.1 70B",
        "Llama 3.1 8B",
        "Llama 3.2 11B Vision",
        "Llama 3.2 1B",
        "Llama 3.2 3B",
        "Llama 3.2 90B Vision",
        "Llama 3.3 70B",
        "Llama 4 Behemoth",
        "Llama 4 Maverick",
        "Llama 4 Scout",
        "Llama Guard",
        "Muse Spark",
    ]


def test_cq06_no_llama_weights_license_is_osi_approved(graph: KnowledgeGraph) -> None:
    rows = ask(
        graph,
        """SELECT DISTINCT ?id ?osi ?threshold WHERE { ?m schema:creator organization:meta ; aikg:weightsLicense ?l .
           ?l spdx:licenseId ?id ; spdx:isOsiApproved ?osi . OPTIONAL { ?l aikg:userThreshold ?threshold } } ORDER BY ?id""",
    )
    assert rows and all(r["osi"] is False for r in rows)
    # every Llama community license carries the 700M-user threshold; LLaMA 1 (research only) and Code World Model
    # (research license) have none, being non-commercial
    assert {r["id"]: r.get("threshold") for r in rows} == {
        "LicenseRef-CWM": None,
        "LicenseRef-LLaMA-1-Noncommercial": None,
        "LicenseRef-Llama-2-Community": 700_000_000,
        "LicenseRef-Llama-3-Community": 700_000_000,
        "LicenseRef-Llama-3.1-Community": 700_000_000,
        "LicenseRef-Llama-3.2-Community": 700_000_000,
        "LicenseRef-Llama-3.3-Community": 700_000_000,
        "LicenseRef-Llama-4-Community": 700_000_000,
    }


def test_cq07_r1_distills_and_their_bases(graph: KnowledgeGraph) -> None:
    rows = ask(
        graph,
        """SELECT ?d ?base ?type WHERE { ?m aikg:distilledFrom model:deepseek-r1 ; schema:name ?d ;
           aikg:basedOn/schema:name ?base ; aikg:derivationType/skos:notation ?type } ORDER BY ?d""",
    )
    assert [(r["d"], r["base"], r["type"]) for r in rows] == [
        ("DeepSeek-R1-Distill-Llama-70B", "Llama 3.3 70B", "distillation"),
        ("DeepSeek-R1-Distill-Llama-8B", "Llama 3.1 8B", "distillation"),
        ("DeepSeek-R1-Distill-Qwen-1.5B", "Qwen2.5-Math-1.5B", "distillation"),
        ("DeepSeek-R1-Distill-Qwen-14B", "Qwen2.5-14B", "distillation"),
        ("DeepSeek-R1-Distill-Qwen-32B", "Qwen2.5-32B", "distillation"),
        ("DeepSeek-R1-Distill-Qwen-7B", "Qwen2.5-Math-7B", "distillation"),
    ]


def test_cq08_transitive_lineage_of_r1(graph: KnowledgeGraph) -> None:
    names = column(graph, "SELECT ?n WHERE { model:deepseek-r1 aikg:basedOn+ ?a . ?a schema:name ?n }", "n")
    assert names == ["DeepSeek-V3"]


def test_cq09_conflict_of_interest_publisher_owned_by_alibaba(graph: KnowledgeGraph) -> None:
    rows = ask(
        graph,
        """SELECT DISTINCT ?claim WHERE { ?claim a schema:Claim ; schema:author organization:alibaba ;
           schema:appearance/schema:publisher/schema:parentOrganization organization:alibaba } ORDER BY ?claim""",
    )
    assert [r["claim"].rsplit("/", 1)[-1] for r in rows] == [
        "alibaba-wan-2.2-film-level",
        "alibaba-wan-2.2-first-moe-video",
        "alibaba-wan-2.2-open-source",
    ]


def test_cq10_andrew_ng_claims(graph: KnowledgeGraph) -> None:
    rows = ask(
        graph,
        """SELECT ?text ?stance ?subject WHERE { ?c schema:author person:andrew-ng ; schema:text ?text ;
           aikg:stance/skos:notation ?stance ; schema:about/schema:identifier ?subject } ORDER BY ?text ?subject""",
    )
    assert [(r["text"], r["stance"], r["subject"]) for r in rows] == [
        ("Darwinian life-or-death struggle", "predicts", "CN"),
        ("surpass the US in AI", "predicts", "CN"),
        (
            "the world's top proprietary models were still from frontier US labs, while the top open models were mostly from China",
            "neutral",
            "CN",
        ),
        (
            "the world's top proprietary models were still from frontier US labs, while the top open models were mostly from China",
            "neutral",
            "US",
        ),
    ]


def test_cq11_open_weight_models_per_country(graph: KnowledgeGraph) -> None:
    rows = ask(
        graph,
        """SELECT ?code (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a aikg:AIModel ; aikg:accessibility/skos:broader aikg:OpenWeights ;
           schema:creator/schema:addressCountry/schema:identifier ?code } GROUP BY ?code ORDER BY ?code""",
    )
    assert {r["code"]: r["n"] for r in rows} == {
        "AE": 15,
        "CA": 2,
        "CH": 2,
        "CN": 201,
        "DE": 5,
        "FR": 32,
        "IL": 6,
        "IN": 3,
        "JP": 1,
        "KR": 8,
        "US": 122,
    }


def test_cq12_wan22_moe_video_models_and_their_experts(graph: KnowledgeGraph) -> None:
    rows = ask(
        graph,
        """SELECT ?n ?total ?active WHERE { ?m aikg:architecture aikg:MoEDiffusionTransformer ; schema:name ?n ;
           aikg:outputModality aikg:Video ; aikg:totalParameters ?total ; aikg:activeParameters ?active } ORDER BY ?n""",
    )
    assert [(r["n"], r["total"], r["active"]) for r in rows] == [
        ("Wan2.2-I2V-A14B", 27_000_000_000, 14_000_000_000),
        ("Wan2.2-T2V-A14B", 27_000_000_000, 14_000_000_000),
    ]


def test_cq13_self_claims_are_recognised(graph: KnowledgeGraph) -> None:
    rows = ask(
        graph,
        """SELECT ?claim WHERE { ?claim a schema:Claim ; schema:author ?who ; schema:about ?s .
           ?s (schema:creator|schema:isPartOf/schema:creator) ?who } GROUP BY ?claim ORDER BY ?claim""",
    )
    slugs = {r["claim"].rsplit("/", 1)[-1] for r in rows}
    assert {
        "zhipu-glm-4.5-most-advanced",
        "zhipu-glm-4.5-third-globally",
        "alibaba-wan-2.2-first-moe-video",
        "meta-careful-open-source",
    } <= slugs
    assert not any(s.startswith(("ng-", "scmp-")) for s in slugs)


def test_cq14_self_reported_benchmark_behind_the_third_place_claim(graph: KnowledgeGraph) -> None:
    [row] = ask(
        graph,
        """SELECT ?score ?rank ?self ?src WHERE { ?r a aikg:BenchmarkResult ; aikg:evaluatedModel model:glm-4.5 ;
           aikg:score ?score ; aikg:rank ?rank ; aikg:selfReported ?self ; dcterms:source ?src }""",
    )
    assert row == {"score": 63.2, "rank": 3, "self": True, "src": "https://github.com/zai-org/GLM-4.5"}


def test_cq15_zhipu_is_z_ai_and_chinese(graph: KnowledgeGraph) -> None:
    rows = ask(
        graph,
        "SELECT ?alt ?country WHERE { organization:zhipu-ai schema:alternateName ?alt ; schema:addressCountry/schema:name ?country }",
    )
    assert {"Z.ai", "智谱"} <= {r["alt"] for r in rows}
    assert {r["country"] for r in rows} == {"China"}


def test_cq16_largest_open_weight_moe_by_total_parameters(graph: KnowledgeGraph) -> None:
    rows = ask(
        graph,
        """SELECT ?n ?total WHERE { ?m aikg:architecture/skos:broader* aikg:MixtureOfExperts ; schema:name ?n ;
           aikg:totalParameters ?total ; aikg:weightsLicense ?l } ORDER BY DESC(?total) LIMIT 1""",
    )
    assert rows == [{"n": "DeepSeek-V4-Pro", "total": 1_600_000_000_000}]


def test_cq17_every_model_has_a_source_and_a_developer(graph: KnowledgeGraph) -> None:
    rows = ask(
        graph,
        """SELECT (COUNT(?m) AS ?all) (SUM(IF(EXISTS { ?m dcterms:source ?s } && EXISTS { ?m schema:creator ?o }, 1, 0)) AS ?ok)
           WHERE { ?m a aikg:AIModel }""",
    )
    assert rows[0]["all"] == rows[0]["ok"] == 539


@pytest.mark.parametrize(
    ("graph_iri", "title_word"),
    [("https://w3id.org/aikg/graph/landscape", "landscape"), ("https://w3id.org/aikg/graph/seed-article", "article")],
)
def test_cq18_each_named_graph_carries_provenance(graph: KnowledgeGraph, graph_iri: str, title_word: str) -> None:
    rows = ask(
        graph,
        f"SELECT ?t ?time WHERE {{ GRAPH <{graph_iri}> {{ <{graph_iri}> a prov:Entity ; dcterms:title ?t ; prov:generatedAtTime ?time }} }}",
    )
    assert len(rows) == 1
    assert title_word in rows[0]["t"].lower()


# -- questions the grown graph answers (issue 17: releases through 2026)

QUARTER = """BIND(xsd:integer(SUBSTR(STR(?d), 6, 2)) AS ?mo)
  BIND(CONCAT(SUBSTR(STR(?d), 1, 4), "-Q", STR(xsd:integer(FLOOR((?mo - 1) / 3)) + 1)) AS ?q)"""


def test_cq19_chinese_open_weight_moe_releases_per_quarter_of_2025(graph: KnowledgeGraph) -> None:
    rows = ask(
        graph,
        f"""SELECT ?q (COUNT(DISTINCT ?m) AS ?n) WHERE {{
          ?m a aikg:AIModel ; schema:creator/schema:addressCountry wd:Q148 ;
             aikg:architecture/skos:broader* aikg:MixtureOfExperts ; aikg:accessibility/skos:broader aikg:OpenWeights ;
             schema:datePublished ?d .
          FILTER(SUBSTR(STR(?d), 1, 4) = "2025") {QUARTER} }} GROUP BY ?q ORDER BY ?q""",
    )
    # the race accelerates through Q3 (Qwen3-2507, GLM-4.5, DeepSeek-V3.1/V3.2-Exp, Kimi K2, LongCat, Step3 ...)
    assert {r["q"]: r["n"] for r in rows} == {"2025-Q1": 6, "2025-Q2": 14, "2025-Q3": 28, "2025-Q4": 15}
    q1 = column(
        graph,
        """SELECT ?n WHERE { ?m a aikg:AIModel ; schema:name ?n ; schema:creator/schema:addressCountry wd:Q148 ;
             aikg:architecture/skos:broader* aikg:MixtureOfExperts ; aikg:accessibility/skos:broader aikg:OpenWeights ;
             schema:datePublished ?d FILTER(SUBSTR(STR(?d), 1, 7) IN ("2025-01", "2025-02", "2025-03")) } ORDER BY ?n""",
        "n",
    )
    assert q1 == ["DeepSeek-R1", "DeepSeek-V3-0324", "Ling-lite", "Ling-plus", "MiniMax-Text-01", "MiniMax-VL-01"]


def test_cq20_labs_whose_newest_model_is_closed_after_an_open_predecessor(graph: KnowledgeGraph) -> None:
    rows = ask(
        graph,
        """SELECT ?org ?newest WHERE {
          ?m a aikg:AIModel ; schema:creator ?o ; schema:datePublished ?d ; schema:name ?newest ;
             aikg:accessibility ?a . ?o schema:name ?org .
          FILTER(?a IN (aikg:APIAccess, aikg:HostedAccess, aikg:Unreleased))
          FILTER NOT EXISTS { ?later a aikg:AIModel ; schema:creator ?o ; schema:datePublished ?dl FILTER(STR(?dl) > STR(?d)) }
          FILTER NOT EXISTS { ?same a aikg:AIModel ; schema:creator ?o ; schema:datePublished ?d ;
                              aikg:accessibility/skos:broader aikg:OpenWeights }
          FILTER EXISTS { ?p a aikg:AIModel ; schema:creator ?o ; schema:datePublished ?dp ;
                          aikg:accessibility/skos:broader aikg:OpenWeights FILTER(STR(?dp) < STR(?d)) }
        } ORDER BY ?org ?newest""",
    )
    assert [(r["org"], r["newest"]) for r in rows] == [
        ("01.AI", "Yi-Lightning"),
        ("Baidu", "ERNIE 5.0"),
        ("Google DeepMind", "Gemini 3.5 Flash-Lite"),
        ("Google DeepMind", "Gemini 3.6 Flash"),
        ("Meta", "Muse Spark"),  # hosted only, after Llama 4
        ("OpenAI", "GPT-5.6 Luna"),  # API only, after gpt-oss (three tiers released the same day)
        ("OpenAI", "GPT-5.6 Sol"),
        ("OpenAI", "GPT-5.6 Terra"),
        ("xAI", "Grok 4.20"),  # API only, after the Grok 2.5 weights
    ]


def test_cq21_every_quarter_from_2023_holds_at_least_eight_models(graph: KnowledgeGraph) -> None:
    rows = ask(
        graph,
        f"""SELECT ?q (COUNT(DISTINCT ?m) AS ?n) WHERE {{ ?m a aikg:AIModel ; schema:datePublished ?d .
          FILTER(STRLEN(STR(?d)) >= 7 && SUBSTR(STR(?d), 1, 4) >= "2023") {QUARTER} }} GROUP BY ?q ORDER BY ?q""",
    )
    counts = {r["q"]: r["n"] for r in rows}
    assert counts == {
        "2023-Q1": 8,
        "2023-Q2": 13,
        "2023-Q3": 18,
        "2023-Q4": 21,
        "2024-Q1": 20,
        "2024-Q2": 29,
        "2024-Q3": 44,
        "2024-Q4": 31,
        "2025-Q1": 49,
        "2025-Q2": 64,
        "2025-Q3": 90,
        "2025-Q4": 71,
        "2026-Q1": 37,
        "2026-Q2": 28,
        "2026-Q3": 8,
    }
    # the newest release (2026-08-04) falls in 2026-Q3, the last quarter the curated data reaches (it is
    # drawn as incomplete on /charts); every quarter from 2023-Q1 through it holds at least 8 models
    newest = column(graph, "SELECT (MAX(STR(?d)) AS ?m) WHERE { ?x a aikg:AIModel ; schema:datePublished ?d }", "m")
    assert newest == ["2026-08-04"]
    assert len(counts) == 15 and all(n >= 8 for n in counts.values())
