"""Shared fixtures: one service on the embedded graph (with real query workers) and its client."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.service import KnowledgeGraph
from kg.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED_DATA = ROOT.parent / "shared" / "data"
TOKEN = "test-token-123"


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(workers=2, update_token=TOKEN, query_timeout_s=20)


@pytest.fixture(scope="session")
def graph(settings: Settings) -> Iterator[KnowledgeGraph]:
    service = KnowledgeGraph.open(settings)
    yield service
    service.close()


@pytest.fixture(scope="session")
def client(settings: Settings, graph: KnowledgeGraph) -> Iterator[TestClient]:
    with TestClient(create_app(settings, graph)) as c:
        yield c


@pytest.fixture(scope="session")
def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.skip("Debian chromium is not installed (make browser installs it): page test skipped")
    return path
