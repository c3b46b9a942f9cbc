"""The label index of an on-disk store served with query workers: read from its saved files, or built in the background.

At a million models the index takes minutes to build; the server must answer SPARQL long before
that. So the server never builds it on its start path:

- the index saved beside the store for its current data tag (:mod:`kg.find.index_files`) is
  mapped at once (milliseconds) and the workers forked afterwards inherit the mapping;
- when there is none, one build runs in a worker of its own, in the background, and saves the
  index to files (only a yes or no comes back to the server, not the index). Meanwhile a read
  that needs the index (search, name resolution, entity pages) gets
  :class:`~kg.errors.IndexNotReadyError` (HTTP 503 with ``Retry-After``) instead of building
  its own copy; workers forked before the build ended map the files themselves when they first
  need them (:func:`kg.find.search.file_version`).

After a write that changed no predicate the index reads, the saved index is filed under the new
tag as well (hard links). After one that may have (the review keeper's rewrite of its graph: no
predicate set is declared), the triples the index reads from the graphs written are fingerprinted
(:func:`kg.find.search.label_prints`) and compared with the fingerprints saved with the index: the
same, the index is kept under the new tag; else (or for a write of unknown reach) it is built
again once writes pause.

While writes that change names go on without a pause, no build can describe the current data: a
read that waited a few seconds is answered from the newest index in place
(:meth:`DiskLabelIndex.fallback_version`: names written since are missing until writes pause),
not with a 503. A build that a write overtook after it saved its files becomes that newest index.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from kg.engine.data_tag import cache_dir
from kg.engine.disk import DiskEngine
from kg.engine.memo import cached
from kg.engine.store import DEFAULT_GRAPH, KnowledgeStore
from kg.engine.workers import run_in_own_worker
from kg.errors import IndexNotReadyError
from kg.find.index_files import load_index, refile_index, remove_other_tags, saved_about
from kg.find.search import PRINT_LIMIT, build_and_save, file_version, forget_store, label_prints

__all__ = ["BUILD_GATE", "DiskLabelIndex"]

log = logging.getLogger(__name__)

_NO_PRINT = ["0" * 32, 0]
"""The :func:`kg.find.search.label_prints` entry of a graph without a triple the index reads."""

BUILD_GATE: Path | None = None
"""Test hook: when set, a background build waits (at most 5 minutes) until this file exists before
it reads the data, so a test can see the service while the index is being built."""


def _build_in_worker(store: ox.Store, path: str, tag: str, gate: Path | None, also_keep: str | None) -> bool:
    # Runs in a worker of its own (module level: sent by reference).
    deadline = time.monotonic() + 300
    while gate is not None and not gate.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    return build_and_save(store, path, tag, also_keep)


class DiskLabelIndex:
    """Keeps the label index of an on-disk store available to the server's query workers.

    Parameters
    ----------
    store : KnowledgeStore
        An on-disk store (its engine a :class:`kg.engine.disk.DiskEngine`).

    Attributes
    ----------
    builds : int
        Builds run so far (a start that found the index saved runs none).
    on_ready : callable or None
        Called (with the store's write lock held) once a background build's index is in place:
        the service retires its idle query workers (:meth:`kg.engine.workers.QueryPool.refresh`),
        so their successors inherit the mapping at their fork instead of mapping the files within
        their memory cap (a gigabyte at a million models).

    Raises
    ------
    TypeError
        If `store` is not on disk.
    """

    def __init__(self, store: KnowledgeStore) -> None:
        if not isinstance(store.inner, DiskEngine):
            raise TypeError("the label index is kept in files only for an on-disk store")
        self.store = store
        self.engine: DiskEngine = store.inner
        self.cache = cache_dir(self.engine.path)
        self.builds = 0
        self._cond = threading.Condition()
        self._pending_since: float | None = None  # wall clock: when the current data's index became needed
        self._building_since: float | None = None  # wall clock: when the running build started
        self._failed: str | None = None
        self._thread: threading.Thread | None = None
        self._closed = False
        self._tag = self.engine.tag  # the tag of the last write followed
        self._saved_tag: str | None = None  # the tag the index in place is saved under
        self._building_tag: str | None = None  # the tag of the data the running build reads
        self._ready_version: str | None = None  # the newest dataset version whose index is in place
        self._touched: set[str] | None = set()  # graphs written since (None: unknown)
        self.on_ready: Callable[[], None] | None = None

    def warm(self) -> bool:
        """Make the index of the store's current version available: map its saved files, or start a build.

        Called with the store's write lock held, before query workers fork (at the start, and once
        writes that changed labels paused).

        Returns
        -------
        bool
            True when the index was mapped from its files; False when a build was started (or
            runs already) in the background.
        """
        version, tag = self.store.version, self.engine.tag
        file_version(version, self.engine.path, tag)
        self._tag = tag
        started = time.perf_counter()
        index = load_index(self.cache, tag)
        if index is None and self._labels_unchanged(tag):
            index = load_index(self.cache, tag)
        if index is not None:
            cached(version, "labels", lambda: index)  # the workers forked from now on inherit the mapping
            log.info("label index read from its files in %.3f s", time.perf_counter() - started)
            self._saved_tag, self._touched, self._ready_version = tag, set(), version
            with self._cond:
                self._pending_since = None
                self._cond.notify_all()
            return True
        with self._cond:
            if self._pending_since is None:
                self._pending_since = time.time()
            self._failed = None
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(target=self._run, name="kg-label-index", daemon=True)
                self._thread.start()
            self._cond.notify_all()
        return False

    def written(self, labels_kept: bool) -> None:
        """Follow a write (called by the store's listener, with its write lock held).

        Parameters
        ----------
        labels_kept : bool
            True when the write changed no predicate the index reads and the server's index was
            carried over to the new version (:func:`kg.engine.memo.carry_untouched`): its files
            are filed under the new tag too. False: the index is needed again (:meth:`warm`,
            once writes pause, starts its build).
        """
        old, tag = self._tag, self.engine.tag
        self._tag = tag
        file_version(self.store.version, self.engine.path, tag)
        if labels_kept and self._ready_version == self.store.previous_version:
            self._ready_version = self.store.version  # the server's index was carried over to it
        elif self._ready_version not in (None, self.store.version) and self._saved_tag is not None:
            # Filed again at every write, so it stays among the few versions file_version keeps
            # per store and a read can still fall back on it while writes go on (fallback_version).
            file_version(self._ready_version, self.engine.path, self._saved_tag)
        if labels_kept:
            # The server's index serves the new version (and the workers forked from now on); filed
            # under the new tag too, a restart finds it (if that fails, a restart builds it again).
            if self._saved_tag == old and refile_index(self.cache, old, tag):
                self._saved_tag = tag
            with self._cond:
                self._cond.notify_all()  # a build under way is overtaken: wait() re-checks
            return
        touched = self.store.touched
        if self._touched is not None:
            if touched is None or DEFAULT_GRAPH in touched:
                self._touched = None
            else:
                self._touched |= touched
        with self._cond:
            if self._pending_since is None:
                self._pending_since = time.time()
            self._cond.notify_all()  # a build under way is overtaken: wait() re-checks

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._closed or self._pending_since is None:
                    self._thread = None
                    self._building_since = self._building_tag = None
                    self._cond.notify_all()
                    return
            with self.store.lock:  # read before the build's worker forks: its data is this tag's or newer
                tag, version = self.engine.tag, self.store.version
                serving = self._saved_tag  # reads may fall back on it until this build is taken
            with self._cond:  # both at once: wait() judges a build by the tag it reads
                self._building_since, self._building_tag = time.time(), tag
            try:
                kept = run_in_own_worker(self.store, _build_in_worker, str(self.engine.path), tag, BUILD_GATE, serving)
            except Exception as exc:  # a bug or a lack of memory: said in the 503 until the next write
                if self._closed:  # the service stopped and ended the build's worker: nothing failed
                    log.info("label index build stopped: the service is closing")
                    return
                log.exception("building the label index failed")
                with self._cond:
                    self._failed = f"{type(exc).__name__}: {exc}"
                    self._pending_since = self._building_since = self._building_tag = None
                continue
            with self._cond:  # none runs until the next one starts (wait() must not judge by this one)
                took = time.time() - (self._building_since or time.time())
                self._building_since = self._building_tag = None
            self.builds += 1
            log.info(
                "label index built in %.1f s, %s", took, "saved" if kept else "not kept: the data changed meanwhile"
            )
            try:
                with self.store.lock:
                    if kept and self.engine.tag == tag:
                        self._put_in_place(tag)
                    elif kept:
                        # Saved, then overtaken by a write: built again, but meanwhile it is the
                        # newest index there is to fall back on (the one before is removed now).
                        self._adopt_overtaken(tag, version)
            except Exception as exc:  # never end this thread with the index still needed: say so
                log.exception("taking the label index just built failed")
                with self._cond:
                    self._failed = f"{type(exc).__name__}: {exc}"
                    self._pending_since = None
                    self._cond.notify_all()
            # Overtaken: built again at once for the newer data. Resting between builds (to spend
            # less than a core on them while writes go on) was tried: reads after a write wait for
            # the build in progress (wait()), and waited longer (search p50 18-22 ms -> 40-180 ms).

    def _put_in_place(self, tag: str) -> None:
        # With the store's write lock held: the index just saved under `tag` is the current data's.
        index = load_index(self.cache, tag)
        with self._cond:
            if index is None:
                self._failed = "the index it saved could not be read back"
            else:
                cached(self.store.version, "labels", lambda index=index: index)
                self._saved_tag, self._touched, self._ready_version = tag, set(), self.store.version
                remove_other_tags(self.cache, tag)  # the one reads fell back on meanwhile
            self._pending_since = None
            self._cond.notify_all()
        if index is not None and self.on_ready is not None:
            self.on_ready()

    def _adopt_overtaken(self, tag: str, version: str) -> None:
        # With the store's write lock held: the index saved under `tag` (the data of `version`) is
        # the fallback now. The writes since then are not known graph by graph: the next warm()
        # builds again rather than comparing fingerprints.
        if load_index(self.cache, tag) is None:
            return
        file_version(version, self.engine.path, tag)
        with self._cond:
            self._saved_tag, self._ready_version, self._touched = tag, version, None
        remove_other_tags(self.cache, tag)  # the one reads fell back on until now
        if self.on_ready is not None:
            self.on_ready()  # idle workers forked before know nothing of `version`: their successors do

    def _labels_unchanged(self, tag: str) -> bool:
        # The writes since the index in place was saved touched known graphs only, and each of them
        # holds the very triples the index reads that it held then (label_prints, saved with the
        # index): the index describes the data of `tag` too, and is filed under it (no build).
        old, touched = self._saved_tag, self._touched
        if old is None or old == tag or touched is None:
            return False
        prints = (saved_about(self.cache, old) or {}).get("graphs")
        if not isinstance(prints, dict):
            return False
        before = {g: prints.get(g, _NO_PRINT) for g in touched}
        if any(not isinstance(p, list) or len(p) != 2 or p[1] > PRINT_LIMIT for p in before.values()):
            return False
        try:
            now = label_prints(self.engine, touched)  # type: ignore[arg-type]
        except ValueError:  # not an IRI pyoxigraph takes: built again
            return False
        if any(now.get(g, _NO_PRINT) != before[g] for g in touched) or not refile_index(self.cache, old, tag):
            return False
        log.info(
            "label index kept: the writes since it was built changed no label (graphs %s)", ", ".join(sorted(touched))
        )
        return True

    def wait(self, timeout_s: float, give_up_when_overtaken: bool = False) -> bool:
        """Wait until the index of the current data is saved, while it has been needed for less than `timeout_s` seconds.

        A short build (a small store's, well under a second) is waited for; a long one (minutes at
        a million models) is not: once it has run `timeout_s`, callers are answered at once, so
        they do not each hold a thread for the whole wait.

        Parameters
        ----------
        timeout_s : float
            Seconds, counted from when the index became needed.
        give_up_when_overtaken : bool, optional
            Also return False as soon as writes are seen to go on (a write overtook the running
            build, or came during the wait) while an earlier index is in place: no build will
            describe the current data soon, and a reader can be answered from the earlier index
            at once (:meth:`fallback_version`). Default False.

        Returns
        -------
        bool
            True when no build is needed any more (a read may be retried); False when it is still
            needed, or its build failed.
        """
        entered = self.engine.tag
        with self._cond:
            while self._pending_since is not None and not self._closed:
                remaining = self._pending_since + timeout_s - time.time()
                if remaining <= 0 or (give_up_when_overtaken and self._overtaken(entered)):
                    return False
                self._cond.wait(remaining)  # woken by the build's end and by every write
            return self._failed is None

    def _overtaken(self, entered: str) -> bool:
        # With _cond held: writes go on (one came after the running build read its data, or since
        # the caller began to wait for a build that waits for them to pause), so no build will
        # describe the current data soon; when an earlier index is in place, waiting is no use.
        if self._ready_version is None:
            return False
        tag = self.engine.tag
        building = self._building_tag if self._building_since is not None else None
        return tag != entered or (building is not None and building != tag)

    def fallback_version(self) -> str | None:
        """Return the newest dataset version whose index is in place, when it is not the current one.

        While writes that change names go on, the index of the current data is built only once they
        pause (a build that the next write overtakes is of no use); a read that cannot wait for it
        is answered with this version's index instead of a 503: names written since are missing
        from it (search, name resolution) until writes pause, the data itself is the current one.

        Returns
        -------
        str or None
            That version; None when the current version's index is in place, or no index was yet
            (a start without a saved index: reads are answered 503 until it is built).
        """
        with self._cond:
            ready = self._ready_version
        return ready if ready is not None and ready != self.store.version else None

    def current(self) -> bool:
        """Tell whether the index in place is the current data version's.

        Returns
        -------
        bool
            False while an earlier version's index (:meth:`fallback_version`) or none is in place.
        """
        with self._cond:
            return self._ready_version is not None and self._ready_version == self.store.version

    def not_ready(self) -> IndexNotReadyError:
        """Return the error to answer a read that needs the index while it is not there, saying since when.

        Returns
        -------
        IndexNotReadyError
        """
        now = time.time()
        with self._cond:
            if self._failed is not None:
                return IndexNotReadyError(
                    f"building the name index failed ({self._failed}); it is built again after the next write. "
                    "SPARQL queries are answered meanwhile",
                    60,
                )
            if self._building_since is not None:
                return IndexNotReadyError(
                    f"the name index is being built: started {now - self._building_since:.0f} s ago. "
                    "Search, name lookups and entity pages need it; SPARQL queries are answered meanwhile",
                    10,
                )
        return IndexNotReadyError(
            "the name index is to be built once writes pause; SPARQL queries are answered meanwhile", 5
        )

    def close(self) -> None:
        """Stop building (a build under way finishes in its own worker) and stop serving the files."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        forget_store(self.engine.path)
