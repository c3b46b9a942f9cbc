"""The knowledge-graph service object: a store, its query workers, limits and result cache.

The API and the CLI talk to this one object; it decides where a read runs (a time-limited
worker, or in process when no workers are configured) and keeps the result cache honest: the
cache key holds the dataset version, and every write clears it.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import inspect
import itertools
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.analysis.review import keeper_for
from kg.engine.dataset import read_as_of, within_read
from kg.engine.disk import DiskEngine
from kg.engine.heap import trim_heap
from kg.engine.load import load_default_graph
from kg.engine.memo import cached, carry_untouched
from kg.engine.query_checks import check_update, is_data_only
from kg.engine.quiet import WhenQuiet
from kg.engine.sparql import QueryRequest, QueryResponse, execute, rehearse_update, select
from kg.engine.staging import staged_load
from kg.engine.store import KnowledgeStore, written_graphs
from kg.engine.syntax_errors import to_syntax_error
from kg.engine.workers import QueryPool, run_in_own_worker
from kg.errors import ForbiddenError, IndexNotReadyError, LoadError, QueryEvaluationError
from kg.find.disk_index import DiskLabelIndex
from kg.find.search import warm_index
from kg.ingest.journal import UpdateJournal, rating_changes, ratings_update_entry, update_entry
from kg.queries import named_query
from kg.settings import Settings
from kg.views.entity import claim_records, graph_sources

__all__ = ["KnowledgeGraph", "ResultCache"]

log = logging.getLogger(__name__)

_QUIET_S = 0.1
"""Seconds without a write after which the label index is rebuilt (if a write changed it) and
idle query workers are forked again."""

_INDEX_WAIT_S = 3.0
"""How long a read that needs the label index waits for a build under way (a small store's takes
well under a second) before it is answered 503."""

_WARMED = frozenset({"labels", "claims", "graph_sources"})
"""Values kept per dataset version (:mod:`kg.engine.memo`) that the service builds before workers fork."""

_REVIEW_WORDS = re.compile(r"review|computedFrom|DataSnapshot|GraphVersion|datasetVersion", re.IGNORECASE)
"""Words of a query that may read the reviews graph (its IRI, ``schema:ClaimReview``,
``schema:reviewRating``, the snapshot vocabulary): such a query waits for the reviews to be current."""


class ResultCache:
    """A byte-bounded LRU cache of serialized query results.

    Parameters
    ----------
    max_bytes : int
        Total size of cached bodies, in bytes; 0 disables the cache.

    Examples
    --------
    >>> cache = ResultCache(100)
    >>> cache.put("k", QueryResponse("text/plain", b"x" * 10, "SELECT"))
    >>> cache.get("k").body
    b'xxxxxxxxxx'
    >>> cache.clear(); cache.get("k") is None
    True
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[Any, QueryResponse] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Any) -> QueryResponse | None:
        """Return the cached response for `key`, or None."""
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item

    def put(self, key: Any, response: QueryResponse) -> None:
        """Cache `response` under `key` unless it is larger than a quarter of the budget."""
        size = len(response.body)
        if self.max_bytes <= 0 or size > self.max_bytes // 4:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._size -= len(old.body)
            self._items[key] = response
            self._size += size
            while self._size > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped.body)

    def clear(self) -> None:
        """Drop every entry (called after each write)."""
        with self._lock:
            self._items.clear()
            self._size = 0


class KnowledgeGraph:
    """The service: store + workers + limits + cache.

    Parameters
    ----------
    store : KnowledgeStore
        A loaded store.
    settings : Settings
        Limits and switches (time limit, row and byte caps, workers, SERVICE).

    See Also
    --------
    KnowledgeGraph.open : build one from settings, loading the embedded default graph.
    """

    def __init__(self, store: KnowledgeStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.loaded: list[dict[str, Any]] = []
        self.cache = ResultCache(settings.cache_bytes)
        store.add_listener(self.cache.clear)
        # What each SPARQL update changed, for the change feeds (kg/ingest/journal.py); next to an
        # on-disk store it is a file, so a restart keeps the feed.
        on_disk = settings.store and not settings.store.startswith(("http://", "https://"))
        self.journal = UpdateJournal(Path(settings.store + ".updates.jsonl") if on_disk else None)
        self._ratings_pending = False
        self._quiet: WhenQuiet | None = None
        self._index_stale = False
        self._fallbacks = itertools.count(1)
        self.fallback_reads = 0
        """Reads answered from an earlier version's name index so far (:meth:`names_stamp`)."""
        self.name_index: DiskLabelIndex | None = None
        """An on-disk store's label index, kept in files and built in the background (with workers)."""
        if settings.workers > 0:
            if isinstance(store.inner, DiskEngine):
                self.name_index = DiskLabelIndex(store)
            # Build the label index (and the other per-version reads every entity page needs: the
            # claim records, the graphs' provenance) here, before the workers fork, so they share
            # them copy-on-write instead of each building its own (seconds at 100k entities). A
            # write that changed none of the predicates one of them reads carries it over to the
            # new version (kg.engine.memo.carry_untouched); the others are built again once writes
            # pause, before the workers are refilled (a worker that had to build the label index
            # itself could spend its whole time limit on it at 100k entities). Both off the write path.
            # An on-disk store's label index is mapped from its saved files, or built in the
            # background (self.name_index): the start does not wait for it.
            self._warm_index()
            self._quiet = WhenQuiet(self._after_writes, _QUIET_S, "kg-after-writes")
            store.add_listener(self._on_write)
        self.pool = (
            QueryPool(
                store,
                settings.workers,
                settings.query_timeout_s,
                settings.query_memory_mb * 2**20,
                refill_quiet_s=_QUIET_S,
            )
            if settings.workers > 0
            else None
        )
        if self.name_index is not None and self.pool is not None:
            self.name_index.on_ready = self.pool.refresh

    def _on_write(self) -> None:
        # Under the write lock: O(values kept), the rest waits until writes pause.
        store = self.store
        carried = carry_untouched(store.previous_version, store.version, store.touched_predicates)
        if self.name_index is not None:
            self.name_index.written("labels" in carried)
        if not carried >= _WARMED and self._quiet is not None:
            self._index_stale = True
            self._quiet.poke()

    def _after_writes(self) -> None:
        # Writes paused after one that changed the input of a value kept per version: build them for
        # the current version, so that the workers the pool forks next (it waits as long) inherit them.
        with self.store.lock:
            if self._index_stale:
                self._index_stale = False
                self._warm_index()

    def _warm_index(self) -> None:
        started = time.perf_counter()
        # Everything built so far is moved out of the collector's sight (gc.freeze) before the
        # workers fork: a forked worker's full collection would otherwise write to the header of
        # every object it inherited (580k at 100k models, 0.25 s), copying those pages (measured
        # in a forked child at 100k: 111 MB made private by one full collection, 13 MB frozen).
        # Unfrozen first and collected after the build, so reference cycles that became garbage
        # since the last write are still freed.
        gc.unfreeze()
        inner, version = self.store.inner, self.store.version
        try:
            if self.name_index is not None:
                # On disk: mapped from its saved files, or built in the background (the start
                # does not wait for it: kg/find/disk_index.py).
                self.name_index.warm()
            else:
                # Built in a worker of its own and sent back: a build here would leave its
                # temporaries' fragments in this heap (at 100k models 277 MB of RSS against 134
                # MB), unshared.
                warm_index(inner, version, functools.partial(run_in_own_worker, self.store))
            claim_records(inner, version)
            graph_sources(inner, version)
        except Exception:  # the write itself succeeded; workers build them lazily instead
            log.exception("building the label index or the claim records failed")
            return
        finally:
            gc.collect()
            gc.freeze()
            trim_heap()  # what the build freed, before workers fork and share the rest
        log.info("label index and claim records built in %.2f s", time.perf_counter() - started)

    @classmethod
    def open(cls, settings: Settings) -> KnowledgeGraph:
        """Open the store the settings name, load the embedded graph if it is new, keep its reviews.

        Every edge (``kg serve`` and the app's lifespan, every other ``kg`` command) opens the
        graph here, so they all answer from the same dataset: the default graph, the ``--load``
        files, and the reviews graph (:func:`kg.analysis.review.keeper_for`, regenerated at the
        first read that needs it after a write: :meth:`kg.analysis.review.ReviewKeeper.defer`; for
        an on-disk store computed in the background from the start, so the first answers do not
        wait for them: :meth:`kg.analysis.review.ReviewKeeper.start`).

        Parameters
        ----------
        settings : Settings
            ``store`` None: in memory; a directory: persistent, created and filled when new.

        Returns
        -------
        KnowledgeGraph

        Raises
        ------
        LoadError
            If a shipped data file does not parse.
        """
        store: KnowledgeStore
        loaded: list[dict[str, Any]] | None = None
        if settings.store and settings.store.startswith(("http://", "https://")):
            from kg.engine.remote import RemoteKnowledgeStore

            store = RemoteKnowledgeStore(
                settings.store,
                settings.update_endpoint,
                settings.remote_auth,
                settings.query_timeout_s,
                settings.remote_ttl_s,
                union_default=settings.remote_union_default,
            )
            # Nothing to fork: the engine runs elsewhere and the HTTP timeout is the limit.
            settings = replace(settings, workers=0)
        elif settings.store and settings.load:
            # On disk: staged (all files or none, a kill leaves the store as it was), before the
            # store opens: RocksDB lets one process hold it.
            loaded = _staged_bulk_load(settings)
            store = KnowledgeStore(Path(settings.store))
        else:
            store = KnowledgeStore(Path(settings.store) if settings.store else None)
        if store.is_empty():
            load_default_graph(store, settings.data_dir)
            store.flush()
        if loaded is None:
            loaded = [_bulk_load(store, Path(name)) for name in settings.load]
        # In memory, the reviews are computed (and their graph written) before the service builds
        # the label index and forks its query workers: computed after, their write made the workers
        # stale at once, and the workers forked again while the index was rebuilt kept the old one,
        # unshared (measured at 10k models: 387-423 MiB summed PSS after start-up against 258).
        # On disk they are computed in the background instead (minutes at 21.9M triples when no
        # digests are kept): a query answers as soon as the store is open, a read of a review waits
        # for them, and a restart of an unchanged store writes nothing. Off the write path from then
        # on: a write marks the reviews stale, the next read regenerates them.
        keeper = keeper_for(store, install=False).defer()
        on_disk = getattr(store, "path", None) is not None
        if not on_disk:
            keeper.install()
        graph = cls(store, settings)
        graph.loaded = loaded
        keeper.add_generation_listener(graph._record_ratings)
        if on_disk:
            keeper.start()
        return graph

    @property
    def version(self) -> str:
        """Return the dataset version (changes with every write)."""
        return self.store.version

    def size(self) -> int:
        """Return the number of quads in the store, counted once per dataset version.

        Counting is a scan of the whole store (17 ms at 10k models in memory, seconds at 1M or on
        disk); liveness checks and the home page ask for it on every request.

        Returns
        -------
        int
            Quads, every named graph included.
        """
        version = self.version
        return int(cached(version, "size", lambda: len(self.store)))

    def read(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``fn(store, *args, **kwargs)`` under the time limit and return its result.

        One call is one worker round trip, and the named graphs are listed once for the whole
        read (:func:`kg.engine.dataset.within_read`). A read that takes a ``version`` keyword
        (the per-version cache key, :func:`kg.engine.memo.cached`) gets the dataset version
        supplied here unless the caller gives one, so no caller can forget it and silently
        disable caching; for :func:`kg.engine.dataset.read_as_of` the read it wraps decides.

        Parameters
        ----------
        fn : callable
            A read taking the pyoxigraph store first; a module-level function (it is sent to a
            worker process by reference).
        *args, **kwargs
            Passed on to `fn`.

        Returns
        -------
        object
            What `fn` returned.

        Raises
        ------
        QueryTimeoutError
            If it ran past ``settings.query_timeout_s``.
        IndexNotReadyError
            If `fn` needs the label index of an on-disk store while its build (in the background)
            has not ended within a few seconds and no earlier version's index is in place (a start
            without a saved index); with one, `fn` reads that index instead
            (:meth:`kg.find.disk_index.DiskLabelIndex.fallback_version`).
        KGError
            Whatever `fn` raises (not found, invalid parameter, ...).
        """
        inner = args[1] if fn is read_as_of and len(args) > 1 else fn
        version_given = None
        if "version" not in kwargs and _takes_version(inner):
            kwargs["version"] = version_given = self.version
        if self.pool is None:
            return within_read(self.store.inner, fn, *args, **kwargs)
        # The label index is being built in the background (on-disk store): a short build (a small
        # store, or one after a write) is waited for; while writes that change names go on (the
        # build waits for a pause) the index of an earlier version answers, names written since
        # left out; with neither, a 503. Tried again when the index read was replaced meanwhile
        # (taking a new index removes the files of the one before).
        for _attempt in range(5):
            try:
                return self.pool.run(within_read, fn, *args, **kwargs)
            except IndexNotReadyError:
                if self.name_index is None:
                    raise
            if self.name_index.wait(_INDEX_WAIT_S, give_up_when_overtaken=True):
                if version_given is not None:  # a write meanwhile: the read is of the current version
                    kwargs["version"] = self.version
                continue
            stale = self.name_index.fallback_version()
            if stale is None or version_given is None:
                break
            kwargs["version"] = stale
            self.fallback_reads = next(self._fallbacks)
        assert self.name_index is not None
        raise self.name_index.not_ready()

    def query(self, request: QueryRequest) -> QueryResponse:
        """Answer a SPARQL query operation, from the cache for a request answered at this version.

        Raises
        ------
        QuerySyntaxError, ForbiddenError, NotAcceptableError, ResultTooLargeError,
        QueryTimeoutError
            See :func:`kg.engine.sparql.execute`.
        """
        self._reviews_current_for(request)
        key = (self.version, request)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        return self._keep(key, self.read(execute, request))

    def _keep(self, key: tuple[str, QueryRequest], response: QueryResponse) -> QueryResponse:
        # Kept only if no write happened while it was computed: its version is still current.
        if self.version == key[0]:
            self.cache.put(key, response)
        return response

    async def aquery(self, request: QueryRequest) -> QueryResponse:
        """Answer a query like :meth:`query`, awaited on the event loop (no thread hop).

        Raises
        ------
        QuerySyntaxError, ForbiddenError, NotAcceptableError, ResultTooLargeError,
        QueryTimeoutError
            See :func:`kg.engine.sparql.execute`.
        """
        keeper = keeper_for(self.store, install=False)
        if keeper.deferred and keeper.stale:
            await asyncio.to_thread(self._reviews_current_for, request)
        key = (self.version, request)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        if self.pool is None:
            response: QueryResponse = await asyncio.to_thread(execute, self.store.inner, request)
        else:
            response = await self.pool.arun(execute, request)
        return self._keep(key, response)

    def named_graphs(self) -> list[dict[str, Any]]:
        """Describe the named graphs of the dataset (for the SPARQL service description).

        Returns
        -------
        list of dict
            One dict per named graph, sorted by IRI: ``graph`` (IRI, str), ``triples`` (int) and,
            when the graph states one, ``title`` (str, its ``dcterms:title``).
        """
        rows = self.read(select, named_query("graph_sizes"))
        graphs: dict[str, dict[str, Any]] = {}
        for row in rows:
            entry = graphs.setdefault(row["g"], {"graph": row["g"], "triples": row["triples"]})
            if "title" in row:
                entry.setdefault("title", row["title"])
        return [graphs[g] for g in sorted(graphs)]

    def update(self, text: str) -> None:
        """Run a SPARQL 1.1 Update request atomically (and durably on disk).

        Parameters
        ----------
        text : str
            One update request; it may hold several operations separated by ``;``. The shared
            prefixes are predeclared.

        Raises
        ------
        QuerySyntaxError
            If the request does not parse (with line and column); nothing was changed.
        QueryEvaluationError
            If an operation cannot be applied (e.g. ``CREATE GRAPH`` of an existing graph,
            ``DROP GRAPH`` of a missing one without ``SILENT``); nothing was changed.
        ForbiddenError
            If it uses ``LOAD``/``SERVICE`` while remote fetching is disabled, or the engine is
            read-only (a remote engine that refuses updates).
        QueryTimeoutError, QueryMemoryError
            If its rehearsal ran past the time limit or the memory cap; nothing was changed.

        Notes
        -----
        The whole request runs in one engine transaction (SPARQL 1.1 Update §2.2 lets an
        implementation apply a request atomically; this one always does), so readers and a crash
        see all of it or none. On disk the store is flushed before this returns. With query
        workers, the update is first rehearsed on a worker's copy under the time and memory limits
        (:func:`kg.engine.sparql.rehearse_update`), so a runaway update cannot occupy the server; only
        ``INSERT DATA``/``DELETE DATA`` (:func:`kg.engine.query_checks.is_data_only`, whose cost the body cap
        bounds) are rehearsed in process on an empty store.
        """
        check_update(text, allow_service=self.settings.allow_service, max_chars=self.settings.max_query_chars)
        if not self.store.writable:
            raise ForbiddenError(
                "the engine is read-only: it refuses SPARQL Update (no update endpoint accepts writes)"
            )
        if self.pool is not None:
            if is_data_only(text):
                # INSERT DATA / DELETE DATA cost what their (capped) body holds: rehearsed here on
                # an empty store (it finds syntax errors), not on a forked worker, which each
                # write would use up.
                rehearse_update(ox.Store(), text)
            else:
                self.pool.run(rehearse_update, text, disposable=True)
        # The ratings it changes are journalled when the reviews are next regenerated
        # (_record_ratings): the write itself does not wait for them.
        self._ratings_pending = True
        try:
            self.store.update(text)
        except SyntaxError as exc:
            raise to_syntax_error(exc, text, update=True) from exc
        except RuntimeError as exc:
            raise QueryEvaluationError(f"the update was not applied, nothing changed: {exc}") from exc
        self.store.flush()
        when = datetime.now(UTC)
        self.journal.record_later(lambda: update_entry(text, written_graphs(text), {}, {}, when))

    def _record_ratings(self, before: dict[str, str], after: dict[str, str]) -> None:
        # A review regeneration after SPARQL updates: the ratings they changed become a journal
        # entry of their own (an import journals its own, having read the ratings before it ran).
        if not self._ratings_pending:
            return
        self._ratings_pending = False
        changed = rating_changes(before, after)
        if changed:
            self.journal.record(ratings_update_entry(changed))

    def names_stamp(self) -> tuple[bool, int]:
        """Tell whether reads see the current version's name index, for an HTTP cache to key on.

        While writes that change names go on, an on-disk store's reads that need the name index
        may be answered from an earlier version's (:meth:`read`); such an answer must not be kept
        or given an ETag under the current version, or it would outlive the rebuild.

        Returns
        -------
        tuple of (bool, int)
            Whether the current version's index is in place (always True in memory, where it is
            built on the write's path), and :attr:`fallback_reads`. An answer computed between two
            equal stamps whose first item is True read the current index.
        """
        if self.name_index is None:
            return (True, 0)
        return (self.name_index.current(), self.fallback_reads)

    def settled_from(self, version: str) -> bool:
        """Tell whether the only write since `version` was the reviews catching up with the data.

        A read that needs the reviews regenerates them first (they are left off the write path),
        which writes the reviews graph and so moves the version; an answer computed meanwhile is
        the answer at the new version too (the HTTP layer then tags it with that one).

        Parameters
        ----------
        version : str
            A dataset version seen earlier.

        Returns
        -------
        bool
            True when the version moved from `version` to the current one by that regeneration only.
        """
        keeper = keeper_for(self.store, install=False)
        return keeper.regenerated == (version, self.version)

    def journal_entries(self) -> list[dict[str, Any]]:
        """Return the update journal's entries, oldest first, with the rating changes of every write so far.

        Returns
        -------
        list of dict
            :meth:`kg.ingest.journal.UpdateJournal.entries`, after the reviews were brought up to
            date (which journals the ratings the latest writes changed).
        """
        self.ratings()
        return self.journal.entries()

    def _reviews_current_for(self, request: QueryRequest) -> None:
        # A query that names the reviews (their graph, ClaimReview, ratings...) must not see them
        # stale: regenerate first. Others may see the reviews graph as of the data version it states.
        keeper = keeper_for(self.store, install=False)
        named = " ".join((request.text, *request.default_graphs, *request.named_graphs))
        if keeper.deferred and keeper.stale and _REVIEW_WORDS.search(named):
            keeper.ensure_current()

    def ratings(self) -> dict[str, str]:
        """Return the current review rating of every claim (empty when no review keeper is installed).

        Reading them regenerates the reviews first when the data changed since they were last
        current, so the ratings reflect every write so far (imports compare them before and after).
        """
        keeper = keeper_for(self.store, install=False)
        if not getattr(keeper, "_installed", False):
            return {}
        return {review.claim: review.rating for review in keeper.list()}

    def close(self) -> None:
        """Stop the workers (and close a remote engine's connections)."""
        keeper_for(self.store, install=False).stop()  # a start's review computation, if running
        if self._quiet is not None:
            self._quiet.close()
        if self.name_index is not None:
            self.name_index.close()
        if self.pool is not None:
            self.pool.close()
        close = getattr(self.store.inner, "close", None)
        if close is not None:
            close()


def _bulk_load(store: KnowledgeStore, path: Path) -> dict[str, Any]:
    """Bulk-load one file through Oxigraph's loader (then ``optimize``) and time it."""
    if not path.is_file():
        raise LoadError(str(path), "file not found")
    before = len(store)
    started = time.perf_counter()
    try:
        store.bulk_load(path)
    except SyntaxError as exc:
        raise LoadError(str(path), str(exc), exc.lineno) from exc
    except (OSError, ValueError) as exc:
        raise LoadError(str(path), str(exc)) from exc
    seconds = time.perf_counter() - started
    triples = len(store) - before
    log.info("loaded %s: %d triples in %.2f s", path, triples, seconds)
    return {"path": str(path), "triples": triples, "seconds": seconds}


def _staged_bulk_load(settings: Settings) -> list[dict[str, Any]]:
    """Bulk-load ``settings.load`` into the on-disk store, staged (:mod:`kg.engine.staging`), and time each file."""
    done = staged_load(settings.store, settings.load, existing="append", default_graph=True, data_dir=settings.data_dir)
    for item in done.files:
        log.info("loaded %s: %d triples in %.2f s", item["path"], item["triples"], item["seconds"])
    return done.files


@cache
def _takes_version(fn: Callable[..., Any]) -> bool:
    """Return whether `fn` takes a ``version`` keyword (the per-version cache key)."""
    try:
        return "version" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
