"""HEAD on every GET resource: GET's status, headers and ETag, without the body (RFC 9110 §9.3.2).

FastAPI registers its routes for the methods they are declared with, so a ``HEAD`` of a ``GET``
route would be a 405. Rather than declaring HEAD on each route (and forgetting one), this
middleware, the outermost of the stack, hands the request on as a ``GET`` and drops the body of
the answer: the status line and every header (``Content-Length``, ``ETag``, ``Cache-Control``,
``Vary``) are exactly what the GET sends, and the ETag is the GET's, since it is computed from
the request as the rest of the stack sees it (``api/middleware/etag.py``).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HeadAsGet"]


class HeadAsGet:
    """ASGI middleware answering ``HEAD`` as the ``GET`` of the same URL, without a body.

    Parameters
    ----------
    app : ASGI application
        The rest of the stack.

    Notes
    -----
    The scope is copied, not changed in place: the server (uvicorn) keeps seeing ``HEAD`` in its
    own scope and so sends no body and does not expect one either.

    References
    ----------
    .. [1] RFC 9110, "HTTP Semantics", §9.3.2 (HEAD), 2022.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                # Keep the framing (more_body) so a streamed GET still ends, but send no bytes.
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_without_body)
