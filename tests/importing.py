"""Helpers of the import tests: where the real input is, stores to import into, quick queries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kg.load import load_default_graph
from kg.sparql import select
from kg.store import KnowledgeStore

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
EPOCH = SHARED / "epoch-ai"
MOT = SHARED / "model-openness-tool"
OSAI = SHARED / "opening-up-chatgpt"
CARDS = Path(__file__).resolve().parent / "data" / "modelcards"
BAD_CARDS = Path(__file__).resolve().parent / "data" / "modelcards-bad"


def need_shared_data() -> None:
    """Skip, saying why, when the real input folder is not beside the repository."""
    if not SHARED.is_dir():
        pytest.skip(f"real input {SHARED} is absent (it sits beside the repository in CI and on developer machines)")


def ontology_store(tmp: Path | None = None) -> KnowledgeStore:
    """A store holding the ontology only (no curated data): imports then create every entity."""
    empty = (tmp or Path("/nonexistent-data-dir-for-tests"))
    store = KnowledgeStore()
    load_default_graph(store, data_dir=empty)
    return store


def embedded_store() -> KnowledgeStore:
    """A store holding the ontology and the curated embedded graph."""
    store = KnowledgeStore()
    load_default_graph(store)
    return store


def rows(store: KnowledgeStore, text: str, **bindings: Any) -> list[dict[str, Any]]:
    """Run a SELECT on today's default graph."""
    return select(store.inner, text, bindings or None)


def value(store: KnowledgeStore, text: str, var: str = "n") -> Any:
    """The one value of a one-row SELECT."""
    found = rows(store, text)
    assert len(found) == 1, found
    return found[0].get(var)
