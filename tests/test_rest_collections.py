"""Collections through HTTP: every filter gives exactly the entities the Turtle data implies.

The expected sets are computed here from the shipped Turtle files with plain rdflib graph
traversal (no SPARQL, no code of ``kg``), so a wrong query, a wrong resolution or a wrong
fragment makes these tests fail. A few anchors are also listed by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, Graph, Literal, Namespace, URIRef

ROOT = Path(__file__).resolve().parent.parent
AIKG = Namespace("https://w3id.org/aikg/ontology#")
SCHEMA = Namespace("https://schema.org/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SPDXL = Namespace("http://spdx.org/licenses/")
ORG = Namespace("http://www.w3.org/ns/org#")
ID = "https://w3id.org/aikg/id/"
WD = Namespace("http://www.wikidata.org/entity/")


@pytest.fixture(scope="module")
def data() -> Graph:
    g = Graph()
    for path in sorted((ROOT / "ontology").rglob("*.ttl")):
        if "shapes" not in path.parts:
            g.parse(path)
    return g


def models(data: Graph) -> set[URIRef]:
    return {m for m in data.subjects(RDF.type, AIKG.AIModel) if isinstance(m, URIRef)}


def slugs(iris: Iterable[URIRef]) -> set[str]:
    return {str(i).rsplit("/", 1)[-1].rsplit("#", 1)[-1] for i in iris}


def broader_star(data: Graph, concept: URIRef) -> set[URIRef]:
    return set(data.transitive_objects(concept, SKOS.broader))


def where(data: Graph, keep: Callable[[URIRef], bool]) -> set[str]:
    return slugs(m for m in models(data) if keep(m))


def fetch_all(client: TestClient, path: str, **params: object) -> list[dict]:
    """Follow the next links to the end; return every record."""
    out: list[dict] = []
    r = client.get(path, params={**params, "limit": 7})
    assert r.status_code == 200, r.text
    while True:
        body = r.json()
        out += body["results"]
        assert body["total"] >= len(out)
        if not body["links"]["next"]:
            assert body["total"] == len(out)
            return out
        r = client.get(body["links"]["next"])
        assert r.status_code == 200, r.text


def api_slugs(client: TestClient, path: str, **params: object) -> set[str]:
    records = fetch_all(client, path, **params)
    found = [r["slug"] for r in records]
    assert len(found) == len(set(found)), "a record appeared twice"
    return set(found)


# -- models: one test per filter ----------------------------------------------------------------


def creator_orgs(data: Graph, model: URIRef) -> set[URIRef]:
    return set(data.objects(model, SCHEMA.creator))


def within(data: Graph, org: URIRef, root: URIRef) -> bool:
    ups = set(data.transitive_objects(org, SCHEMA.parentOrganization)) | set(
        data.transitive_objects(org, ORG.subOrganizationOf)
    )
    return root in ups


@pytest.mark.parametrize("value", ["alibaba", "Alibaba Group", "阿里巴巴", ID + "organization/alibaba"])
def test_models_by_organization_includes_sub_organizations(client: TestClient, data: Graph, value: str) -> None:
    root = URIRef(ID + "organization/alibaba")
    expected = where(data, lambda m: any(within(data, c, root) for c in creator_orgs(data, m)))
    assert {"qwen3-235b-a22b", "wan2.2-t2v-a14b"} <= expected
    assert api_slugs(client, "/api/models", organization=value) == expected


def test_models_by_organization_zhipu(client: TestClient, data: Graph) -> None:
    expected = where(data, lambda m: URIRef(ID + "organization/zhipu-ai") in creator_orgs(data, m))
    assert "glm-4.5" in expected and len(expected) >= 5
    assert api_slugs(client, "/api/models", organization="智谱") == expected


@pytest.mark.parametrize("value", ["CN", "cn", "China", "Q148", str(WD.Q148)])
def test_models_by_country(client: TestClient, data: Graph, value: str) -> None:
    def in_china(m: URIRef) -> bool:
        return any(
            Literal("CN") in set(data.objects(country, SCHEMA.identifier))
            for c in creator_orgs(data, m)
            for country in data.objects(c, SCHEMA.addressCountry)
        )

    expected = where(data, in_china)
    assert "glm-4.5" in expected and "llama-3.1-8b" not in expected
    assert api_slugs(client, "/api/models", country=value) == expected


@pytest.mark.parametrize("value", ["moe", "MoE", "Mixture-of-Experts", "MixtureOfExperts", str(AIKG.MixtureOfExperts)])
def test_models_by_architecture_includes_narrower(client: TestClient, data: Graph, value: str) -> None:
    expected = where(
        data, lambda m: any(AIKG.MixtureOfExperts in broader_star(data, a) for a in data.objects(m, AIKG.architecture))
    )
    # Wan 2.2 is an MoE diffusion transformer: a narrower concept of MoE.
    assert (URIRef(ID + "model/wan2.2-t2v-a14b"), AIKG.architecture, AIKG.MoEDiffusionTransformer) in data
    assert {"wan2.2-t2v-a14b", "glm-4.5", "deepseek-v3"} <= expected
    assert api_slugs(client, "/api/models", architecture=value) == expected


def test_models_by_modality(client: TestClient, data: Graph) -> None:
    expected = where(data, lambda m: any(AIKG.Video in broader_star(data, x) for x in data.objects(m, AIKG.modality)))
    assert "wan2.2-t2v-a14b" in expected
    assert api_slugs(client, "/api/models", modality="video") == expected


@pytest.mark.parametrize(
    ("param", "prop"), [("output_modality", AIKG.outputModality), ("input_modality", AIKG.inputModality)]
)
@pytest.mark.parametrize("value", ["text", "image", "video"])
def test_models_by_output_and_input_modality(
    client: TestClient, data: Graph, param: str, prop: URIRef, value: str
) -> None:
    concept = next(data.subjects(SKOS.notation, Literal(value)))
    expected = where(data, lambda m: any(concept in broader_star(data, x) for x in data.objects(m, prop)))
    assert expected, (param, value)
    assert api_slugs(client, "/api/models", **{param: value}) == expected


def test_a_text_to_image_model_generates_images_not_text(client: TestClient, data: Graph) -> None:
    # FLUX.1 takes text and makes images: modality=text keeps it (either way), output_modality=text does not.
    diffusion = where(
        data,
        lambda m: any(AIKG.DiffusionTransformer in broader_star(data, a) for a in data.objects(m, AIKG.architecture)),
    )
    assert "flux.1-schnell" in diffusion
    either = api_slugs(client, "/api/models", modality="text")
    generates = api_slugs(client, "/api/models", output_modality="text")
    assert "flux.1-schnell" in either and "flux.1-schnell" not in generates
    assert not diffusion & generates  # no diffusion transformer is counted as generating text
    assert "flux.1-schnell" in api_slugs(client, "/api/models", output_modality="image")


@pytest.mark.parametrize(
    ("param", "props"),
    [
        ("license", (AIKG.weightsLicense, AIKG.codeLicense)),
        ("weights_license", (AIKG.weightsLicense,)),
        ("code_license", (AIKG.codeLicense,)),
    ],
)
def test_models_by_license(client: TestClient, data: Graph, param: str, props: tuple[URIRef, ...]) -> None:
    for value, iri in (("MIT", SPDXL.MIT), ("Apache-2.0", SPDXL["Apache-2.0"])):
        expected = where(data, lambda m, iri=iri: any((m, p, iri) in data for p in props))
        assert api_slugs(client, "/api/models", **{param: value}) == expected
    custom = URIRef(ID + "license/licenseref-llama-3.1-community")
    expected = where(data, lambda m: any((m, p, custom) in data for p in props))
    assert api_slugs(client, "/api/models", **{param: "licenseref-llama-3.1-community"}) == expected


def test_models_by_license_mit_anchor(client: TestClient) -> None:
    found = api_slugs(client, "/api/models", license="MIT")
    assert {"glm-4.5", "deepseek-r1"} <= found
    assert "deepseek-v3" in found  # code MIT, weights under the DeepSeek license
    assert "deepseek-v3" not in api_slugs(client, "/api/models", weights_license="MIT")


@pytest.mark.parametrize("osi", [True, False])
def test_models_by_osi(client: TestClient, data: Graph, osi: bool) -> None:
    def approved(m: URIRef) -> bool:
        return any((lic, SPDX.isOsiApproved, Literal(True)) in data for lic in data.objects(m, AIKG.weightsLicense))

    expected = where(data, lambda m: approved(m) == osi)
    assert expected
    assert api_slugs(client, "/api/models", osi=str(osi).lower()) == expected


@pytest.mark.parametrize("open_weights", [True, False])
def test_models_by_open_weights(client: TestClient, data: Graph, open_weights: bool) -> None:
    def is_open(m: URIRef) -> bool:
        return any(AIKG.OpenWeights in broader_star(data, a) for a in data.objects(m, AIKG.accessibility))

    expected = where(data, lambda m: is_open(m) == open_weights)
    assert expected
    found = api_slugs(client, "/api/models", open_weights=str(open_weights).lower())
    assert found == expected
    assert ("glm-4.5" in found) == open_weights


def _date_cmp(value: str, bound: str) -> int:
    n = min(len(value), len(bound))
    return (value[:n] > bound[:n]) - (value[:n] < bound[:n])


def test_models_released_after_and_before(client: TestClient, data: Graph) -> None:
    def date(m: URIRef) -> str | None:
        d = data.value(m, SCHEMA.datePublished)
        return str(d) if d is not None else None

    after = where(data, lambda m: date(m) is not None and _date_cmp(date(m), "2025-07") >= 0)
    before = where(data, lambda m: date(m) is not None and _date_cmp(date(m), "2025-01-21") < 0)
    assert "glm-4.5" in after and "glm-4.5" not in before
    assert api_slugs(client, "/api/models", released_after="2025-07") == after
    assert api_slugs(client, "/api/models", released_before="2025-01-21") == before
    both = api_slugs(client, "/api/models", released_after="2025-07", released_before="2025-08")
    assert both == {
        s for s in after if s in where(data, lambda m: date(m) is not None and _date_cmp(date(m), "2025-08") < 0)
    }
    # GLM-4.5 is known only to the month (2025-07): it counts as released in July 2025.
    assert "glm-4.5" in both


@pytest.mark.parametrize(
    ("param", "prop", "bound", "keep"),
    [
        ("min_parameters", AIKG.totalParameters, 300_000_000_000, lambda v, b: v >= b),
        ("max_parameters", AIKG.totalParameters, 8_000_000_000, lambda v, b: v <= b),
        ("min_active_parameters", AIKG.activeParameters, 30_000_000_000, lambda v, b: v >= b),
        ("max_active_parameters", AIKG.activeParameters, 5_000_000_000, lambda v, b: v <= b),
    ],
)
def test_models_by_parameter_counts(
    client: TestClient, data: Graph, param: str, prop: URIRef, bound: int, keep: Callable[[int, int], bool]
) -> None:
    expected = where(data, lambda m: any(keep(int(v), bound) for v in data.objects(m, prop)))
    assert expected
    assert api_slugs(client, "/api/models", **{param: bound}) == expected


def test_models_based_on_is_transitive(client: TestClient, data: Graph) -> None:
    base = URIRef(ID + "model/llama-3.1-8b")
    expected = where(data, lambda m: m != base and base in set(data.transitive_objects(m, AIKG.basedOn)))
    assert "deepseek-r1-distill-llama-8b" in expected
    assert api_slugs(client, "/api/models", based_on="llama-3.1-8b") == expected
    # A chain of two steps: a model based on something based on Qwen2.5-72B, if any, is included.
    base = URIRef(ID + "model/qwen2.5-72b")
    expected = where(data, lambda m: m != base and base in set(data.transitive_objects(m, AIKG.basedOn)))
    assert api_slugs(client, "/api/models", based_on="Qwen2.5-72B") == expected


def test_models_family_and_accessibility(client: TestClient, data: Graph) -> None:
    family = URIRef(ID + "family/glm")
    assert api_slugs(client, "/api/models", family="glm") == where(data, lambda m: (m, SCHEMA.isPartOf, family) in data)
    expected = where(
        data, lambda m: any(AIKG.OpenWeights in broader_star(data, a) for a in data.objects(m, AIKG.accessibility))
    )
    assert api_slugs(client, "/api/models", accessibility="open-weights") == expected


def test_filters_combine_with_and(client: TestClient) -> None:
    china_moe = api_slugs(client, "/api/models", country="CN", architecture="moe")
    assert china_moe == api_slugs(client, "/api/models", country="CN") & api_slugs(
        client, "/api/models", architecture="moe"
    )
    osi_2025 = api_slugs(
        client,
        "/api/models",
        country="CN",
        architecture="moe",
        osi="true",
        released_after="2025",
        released_before="2026",
    )
    # The competency question CQ1 (tests/test_competency.py) answers the same 51 models.
    assert osi_2025 == {
        "bagel-7b-mot",
        "deepseek-math-v2",
        "deepseek-r1",
        "deepseek-r1-0528",
        "deepseek-v3-0324",
        "deepseek-v3.1",
        "deepseek-v3.1-terminus",
        "deepseek-v3.2",
        "deepseek-v3.2-exp",
        "deepseek-v3.2-speciale",
        "ernie-4.5-21b-a3b",
        "ernie-4.5-21b-a3b-thinking",
        "ernie-4.5-300b-a47b",
        "ernie-4.5-300b-a47b-base",
        "ernie-4.5-vl-28b-a3b",
        "ernie-4.5-vl-424b-a47b",
        "glm-4.5",
        "glm-4.5-air",
        "glm-4.5v",
        "glm-4.6",
        "glm-4.6v",
        "glm-4.7",
        "intern-s1",
        "kimi-linear-48b-a3b",
        "ling-1t",
        "ling-lite",
        "ling-mini-2.0",
        "ling-plus",
        "longcat-flash-chat",
        "longcat-flash-omni",
        "longcat-flash-thinking",
        "mimo-v2-flash",
        "mimo-v2-flash-base",
        "minimax-m1",
        "qwen3-235b-a22b",
        "qwen3-235b-a22b-instruct-2507",
        "qwen3-235b-a22b-thinking-2507",
        "qwen3-30b-a3b",
        "qwen3-30b-a3b-instruct-2507",
        "qwen3-30b-a3b-thinking-2507",
        "qwen3-coder-30b-a3b",
        "qwen3-coder-480b-a35b",
        "qwen3-next-80b-a3b-instruct",
        "qwen3-next-80b-a3b-thinking",
        "qwen3-omni-30b-a3b",
        "qwen3-vl-235b-a22b",
        "qwen3-vl-30b-a3b",
        "ring-1t",
        "step3",
        "wan2.2-i2v-a14b",
        "wan2.2-t2v-a14b",
    }


def test_no_filter_lists_every_model(client: TestClient, data: Graph) -> None:
    assert api_slugs(client, "/api/models") == slugs(models(data))


# -- claims --------------------------------------------------------------------------------------


def claims(data: Graph) -> set[URIRef]:
    return {c for c in data.subjects(RDF.type, SCHEMA.Claim) if isinstance(c, URIRef)}


def claim_where(data: Graph, keep: Callable[[URIRef], bool]) -> set[str]:
    return slugs(c for c in claims(data) if keep(c))


def is_self_claim(data: Graph, claim: URIRef) -> bool:
    authors = set(data.objects(claim, SCHEMA.author))
    for subject in data.objects(claim, SCHEMA.about):
        if subject in authors:
            return True
        makers = set(data.objects(subject, SCHEMA.creator))
        for family in data.objects(subject, SCHEMA.isPartOf):
            makers |= set(data.objects(family, SCHEMA.creator))
        for maker in makers:
            ups = set(data.transitive_objects(maker, SCHEMA.parentOrganization)) | set(
                data.transitive_objects(maker, ORG.subOrganizationOf)
            )
            if ups & authors:
                return True
    return False


@pytest.mark.parametrize(("param", "value", "prop", "iri"), [
    ("claimant", "andrew-ng", SCHEMA.author, URIRef(ID + "person/andrew-ng")),
    ("claimant", "吴恩达", SCHEMA.author, URIRef(ID + "person/andrew-ng")),
    ("claimant", "zhipu-ai", SCHEMA.author, URIRef(ID + "organization/zhipu-ai")),
    ("about", "glm-4.5", SCHEMA.about, URIRef(ID + "model/glm-4.5")),
    ("about", "China", SCHEMA.about, WD.Q148),
    ("about", "llama", SCHEMA.about, URIRef(ID + "family/llama")),
    ("stance", "supports", AIKG.stance, AIKG.Supports),
    ("stance", "predicts", AIKG.stance, AIKG.Predicts),
    ("claim_kind", "openness", AIKG.claimKind, AIKG.OpennessClaim),
    ("source", "scmp-meta-careful-open-source", SCHEMA.appearance, URIRef(ID + "article/scmp-meta-careful-open-source")),
    ("source", "https://github.com/zai-org/GLM-4.5", SCHEMA.appearance, URIRef("https://github.com/zai-org/GLM-4.5")),
])  # fmt: skip
def test_claims_filters(client: TestClient, data: Graph, param: str, value: str, prop: URIRef, iri: URIRef) -> None:
    expected = claim_where(data, lambda c: (c, prop, iri) in data)
    assert expected
    assert api_slugs(client, "/api/claims", **{param: value}) == expected


@pytest.mark.parametrize("flag", [True, False])
def test_claims_self_claims(client: TestClient, data: Graph, flag: bool) -> None:
    expected = claim_where(data, lambda c: is_self_claim(data, c) == flag)
    assert expected
    assert api_slugs(client, "/api/claims", self_claim=str(flag).lower()) == expected
    if flag:
        assert {"zhipu-glm-4.5-most-advanced", "meta-careful-open-source"} <= expected
    else:
        # SCMP is owned by Alibaba but did not make Llama: an interest, not a self-claim.
        assert "scmp-meta-open-sourced-llama" in expected


def test_claims_about_and_self_combine(client: TestClient, data: Graph) -> None:
    glm = URIRef(ID + "model/glm-4.5")
    expected = claim_where(data, lambda c: (c, SCHEMA.about, glm) in data and is_self_claim(data, c))
    assert api_slugs(client, "/api/claims", about="glm-4.5", self_claim="true") == expected


def test_claim_record_shape(client: TestClient) -> None:
    body = client.get("/api/claims", params={"about": "glm-4.5", "claim_kind": "ranking", "sort": "name"}).json()
    record = next(r for r in body["results"] if r["slug"] == "zhipu-glm-4.5-third-globally")
    assert record["claimant"]["iri"] == ID + "organization/zhipu-ai"
    assert record["claimant"]["name"] == "Zhipu AI"
    assert [a["slug"] for a in record["about"]] == ["glm-4.5"]
    assert record["stance"]["slug"] == "Supports"
    assert record["selfClaim"] is True
    assert {a["iri"] for a in record["appearances"]} == {
        "https://github.com/zai-org/GLM-4.5",
        ID + "article/scmp-meta-careful-open-source",
    }
    assert record["links"]["html"].endswith("/id/claim/zhipu-glm-4.5-third-globally")


# -- other collections ----------------------------------------------------------------------------


def test_organizations_by_country_and_parent(client: TestClient, data: Graph) -> None:
    orgs = {o for t in (SCHEMA.Organization, SCHEMA.NewsMediaOrganization) for o in data.subjects(RDF.type, t)}
    cn = slugs(o for o in orgs if (o, SCHEMA.addressCountry, WD.Q148) in data)
    assert "zhipu-ai" in cn
    assert api_slugs(client, "/api/organizations", country="CN") == cn
    subs = slugs(
        o
        for o in orgs
        if within(data, o, URIRef(ID + "organization/alibaba")) and o != URIRef(ID + "organization/alibaba")
    )
    assert {"qwen-team", "tongyi-wan", "scmp"} <= subs
    assert api_slugs(client, "/api/organizations", parent="alibaba") == subs
    assert api_slugs(client, "/api/organizations") == slugs(orgs)


def test_licenses_osi(client: TestClient, data: Graph) -> None:
    licenses = {
        lic
        for t in (SPDX.ListedLicense, AIKG.CustomLicense, AIKG.ProprietaryTerms)
        for lic in data.subjects(RDF.type, t)
    }
    osi = slugs(lic for lic in licenses if (lic, SPDX.isOsiApproved, Literal(True)) in data)
    assert osi == {"MIT", "Apache-2.0"} or {"MIT", "Apache-2.0"} <= osi
    assert api_slugs(client, "/api/licenses", osi="true") == osi
    assert api_slugs(client, "/api/licenses", osi="false") == slugs(licenses) - osi


def test_architectures_broader(client: TestClient, data: Graph) -> None:
    concepts = set(data.subjects(SKOS.inScheme, AIKG.ArchitectureScheme))
    narrower = slugs(
        c for c in concepts if c != AIKG.MixtureOfExperts and AIKG.MixtureOfExperts in broader_star(data, c)
    )
    assert "MoEDiffusionTransformer" in narrower
    assert api_slugs(client, "/api/architectures", broader="moe") == narrower
    body = client.get("/api/architectures", params={"broader": "moe", "sort": "name"}).json()
    assert all(r["kind"] == "architecture" for r in body["results"])


def test_people_articles_families_countries(client: TestClient, data: Graph) -> None:
    assert api_slugs(client, "/api/people", affiliation="deeplearning-ai") == {"andrew-ng"}
    assert api_slugs(client, "/api/articles", publisher="scmp") == {"scmp-meta-careful-open-source"}
    assert api_slugs(client, "/api/articles", about="glm-4.5") == {"scmp-meta-careful-open-source"}
    families = slugs(
        f
        for f in data.subjects(RDF.type, AIKG.ModelFamily)
        if (f, SCHEMA.creator, URIRef(ID + "organization/alibaba")) in data
    )
    assert api_slugs(client, "/api/families", organization="alibaba") == families
    assert api_slugs(client, "/api/countries") == slugs(data.subjects(RDF.type, SCHEMA.Country))


# -- sorting and paging --------------------------------------------------------------------------


def test_sort_by_parameters_desc_puts_missing_last(client: TestClient, data: Graph) -> None:
    records = fetch_all(client, "/api/models", sort="parameters", order="desc")
    values = [r["totalParameters"] for r in records]
    known = [v for v in values if v is not None]
    assert known == sorted(known, reverse=True)
    assert values[: len(known)] == known  # every model without a count comes after
    top = max(int(v) for m in models(data) for v in data.objects(m, AIKG.totalParameters))
    assert records[0]["totalParameters"] == top


def test_sort_by_date_and_name(client: TestClient) -> None:
    dates = [r["datePublished"] for r in fetch_all(client, "/api/models", sort="date", order="asc")]
    known = [d for d in dates if d]
    assert known == sorted(known) and dates[len(known) :] == [None] * (len(dates) - len(known))
    names = [r["name"].casefold() for r in fetch_all(client, "/api/models", sort="name", order="desc")]
    assert names == sorted(names, reverse=True)


def test_paging_links_headers_and_prev(client: TestClient) -> None:
    r = client.get("/api/models", params={"sort": "date", "order": "desc", "limit": 10})
    first = r.json()
    assert r.headers["X-Total-Count"] == str(first["total"])
    assert (
        'rel="next"' in r.headers["Link"]
        and 'rel="first"' in r.headers["Link"]
        and 'rel="prev"' not in r.headers["Link"]
    )
    second = client.get(first["links"]["next"]).json()
    assert second["links"]["prev"]
    back = client.get(second["links"]["prev"]).json()
    assert [x["slug"] for x in back["results"]] == [x["slug"] for x in first["results"]]
    assert not {x["slug"] for x in first["results"]} & {x["slug"] for x in second["results"]}


def test_cursor_must_match_sort(client: TestClient) -> None:
    first = client.get("/api/models", params={"sort": "date", "limit": 5}).json()
    cursor = first["links"]["next"].split("cursor=")[1]
    r = client.get("/api/models", params={"sort": "name", "cursor": cursor})
    assert r.status_code == 422
    assert r.json()["parameter"] == "cursor"
    r = client.get("/api/models", params={"cursor": "not-a-cursor"})
    assert r.status_code == 422 and r.json()["parameter"] == "cursor"
