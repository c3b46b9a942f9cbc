"""Swap a fully built copy of an on-disk store in for the store, atomically, and recover from a crash midway.

A staged load (:mod:`kg.engine.staging`) builds the new store in the sibling folder
``DIR.staging``, then commits it here: a marker file in the staging folder (fsynced) says the copy
is complete, and two renames put it in place (``DIR`` -> ``DIR.old``, ``DIR.staging`` -> ``DIR``)
before ``DIR.old`` is removed. :func:`recover` finishes or undoes whatever a killed process left:
a staging folder without the marker is deleted (the load never committed: the store is as
before), one with the marker is swapped in (the load committed: roll forward). Both renames stay
on one file system (siblings), where rename(2) is atomic.

One process at a time stages a load into a store: it holds an exclusive ``flock`` on the sibling
file ``DIR.load.lock`` (:func:`load_lock`) from before its recovery until after the swap; an
opening :class:`~kg.engine.store.KnowledgeStore` takes the same lock for its recovery and the
open, so it never sees the store folder renamed away, and never deletes a live load's staging folder.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.engine.data_tag import bump_data_tag
from kg.errors import LoadError

__all__ = ["COMMIT_MARKER", "commit", "load_lock", "recover", "sibling"]

COMMIT_MARKER = "KG-LOAD-COMMITTED"
"""File written into the staging folder once the staged store is complete and closed."""


def sibling(directory: Path, suffix: str) -> Path:
    """Return the sibling path ``{directory}{suffix}`` (same parent, so the same file system).

    Parameters
    ----------
    directory : pathlib.Path
        The store folder.
    suffix : str
        ``".staging"``, ``".old"`` or ``".load.lock"``.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> sibling(Path("/data/kg"), ".staging")
    PosixPath('/data/kg.staging')
    """
    return directory.with_name(directory.name + suffix)


@contextmanager
def load_lock(directory: Path, optional: bool = False) -> Iterator[bool]:
    """Hold the exclusive lock on staged loads into `directory` (``flock`` on ``DIR.load.lock``).

    Parameters
    ----------
    directory : pathlib.Path
        The store folder (its parent is created when missing).
    optional : bool, optional
        When the lock file cannot be created (a read-only folder), go on without the lock
        (yield False) instead of failing: for a reader, which then leaves recovery alone.

    Yields
    ------
    bool
        True when the lock is held.

    Raises
    ------
    LoadError
        If another process holds the lock: a load into the store is running.
    OSError
        If the lock file cannot be created and `optional` is False.
    """
    path = sibling(directory, ".load.lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        if not optional:
            raise
        yield False
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LoadError(
                str(directory), "another process is loading into this store; try again when its load has finished"
            ) from None
        yield True
    finally:
        os.close(fd)  # releases the lock


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(directory: Path) -> None:
    # Every file of the staged store reaches the disk before the marker says it is complete.
    for root, _dirs, files in os.walk(directory):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(root))


def commit(directory: Path, staging: Path) -> None:
    """Make the complete, closed store in `staging` the store at `directory`.

    Parameters
    ----------
    directory : pathlib.Path
        The store folder (may be missing: a new store).
    staging : pathlib.Path
        The staged store, ``DIR.staging``; no process may have it open.

    Notes
    -----
    Order: fsync the staged files, write and fsync the marker and the staging folder (the commit
    point), rename ``DIR`` -> ``DIR.old``, rename ``DIR.staging`` -> ``DIR``, fsync the parent,
    delete ``DIR.old`` and the marker. A kill at any step is finished by :func:`recover`.
    """
    _fsync_tree(staging)
    marker = staging / COMMIT_MARKER
    with marker.open("wb") as handle:
        handle.write(b"complete\n")
        handle.flush()
        os.fsync(handle.fileno())
    _fsync_dir(staging)
    _roll_forward(directory, staging)


def _roll_forward(directory: Path, staging: Path) -> None:
    bump_data_tag(directory)  # what was cached for the store being replaced no longer applies
    old = sibling(directory, ".old")
    if old.exists() and directory.exists():
        shutil.rmtree(old)  # a leftover of an earlier swap: the store in `directory` is newer
    if directory.exists():
        directory.rename(old)
    staging.rename(directory)
    _fsync_dir(directory.parent)
    (directory / COMMIT_MARKER).unlink(missing_ok=True)
    if old.exists():
        shutil.rmtree(old)


def recover(directory: Path) -> str | None:
    """Finish or undo a staged load of `directory` that a killed process left midway.

    The caller holds :func:`load_lock` (so no live load's folders are touched).

    Parameters
    ----------
    directory : pathlib.Path
        The store folder.

    Returns
    -------
    str or None
        What was done: ``"rolled back"`` (an uncommitted staging folder deleted, the store is as
        before the load), ``"rolled forward"`` (a committed load swapped in), ``"cleaned"`` (a
        leftover ``DIR.old`` deleted), or None when there was nothing to do.
    """
    staging = sibling(directory, ".staging")
    old = sibling(directory, ".old")
    done = None
    if staging.exists():
        replaceable = not directory.exists() or (directory / "CURRENT").is_file() or not any(directory.iterdir())
        if (staging / COMMIT_MARKER).is_file() and replaceable:  # (never a folder that is not a store)
            _roll_forward(directory, staging)
            return "rolled forward"
        shutil.rmtree(staging)
        done = "rolled back"
    if not directory.exists() and old.exists():
        old.rename(directory)  # (not left by commit(), which renames only after the marker)
        _fsync_dir(directory.parent)
        done = "rolled back"
    elif old.exists():
        shutil.rmtree(old)
        done = done or "cleaned"
    (directory / COMMIT_MARKER).unlink(missing_ok=True)
    return done
