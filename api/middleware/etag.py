"""HTTP caching for the REST and linked-data routes: ETag, 304, Cache-Control, server-side reuse.

An answer is a function of the dataset version and the request (method, path, query string and
the headers it is negotiated on), so the ETag is a hash of exactly those: a client revalidating
with ``If-None-Match`` gets ``304 Not Modified`` without the server computing anything, and any
write to the store (which bumps the version) changes every ETag at once.

For the same reason a complete ``200`` answer to a ``GET`` is kept, under its ETag, in the
service's result cache (``KnowledgeGraph.cache``, the byte-bounded LRU that SPARQL results use,
cleared by every write): the next client asking the same thing gets the stored bytes without
routing, a worker round trip or serialization, as dashboards and link-following clients do.
"""

from __future__ import annotations

import hashlib
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg.engine.sparql import QueryResponse

__all__ = ["CACHED_PREFIXES", "ETagMiddleware", "etag_for"]

CACHED_PREFIXES = ("/api/", "/id/", "/context.jsonld", "/dumps/", "/.well-known/")
"""Paths the middleware handles; everything else (``/sparql``, ``/graphs``…) passes untouched."""

CACHE_CONTROL = "public, no-cache"
"""Caches may keep answers but must revalidate them (data can change with any update)."""

_VARY_ON = ("accept",)


def etag_for(version: str, scope: Scope, base: str = "") -> str:
    """Return the strong ETag of a request's answer at a dataset version.

    Parameters
    ----------
    version : str
        ``KnowledgeGraph.version``.
    scope : dict
        The ASGI HTTP scope (method, path, query string, headers).
    base : str, optional
        The public base URL absolute links start with (``Settings.public_base_url``): it
        shapes the body, so it is part of the key. The request's ``Host`` and ``X-Forwarded-*``
        are not, because no answer is built from them (issue 18: cache poisoning).

    Returns
    -------
    str
        A quoted entity tag (RFC 9110 §8.8.3).
    """
    headers = Headers(scope=scope)
    digest = hashlib.blake2b(digest_size=16)
    for part in (
        version,
        base,
        scope["method"],
        scope["path"],
        scope.get("query_string", b"").decode("latin-1"),
        *(headers.get(h, "") for h in _VARY_ON),
    ):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return f'"{digest.hexdigest()}"'


def _matches(if_none_match: str, etag: str) -> bool:
    # RFC 9110 §13.1.2: weak comparison; "*" matches any current representation.
    tags = [t.strip() for t in if_none_match.split(",")]
    return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)


class ETagMiddleware:
    """Pure ASGI middleware: 304 on a matching ``If-None-Match``; ETag and Cache-Control on 200.

    Parameters
    ----------
    app : ASGI application
        The wrapped app; its ``state.graph`` (a ``KnowledgeGraph``) gives the version.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not scope["path"].startswith(CACHED_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        graph = getattr(scope["app"].state, "graph", None) if "app" in scope else None
        if graph is None:
            await self.app(scope, receive, send)
            return
        version = graph.version
        settings = getattr(scope["app"].state, "settings", None)
        etag = etag_for(version, scope, settings.public_base_url() if settings is not None else "")
        if_none_match = Headers(scope=scope).get("if-none-match")
        if if_none_match and _matches(if_none_match, etag):
            await send(
                {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": [
                        (b"etag", etag.encode()),
                        (b"cache-control", CACHE_CONTROL.encode()),
                        (b"vary", b"Accept"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return

        cache = getattr(graph, "cache", None) if scope["method"] == "GET" else None
        key = ("http", etag)
        stored = cache.get(key) if cache is not None else None
        if stored is not None:
            await send({"type": "http.response.start", "status": 200, "headers": stored.extra["headers"]})
            await send({"type": "http.response.body", "body": stored.body})
            return
        # What the answer sends, kept for the cache while it is small enough and still current.
        kept: dict[str, Any] = {"headers": None, "chunks": [], "size": 0}
        # An answer that may have read an earlier version's name index (an on-disk store under
        # continuous writes of names) gets no ETag and is not kept: it must not outlive the rebuild.
        names = graph.names_stamp()
        budget = cache.max_bytes // 4 if cache is not None else 0

        async def send_with_etag(message: Message) -> None:
            nonlocal version, etag, key
            if message["type"] == "http.response.start" and graph.version != version and graph.settled_from(version):
                # The answer read the reviews, which caught up with the data first: it is the answer
                # at the new version.
                version = graph.version
                etag = etag_for(version, scope, settings.public_base_url() if settings is not None else "")
                key = ("http", etag)
            if (
                message["type"] == "http.response.start"
                and message["status"] == 200
                and graph.version == version
                and names[0]
                and graph.names_stamp() == names
            ):
                headers: list[Any] = [
                    h for h in message.get("headers", []) if h[0].lower() not in (b"etag", b"cache-control")
                ]
                headers += [(b"etag", etag.encode()), (b"cache-control", CACHE_CONTROL.encode())]
                if not any(h[0].lower() == b"vary" for h in headers):
                    headers.append((b"vary", b"Accept"))
                message = {**message, "headers": headers}
                kept["headers"] = headers
            elif message["type"] == "http.response.body" and kept["headers"] is not None:
                body = message.get("body", b"")
                kept["size"] += len(body)
                if kept["size"] > budget:
                    kept["headers"] = None  # too large to keep: streamed through only
                else:
                    kept["chunks"].append(body)
                    if not message.get("more_body", False) and graph.version == version and cache is not None:
                        cache.put(
                            key, QueryResponse("", b"".join(kept["chunks"]), "GET", extra={"headers": kept["headers"]})
                        )
            await send(message)

        await self.app(scope, receive, send_with_etag)
