"""Fuzz the whole OpenAPI schema with schemathesis (fixed, derandomized example budget): no
operation answers 5xx, and every REST/linked-data error is an RFC 9457 problem document."""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

from api.app import create_app
from kg.service import KnowledgeGraph
from kg.settings import Settings

EXAMPLES = 25
"""Examples per operation and generation mode (the budget is fixed so the run is repeatable)."""

FIXED_PATHS = {
    "/api/{collection}/{slug}": [
        {"collection": c} for c in ("models", "organizations", "licenses", "claims", "architectures", "countries")
    ],
    "/id/{kind}/{slug}": [{"kind": k} for k in ("model", "organization", "claim")],
    "/feeds/changes.{fmt}": [{"fmt": f} for f in ("atom", "rss", "json")],
}
"""Extra runs with one path parameter pinned, so the fuzzer reaches the lookups behind it."""


@pytest.fixture(scope="module")
def schema(settings: Settings, graph: KnowledgeGraph) -> schemathesis.schemas.BaseSchema:
    app = create_app(settings, graph)
    # schemathesis calls the ASGI app without running its lifespan: hand it the open service.
    app.state.graph = graph
    app.state.settings = settings
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def _run(
    operation: object, mode: GenerationMode, pinned: dict[str, str] | None, failures: list[str], seen: Counter[int]
) -> None:
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=pinned)  # type: ignore[attr-defined]

    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    @given(case=strategy)
    def check(case: schemathesis.Case) -> None:
        response = case.call()
        seen[response.status_code] += 1
        where = f"{case.method} {case.formatted_path} query={case.query!r} headers={case.headers!r}"
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {where}: {response.text[:200]}")
        elif (
            response.status_code >= 400
            and case.path.startswith(("/api/", "/id/", "/feeds/", "/dumps/", "/.well-known/"))
            and response.headers.get("content-type", [""])[0] != "application/problem+json"
        ):
            failures.append(f"{response.status_code} without problem+json: {where}")

    try:
        check()
    except Unsatisfiable:
        assert mode == GenerationMode.NEGATIVE  # nothing can be invalid in an operation without inputs


def test_openapi_fuzz_finds_no_server_error(schema: schemathesis.schemas.BaseSchema) -> None:
    failures: list[str] = []
    seen: Counter[int] = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {
        "/api/models",
        "/api/search",
        "/api/{collection}/{slug}",
        "/id/{kind}/{slug}",
        "/api/compare",
        "/feeds/changes.{fmt}",
        "/dumps/",
        "/dumps/dataset.nq.gz",
        "/.well-known/void",
        "/search",  # the pages for people (issue 14): HTML, CSV and JSON answers, 4xx pages on bad input
        "/models",
        "/compare",
        "/api/neighbours",
        "/q",
        "/q/{qid}",
    }
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for pinned in [None, *FIXED_PATHS.get(operation.path, [])]:
                _run(operation, mode, pinned, failures, seen)
    assert failures == [], "\n".join(failures[:20])
    # The run reached real answers, not only refusals.
    assert seen[200] > 100 and seen[422] > 50 and seen[404] > 20
