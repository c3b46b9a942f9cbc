"""Helpers of the import tests: where the real input is, stores to import into, quick queries."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from kg.engine.load import load_default_graph
from kg.engine.sparql import select
from kg.engine.store import KnowledgeStore

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
    empty = tmp or Path("/nonexistent-data-dir-for-tests")
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


def edited_epoch_copy(folder: Path, accessibility: dict[str, str] | None = None, drop: tuple[str, ...] = ()) -> Path:
    """Write a copy of the real ``notable_ai_models.csv`` into `folder`, edited as a later release.

    Parameters
    ----------
    folder : Path
        Where the copy goes (same file name).
    accessibility : dict of str to str, optional
        Model name -> new ``Model accessibility`` cell (each named model must exist).
    drop : tuple of str
        Model names whose rows are removed (each must exist).

    Returns
    -------
    Path
        The edited file.
    """
    with (EPOCH / "notable_ai_models.csv").open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    header = table[0]
    model, access = header.index("Model"), header.index("Model accessibility")
    changes = dict(accessibility or {})
    names = {r[model] for r in table[1:]}
    assert set(changes) | set(drop) <= names, (set(changes) | set(drop)) - names
    edited = [header]
    for r in table[1:]:
        if r[model] in drop:
            continue
        if r[model] in changes:
            r = [*r[:access], changes[r[model]], *r[access + 1 :]]
        edited.append(r)
    path = folder / "notable_ai_models.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(edited)
    return path
