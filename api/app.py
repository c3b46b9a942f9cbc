"""The ASGI app factory: settings in, a FastAPI app out; the graph opens once, at startup."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from api.errors import install_error_handlers
from api.mcp_route import mount as mount_mcp
from api.middleware.csp import CSPMiddleware
from api.middleware.engine_version import EngineVersion
from api.middleware.etag import ETagMiddleware
from api.middleware.head import HeadAsGet
from api.middleware.sparql_fastpath import SparqlFastPath
from api.routes import (
    analytics,
    coverage,
    docs,
    dumps,
    entities,
    explore,
    feeds,
    graphs,
    imports,
    linked_data,
    neighbours,
    pages,
    reviews,
    saved_queries,
    sparql,
)
from kg import __version__
from kg.service import KnowledgeGraph
from kg.settings import Settings

__all__ = ["create_app"]


def create_app(settings: Settings | None = None, graph: KnowledgeGraph | None = None) -> FastAPI:
    """Build the app.

    Parameters
    ----------
    settings : Settings, optional
        Default: from ``KG_*`` environment variables.
    graph : KnowledgeGraph, optional
        An already-open service object (tests share one); default: opened from `settings` at
        startup and closed at shutdown.

    Returns
    -------
    fastapi.FastAPI
    """
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = graph is None
        app.state.graph = graph or KnowledgeGraph.open(settings)
        app.state.settings = settings
        reviews.install(app)
        try:
            async with mcp_running():
                yield
        finally:
            if owned:
                app.state.graph.close()

    app = FastAPI(
        title="AI Landscape KG",
        version=__version__,
        summary="A sourced knowledge graph of the open-source AI race: SPARQL 1.1, REST lookups, graph pictures.",
        lifespan=lifespan,
        # /docs and /redoc are served by api/routes/docs.py with local assets (FastAPI's load a CDN)
        docs_url=None,
        redoc_url=None,
    )
    # Added first so CORS wraps it: a 304 from a cross-site revalidation carries the CORS headers.
    app.add_middleware(ETagMiddleware)
    if settings.cors_origins:
        # Cross-site reads only: a preflight that asks for the Authorization header (which every
        # update needs) is refused, so no web page can make a browser send an update.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "Accept"],
            allow_credentials=False,
            max_age=600,
            # paging, revalidation and result counts, readable from scripts
            expose_headers=["ETag", "Link", "X-Total-Count", "X-Result-Count"],
        )
    # Every HTML page (entity pages, graph pictures, the query page…) gets its Content-Security-Policy.
    app.add_middleware(CSPMiddleware)
    # Outermost: plain SPARQL queries skip routing and dependency solving (api/middleware/sparql_fastpath.py).
    app.add_middleware(SparqlFastPath)
    # Outermost but one: HEAD is answered as the GET of the same URL, without the body (RFC 9110 §9.3.2).
    app.add_middleware(HeadAsGet)
    # Around everything: a remote engine's dataset version is read once per request, before the
    # ETag or a cache uses it, so no replica answers from before a write made through another.
    app.add_middleware(EngineVersion)
    install_error_handlers(app)
    # analytics, reviews and imports before entities: /api/analytics/…, /api/reviews, /api/imports,
    # /api/changes, /api/coverage, /api/claims/{slug}/review must not be taken for /api/{collection}/{slug}
    for module in (
        pages,
        docs,
        explore,
        sparql,
        analytics,
        coverage,
        reviews,
        imports,
        neighbours,
        saved_queries,
        entities,
        linked_data,
        graphs,
        feeds,
        dumps,
    ):
        app.include_router(module.router)
    # The pages' shared script and style sheet (search box, explorer, compare): same origin, so the
    # Content-Security-Policy's script-src 'self' allows them and nothing is fetched from elsewhere.
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    # The MCP server's tools at /mcp (streamable HTTP); its session manager runs inside the lifespan.
    mcp_running = mount_mcp(app, lambda: app.state.graph, settings.public_base_url(), settings.host)
    return app
