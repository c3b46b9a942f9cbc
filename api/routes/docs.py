"""The API reference pages, ``/docs`` (Swagger UI) and ``/redoc``, served with local assets.

FastAPI's own pages load Swagger UI from a CDN, so without internet they are blank. The JavaScript
and CSS come instead from the ``fastapi-offline`` package (Swagger UI 5, which reads OpenAPI 3.1,
and ReDoc) and are served under ``/docs/assets/``: no request leaves this server.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import FileResponse, HTMLResponse, Response

from kg.errors import NotFoundError

__all__ = ["ASSETS", "router"]

router = APIRouter(include_in_schema=False)

_STATIC = Path(fastapi_offline.__file__).parent / "static"
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "redoc.standalone.js": "text/javascript",
    "favicon.png": "image/png",
}
"""The files under ``/docs/assets/`` and their media types (nothing else of the package is served)."""

_TITLE = "AI Landscape KG API"
_HOME = (
    '<p style="font: 14px system-ui, sans-serif; margin: .6rem 1.2rem">'
    '<a href="/">← AI Landscape KG</a> · <a href="/sparql">SPARQL</a></p>'
)


def _with_home_link(page: HTMLResponse) -> HTMLResponse:
    # No dead end: the reference links back to the site (FastAPI's page has no header of its own).
    body = bytes(page.body).replace(b"<body>", b"<body>\n" + _HOME.encode(), 1)
    return HTMLResponse(body)


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    page = get_swagger_ui_html(
        openapi_url=f"{root}/openapi.json",
        title=f"{_TITLE} · Swagger UI",
        swagger_js_url=f"{root}/docs/assets/swagger-ui-bundle.js",
        swagger_css_url=f"{root}/docs/assets/swagger-ui.css",
        swagger_favicon_url=f"{root}/docs/assets/favicon.png",
        oauth2_redirect_url=f"{root}/docs/oauth2-redirect",
    )
    return _with_home_link(page)


@router.get("/docs/oauth2-redirect")
def swagger_ui_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    page = get_redoc_html(
        openapi_url=f"{root}/openapi.json",
        title=f"{_TITLE} · ReDoc",
        redoc_js_url=f"{root}/docs/assets/redoc.standalone.js",
        redoc_favicon_url=f"{root}/docs/assets/favicon.png",
        with_google_fonts=False,
    )
    return _with_home_link(page)


_REDOCLY_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
_BLANK_SVG = b"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E"


@lru_cache(maxsize=1)
def _redoc_js() -> bytes:
    # ReDoc's sidebar footer shows a logo from Redocly's CDN: a request leaving this server, which the
    # page's Content-Security-Policy refuses with a console error. A blank inline image takes its place.
    return (_STATIC / "redoc.standalone.js").read_bytes().replace(_REDOCLY_LOGO, _BLANK_SVG)


@router.get("/docs/assets/{name}")
def asset(name: str) -> Response:
    media_type = ASSETS.get(name)
    if media_type is None:
        raise NotFoundError(f"no documentation asset {name[:100]!r}", suggestions=sorted(ASSETS))
    headers = {"Cache-Control": "public, max-age=86400"}
    if name == "redoc.standalone.js":
        return Response(_redoc_js(), media_type=media_type, headers=headers)
    return FileResponse(_STATIC / name, media_type=media_type, headers=headers)
