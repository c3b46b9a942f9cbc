"""Work deferred until writes pause: one background thread per task, run once no write came for a while."""

from __future__ import annotations

import inspect
import logging
import threading
import time
import weakref
from collections.abc import Callable

__all__ = ["WhenQuiet"]

log = logging.getLogger(__name__)


class WhenQuiet:
    """Run a task in a background thread once `quiet_s` seconds passed without a :meth:`poke`.

    Parameters
    ----------
    task : callable
        Takes no argument; exceptions are logged, never raised to a poker. A bound method is
        held weakly: once its object is gone the thread ends.
    quiet_s : float
        How long writes must pause before the task runs, in seconds.
    name : str, optional
        Name of the background thread (for debugging).

    Notes
    -----
    Work that a write makes necessary but that no reader needs at once (forking fresh query
    workers, warming an index) is moved here off the write path: a stream of writes pays for it
    once, when it pauses, instead of once per write. Pokes during a run schedule one more run.

    Examples
    --------
    >>> runs = []
    >>> quiet = WhenQuiet(lambda: runs.append(1), 0.01)
    >>> quiet.poke(); quiet.wait_idle(2.0)
    True
    >>> runs
    [1]
    >>> quiet.close()
    """

    def __init__(self, task: Callable[[], None], quiet_s: float, name: str = "kg-when-quiet") -> None:
        # A bound method is held weakly: the thread must not keep its owner (a service, a pool,
        # and through them an on-disk store's lock) alive; the thread ends with the owner.
        if inspect.ismethod(task):
            self._task: Callable[[], Callable[[], None] | None] = weakref.WeakMethod(task)
            weakref.finalize(task.__self__, self.close)
        else:
            self._task = lambda: task
        self.quiet_s = quiet_s
        self._cond = threading.Condition()
        self._last: float | None = None  # monotonic time of the latest poke not yet served
        self._running = False
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def poke(self) -> None:
        """Note a write: the task runs once `quiet_s` passed without another poke."""
        with self._cond:
            self._last = time.monotonic()
            self._cond.notify_all()

    def wait_idle(self, timeout_s: float) -> bool:
        """Wait until no run is due or running (for tests and shutdown).

        Parameters
        ----------
        timeout_s : float
            Longest wait, in seconds.

        Returns
        -------
        bool
            True when idle, False when the wait timed out.
        """
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while self._last is not None or self._running:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def close(self) -> None:
        """Stop the background thread (a run under way finishes)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._closed:
                    if self._last is None:
                        self._cond.wait()
                        continue
                    due = self._last + self.quiet_s - time.monotonic()
                    if due <= 0:
                        break
                    self._cond.wait(due)
                if self._closed:
                    return
                self._last, self._running = None, True
            task = self._task()
            try:
                if task is not None:
                    task()
                del task
            except Exception:
                log.exception("deferred work after writes failed")
            finally:
                with self._cond:
                    self._running = False
                    self._cond.notify_all()
