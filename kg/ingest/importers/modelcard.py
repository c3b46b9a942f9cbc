"""Import Hugging Face model card metadata (the YAML front matter of a repository's README.md).

The repository id is not in the card; it comes from the file's path: ``{owner}/{name}/README.md``
(a clone of the repositories under one folder), or a file named ``{owner}__{name}.md``. The
front matter is parsed with ``huggingface_hub.ModelCard`` (the Hub's own parser), offline.

Mapping (field reference: huggingface/hub-docs ``modelcard.md``):

========================  ========================================================================
``license``               ``aikg:weightsLicense`` (the repository holds the weights): an SPDX id
                          (``apache-2.0``), a Hub id (``llama3.1``, ``gemma``) or ``other`` with
                          ``license_name`` / ``license_link``
``base_model``            ``aikg:basedOn`` (one or more repository ids; a base the graph does not
                          know becomes a model node named after its repository)
``base_model_relation``   ``aikg:derivationType``: finetune, adapter, merge, quantized
``pipeline_tag``          ``aikg:inputModality`` / ``aikg:outputModality`` / ``aikg:modality``
``datasets``              ``aikg:trainingDataset`` (the dataset pages on the Hub)
``language``              ``schema:inLanguage`` (language codes)
``model-index``           ``aikg:BenchmarkResult`` nodes, ``aikg:selfReported true``
========================  ========================================================================
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
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
)
from kg.ingest.importers.matching import Resolver, slugify
from kg.ingest.importers.mot import describe_license
from kg.namespaces import AIKG, ID, SCHEMA
from kg.terms import boolean, decimal, iri, text

__all__ = ["HUB_LICENSES", "PIPELINE_MODALITIES", "RELATIONS", "SOURCE", "read", "repo_id_of"]

SOURCE = SourceInfo(
    key="modelcard",
    title="Hugging Face model cards: README front matter of model repositories",
    publisher="Hugging Face Hub (model repository owners)",
    publisher_url="https://huggingface.co",
    license="https://huggingface.co/docs/hub/repositories-licenses",
    homepage="https://huggingface.co/models",
    citation="Model card metadata of each repository (https://huggingface.co/docs/hub/model-cards); license per repository.",
    importer_version="1",
)

HUB_LICENSES: dict[str, str] = {
    "llama2": "Llama 2 Community License",
    "llama3": "Meta Llama 3 Community License",
    "llama3.1": "Llama 3.1 Community License",
    "llama3.2": "Llama 3.2 Community License",
    "llama3.3": "Llama 3.3 Community License",
    "llama4": "Llama 4 Community License",
    "gemma": "Gemma Terms of Use",
    "deepseek": "DeepSeek License Agreement",
    "openrail": "OpenRAIL",
    "creativeml-openrail-m": "CreativeML OpenRAIL-M",
    "bigscience-openrail-m": "BigScience OpenRAIL-M",
    "bigscience-bloom-rail-1.0": "BigScience BLOOM RAIL 1.0",
    "bigcode-openrail-m": "BigCode OpenRAIL-M",
}
"""Hub license ids that are not SPDX ids -> license name (resolved against the graph)."""

RELATIONS: dict[str, str] = {
    "finetune": str(AIKG.FineTune),
    "adapter": str(AIKG.Adapter),
    "merge": str(AIKG.Merge),
    "quantized": str(AIKG.Quantization),
}
"""``base_model_relation`` -> concept of aikg:DerivationTypeScheme."""

_T, _I, _V, _A, _S, _C = (
    str(AIKG.Text),
    str(AIKG.Image),
    str(AIKG.Video),
    str(AIKG.Audio),
    str(AIKG.Speech),
    str(AIKG.Code),
)
PIPELINE_MODALITIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "text-generation": ((_T,), (_T,)),
    "text2text-generation": ((_T,), (_T,)),
    "summarization": ((_T,), (_T,)),
    "translation": ((_T,), (_T,)),
    "question-answering": ((_T,), (_T,)),
    "fill-mask": ((_T,), (_T,)),
    "text-classification": ((_T,), ()),
    "token-classification": ((_T,), ()),
    "feature-extraction": ((_T,), ()),
    "sentence-similarity": ((_T,), ()),
    "image-text-to-text": ((_I, _T), (_T,)),
    "visual-question-answering": ((_I, _T), (_T,)),
    "image-to-text": ((_I,), (_T,)),
    "text-to-image": ((_T,), (_I,)),
    "image-to-image": ((_I,), (_I,)),
    "image-classification": ((_I,), ()),
    "text-to-video": ((_T,), (_V,)),
    "image-to-video": ((_I,), (_V,)),
    "video-text-to-text": ((_V, _T), (_T,)),
    "automatic-speech-recognition": ((_S,), (_T,)),
    "text-to-speech": ((_T,), (_S,)),
    "text-to-audio": ((_T,), (_A,)),
    "audio-classification": ((_A,), ()),
    "any-to-any": ((), ()),
}
"""Hub ``pipeline_tag`` -> (input modalities, output modalities)."""

_REPO = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+$")
_FRONT = re.compile(r"\A\ufeff?---\s*\n")


def repo_id_of(path: Path) -> str | None:
    """Return the repository id a card file stands for, from its path.

    Examples
    --------
    >>> repo_id_of(Path("cards/zai-org/GLM-4.5/README.md"))
    'zai-org/GLM-4.5'
    >>> repo_id_of(Path("cards/mlx-community__GLM-4.5-Air-4bit.md"))
    'mlx-community/GLM-4.5-Air-4bit'
    """
    if path.name.lower() == "readme.md" and len(path.parts) >= 3:
        candidate = f"{path.parent.parent.name}/{path.parent.name}"
    elif "__" in path.stem:
        candidate = path.stem.replace("__", "/", 1)
    else:
        return None
    return candidate if _REPO.match(candidate) else None


def _cards(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.md") if p.name.lower() == "readme.md" or "__" in p.stem)


def read(paths: Sequence[Path], resolver: Resolver, track: Track = no_progress) -> ImportBatch:
    """Read Hugging Face model cards into an import batch.

    Parameters
    ----------
    paths : sequence of pathlib.Path
        README.md files (in ``owner/name/`` folders) or ``owner__name.md`` files, or folders
        holding them.
    resolver : Resolver
        Entity resolution against the graph.
    track : callable, optional
        Progress reporter.

    Returns
    -------
    ImportBatch
        Counts: ``rows_read`` (cards), ``models``, ``new_models``, ``organizations``,
        ``benchmark_results``, ``rows_skipped``.

    Raises
    ------
    LoadError
        If a path is missing or no card is given.
    """
    from huggingface_hub import ModelCard

    batch = ImportBatch(SOURCE)
    files = input_files(paths, _cards, "model card (README.md)")
    for path in track(files, "modelcard: cards", len(files)):
        batch.read_file(path, "card")
        name = _display(path)
        try:
            repo = repo_id_of(path)
            if repo is None:
                raise BadRow(
                    None, "no repository id: put the card at {owner}/{name}/README.md or name it {owner}__{name}.md"
                )
            content = path.read_bytes().decode("utf-8-sig")
            if not _FRONT.match(content):
                raise BadRow(None, "no YAML front matter (the card must start with a '---' line)", 1)
            try:
                card = ModelCard(content, ignore_metadata_errors=False)
            except Exception as exc:  # the Hub's parser raises ValueError or yaml errors
                problem = (
                    getattr(exc, "problem", None) or getattr(exc.__cause__, "problem", None) or str(exc).splitlines()[0]
                )
                raise BadRow(None, f"front matter does not parse: {problem}", _yaml_line(exc)) from None
            data = card.data.to_dict()
            results = _results(card.data)
        except UnicodeDecodeError as exc:
            batch.skip(name, None, None, f"not UTF-8 text: {exc.reason}")
            continue
        except BadRow as bad:
            batch.skip(name, bad.line, bad.column, bad.reason)
            continue
        _emit(repo, name, data, results, batch, resolver)
    return batch.finish(resolver, benchmark_results=str(AIKG.BenchmarkResult))


def _display(path: Path) -> str:
    return (
        f"{path.parent.parent.name}/{path.parent.name}/{path.name}" if path.name.lower() == "readme.md" else path.name
    )


def _yaml_line(exc: Exception) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(getattr(exc, "__cause__", None), "problem_mark", None)
    return mark.line + 2 if mark else None


def _results(data: Any) -> list[dict[str, Any]]:
    out = []
    for i, result in enumerate(data.eval_results or []):
        column = f"model-index.results[{i}].metrics.value"
        raw = result.metric_value
        if isinstance(raw, bool) or raw is None:
            raise BadRow(column, f"{raw!r} is not a number")
        try:
            value = Decimal(str(raw).strip().rstrip("%"))
        except InvalidOperation:
            raise BadRow(column, f"{raw!r} is not a number") from None
        benchmark = result.dataset_name or result.dataset_type
        if not benchmark:
            raise BadRow(f"model-index.results[{i}].dataset.name", "empty: a result names its benchmark")
        out.append(
            {
                "benchmark": str(benchmark),
                "metric": str(result.metric_name or result.metric_type or ""),
                "value": value,
                "source": result.source_url,
                "verified": result.verified,
            }
        )
    return out


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in items if str(v).strip()]


def _org(owner: str, batch: ImportBatch, resolver: Resolver, source: ox.NamedNode) -> str:
    match = resolver.organization(owner, hf_namespace=owner)
    o = iri(match.iri)
    batch.typed(o, str(SCHEMA.Organization))
    batch.name(o, owner)
    batch.add(o, DCT_SOURCE, source)
    return match.iri


def _model(repo: str, batch: ImportBatch, resolver: Resolver) -> ox.NamedNode:
    source = iri(f"https://huggingface.co/{repo}")
    owner, name = repo.split("/", 1)
    creator = _org(owner, batch, resolver, source)
    match = resolver.model(name, creators=[creator], hf_repo=repo)
    m = iri(match.iri)
    batch.typed(m, str(AIKG.AIModel))
    batch.name(m, name)
    batch.add(m, iri(str(SCHEMA.creator)), iri(creator))
    batch.add(m, iri(str(AIKG.hfRepoId)), text(repo))
    batch.add(m, DCT_SOURCE, source)
    return m


def _emit(
    repo: str, name: str, data: dict[str, Any], results: list[dict[str, Any]], batch: ImportBatch, resolver: Resolver
) -> None:
    source = iri(f"https://huggingface.co/{repo}")
    m = _model(repo, batch, resolver)
    license_id = str(data.get("license") or "").strip()
    if license_id:
        label = (
            str(data.get("license_name") or "").strip()
            if license_id.casefold() == "other"
            else HUB_LICENSES.get(license_id.casefold(), license_id)
        )
        if label and label.casefold() not in {"other", "unknown"}:
            match, described = resolver.license(label)
            node = iri(match.iri)
            describe_license(node, match, described, label, batch, source)
            batch.add(m, iri(str(AIKG.weightsLicense)), node)
        else:
            batch.warn(name, f"license {license_id!r} without license_name: weights license left out", None, "license")
    bases = _strings(data.get("base_model"))
    for base in bases:
        if not _REPO.match(base):
            batch.warn(name, f"base_model {base!r} is not a repository id; left out", None, "base_model")
            continue
        batch.add(m, iri(str(AIKG.basedOn)), _model(base, batch, resolver))
    relation = str(data.get("base_model_relation") or "").strip().casefold()
    if relation:
        if relation in RELATIONS and bases:
            batch.add(m, iri(str(AIKG.derivationType)), iri(RELATIONS[relation]))
        else:
            batch.warn(
                name,
                f"base_model_relation {relation!r} without a known meaning or base model; left out",
                None,
                "base_model_relation",
            )
    tag = str(data.get("pipeline_tag") or "").strip()
    if tag:
        inputs, outputs = PIPELINE_MODALITIES.get(tag, ((), ()))
        for concept in inputs:
            batch.add(m, iri(str(AIKG.inputModality)), iri(concept))
        for concept in outputs:
            batch.add(m, iri(str(AIKG.outputModality)), iri(concept))
        for concept in dict.fromkeys(inputs + outputs):
            batch.add(m, iri(str(AIKG.modality)), iri(concept))
    for dataset in _strings(data.get("datasets")):
        if _REPO.match(dataset) or re.fullmatch(r"[\w.\-]+", dataset):
            batch.add(m, iri(str(AIKG.trainingDataset)), iri(f"https://huggingface.co/datasets/{dataset}"))
    for language in _strings(data.get("language")):
        batch.add(m, iri(str(SCHEMA.inLanguage)), text(language))
    for i, result in enumerate(results):
        r = iri(f"{ID}benchmark-result/hf-{slugify(repo)}-{i + 1}")
        batch.typed(r, str(AIKG.BenchmarkResult))
        batch.add(r, iri(str(AIKG.evaluatedModel)), m)
        batch.add(r, iri(str(AIKG.benchmark)), text(result["benchmark"]))
        batch.add(r, iri(str(AIKG.score)), decimal(format(result["value"].normalize(), "f")))
        if result["metric"]:
            batch.add(r, iri(str(AIKG.metric)), text(result["metric"]))
        batch.add(r, iri(str(AIKG.selfReported)), boolean(True))
        url = result["source"]
        target = source
        if isinstance(url, str) and url.startswith(("http://", "https://")):
            try:
                target = iri(url)
            except ValueError:
                batch.warn(
                    name,
                    f"result source {url!r} is not an IRI; the card is the source",
                    None,
                    "model-index.results.source.url",
                )
        batch.add(r, DCT_SOURCE, target)
        batch.add(r, iri("http://www.w3.org/ns/prov#wasAttributedTo"), source)
