"""An ASGI shortcut for SPARQL query operations on ``/sparql``: the serving hot path.

A SPARQL query through FastAPI's full stack pays for routing, dependency solving and a hop to
a worker thread (about 1 ms of Python per request, measured with py-spy); the engine answers a
point lookup in about 0.1 ms. This middleware answers the plain query operations of the SPARQL
1.1 Protocol (§2.1: GET with ``query``, POST ``application/sparql-query``, POST form with
``query``) itself, awaiting the query worker's pipe on the event loop. It builds the request
and the response with the same functions as the routes in ``api/routes/sparql.py`` and maps
core errors with the same table (``api/errors.py``), so the answers are identical.

Everything else goes down the normal stack unchanged: updates, the query page and service
description, cross-origin requests (they carry ``Origin`` and need the CORS middleware),
bodies that are not UTF-8, other methods and content types.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response
from api.routes.sparql import query_request, result_response
from kg.errors import KGError

__all__ = ["SparqlFastPath"]

_QUERY = "application/sparql-query"
_FORM = "application/x-www-form-urlencoded"
_GRAPH_KEYS = ("default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri")


class SparqlFastPath:
    """ASGI middleware answering SPARQL query operations on ``/sparql`` directly.

    Parameters
    ----------
    app : ASGI application
        The rest of the stack (CORS, routing, FastAPI), used for every other request.

    Notes
    -----
    The service object and settings are read from ``scope["app"].state`` (set by the app's
    lifespan), as the routes' dependencies do.

    References
    ----------
    .. [1] W3C, "SPARQL 1.1 Protocol", §2.1 (query operation), 2013.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/sparql":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if b"origin" in headers:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        query_string = scope["query_string"].decode("latin-1")
        if method == "GET":
            if "query=" not in query_string:
                await self.app(scope, receive, send)
                return
            params = parse_qs(query_string, keep_blank_values=True)
            if "update" in params:
                await self.app(scope, receive, send)
                return
        elif method == "POST":
            content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower().decode("latin-1")
            if content_type not in (_QUERY, _FORM):
                await self.app(scope, receive, send)
                return
            raw, more = await _read_body(receive)
            try:
                body = raw.decode("utf-8")
            except UnicodeDecodeError:
                body = None
            url_params = parse_qs(query_string, keep_blank_values=True)
            if body is not None and content_type == _FORM:
                params = parse_qs(body, keep_blank_values=True)
                for key in _GRAPH_KEYS:
                    params.setdefault(key, url_params.get(key, []))
            elif body is not None:
                params = {**url_params, "query": [body]}
            if body is None or "update" in params or more:
                await self.app(scope, _replay(raw, more, receive), send)
                return
        else:
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        accept = headers.get(b"accept")
        request = query_request(state.settings, params, accept.decode("latin-1") if accept is not None else None)
        if isinstance(request, Response):
            await request(scope, receive, send)
            return
        try:
            result = await state.graph.aquery(request)
        except KGError as exc:
            await error_response(exc)(scope, receive, send)
            return
        await result_response(result)(scope, receive, send)


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """Read the request body; ``more`` is True when the client disconnected mid-body."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks), True
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), False


def _replay(body: bytes, disconnected: bool, receive: Receive) -> Receive:
    """A ``receive`` that hands the already-read body to the normal stack first."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            if disconnected:
                return {"type": "http.disconnect"}
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
