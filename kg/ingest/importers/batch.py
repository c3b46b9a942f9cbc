"""What an importer produces: the triples of one import, its counts and the rows it skipped.

An importer reads its files into an :class:`ImportBatch` without touching the store;
:mod:`kg.ingest.run` then settles conflicts with the rest of the graph and writes the batch in one
transaction. Triples are pyoxigraph terms with IRIs only (no blank nodes), so two imports of the
same input give the same triples and diffs between snapshots are exact.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox

from kg.errors import LoadError
from kg.namespaces import AIKG, PREFIXES, SCHEMA
from kg.terms import iri, text

__all__ = [
    "FUNCTIONAL",
    "BadRow",
    "FileRead",
    "ImportBatch",
    "RowIssue",
    "SourceInfo",
    "Track",
    "input_files",
    "line_of",
    "load_yaml",
    "no_progress",
    "read_text",
    "read_yaml",
]

T = TypeVar("T")

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
DCT_SOURCE = ox.NamedNode(PREFIXES["dcterms"] + "source")


FUNCTIONAL: frozenset[str] = frozenset(
    str(p)
    for p in (
        SCHEMA.name,
        SCHEMA.datePublished,
        SCHEMA.identifier,
        AIKG.totalParameters,
        AIKG.activeParameters,
        AIKG.trainingCompute,
        AIKG.architecture,
        AIKG.weightsLicense,
        AIKG.accessibility,
        AIKG.mofClass,
        AIKG.derivationType,
        AIKG.evaluatedModel,
        AIKG.score,
        AIKG.selfReported,
        AIKG.grade,
        PREFIXES["spdx"] + "licenseId",
        PREFIXES["spdx"] + "isOsiApproved",
    )
)
"""Predicates that hold at most one value per subject (the SHACL shapes and the vocabulary say
so): an import never adds a second, different value for one of them; it keeps the first and
records a quality warning instead."""


@dataclass(frozen=True, slots=True)
class RowIssue:
    """One problem met while reading a source.

    Attributes
    ----------
    file : str
        File name (never a server path).
    line : int or None
        1-based line where the row starts, when known.
    column : str or None
        Column name (CSV) or key path (YAML), when the problem is in one value.
    reason : str
        What is wrong, in words a person can act on.
    kind : str
        ``"malformed"`` (a value does not parse or a required one is missing; ``strict``
        imports fail on these), ``"unresolved"`` (the row names something the graph does not
        know) or ``"warning"`` (the row was imported; something in it was held back).
    """

    file: str
    line: int | None
    column: str | None
    reason: str
    kind: str = "malformed"

    def __str__(self) -> str:
        """Return the message a person reads."""
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column:
            where += f", column {self.column!r}"
        return f"{where}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        """Return the issue as a JSON-ready dict."""
        return {"file": self.file, "line": self.line, "column": self.column, "reason": self.reason, "kind": self.kind}


class BadRow(ValueError):
    """A row (or file) an importer cannot use; the importer skips it with this reason.

    Parameters
    ----------
    column : str or None
        The column or key path (``release.components[3].license``) at fault.
    reason : str
        Why, for the import report.
    line : int, optional
        1-based line in the file, when the importer knows it.
    kind : {"malformed", "unresolved"}, optional
        Malformed rows fail a ``strict`` import; unresolved ones only are skipped.
    """

    def __init__(self, column: str | None, reason: str, line: int | None = None, kind: str = "malformed") -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason
        self.line = line
        self.kind = kind


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Who publishes a source and under which terms (goes into the import graph's PROV-O).

    Attributes
    ----------
    key : str
        Importer key, e.g. ``"epoch"``; also the last segment of the import graph IRI.
    title : str
        Human title of the dataset.
    publisher : str
        Publisher's name.
    publisher_url : str
        Publisher's home page (IRI).
    license : str
        License IRI of the data (SPDX IRI).
    homepage : str
        Landing page of the dataset (the ``dcterms:source`` of the import).
    citation : str
        The attribution the license asks for.
    importer_version : str
        Version of the importer's mapping rules (bumped when its output changes).
    """

    key: str
    title: str
    publisher: str
    publisher_url: str
    license: str
    homepage: str
    citation: str
    importer_version: str = "1"


@dataclass(slots=True)
class FileRead:
    """One input file: its name, content hash and how many rows it held."""

    name: str
    sha256: str
    rows: int = 0
    role: str = ""

    @classmethod
    def of(cls, path: Path, role: str = "") -> FileRead:
        """Hash `path` (SHA-256 of its bytes) and return its record."""
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        return cls(path.name, digest, 0, role)


Track = Callable[..., Iterable[Any]]
"""``track(iterable, description, total=None)`` yields the items while showing progress."""


def no_progress(items: Iterable[T], description: str = "", total: int | None = None) -> Iterator[T]:
    """Yield `items` unchanged (the default when nobody watches a progress bar)."""
    yield from items


@dataclass(slots=True)
class ImportBatch:
    """The complete output of one importer run, before anything is written.

    Attributes
    ----------
    source : SourceInfo
        The source read.
    files : list of FileRead
        The files read, with hashes and row counts.
    counts : collections.Counter
        ``rows_read``, ``models``, ``new_models``, ``organizations``, ``benchmark_results``,
        ``openness_grades`` and importer-specific counts.
    issues : list of RowIssue
        Skipped rows and warnings, in reading order.
    matches : list
        Entity-resolution decisions (:class:`kg.ingest.importers.matching.Match`).
    """

    source: SourceInfo
    files: list[FileRead] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    issues: list[RowIssue] = field(default_factory=list)
    matches: list[Any] = field(default_factory=list)
    _triples: dict[ox.Triple, None] = field(default_factory=dict)
    _single: dict[tuple[str, str], ox.NamedNode | ox.Literal] = field(default_factory=dict)

    # -- writing ----------------------------------------------------------------------------
    def add(self, s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal) -> None:
        """Add one triple (kept once; functional predicates keep their first value)."""
        if p.value in FUNCTIONAL:
            key = (s.value, p.value)
            first = self._single.get(key)
            if first is not None:
                if first != o:
                    self.warn(None, f"{_short(p.value)} of {s.value}: kept {_show(first)}, ignored {_show(o)}")
                return
            self._single[key] = o
        self._triples[ox.Triple(s, p, o)] = None

    def name(self, s: ox.NamedNode, name: str) -> None:
        """Give `s` its ``schema:name``; a second, different name becomes an alternate name."""
        key = (s.value, str(SCHEMA.name))
        first = self._single.get(key)
        if first is None or first.value == name:
            self.add(s, iri(str(SCHEMA.name)), text(name))
        else:
            self.add(s, iri(str(SCHEMA.alternateName)), text(name))

    def typed(self, s: ox.NamedNode, cls: str) -> None:
        """Add ``s rdf:type cls``."""
        self.add(s, RDF_TYPE, iri(cls))

    def has(self, s: ox.NamedNode, p: str) -> bool:
        """Return True when the batch already gives `s` a value for the functional `p`."""
        return (s.value, p) in self._single

    # -- files and totals ---------------------------------------------------------------------
    def read_file(self, path: Path, role: str, rows: int = 1) -> FileRead:
        """Record an input file (hashed) and count its `rows` as read."""
        record = FileRead.of(path, role)
        record.rows = rows
        self.files.append(record)
        self.counts["rows_read"] += rows
        return record

    def finish(self, resolver: Any, **typed: str) -> ImportBatch:
        """Count what the batch holds and keep the resolver's decisions; return the batch.

        Parameters
        ----------
        resolver : kg.ingest.importers.matching.Resolver
            The resolver the importer used.
        **typed : str
            Count name -> class IRI, for the importer's own kinds of node
            (``benchmark_results=str(AIKG.BenchmarkResult)``).

        Returns
        -------
        ImportBatch
            This batch, with ``models``, ``organizations``, the `typed` counts and
            ``new_models`` (models the import creates) set.
        """
        models = self.subjects_of_type(str(AIKG.AIModel))
        self.counts["models"] = len(models)
        self.counts["organizations"] = len(self.subjects_of_type(str(SCHEMA.Organization)))
        for name, cls in typed.items():
            self.counts[name] = len(self.subjects_of_type(cls))
        self.counts["new_models"] = len({m.iri for m in resolver.matches if m.kind == "model" and m.new} & models)
        self.matches = list(resolver.matches)
        return self

    # -- problems -----------------------------------------------------------------------------
    def skip(self, file: str, line: int | None, column: str | None, reason: str, kind: str = "malformed") -> None:
        """Record a skipped row (``kind`` malformed or unresolved)."""
        self.issues.append(RowIssue(file, line, column, reason, kind))
        self.counts["rows_skipped"] += 1

    def warn(self, file: str | None, reason: str, line: int | None = None, column: str | None = None) -> None:
        """Record a warning: the row was imported but something in it was held back."""
        self.issues.append(RowIssue(file or self.source.key, line, column, reason, "warning"))

    @property
    def malformed(self) -> list[RowIssue]:
        """Skipped rows that were malformed (what ``strict`` refuses)."""
        return [i for i in self.issues if i.kind == "malformed"]

    @property
    def skipped(self) -> list[RowIssue]:
        """Every skipped row, malformed or unresolved."""
        return [i for i in self.issues if i.kind != "warning"]

    @property
    def warnings(self) -> list[RowIssue]:
        """Issues that did not skip a row."""
        return [i for i in self.issues if i.kind == "warning"]

    # -- reading ------------------------------------------------------------------------------
    def triples(self) -> list[ox.Triple]:
        """Return the triples in the order they were added."""
        return list(self._triples)

    def __len__(self) -> int:
        """Return the number of items."""
        return len(self._triples)

    def subjects_of_type(self, cls: str) -> set[str]:
        """Return the IRIs the batch types as `cls`."""
        return {t.subject.value for t in self._triples if t.predicate == RDF_TYPE and t.object.value == cls}


def _short(value: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if value.startswith(namespace) and len(value) > len(namespace):
            return f"{prefix}:{value[len(namespace) :]}"
    return value


def _show(term: ox.NamedNode | ox.Literal) -> str:
    return _short(term.value) if isinstance(term, ox.NamedNode) else repr(term.value)


def read_text(path: Path) -> str:
    """Return the text of a UTF-8 file (a byte order mark is dropped).

    Raises
    ------
    LoadError
        If the file cannot be read or is not UTF-8 (with the byte offset).
    """
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(path.name, f"not UTF-8 text: {exc.reason} at byte {exc.start}") from exc
    except OSError as exc:
        raise LoadError(path.name, str(exc)) from exc


def load_yaml(path: Path) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Parse one YAML file, keeping the line of every key and list item.

    Parameters
    ----------
    path : pathlib.Path
        The file (UTF-8).

    Returns
    -------
    (object, dict)
        The data (``yaml.safe_load``) and a map from key path (``("release", "name")``,
        ``("release", "components", 3)``) to its 1-based line.

    Raises
    ------
    LoadError
        If the file cannot be read, is not UTF-8, or is not YAML (with the parser's line).
    """
    import yaml

    content = read_text(path)
    try:
        node = yaml.compose(content, Loader=yaml.SafeLoader)
        data = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise LoadError(
            path.name, f"YAML syntax: {getattr(exc, 'problem', None) or exc}", mark.line + 1 if mark else None
        ) from exc
    lines: dict[tuple[Any, ...], int] = {}

    def walk(n: Any, at: tuple[Any, ...]) -> None:
        lines[at] = n.start_mark.line + 1
        if isinstance(n, yaml.MappingNode):
            for key, value in n.value:
                walk(value, (*at, key.value))
                lines[(*at, key.value)] = key.start_mark.line + 1
        elif isinstance(n, yaml.SequenceNode):
            for i, value in enumerate(n.value):
                walk(value, (*at, i))

    if node is not None:
        walk(node, ())
    return data, lines


def line_of(lines: dict[tuple[Any, ...], int], *path: Any) -> int | None:
    """Return the line of the deepest known prefix of `path` (see :func:`load_yaml`)."""
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def read_yaml(batch: ImportBatch, path: Path, parse: Callable[[Any], T]) -> T | None:
    """Load one YAML file and parse its data; a file that fails either is skipped, with its line.

    Parameters
    ----------
    batch : ImportBatch
        Where a skipped file is recorded.
    path : pathlib.Path
        The file.
    parse : callable
        The importer's reading of the data; it raises :class:`BadRow` naming the key path
        (``release.components[3].license``) at fault.

    Returns
    -------
    object or None
        What `parse` returned; None when the file was skipped.
    """
    try:
        data, lines = load_yaml(path)
    except LoadError as exc:
        batch.skip(path.name, exc.line, None, exc.reason)
        return None
    try:
        return parse(data)
    except BadRow as bad:
        keys = [int(k) if k.isdigit() else k for k in re.split(r"[.\[\]]+", bad.column or "") if k]
        line = bad.line if bad.line is not None else line_of(lines, *keys)
        batch.skip(path.name, line, bad.column, bad.reason, bad.kind)
        return None


def input_files(paths: Sequence[Path], in_folder: Callable[[Path], Iterable[Path]], what: str) -> list[Path]:
    """Return the files to import: the given files, and the files `in_folder` picks in each folder.

    Parameters
    ----------
    paths : sequence of pathlib.Path
        Files and folders, as the user gave them.
    in_folder : callable
        Folder -> the files of it to import, in order.
    what : str
        What a file is, for the error when there is none (``"CSV file"``).

    Returns
    -------
    list of pathlib.Path

    Raises
    ------
    LoadError
        If a path does not exist, or no file is found.
    """
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(in_folder(path))
        elif path.exists():
            out.append(path)
        else:
            raise LoadError(path.name, "file not found")
    if not out:
        raise LoadError(", ".join(p.name for p in paths), f"no {what} to import")
    return out
