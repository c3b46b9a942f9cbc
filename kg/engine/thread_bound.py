"""Query results of the engine are bound to the thread that made them: never freed on another one.

pyoxigraph's ``QuerySolutions`` and ``QueryTriples`` are "unsendable" (PyO3): freeing one on
another thread than its own is refused with ``RuntimeError: ... is unsendable, but is being
dropped on another thread``, printed as an unraisable exception (pytest's
``PytestUnraisableExceptionWarning``, a line in the server log). It happened through exceptions: a
query raised in a worker thread (a row cap, a result nobody accepts, an engine error while rows
stream) keeps, in its traceback, the frames that held the result; the exception is handled on the
event loop's thread, and the result was freed there when the exception was. :func:`thread_bound`
clears those frames where the exception is raised, so the result is freed on its own thread.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["thread_bound"]


def _clear_chain(exc: BaseException) -> None:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)  # frames still running are left as they are
        todo += [current.__cause__, current.__context__]


@contextmanager
def thread_bound() -> Iterator[None]:
    """Free the engine's result objects of the frames an escaping exception keeps, on this thread.

    Wrap the call of a function that holds a query result in its locals: when an exception
    leaves that function, the frames of its traceback (and of its causes) are cleared here, so
    the result is freed on the thread that made it, not on whichever thread handles the exception.
    The caller's own frame must not hold the result (it is still running, so it is not cleared).

    Yields
    ------
    None

    Raises
    ------
    BaseException
        Whatever the wrapped code raises, unchanged (its traceback keeps file and line numbers;
        only the frames' local variables are dropped).

    Examples
    --------
    >>> import pyoxigraph as ox
    >>> def rows():
    ...     solutions = ox.Store().query("SELECT * WHERE { ?s ?p ?o }")
    ...     raise ValueError("too many")
    >>> try:
    ...     with thread_bound():
    ...         rows()
    ... except ValueError as exc:
    ...     frame = exc.__traceback__.tb_next.tb_frame  # the frame of rows()
    >>> "solutions" in frame.f_locals
    False
    """
    try:
        yield
    except BaseException as exc:
        _clear_chain(exc)
        raise
