"""The query worker's side: what runs in a forked worker process, and how its end is told.

A worker closes what it inherited and does not use (above all the server's sockets), follows the
server (it leaves when the server is gone), caps its own memory, opens its data (the store it
inherited by the fork, or, for an on-disk store, a read-only checkpoint it opens itself: see
:mod:`kg.engine.disk`) and then answers the pool's calls one at a time (:mod:`kg.engine.workers`).
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import resource
import signal
import stat
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import KGError, QueryMemoryError

__all__ = ["APPLY", "Checkpoint", "close_inherited_fds", "death_message", "memory_message", "open_fds", "serve"]


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint of an on-disk store for one worker to open (:mod:`kg.engine.disk`).

    Attributes
    ----------
    path : pathlib.Path
        Its directory.
    writable : bool
        Open it writable (a checkpoint of the worker's own, for a call that changes its copy);
        else read-only, shared with the other workers of the same data version.
    """

    path: Path
    writable: bool = False

    def open(self) -> ox.Store:
        """Open the checkpoint (``Store`` or ``Store.read_only``).

        Raises
        ------
        OSError
            If the directory holds no store (removed, or never made).
        """
        return ox.Store(str(self.path)) if self.writable else ox.Store.read_only(str(self.path))


APPLY = "apply"
"""Message tag of a write replayed on an idle worker's copy (no reply)."""


def _virtual_size() -> int | None:
    # Linux only; elsewhere the memory cap is simply not applied.
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return None


def _limit_memory(budget_bytes: int | None) -> None:
    # RLIMIT_AS makes a runaway allocation fail inside this worker (MemoryError in Python, an
    # abort in the engine) long before the machine's OOM killer picks a victim of its own.
    if not budget_bytes:
        return
    size = _virtual_size()
    if size is None:
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = size + budget_bytes
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _exit_with_server(server_pid: int) -> None:
    # A server killed outright (SIGKILL, OOM killer) cannot stop its workers; each one notices
    # that it was re-parented and leaves, even in the middle of a runaway query (the engine
    # releases the GIL while it works, so this thread runs).
    while os.getppid() == server_pid:
        time.sleep(0.5)
    os._exit(0)


def open_fds() -> set[int]:
    """Return the descriptors this process has open."""
    # Linux lists a process's descriptors in /proc/self/fd; elsewhere assume the usual soft limit.
    try:
        return {int(name) for name in os.listdir("/proc/self/fd")}
    except OSError:
        return set(range(3, min(resource.getrlimit(resource.RLIMIT_NOFILE)[0], 4096)))


def close_inherited_fds(inherited: set[int], keep: set[int]) -> None:
    """Close, in a forked child, the descriptors it got from its parent and does not use.

    A forked process holds copies of every descriptor of its parent: the server's listening
    socket and its open client connections among them. While a copy lives, the server closing an
    idle keep-alive connection sends no FIN (the kernel closes a socket when its last descriptor
    goes), so the client's next request on it waits for an answer that never comes (issue 13).

    Each is parked rather than freed: its number is made a descriptor of ``/dev/null``, which
    releases the file or socket and keeps the number from being handed to a file the child opens
    later. An inherited object closes its descriptor when freed (Python's ``mmap`` keeps a
    duplicate: the memory-mapped label index of an on-disk store); had the number been given to
    one of the child's own files (a checkpoint's table file), that file would be closed under the
    engine, whose next read fails with ``EBADF`` (seen under writes and searches on an on-disk
    store, when a worker dropped the index it inherited to read another version's).

    Parameters
    ----------
    inherited : set of int
        Descriptors the parent had open just before the fork: all are closed but `keep`.
    keep : set of int
        Descriptors the child uses (its pipe to the server; 0, 1 and 2 are always kept).

    Notes
    -----
    Sockets are closed even when they are not in `inherited`: another thread of the server may
    accept a connection between the snapshot and the fork. Other descriptors opened in that
    window are left alone, which keeps the pipes ``multiprocessing`` creates for the fork itself
    (the sentinel the server watches to see the child end).
    """
    null = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
    keep = keep | {0, 1, 2, null}
    try:
        for fd in sorted(open_fds() - keep):
            if fd not in inherited:
                try:
                    if not stat.S_ISSOCK(os.fstat(fd).st_mode):
                        continue
                except OSError:
                    continue  # the descriptor that listed /proc/self/fd, already closed
            try:
                os.dup2(null, fd, inheritable=False)
            except OSError:
                with contextlib.suppress(OSError):
                    os.close(fd)
    finally:
        os.close(null)


def serve(
    conn: Connection,
    own_parent_end: Connection,
    source: ox.Store | Checkpoint,
    memory_bytes: int | None,
    inherited: set[int],
) -> None:
    """Answer the pool's calls in a forked worker until the server or its pipe is gone.

    Parameters
    ----------
    conn : multiprocessing.connection.Connection
        The worker's end of its pipe: ``(fn, args, kwargs)`` in, ``(ok, value)`` out.
    own_parent_end : multiprocessing.connection.Connection
        The server's end, copied by the fork: closed at once.
    source : pyoxigraph.Store or Checkpoint
        The data: an in-memory store inherited by the fork, or a checkpoint to open here.
    memory_bytes : int or None
        Working memory the worker may allocate (``RLIMIT_AS`` beyond its size once its data is
        open), in bytes; None: no cap.
    inherited : set of int
        Descriptors the server had open before the fork (closed here, but this pipe).
    """
    server_pid = os.getppid()
    # The fork copied the server's end of this worker's pipe too: close it, or recv() would never
    # see end-of-file when the server is gone.
    own_parent_end.close()
    close_inherited_fds(inherited, {conn.fileno()})
    # The parked descriptors still count against the open-files limit, beside the checkpoint's own
    # files (hundreds at a million models): the soft limit is raised to the hard one.
    with contextlib.suppress(ValueError, OSError):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft != hard:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    threading.Thread(target=_exit_with_server, args=(server_pid,), daemon=True).start()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # A query that hits the memory cap makes the engine abort this process; the server reports
    # it as a QueryMemoryError, so a fault dump inherited from the parent would only be noise.
    faulthandler.disable()
    if isinstance(source, Checkpoint):
        # Its own instance, never the server's: that one's descriptors were closed just above.
        try:
            source = source.open()
        except OSError:
            os._exit(1)
    _limit_memory(memory_bytes)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        fn, args, kwargs = message
        if fn == APPLY:  # a string: compared by value, it was pickled
            _apply(source, *args)
            continue
        try:
            reply: tuple[bool, Any] = (True, fn(source, *args, **kwargs))
        except KGError as exc:
            reply = (False, exc)
        except MemoryError:
            # The heap may be half-gone: answer, then leave so the pool forks a clean worker.
            with contextlib.suppress(Exception):
                conn.send((False, QueryMemoryError(memory_message(memory_bytes))))
            os._exit(1)
        except Exception as exc:  # a bug: report it to the server, which logs it as a 500
            reply = (False, RuntimeError(f"{type(exc).__name__}: {exc}"))
        try:
            conn.send(reply)
        except (OSError, ValueError):
            os._exit(0)


def _apply(source: ox.Store, text: str, old_version: str, new_version: str, predicates: frozenset[str] | None) -> None:
    # In a worker: apply the server's write to this copy, then keep what it did not change. A copy
    # that could not follow must not answer anything: leave, the pool forks a fresh worker.
    from kg.engine.memo import carry_untouched
    from kg.namespaces import PREFIXES

    try:
        source.update(text, prefixes=PREFIXES)
    except Exception:
        os._exit(1)
    carry_untouched(old_version, new_version, predicates)


def memory_message(memory_bytes: int | None) -> str:
    """Return what a client is told when a query ran into the worker's memory cap (`memory_bytes`)."""
    budget = f"{memory_bytes / 2**20:.0f} MB" if memory_bytes else "the memory available"
    return (
        f"query stopped: it needed more than {budget} of working memory; "
        "narrow it (more selective patterns, fewer ORDER BY/GROUP BY rows)"
    )


def death_message(exitcode: int | None) -> str:
    """Return what a client is told when a worker ended without answering (its `exitcode`)."""
    # exitcode: -N when a signal ended the worker (multiprocessing's convention), None if unknown.
    if exitcode is not None and exitcode < 0:
        try:
            how = f"signal {-exitcode} ({signal.Signals(-exitcode).name})"
        except ValueError:
            how = f"signal {-exitcode}"
    else:
        how = f"exit code {exitcode}" if exitcode is not None else "an unknown cause"
    return (
        f"the query worker ended without answering ({how}); a fresh worker takes its place: "
        "try again, and if the same request fails again, simplify it"
    )
