"""Keeping the reviews current: regenerate them when the data they rest on changed, before any read.

:class:`ReviewKeeper` regenerates the reviews whenever the data they rest on changes (graph
digests are compared) and replaces :data:`REVIEWS_GRAPH` under the store's write lock, so a stale
review is never served: by default inside every write (a store listener); after
:meth:`ReviewKeeper.defer` (what the service does) at the first read of a review after a write, so a
write costs no regeneration. :func:`keeper_for` gives each store its one keeper.

At a service's start on disk (:meth:`ReviewKeeper.start`) the reviews are computed in a thread of
their own: the first answers do not wait for them, a read of a review does. The slow part of a
regeneration (the graph digests, the rules) runs without the store's write lock; the digests are
kept beside an on-disk store under its data tag (:mod:`.digest_cache`), so a restart of an
unchanged store reads them back and writes no reviews graph.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import logging
import threading
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pyoxigraph as ox

from kg.analysis.review.data_snapshot import EMPTY_DIGEST, Cancelled, DataSnapshot, snapshot
from kg.analysis.review.digest_cache import load_digests, save_digests
from kg.analysis.review.model import CLAIM_KINDS, RATINGS, REVIEWS_GRAPH, Review
from kg.analysis.review.reviewing import review_all
from kg.analysis.review.reviews_graph import _triples
from kg.engine.rdflib_parser import query_iris
from kg.engine.sparql import select
from kg.engine.store import DEFAULT_GRAPH, KnowledgeStore
from kg.errors import InvalidParameterError, NotFoundError
from kg.namespaces import AIKG

__all__ = ["ReviewKeeper", "keeper_for"]

log = logging.getLogger(__name__)


class ReviewKeeper:
    """Keeps the reviews of one store current, in memory and in :data:`REVIEWS_GRAPH`.

    Parameters
    ----------
    store : KnowledgeStore
        The store to review. :meth:`install` registers a listener so that every write whose data
        changes a graph digest regenerates all reviews inside the same write lock: once a write
        returns, the reviews graph matches the data, and no stale review is served.

    Notes
    -----
    On an engine that refuses updates (a read-only remote engine, see
    :attr:`kg.engine.store.KnowledgeStore.writable`) the reviews are computed and served from memory
    and the reviews graph is left as the engine has it (:attr:`in_memory` is True).
    Generation reads the data graphs only, so its own write is recognised (the snapshot
    fingerprint is unchanged) and does not trigger a second round. If generation fails, the
    reviews graph is dropped rather than left stale, and :meth:`get` raises until a later write
    succeeds.
    """

    def __init__(self, store: KnowledgeStore) -> None:
        # Weakly: the keeper must not keep its store (and an on-disk store's lock) alive.
        self._store = weakref.ref(store)
        self.reviews: dict[str, Review] = {}
        self.snapshot: DataSnapshot | None = None
        self.published = ""
        self.generations = 0
        self.error: str | None = None
        self.in_memory = False
        """True when the engine refuses updates: reviews are kept in memory only, not in :data:`REVIEWS_GRAPH`."""
        # Digests of the last snapshot, and the graphs written since (None: any graph may have
        # changed), as of store version _tracked_version; see _note_write.
        self._digests: dict[str, tuple[int, str]] = {}
        self._changed: set[str] | None = None
        self._tracked_version: str | None = None
        self._lock = threading.RLock()
        self.regenerated: tuple[str, str] | None = None
        """The store versions before and after the last write of :data:`REVIEWS_GRAPH` (the reviews
        catching up with the data: answers of the first version still hold at the second but for
        the reviews graph)."""
        # What the last generation read: its query texts and the predicates bound from the data
        # (the predicates named in the texts are parsed when first needed: _reads).
        self._read_texts: frozenset[str] | None = None
        self._bound: frozenset[str] = frozenset()
        self.deferred = False
        """True once :meth:`defer` was called: writes only mark the reviews stale; reads regenerate them."""
        self._generation_listeners: list[Callable[[], Callable[[dict[str, str], dict[str, str]], None] | None]] = []
        self._busy = False
        self._installed = False
        self._clean_version = ""
        # The graphs written since the last off-lock preparation began (None: any may have been);
        # see _prepare.
        self._since_prepared: set[str] | None = set()
        self._prepared_from: str | None = None  # the store version _since_prepared counts from
        self._kept_tag: str | None = None  # the data tag the digests were last kept beside the store under
        self._started: threading.Event | None = None  # set once the computation start() began has ended
        self._start_thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def store(self) -> KnowledgeStore:
        """The store reviewed.

        Raises
        ------
        RuntimeError
            If the store no longer exists (the keeper holds it weakly).
        """
        store = self._store()
        if store is None:
            raise RuntimeError("the reviewed store no longer exists")
        return store

    def _reads(self) -> frozenset[str] | None:
        # The predicates the last generation may have read; None: any.
        return _predicates_read(self._read_texts or frozenset(), self._bound)

    def install(self) -> ReviewKeeper:
        """Register the store listener (once) and compute the reviews now.

        Returns
        -------
        ReviewKeeper
            This keeper.

        Raises
        ------
        Exception
            Whatever a rule raised while computing the reviews (see :meth:`refresh`).
        """
        with self._lock:
            if not self._installed:
                self.store.add_listener(self._on_write)
                self._installed = True
        self.refresh()
        return self

    def start(self) -> ReviewKeeper:
        """Register the store listener (once) and compute the reviews in a thread of their own.

        Unlike :meth:`install`, this returns at once: what a service answers first (a SPARQL
        query, a search, ``/health``) does not wait for the reviews (at 21.9M triples, digesting
        the data alone takes minutes when no digests are kept). A read of a review (:meth:`get`,
        :meth:`list`, :meth:`ensure_current`) waits until this computation ended, so it never
        sees them stale.

        Returns
        -------
        ReviewKeeper
            This keeper.
        """
        with self._lock:
            if self._installed:
                return self
            self.store.add_listener(self._on_write)
            self._installed = True
            self._started = threading.Event()
            self._start_thread = threading.Thread(target=self._run_start, name="kg-review-start", daemon=True)
        self._start_thread.start()
        return self

    def _run_start(self) -> None:
        try:
            self._refresh(False, self._stop)
        except Cancelled:
            log.info("the reviews' start was stopped: the store is closing")
        except Exception:  # the next read of a review computes them again and raises it
            log.exception("computing the reviews at start failed")
        finally:
            assert self._started is not None
            self._started.set()

    def wait_started(self, timeout_s: float) -> bool:
        """Wait until the computation :meth:`start` began has ended (without regenerating anything).

        Unlike a read of a review, this does not regenerate reviews made stale by later writes:
        a caller that needs the store to stop changing on its own (before closing it, say) waits
        here.

        Parameters
        ----------
        timeout_s : float
            Longest wait, in seconds.

        Returns
        -------
        bool
            True when no start computation runs (ended, or :meth:`start` was never called).
        """
        started = self._started
        return started is None or started.wait(timeout_s)

    def stop(self, timeout_s: float | None = None) -> None:
        """Stop the computation :meth:`start` began (the store is closing) and wait for its thread.

        A digest under way stops at its next chunk; a rule already running ends first.

        Parameters
        ----------
        timeout_s : float, optional
            Longest wait for the thread, in seconds (default: until it ended).
        """
        self._stop.set()
        if self._start_thread is not None:
            self._start_thread.join(timeout_s)

    def _note_write(self) -> None:
        # Called after every write (under the store's write lock): remember which graphs it may
        # have changed, so the next snapshot digests those only.
        store = self.store
        touched = store.touched
        if touched is None or self._changed is None:
            self._changed = None
        else:
            self._changed |= touched
        if touched is None or self._since_prepared is None:
            self._since_prepared = None
        else:
            self._since_prepared |= touched
        self._tracked_version = store.version
        # A write that changed no predicate the reviews read leaves them current: they stay so at
        # the new version (their snapshot still names the data version they were computed at),
        # and the changed graphs are digested at the next regeneration.
        predicates = store.touched_predicates
        reads = self._reads() if self._read_texts is not None else None
        if (
            predicates is not None
            and reads is not None
            and not (predicates & reads)
            and self._clean_version == store.previous_version
            and self.error is None
        ):
            self._clean_version = store.version

    def defer(self) -> ReviewKeeper:
        """Leave the reviews off the write path: a write marks them stale, the next read regenerates them.

        Every read of a review (:meth:`get`, :meth:`list`, :meth:`ensure_current`) compares the
        store's version with the version the reviews were last found current at and regenerates
        them first when the data moved on, under the store's write lock; so a read never returns a
        stale review, and a write costs no regeneration. :data:`REVIEWS_GRAPH` in the store
        catches up at that read (or when the service's idle-time refresh calls
        :meth:`ensure_current`); until then it states the data version it reflects
        (``aikg:computedFrom`` / ``aikg:datasetVersion``), and :attr:`stale` is True.

        Returns
        -------
        ReviewKeeper
            This keeper.
        """
        self.deferred = True
        return self

    @property
    def stale(self) -> bool:
        """True when the store was written since the reviews were last found current."""
        return self.snapshot is None or self.error is not None or self.store.version != self._clean_version

    def add_generation_listener(self, listener: Callable[[dict[str, str], dict[str, str]], None]) -> None:
        """Call ``listener(before, after)`` after each regeneration, with claim IRI -> rating maps.

        Parameters
        ----------
        listener : callable
            Takes the ratings before and after the regeneration (dict of str to str); it runs
            under the store's write lock (its exceptions are logged). A bound method is held
            weakly: it is dropped once its object is gone.
        """
        # Held weakly when a bound method: the keeper lives as long as its store, and must not
        # keep the listener's owner (a service holding the store) alive with it.
        self._generation_listeners.append(
            weakref.WeakMethod(listener) if inspect.ismethod(listener) else lambda: listener
        )

    def ensure_current(self) -> None:
        """Regenerate the reviews now if the data changed since they were last found current.

        Raises
        ------
        Exception
            Whatever a rule raised (see :meth:`refresh`).
        """
        self._current()

    def _on_write(self) -> None:
        self._note_write()
        if self._busy or self.deferred or not self.stale:
            return
        try:
            self.refresh()
        except Exception:  # a listener must not break the writer; the stale graph is dropped instead
            log.exception("review regeneration failed; the reviews graph was dropped")

    def refresh(self, force: bool = False) -> bool:
        """Regenerate the reviews when the data changed since the last run (or when forced).

        Parameters
        ----------
        force : bool, optional
            Regenerate even when the data snapshot is unchanged (default False).

        Returns
        -------
        bool
            True when the reviews were regenerated (the reviews graph is written only when its
            content changed: a restart of an unchanged store writes nothing).

        Raises
        ------
        Exception
            Whatever a rule raised; the reviews graph is dropped first and :attr:`error` says why.

        Notes
        -----
        The slow part (the graph digests, the rules) is computed first without the store's write
        lock, so writes and query workers' forks do not wait for it; under the lock it is used
        when no write came in between, otherwise the graphs written meanwhile are digested again
        and the rules run again there.
        """
        return self._refresh(force, None)

    def _refresh(self, force: bool, stop: threading.Event | None) -> bool:
        # refresh, stopped (Cancelled) once `stop` is set while the data is being digested.
        prepared = self._prepare(force, stop)
        # Lock order: the store's write lock first (a listener already holds it), then ours.
        with self.store.lock, self._lock:
            store = self.store
            if prepared is not None and prepared.version == store.version:
                snap = prepared.snapshot
            else:
                known, changed = self._known()
                if (
                    prepared is not None
                    and prepared.followed
                    and self._prepared_from == prepared.version
                    and self._since_prepared is not None
                ):
                    # A write came in while preparing: only the graphs it wrote are digested again.
                    known, changed = prepared.digests, self._since_prepared
                prepared = None
                snap = snapshot(store, known, changed, stop)
            self._digests = {g: (n, d) for g, n, d, _ in snap.graphs}
            self._digests.setdefault(DEFAULT_GRAPH, (0, EMPTY_DIGEST))  # left out of the snapshot when empty
            self._changed, self._tracked_version = set(), store.version
            self._keep_digests()
            if (
                not force
                and self.snapshot is not None
                and snap.fingerprint == self.snapshot.fingerprint
                and self.error is None
            ):
                self._clean_version = store.version
                return False
            writable = store.writable
            if not writable and not self.in_memory:
                log.warning(
                    "the engine refuses updates: reviews are computed in memory and served by the API, "
                    "but not written to %s (SPARQL does not see them)",
                    REVIEWS_GRAPH,
                )
            self.in_memory = not writable
            self._busy = True
            try:
                try:
                    if prepared is not None and prepared.reviews is not None:
                        reviews, texts, bound = prepared.reviews, prepared.texts, prepared.bound
                    else:
                        reviews, texts, bound = _run_rules(store.inner)
                except Exception as exc:
                    self.error = f"{type(exc).__name__}: {exc}"
                    self.reviews, self.snapshot = {}, None
                    if writable:
                        store.replace_graph(REVIEWS_GRAPH, [])
                    raise
                published = _now()
                if writable:
                    # The reviews graph already written from this very data (an earlier start) keeps
                    # its date and the dataset version it names when its content is what it would
                    # be rewritten with: it is not written again (nor the label index rebuilt for it).
                    written = _written_from(store.inner, snap)
                    earlier = dataclasses.replace(snap, version=written[1]) if written is not None else None
                    if (
                        earlier is not None
                        and written is not None
                        and _holds(store.inner, _triples(reviews, earlier, written[0]))
                    ):
                        snap, published = earlier, written[0]
                    else:
                        start = store.version
                        store.replace_graph(REVIEWS_GRAPH, _triples(reviews, snap, published))
                        self.regenerated = (start, store.version)
                        self._keep_digests()  # the reviews' write changed the data tag, not the digests
                for r in reviews:
                    r.published, r.snapshot = published, snap
                before = {claim: r.rating for claim, r in self.reviews.items()}
                self._read_texts, self._bound = texts, bound
                _parse_soon(self._read_texts)
                self.reviews = {r.claim: r for r in reviews}
                self.snapshot, self.published, self.error = snap, published, None
                self.generations += 1
                self._clean_version = store.version
            finally:
                self._busy = False
            after = {claim: r.rating for claim, r in self.reviews.items()}
            for ref in list(self._generation_listeners):
                listener = ref()
                if listener is None:
                    self._generation_listeners.remove(ref)
                    continue
                try:
                    listener(before, after)
                except Exception:  # the reviews are current; only a listener's record is lost
                    log.exception("a review generation listener failed")
            return True

    def _known(self) -> tuple[dict[str, tuple[int, str]], set[str] | None]:
        # Under the store's write lock: the digests known and the graphs changed since (None: any).
        # Only a listener that saw every write since the last snapshot can tell what changed; a
        # version it did not see (no listener yet, a remote engine's TTL) means anything may have,
        # unless the digests kept beside an on-disk store were taken from its current data.
        followed = self._installed and self._tracked_version == self.store.version
        changed = self._changed if followed else None
        if changed is None:
            kept = load_digests(self.store.inner)
            if kept is not None:
                return kept, set()
        return self._digests, changed

    def _keep_digests(self) -> None:
        # Under the store's write lock, the digests describing the data as it is now: kept beside
        # an on-disk store under its data tag (once per tag), for the next start.
        tag = getattr(self.store.inner, "tag", None)
        if tag is None or tag == self._kept_tag:
            return
        if save_digests(self.store.inner, self._digests):
            self._kept_tag = tag

    def _prepare(self, force: bool, stop: threading.Event | None) -> _Prepared | None:
        # The snapshot, and the reviews if the data changed, computed without the store's write
        # lock (reads see the data as of one version on every engine); None when the caller
        # already holds the lock (a write's listener): then refresh computes everything under it.
        store = self.store
        if store.lock._is_owned():  # type: ignore[attr-defined]
            return None
        with store.lock, self._lock:
            version = store.version
            known, changed = self._known()
            known, changed = dict(known), None if changed is None else set(changed)
            previous = self.snapshot if self.error is None else None
            self._since_prepared, self._prepared_from = set(), version
            followed = self._installed
        snap = snapshot(store, known, changed, stop)
        digests = {g: (n, d) for g, n, d, _ in snap.graphs}
        if not force and previous is not None and snap.fingerprint == previous.fingerprint:
            return _Prepared(version, followed, snap, digests)
        try:
            reviews, texts, bound = _run_rules(store.inner)
        except Exception:  # run again under the lock, where a failure is recorded
            return _Prepared(version, followed, snap, digests)
        return _Prepared(version, followed, snap, digests, reviews, texts, bound)

    def _current(self) -> None:
        # A start's computation first (a reader that holds the write lock computes them itself).
        started = self._started
        while started is not None and not started.wait(0.05):
            if self.store.lock._is_owned():  # type: ignore[attr-defined]
                break
        # Without the listener (or after a failure) the data may have moved on: compare digests.
        if self.snapshot is None or self.error is not None or self.store.version != self._clean_version:
            self.refresh()

    def get(self, claim: str) -> Review:
        """Return the current review of a claim.

        Parameters
        ----------
        claim : str
            IRI of the claim.

        Returns
        -------
        Review
            Its review, computed from the store's current data.

        Raises
        ------
        NotFoundError
            If `claim` is not a reviewed claim.
        """
        self._current()
        try:
            return self.reviews[claim]
        except KeyError as exc:
            raise NotFoundError(f"no review for {claim}: it is not a claim of the graph") from exc

    def list(self, rating: str | None = None, kind: str | None = None) -> list[Review]:
        """Return the current reviews, optionally filtered.

        Parameters
        ----------
        rating : str, optional
            One of :data:`RATINGS`.
        kind : str, optional
            One of :data:`CLAIM_KINDS`, or ``"none"`` for untagged claims.

        Returns
        -------
        list of Review
            The matching reviews, ordered by claim IRI.

        Raises
        ------
        InvalidParameterError
            If `rating` or `kind` is not a known value.
        """
        if rating is not None and rating not in RATINGS:
            raise InvalidParameterError("rating", f"must be one of {', '.join(RATINGS)}")
        if kind is not None and kind not in CLAIM_KINDS and kind != "none":
            raise InvalidParameterError("kind", f"must be one of {', '.join(CLAIM_KINDS)} or none")
        self._current()
        out = list(self.reviews.values())
        if rating:
            out = [r for r in out if r.rating == rating]
        if kind:
            out = [r for r in out if (r.kind or "none") == kind]
        return sorted(out, key=lambda r: r.claim)


class _Recording:
    """A pyoxigraph store seen through a recorder of the query texts it runs (everything else is the store's)."""

    def __init__(self, inner: ox.Store) -> None:
        self._inner = inner
        self.texts: set[str] = set()

    def query(self, text: str, *args: Any, **kwargs: Any) -> Any:
        """Run the query on the store, noting its text."""
        self.texts.add(text)
        return self._inner.query(text, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@dataclasses.dataclass(frozen=True, slots=True)
class _Prepared:
    """What :meth:`ReviewKeeper._prepare` computed off the write lock, at store version `version`."""

    version: str
    followed: bool  # the keeper's listener was installed: writes since are noted in _since_prepared
    snapshot: DataSnapshot
    digests: dict[str, tuple[int, str]]
    reviews: list[Review] | None = None
    texts: frozenset[str] = frozenset()
    bound: frozenset[str] = frozenset()


def _run_rules(inner: ox.Store) -> tuple[list[Review], frozenset[str], frozenset[str]]:
    """Run every rule; return the reviews, the query texts run and the predicates bound from the data."""
    recording = _Recording(inner)
    reviews = review_all(recording)  # type: ignore[arg-type]
    return reviews, frozenset(recording.texts), _bound_predicates(inner)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


_GENERATED_AT = ox.NamedNode("http://www.w3.org/ns/prov#generatedAtTime")


def _written_from(inner: ox.Store, snap: DataSnapshot) -> tuple[str, str] | None:
    """Return the date and dataset version the reviews graph names if it was computed from `snap`'s data."""
    graph = ox.NamedNode(REVIEWS_GRAPH)
    froms = {q.object.value for q in inner.quads_for_pattern(graph, ox.NamedNode(str(AIKG.computedFrom)), None, graph)}
    if froms != {snap.iri}:
        return None
    dates = [q.object.value for q in inner.quads_for_pattern(graph, _GENERATED_AT, None, graph)]
    node = ox.NamedNode(snap.iri)
    versions = [
        q.object.value for q in inner.quads_for_pattern(node, ox.NamedNode(str(AIKG.datasetVersion)), None, graph)
    ]
    return (dates[0], versions[0]) if len(dates) == 1 and len(versions) == 1 else None


def _holds(inner: ox.Store, triples: list[ox.Triple]) -> bool:
    """Tell whether the reviews graph holds exactly `triples` (a few per claim: read whole)."""
    held = {q.triple for q in inner.quads_for_pattern(None, None, None, ox.NamedNode(REVIEWS_GRAPH))}
    return held == set(triples)


_BOUND_PREDICATES = "SELECT DISTINCT ?p WHERE { ?x schema:propertyID|aikg:aboutProperty ?p FILTER(isIRI(?p)) }"
"""The predicates the rules read through a variable bound from the data (a claim's property, a
scope's constraint); the others are named in the rule queries (patterns, ``VALUES``, ``IN``)."""


def _bound_predicates(inner: ox.Store) -> frozenset[str]:
    """Return the predicates the rules read through a variable bound from the data (one query)."""
    return frozenset(row["p"] for row in select(inner, _BOUND_PREDICATES))


@functools.lru_cache(maxsize=4)  # asked after every write; the same generation's answer each time
def _predicates_read(texts: frozenset[str], bound: frozenset[str]) -> frozenset[str] | None:
    """Return every predicate a generation that ran `texts` may have read (None: any).

    The IRIs of each query text come from rdflib's parser (:func:`kg.engine.rdflib_parser.query_iris`,
    cached per text); `bound` are those read through variables bound from the data.
    """
    out: set[str] = set(bound)
    for text in texts:
        iris = query_iris(text)
        if iris is None:
            return None
        out |= iris
    return frozenset(out)


def _parse_soon(texts: frozenset[str]) -> None:
    # rdflib's parser takes ~0.13 s a query (4 s for the rules' 31 at a service's start): parsed in
    # the background, so the first generation (and the start) does not wait for them; the first
    # write after it waits for what is left (query_iris holds one lock while it parses).
    threading.Thread(target=lambda: [query_iris(t) for t in texts], name="kg-review-parse", daemon=True).start()


_KEEPERS: weakref.WeakKeyDictionary[KnowledgeStore, ReviewKeeper] = weakref.WeakKeyDictionary()
_KEEPERS_LOCK = threading.Lock()


def keeper_for(store: KnowledgeStore, install: bool = True) -> ReviewKeeper:
    """Return the one :class:`ReviewKeeper` of a store, creating (and installing) it on first use.

    Parameters
    ----------
    store : KnowledgeStore
        The store.
    install : bool, optional
        Register the write listener and compute the reviews now (default True).

    Returns
    -------
    ReviewKeeper
        The store's keeper (the same object on every call while the store lives).
    """
    with _KEEPERS_LOCK:
        keeper = _KEEPERS.get(store)
        if keeper is None:
            keeper = _KEEPERS[store] = ReviewKeeper(store)
    if install and not keeper._installed:
        keeper.install()
    return keeper
