"""FastAPI dependencies: the service object, the update-token check and reads ``as_of`` a date."""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request
from fastapi.dependencies.models import Dependant

from kg.engine import dataset
from kg.errors import AuthenticationRequiredError, ForbiddenError, InvalidParameterError
from kg.service import KnowledgeGraph
from kg.settings import Settings

__all__ = [
    "AsOfParam",
    "GraphDep",
    "SettingsDep",
    "checked_query",
    "get_graph",
    "get_settings",
    "read_view",
    "require_update_token",
]


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
        If no token is configured (updates are off: HTTP 403), or a wrong token or another scheme
        than Bearer was sent (403, "the token is not valid").
    AuthenticationRequiredError
        If a token is configured and no ``Authorization`` header was sent (HTTP 401 with
        ``WWW-Authenticate: Bearer``, RFC 6750 §3).
    """
    if not settings.update_token:
        raise ForbiddenError("updates are disabled: start the server with --update-token or KG_UPDATE_TOKEN")
    if not (authorization or "").strip():
        raise AuthenticationRequiredError(
            "the update token is missing: send the header 'Authorization: Bearer <update token>'"
        )
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        # Not a token we could check at all: say what the header must look like (not echoing it:
        # a header without a scheme may be the bare token).
        raise ForbiddenError(
            "the Authorization header is not a Bearer token: send 'Authorization: Bearer <update token>'"
        )
    if not hmac.compare_digest(token.strip().encode(), settings.update_token.encode()):
        raise ForbiddenError(
            "the token is not valid: send the update token the server was started with "
            "(--update-token or KG_UPDATE_TOKEN)"
        )


AuthorizationHeader = Annotated[str | None, Header()]


AsOfParam = Annotated[
    str | None,
    Query(
        max_length=40,
        description=(
            "Answer from the landscape as it was at the end of this day (UTC), `YYYY-MM-DD`: the curated graphs plus, "
            "for each imported source, its latest snapshot taken by then (none for a source imported later). A fact two "
            "of them share is one fact (listed with both graphs); a value today's graph holds back as a conflict is "
            "listed next to the curated one. The curated graphs are not versioned."
        ),
        openapi_examples={"date": {"summary": "as of 1 March 2025", "value": "2025-03-01"}},
    ),
]
"""The ``as_of`` query parameter of the REST lists and entities."""


def read_view(
    graph: KnowledgeGraph, as_of: str | None, fn: Callable[..., Any], *args: Any, **kwargs: Any
) -> tuple[dict[str, Any] | None, Any]:
    """Run a read on today's graph, or on the graph as of a date.

    Parameters
    ----------
    graph : KnowledgeGraph
        The service.
    as_of : str or None
        The request's ``as_of`` (``YYYY-MM-DD``); None reads today's graph.
    fn : callable
        A read taking the store first, as for :meth:`KnowledgeGraph.read`.
    *args, **kwargs
        Passed on (a ``version`` keyword is extended with the view, see
        :func:`kg.engine.dataset.read_as_of`).

    Returns
    -------
    (dict or None, object)
        ``{"date", "graphs"}`` describing the view (None for today) and what `fn` returned.

    Raises
    ------
    InvalidParameterError
        Naming ``as_of``, if it is not a ``YYYY-MM-DD`` date.
    """
    if as_of is None:
        return None, graph.read(fn, *args, **kwargs)
    day = dataset.parse_as_of(as_of).isoformat()
    graphs, result = graph.read(dataset.read_as_of, day, fn, *args, **kwargs)
    return {"date": day, "graphs": graphs}, result


def _query_names(dependant: Dependant) -> set[str]:
    """The query parameter names a route declares, its sub-dependencies included."""
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


_TRACKING = re.compile(r"utm_[a-z_]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid", re.IGNORECASE)
"""Parameters that sites and newsletters add to a shared link (campaign tags, click ids): they ask
for nothing, so a shared page must not answer them with an error."""


def checked_query(repeatable: frozenset[str] = frozenset()) -> Callable[[Request], None]:
    """Return a dependency that refuses query parameters the route does not declare.

    A misspelt or unsupported filter (``/api/models?year=2025``) would otherwise be ignored and
    the answer would silently hold everything. Campaign tags and click ids added to shared links
    (``utm_source``, ``fbclid``, ...) are let through.

    Parameters
    ----------
    repeatable : frozenset of str, optional
        Parameters that may be given more than once (the route reads every value); any other
        parameter given twice is refused, since only its last value would count.

    Returns
    -------
    callable
        A FastAPI dependency taking the request.
    """

    def check(request: Request) -> None:
        route = request.scope.get("route")
        dependant = getattr(route, "dependant", None)
        if dependant is None:
            return
        known = sorted(_query_names(dependant))
        path = getattr(route, "path", request.url.path)
        takes = ", ".join(known) if known else "no query parameters"
        for name in request.query_params:
            if name not in known and not _TRACKING.fullmatch(name):
                raise InvalidParameterError(name[:100], f"unknown parameter; {path} takes: {takes}")
        for name in known:
            count = len(request.query_params.getlist(name))
            if count > 1 and name not in repeatable:
                raise InvalidParameterError(name, f"given {count} times; it takes one value")

    return check
