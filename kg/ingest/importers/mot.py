"""Import LF AI & Data Model Openness Tool (MOT) self-assessments and grade them by the MOF.

Input: the model YAML files of the MOT repository (``models/*.yml``, schema
``schema/mof_schema.json``) together with the framework's two rule files, found among the given
paths or next to the model files: ``mof_components.yml`` (the 17 components, each with its MOF
class 1-3, required flag and content type) and ``mof_open_licenses.json`` (the licenses the MOF
accepts as open, each for the content types code, data and/or document).

License of a released component (``schema/sample_model.yml``): its own ``license`` when given
(``unlicensed`` means released without a license); when omitted it is inherited from
``release.license.{content type}`` and, when that is empty, from
``release.license.distribution``. A component whose license reads "Component not included" was
not released.

MOF class (Model Openness Framework 1.0, classes cumulative): Class III when every *required*
component of class 3 is released under a license open for its content type; Class II when, in
addition, every required class-2 component is; Class I when every required component is. The
best class met is the model's ``aikg:mofClass``; none met gives ``aikg:MOFNotClassified``. A
license is open when its id is in ``mof_open_licenses.json`` for the component's content type
(ids compared case-insensitively, as SPDX specifies; "Apache 2.0" is not an id). As the Model
Openness Tool evaluates it, final model parameters under an OSI-approved license count as open
(weights are "data", but the open data licenses are rarely used for them) and alone give a
conditional Class III; without that rule no model of the MOT data reaches any class.

The assessment is the producer's self-assessment: an ``aikg:MOFAssessment`` with
``aikg:selfReported true``, ``prov:wasAttributedTo`` the producer, ``dcterms:source`` the YAML
file, ``schema:dateCreated`` the entry's ``release.date`` (the MOT entry date, not the model's
release date), and one ``aikg:ComponentRelease`` per released component. The model gets
``aikg:mofClass``, ``aikg:weightsLicense`` (final parameters) and ``aikg:codeLicense``
(architecture, inference and training code) when those licenses name a license.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

from kg.errors import LoadError
from kg.ingest.importers.batch import (
    DCT_SOURCE,
    BadRow,
    FileRead,
    ImportBatch,
    SourceInfo,
    Track,
    load_yaml,
    no_progress,
    read_yaml,
)
from kg.ingest.importers.matching import Resolver, hf_repo_id, slugify
from kg.namespaces import AIKG, ID, PREFIXES, SCHEMA
from kg.terms import boolean, iri, text

__all__ = ["COMPONENT_CONCEPTS", "SOURCE", "Component", "effective_license", "mof_class", "read"]

SOURCE = SourceInfo(
    key="mot",
    title="LF AI & Data Model Openness Tool: Model Openness Framework self-assessments",
    publisher="LF AI & Data Foundation",
    publisher_url="https://lfaidata.foundation",
    license="http://spdx.org/licenses/MIT",
    homepage="https://github.com/lfai/model_openness_tool",
    citation="The Model Openness Tool Authors, Model Openness Tool (MIT License), https://mot.isitopen.ai",
    importer_version="1",
)

MODEL_FILE_URL = "https://github.com/lfai/model_openness_tool/blob/main/models/"

COMPONENT_CONCEPTS: dict[int, str] = {
    9: str(AIKG.MOFModelArchitecture),
    10: str(AIKG.MOFModelParametersFinal),
    11: str(AIKG.MOFTechnicalReport),
    12: str(AIKG.MOFEvaluationResults),
    13: str(AIKG.MOFModelCard),
    14: str(AIKG.MOFDataCard),
    20: str(AIKG.MOFSampleModelOutputs),
    7: str(AIKG.MOFTrainingCode),
    8: str(AIKG.MOFInferenceCode),
    18: str(AIKG.MOFEvaluationCode),
    19: str(AIKG.MOFEvaluationData),
    22: str(AIKG.MOFSupportingLibraries),
    15: str(AIKG.MOFDatasets),
    16: str(AIKG.MOFDataPreprocessingCode),
    24: str(AIKG.MOFModelParametersIntermediate),
    21: str(AIKG.MOFResearchPaper),
    17: str(AIKG.MOFModelMetadata),
}
"""MOF component id -> concept of aikg:MOFComponentScheme."""

CLASS_CONCEPTS: dict[int | None, str] = {
    1: str(AIKG.MOFClassI),
    2: str(AIKG.MOFClassII),
    3: str(AIKG.MOFClassIII),
    None: str(AIKG.MOFNotClassified),
}

MODALITY: dict[str, str] = {
    "language": str(AIKG.Text),
    "code": str(AIKG.Code),
    "multimodal": str(AIKG.Multimodal),
    "vision": str(AIKG.Image),
    "image": str(AIKG.Image),
    "audio": str(AIKG.Audio),
    "video": str(AIKG.Video),
}
"""MOT ``release.type`` -> modality concept."""

_NOT_INCLUDED = re.compile(r"component\s+(component\s+)?not\s+includ", re.IGNORECASE)
_NO_LICENSE = {
    "unlicensed",
    "undisclosed",
    "proprietary",
    "other license",
    "license",
    "none",
    "n/a",
    "na",
    "unknown",
    "",
}
_CODE_COMPONENTS = (9, 8, 7)
_SPLIT_ORGS = re.compile(r"\s*,\s*|\s+and\s+|\s*&\s*")


@dataclass(frozen=True, slots=True)
class Component:
    """One MOF component, as ``mof_components.yml`` defines it."""

    id: int
    name: str
    content_type: str
    mof_class: int
    required: bool


def _rules(paths: Sequence[Path]) -> tuple[list[Path], Path, Path]:
    models: list[Path] = []
    components = licenses = None
    search: list[Path] = []
    for path in paths:
        if path.is_dir():
            folder = path / "models" if (path / "models").is_dir() else path
            models.extend(
                sorted(
                    p
                    for p in folder.iterdir()
                    if p.suffix.lower() in {".yml", ".yaml"} and p.name != "mof_components.yml"
                )
            )
            search += [path, path.parent]
        elif path.name == "mof_components.yml":
            components = path
        elif path.name == "mof_open_licenses.json":
            licenses = path
        elif path.exists():
            models.append(path)
            search += [path.parent, path.parent.parent]
        else:
            raise LoadError(path.name, "file not found")
    for folder in search:
        components = components or _exists(folder / "mof_components.yml")
        licenses = licenses or _exists(folder / "mof_open_licenses.json")
    if components is None or licenses is None:
        missing = [
            n for n, p in (("mof_components.yml", components), ("mof_open_licenses.json", licenses)) if p is None
        ]
        raise LoadError(
            ", ".join(missing),
            "MOF rule file not found: give it with the model files (the MOT repository's data folder has both)",
        )
    if not models:
        raise LoadError(", ".join(p.name for p in paths), "no MOT model YAML file to import")
    return models, components, licenses


def _exists(path: Path) -> Path | None:
    return path if path.is_file() else None


def load_rules(components_file: Path, licenses_file: Path) -> tuple[dict[str, Component], dict[str, set[str]]]:
    """Read the MOF rule files.

    Parameters
    ----------
    components_file : pathlib.Path
        ``mof_components.yml`` (``components: [{id, name, content_type, class, required}]``).
    licenses_file : pathlib.Path
        ``mof_open_licenses.json`` (``licenses: [{licenseId, ContentType}]``; ContentType a
        string or a list).

    Returns
    -------
    (dict, dict)
        Component name (case-folded) -> Component; license id (case-folded) -> content types.

    Raises
    ------
    LoadError
        If a file does not have that shape.
    """
    data, _ = load_yaml(components_file)
    try:
        components = {
            str(c["name"]).casefold(): Component(
                int(c["id"]), str(c["name"]), str(c["content_type"]), int(c["class"]), bool(c["required"])
            )
            for c in data["components"]
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise LoadError(components_file.name, f"not a MOF component table: {exc}") from exc
    try:
        raw = json.loads(licenses_file.read_text(encoding="utf-8"))
        open_licenses: dict[str, set[str]] = {}
        for lic in raw["licenses"]:
            kinds = lic["ContentType"]
            kinds = [kinds] if isinstance(kinds, str) else list(kinds)
            open_licenses.setdefault(str(lic["licenseId"]).casefold(), set()).update(kinds)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise LoadError(licenses_file.name, f"not a MOF open-license list: {exc}") from exc
    return components, open_licenses


def effective_license(component: dict[str, Any], content_type: str, release_license: Any) -> str:
    """Return a released component's license after the MOT inheritance rules.

    Parameters
    ----------
    component : dict
        The component entry of ``release.components``.
    content_type : str
        ``code``, ``data`` or ``document``.
    release_license : dict or None
        ``release.license`` (``{distribution|code|data|document: {name, path}}``).

    Returns
    -------
    str
        The license text; ``"unlicensed"`` when neither the component nor the release names
        one.

    Examples
    --------
    >>> effective_license({"name": "Training code"}, "code", {"code": {"name": "MIT"}})
    'MIT'
    >>> effective_license({"name": "Datasets"}, "data", {"distribution": {"name": "Apache-2.0"}, "data": {"name": None}})
    'Apache-2.0'
    >>> effective_license({"name": "Model card", "license": "unlicensed"}, "document", {"distribution": {"name": "MIT"}})
    'unlicensed'
    """
    own = component.get("license")
    if isinstance(own, str) and own.strip():
        return own.strip()
    release = release_license if isinstance(release_license, dict) else {}
    for key in (content_type, "distribution"):
        entry = release.get(key)
        name = entry.get("name") if isinstance(entry, dict) else entry
        if isinstance(name, str) and name.strip():
            return name.strip()
    return "unlicensed"


def mof_class(
    released: dict[int, str],
    components: dict[str, Component],
    open_licenses: dict[str, set[str]],
    osi_approved: Callable[[str], bool] = lambda _: False,
) -> int | None:
    """Return the best MOF class the released components meet (1, 2, 3) or None.

    Parameters
    ----------
    released : dict of int to str
        MOF component id -> effective license text, for every released component.
    components : dict
        The component table (:func:`load_rules`).
    open_licenses : dict
        License id (case-folded) -> content types it is open for.
    osi_approved : callable, optional
        ``osi_approved(license text) -> bool``; final model parameters (component 10) under an
        OSI-approved license count as openly licensed (the Model Openness Tool's "conditional"
        Class III: weights are data, yet released under open-source licenses such as
        Apache-2.0), and that alone meets Class III.

    Returns
    -------
    int or None

    References
    ----------
    .. [1] LF AI & Data, "Model Openness Framework" 1.0 (2024-12-15); component table and
       open-license list of the Model Openness Tool (``ModelEvaluator``: required components
       per class, conditional pass of component 10).
    """
    by_id = {c.id: c for c in components.values()}
    final = released.get(10)
    conditional = final is not None and osi_approved(final)

    def met(component: Component) -> bool:
        license_text = released.get(component.id)
        if license_text is None:
            return False
        if component.id == 10 and conditional:
            return True
        return component.content_type in open_licenses.get(license_text.casefold(), set())

    for level in (1, 2, 3):
        required = [c for c in by_id.values() if c.required and c.mof_class >= level]
        if all(met(c) for c in required):
            return level
    return 3 if conditional else None


def _is_license_name(value: str) -> bool:
    low = value.strip().casefold()
    return (
        low not in _NO_LICENSE
        and not _NOT_INCLUDED.search(low)
        and len(low) <= 60
        and "://" not in low
        and ";" not in low
        and '"' not in low
        and not low.startswith(("datasets with", "license only"))
    )


def read(paths: Sequence[Path], resolver: Resolver, track: Track = no_progress) -> ImportBatch:
    """Read MOT model YAML files into an import batch, with their MOF class.

    Parameters
    ----------
    paths : sequence of pathlib.Path
        Model YAML files, the MOT data folder, and/or the two rule files.
    resolver : Resolver
        Entity resolution against the graph.
    track : callable, optional
        Progress reporter.

    Returns
    -------
    ImportBatch
        Counts: ``rows_read`` (model files), ``models``, ``new_models``, ``organizations``,
        ``mof_assessments``, ``components``, ``rows_skipped``.

    Raises
    ------
    LoadError
        If a rule file is missing or malformed, or no model file is given.
    """
    batch = ImportBatch(SOURCE)
    models, components_file, licenses_file = _rules(paths)
    components, open_licenses = load_rules(components_file, licenses_file)
    for rule_file, role in ((components_file, "rules"), (licenses_file, "rules")):
        batch.files.append(FileRead.of(rule_file, role))
    for path in track(models, "mot: model files", len(models)):
        batch.read_file(path, "model")
        parsed = read_yaml(batch, path, functools.partial(_parse, components=components))
        if parsed is not None:
            _emit(path, parsed, components, open_licenses, batch, resolver)
    return batch.finish(resolver, mof_assessments=str(AIKG.MOFAssessment), components=str(AIKG.ComponentRelease))


@dataclass(slots=True)
class _Entry:
    name: str
    producer: str
    hf: str | None
    repository: str | None
    modality: str | None
    entry_date: str | None
    released: dict[int, str]


def _parse(data: Any, components: dict[str, Component]) -> _Entry:
    if not isinstance(data, dict) or not isinstance(data.get("release"), dict):
        raise BadRow("release", "missing: a MOT file has a 'release' mapping")
    release = data["release"]
    name = release.get("name")
    if not isinstance(name, str) or not name.strip():
        raise BadRow("release.name", "empty: every model needs its name")
    producer = release.get("producer") or ""
    if not isinstance(producer, str):
        raise BadRow("release.producer", f"{producer!r} is not text")
    items = release.get("components") or []
    if not isinstance(items, list):
        raise BadRow("release.components", "not a list")
    released: dict[int, str] = {}
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise BadRow(f"release.components[{i}].name", "missing: a component needs its name")
        component = components.get(item["name"].strip().casefold())
        if component is None:
            raise BadRow(f"release.components[{i}].name", f"{item['name']!r} is not a MOF component")
        if item.get("license") is not None and not isinstance(item["license"], str):
            raise BadRow(f"release.components[{i}].license", f"{item['license']!r} is not text")
        license_text = effective_license(item, component.content_type, release.get("license"))
        if _NOT_INCLUDED.search(license_text):
            continue
        released[component.id] = license_text
    hf_url = release.get("huggingface") or ""
    hf = hf_repo_id(hf_url) if isinstance(hf_url, str) else None
    repository = release.get("repository") if isinstance(release.get("repository"), str) else None
    kind = release.get("type") if isinstance(release.get("type"), str) else ""
    entry_date = release.get("date")
    if isinstance(entry_date, date):
        entry_date = entry_date.isoformat()
    elif isinstance(entry_date, str) and entry_date.strip():
        try:
            entry_date = date.fromisoformat(entry_date.strip()).isoformat()
        except ValueError:
            raise BadRow("release.date", f"{entry_date!r} is not a date (YYYY-MM-DD)") from None
    else:
        entry_date = None
    return _Entry(
        name.strip(),
        producer.strip(),
        hf,
        repository.strip() if repository else None,
        MODALITY.get(kind.strip().casefold()),
        entry_date,
        released,
    )


def _producers(
    producer: str, hf_owner: str | None, batch: ImportBatch, resolver: Resolver, source: ox.NamedNode
) -> list[str]:
    if not producer:
        return []
    known = resolver.known_organization(producer)
    if known is None:
        parts = [p for p in _SPLIT_ORGS.split(producer) if p]
        found = [resolver.known_organization(p) for p in parts]
        names = parts if len(parts) > 1 and all(found) else [producer]
    else:
        names = [producer]
    out = []
    for name in names:
        match = resolver.organization(name, hf_namespace=hf_owner if len(names) == 1 else None)
        o = iri(match.iri)
        batch.typed(o, str(SCHEMA.Organization))
        batch.name(o, name)
        batch.add(o, DCT_SOURCE, source)
        out.append(match.iri)
    return out


def _emit(
    path: Path,
    entry: _Entry,
    components: dict[str, Component],
    open_licenses: dict[str, set[str]],
    batch: ImportBatch,
    resolver: Resolver,
) -> None:
    source = iri(MODEL_FILE_URL + quote(path.name))
    hf_owner = entry.hf.split("/", 1)[0] if entry.hf else None
    if not entry.producer and resolver.existing_model(entry.name, hf_repo=entry.hf) is None:
        batch.skip(
            path.name,
            None,
            "release.producer",
            "empty, and no known model has this name: a new model needs its developer",
            "unresolved",
        )
        return
    creators = _producers(entry.producer, hf_owner, batch, resolver, source)
    match = resolver.model(entry.name, creators=creators, hf_repo=entry.hf)
    m = iri(match.iri)
    batch.typed(m, str(AIKG.AIModel))
    batch.name(m, entry.name)
    for creator in creators:
        batch.add(m, iri(str(SCHEMA.creator)), iri(creator))
    if entry.hf:
        batch.add(m, iri(str(AIKG.hfRepoId)), text(entry.hf))
    if entry.repository and entry.repository.startswith(("http://", "https://")):
        try:
            batch.add(m, iri(str(SCHEMA.codeRepository)), iri(entry.repository))
        except ValueError:
            batch.warn(
                path.name, f"repository {entry.repository!r} is not an IRI; left out", None, "release.repository"
            )
    if entry.modality:
        batch.add(m, iri(str(AIKG.modality)), iri(entry.modality))
    batch.add(m, DCT_SOURCE, source)

    level = mof_class(entry.released, components, open_licenses, resolver.osi_approved)
    slug = slugify(path.stem)
    if batch.subjects_of_type(str(AIKG.MOFAssessment)) & {f"{ID}mof-assessment/mot-{slug}"}:
        # Two file names with one slug ("RWKV-v4-(Raven)", "RWKV-v4-Raven"): the hash of the
        # name keeps them apart, the same way on every import.
        slug += "-" + hashlib.sha1(path.name.encode()).hexdigest()[:6]
    a = iri(f"{ID}mof-assessment/mot-{slug}")
    batch.typed(a, str(AIKG.MOFAssessment))
    batch.add(a, iri(PREFIXES["rdfs"] + "label"), ox.Literal(f"MOF self-assessment of {entry.name}", language="en"))
    batch.add(a, iri(str(AIKG.mofClass)), iri(CLASS_CONCEPTS[level]))
    batch.add(a, iri(str(AIKG.selfReported)), boolean(True))
    batch.add(a, DCT_SOURCE, source)
    if entry.entry_date:
        batch.add(
            a,
            iri(str(SCHEMA.dateCreated)),
            ox.Literal(entry.entry_date, datatype=ox.NamedNode(PREFIXES["xsd"] + "date")),
        )
    for creator in creators:
        batch.add(a, iri(PREFIXES["prov"] + "wasAttributedTo"), iri(creator))
    batch.add(m, iri(str(AIKG.mofAssessment)), a)
    batch.add(m, iri(str(AIKG.mofClass)), iri(CLASS_CONCEPTS[level]))

    by_id = {c.id: c for c in components.values()}
    for cid, license_text in sorted(entry.released.items()):
        component = by_id[cid]
        c = iri(f"{a.value}-c{cid}")
        batch.typed(c, str(AIKG.ComponentRelease))
        batch.add(a, iri(str(AIKG.releasedComponent)), c)
        batch.add(c, iri(str(AIKG.mofComponent)), iri(COMPONENT_CONCEPTS.get(cid, str(AIKG.MOFComponentScheme))))
        batch.add(c, iri(str(AIKG.licenseNote)), text(license_text))
        openly = component.content_type in open_licenses.get(license_text.casefold(), set()) or (
            cid == 10 and resolver.osi_approved(license_text)
        )
        batch.add(c, iri(str(AIKG.openlyLicensed)), boolean(openly))
        license_iri = _license(license_text, batch, resolver, source)
        if license_iri is None:
            continue
        batch.add(c, iri(str(SCHEMA.license)), license_iri)
        if cid == 10:
            batch.add(m, iri(str(AIKG.weightsLicense)), license_iri)
        elif cid in _CODE_COMPONENTS:
            batch.add(m, iri(str(AIKG.codeLicense)), license_iri)


def _license(value: str, batch: ImportBatch, resolver: Resolver, source: ox.NamedNode) -> ox.NamedNode | None:
    if not _is_license_name(value):
        return None
    match, described = resolver.license(value)
    node = iri(match.iri)
    describe_license(node, match, described, value, batch, source)
    return node


def describe_license(
    node: ox.NamedNode,
    match: Any,
    described: tuple[str, str, bool] | None,
    value: str,
    batch: ImportBatch,
    source: ox.NamedNode,
) -> None:
    """Describe a license the graph did not know.

    An SPDX-listed one from the SPDX License List, or a new ``LicenseRef-`` custom license named as the source names it (not OSI-approved: every
    OSI-approved license is on the SPDX License List).
    """
    spdx = PREFIXES["spdx"]
    if described is not None:
        lid, name, osi = described
        batch.typed(node, spdx + "ListedLicense")
        batch.add(node, iri(spdx + "licenseId"), text(lid))
        batch.add(node, iri(spdx + "name"), text(name))
        batch.add(node, iri(PREFIXES["rdfs"] + "label"), ox.Literal(name, language="en"))
        batch.add(node, iri(spdx + "isOsiApproved"), boolean(osi))
        batch.add(node, DCT_SOURCE, iri("https://spdx.org/licenses/"))
    elif match.key == "new":
        lid = "LicenseRef-" + re.sub(r"[^A-Za-z0-9.\-]+", "-", value).strip("-")
        batch.typed(node, str(AIKG.CustomLicense))
        batch.add(node, iri(spdx + "licenseId"), text(lid))
        batch.add(node, iri(spdx + "name"), text(value))
        batch.add(node, iri(PREFIXES["rdfs"] + "label"), ox.Literal(value, language="en"))
        batch.add(node, iri(spdx + "isOsiApproved"), boolean(False))
        batch.add(node, DCT_SOURCE, source)
