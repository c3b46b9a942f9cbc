"""Content-Security-Policy on every HTML response: no inline event handlers, no foreign origins.

The pages' own inline scripts (the query page's, the graph pages' inlined vis-network and their
start-up script, also inside an entity page's ``srcdoc`` frame, which inherits the parent's
policy) are allowed by their SHA-256 hashes, computed from the body as sent. Hashes, not nonces:
the same bytes always get the same header, so an answer stays cacheable and needs no per-request
state. ``'unsafe-hashes'`` is never given, so an ``on*=`` attribute cannot run even if one slipped
into a page; links are http(s) only (``api/rendering.py``), and ``javascript:`` URLs are blocked by
the policy as well (they count as inline script).
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from typing import Any
from urllib.parse import parse_qs

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CSPMiddleware", "embeddable", "policy_for"]

_SCRIPT = re.compile(r"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>", re.DOTALL | re.IGNORECASE)
_SRCDOC = re.compile(r'\bsrcdoc="([^"]*)"', re.IGNORECASE)


def _inline_scripts(text: str) -> list[str]:
    scripts = _SCRIPT.findall(text)
    for frame in _SRCDOC.findall(text):
        scripts += _SCRIPT.findall(html.unescape(frame))
    return scripts


_EMBEDDABLE = ("/graphs/", "/charts")


def embeddable(path: str, query_string: str) -> bool:
    """Return True for a request of a page made for other sites' ``<iframe>``: a graph or chart with ``embed=1``.

    Parameters
    ----------
    path : str
        The request path.
    query_string : str
        The raw query string (``embed=1`` among its parameters).

    Returns
    -------
    bool
    """
    if not (path.startswith(_EMBEDDABLE[0]) or path == _EMBEDDABLE[1]):
        return False
    return parse_qs(query_string).get("embed", [""])[-1].lower() in ("1", "true", "yes", "on")


BLOB_WORKER_PAGES = frozenset({"/redoc"})
"""Pages whose script starts a web worker from a ``blob:`` URL (ReDoc's search); no other page may."""


def policy_for(body: bytes, path: str = "/", embed: bool = False) -> str:
    """Return the Content-Security-Policy of one HTML document.

    Parameters
    ----------
    body : bytes
        The document as sent (UTF-8).
    path : str, optional
        The request path. Every page gets the same rules (``/docs`` included, whose Swagger UI is
        served locally by ``api/routes/docs.py``) except ``/redoc``, whose ReDoc runs its search
        index in a web worker made from a ``blob:`` URL: that page alone gets ``worker-src 'self' blob:``.
    embed : bool, optional
        The page is an embed (:func:`embeddable`): any site may frame it (``frame-ancestors *``);
        every other page may be framed by this origin only, against clickjacking.

    Returns
    -------
    str
        A policy (W3C CSP Level 3) allowing same-origin resources and exactly the document's
        inline scripts, by hash; inline styles are allowed (they cannot run code), event handler
        attributes, ``javascript:`` URLs, ``eval``, plugins and foreign origins are not.
    """
    text = body.decode("utf-8", errors="replace")
    hashes = sorted(
        {
            "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'"
            for s in _inline_scripts(text)
        }
    )
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'" + "".join(" " + h for h in hashes),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors *" if embed else "frame-ancestors 'self'",
            *(["worker-src 'self' blob:"] if path in BLOB_WORKER_PAGES else []),
        ]
    )


class CSPMiddleware:
    """Pure ASGI middleware: adds :func:`policy_for` to every ``text/html`` response.

    Parameters
    ----------
    app : ASGI application
        The wrapped app.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: dict[str, Any] = {"start": None, "chunks": []}

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                if Headers(raw=message.get("headers", [])).get("content-type", "").startswith("text/html"):
                    held["start"] = message  # the policy depends on the body: hold the head back
                    return
                await send(message)
            elif message["type"] == "http.response.body" and held["start"] is not None:
                held["chunks"].append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = b"".join(held["chunks"])
                start = held["start"]
                headers = MutableHeaders(raw=list(start.get("headers", [])))
                path = scope.get("path", "/")
                query = scope.get("query_string", b"").decode("latin-1")
                headers["Content-Security-Policy"] = policy_for(body, path, embeddable(path, query))
                held["start"] = None
                await send({**start, "headers": headers.raw})
                await send({"type": "http.response.body", "body": body})
            else:
                await send(message)

        await self.app(scope, receive, send_with_policy)
