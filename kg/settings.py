"""One frozen settings object, built from CLI flags and ``KG_*`` environment variables.

Only the edges (the CLI and the app factory) build settings; the core takes explicit arguments.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

__all__ = ["ONTOLOGY_DIR", "Settings"]

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
"""The shipped ontology folder (modules, shapes, context, embedded data)."""


def _bool(text: str) -> bool:
    return text.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service can be told from outside; immutable once built.

    Attributes
    ----------
    host : str
        Interface to bind (``KG_HOST``).
    port : int
        TCP port (``KG_PORT``).
    store : str or None
        ``None`` for the embedded default graph in memory, a directory for a persistent on-disk
        store, or an ``http(s)://`` SPARQL endpoint URL for a remote engine (``KG_STORE``).
    update_endpoint : str or None
        Remote SPARQL Update endpoint when it differs from ``store`` (``KG_UPDATE_ENDPOINT``).
    remote_auth : str or None
        ``user:password`` for HTTP basic auth against a remote engine (``KG_REMOTE_AUTH``).
    update_token : str or None
        Bearer token that SPARQL Update and imports require; ``None`` refuses all updates
        (``KG_UPDATE_TOKEN``).
    query_timeout_s : float
        Wall-clock limit of one query, in seconds (``KG_QUERY_TIMEOUT``).
    max_rows : int
        Result cap: rows of a SELECT, triples of a CONSTRUCT/DESCRIBE (``KG_MAX_ROWS``).
    max_result_bytes : int
        Cap on one serialized result, in bytes (``KG_MAX_RESULT_BYTES``).
    max_query_chars : int
        Longest query or update text accepted, in characters (``KG_MAX_QUERY_CHARS``), on every
        entrance: ``/sparql``, ``/update``, saved queries, the MCP ``sparql`` tool; longer is refused
        (HTTP 413) before it is parsed. ``INSERT DATA``/``DELETE DATA`` updates are bounded by the
        request body cap instead (their cost is linear in their size). The default, 64 KiB, stays
        well below what crashed the engine (a flat 8,200-pattern query, 90 KB as usually written,
        57 KB written tightly; the pattern guard of :mod:`kg.engine.query_checks` refuses those shapes
        at any size) and takes a 50 KB ``VALUES`` query.
    workers : int
        Query worker processes (``KG_WORKERS``); 0 runs queries in the server process without
        a time limit (tests and the CLI only).
    query_memory_mb : int
        Working memory one query worker may allocate, in MiB (``KG_QUERY_MEMORY_MB``); a query
        that needs more is stopped (HTTP 503). 0: no cap. Applied on Linux only.
    allow_service : bool
        Allow ``SERVICE`` federation and remote ``LOAD`` (``KG_ALLOW_SERVICE``); off by default
        because both make the server fetch URLs.
    cors_origins : tuple of str
        Origins allowed to send cross-site GET/POST queries (``KG_CORS_ORIGINS``, comma list;
        ``none`` turns CORS off). Never grants the ``Authorization`` header, so no cross-site update.
    cache_bytes : int
        Size of the query-result cache, in bytes; 0 disables it (``KG_CACHE_BYTES``).
    data_dir : pathlib.Path
        Folder of the embedded default graph (``KG_DATA_DIR``).
    load : tuple of str
        RDF files bulk-loaded at start, each into its named graph ``graph/{stem}``, after the
        embedded graph (``KG_LOAD``, paths separated by ``os.pathsep``).
    remote_ttl_s : float
        Remote engine only: how long an answer may be reused before writes that other clients
        made directly on the engine become visible, in seconds (``KG_REMOTE_TTL``).
    base_url : str or None
        Public base URL of the service (``KG_BASE_URL``, e.g. ``https://kg.example.org``): every
        absolute link in an answer starts with it, never with the request's ``Host`` or proxy
        headers, so a forged header cannot put its links into a cached answer. Default: the bind
        address, ``http://{host}:{port}`` (see :meth:`public_base_url`).
    trusted_proxies : tuple of str
        Addresses of reverse proxies whose ``X-Forwarded-For``/``-Proto`` headers are believed
        (``KG_TRUSTED_PROXIES``, comma list); empty (the default): proxy headers are ignored.
    remote_union_default : bool
        Remote engine only: its default graph already is the union of its named graphs
        (``oxigraph serve --union-default-graph``, Fuseki's ``tdb2:unionDefaultGraph``), so
        queries are sent without listing every graph as the dataset, which makes the engine's
        scans 5-18 % faster (measured on Oxigraph server at 10k models). Ignored while import
        snapshots exist: they must stay out of the default graph (``KG_REMOTE_UNION_DEFAULT``).
    """

    host: str = "127.0.0.1"
    port: int = 8000
    store: str | None = None
    update_endpoint: str | None = None
    remote_auth: str | None = None
    update_token: str | None = None
    query_timeout_s: float = 30.0
    max_rows: int = 100_000
    max_result_bytes: int = 64 * 1024 * 1024
    max_query_chars: int = 64 * 1024
    workers: int = 2
    query_memory_mb: int = 2048
    allow_service: bool = False
    cors_origins: tuple[str, ...] = ("*",)
    cache_bytes: int = 64 * 1024 * 1024
    data_dir: Path = field(default=ONTOLOGY_DIR / "data")
    load: tuple[str, ...] = ()
    remote_ttl_s: float = 2.0
    remote_union_default: bool = False
    base_url: str | None = None
    trusted_proxies: tuple[str, ...] = ()

    def public_base_url(self) -> str:
        """Return the base of every absolute link the service writes, without a trailing slash.

        Returns
        -------
        str
            :attr:`base_url` if set, else ``http://{host}:{port}`` (an IPv6 host in brackets).
        """
        if self.base_url:
            return self.base_url.rstrip("/")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from ``KG_*`` variables, then apply explicit overrides (CLI flags).

        Parameters
        ----------
        environ : mapping of str to str, optional
            Environment to read; default ``os.environ``.
        **overrides
            Field values that win over the environment; ``None`` values are ignored.

        Returns
        -------
        Settings

        Raises
        ------
        ValueError
            If a variable holds a value of the wrong type (e.g. ``KG_PORT=abc``).
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"KG_{f.name.upper()}")
            if f.name == "query_timeout_s":
                raw = env.get("KG_QUERY_TIMEOUT", raw)
            if f.name == "remote_ttl_s":
                raw = env.get("KG_REMOTE_TTL", raw)
            if raw is None or raw == "":
                continue
            values[f.name] = _convert(f.name, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)


def _convert(name: str, raw: str) -> Any:
    if name in {"port", "max_rows", "max_result_bytes", "max_query_chars", "workers", "cache_bytes", "query_memory_mb"}:
        return int(raw)
    if name in {"query_timeout_s", "remote_ttl_s"}:
        return float(raw)
    if name == "load":
        return tuple(p for p in raw.split(os.pathsep) if p)
    if name in {"allow_service", "remote_union_default"}:
        return _bool(raw)
    if name == "base_url":
        if not raw.startswith(("http://", "https://")):
            raise ValueError(f"KG_BASE_URL must start with http:// or https://, not {raw[:60]!r}")
        return raw.rstrip("/")
    if name == "trusted_proxies":
        return tuple(p.strip() for p in raw.split(",") if p.strip())
    if name == "cors_origins":
        if raw.strip().lower() in {"none", "off", "false"}:
            return ()
        return tuple(o.strip() for o in raw.split(",") if o.strip())
    if name == "data_dir":
        return Path(raw)
    return raw
