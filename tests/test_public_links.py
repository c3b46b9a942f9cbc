"""Issue 18 item 6: a forged Host or X-Forwarded-Proto cannot change what the next client receives.

Absolute links come from the configured public base URL (``KG_BASE_URL``, default the bind
address), never from request headers, and proxy headers are believed only from configured proxies.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from cli.main import uvicorn_options
from kg.service import KnowledgeGraph
from kg.settings import Settings

BASE = "https://kg.example.org"
FORGED = {"Host": "evil.example", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}


@pytest.fixture(scope="module")
def public_client(graph: KnowledgeGraph) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(workers=2, base_url=BASE), graph)) as client:
        yield client


def _links(body: object) -> list[str]:
    found: list[str] = []
    if isinstance(body, dict):
        for key, value in body.items():
            if key == "links" and isinstance(value, dict):
                found += [v for k, v in value.items() if k != "iri" and isinstance(v, str) and v.startswith("http")]
            else:
                found += _links(value)
    elif isinstance(body, list):
        for item in body:
            found += _links(item)
    return found


@pytest.mark.parametrize(
    "path", ["/api/models/glm-4.5", "/api/models?country=CN&limit=3", "/api/search?q=GLM-4.5&limit=2"]
)
def test_forged_host_cannot_poison_the_next_answer(public_client: TestClient, path: str) -> None:
    forged = public_client.get(path, headers=FORGED)
    assert forged.status_code == 200
    normal = public_client.get(path)
    assert normal.status_code == 200
    assert normal.headers["etag"] == forged.headers["etag"]  # the same cached answer...
    links = _links(normal.json())
    assert links and all(link.startswith(BASE + "/") for link in links), links[:3]  # ...with our links
    assert "evil.example" not in forged.text and "evil.example" not in normal.text
    assert "evil.example" not in normal.headers.get("link", "")


def test_default_base_is_the_bind_address(client: TestClient, settings: Settings) -> None:
    body = client.get("/api/models/glm-4.5", headers=FORGED).json()
    assert body["links"]["api"] == f"http://{settings.host}:{settings.port}/api/models/glm-4.5"


def test_base_url_setting() -> None:
    assert Settings.from_env({"KG_BASE_URL": "https://kg.example.org/"}).public_base_url() == BASE
    assert Settings(host="::1", port=9000).public_base_url() == "http://[::1]:9000"
    with pytest.raises(ValueError, match="KG_BASE_URL"):
        Settings.from_env({"KG_BASE_URL": "kg.example.org"})


def test_proxy_headers_only_from_configured_proxies() -> None:
    assert uvicorn_options(Settings())["proxy_headers"] is False
    options = uvicorn_options(Settings.from_env({"KG_TRUSTED_PROXIES": "10.0.0.1, 10.0.0.2"}))
    assert options["proxy_headers"] is True and options["forwarded_allow_ips"] == ["10.0.0.1", "10.0.0.2"]
