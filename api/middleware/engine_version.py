"""Each HTTP request reads the dataset version of a remote engine once, before anything uses it.

In remote mode (``kg serve --store http://…``) the dataset version (ETags, cache keys) is a marker
the engine holds, changed by every write made through any replica (:mod:`kg.engine.remote`). This
middleware, the outermost of the stack, records when the request began
(:data:`kg.engine.remote.READ_STARTED`) and reads the marker in a worker thread, off the event
loop; everything later in the request (the ETag, the result cache, the reads) reuses that read, or
a newer one. So no request that begins after a write has returned, through whichever replica,
is answered from a cache or with a ``304`` of the data before the write. On the embedded store
the version lives in the process and this middleware only passes the request on.
"""

from __future__ import annotations

import time

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send

from kg.engine.remote import READ_STARTED

__all__ = ["EngineVersion"]


class EngineVersion:
    """ASGI middleware: read a remote engine's version marker once per HTTP request.

    Parameters
    ----------
    app : ASGI application
        The rest of the stack; its ``state.graph`` (a ``KnowledgeGraph``) holds the store.

    Notes
    -----
    If the engine cannot be reached, the version is one never given before (nothing cached is
    served) and the request goes on to fail where the engine is used (a 502 or 504 with its
    reason, :mod:`api.errors`).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        graph = getattr(scope["app"].state, "graph", None) if scope["type"] == "http" and "app" in scope else None
        if graph is None or not getattr(graph.store, "remote", False):
            await self.app(scope, receive, send)
            return
        token = READ_STARTED.set(time.monotonic())
        try:
            await anyio.to_thread.run_sync(lambda: graph.version)
            await self.app(scope, receive, send)
        finally:
            READ_STARTED.reset(token)
