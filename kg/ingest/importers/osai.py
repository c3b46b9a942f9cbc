"""Import the openness index of "Opening up ChatGPT" (European Open Source AI Index, v1 data).

Input: the project YAML files (``projects/*.yaml``): ``project`` (name, link, llmbase, rlbase,
license), ``org`` (name, link) and 14 graded dimensions, each ``{class, link, notes}`` with class
``open``, ``partial`` or ``closed`` (criteria in ``projects/readme.md``).

Each dimension becomes an ``aikg:OpennessGrade`` node (``aikg:dimension`` the key,
``aikg:grade`` aikg:GradeOpen/GradePartial/GradeClosed, ``schema:url`` the evidence link,
``rdfs:comment`` the notes, ``dcterms:source`` and ``prov:wasAttributedTo`` the index), linked
from the model with ``aikg:opennessGrade``. Grade IRIs come from the file name and the dimension
(``openness-grade/osai-{file}-{dimension}``), so re-imports keep them. The model is resolved by
its Hugging Face link, then its name; a new model's developer is ``org.name``. A file without a
``project.name`` (the template ``A_sample.yaml``, tools that are no model) is skipped.

Liesenfeld, Lopez & Dingemanse (2023), "Opening up ChatGPT: Tracking openness, transparency, and
accountability in instruction-tuned text generators", CUI '23, doi:10.1145/3571884.3604316
(data CC BY 4.0, http://opening-up-chatgpt.github.io).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.ingest.importers.batch import (
    DCT_SOURCE,
    BadRow,
    ImportBatch,
    SourceInfo,
    Track,
    input_files,
    no_progress,
    read_yaml,
)
from kg.ingest.importers.matching import Resolver, hf_repo_id, slugify
from kg.namespaces import AIKG, ID, PREFIXES, SCHEMA
from kg.terms import iri, text

__all__ = ["DIMENSIONS", "GRADES", "SOURCE", "read"]

SOURCE = SourceInfo(
    key="osai",
    title="Opening up ChatGPT: openness index of instruction-tuned text generators (v1)",
    publisher="Opening up ChatGPT (Liesenfeld, Lopez & Dingemanse)",
    publisher_url="https://opening-up-chatgpt.github.io",
    license="http://spdx.org/licenses/CC-BY-4.0",
    homepage="https://opening-up-chatgpt.github.io",
    citation=(
        "Liesenfeld, Andreas, Alianda Lopez, and Mark Dingemanse. 2023. Opening up ChatGPT: Tracking Openness, "
        "Transparency, and Accountability in Instruction-Tuned Text Generators. CUI '23. doi:10.1145/3571884.3604316"
    ),
    importer_version="1",
)

DIMENSIONS: tuple[str, ...] = (
    "opencode",
    "llmdata",
    "llmweights",
    "rldata",
    "rlweights",
    "license",
    "code",
    "architecture",
    "preprint",
    "paper",
    "modelcard",
    "datasheet",
    "package",
    "api",
)
"""The 14 graded dimensions, in the index's order (availability, documentation, access)."""

GRADES: dict[str, str] = {
    "open": str(AIKG.GradeOpen),
    "partial": str(AIKG.GradePartial),
    "closed": str(AIKG.GradeClosed),
}


def _yaml_files(path: Path) -> list[Path]:
    folder = path / "projects" if (path / "projects").is_dir() else path
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in {".yaml", ".yml"})


def read(paths: Sequence[Path], resolver: Resolver, track: Track = no_progress) -> ImportBatch:
    """Read openness-index project files into an import batch.

    Parameters
    ----------
    paths : sequence of pathlib.Path
        Project YAML files or folders of them (a folder with ``projects/`` inside is fine).
    resolver : Resolver
        Entity resolution against the graph.
    track : callable, optional
        Progress reporter.

    Returns
    -------
    ImportBatch
        Counts: ``rows_read`` (files), ``models``, ``new_models``, ``organizations``,
        ``openness_grades``, ``rows_skipped``.

    Raises
    ------
    LoadError
        If a path is missing or no YAML file is given.
    """
    batch = ImportBatch(SOURCE)
    for path in track(input_files(paths, _yaml_files, "openness-index YAML file"), "osai: projects", None):
        batch.read_file(path, "project")
        parsed = read_yaml(batch, path, _parse)
        if parsed is not None:
            _emit(path, *parsed, batch, resolver)
    return batch.finish(resolver, openness_grades=str(AIKG.OpennessGrade))


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value).strip())


def _parse(data: Any) -> tuple[dict[str, str], dict[str, str], list[tuple[str, str, str, str]]]:
    if not isinstance(data, dict) or not isinstance(data.get("project"), dict):
        raise BadRow("project", "missing: an index file has a 'project' mapping")
    project = {k: _text(v) for k, v in data["project"].items()}
    if not project.get("name"):
        raise BadRow("project.name", "empty: the file grades no named model (a template or a tool)", kind="unresolved")
    org = {k: _text(v) for k, v in (data.get("org") or {}).items()} if isinstance(data.get("org"), dict) else {}
    grades = []
    for dimension in DIMENSIONS:
        entry = data.get(dimension)
        if entry is None:
            raise BadRow(dimension, "missing: every model is graded on all 14 dimensions")
        if not isinstance(entry, dict):
            raise BadRow(dimension, f"{entry!r} is not a mapping with class, link and notes")
        grade = _text(entry.get("class")).casefold()
        if grade not in GRADES:
            raise BadRow(f"{dimension}.class", f"{entry.get('class')!r} is not open, partial or closed")
        grades.append((dimension, grade, _text(entry.get("link")), _text(entry.get("notes"))))
    return project, org, grades


def _emit(
    path: Path,
    project: dict[str, str],
    org: dict[str, str],
    grades: list[tuple[str, str, str, str]],
    batch: ImportBatch,
    resolver: Resolver,
) -> None:
    source = iri(SOURCE.homepage)
    hf = hf_repo_id(project.get("link", ""))
    creators: list[str] = []
    if resolver.existing_model(project["name"], hf_repo=hf) is None or org.get("name"):
        if not org.get("name"):
            batch.skip(
                path.name,
                None,
                "org.name",
                "empty, and no known model has this name: a new model needs its developer",
                "unresolved",
            )
            return
        match = resolver.organization(org["name"], hf_namespace=hf.split("/", 1)[0] if hf else None)
        o = iri(match.iri)
        batch.typed(o, str(SCHEMA.Organization))
        batch.name(o, org["name"])
        batch.add(o, DCT_SOURCE, source)
        creators.append(match.iri)
    match = resolver.model(project["name"], creators=creators, hf_repo=hf)
    m = iri(match.iri)
    batch.typed(m, str(AIKG.AIModel))
    batch.name(m, project["name"])
    for creator in creators:
        batch.add(m, iri(str(SCHEMA.creator)), iri(creator))
    batch.add(m, DCT_SOURCE, source)
    stem = slugify(path.stem)
    for dimension, grade, link, notes in grades:
        g = iri(f"{ID}openness-grade/osai-{stem}-{dimension}")
        batch.typed(g, str(AIKG.OpennessGrade))
        batch.add(
            g, iri(PREFIXES["rdfs"] + "label"), ox.Literal(f"{project['name']}: {dimension} {grade}", language="en")
        )
        batch.add(g, iri(str(AIKG.dimension)), text(dimension))
        batch.add(g, iri(str(AIKG.grade)), iri(GRADES[grade]))
        if link.startswith(("http://", "https://")):
            try:
                batch.add(g, iri(str(SCHEMA.url)), iri(link))
            except ValueError:
                batch.warn(path.name, f"evidence link {link!r} is not an IRI; left out", None, f"{dimension}.link")
        if notes:
            batch.add(g, iri(PREFIXES["rdfs"] + "comment"), ox.Literal(notes, language="en"))
        batch.add(g, DCT_SOURCE, source)
        batch.add(g, iri(PREFIXES["prov"] + "wasAttributedTo"), iri(SOURCE.publisher_url))
        batch.add(m, iri(str(AIKG.opennessGrade)), g)
