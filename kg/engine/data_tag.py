"""The data tag of an on-disk store: a value that changes before every write of its data.

What is derived from a store's whole content and slow to build at a million models (the label
index, the review keeper's graph digests) is kept in the folder ``DIR.cache`` beside the store,
under the data tag it was built from; a restart of an unchanged store reads it back in seconds
instead of rebuilding it for minutes.

The tag is a random value in ``DIR.cache/tag``, replaced *before* each write is applied (by the
store's writer: :class:`kg.engine.disk.DiskEngine`; by a staged load: :func:`kg.engine.swap.commit`,
before the swap). A write interrupted after the new tag is written leaves a tag no cache was built
from: the caches are rebuilt, never reused for data they do not describe. A tool that writes the
RocksDB folder without going through ``kg`` (``oxigraph load``) does not change the tag: remove
``DIR.cache`` after such a write.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

__all__ = ["bump_data_tag", "cache_dir", "data_tag"]

_TAG = "tag"


def cache_dir(store: str | Path) -> Path:
    """Return the folder of the caches kept beside the on-disk store `store` (created when missing).

    Parameters
    ----------
    store : str or pathlib.Path
        The store's folder.

    Returns
    -------
    pathlib.Path
        ``{store}.cache``.
    """
    folder = Path(f"{store}.cache")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def data_tag(store: str | Path) -> str:
    """Return the current data tag of the on-disk store `store` (a new one if it has none yet).

    Parameters
    ----------
    store : str or pathlib.Path
        The store's folder.

    Returns
    -------
    str
        32 hexadecimal digits.
    """
    try:
        tag = (cache_dir(store) / _TAG).read_text().strip()
    except FileNotFoundError:
        return bump_data_tag(store)
    return tag or bump_data_tag(store)


def bump_data_tag(store: str | Path) -> str:
    """Give the on-disk store `store` a new data tag; call it before its data changes.

    Parameters
    ----------
    store : str or pathlib.Path
        The store's folder.

    Returns
    -------
    str
        The new tag (32 hexadecimal digits).

    Raises
    ------
    OSError
        If the tag cannot be written (the write must then not go ahead).
    """
    tag = uuid.uuid4().hex
    folder = cache_dir(store)
    temporary = folder / f"{_TAG}.{os.getpid()}.tmp"
    temporary.write_text(tag + "\n")
    os.replace(temporary, folder / _TAG)  # atomic: a reader sees the old tag or the new one
    return tag
