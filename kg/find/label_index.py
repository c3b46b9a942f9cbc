"""The name index behind search and name resolution.

Every searchable label of every entity, folded for matching, with exact, prefix and substring ("contains") lookups that stay fast at
hundreds of thousands of labels.

Layout (all built once per dataset version, then read-only, so forked query workers share it
copy-on-write; no handle such as an SQLite connection that must not cross a fork; for an on-disk
store the parts are kept in files and memory-mapped instead: :mod:`kg.find.index_files`). Strings are
kept as a few long texts with their offsets (:class:`StringTable`), not as one Python object each:
at 100k models the index held 534k keys, 266k IRIs and 267k labels, 420 MB of the server's heap
once the build's temporaries were interleaved with them; the tables keep it near 120 MB.

- ``keys``: the distinct match keys (each label folded by :func:`normalize`, and that fold with
  spaces and punctuation dropped by :func:`compact`), sorted, for exact and prefix lookups by
  bisection.
- entries (numpy arrays, grouped by key): which entity and which label each key comes from,
  whether the key is the label's strict fold, and a precomputed ordinal of the entry in the
  within-class ranking order, so the top hits of a query are a partial sort of integers.
- a positional gram index for substrings: for every character position of every key, the
  3-character window starting there (padded past the key's end) -> posting of
  ``key << offset_bits | offset``. A needle of 3 or more characters is found by intersecting the
  postings of the windows that cover it, shifted by their offset in the needle (exact, no
  verification pass); a 1- or 2-character needle is a contiguous range of window codes, because
  codes are ordered by their first character.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from kg.find.string_tables import StringTable
from kg.find.string_tables import codepoints as _codepoints

__all__ = ["MATCH_CLASSES", "PART_ARRAYS", "LabelIndex", "StringTable", "compact", "normalize"]

MATCH_CLASSES = ("exact", "prefix", "contains")
"""Match classes, best first."""

PART_ARRAYS = (
    "name_label",
    "iri_kind",
    "seen_order",
    "key_start",
    "e_iri",
    "e_label",
    "e_rank",
    "e_strict",
    "key_len",
    "ordinal",
    "alphabet",
    "postings",
    "gram_codes",
    "gram_start",
)
"""The numpy arrays a label index is made of (:meth:`LabelIndex.parts`), by name."""

_MAX_CHAR = "\U0010ffff"
_BLOCK = 1 << 16  # keys per block while building the gram index
_PACK_BITS = 63  # (window code, posting) pairs sort as one int64 when they fit in this many bits
_ASCII_PUNCTUATION = bytes(c for c in range(128) if not chr(c).isalnum())


def normalize(text: str) -> str:
    """Fold case, accents and width so names match however they are typed.

    Parameters
    ----------
    text : str
        A name in any script.

    Returns
    -------
    str
        NFKD-decomposed (Unicode UAX #15), combining marks removed, case-folded, whitespace
        collapsed.

    Examples
    --------
    >>> normalize("  Zürich  AI ")
    'zurich ai'
    >>> normalize("智谱")
    '智谱'
    >>> normalize("ＧＬＭ")
    'glm'
    """
    if text.isascii():  # NFKD leaves ASCII alone and casefold is lower: the common case, fast
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def compact(norm: str) -> str:
    """Drop spaces and punctuation from a folded name: letters and digits of any script stay.

    "GLM 4.5", "GLM-4.5" and "glm4.5" are the same name to a person.

    Parameters
    ----------
    norm : str
        A name folded by :func:`normalize`.

    Returns
    -------
    str
        Its alphanumeric characters, in order.

    Examples
    --------
    >>> compact("glm-4.5 air")
    'glm45air'
    """
    if norm.isascii():
        return norm.encode("ascii").translate(None, _ASCII_PUNCTUATION).decode("ascii")
    return "".join(c for c in norm if c.isalnum())


class _ByIri(Mapping[str, str]):
    # IRI -> a value of the entity (its name, its kind), through the index's sorted IRI table.
    def __init__(self, iris: StringTable, value_of: Callable[[int], str]) -> None:
        self._iris = iris
        self._value_of = value_of

    def _id(self, iri: object) -> int | None:
        if not isinstance(iri, str):
            return None
        n = bisect.bisect_left(self._iris, iri)
        return n if n < len(self._iris) and self._iris[n] == iri else None

    def __getitem__(self, iri: str) -> str:
        n = self._id(iri)
        if n is None:
            raise KeyError(iri)
        return self._value_of(n)

    def __contains__(self, iri: object) -> bool:
        return self._id(iri) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._iris)

    def __len__(self) -> int:
        return len(self._iris)


class LabelIndex:
    """Every searchable name, folded, with exact, prefix and substring lookups.

    Parameters
    ----------
    records : iterable of (str, str, int)
        ``(iri, label, rank)`` in a stable order; `rank` is the label property's rank (0 = the
        best naming property). The first label of the best rank is an entity's name.
    kinds : mapping of str to str
        Entity kind of every IRI of `records` (``model``, ``organization``…); IRIs missing here
        are of kind ``other``.
    interrupt : callable, optional
        Called between the build's stages (a minute apart at a million models); whatever it
        raises stops the build (a build whose data changed meanwhile: :mod:`kg.find.disk_index`).

    Attributes
    ----------
    names : mapping of str to str
        IRI -> its name.
    kinds : mapping of str to str
        IRI -> its kind.
    keys : sequence of str
        The distinct match keys, sorted (a :class:`StringTable`; read back from files, a
        :class:`~kg.find.string_tables.Utf8Table`).
    """

    def __init__(
        self,
        records: Iterable[tuple[str, str, int]],
        kinds: Mapping[str, str],
        interrupt: Callable[[], None] | None = None,
    ) -> None:
        check = interrupt or (lambda: None)
        key_len = self._build_entries(records, kinds)
        self.names: Mapping[str, str] = _ByIri(self._iris, self._name_of)
        self.kinds: Mapping[str, str] = _ByIri(self._iris, self._kind_of)
        check()
        self._build_ordinals(key_len)
        check()
        self._build_grams(key_len)

    def _build_entries(self, records: Iterable[tuple[str, str, int]], kinds: Mapping[str, str]) -> np.ndarray:
        """Names, kinds, the sorted keys and the entries behind each; returns the key lengths."""
        name_rank: dict[str, int] = {}
        name_label: dict[str, str] = {}
        first_rank: dict[tuple[str, str], int] = {}  # (iri, label) -> rank of its first record
        for iri, label, rank in records:
            if rank < name_rank.get(iri, 1 << 30):
                name_rank[iri] = rank
                name_label[iri] = label
            first_rank.setdefault((iri, label), rank)
        del name_rank
        # IRIs sorted: an IRI's id is its place, found by bisection (names, kinds).
        iri_list = sorted(name_label)
        iri_ids = {iri: n for n, iri in enumerate(iri_list)}
        labels: list[str] = []  # one per (iri, label) pair
        name_of = np.zeros(len(iri_list), dtype=np.uint32)  # iri id -> label id of its name
        seen_keys: dict[str, int] = {}  # key -> number in first-seen order
        e_key: list[int] = []
        e_iri: list[int] = []
        e_label: list[int] = []
        e_rank: list[int] = []
        e_strict: list[bool] = []
        for (iri, label), rank in first_rank.items():
            i = iri_ids[iri]
            lab = len(labels)
            labels.append(label)
            norm = normalize(label)
            loose = compact(norm)
            for key, strict in ((norm, True), (loose, False)):
                if key and (strict or key != norm):
                    e_key.append(seen_keys.setdefault(key, len(seen_keys)))
                    e_iri.append(i)
                    e_label.append(lab)
                    e_rank.append(rank)
                    e_strict.append(strict)
        label_ids = {pair: n for n, pair in enumerate(first_rank)}
        for iri, label in name_label.items():
            name_of[iri_ids[iri]] = label_ids[(iri, label)]
        del first_rank, label_ids, name_label
        self._iris = StringTable(iri_list)
        self._labels = StringTable(labels)
        self._name_label = name_of
        self._kind_names = sorted(set(kinds.get(iri, "other") for iri in iri_list) | {"other"})
        kind_code = {k: n for n, k in enumerate(self._kind_names)}
        self._iri_kind = np.fromiter((kind_code[kinds.get(i, "other")] for i in iri_list), dtype=np.uint8)
        del iri_list, iri_ids, labels
        first_seen = list(seen_keys)
        del seen_keys
        by_text = sorted(range(len(first_seen)), key=first_seen.__getitem__)
        self.keys = StringTable([first_seen[n] for n in by_text])
        del first_seen
        self._seen_order = np.empty(len(by_text), dtype=np.uint32)  # first-seen number -> key id
        self._seen_order[by_text] = np.arange(len(by_text), dtype=np.uint32)
        del by_text
        keys_of = self._seen_order[np.asarray(e_key, dtype=np.int64)]
        del e_key
        # Entries grouped by key; within a key, in insertion order (a stable sort).
        order = np.argsort(keys_of, kind="stable")
        self._key_start = np.searchsorted(keys_of[order], np.arange(len(self.keys) + 1)).astype(np.int64)
        self._e_iri = np.asarray(e_iri, dtype=np.uint32)[order]
        self._e_label = np.asarray(e_label, dtype=np.uint32)[order]
        self._e_rank = np.asarray(e_rank, dtype=np.int16)[order]
        self._e_strict = np.asarray(e_strict, dtype=bool)[order]
        del e_iri, e_label, e_rank, e_strict
        key_len = self.keys.lengths()
        self._key_len = key_len.astype(np.uint32)
        return key_len

    def _name_of(self, iri_id: int) -> str:
        return self._labels[int(self._name_label[iri_id])]

    def _kind_of(self, iri_id: int) -> str:
        return self._kind_names[int(self._iri_kind[iri_id])]

    def _build_ordinals(self, key_len: np.ndarray) -> None:
        e_len = np.repeat(key_len, np.diff(self._key_start))
        # The within-class order: name property first, then shorter key, then the entity's name
        # (case-folded), its IRI, and the matched label; one integer per entry.
        iri_order = sorted(range(len(self._iris)), key=lambda n: (self._name_of(n).casefold(), self._iris[n]))
        iri_rank = np.empty(len(self._iris), dtype=np.int64)
        iri_rank[iri_order] = np.arange(len(self._iris))
        label_order = sorted(range(len(self._labels)), key=self._labels.__getitem__)  # type: ignore[arg-type]
        label_rank = np.empty(len(self._labels), dtype=np.int64)
        label_rank[label_order] = np.arange(len(self._labels))
        within = np.lexsort((label_rank[self._e_label], iri_rank[self._e_iri], e_len, self._e_rank))
        self._ordinal = np.empty(len(within), dtype=np.uint32 if len(within) < 2**32 else np.int64)
        self._ordinal[within] = np.arange(len(within))

    # -- the substring index ---------------------------------------------------------------------

    def _build_grams(self, key_len: np.ndarray) -> None:
        # Built in blocks of keys so that the temporaries stay small next to the result (at 100k
        # models: 15M characters, one int64 per character at the peak).
        blocks = [(a, min(a + _BLOCK, len(self.keys))) for a in range(0, len(self.keys), _BLOCK)]
        seen = np.zeros(0x110000, dtype=bool)
        for a, b in blocks:
            seen[_codepoints(self.keys.joined(a, b))] = True
        self._alphabet = np.flatnonzero(seen).astype(np.uint32)
        del seen
        self._char_id = {chr(int(c)): n for n, c in enumerate(self._alphabet.tolist())}
        self._base = base = len(self._alphabet) + 1  # the last id pads windows past a key's end
        table = np.zeros(0x110000, dtype=np.int64)
        table[self._alphabet] = np.arange(len(self._alphabet))
        self._offset_bits = offset_bits = max(1, int(key_len.max(initial=1) - 1).bit_length())
        key_bits = max(1, (len(self.keys) - 1).bit_length())
        shift = offset_bits + key_bits
        packable = int(base**3 - 1).bit_length() + shift <= _PACK_BITS
        size = int(key_len.sum())
        packed = np.empty(size if packable else 0, dtype=np.int64)
        parts: list[tuple[np.ndarray, np.ndarray]] = []
        at = 0
        for a, b in blocks:
            lengths = key_len[a:b]
            ids = table[_codepoints(self.keys.joined(a, b))]
            ends = np.cumsum(lengths)
            starts = ends - lengths
            pad = base - 1
            second = np.full(len(ids), pad, dtype=np.int64)
            second[:-1] = ids[1:]
            second[ends - 1] = pad
            third = np.full(len(ids), pad, dtype=np.int64)
            third[:-2] = ids[2:]
            third[ends - 1] = pad
            third[(ends - 2)[lengths > 1]] = pad
            codes = (ids * base + second) * base + third
            del ids, second, third
            offset = np.arange(len(codes), dtype=np.int64) - np.repeat(starts, lengths)
            values = (np.repeat(np.arange(a, b, dtype=np.int64), lengths) << offset_bits) | offset
            if packable:
                packed[at : at + len(codes)] = (codes << shift) | values
            else:
                parts.append((codes, values))
            at += len(codes)
        del table
        post_type = np.uint32 if shift <= 32 else np.uint64
        if packable:
            # One in-place sort of (code, posting) packed in an integer: cheaper than an argsort.
            packed.sort()
            firsts, gram_codes = [], []
            previous = -1
            for a in range(0, size, _BLOCK * 16):
                codes = packed[a : a + _BLOCK * 16] >> shift
                first = np.flatnonzero(np.diff(codes, prepend=previous) != 0)
                firsts.append(first + a)
                gram_codes.append(codes[first])
                previous = int(codes[-1])
            packed &= (1 << shift) - 1
            self._postings = packed.astype(post_type)
            del packed
            first = np.concatenate(firsts) if firsts else np.zeros(0, dtype=np.int64)
            self._gram_codes = np.concatenate(gram_codes).astype(np.uint64) if gram_codes else first.astype(np.uint64)
        else:  # an alphabet of thousands of characters: codes need the whole 64 bits
            codes = np.concatenate([c for c, _ in parts]) if parts else np.zeros(0, dtype=np.int64)
            values = np.concatenate([v for _, v in parts]) if parts else np.zeros(0, dtype=np.int64)
            del parts
            order = np.lexsort((values, codes))
            codes = codes[order]
            self._postings = values[order].astype(post_type)
            del order, values
            first = np.flatnonzero(np.diff(codes, prepend=-1) != 0)
            self._gram_codes = codes[first].astype(np.uint64)
        self._gram_start = np.r_[first, size].astype(np.int64)

    def _code_range(self, lo: int, hi: int) -> tuple[int, int]:
        """Return the posting positions of the window codes in [lo, hi)."""
        a, b = np.searchsorted(self._gram_codes, np.array([lo, hi], dtype=np.uint64))
        return int(self._gram_start[a]), int(self._gram_start[b])

    def _containing(self, needle: str) -> np.ndarray:
        """Sorted ids of the keys that contain `needle` (at any offset)."""
        ids = [self._char_id.get(c) for c in needle]
        if None in ids:
            return np.zeros(0, dtype=np.int64)
        base = self._base
        if len(ids) <= 2:
            lo = ids[0] * base * base + (ids[1] * base if len(ids) == 2 else 0)
            width = base if len(ids) == 2 else base * base
            a, b = self._code_range(lo, lo + width)
            keys = self._postings[a:b] >> self._offset_bits
            return _distinct(keys.astype(np.int64), len(self.keys))
        # Windows at offsets 0, 3, 6… and the last one cover every character of the needle.
        starts = sorted({*range(0, len(ids) - 2, 3), len(ids) - 3})
        spans = []
        for s in starts:
            code = (ids[s] * base + ids[s + 1]) * base + ids[s + 2]
            a, b = self._code_range(code, code + 1)
            if a == b:
                return np.zeros(0, dtype=np.int64)
            spans.append((b - a, s, a, b))
        spans.sort()
        _size, s, a, b = spans[0]
        # In the postings' own unsigned type throughout: searchsorted then compares without copies.
        seed = self._postings[a:b]
        start = seed & ((1 << self._offset_bits) - 1)
        # Only windows where the whole needle fits in the key: the other windows' positions then
        # stay inside the same key (no borrow into a neighbouring key's bits).
        fits = (start >= s) & (start + (len(ids) - s) <= self._key_len[seed >> self._offset_bits])
        candidates = seed[fits] - seed.dtype.type(s)
        for _size, t, a, b in spans[1:]:
            posting = self._postings[a:b]
            wanted = candidates + candidates.dtype.type(t)
            at = np.searchsorted(posting, wanted)
            at[at == len(posting)] = 0
            candidates = candidates[posting[at] == wanted]
            if not len(candidates):
                break
        keys = candidates >> self._offset_bits
        if len(keys) > 1:  # postings are sorted, so repeats of a key are adjacent
            keys = keys[np.r_[True, keys[1:] != keys[:-1]]]
        return keys

    # -- queries ---------------------------------------------------------------------------------

    def _prefix_range(self, needle: str) -> tuple[int, int]:
        lo = bisect.bisect_left(self.keys, needle)
        hi = bisect.bisect_left(self.keys, needle + _MAX_CHAR, lo)
        while hi < len(self.keys) and self.keys[hi].startswith(needle):
            hi += 1
        return lo, hi

    def _entries_of(self, keys: np.ndarray) -> np.ndarray:
        starts = self._key_start[keys]
        counts = self._key_start[keys + 1] - starts
        if len(counts) and counts.max() == 1:  # the usual case: one label behind each key
            return starts
        total = int(counts.sum())
        return np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(total)

    def search(self, q: str, kind: str | None = None, limit: int = 20) -> dict[str, Any]:
        """Find the entities whose labels match `q`, best first.

        Parameters
        ----------
        q : str
            The text, folded here with :func:`normalize`; must fold to at least one character.
        kind : str, optional
            Keep only entities of this kind (``concept`` also keeps ``architecture``).
        limit : int, optional
            Maximum number of results (>= 1).

        Returns
        -------
        dict
            ``total`` (int: distinct matching entities) and ``results``: up to `limit` dicts
            ``{"iri", "slug", "kind", "name", "matched", "match", "loose"}`` ranked exact >
            prefix > contains, strict before loose, then name properties before alternate
            ones, shorter matched key, name (case-folded), IRI. A hit is ``loose`` when it
            matched only with spaces and punctuation dropped.
        """
        needle = normalize(q)
        needles = [n for n in dict.fromkeys((needle, compact(needle))) if n]
        wanted = None
        if kind is not None:
            accepted = (kind, "architecture") if kind == "concept" else (kind,)
            wanted = [self._kind_names.index(k) for k in accepted if k in self._kind_names]
        # (entries, match class, whether the needle is the loose one), exact and prefix first
        head: list[tuple[np.ndarray, int, bool]] = []
        tail: list[tuple[np.ndarray, int, bool]] = []

        def offer(entries: np.ndarray, match: int, loose_needle: bool) -> None:
            if len(entries) and wanted is not None:
                entries = entries[np.isin(self._iri_kind[self._e_iri[entries]], wanted)]
            if len(entries):
                (tail if match == 2 else head).append((entries, match, loose_needle))

        for n in needles:
            lo, hi = self._prefix_range(n)
            exact = lo < hi and self.keys[lo] == n
            loose_n = n != needle
            if exact:
                offer(np.arange(self._key_start[lo], self._key_start[lo + 1]), 0, loose_n)
            first = lo + 1 if exact else lo
            offer(np.arange(self._key_start[first], self._key_start[hi]), 1, loose_n)
            inside = self._containing(n)
            inside = inside[(inside < lo) | (inside >= hi)]
            offer(self._entries_of(inside), 2, loose_n)
        every = head + tail
        if not every:
            return {"total": 0, "results": []}
        head_iris = np.concatenate([self._e_iri[e] for e, _m, _l in head]) if head else np.zeros(0, np.uint32)
        tail_iris = np.concatenate([self._e_iri[e] for e, _m, _l in tail]) if tail else np.zeros(0, np.uint32)
        in_head, total = _count_distinct(head_iris, tail_iris, len(self._iris))
        # Every contains hit ranks after every exact or prefix one: when those already fill the
        # page, the (often far larger) contains set only counts towards the total.
        if in_head >= limit:
            every = head
        size = len(self._ordinal)
        entries = np.concatenate([e for e, _m, _l in every])
        score = np.concatenate(
            [
                (2 * m + (np.ones(len(e), dtype=bool) if loose else ~self._e_strict[e])) * size + self._ordinal[e]
                for e, m, loose in every
            ]
        )
        top = self._top(score, self._e_iri[entries], entries, limit)
        return {"total": total, "results": [self._hit(e, s) for e, s in top]}

    def _top(self, score: np.ndarray, iris: np.ndarray, entries: np.ndarray, limit: int) -> list[tuple[int, int]]:
        """Return the best (entry, score) of each of the `limit` best entities."""
        k = limit * 4
        while True:
            if k >= len(score):
                chosen = np.argsort(score)
            else:
                part = np.argpartition(score, k)[:k]
                chosen = part[np.argsort(score[part])]
            # Scores are distinct, so the first entry of an entity in score order is its best.
            best: list[int] = []
            seen: set[int] = set()
            for at, iri in zip(chosen.tolist(), iris[chosen].tolist(), strict=True):
                if iri not in seen:
                    seen.add(iri)
                    best.append(at)
                    if len(best) == limit:
                        break
            if len(best) == limit or k >= len(score):
                return list(zip(entries[best].tolist(), score[best].tolist(), strict=True))
            k *= 4

    def _hit(self, entry: int, score: int) -> dict[str, Any]:
        iri_id = int(self._e_iri[entry])
        iri = self._iris[iri_id]
        bucket = score // len(self._ordinal)
        label = self._labels[int(self._e_label[entry])]
        return {
            "iri": iri,
            "slug": iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1],
            "kind": self._kind_of(iri_id),
            "name": self._name_of(iri_id),
            "matched": label,
            "match": MATCH_CLASSES[bucket // 2],
            "loose": bool(bucket % 2),
        }

    def items(self, kinds: Collection[str] | None = None) -> Iterator[tuple[str, list[tuple[str, str, int]]]]:
        """Yield ``(key, [(iri, label, rank), ...])`` in the order labels were first seen.

        Parameters
        ----------
        kinds : collection of str, optional
            Keep only the entries of entities of these kinds (keys left without entries are
            skipped).

        Returns
        -------
        iterator of (str, list of (str, str, int))
            Keys in the order of their first label in `records`, entries in record order.
        """
        order = self._seen_order
        keep = None
        if kinds is not None:
            codes = [n for n, k in enumerate(self._kind_names) if k in kinds]
            keep = np.isin(self._iri_kind[self._e_iri], codes)
            has = np.zeros(len(self.keys), dtype=bool)
            has[np.repeat(np.arange(len(self.keys)), np.diff(self._key_start))[keep]] = True
            order = order[has[order]]
        kept = keep.tolist() if keep is not None else None
        bounds = self._key_start.tolist()
        iris, labels, ranks = self._e_iri.tolist(), self._e_label.tolist(), self._e_rank.tolist()
        for key_id in order.tolist():
            a, b = bounds[key_id], bounds[key_id + 1]
            yield (
                self.keys[key_id],
                [
                    (self._iris[iris[e]], self._labels[labels[e]], ranks[e])
                    for e in range(a, b)
                    if kept is None or kept[e]
                ],
            )

    def nbytes(self) -> int:
        """Return the bytes held by the index's numpy arrays (the Python strings and dicts excluded).

        Returns
        -------
        int
            Bytes.
        """
        return sum(v.nbytes for v in vars(self).values() if isinstance(v, np.ndarray))

    def text_bytes(self) -> int:
        """Return the bytes held by the index's string tables (keys, IRIs, labels).

        Returns
        -------
        int
            Bytes.
        """
        return sum(table.nbytes() for table in (self.keys, self._iris, self._labels))  # type: ignore[attr-defined]

    # -- the index as plain parts (kept in files: kg/find/index_files.py) ----------------------

    def parts(self) -> tuple[dict[str, np.ndarray], dict[str, StringTable], dict[str, Any]]:
        """Return what the index is made of: numpy arrays, string tables and a few small values.

        Returns
        -------
        arrays : dict of str to numpy.ndarray
            Every array, by name (:data:`PART_ARRAYS`).
        tables : dict of str to StringTable
            ``keys``, ``iris`` and ``labels``.
        meta : dict
            ``kind_names`` (list of str), ``base`` and ``offset_bits`` (int): JSON-ready.

        Raises
        ------
        TypeError
            If the index was itself read back from parts (its tables are no :class:`StringTable`).
        """
        tables = {"keys": self.keys, "iris": self._iris, "labels": self._labels}
        if not all(isinstance(t, StringTable) for t in tables.values()):
            raise TypeError("only a built label index can be taken apart")
        arrays = {name: getattr(self, "_" + name) for name in PART_ARRAYS}
        meta = {"kind_names": list(self._kind_names), "base": int(self._base), "offset_bits": int(self._offset_bits)}
        return arrays, tables, meta  # type: ignore[return-value]

    @classmethod
    def from_parts(
        cls, arrays: Mapping[str, np.ndarray], tables: Mapping[str, Sequence[str]], meta: Mapping[str, Any]
    ) -> LabelIndex:
        """Put an index together again from what :meth:`parts` returned (the arrays may be memory-mapped).

        Parameters
        ----------
        arrays : mapping of str to numpy.ndarray
            Every array of :data:`PART_ARRAYS`, read-only is enough.
        tables : mapping of str to sequence of str
            ``keys``, ``iris`` and ``labels`` (a :class:`~kg.find.string_tables.Utf8Table` each, when
            read from files).
        meta : mapping
            ``kind_names``, ``base``, ``offset_bits``.

        Returns
        -------
        LabelIndex
            An index whose searches answer exactly as the one taken apart.

        Raises
        ------
        KeyError
            If a part is missing.
        ValueError
            If the parts do not fit together (sizes that disagree: a damaged or mixed-up file).
        """
        index = cls.__new__(cls)
        for name in PART_ARRAYS:
            setattr(index, "_" + name, arrays[name])
        index.keys, index._iris, index._labels = tables["keys"], tables["iris"], tables["labels"]  # type: ignore[assignment]
        index._kind_names = [str(k) for k in meta["kind_names"]]
        index._base, index._offset_bits = int(meta["base"]), int(meta["offset_bits"])
        index._check_parts()
        index._char_id = {chr(int(c)): n for n, c in enumerate(index._alphabet.tolist())}
        index.names = _ByIri(index._iris, index._name_of)  # type: ignore[arg-type]
        index.kinds = _ByIri(index._iris, index._kind_of)  # type: ignore[arg-type]
        return index

    def _check_parts(self) -> None:
        keys, iris, labels = len(self.keys), len(self._iris), len(self._labels)
        entries = len(self._e_iri)
        sizes = {
            "key_start": (len(self._key_start), keys + 1),
            "key_len": (len(self._key_len), keys),
            "seen_order": (len(self._seen_order), keys),
            "name_label": (len(self._name_label), iris),
            "iri_kind": (len(self._iri_kind), iris),
            "e_label": (len(self._e_label), entries),
            "e_rank": (len(self._e_rank), entries),
            "e_strict": (len(self._e_strict), entries),
            "ordinal": (len(self._ordinal), entries),
            "gram_start": (len(self._gram_start), len(self._gram_codes) + 1),
            "base": (self._base, len(self._alphabet) + 1),
        }
        wrong = [name for name, (got, want) in sizes.items() if got != want]
        if keys and int(self._key_start[-1]) != entries:
            wrong.append("entries")
        if len(self._gram_start) and int(self._gram_start[-1]) != len(self._postings):
            wrong.append("postings")
        if len(self._kind_names) > 256 or (labels == 0) != (iris == 0):
            wrong.append("kinds or labels")
        if wrong:
            raise ValueError("the label index's parts do not fit together: " + ", ".join(wrong))


def _count_distinct(first: np.ndarray, then: np.ndarray, universe: int) -> tuple[int, int]:
    """Distinct values in `first`, and in `first` and `then` together (each in ``range(universe)``)."""
    if (len(first) + len(then)) * 16 < universe:  # small: sorting beats clearing a mask
        a = np.sort(first)
        both = np.sort(np.concatenate([a, then]))
        return (
            int(np.count_nonzero(a[1:] != a[:-1])) + (len(a) > 0),
            int(np.count_nonzero(both[1:] != both[:-1])) + (len(both) > 0),
        )
    seen = np.zeros(universe, dtype=bool)
    seen[first] = True
    counted = int(np.count_nonzero(seen))
    seen[then] = True
    return counted, int(np.count_nonzero(seen))


def _distinct(ids: np.ndarray, universe: int) -> np.ndarray:
    """Sorted distinct values of `ids` (each in ``range(universe)``)."""
    if len(ids) * 16 < universe:  # np.unique is slower here (a hash table in numpy 2)
        ordered = np.sort(ids)
        return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered
    seen = np.zeros(universe, dtype=bool)
    seen[ids] = True
    return np.flatnonzero(seen)
