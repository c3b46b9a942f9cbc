"""Query workers: forked processes that evaluate reads under a time limit that holds.

pyoxigraph has no query timeout in its Python API and a thread cannot be stopped, so every read
runs in a worker process forked from the server after the store was loaded (copy-on-write: the
worker sees the store as of its fork). When a query runs past its limit the worker gets SIGKILL,
which stops the engine at once and frees its CPU; a fresh worker is forked in its place. After a
write the workers are stale: idle ones are replaced, busy ones finish their snapshot and retire.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing as mp
import os
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from kg.errors import KGError, QueryTimeoutError
from kg.store import KnowledgeStore

__all__ = ["QueryPool"]

log = logging.getLogger(__name__)
_CTX = mp.get_context("fork")


def _serve(conn: Connection, store: KnowledgeStore) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        fn, args, kwargs = message
        try:
            reply: tuple[bool, Any] = (True, fn(store.inner, *args, **kwargs))
        except KGError as exc:
            reply = (False, exc)
        except Exception as exc:  # a bug: report it to the server, which logs it as a 500
            reply = (False, RuntimeError(f"{type(exc).__name__}: {exc}"))
        try:
            conn.send(reply)
        except (OSError, ValueError):
            os._exit(0)


class _Worker:
    def __init__(self, store: KnowledgeStore, generation: int) -> None:
        parent, child = _CTX.Pipe()
        self.process = _CTX.Process(target=_serve, args=(child, store), daemon=True)
        self.process.start()
        child.close()
        self.conn = parent
        self.generation = generation

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, AttributeError):
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.join(timeout=5)
        self.conn.close()


class QueryPool:
    """A fixed number of forked query workers with a per-call time limit.

    Parameters
    ----------
    store : KnowledgeStore
        The store the workers read; the pool registers itself to hear about writes.
    size : int, optional
        Number of workers (>= 1); default 2, one per core here.
    timeout_s : float, optional
        Default limit of one call, in seconds, queue wait included.

    Notes
    -----
    Workers are forked while the store's write lock is held, so no write is half-done in the
    copy a worker gets. Calls from many threads run in parallel on different workers; a call
    waits for a free worker within its own time limit.

    Examples
    --------
    >>> store = KnowledgeStore()
    >>> pool = QueryPool(store, size=1, timeout_s=5)
    >>> pool.run(len)
    0
    >>> pool.close()
    """

    def __init__(self, store: KnowledgeStore, size: int = 2, timeout_s: float = 30.0) -> None:
        if size < 1:
            raise ValueError("a query pool needs at least one worker")
        self.store = store
        self.size = size
        self.timeout_s = timeout_s
        self._generation = 0
        self._idle: list[_Worker] = []
        self._busy = 0
        self._cond = threading.Condition()
        self._closed = False
        store.add_listener(self.refresh)
        with store.lock:
            self._idle = [_Worker(store, 0) for _ in range(size)]

    def refresh(self) -> None:
        """Retire workers forked before the latest write (called by the store after writes)."""
        with self._cond:
            self._generation += 1
            stale, self._idle = self._idle, []
            self._cond.notify_all()
        for worker in stale:
            worker.kill()

    def _acquire(self, deadline: float) -> _Worker:
        with self._cond:
            while True:
                if self._closed:
                    raise RuntimeError("query pool is closed")
                while self._idle:
                    worker = self._idle.pop()
                    if worker.generation == self._generation and worker.process.is_alive():
                        self._busy += 1
                        return worker
                    threading.Thread(target=worker.kill, daemon=True).start()
                if self._busy < self.size:
                    self._busy += 1
                    generation = self._generation
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise QueryTimeoutError("no query worker became free within the time limit; try again")
                self._cond.wait(remaining)
        try:
            with self.store.lock:
                return _Worker(self.store, generation)
        except BaseException:
            with self._cond:
                self._busy -= 1
                self._cond.notify()
            raise

    def _release(self, worker: _Worker | None, kill_in_thread: bool = False) -> None:
        with self._cond:
            self._busy -= 1
            if worker is not None and worker.generation == self._generation and not self._closed:
                self._idle.append(worker)
                worker = None
            self._cond.notify()
        if worker is not None:
            if kill_in_thread:  # SIGKILL + join must not block the event loop
                threading.Thread(target=worker.kill, daemon=True).start()
            else:
                worker.kill()

    def run(self, fn: Callable[..., Any], *args: Any, timeout_s: float | None = None, **kwargs: Any) -> Any:
        """Call ``fn(store.inner, *args, **kwargs)`` in a worker and return its result.

        Parameters
        ----------
        fn : callable
            A module-level function (it is sent by reference) taking the pyoxigraph store first.
        *args, **kwargs
            Picklable arguments.
        timeout_s : float, optional
            Limit for this call, in seconds; default the pool's.

        Returns
        -------
        object
            What `fn` returned (picklable).

        Raises
        ------
        QueryTimeoutError
            If the call did not finish in time; its worker was killed and will be replaced.
        KGError
            Whatever `fn` raised of the core's errors, re-raised here.
        RuntimeError
            If `fn` failed with any other error (a bug), or the worker died.
        """
        limit = self.timeout_s if timeout_s is None else timeout_s
        deadline = time.monotonic() + limit
        worker = self._acquire(deadline)
        keep: _Worker | None = None
        try:
            worker.conn.send((fn, args, kwargs))
            remaining = max(deadline - time.monotonic(), 0.0)
            if not worker.conn.poll(remaining):
                raise QueryTimeoutError(
                    f"query stopped after the {limit:g} s time limit; narrow it (LIMIT, more selective patterns)"
                )
            try:
                ok, value = worker.conn.recv()
            except (EOFError, OSError) as exc:
                raise RuntimeError("query worker died while evaluating the query") from exc
            keep = worker
        finally:
            self._release(keep)
            if keep is None:
                worker.kill()
        if ok:
            return value
        raise value

    def _try_acquire(self) -> _Worker | None:
        # An idle, current worker or None: never waits and never forks (both would block).
        with self._cond:
            while self._idle and not self._closed:
                worker = self._idle.pop()
                if worker.generation == self._generation and worker.process.is_alive():
                    self._busy += 1
                    return worker
                threading.Thread(target=worker.kill, daemon=True).start()
        return None

    async def arun(self, fn: Callable[..., Any], *args: Any, timeout_s: float | None = None, **kwargs: Any) -> Any:
        """Like :meth:`run`, awaited on the event loop without a thread hop.

        The call is sent to an idle worker and its pipe is watched by the event loop, so a
        small query costs no thread switch; when no worker is idle it falls back to
        :meth:`run` in a thread (which waits for a worker or forks a new one).

        Raises
        ------
        QueryTimeoutError, KGError, RuntimeError
            As :meth:`run`.
        """
        worker = self._try_acquire()
        if worker is None:
            return await asyncio.to_thread(self.run, fn, *args, timeout_s=timeout_s, **kwargs)
        limit = self.timeout_s if timeout_s is None else timeout_s
        loop = asyncio.get_running_loop()
        keep: _Worker | None = None
        try:
            worker.conn.send((fn, args, kwargs))
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
            try:
                ok, value = worker.conn.recv()
            except (EOFError, OSError) as exc:
                raise RuntimeError("query worker died while evaluating the query") from exc
            keep = worker
        finally:
            self._release(keep, kill_in_thread=True)
            if keep is None:  # timed out, cancelled or died: its engine may still run
                threading.Thread(target=worker.kill, daemon=True).start()
        if ok:
            return value
        raise value

    def close(self) -> None:
        """Stop all workers."""
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._cond.notify_all()
        for worker in idle:
            worker.kill()
