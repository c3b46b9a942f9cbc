"""Query workers: forked processes that evaluate reads under time and memory limits that hold.

pyoxigraph has no query timeout in its Python API and a thread cannot be stopped, so every read
runs in a worker process forked from the server (copy-on-write: the worker sees the data as of
its fork, and shares the server's per-version values: label index, claim records). When a query
runs past its limit the worker gets SIGKILL, which stops the engine at once and frees its CPU; a
fresh worker is forked in its place. After a write the workers are stale: idle ones are replaced
(or replay a data-only update), busy ones finish their snapshot and retire.

An in-memory store is inherited by the fork. An on-disk store is never touched across a fork (a
RocksDB instance with background work may hold its mutexes at that moment): its writer runs in a
process of its own and each worker opens the read-only checkpoint of the latest write itself
(:mod:`kg.engine.disk`), so the data is held once, by the page cache. What runs inside a worker
is in :mod:`kg.engine.worker_process`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import multiprocessing as mp
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pyoxigraph as ox

from kg.engine.disk import DiskEngine
from kg.engine.heap import private_bytes
from kg.engine.quiet import WhenQuiet
from kg.engine.store import KnowledgeStore
from kg.engine.worker_process import APPLY, Checkpoint, death_message, memory_message, open_fds, serve
from kg.errors import QueryMemoryError, QueryTimeoutError, QueryWorkerError

__all__ = ["QueryPool", "run_in_own_worker"]

log = logging.getLogger(__name__)
_CTX = mp.get_context("fork")
_FULL, _RESERVED = "full", "reserved"  # the lanes: calls that may run to their limit; short calls only


_REPLAYS_KEPT = 200
"""Writes one worker replays before it is retired anyway: each one makes some of its copy-on-write
pages private, so a long-lived worker would slowly grow into a full copy of the data."""

_REST_S = 2.0
"""Seconds without a call after which idle workers that grew are replaced (:meth:`QueryPool._shed`)."""

_GROWTH_BYTES = 16 * 2**20
"""How much a worker may grow beyond what it held before its first call before it is replaced at
rest. What grows is its own: an on-disk store's read-only instance keeps a block cache (up to
32 MB, RocksDB's default, which pyoxigraph does not expose) and the blocks' indexes, the
allocator keeps what the answers freed; measured at 10k models, 10 -> 37 MB private per worker
after the bench mix, three workers. A fresh worker forks in milliseconds and shares the rest."""


def replayable(text: str | None) -> bool:
    """Tell whether an update can be replayed on a worker's copy with the very same outcome.

    Parameters
    ----------
    text : str or None
        The update request the store last applied (None: a write that was no SPARQL update).

    Returns
    -------
    bool
        True for ``INSERT DATA``/``DELETE DATA`` (:func:`kg.engine.query_checks.is_data_only`) without blank
        nodes: deterministic, and bounded by their own size. Pattern updates may call ``NOW()``,
        ``UUID()`` or ``RAND()``, and blank nodes get fresh labels in each store, so those copies
        would drift from the server's.
    """
    from kg.engine.query_checks import is_data_only

    return text is not None and "_:" not in text and "[" not in text and is_data_only(text)


class _Worker:
    def __init__(
        self,
        source: ox.Store | Checkpoint,
        generation: int,
        memory_bytes: int | None,
        on_end: Callable[[], None] | None = None,
    ) -> None:
        # on_end: called once the process is gone (an on-disk store frees its checkpoint).
        self._on_end = on_end
        parent, child = _CTX.Pipe()
        # Taken just before the fork: what the worker inherits and must close (every socket of the
        # server, the other workers' pipes, the store's files); see _close_inherited_fds.
        inherited = open_fds() - {child.fileno()}
        self.process = _CTX.Process(target=serve, args=(child, parent, source, memory_bytes, inherited), daemon=True)
        self.process.start()
        child.close()
        self.conn = parent
        self.generation = generation
        self.replays = 0
        self.baseline: int | None = None  # bytes held alone before the first call (private_bytes)

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, AttributeError, TypeError):
            os.kill(self.process.pid, signal.SIGKILL)
        self.reap(5.0)
        self.conn.close()
        on_end, self._on_end = self._on_end, None
        if on_end is not None:
            on_end()

    def reap(self, timeout_s: float) -> None:
        # Wait for the process to end by polling waitpid, not by multiprocessing's sentinel pipe:
        # a sibling forked while that pipe was open may hold it, and join() would then wait the
        # whole timeout for a process that is long gone.
        deadline = time.monotonic() + timeout_s
        while self.process.is_alive() and time.monotonic() < deadline:
            time.sleep(0.001)


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int | None) -> float | None:
    # User + system CPU time of a process (Linux /proc/<pid>/stat, fields 14 and 15), or None.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK
    except (OSError, ValueError, IndexError):
        return None


def _kill_all(workers: list[_Worker]) -> None:
    for worker in workers:
        worker.kill()


def _fork_worker(store: KnowledgeStore, generation: int, memory_bytes: int | None, private: bool = False) -> _Worker:
    # Called with the store's write lock held. An in-memory store is inherited by the fork. An
    # on-disk store: the worker opens the latest checkpoint read-only, or (`private`, for a call
    # that writes to its copy) a checkpoint of its own, writable, removed when the worker ends.
    engine = store.inner
    if not isinstance(engine, DiskEngine):
        return _Worker(engine, generation, memory_bytes)
    if private:
        path = engine.private_checkpoint()
        return _Worker(Checkpoint(path, True), generation, memory_bytes, lambda: engine.discard(path))
    path = engine.hold()
    return _Worker(Checkpoint(path, False), generation, memory_bytes, lambda: engine.release(path))


def run_in_own_worker(store: KnowledgeStore, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``fn(data, *args, **kwargs)`` in a worker forked for this call alone, without time limit.

    For builds whose temporaries would stay in the server's heap: a large build leaves it
    fragmented (the label index at 100k models: 277 MB of RSS kept when built in the server, 134 MB
    when built in a worker and sent back), and what it leaves behind is not shared with the workers.

    Parameters
    ----------
    store : KnowledgeStore
        The store whose current data the worker reads (forked under its write lock).
    fn : callable
        A module-level function (sent by reference) taking a pyoxigraph store first.
    *args, **kwargs
        Picklable arguments.

    Returns
    -------
    object
        What `fn` returned, pickled back.

    Raises
    ------
    QueryWorkerError
        If the worker ended without answering.
    KGError
        Whatever `fn` raised of the core's errors.
    RuntimeError
        If `fn` failed with any other error.
    """
    with store.lock:
        worker = _fork_worker(store, -1, None)
    try:
        worker.conn.send((fn, args, kwargs))
        try:
            ok, value = worker.conn.recv()
        except (EOFError, OSError) as exc:
            worker.reap(1.0)
            raise QueryWorkerError(death_message(worker.process.exitcode)) from exc
    finally:
        worker.kill()
    if ok:
        return value
    raise value


class QueryPool:
    """Forked query workers with a per-call time limit, a memory cap and a reserved lane.

    Parameters
    ----------
    store : KnowledgeStore
        The store the workers read; the pool registers itself to hear about writes.
    size : int, optional
        Workers that run calls to the end of their time limit (>= 1); default 2, one per core here.
    timeout_s : float, optional
        Default limit of one call, in seconds, counted from its arrival: waiting for a worker
        counts.
    memory_bytes : int, optional
        Working memory one worker may allocate beyond what it inherits at fork (address space,
        ``RLIMIT_AS``), in bytes; ``None`` or 0: no cap. Linux only.
    reserve : int, optional
        Workers of the reserved lane (>= 0); default 1. A call that finds the `size` workers busy
        runs there for at most `probation_s`: short calls (REST lookups, a trivial ASK) finish,
        a long one is stopped and waits for one of the `size` workers.
    probation_s : float, optional
        How much CPU time a call may use in the reserved lane, in seconds; default 0.5 (wall time
        where ``/proc`` is missing).
    refill_quiet_s : float, optional
        After a write, fork the successors of the retired idle workers only once writes paused
        this long, in seconds (:class:`kg.engine.quiet.WhenQuiet`), so a stream of writes does not
        fork after each one; a read in the meantime forks its own worker. Default None: fork them
        inside the write, at once.
    rest_s : float, optional
        Once no call came for this long, in seconds, replace the idle workers that grew by more
        than 16 MiB since before their first call (:meth:`_shed`); default 2. None: keep them.

    Notes
    -----
    Workers are forked while the store's write lock is held, so no write is half-done in the
    copy a worker gets. Calls from many threads run in parallel on different workers. A call past
    its limit has its worker killed with SIGKILL before :class:`~kg.errors.QueryTimeoutError` is
    raised, so the CPU is free by the time the caller hears of it; a call that found no worker
    within its limit gets the same error, saying the server is busy.

    Fairness (issue 13): slow queries can hold at most the `size` workers, never the reserved
    lane beyond `probation_s` each, so short requests are answered while they run; a long query
    that had to try the reserved lane first loses at most `probation_s` of work. Waiting callers
    of :meth:`arun` wait in the pool's own threads, never in the event loop's default executor,
    so they cannot starve other requests of threads.

    Examples
    --------
    >>> store = KnowledgeStore()
    >>> pool = QueryPool(store, size=1, timeout_s=5)
    >>> pool.run(len)
    0
    >>> pool.close()
    """

    def __init__(
        self,
        store: KnowledgeStore,
        size: int = 2,
        timeout_s: float = 30.0,
        memory_bytes: int | None = None,
        reserve: int = 1,
        probation_s: float = 0.5,
        refill_quiet_s: float | None = None,
        rest_s: float | None = _REST_S,
    ) -> None:
        if size < 1:
            raise ValueError("a query pool needs at least one worker")
        if reserve < 0:
            raise ValueError("the reserved lane cannot have fewer than 0 workers")
        self.store = store
        self.size = size
        self.reserve = reserve
        self.probation_s = probation_s
        self.timeout_s = timeout_s
        self.memory_bytes = memory_bytes
        self._generation = 0
        # Idle workers per lane: a long query taking a full-time slot must not take the worker
        # forked for the reserved lane, or the next short request would have to fork one.
        self._idle: dict[str, list[_Worker]] = {_FULL: [], _RESERVED: []}
        self._busy = {_FULL: 0, _RESERVED: 0}
        self._wanting: list[object] = []  # waiters that may still try the reserved lane, oldest first
        self._cond = threading.Condition()
        self._closed = False
        self._live: set[_Worker] = set()
        # Callers of arun that must wait for a worker wait here; sized for many waiters, since a
        # waiting thread costs little and each one gives up at its own deadline.
        self._waiters = ThreadPoolExecutor(max_workers=64, thread_name_prefix="kg-query-wait")
        self._refill = WhenQuiet(self._fill, refill_quiet_s, "kg-worker-refill") if refill_quiet_s is not None else None
        self._rest = WhenQuiet(self._shed, rest_s, "kg-worker-rest") if rest_s is not None else None
        store.add_listener(self.refresh)
        with store.lock:
            self._idle[_FULL] = [self._fork(0) for _ in range(size)]
            self._idle[_RESERVED] = [self._fork(0) for _ in range(reserve)]
        for workers in self._idle.values():
            self._live.update(workers)

    def _fork(self, generation: int, private: bool = False) -> _Worker:
        # Called with the store's write lock held: the data cannot change while the worker forks.
        return _fork_worker(self.store, generation, self.memory_bytes, private)

    def worker_pids(self) -> list[int]:
        """Return the process ids of the workers, idle and busy (for monitoring and tests)."""
        with self._cond:
            return sorted(w.pid for w in self._live if w.pid is not None)

    def refresh(self) -> None:
        """Bring the workers up to the latest write: replay it on their copies, or retire them.

        Called by the store after each write, with its write lock held. A data-only update
        (:func:`replayable`) on an in-memory store is sent to every worker, which applies it to its
        own copy before its next call (at most `_REPLAYS_KEPT` times per worker). Otherwise the idle
        workers are retired and, for an in-memory store, their successors forked here, while the
        lock is held anyway (a read that needed to fork would have to wait for the lock, which a
        stream of writes can hold most of the time), or, with `refill_quiet_s`, once writes paused
        that long.
        """
        text = getattr(self.store, "last_update", None)
        replay = self.store.path is None and replayable(text)
        with self._cond:
            self._generation += 1
            idle, self._idle = self._idle, {_FULL: [], _RESERVED: []}
            stale: list[_Worker] = []
            for lane, workers in idle.items():
                for worker in workers:
                    if replay and self._replay(worker, text):  # type: ignore[arg-type]
                        self._idle[lane].append(worker)
                    else:
                        stale.append(worker)
            if replay:
                # A busy worker reads the replay after its current call (which began before this
                # write) and before its next one; one that does not take it is retired on release.
                resting = {id(w) for workers in idle.values() for w in workers}
                for worker in [w for w in self._live if id(w) not in resting]:
                    self._replay(worker, text)  # type: ignore[arg-type]
            self._live.difference_update(stale)
            self._cond.notify_all()
        # A fork costs milliseconds (an on-disk store's worker opens a checkpoint: ~20 ms more).
        if self._refill is not None:
            self._refill.poke()
        else:
            self._fill()
        if stale:
            # Killed and reaped in the background: the writer holds the store's lock while its
            # listeners run, and every fork waits for that lock.
            threading.Thread(target=_kill_all, args=(stale,), daemon=True).start()

    def _replay(self, worker: _Worker, text: str) -> bool:
        # Called with _cond and the store's write lock held, after a data-only update: idle workers
        # replay it on their own copy (the message precedes any later call in their pipe) instead of
        # being replaced, so reads after a write need no fork, and keep their per-version values
        # that the write left alone. False: the worker is to be retired instead.
        if (
            worker.generation != self._generation - 1  # it missed an earlier write: no replay makes it current
            or worker.replays >= _REPLAYS_KEPT
            or not worker.process.is_alive()
        ):
            return False
        store = self.store
        try:
            worker.conn.send((APPLY, (text, store.previous_version, store.version, store.touched_predicates), {}))
        except (OSError, ValueError):
            return False
        worker.generation, worker.replays = self._generation, worker.replays + 1
        return True

    def _fill(self) -> None:
        # Fork idle workers until every free slot of both lanes has one, so that requests find a
        # worker ready instead of forking (which waits for the store's write lock). Called by
        # refresh (the writer holds the lock) and, after a worker was retired, in the background.
        with self.store.lock:
            while True:
                with self._cond:
                    lane = next(
                        (name for name, cap in self._caps() if self._busy[name] + len(self._idle[name]) < cap), None
                    )
                    if self._closed or lane is None:
                        return
                    generation = self._generation
                worker = self._fork(generation)
                with self._cond:
                    if generation == self._generation and not self._closed:
                        self._live.add(worker)
                        self._idle[lane].append(worker)
                        self._cond.notify_all()
                        continue
                worker.kill()
                return

    def _caps(self) -> tuple[tuple[str, int], ...]:
        return ((_RESERVED, self.reserve), (_FULL, self.size))

    def _pop_idle(self, lane: str) -> _Worker | None:
        # Called with _cond held: an idle worker of `lane` with current data, or None.
        idle = self._idle[lane]
        while idle:
            worker = idle.pop()
            if worker.generation == self._generation and worker.process.is_alive():
                return worker
            threading.Thread(target=self._discard, args=(worker,), daemon=True).start()
        return None

    def _lane(self, tried_reserved: bool, ticket: object | None) -> str | None:
        # Called with _cond held: the lane this call may take now, or None. A free full-time slot
        # comes first, even when its worker must be forked: a long query sent to the reserved lane
        # instead would cost that lane its worker after the probation. The reserved lane goes to
        # the newest waiter first (a fresh arrival has no ticket yet, so it is the newest): in a
        # burst of long queries each older one would hold it for its probation, while a short
        # request arriving meanwhile waits for one at most.
        if self._busy[_FULL] < self.size:
            return _FULL
        if (
            not tried_reserved
            and self._busy[_RESERVED] < self.reserve
            and (ticket is None or self._wanting[-1] is ticket)
        ):
            return _RESERVED
        return None

    def _acquire(
        self, deadline: float, limit: float, tried_reserved: bool, private: bool = False
    ) -> tuple[_Worker, str]:
        # private: fork a worker of its own for a call that changes its copy of an on-disk store
        # (idle workers read a shared read-only checkpoint).
        ticket: object | None = None
        with self._cond:
            try:
                while True:
                    if self._closed:
                        raise RuntimeError("query pool is closed")
                    lane = self._lane(tried_reserved, ticket)
                    if lane is not None:
                        self._busy[lane] += 1
                        worker = None if private else self._pop_idle(lane)
                        if worker is not None:
                            return worker, lane
                        break
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise QueryTimeoutError(
                            f"the server is busy: no query worker became free within the {limit:g} s time "
                            "limit; retry in a few seconds"
                        )
                    if ticket is None and not tried_reserved:
                        ticket = object()
                        self._wanting.append(ticket)
                    self._cond.wait(remaining)
            finally:
                if ticket is not None:
                    self._wanting.remove(ticket)
        try:
            # The fork waits for the store's write lock (a write and its listeners hold it), but
            # no longer than the call's own deadline.
            if not self.store.lock.acquire(timeout=max(deadline - time.monotonic(), 0.001)):
                raise QueryTimeoutError(
                    f"the server is busy writing: no query worker could be started within the {limit:g} s time "
                    "limit; retry in a few seconds"
                )
            try:
                # Read the generation under the write lock: a write that finished just before
                # must not leave this worker labelled as current while it holds older data.
                worker = self._fork(self._generation, private)
            finally:
                self.store.lock.release()
            with self._cond:
                self._live.add(worker)
            return worker, lane
        except BaseException:
            with self._cond:
                self._busy[lane] -= 1
                self._cond.notify_all()
            raise

    def _release(self, worker: _Worker, reusable: bool, lane: str) -> None:
        with self._cond:
            self._busy[lane] -= 1
            keep = reusable and worker.generation == self._generation and not self._closed
            if keep:
                self._idle[lane].append(worker)
                if self._rest is not None:
                    self._rest.poke()
            else:
                self._live.discard(worker)
            # Both lanes' waiters: one freed slot of either kind may admit any of them.
            self._cond.notify_all()
        if not keep:
            worker.kill()
            threading.Thread(target=self._fill, daemon=True).start()

    def _shed(self) -> None:
        # At rest (no call for rest_s): replace the idle workers that grew by more than
        # _GROWTH_BYTES since before their first call. Under load they keep what they cached; at rest the
        # memory goes back, and their successors share the server's pages again.
        with self._cond:
            grown = []
            for idle in self._idle.values():
                for worker in list(idle):
                    now = private_bytes(worker.pid) if worker.baseline is not None else None
                    if now is not None and now - worker.baseline > _GROWTH_BYTES:  # type: ignore[operator]
                        idle.remove(worker)
                        grown.append(worker)
            self._live.difference_update(grown)
        if grown:
            log.debug("replacing %d idle query workers that grew", len(grown))
            _kill_all(grown)
            self._fill()

    def _discard(self, worker: _Worker) -> None:
        with self._cond:
            self._live.discard(worker)
        worker.kill()

    def run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        timeout_s: float | None = None,
        disposable: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Call ``fn(store, *args, **kwargs)`` in a worker and return its result.

        Parameters
        ----------
        fn : callable
            A module-level function (it is sent by reference) taking a pyoxigraph store first.
        *args, **kwargs
            Picklable arguments.
        timeout_s : float, optional
            Limit for this call, in seconds, waiting for a worker included; default the pool's.
        disposable : bool, optional
            `fn` changes the worker's copy of the data (e.g. rehearses an update): retire the
            worker afterwards so no later call sees those changes.

        Returns
        -------
        object
            What `fn` returned (picklable).

        Raises
        ------
        QueryTimeoutError
            If the call did not finish in time (its worker was killed, SIGKILL, CPU freed,
            before this is raised, and will be replaced), or found no free worker in time.
        QueryMemoryError
            If the call needed more memory than the pool's cap; its worker is replaced.
        QueryWorkerError
            If the worker ended without answering (killed from outside, or crashed); it is
            replaced.
        KGError
            Whatever `fn` raised of the core's errors, re-raised here.
        RuntimeError
            If `fn` failed with any other error (a bug).
        """
        limit = self.timeout_s if timeout_s is None else timeout_s
        return self._run_until(time.monotonic() + limit, limit, fn, args, kwargs, disposable)

    def _run_until(
        self,
        deadline: float,
        limit: float,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        disposable: bool = False,
    ) -> Any:
        tried_reserved = False
        while True:
            private = disposable and isinstance(self.store.inner, DiskEngine)
            worker, lane = self._acquire(deadline, limit, tried_reserved, private)
            reusable = False
            try:
                self._send(worker, (fn, args, kwargs))
                if lane == _FULL:
                    answered = worker.conn.poll(max(deadline - time.monotonic(), 0.0))
                else:
                    answered = self._probation(worker, deadline)
                    if not answered and time.monotonic() < deadline:
                        # A long call in the reserved lane: stopped (its worker is killed on
                        # release), it waits for a full-time worker within its own deadline.
                        tried_reserved = True
                        continue
                if not answered:
                    raise QueryTimeoutError(
                        f"query stopped after the {limit:g} s time limit; narrow it (LIMIT, more selective patterns)"
                    )
                ok, value = self._receive(worker)
                reusable = not disposable and (ok or not isinstance(value, QueryMemoryError))
            finally:
                self._release(worker, reusable, lane)
            if ok:
                return value
            raise value

    def _probation(self, worker: _Worker, deadline: float) -> bool:
        # Wait for the reply of a call in the reserved lane while it has used less than
        # probation_s of CPU (wall time where /proc is missing): on a machine whose cores the long
        # queries keep busy, a short call may wait for the CPU longer than it computes.
        started, baseline = time.monotonic(), _cpu_seconds(worker.pid)
        while True:
            if worker.conn.poll(max(min(0.05, deadline - time.monotonic()), 0.0)):
                return True
            now = time.monotonic()
            if now >= deadline:
                return False
            cpu = _cpu_seconds(worker.pid)
            used = cpu - baseline if cpu is not None and baseline is not None else now - started
            if used >= self.probation_s:
                return False

    def _receive(self, worker: _Worker) -> tuple[bool, Any]:
        # The reply to a call: (True, result) or (False, exception); a worker that died instead
        # is reported as the memory cap (the engine aborts when an allocation fails under
        # RLIMIT_AS) or as a crash.
        try:
            reply: tuple[bool, Any] = worker.conn.recv()
        except (EOFError, OSError) as exc:
            worker.reap(1.0)
            if worker.process.exitcode == -signal.SIGABRT and self.memory_bytes:
                raise QueryMemoryError(memory_message(self.memory_bytes)) from exc
            raise QueryWorkerError(death_message(worker.process.exitcode)) from exc
        return reply

    def _send(self, worker: _Worker, message: tuple[Any, ...]) -> None:
        # A worker may have died while idle (killed from outside): report it like a death mid-call.
        if worker.baseline is None and self._rest is not None:
            worker.baseline = private_bytes(worker.pid)  # before its first call; once, about 1 ms
        try:
            worker.conn.send(message)
        except (OSError, ValueError) as exc:
            worker.reap(1.0)
            raise QueryWorkerError(death_message(worker.process.exitcode)) from exc

    def _try_acquire(self) -> _Worker | None:
        # An idle, current worker of the full-time lane or None: never waits and never forks.
        with self._cond:
            if self._closed or self._busy[_FULL] >= self.size:
                return None
            worker = self._pop_idle(_FULL)
            if worker is not None:
                self._busy[_FULL] += 1
            return worker

    async def arun(self, fn: Callable[..., Any], *args: Any, timeout_s: float | None = None, **kwargs: Any) -> Any:
        """Like :meth:`run`, awaited on the event loop without a thread hop.

        The call goes to an idle worker and the event loop watches its pipe, so a small query
        costs no thread switch (the serving hot path, ``api/middleware/sparql_fastpath.py``); when no worker is
        idle it falls back to :meth:`run` in one of the pool's threads, which waits for a worker
        (or takes the reserved lane) within the call's limit, counted from now.

        Raises
        ------
        QueryTimeoutError, QueryMemoryError, QueryWorkerError, KGError, RuntimeError
            As :meth:`run`.
        """
        limit = self.timeout_s if timeout_s is None else timeout_s
        worker = self._try_acquire()
        loop = asyncio.get_running_loop()
        if worker is None:
            deadline = time.monotonic() + limit
            call = functools.partial(self._run_until, deadline, limit, fn, args, kwargs)
            return await loop.run_in_executor(self._waiters, call)
        reusable = False
        try:
            self._send(worker, (fn, args, kwargs))
            readable = loop.create_future()
            fd = worker.conn.fileno()
            loop.add_reader(fd, lambda: readable.done() or readable.set_result(None))
            try:
                await asyncio.wait_for(readable, limit)
            except TimeoutError:
                raise QueryTimeoutError(
                    f"query stopped after the {limit:g} s time limit; narrow it (LIMIT, more selective patterns)"
                ) from None
            finally:
                loop.remove_reader(fd)
                # uvloop leaves the fd non-blocking; recv must wait for the whole message.
                os.set_blocking(fd, True)
            ok, value = self._receive(worker)
            reusable = ok or not isinstance(value, QueryMemoryError)
        finally:
            # SIGKILL and join of a retired worker take about a millisecond: done here, so the
            # CPU is free before the caller hears of a timeout, as with run().
            self._release(worker, reusable, _FULL)
        if ok:
            return value
        raise value

    def close(self) -> None:
        """Stop all workers."""
        for quiet in (self._refill, self._rest):
            if quiet is not None:
                quiet.close()
        self._waiters.shutdown(wait=False, cancel_futures=True)
        with self._cond:
            self._closed = True
            idle = self._idle[_FULL] + self._idle[_RESERVED]
            self._idle = {_FULL: [], _RESERVED: []}
            self._live.difference_update(idle)
            self._cond.notify_all()
        for worker in idle:
            worker.kill()
