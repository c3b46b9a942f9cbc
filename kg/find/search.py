"""Search entity names and alternate names in any script, through the label index.

Every value that comes from a user is bound into a named query or looked up in the index, never
written into query text (known-traps case 21).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.engine.data_tag import cache_dir, data_tag
from kg.engine.dataset import union_dataset
from kg.engine.disk import DiskEngine
from kg.engine.memo import cached, reads
from kg.engine.sparql import select
from kg.errors import IndexNotReadyError, InvalidParameterError
from kg.find.index_files import load_index, save_index
from kg.find.label_index import LabelIndex, normalize
from kg.namespaces import PREFIXES
from kg.queries import named_query
from kg.terms import ENTITY_KINDS, NAME_PROPERTIES, SCHEMES, kind_of, python_value


def _build_label_index(
    store: ox.Store, schemes: dict[str, set[str]], interrupt: Callable[[], None] | None = None
) -> LabelIndex:
    """Read every searchable name (``kg/queries/labels.rq``) and index it with its entity's kind."""
    # Terms read straight from the engine's solutions: at 100k models (266k labels) the plain
    # rows of kg.engine.sparql.select cost twice as long.
    solutions = store.query(named_query("labels"), prefixes=PREFIXES, **union_dataset(store))
    assert [v.value for v in solutions.variables] == ["s", "label", "type", "property"]  # type: ignore[union-attr]
    rows = [(s[0].value, s[1], s[2], s[3].value) for s in solutions]  # type: ignore[union-attr]
    types: dict[str, set[str]] = defaultdict(set)
    for iri, _label, type_, _prop in rows:
        if type_ is not None:
            types[iri].add(python_value(type_))
    kinds: dict[str, str] = {}
    records = []
    for iri, label, _type, prop in rows:
        kind = kind_of(iri, types[iri]) or "other"
        if kind == "concept" and SCHEMES["architecture"] in schemes.get(iri, ()):
            kind = "architecture"
        kinds[iri] = kind
        rank = NAME_PROPERTIES.index(prop) if prop in NAME_PROPERTIES else len(NAME_PROPERTIES)
        text = label.value if label.datatype.value in _TEXT_TYPES else str(python_value(label))
        records.append((iri, text, rank))
    del rows, types  # the engine's terms: freed before the index's own build peaks
    # In one order whatever order the engine answered in (Oxigraph and Virtuoso differ): ties in
    # the ranking then fall the same way on every engine.
    records.sort()
    if interrupt is not None:
        interrupt()
    return LabelIndex(records, kinds, interrupt)


_TEXT_TYPES = frozenset((PREFIXES["xsd"] + "string", PREFIXES["rdf"] + "langString"))


def warm_index(store: ox.Store, version: str, build_elsewhere: Callable[..., Any] | None = None) -> None:
    """Build the label index of `version` now, so later lookups (and forked workers) reuse it.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    version : str
        Dataset version, the cache key.
    build_elsewhere : callable, optional
        ``build_elsewhere(label_index, version)`` runs the build in another process and returns
        the index (:func:`kg.engine.workers.run_in_own_worker`): this process then holds only the
        index, not the fragments its build leaves in the heap. Default: build here.
    """
    if build_elsewhere is None:
        label_index(store, version)
    else:  # the build runs only when this version has no index yet
        cached(version, "labels", lambda: build_elsewhere(label_index, version))


LABEL_PREDICATES = frozenset(
    [
        *(
            PREFIXES[prefix] + local
            for prefix, local in (
                ("schema", "name"),
                ("schema", "alternateName"),
                ("rdfs", "label"),
                ("skos", "prefLabel"),
                ("skos", "altLabel"),
                ("skos", "notation"),
                ("schema", "headline"),
                ("spdx", "licenseId"),
                ("spdx", "name"),
                ("aikg", "hfRepoId"),
                ("aikg", "epochName"),
                ("rdf", "type"),
                ("skos", "inScheme"),
            )
        )
    ]
)
"""Every predicate the label index reads: the names of ``kg/queries/labels.rq``, ``rdf:type`` and ``skos:inScheme``."""


reads("labels", lambda: LABEL_PREDICATES)

PRINT_LIMIT = 100_000
"""Triples the label index reads from one graph beyond which :func:`label_prints` of that graph is
not worth taking after a write (rebuilding the index is then the way)."""


_PRINT_MODULUS = 1 << 128


def label_prints(store: ox.Store, graphs: Iterable[str] | None = None) -> dict[str, list[Any]]:
    """Fingerprint, per named graph, the triples the label index reads (:data:`LABEL_PREDICATES`).

    The index is a function of those triples of all graphs together (a set): a write that leaves
    each graph's fingerprint as it was leaves the index as it was (the review keeper rewrites its
    graph at every start and after writes, names included, most often the very same ones).

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    graphs : iterable of str, optional
        Only these named graphs (IRIs); default: every graph that has such triples.

    Returns
    -------
    dict of str to [str or None, int]
        Graph IRI -> ``[fingerprint, triples]``: the fingerprint is the sum modulo 2**128 of each
        triple's 128-bit BLAKE2b hash (order-free, so no sort), as 32 hexadecimal digits; None for
        a graph of more than :data:`PRINT_LIMIT` such triples when `graphs` is not given (counted
        by the engine, not hashed: at 100k models hashing the bench graph's 530k took 10 s). A
        graph without such triples is absent (its fingerprint is ``["0" * 32, 0]``).
    """
    sums: dict[str, list[Any]] = {}
    out: dict[str, list[Any]] = {}
    if graphs is None:
        values = " ".join(f"<{p}>" for p in sorted(LABEL_PREDICATES))  # constants, not user text
        counts = store.query(
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} VALUES ?p {{ {values} }} }} GROUP BY ?g"
        )
        sizes = {row["g"].value: int(row["n"].value) for row in counts}  # type: ignore[union-attr, index]
        out = {g: [None, n] for g, n in sizes.items() if n > PRINT_LIMIT}
        graphs = [g for g, n in sizes.items() if n <= PRINT_LIMIT]
    for graph in (ox.NamedNode(g) for g in graphs):
        for predicate in sorted(LABEL_PREDICATES):
            for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None, graph):
                if not isinstance(quad.graph_name, ox.NamedNode):
                    continue
                line = f"{quad.subject} {quad.predicate} {quad.object}".encode("utf-8", "surrogatepass")
                digest = int.from_bytes(hashlib.blake2b(line, digest_size=16).digest(), "big")
                entry = sums.setdefault(quad.graph_name.value, [0, 0])
                entry[0] = (entry[0] + digest) % _PRINT_MODULUS
                entry[1] += 1
    return out | {g: [f"{total:032x}", count] for g, (total, count) in sums.items()}


def build_label_index(store: ox.Store, interrupt: Callable[[], None] | None = None) -> LabelIndex:
    """Build the label index of the data `store` holds now (seconds at 100k models, minutes at 1M).

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    interrupt : callable, optional
        Called between the build's stages; what it raises stops the build.

    Returns
    -------
    LabelIndex
    """
    schemes: dict[str, set[str]] = defaultdict(set)
    for row in select(store, "SELECT ?c ?scheme WHERE { ?c skos:inScheme ?scheme }"):
        schemes[row["c"]].add(row["scheme"])
    return _build_label_index(store, schemes, interrupt)


class _DataChanged(Exception):
    """The data tag changed during a build: what it builds describes data that is gone."""


_FILED: OrderedDict[str, tuple[Path, str]] = OrderedDict()
"""Dataset version -> (on-disk store, data tag) whose saved label index serves it, in this process
and in the query workers it forks (:func:`file_version`)."""

_FILED_KEPT = 8
"""Versions of one store kept in :data:`_FILED` (a worker forked before a write may still ask for an older one)."""


def file_version(version: str, store: Path, tag: str) -> None:
    """Serve the label index of `version` from the files saved beside `store` under `tag`, never building it.

    Called by the server before its query workers fork (and after each write), so that they find
    the index of the data they read: a process (or worker) whose memo lacks the index maps the
    saved files (:func:`kg.find.index_files.load_index`), and while there are none it raises
    :class:`~kg.errors.IndexNotReadyError` instead of spending minutes building its own copy
    (:class:`kg.find.disk_index.DiskLabelIndex` builds it once, in the background).

    Parameters
    ----------
    version : str
        A dataset version of the store.
    store : pathlib.Path
        The on-disk store's folder.
    tag : str
        Its data tag at `version` (:mod:`kg.engine.data_tag`).
    """
    _FILED[version] = (store, tag)
    _FILED.move_to_end(version)
    mine = [v for v, (path, _tag) in _FILED.items() if path == store]
    for old in mine[:-_FILED_KEPT]:
        del _FILED[old]


def forget_store(store: Path) -> None:
    """Stop serving label indexes of `store` from files (the server closed it).

    Parameters
    ----------
    store : pathlib.Path
        The on-disk store's folder, as given to :func:`file_version`.
    """
    for version in [v for v, (path, _tag) in _FILED.items() if path == store]:
        del _FILED[version]


def label_index(store: ox.Store, version: str) -> LabelIndex:
    """Return the label index of the dataset version, made once per version in this process.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    version : str
        Dataset version (cache key; empty builds afresh).

    Returns
    -------
    LabelIndex
        From this process's memo; else, for a version the server filed (:func:`file_version`), the
        index mapped from its saved files; else, for an on-disk store read in this process, the
        saved index of its data tag, built and saved when there is none; else built here.

    Raises
    ------
    IndexNotReadyError
        If the version was filed and its index is not saved yet (being built in the background).
    """

    def make() -> LabelIndex:
        filed = _FILED.get(version.partition("@")[0])
        if filed is not None:
            index = load_index(cache_dir(filed[0]), filed[1])
            if index is None:
                raise IndexNotReadyError("the name index is being built; retry in a few seconds")
            return index
        if isinstance(store, DiskEngine):
            return saved_or_built(store)
        return build_label_index(store)

    return cached(version, "labels", make)  # type: ignore[no-any-return]


def saved_or_built(engine: DiskEngine) -> LabelIndex:
    """Return the label index saved beside an on-disk store for its data tag, built and saved first if there is none.

    Parameters
    ----------
    engine : kg.engine.disk.DiskEngine
        The on-disk store, read in this process.

    Returns
    -------
    LabelIndex
    """
    tag, cache = engine.tag, cache_dir(engine.path)
    index = load_index(cache, tag)
    if index is None:
        index = build_label_index(engine)  # type: ignore[arg-type]
        save_index(index, cache, tag, lambda: engine.tag, {"graphs": label_prints(engine)})  # type: ignore[arg-type]
    return index


def build_and_save(store: ox.Store, path: str, tag: str, also_keep: str | None = None) -> bool:
    """Build the label index of `store` and save it beside the on-disk store `path` under `tag`.

    Run in a worker of its own (:func:`kg.engine.workers.run_in_own_worker`) reading the
    checkpoint of the data whose tag is `tag`: only a yes or no comes back, not the index. The
    :func:`label_prints` of every graph are saved beside it.

    Parameters
    ----------
    store : pyoxigraph.Store
        The data (a read-only checkpoint of the on-disk store).
    path : str
        The on-disk store's folder.
    tag : str
        The data tag read before the build started.
    also_keep : str, optional
        The tag of the index the server answers from meanwhile: its files are not removed when
        this one is saved (:func:`kg.find.index_files.save_index`).

    Returns
    -------
    bool
        True when the index was saved; False when the tag changed meanwhile (the build stops at
        its next stage, nothing is kept).

    Raises
    ------
    OSError
        If the files cannot be written.
    """

    def interrupt() -> None:
        if data_tag(path) != tag:
            raise _DataChanged(tag)

    try:
        index = build_label_index(store, interrupt)
        prints = label_prints(store)
    except _DataChanged:
        return False
    saved = save_index(index, cache_dir(path), tag, lambda: data_tag(path), {"graphs": prints}, also_keep)
    return saved is not None


def search(store: ox.Store, q: str, kind: str | None = None, limit: int = 20, version: str = "") -> dict[str, Any]:
    """Search names and alternate names, any script, case- and accent-insensitive.

    Parameters
    ----------
    store : pyoxigraph.Store
        The engine.
    q : str
        Text to look for, 1 to 200 characters after trimming.
    kind : str, optional
        Keep only this kind (one of :data:`ENTITY_KINDS`).
    limit : int, optional
        Maximum number of hits, 1 to 100.
    version : str, optional
        Dataset version, the key of the cached label index.

    Returns
    -------
    dict
        ``total`` (all hits) and ``results``: hits ranked exact > prefix > contains, strict before loose, then names
        before alternate names, shorter matched labels first, then by name; each with ``iri``,
        ``slug``, ``kind``, ``name``, ``matched`` (the label that matched), ``match``
        (``exact``, ``prefix`` or ``contains``) and ``loose`` (True when it matched only with
        spaces and punctuation ignored; such hits rank after strict ones of the same class).

    Raises
    ------
    InvalidParameterError
        If `q` is empty, longer than 200 characters, holds U+FFFD (undecodable bytes) or a
        control character other than tab and line breaks, `kind` is unknown, or `limit` is out
        of range.

    Notes
    -----
    Labels are folded with :func:`normalize` (NFKD, accents removed, case-folded), and also
    compared with punctuation and spaces removed, so ``glm45`` finds GLM-4.5 and ``智谱`` finds
    Zhipu AI through its alternate name.
    """
    needle = normalize(q)
    if not needle or len(q) > 200:
        raise InvalidParameterError("q", "give 1 to 200 characters to search for")
    if "\ufffd" in q:  # what a URL's percent-escapes that are not UTF-8 decode to
        raise InvalidParameterError("q", "holds bytes that are not UTF-8 (U+FFFD): percent-encode the text as UTF-8")
    if any(unicodedata.category(c) == "Cc" and c not in "\t\n\r" for c in q):
        raise InvalidParameterError("q", "holds a control character (such as %00): send the text alone")
    if kind is not None and kind not in ENTITY_KINDS:
        raise InvalidParameterError("kind", "must be one of " + ", ".join(ENTITY_KINDS))
    if not 1 <= limit <= 100:
        raise InvalidParameterError("limit", "must be between 1 and 100")
    return label_index(store, version).search(q, kind=kind, limit=limit)
