"""``/mcp`` of ``kg serve``: the MCP server (:mod:`api.mcp_server`) built and started at its first request.

The SDK (``mcp``, with its dependencies about 21 MB of a server's memory) is imported only when a
client talks to ``/mcp``: a service that nobody uses over MCP never holds it. The first request
builds the server, starts its session manager in a task of its own (the SDK runs it inside an
anyio task group, entered and left by the same task) and hands the request to the SDK's endpoint;
the app's lifespan stops it at shutdown.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from starlette.exceptions import HTTPException
from starlette.routing import Route

from kg.service import KnowledgeGraph

__all__ = ["MCP_USAGE", "mount"]

MCP_USAGE = (
    "/mcp is a Model Context Protocol server (streamable HTTP, stateless, JSON answers): POST JSON-RPC messages "
    "to it with 'Content-Type: application/json' and 'Accept: application/json, text/event-stream', or point an "
    "MCP client at this URL (or run `kg mcp` for the stdio form). It offers no GET stream."
)
"""What a GET of /mcp is told (a 405 with ``Allow: POST``)."""


async def _get_not_offered(request: Any) -> Any:
    raise HTTPException(405, MCP_USAGE, headers={"Allow": "POST"})


class _LazyEndpoint:
    """The ASGI endpoint of ``/mcp``: builds and starts the SDK's server at the first request."""

    def __init__(self, get_graph: Callable[[], KnowledgeGraph], base_url: str, host: str) -> None:
        self._args = (get_graph, base_url, host)
        self._endpoint: Any = None
        self._lock = asyncio.Lock()
        self._stop: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self._endpoint is None:
            await self._start()
        await self._endpoint(scope, receive, send)

    async def _start(self) -> None:
        async with self._lock:
            if self._endpoint is not None:
                return
            from api.mcp_server import streamable_endpoint

            server, endpoint = streamable_endpoint(*self._args)
            started, self._stop = asyncio.Event(), asyncio.Event()
            self._task = asyncio.create_task(self._run(server, started, self._stop))
            waiting = asyncio.create_task(started.wait())
            await asyncio.wait({waiting, self._task}, return_when=asyncio.FIRST_COMPLETED)
            if not started.is_set():  # the session manager failed to start: its error, at this request
                waiting.cancel()
                self._task.result()
            self._endpoint = endpoint

    @staticmethod
    async def _run(server: Any, started: asyncio.Event, stop: asyncio.Event) -> None:
        async with server.session_manager.run():
            started.set()
            await stop.wait()

    async def stop(self) -> None:
        """Stop the session manager if a request started it (the app's shutdown)."""
        if self._stop is not None and self._task is not None:
            self._stop.set()
            await self._task
        # An app served again (a test client's second lifespan, on another event loop) builds a
        # new server at its first request: the SDK runs a session manager once per instance.
        self._endpoint, self._task, self._stop, self._lock = None, None, None, asyncio.Lock()


def mount(app: Any, get_graph: Callable[[], KnowledgeGraph], base_url: str, host: str) -> Callable[[], Any]:
    """Serve the MCP server at ``/mcp`` of a FastAPI app (streamable HTTP, stateless, JSON answers).

    Parameters
    ----------
    app : fastapi.FastAPI
        The app; routes ``/mcp`` are added (GET: a 405 saying how to talk to it; others: the SDK's).
    get_graph : callable
        Returns the app's open graph.
    base_url : str
        Public base URL for links.
    host : str
        The bind address: on a loopback address the SDK's DNS-rebinding protection stays on.

    Returns
    -------
    callable
        An async context manager factory to enter in the app's lifespan: at its exit the session
        manager the first ``/mcp`` request started is stopped.
    """
    endpoint = _LazyEndpoint(get_graph, base_url, host)
    # GET first: stateless JSON mode never sends a server-initiated message, so the SDK's GET stream
    # would stay open and silent (curl hangs). The spec lets a server answer 405 instead (MCP 2025-06-18,
    # transports §2.2.3); the message says how to talk to the endpoint.
    app.router.routes.append(Route("/mcp", _get_not_offered, methods=["GET"]))
    app.router.routes.append(Route("/mcp", endpoint))

    @asynccontextmanager
    async def running() -> AsyncIterator[None]:
        try:
            yield
        finally:
            await endpoint.stop()

    return running
