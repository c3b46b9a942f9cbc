"""FastAPI dependencies: the service object and the update-token check."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, Request

from kg.errors import AuthenticationRequiredError, ForbiddenError
from kg.service import KnowledgeGraph
from kg.settings import Settings

__all__ = ["GraphDep", "SettingsDep", "get_graph", "get_settings", "require_update_token"]


def get_graph(request: Request) -> KnowledgeGraph:
    """Return the service object the app's lifespan opened."""
    return request.app.state.graph  # type: ignore[no-any-return]


def get_settings(request: Request) -> Settings:
    """Return the app's settings."""
    return request.app.state.settings  # type: ignore[no-any-return]


GraphDep = Annotated[KnowledgeGraph, Depends(get_graph)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def require_update_token(settings: Settings, authorization: str | None) -> None:
    """Refuse unless `authorization` is ``Bearer <the configured update token>``.

    Raises
    ------
    ForbiddenError
        If no token is configured (updates are off: HTTP 403), or a wrong token was sent (403).
    AuthenticationRequiredError
        If a token is configured and no ``Authorization`` header was sent (HTTP 401 with
        ``WWW-Authenticate: Bearer``, RFC 6750 §3).
    """
    if not settings.update_token:
        raise ForbiddenError("updates are disabled: start the server with --update-token or KG_UPDATE_TOKEN")
    if not (authorization or "").strip():
        raise AuthenticationRequiredError("this needs the header 'Authorization: Bearer <update token>'")
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), settings.update_token.encode()):
        raise ForbiddenError("updates need the header 'Authorization: Bearer <update token>'")


AuthorizationHeader = Annotated[str | None, Header()]
