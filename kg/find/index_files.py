"""The label index kept in files beside an on-disk store, under the data tag it was built from.

A saved index is the folder ``DIR.cache/labels-{tag}/`` (:func:`kg.engine.data_tag.cache_dir`):

- ``{name}.npy``: each numpy array of the index (:data:`kg.find.label_index.PART_ARRAYS`), in
  numpy's own format, read back memory-mapped with ``allow_pickle=False``;
- ``{table}.utf8`` and ``{table}.bounds.npy``: each string table (keys, IRIs, labels) as UTF-8
  bytes and the byte offset where each string ends, memory-mapped too;
- ``meta.json``: the format, the tag, the kind names, the gram index's two numbers, and the dtype
  and shape of every array (checked when read back).

Nothing in the folder is code (no pickle): a file there cannot run anything when read. Reading an
index back maps its files (milliseconds, whatever its size); the server and every query worker
that map the same files share their pages through the page cache instead of holding a copy each.
A folder is written under a temporary name and renamed when complete (atomic), and kept only if
the tag is still the store's when it is complete: an index of data a write has changed since is
never filed under the new data's tag. A folder that cannot be read back (damaged, written by
another version of this format) is reported as a warning and treated as missing.
"""

from __future__ import annotations

import json
import logging
import mmap
import os
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from kg.find.label_index import PART_ARRAYS, LabelIndex
from kg.find.string_tables import Utf8Table

__all__ = ["FORMAT", "index_folder", "load_index", "refile_index", "remove_other_tags", "save_index", "saved_about"]

log = logging.getLogger(__name__)

FORMAT = 1
"""Version of the folder's layout; a folder of another one is built again."""

_PREFIX = "labels-"
_TABLES = ("keys", "iris", "labels")


def index_folder(cache: Path, tag: str) -> Path:
    """Return the folder of the label index saved under `tag` in the cache folder `cache`.

    Parameters
    ----------
    cache : pathlib.Path
        The store's cache folder (``DIR.cache``).
    tag : str
        A data tag (:func:`kg.engine.data_tag.data_tag`).

    Returns
    -------
    pathlib.Path
        ``{cache}/labels-{tag}``.
    """
    return cache / f"{_PREFIX}{tag}"


def _write(path: Path, write: Callable[[Any], None]) -> None:
    with path.open("wb") as f:
        write(f)
        f.flush()
        os.fsync(f.fileno())  # on disk before the folder is renamed into place


def save_index(
    index: LabelIndex,
    cache: Path,
    tag: str,
    current_tag: Callable[[], str],
    about: Mapping[str, Any] | None = None,
    also_keep: str | None = None,
) -> Path | None:
    """Write `index` to files under `tag`, if the data still has that tag once they are written.

    The indexes saved under other tags are removed then, but `also_keep`'s.

    Parameters
    ----------
    index : LabelIndex
        A built index (:meth:`LabelIndex.parts`).
    cache : pathlib.Path
        The store's cache folder (``DIR.cache``), existing.
    tag : str
        The data tag read before the index was built.
    current_tag : callable
        Returns the store's data tag now.
    about : mapping, optional
        JSON-ready facts about the data the index was built from, kept in ``meta.json`` under
        ``about`` (:func:`saved_about`).
    also_keep : str, optional
        A tag whose index stays too (the one a server answers from until it takes this one).

    Returns
    -------
    pathlib.Path or None
        The index's folder; None when the tag changed meanwhile (a write: the index describes
        data that is gone, and nothing was kept).

    Raises
    ------
    OSError
        If the files cannot be written (nothing is left behind but the temporary folder's removal).
    """
    arrays, tables, meta = index.parts()
    temporary = cache / f".{_PREFIX}{tag}.{os.getpid()}.tmp"
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir()
    try:
        specs: dict[str, dict[str, Any]] = {}
        for name, array in arrays.items():
            _write(temporary / f"{name}.npy", lambda f, a=array: np.save(f, a, allow_pickle=False))
            specs[name] = {"dtype": array.dtype.str, "shape": list(array.shape)}
        for name, table in tables.items():
            data, bounds = table.utf8()
            _write(temporary / f"{name}.utf8", lambda f, d=data: f.write(d))
            del data
            _write(temporary / f"{name}.bounds.npy", lambda f, b=bounds: np.save(f, b, allow_pickle=False))
            specs[f"{name}.bounds"] = {"dtype": bounds.dtype.str, "shape": list(bounds.shape)}
        meta = {"format": FORMAT, "tag": tag, **meta, "arrays": specs, "about": dict(about or {})}
        _write(temporary / "meta.json", lambda f: f.write(json.dumps(meta).encode()))
        if current_tag() != tag:
            log.info("the label index built for data tag %s is not kept: the data changed meanwhile", tag)
            return None
        final = index_folder(cache, tag)
        if final.exists():  # another build of the same data, or a damaged folder: replaced
            shutil.rmtree(final, ignore_errors=True)
        os.replace(temporary, final)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    remove_other_tags(cache, tag, also_keep)
    return final


def _array(path: Path, spec: dict[str, Any]) -> np.ndarray:
    array = np.load(path, mmap_mode="r", allow_pickle=False)
    if array.dtype.str != spec["dtype"] or list(array.shape) != spec["shape"]:
        raise ValueError(f"{path.name} holds {array.dtype.str}{list(array.shape)}, not {spec['dtype']}{spec['shape']}")
    return array.view(np.ndarray)  # a plain array over the same mapping: no memmap overhead per access


def _bytes(path: Path) -> bytes | mmap.mmap:
    with path.open("rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return b""  # an empty file cannot be mapped
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)  # stays mapped once the file is closed


def load_index(cache: Path, tag: str) -> LabelIndex | None:
    """Read back the label index saved under `tag`, memory-mapped; None when there is none usable.

    Parameters
    ----------
    cache : pathlib.Path
        The store's cache folder (``DIR.cache``).
    tag : str
        The data tag the index must have been built from.

    Returns
    -------
    LabelIndex or None
        The index (its arrays and string tables map the files, read-only); None when no folder
        is saved under `tag`, or when it cannot be read back (logged as a warning: damaged,
        truncated, of another format); the caller then builds the index again.
    """
    folder = index_folder(cache, tag)
    if not folder.is_dir():
        return None
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or meta.get("format") != FORMAT or meta.get("tag") != tag:
            raise ValueError(f"meta.json is not of format {FORMAT} for tag {tag}")
        specs = meta["arrays"]
        arrays = {name: _array(folder / f"{name}.npy", specs[name]) for name in PART_ARRAYS}
        tables = {
            name: Utf8Table(
                _bytes(folder / f"{name}.utf8"), _array(folder / f"{name}.bounds.npy", specs[f"{name}.bounds"])
            )
            for name in _TABLES
        }
        return LabelIndex.from_parts(arrays, tables, meta)
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        log.warning("the label index saved in %s cannot be read (%s): it is built again", folder, exc)
        return None


def saved_about(cache: Path, tag: str) -> dict[str, Any] | None:
    """Return what :func:`save_index` was told about the data of the index saved under `tag`.

    Parameters
    ----------
    cache : pathlib.Path
        The store's cache folder.
    tag : str
        A data tag.

    Returns
    -------
    dict or None
        The ``about`` mapping; None when no readable index folder is saved under `tag`.
    """
    try:
        meta = json.loads((index_folder(cache, tag) / "meta.json").read_text(encoding="utf-8"))
        about = meta["about"] if isinstance(meta, dict) and meta.get("tag") == tag else None
    except (OSError, ValueError, KeyError):
        return None
    return about if isinstance(about, dict) else None


def refile_index(cache: Path, old_tag: str, new_tag: str) -> bool:
    """File the index saved under `old_tag` under `new_tag` too (hard links: no copy), for a write that left its labels alone.

    Parameters
    ----------
    cache : pathlib.Path
        The store's cache folder.
    old_tag, new_tag : str
        The data tags before and after a write that changed none of the predicates the index reads
        (:data:`kg.find.search.LABEL_PREDICATES`): the index describes the new data as well.

    Returns
    -------
    bool
        True when the index is now filed under `new_tag`; False when none was saved under
        `old_tag` (or the links could not be made: the index is then built again at the next start).
    """
    source = index_folder(cache, old_tag)
    if not source.is_dir():
        return False
    temporary = cache / f".{_PREFIX}{new_tag}.{os.getpid()}.tmp"
    try:
        shutil.rmtree(temporary, ignore_errors=True)
        temporary.mkdir()
        for item in source.iterdir():
            if item.name != "meta.json":
                os.link(item, temporary / item.name)
        meta = json.loads((source / "meta.json").read_text(encoding="utf-8"))
        meta["tag"] = new_tag
        _write(temporary / "meta.json", lambda f: f.write(json.dumps(meta).encode()))
        os.replace(temporary, index_folder(cache, new_tag))
    except (OSError, ValueError) as exc:
        log.warning("the label index of data tag %s could not be filed under %s (%s)", old_tag, new_tag, exc)
        return False
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    remove_other_tags(cache, new_tag)
    return True


def remove_other_tags(cache: Path, keep: str, also_keep: str | None = None) -> None:
    """Remove the saved label indexes of every tag but `keep` (and temporary folders left by a killed build).

    Processes that mapped a removed index go on reading it: its pages stay until they unmap them.

    Parameters
    ----------
    cache : pathlib.Path
        The store's cache folder.
    keep : str
        The tag whose index stays.
    also_keep : str, optional
        Another tag whose index stays.
    """
    kept = {f"{_PREFIX}{tag}" for tag in (keep, also_keep) if tag}
    for item in cache.iterdir():
        stale = item.name.startswith(_PREFIX) and item.name not in kept
        leftover = item.name.startswith(f".{_PREFIX}") and not _ours(item)
        if (stale or leftover) and item.is_dir():
            shutil.rmtree(item, ignore_errors=True)


def _ours(temporary: Path) -> bool:
    # A temporary folder of a build still running (its process is alive) is left alone.
    try:
        pid = int(temporary.name.rsplit(".", 2)[-2])
    except (ValueError, IndexError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
