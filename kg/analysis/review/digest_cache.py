"""The graph digests of an on-disk store, kept beside it under its data tag.

Digesting every graph reads the whole store (about 4 minutes at 21.9M triples); a restart of an
unchanged store reads the digests back from ``DIR.cache/review-digests.json`` instead, in
milliseconds. The file names the data tag (:mod:`kg.engine.data_tag`) the digests were taken at:
the tag is replaced before every write, so the digests are used exactly while the data they
describe is unchanged. The file is written whole (a temporary file renamed over it); one that does
not parse, names another tag or another digest format is ignored (the digests are computed again).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

from kg.analysis.review.data_snapshot import DIGEST_PREFIX
from kg.engine.data_tag import cache_dir
from kg.engine.disk import DiskEngine

__all__ = ["load_digests", "save_digests"]

log = logging.getLogger(__name__)

_FILE = "review-digests.json"


def _where(inner: Any) -> tuple[Path, str] | None:
    # Only an on-disk store has a data tag; in memory or remote nothing is kept.
    if not isinstance(inner, DiskEngine):
        return None
    return cache_dir(inner.path) / _FILE, inner.tag


def load_digests(inner: Any) -> dict[str, tuple[int, str]] | None:
    """Return the digests kept for the store's current data, or None when there are none valid.

    Parameters
    ----------
    inner : kg.engine.disk.DiskEngine or pyoxigraph.Store
        The engine; only a :class:`~kg.engine.disk.DiskEngine` has kept digests. Call it while no
        write is under way (under the store's write lock), so its tag describes the data read.

    Returns
    -------
    dict of str to (int, str) or None
        Graph IRI -> ``(triple count, digest)``; None when the engine keeps none, the file is
        missing or unreadable, or it was written for another data tag or digest format.
    """
    where = _where(inner)
    if where is None:
        return None
    path, tag = where
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        if kept["tag"] != tag or kept["prefix"] != DIGEST_PREFIX:
            return None
        out = {}
        for graph, (count, digest) in kept["graphs"].items():
            if not (isinstance(graph, str) and isinstance(count, int) and isinstance(digest, str)):
                raise ValueError(f"bad entry for {graph!r}")
            if not digest.startswith(DIGEST_PREFIX):
                raise ValueError(f"bad digest for {graph!r}")
            out[graph] = (count, digest)
        return out
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError) as exc:  # corrupt: computed again
        log.warning("ignoring the kept graph digests %s (%s: %s); digesting again", path, type(exc).__name__, exc)
        return None


def save_digests(inner: Any, digests: dict[str, tuple[int, str]]) -> bool:
    """Keep the digests of the store's current data beside it, under its data tag.

    Parameters
    ----------
    inner : kg.engine.disk.DiskEngine or pyoxigraph.Store
        The engine; anything but a :class:`~kg.engine.disk.DiskEngine` keeps nothing. Call it
        under the store's write lock, with digests of the data as it is now.
    digests : dict of str to (int, str)
        Graph IRI -> ``(triple count, digest)``.

    Returns
    -------
    bool
        True when the file was written. A failure to write is logged, not raised: the digests are
        then computed again at the next start.
    """
    where = _where(inner)
    if where is None:
        return False
    path, tag = where
    text = json.dumps({"tag": tag, "prefix": DIGEST_PREFIX, "graphs": {g: [n, d] for g, (n, d) in digests.items()}})
    temporary = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)  # atomic: a reader sees the old file or the new one
    except OSError as exc:
        log.warning("could not keep the graph digests in %s: %s", path, exc)
        temporary.unlink(missing_ok=True)
        return False
    return True
