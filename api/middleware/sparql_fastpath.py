"""An ASGI shortcut for SPARQL query operations on ``/sparql``: the serving hot path.

A SPARQL query through FastAPI's full stack pays for routing, dependency solving and a hop to
a worker thread (about 1 ms of Python per request, measured with py-spy); the engine answers a
point lookup in about 0.1 ms. This middleware answers the plain query operations of the SPARQL
1.1 Protocol (§2.1: GET with ``query``, POST ``application/sparql-query``, POST form with
``query``) itself, awaiting the query worker's pipe on the event loop. It reads the request,
checks the query and builds the response through the same funnel as the routes in
``api/routes/sparql.py`` (``api/sparql_protocol.py``) and maps core errors with the same table
(``api/errors.py``), so the answers are identical.

Everything else goes down the normal stack unchanged: updates, the query page and service
description, cross-origin requests (they carry ``Origin`` and need the CORS middleware),
POSTs with URL parameters, bodies without a length, too large or not UTF-8, other methods and
content types.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import sparql_protocol as protocol
from api.errors import error_response
from kg.errors import KGError

__all__ = ["SparqlFastPath"]

_QUERY = protocol.QUERY.encode()
_FORM = protocol.FORM.encode()
_UTF8 = (b"", b"charset=utf-8", b"charset=utf8", b'charset="utf-8"')


class SparqlFastPath:
    """ASGI middleware answering plain SPARQL query operations on ``/sparql`` directly.

    Parameters
    ----------
    app : ASGI application
        The rest of the stack (CORS, routing, FastAPI), used for every other request.

    Notes
    -----
    Handled here: ``GET /sparql?query=…`` (unless the client prefers the HTML page), ``POST``
    with an ``application/sparql-query`` or form body (UTF-8, no URL query string), without an
    ``Origin`` header. The service object and settings come from ``scope["app"].state``, as
    the routes' dependencies read them.

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
        query_string = scope["query_string"]
        accept_raw = headers.get(b"accept")
        accept = accept_raw.decode("latin-1") if accept_raw is not None else None
        try:
            if method == "GET":
                if b"query=" not in query_string or b"update=" in query_string or protocol.prefers_html(accept):
                    await self.app(scope, receive, send)
                    return
                params = protocol.parse_params(query_string.decode("latin-1"))
            elif method == "POST" and not query_string:
                media, _, parameters = headers.get(b"content-type", b"").partition(b";")
                media = media.strip().lower()
                declared = headers.get(b"content-length", b"")
                if (
                    media not in (_QUERY, _FORM)
                    or parameters.strip().lower() not in _UTF8
                    or not declared.isdigit()
                    or int(declared) > protocol.MAX_BODY_BYTES
                ):
                    await self.app(scope, receive, send)
                    return
                raw, disconnected = await _read_body(receive)
                try:
                    body = raw.decode("utf-8")
                except UnicodeDecodeError:
                    body = None
                operation = "update"
                if body is not None:
                    operation, params = protocol.body_params(media.decode("latin-1"), body, {})
                if body is None or disconnected or operation == "update":
                    await self.app(scope, _replay(raw, disconnected, receive), send)
                    return
            else:
                await self.app(scope, receive, send)
                return
            state = scope["app"].state
            response = await protocol.answer_async(state.graph, state.settings, params, accept)
        except protocol.BadRequest as exc:
            response = protocol.problem_for(exc)
        except KGError as exc:
            response = error_response(exc)
        await response(scope, receive, send)


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """Read the request body; the flag is True when the client disconnected mid-body."""
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
