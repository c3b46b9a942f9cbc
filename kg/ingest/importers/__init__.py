"""Importers of external sources, one module per format.

=============  =========================================================================
``epoch``      Epoch AI model tables and Benchmarking Hub CSVs (:mod:`kg.ingest.importers.epoch`)
``mot``        LF AI & Data Model Openness Tool YAML (:mod:`kg.ingest.importers.mot`)
``osai``       Opening up ChatGPT / openness index YAML (:mod:`kg.ingest.importers.osai`)
``modelcard``  Hugging Face model card front matter (:mod:`kg.ingest.importers.modelcard`)
=============  =========================================================================

Each module has ``SOURCE`` (a :class:`~kg.ingest.importers.batch.SourceInfo`) and
``read(paths, resolver, track) -> ImportBatch``; :func:`kg.ingest.run.run_import` resolves, settles
and writes the batch.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from kg.errors import InvalidParameterError

__all__ = ["IMPORTERS", "importer"]

IMPORTERS: dict[str, str] = {
    "epoch": "kg.ingest.importers.epoch",
    "mot": "kg.ingest.importers.mot",
    "osai": "kg.ingest.importers.osai",
    "modelcard": "kg.ingest.importers.modelcard",
}
"""Source key -> importer module."""


def importer(source: str) -> ModuleType:
    """Return the importer module of `source`.

    Raises
    ------
    InvalidParameterError
        If no importer has that key.
    """
    if source not in IMPORTERS:
        raise InvalidParameterError("source", f"unknown source {source!r}: use one of {', '.join(IMPORTERS)}")
    return importlib.import_module(IMPORTERS[source])
