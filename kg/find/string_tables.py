"""Read-only lists of strings kept as one long text and the offsets where each string ends.

Two backings of the same sequence interface: :class:`StringTable` holds a Python ``str`` (what a
build makes), :class:`Utf8Table` holds UTF-8 bytes, typically memory-mapped from a file (what a
saved label index is read back as: :mod:`kg.find.index_files`), and decodes one string per access.
A string table costs one object, not one per string: at 100k models the label index's 534k keys,
266k IRIs and 267k labels took 120 MB as tables against 420 MB as Python strings.
"""

from __future__ import annotations

import mmap
import sys
from collections.abc import Sequence
from typing import overload

import numpy as np

__all__ = ["StringTable", "Utf8Table", "codepoints"]

_BLOCK = 1 << 16  # strings per block while converting to UTF-8 offsets


def codepoints(text: str) -> np.ndarray:
    """Return the code points of `text` (uint32 array; a lone surrogate is kept as itself).

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    numpy.ndarray
        One uint32 per character.
    """
    # UTF-32 code units are the code points; "surrogatepass" keeps a lone surrogate indexable.
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


class _OffsetTable(Sequence[str]):
    # What both backings share: strings found by their offsets; a subclass says how one string is
    # read from its backing (`_string`).
    _bounds: np.ndarray

    def _string(self, a: int, b: int) -> str:
        raise NotImplementedError

    def __len__(self) -> int:
        """Return the number of strings."""
        return len(self._bounds) - 1

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        """Return the `i`-th string (a new ``str``), or a list of them for a slice.

        Raises
        ------
        IndexError
            If `i` is out of range.
        UnicodeDecodeError
            If a UTF-8 backing holds bytes that are not UTF-8 (a damaged file).
        """
        if isinstance(i, slice):
            return [self[n] for n in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("string table index out of range")
        return self._string(int(self._bounds[i]), int(self._bounds[i + 1]))


class StringTable(_OffsetTable):
    """A read-only list of strings kept as one text and the offsets where each one ends.

    Parameters
    ----------
    items : sequence of str
        The strings, in order.

    Examples
    --------
    >>> t = StringTable(["glm", "qwen", ""])
    >>> len(t), t[1], t[-1], t.joined(0, 2)
    (3, 'qwen', '', 'glmqwen')
    """

    def __init__(self, items: Sequence[str]) -> None:
        self._text = "".join(items)
        self._bounds = np.zeros(len(items) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, items), dtype=np.int64, count=len(items)), out=self._bounds[1:])

    def _string(self, a: int, b: int) -> str:
        return self._text[a:b]

    def joined(self, a: int, b: int) -> str:
        """Return strings ``a`` to ``b - 1`` concatenated (no copy of each one)."""
        return self._text[int(self._bounds[a]) : int(self._bounds[b])]

    def lengths(self) -> np.ndarray:
        """Return the length of every string (int64 array)."""
        return np.diff(self._bounds)

    def nbytes(self) -> int:
        """Return the bytes held (the text and the offsets)."""
        return sys.getsizeof(self._text) + self._bounds.nbytes

    def utf8(self) -> tuple[bytes, np.ndarray]:
        """Return the text as UTF-8 and the byte offset where each string ends.

        Returns
        -------
        bytes
            The strings concatenated, UTF-8 (a lone surrogate as its 3-byte form: "surrogatepass").
        numpy.ndarray
            int64, ``len(self) + 1`` offsets into those bytes, the first 0: string ``i`` is bytes
            ``bounds[i]`` to ``bounds[i + 1]``.

        Examples
        --------
        >>> data, bounds = StringTable(["a", "智谱", "b"]).utf8()
        >>> data.decode(), bounds.tolist()
        ('a智谱b', [0, 1, 7, 8])
        """
        data = self._text.encode("utf-8", "surrogatepass")
        if len(data) == len(self._text):  # ASCII: bytes and characters coincide
            return data, self._bounds.copy()
        out = np.zeros(len(self._bounds), dtype=np.int64)
        at = 0
        # In blocks of strings: one int64 per character of a block at the peak, not of the table.
        for a in range(0, len(self), _BLOCK):
            b = min(a + _BLOCK, len(self))
            points = codepoints(self.joined(a, b))
            width = 1 + (points >= 0x80).astype(np.int64) + (points >= 0x800) + (points >= 0x10000)
            ends = np.concatenate(([0], np.cumsum(width)))
            out[a + 1 : b + 1] = at + ends[self._bounds[a + 1 : b + 1] - self._bounds[a]]
            at = int(out[b])
        return data, out


class Utf8Table(_OffsetTable):
    """A read-only list of strings kept as UTF-8 bytes (memory-mapped or not) and byte offsets.

    Parameters
    ----------
    data : bytes or mmap.mmap
        The strings concatenated, UTF-8 ("surrogatepass": :meth:`StringTable.utf8`).
    bounds : numpy.ndarray
        int64, ``len + 1`` byte offsets, the first 0 and the last ``len(data)``.

    Raises
    ------
    ValueError
        If `bounds` does not start at 0 and end at the end of `data`.

    Examples
    --------
    >>> t = Utf8Table(*StringTable(["glm", "智谱", ""]).utf8())
    >>> len(t), t[1], t[-1], list(t)
    (3, '智谱', '', ['glm', '智谱', ''])
    """

    def __init__(self, data: bytes | mmap.mmap, bounds: np.ndarray) -> None:
        if bounds.ndim != 1 or len(bounds) < 1 or int(bounds[0]) != 0 or int(bounds[-1]) != len(data):
            raise ValueError(f"string offsets do not span the {len(data)} bytes of the text")
        self._data = data
        self._bounds = bounds

    def _string(self, a: int, b: int) -> str:
        return self._data[a:b].decode("utf-8", "surrogatepass")

    def nbytes(self) -> int:
        """Return the bytes the table spans (text and offsets; mapped pages are shared, not held)."""
        return len(self._data) + self._bounds.nbytes
